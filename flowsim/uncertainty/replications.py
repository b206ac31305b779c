"""How many replications a question needs: a sequential confidence-interval method.

A KPI's 95% interval narrows as replications are added. The method (as in
Hoad, Robinson and Davies (2010), "Automated selection of the number of
replications for a discrete-event simulation", and sim-tools'
ReplicationsAlgorithm) adds replications one at a time and watches the
relative half-width, half-width / |mean|. The answer for a KPI is the first n
(at least ``initial``) where it is at most ``precision`` and stays there for
the next ``look_ahead`` replications (a look-ahead that grows with n past 100:
``look_ahead × n / 100``), so a lucky early narrowing is not taken for an
answer. Replication i is the same in every run of flowsim with the same seed,
so the answer is reproducible and holds for ``flowsim run --reps n --seed s``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from flowsim.engine.replications import CONFIDENCE
from flowsim.errors import FlowsimError
from flowsim.runner import Runner, open_runner
from flowsim.scenario.schema import Scenario
from flowsim.uncertainty.evaluate import Evaluator

INITIAL, LOOK_AHEAD = 3, 5  # the method's defaults (sim-tools: initial_replications=3, look_ahead=5)


def headline_kpis(scenario: Scenario) -> list[str]:
    """The KPIs a service manager reads first: the key stage's waits, new packages, cost, and the load of
    the key stage's practitioners."""
    stage = scenario.key_stage
    names = [f"within_target.{stage}", f"wait_mean_days.{stage}"] if stage else []
    names += ["new_packages.total", "total_cost.horizon"]
    role = scenario.stages[stage].role if stage else None
    return names + ([f"utilisation.{role}"] if role else [])


def relative_half_widths(values: np.ndarray) -> np.ndarray:
    """For n = 1 … len(values): the 95% half-width of the mean of the first n, over |mean| (NaN below 2)."""
    values = np.asarray(values, dtype=float)
    n = np.arange(1, len(values) + 1)
    means = np.cumsum(values) / n
    squares = np.cumsum(values**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, (squares - n * means**2) / np.maximum(n - 1, 1), np.nan)
        var = np.maximum(var, 0.0)  # rounding can make a constant's variance a hair below zero
        t = np.where(n > 1, stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1)), np.nan)
        half = t * np.sqrt(var / n)
        deviation = np.where(half == 0, 0.0, half / np.abs(means))
    return deviation


def _look_ahead(n: int, look_ahead: int) -> int:
    return look_ahead if n <= 100 else math.floor(look_ahead * n / 100)


def replications_for(deviation: np.ndarray, precision: float, initial: int = INITIAL,
                     look_ahead: int = LOOK_AHEAD) -> int | None:
    """The first n whose relative half-width and the next look-ahead ones are all ≤ precision; None if not yet."""
    for n in range(max(initial, 2), len(deviation) + 1):
        ahead = _look_ahead(n, look_ahead)
        if n + ahead > len(deviation):
            return None
        window = deviation[n - 1:n + ahead]
        if np.all(np.isfinite(window)) and np.all(window <= precision):
            return n
    return None


@dataclass(frozen=True)
class ReplicationsAdvice:
    """Replications each KPI needs for its precision, and the path of each KPI's interval."""

    scenario: str
    precision: float
    seed: int
    needed: dict[str, int | None]  # None: not reached within the maximum
    replications_run: int
    trace: pd.DataFrame             # kpi, n, mean, ci_low, ci_high, relative_half_width

    @property
    def recommended(self) -> int | None:
        """Enough for every KPI asked about; None if one did not reach its precision."""
        counts = list(self.needed.values())
        return None if not counts or None in counts else max(counts)


def replications_needed(scenario: Scenario, kpis: Sequence[str] | None = None, precision: float = 0.05, *,
                        seed: int = 0, max_reps: int = 200, initial: int = INITIAL, look_ahead: int = LOOK_AHEAD,
                        workers: int | None = None, runner: Runner | None = None,
                        progress: Callable[[int], None] | None = None) -> ReplicationsAdvice:
    """Add replications (a batch at a time, in parallel) until every KPI's relative 95% half-width
    is at most ``precision`` for ``look_ahead`` more replications, or ``max_reps`` is reached."""
    if not 0 < precision < 1:
        raise FlowsimError(f"precision is a relative half-width above 0 and below 1 (0.05 is 5%); got {precision}")
    if not initial + look_ahead <= max_reps <= 10_000:
        raise FlowsimError(f"the most replications must be between {initial + look_ahead} and 10,000; got {max_reps}")
    kpis = list(kpis or headline_kpis(scenario))
    if runner is None:
        with open_runner(workers) as started:
            return _sequential(scenario, kpis, precision, seed, max_reps, initial, look_ahead,
                               Evaluator(started, seed, progress))
    return _sequential(scenario, kpis, precision, seed, max_reps, initial, look_ahead, Evaluator(runner, seed, progress))


def _sequential(scenario, kpis, precision, seed, max_reps, initial, look_ahead, evaluator) -> ReplicationsAdvice:
    n = min(max_reps, initial + look_ahead)
    while True:
        table = evaluator.kpis(scenario, n)
        missing = [k for k in kpis if k not in table]
        if missing:
            raise FlowsimError(f"no KPI named {', '.join(missing)} in the results of {scenario.name} "
                               "(see the KPIs section of the README, or flowsim run --json)")
        needed = {k: replications_for(relative_half_widths(table[k].to_numpy(dtype=float)), precision, initial,
                                      look_ahead) for k in kpis}
        if None not in needed.values() or n >= max_reps:
            break
        n = min(max_reps, n + max(evaluator.runner.workers * 2, n // 2))  # grow by half: few rounds, little waste
    rows = []
    for k in kpis:
        values = table[k].to_numpy(dtype=float)
        deviation = relative_half_widths(values)
        for m in range(1, n + 1):
            mean = float(values[:m].mean())
            half = deviation[m - 1] * abs(mean) if math.isfinite(deviation[m - 1]) else math.nan
            rows.append({"kpi": k, "n": m, "mean": mean, "ci_low": mean - half, "ci_high": mean + half,
                         "relative_half_width": deviation[m - 1]})
    return ReplicationsAdvice(scenario.name, precision, seed, needed, evaluator.replications_run, pd.DataFrame(rows))
