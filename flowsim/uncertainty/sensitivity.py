"""Which uncertain inputs drive a result: a one-at-a-time tornado and a global regression.

Tornado: each input in turn is set to the low and then the high end of its
range, every other input at its value, with the same seeds at every setting
(common random numbers), so a bar's length is the input's own effect and not
noise. Global: over the second-order Monte Carlo samples (every input varying
at once, ``flowsim.uncertainty.sampling``), the standardised regression
coefficient (SRC) of the result on each input; when the model is near linear
in its inputs (R² near 1) SRC² is the share of the result's variance the input
explains. Variance-based (Sobol) indices would need N·(2k + 2) runs, about
1,400 replications of a year for ten inputs, which is why regression is used.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from flowsim.errors import FlowsimError
from flowsim.runner import Runner, open_runner
from flowsim.scenario.schema import Scenario
from flowsim.uncertainty.evaluate import Evaluator
from flowsim.uncertainty.ranges import uncertain_inputs, with_inputs
from flowsim.uncertainty.sampling import InputUncertainty

TORNADO_COLUMNS = ["input", "value", "low", "high", "kpi_at_value", "kpi_at_low", "kpi_at_high", "swing"]


def tornado(scenario: Scenario, kpi: str, reps: int = 5, seed: int = 0, *, workers: int | None = None,
            runner: Runner | None = None, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """One row per uncertain input, largest swing first: the KPI's mean (over ``reps`` replications on
    common random numbers) with the input at its low end, its value and its high end."""
    inputs = uncertain_inputs(scenario)
    if not inputs:
        raise FlowsimError(f"{scenario.name}: no input carries a range, so there is nothing to vary "
                           "(give numbers a low and high, or add rows to data/uncertainty/ranges.csv)")
    points = [list(i.value for i in inputs)]
    for j, item in enumerate(inputs):
        for end in (item.range.low, item.range.high):
            values = list(points[0])
            values[j] = end
            points.append(values)
    variants = [with_inputs(scenario, inputs, values) for values in points]
    if runner is None:
        with open_runner(workers) as started:
            tables = Evaluator(started, seed, progress).many(variants, reps)
    else:
        tables = Evaluator(runner, seed, progress).many(variants, reps)
    if kpi not in tables[0]:
        raise FlowsimError(f"no KPI named {kpi} in the results of {scenario.name} "
                           "(see the KPIs section of the README, or flowsim run --json)")
    means = [float(t[kpi].mean()) for t in tables]
    rows = [{"input": item.name, "value": item.value, "low": item.range.low, "high": item.range.high,
             "kpi_at_value": means[0], "kpi_at_low": means[1 + 2 * j], "kpi_at_high": means[2 + 2 * j],
             "swing": abs(means[2 + 2 * j] - means[1 + 2 * j])} for j, item in enumerate(inputs)]
    table = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def regression_sensitivity(found: InputUncertainty, kpi: str) -> tuple[pd.DataFrame, float]:
    """Standardised regression coefficients of ``kpi`` on every sampled input, largest first, and R²."""
    if kpi not in found.sampled:
        raise FlowsimError(f"no KPI named {kpi} in the results of {found.scenario}")
    y = found.sampled[kpi].to_numpy(dtype=float)
    x = found.input_values.to_numpy(dtype=float)
    keep = np.isfinite(y)
    y, x = y[keep], x[keep]
    varying = x.std(axis=0) > 0
    if len(y) <= varying.sum() + 1:
        raise FlowsimError(f"{len(y)} samples cannot fit {int(varying.sum())} inputs: take more samples")
    coefficients = np.zeros(x.shape[1])
    r_squared = float("nan")
    if y.std() > 0 and varying.any():
        zx = (x[:, varying] - x[:, varying].mean(axis=0)) / x[:, varying].std(axis=0)
        zy = (y - y.mean()) / y.std()
        fitted, *_ = np.linalg.lstsq(np.column_stack([np.ones(len(zy)), zx]), zy, rcond=None)
        coefficients[varying] = fitted[1:]
        residual = zy - np.column_stack([np.ones(len(zy)), zx]) @ fitted
        r_squared = float(1 - residual.var() / zy.var())
    table = pd.DataFrame({"input": list(found.input_values.columns), "src": coefficients,
                          "src_squared": coefficients**2})
    return table.sort_values("src_squared", ascending=False, kind="stable").reset_index(drop=True), r_squared
