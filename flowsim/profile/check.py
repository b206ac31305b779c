"""Observed against modelled: each figure of a council profile beside the scenario's value and its error.

The model's value is the simulation's mean with its 95% interval where a
simulated KPI exists and the figure's year is the scenario's first, otherwise
the expected flows' value. The error is modelled − observed, also as a share of
the observed figure; a figure matches when that share is within its tolerance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from flowsim.engine import run
from flowsim.engine.replications import mean_ci
from flowsim.profile.measures import MEASURES, ModelView
from flowsim.profile.schema import Observation, Profile
from flowsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Row:
    figure: str
    year: str
    observed: float
    modelled: float  # NaN: not in the model
    ci_low: float
    ci_high: float
    how: str  # 'simulation', 'expected flows', or why there is no value
    tolerance: float
    source: str

    @property
    def error(self) -> float:
        return self.modelled - self.observed

    @property
    def relative_error(self) -> float:
        return self.error / self.observed if self.observed else math.nan

    @property
    def matches(self) -> bool | None:
        if math.isnan(self.modelled):
            return None
        return abs(self.relative_error) <= self.tolerance


def tolerance(figure: str, observation: Observation) -> float:
    return observation.tolerance or MEASURES[figure].tolerance


def expected_value(view: ModelView, figure: str, observation: Observation) -> tuple[float, str]:
    """The expected-flows value of one figure, or NaN and why not."""
    measure = MEASURES[figure]
    k = view.offset(observation.first_calendar_year)
    if k < 0:
        return math.nan, "before the scenario starts"
    if measure.expected is None:
        return math.nan, "needs simulation"
    value = measure.expected(view, k)
    return (math.nan, "not in the model") if value is None else (float(value), "expected flows")


def first_year_label(view: ModelView) -> str:
    return f"{view.first_year}/{(view.first_year + 1) % 100:02d}"


def simulated_values(view: ModelView, figure: str, observation: Observation, table: pd.DataFrame) -> np.ndarray | None:
    """A figure's value in each replication of the scenario's first year (``table``: KPIs by run), or None
    when no KPI measures it or the figure is of another year."""
    measure = MEASURES[figure]
    if measure.simulated is None or observation.year != first_year_label(view):
        return None
    weights = measure.simulated(view, observation.year)
    if not weights or not all(k in table.columns for k in weights):
        return None
    return np.asarray(table[list(weights)].to_numpy(dtype=float) @ np.array(list(weights.values())))


def check(profile: Profile, scenario: Scenario, reps: int = 5, seed: int = 0, processes: int | None = None,
          progress=None) -> list[Row]:
    """Every figure of the profile against the scenario (simulated with ``reps`` replications; 0: expected flows only)."""
    view = ModelView(scenario, profile.model)
    first = first_year_label(view)
    simulated: dict[str, dict] = {}
    wanted = [(f, o) for f, o in profile.observations() if o.year == first and MEASURES[f].simulated]
    if reps and wanted:
        table = run(view.year_one, reps=reps, seed=seed, processes=processes, detail=False,
                    progress=progress).kpi_table()
        for figure, observation in wanted:
            values = simulated_values(view, figure, observation, table)
            if values is not None:
                simulated[figure] = mean_ci(values)
    rows = []
    for figure, observation in profile.observations():
        if figure in simulated and observation.year == first:
            s = simulated[figure]
            value, low, high, how = s["mean"], s["ci_low"], s["ci_high"], f"simulation, {reps} replications"
        else:
            value, how = expected_value(view, figure, observation)
            low = high = math.nan
        rows.append(Row(figure, observation.year, observation.value, value, low, high, how,
                        tolerance(figure, observation), observation.source))
    return rows


def rows_frame(rows: list[Row]) -> pd.DataFrame:
    """The rows as a tidy table: one row per figure and year."""
    return pd.DataFrame([{
        "figure": r.figure, "label": MEASURES[r.figure].label, "collection": MEASURES[r.figure].collection,
        "unit": MEASURES[r.figure].unit,
        "year": r.year, "observed": r.observed, "modelled": r.modelled, "ci_low": r.ci_low, "ci_high": r.ci_high,
        "error": r.error, "relative_error": r.relative_error, "tolerance": r.tolerance, "matches": r.matches,
        "how": r.how, "source": r.source} for r in rows])
