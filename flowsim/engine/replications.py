"""Many replications of a scenario, their summary, and paired comparisons.

``run(scenario, reps, seed)`` gives the same numbers whether its replications
run in this process or spread over several: replication i always uses
``SeedSequence(seed).spawn(reps)[i]``. ``compare(a, b)`` runs both scenarios on
the same seeds (common random numbers) and reports the paired difference
B − A per KPI (the effect of moving from A to B) with its 95% confidence interval.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from flowsim.engine.replication import simulate
from flowsim.engine.results import KPI_COLUMNS, events_frame, kpi_rows, packages_frame, run_kpis, timeseries_frame
from flowsim.engine.streams import replication_seeds
from flowsim.errors import FlowsimError
from flowsim.runner import Runner, default_workers, open_runner, run_all
from flowsim.scenario.limits import MAX_REPLICATIONS
from flowsim.scenario.schema import Scenario

CONFIDENCE = 0.95
MAX_REPS = MAX_REPLICATIONS
# Where the CLI's --reps, the app's slider and compare() start. `flowsim replications` recommends 15 for
# Barnet's headline KPIs at ±5% (only the mean wait needs more than 5); 10 keeps the app's default Barnet
# pair a small run that starts by itself (README, "How many replications").
DEFAULT_REPLICATIONS = 10

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Results:
    """Replications of one scenario: KPIs per run, and optionally events and daily series."""

    scenario: str
    seed: int
    reps: int
    kpis: pd.DataFrame  # scenario, run, measure, subject, source, period, kpi (the dotted label), value
    events: pd.DataFrame | None
    timeseries: pd.DataFrame | None
    packages: pd.DataFrame | None = None

    # The results never change, and the app reads the same tables many times a page: each is worked out
    # once (functools.cached_property writes past the frozen dataclass) and handed out as a copy.

    def kpi_table(self) -> pd.DataFrame:
        """Runs as rows, KPIs as columns."""
        return self._kpi_table.copy()

    def kpi_names(self) -> list[str]:
        return list(dict.fromkeys(self.kpis["kpi"]))

    def summary(self) -> pd.DataFrame:
        """Mean and 95% confidence interval per KPI."""
        return self._summary.copy()

    @functools.cached_property
    def _kpi_table(self) -> pd.DataFrame:
        return self.kpis.pivot(index="run", columns="kpi", values="value")[self.kpi_names()]

    @functools.cached_property
    def _summary(self) -> pd.DataFrame:
        table = self._kpi_table
        rows = [dict(kpi=name, **mean_ci(table[name].to_numpy())) for name in table.columns]
        frame = pd.DataFrame(rows)
        frame.insert(0, "scenario", self.scenario)
        return frame


def mean_ci(values: np.ndarray) -> dict[str, float]:
    """Mean, Student-t 95% interval, sd and n of the finite values."""
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return {"mean": math.nan, "ci_low": math.nan, "ci_high": math.nan, "sd": math.nan, "n": 0}
    mean = float(values.mean())
    if n == 1:
        return {"mean": mean, "ci_low": math.nan, "ci_high": math.nan, "sd": math.nan, "n": 1}
    sd = float(values.std(ddof=1))
    half = t_critical(n - 1) * sd / math.sqrt(n)
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "sd": sd, "n": n}


@functools.lru_cache(maxsize=None)
def t_critical(dof: int) -> float:
    """Student t's two-sided 95% critical value: scipy's ppf costs about 100 µs, and a summary asks thousands of
    times for the same few degrees of freedom."""
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, dof))


def _one(args) -> tuple[int, dict, tuple | None]:
    scenario, rep_seed, run_index, detail, follow_through_days = args
    rec = simulate(scenario, rep_seed, keep_events=detail, follow_through_days=follow_through_days)
    kpis = run_kpis(scenario, rec)
    if not detail:
        return run_index, kpis, None
    return run_index, kpis, (events_frame(scenario, rec, run_index), timeseries_frame(scenario, rec, run_index),
                             packages_frame(scenario, rec, run_index))


def kpi_batch(scenario: Scenario, seed: int, reps: int, indices: list[int]) -> dict[int, dict]:
    """KPIs of some of the replications of a run of ``reps`` (a unit of work for a sweep)."""
    seeds = replication_seeds(seed, reps)
    return {i: {kpi.name: value for kpi, value in run_kpis(scenario, simulate(scenario, seeds[i], keep_events=False)).items()}
            for i in indices}


def _jobs(scenario: Scenario, reps: int, seed: int, detail: bool, follow_through_days: int) -> list:
    if not 1 <= reps <= MAX_REPS:
        raise FlowsimError(f"replications must be between 1 and {MAX_REPS:,}; got {reps}")
    if seed < 0:
        raise FlowsimError(f"the seed must be a whole number of 0 or more; got {seed}")
    return [(scenario, rep_seed, i, detail, follow_through_days)
            for i, rep_seed in enumerate(replication_seeds(seed, reps))]


def _execute(jobs: list, processes: int | None, runner: Runner | None, progress: Progress | None) -> list:
    """Run jobs on the given runner, or on one started for them; results in job order."""
    if runner is not None:
        return run_all(runner, _one, jobs, progress)
    with open_runner(min(processes or default_workers(), len(jobs))) as started:
        return run_all(started, _one, jobs, progress)


def _results(scenario: Scenario, seed: int, reps: int, detail: bool, done: list) -> Results:
    kpis = pd.DataFrame([row for i, table, _ in done for row in kpi_rows(scenario, i, table)],
                        columns=["scenario", "run", *KPI_COLUMNS, "kpi", "value"])
    if not detail:
        return Results(scenario.name, seed, reps, kpis, None, None, None)
    events, series, packages = (pd.concat(frames, ignore_index=True) for frames in zip(*(d for _, _, d in done)))
    return Results(scenario.name, seed, reps, kpis, events, series, packages)


def run(scenario: Scenario, reps: int = 1, seed: int = 0, processes: int | None = None,
        detail: bool = True, progress: Progress | None = None, follow_through_days: int = 0,
        runner: Runner | None = None) -> Results:
    """Run ``reps`` replications (in ``processes`` processes; all cores by default).

    ``detail=False`` keeps only the KPIs (no event log or daily series), for
    large sweeps where memory matters. ``follow_through_days`` follows the
    horizon's contacts to their outcomes (see ``flowsim.engine.replication.simulate``).
    A ``runner`` from ``flowsim.runner`` (e.g. the long-lived ``shared_pool()``, or a
    Dask cluster) is used instead of starting ``processes`` local processes.
    """
    jobs = _jobs(scenario, reps, seed, detail, follow_through_days)
    return _results(scenario, seed, reps, detail, _execute(jobs, processes, runner, progress))


@dataclass(frozen=True)
class Comparison:
    """Two scenarios on common random numbers: each side's summary and the paired difference B − A.

    A difference is always B − A, "the effect of moving from A to B": positive
    when B has more (people, hours, cost, share within target) than A.
    """

    a: Results
    b: Results

    def table(self) -> pd.DataFrame:
        """Per KPI: each side's mean and 95% interval, and the paired difference B − A with its interval."""
        return self._table.copy()

    @functools.cached_property
    def _table(self) -> pd.DataFrame:
        ta, tb = self.a._kpi_table, self.b._kpi_table
        names = list(dict.fromkeys(list(ta.columns) + list(tb.columns)))
        rows = []
        for name in names:
            va = ta[name].to_numpy() if name in ta else np.full(len(ta), np.nan)
            vb = tb[name].to_numpy() if name in tb else np.full(len(tb), np.nan)
            side_a, side_b, diff = mean_ci(va), mean_ci(vb), mean_ci(vb - va)
            rows.append({
                "kpi": name,
                "a_mean": side_a["mean"], "a_ci_low": side_a["ci_low"], "a_ci_high": side_a["ci_high"],
                "b_mean": side_b["mean"], "b_ci_low": side_b["ci_low"], "b_ci_high": side_b["ci_high"],
                "b_minus_a_mean": diff["mean"], "b_minus_a_ci_low": diff["ci_low"],
                "b_minus_a_ci_high": diff["ci_high"],
            })
        return pd.DataFrame(rows)


def compare(a: Scenario, b: Scenario, reps: int = DEFAULT_REPLICATIONS, seed: int = 0, processes: int | None = None,
            detail: bool = False, progress: Progress | None = None, runner: Runner | None = None) -> Comparison:
    """Run both scenarios on the same seeds (common random numbers) and pair their replications."""
    jobs_a, jobs_b = _jobs(a, reps, seed, detail, 0), _jobs(b, reps, seed, detail, 0)
    done = _execute(jobs_a + jobs_b, processes, runner, progress)
    return Comparison(_results(a, seed, reps, detail, done[:reps]), _results(b, seed, reps, detail, done[reps:]))
