"""Second-order Monte Carlo: results whose intervals include uncertainty about the inputs.

Replication j of a run with input uncertainty first draws every uncertain
input (``flowsim.uncertainty.ranges``: one Latin-hypercube sample per
replication), then simulates with replication j's seed, the same seed as
replication j of an ordinary run (common random numbers for the stochastic
part). The spread of the results then has two sources: the inputs and the
randomness of one year of the service. The randomness alone is measured by an
ordinary run at the point values; the rest of the variance is the inputs':

    share from inputs = 1 − var(point values) / var(sampled inputs)

(the two variance components add when an input's effect does not depend on
the random draws, the usual assumption of this decomposition; a negative
estimate, from sampling noise, is shown as 0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from flowsim.engine.replication import simulate
from flowsim.engine.replications import MAX_REPS, Comparison, Results, mean_ci
from flowsim.engine.results import KPI_COLUMNS, kpi_rows, run_kpis
from flowsim.engine.streams import replication_seeds
from flowsim.errors import FlowsimError
from flowsim.runner import Runner, open_runner, run_all
from flowsim.scenario.schema import Scenario
from flowsim.uncertainty.evaluate import Evaluator
from flowsim.uncertainty.ranges import UncertainInput, sample_inputs, uncertain_inputs, with_inputs

INTERVAL = (0.025, 0.975)  # the central 95% of the sampled results


def _sampled_kpis(task) -> dict:
    """One replication with its own input values (run in a worker: building the variant is work too)."""
    scenario, inputs, values, seed, samples, index = task
    variant = with_inputs(scenario, inputs, values)
    return run_kpis(variant, simulate(variant, replication_seeds(seed, samples)[index], keep_events=False))


def _sampled_replication(task) -> dict[str, float]:
    return {kpi.name: value for kpi, value in _sampled_kpis(task).items()}


@dataclass(frozen=True)
class InputUncertainty:
    """Results with inputs sampled per replication, beside an ordinary run at the point values."""

    scenario: str
    seed: int
    inputs: list[UncertainInput]
    input_values: pd.DataFrame   # one row per sample, one column per input
    sampled: pd.DataFrame        # one row per sample, one column per KPI
    point: pd.DataFrame          # one row per replication at the point values, one column per KPI

    def summary(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Per KPI: the point run's mean and 95% CI (randomness only), the sampled mean and the central 95%
        of the sampled results (inputs and randomness), and the share of the variance from the inputs."""
        rows = []
        for kpi in kpis or list(self.sampled.columns):
            sampled = self.sampled[kpi].to_numpy(dtype=float)
            sampled = sampled[np.isfinite(sampled)]
            point = self.point[kpi].to_numpy(dtype=float) if kpi in self.point else np.array([])
            point_ci = mean_ci(point)
            var_total = float(np.var(sampled, ddof=1)) if len(sampled) > 1 else math.nan
            var_random = point_ci["sd"] ** 2 if point_ci["n"] > 1 else math.nan
            if var_total == 0:
                share = 0.0
            elif math.isfinite(var_total) and math.isfinite(var_random):
                share = min(1.0, max(0.0, 1 - var_random / var_total))
            else:
                share = math.nan
            low, high = (np.quantile(sampled, INTERVAL) if len(sampled) else (math.nan, math.nan))
            rows.append({"kpi": kpi, "point_mean": point_ci["mean"], "point_ci_low": point_ci["ci_low"],
                         "point_ci_high": point_ci["ci_high"], "mean": float(sampled.mean()) if len(sampled)
                         else math.nan, "low": float(low), "high": float(high), "var_total": var_total,
                         "var_random": var_random, "share_inputs": share,
                         "share_randomness": 1 - share if math.isfinite(share) else math.nan})
        return pd.DataFrame(rows)


def run_with_input_uncertainty(scenario: Scenario, samples: int = 200, reps: int = 10, seed: int = 0, *,
                               workers: int | None = None, runner: Runner | None = None,
                               progress: Callable[[int], None] | None = None) -> InputUncertainty:
    """``samples`` replications, each with its own draw of the uncertain inputs, and ``reps``
    ordinary replications at the point values (the randomness alone; the same seeds)."""
    if not 2 <= samples <= MAX_REPS:
        raise FlowsimError(f"samples must be between 2 and {MAX_REPS:,}; got {samples}")
    if not 2 <= reps <= MAX_REPS:
        raise FlowsimError(f"replications at the point values must be between 2 and {MAX_REPS:,}; got {reps}")
    inputs = uncertain_inputs(scenario)
    values = sample_inputs(inputs, samples, seed)
    if runner is None:
        with open_runner(workers) as started:
            return _run(scenario, inputs, values, reps, seed, started, progress)
    return _run(scenario, inputs, values, reps, seed, runner, progress)


def _run(scenario, inputs, values, reps, seed, runner, progress) -> InputUncertainty:
    samples = len(values)
    tasks = [(scenario, inputs, row, seed, samples, j) for j, row in enumerate(values)]
    point = Evaluator(runner, seed, progress).kpis(scenario, reps)
    sampled = pd.DataFrame(run_all(runner, _sampled_replication, tasks, progress))
    table = pd.DataFrame(values, columns=[item.name for item in inputs])
    return InputUncertainty(scenario.name, seed, inputs, table, sampled, point)


def compare_with_input_uncertainty(a: Scenario, b: Scenario, samples: int = 200, seed: int = 0, *,
                                   workers: int | None = None, runner: Runner | None = None,
                                   progress: Callable[[int], None] | None = None) -> Comparison:
    """Both scenarios with their uncertain inputs sampled together: sample j gives an input the same
    value on both sides (a figure both use is one draw) and runs both on seed j. The result pairs the
    samples like replications, so ``flowsim.finance.savings`` of it gives the saving A − B and the
    share of sampled years reaching a target with the inputs' uncertainty in them."""
    if not 2 <= samples <= MAX_REPS:
        raise FlowsimError(f"samples must be between 2 and {MAX_REPS:,}; got {samples}")
    sides = {"a": uncertain_inputs(a), "b": uncertain_inputs(b)}
    union = list({item.name: item for item in sides["b"] + sides["a"]}.values())  # a's range where both give one
    values = sample_inputs(union, samples, seed)
    column = {item.name: j for j, item in enumerate(union)}
    tasks = []
    for scenario, inputs in ((a, sides["a"]), (b, sides["b"])):
        picked = [column[item.name] for item in inputs]
        tasks += [(scenario, inputs, row[picked], seed, samples, j) for j, row in enumerate(values)]
    if runner is None:
        with open_runner(workers) as started:
            done = run_all(started, _sampled_kpis, tasks, progress)
    else:
        done = run_all(runner, _sampled_kpis, tasks, progress)
    return Comparison(_as_results(a, seed, done[:samples]), _as_results(b, seed, done[samples:]))


def _as_results(scenario: Scenario, seed: int, done: list[dict]) -> Results:
    rows = [row for j, table in enumerate(done) for row in kpi_rows(scenario, j, table)]
    kpis = pd.DataFrame(rows, columns=["scenario", "run", *KPI_COLUMNS, "kpi", "value"])
    return Results(scenario.name, seed, len(done), kpis, None, None, None)
