"""Goal-seek: the smallest value of one field (FTE, a share, any number) that meets targets.

"How many social workers so that 90% of people are assessed within 28 days?"
is a search along one field for the first value whose results meet every goal
with a stated confidence. Each value tried runs the same seeds (common random
numbers), so neighbouring values differ only by the change. The search is a
bisection on a grid of the field (``low``, ``low + step``, …, ``high``), which
assumes the goals get easier as the field grows (more staff, shorter waits).

Stopping rule. At each value a goal ``kpi >= target`` is *met* when the
one-sided lower confidence bound of the KPI's mean (Student t over the
replications) is at or above the target, *not met* when the upper bound is
below it, and *uncertain* otherwise; ``<=`` goals the other way round. With
several goals each is judged at 1 − (1 − confidence) / goals (Bonferroni), so
all hold together with the stated confidence. An uncertain value gets more
replications (doubling up to ``max_reps``); one still uncertain counts as not
met. The search ends when the smallest value met and the largest value not met
are one step apart; a second bisection then finds the largest value that is
*confidently* not met, so the answer comes with the range of values where the
replications cannot tell.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from flowsim.errors import FlowsimError
from flowsim.runner import Runner, open_runner
from flowsim.scenario.load import vary
from flowsim.scenario.schema import Scenario
from flowsim.uncertainty.evaluate import Evaluator

MET, NOT_MET, UNCERTAIN = "met", "not met", "uncertain"
_GOAL = re.compile(r"^\s*([A-Za-z0-9_.@>\-]+?)\s*(>=|<=)\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Goal:
    """``kpi >= target`` or ``kpi <= target``; a KPI name as in the results (``within_target.full_assessment``)."""

    kpi: str
    op: str
    target: float

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.target:g}"

    def judge(self, values: np.ndarray, one_sided: float) -> tuple[str, float, float]:
        """(status, mean, the confidence bound that decides) over the replications' values."""
        values = values[np.isfinite(values)]
        if len(values) == 0:
            return NOT_MET, math.nan, math.nan  # nobody reached the stage: nothing shows the goal is met
        mean = float(values.mean())
        half = 0.0 if len(values) < 2 else float(stats.t.ppf(one_sided, len(values) - 1)
                                                  * values.std(ddof=1) / math.sqrt(len(values)))
        if len(values) < 2 and values.std() == 0:
            half = math.inf  # one replication says nothing about its spread
        low, high = mean - half, mean + half
        if self.op == ">=":
            return (MET if low >= self.target else NOT_MET if high < self.target else UNCERTAIN), mean, low
        return (MET if high <= self.target else NOT_MET if low > self.target else UNCERTAIN), mean, high


def parse_goal(text: str) -> Goal:
    """``"within_target.full_assessment >= 0.9"`` (or ``>= 90%``) → Goal."""
    match = _GOAL.match(str(text))
    if not match:
        raise FlowsimError(f"goal {text!r}: must look like 'KPI >= number' or 'KPI <= number', "
                           "e.g. 'within_target.full_assessment >= 0.9'")
    kpi, op, number, percent = match.groups()
    return Goal(kpi, op, float(number) / (100 if percent else 1))


@dataclass(frozen=True)
class FieldRange:
    """The values of one field a search may try: ``low``, ``low + step``, …, up to ``high``."""

    path: str
    low: float
    high: float
    step: float = 1.0

    def grid(self) -> list[float]:
        count = int(math.floor((self.high - self.low) / self.step + 1e-9))
        values = [self.low + k * self.step for k in range(count + 1)]
        if self.high - values[-1] > 1e-9 * max(1.0, abs(self.high)):
            values.append(self.high)  # the top of the range is always tried
        return [_tidy(v) for v in values]


def _tidy(value: float) -> float | int:
    """Whole numbers as ints (so a field reads "24", not "24.000000001")."""
    rounded = round(value, 9)
    return int(rounded) if float(rounded).is_integer() else rounded


def parse_range(spec: str, step: float = 1.0) -> FieldRange:
    """``path=low:high`` (the field's unit) → FieldRange."""
    path, sep, raw = str(spec).partition("=")
    parts = raw.split(":")
    try:
        low, high = float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        low = high = math.nan
    if not sep or not path.strip() or len(parts) != 2 or not (math.isfinite(low) and math.isfinite(high)):
        raise FlowsimError(f"--vary {spec!r}: must look like path=low:high, e.g. roles.social_worker.fte=10:60")
    if not low < high:
        raise FlowsimError(f"--vary {spec!r}: low must be below high")
    if not step > 0:
        raise FlowsimError(f"--step {step}: must be above 0")
    return FieldRange(path.strip(), low, high, step)


@dataclass(frozen=True)
class Tried:
    """One value tried: its replications, and per goal the mean and the bound that decided."""

    value: float
    reps: int
    status: str
    means: dict[str, float]
    bounds: dict[str, float]


@dataclass(frozen=True)
class GoalSeek:
    """The answer of a goal-seek, how sure it is, and every value tried."""

    path: str
    goals: list[Goal]
    confidence: float
    answer: float | None          # smallest value meeting every goal with the confidence; None: not in range
    uncertain_from: float | None  # the smallest value where the goals may already be met
    tried: list[Tried]
    replications_run: int
    seed: int
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per value tried and goal: replications, status, mean, the deciding bound."""
        rows = [{"value": t.value, "reps": t.reps, "status": t.status, "goal": str(g), "kpi": g.kpi,
                 "mean": t.means[g.kpi], "bound": t.bounds[g.kpi]} for t in self.tried for g in self.goals]
        return pd.DataFrame(rows, columns=["value", "reps", "status", "goal", "kpi", "mean", "bound"])


def goal_seek(scenario: Scenario, goals: list[Goal | str], field_range: FieldRange | str, *,
              confidence: float = 0.9, reps: int = 5, max_reps: int = 40, seed: int = 0,
              workers: int | None = None, runner: Runner | None = None,
              progress: Callable[[int], None] | None = None) -> GoalSeek:
    """The smallest value of ``field_range.path`` meeting every goal with ``confidence``.

    ``reps`` replications at each value, doubled up to ``max_reps`` where a goal
    is uncertain. ``workers`` local processes, or an existing ``runner``.
    """
    goals = [parse_goal(g) if isinstance(g, str) else g for g in goals]
    if not goals:
        raise FlowsimError("give at least one goal, e.g. 'within_target.full_assessment >= 0.9'")
    if not 0.5 <= confidence < 1:
        raise FlowsimError(f"confidence must be at least 0.5 and below 1; got {confidence}")
    if not 2 <= reps <= max_reps:
        raise FlowsimError(f"replications must be at least 2 and at most the maximum ({max_reps}); got {reps}")
    field_range = parse_range(field_range) if isinstance(field_range, str) else field_range
    grid = field_range.grid()
    variants = [vary(scenario, {field_range.path: value}) for value in (grid[0], grid[-1])]  # a bad field fails now
    if runner is None:
        with open_runner(workers) as started:
            return _search(scenario, goals, field_range, grid, variants, confidence, reps, max_reps, seed,
                           Evaluator(started, seed, progress))
    return _search(scenario, goals, field_range, grid, variants, confidence, reps, max_reps, seed,
                   Evaluator(runner, seed, progress))


def _search(scenario, goals, field_range, grid, ends, confidence, reps, max_reps, seed, evaluator) -> GoalSeek:
    one_sided = 1 - (1 - confidence) / len(goals)
    tried: dict[int, Tried] = {}

    def judge_all(indices: list[int]) -> None:
        """Judge several values at once (run in parallel), adding replications where uncertain."""
        variants = {k: ends[0] if k == 0 else ends[1] if k == len(grid) - 1 else
                    vary(scenario, {field_range.path: grid[k]}) for k in indices if k not in tried}
        n = reps
        while variants:
            tables = evaluator.many(list(variants.values()), n)
            for (k, _), table in zip(list(variants.items()), tables):
                missing = [g.kpi for g in goals if g.kpi not in table]
                if missing:
                    raise FlowsimError(f"no KPI named {', '.join(missing)} in the results of {scenario.name} "
                                       "(see the KPIs section of the README, or flowsim run --json)")
                verdicts = {g.kpi: g.judge(table[g.kpi].to_numpy(dtype=float), one_sided) for g in goals}
                statuses = {v[0] for v in verdicts.values()}
                status = NOT_MET if NOT_MET in statuses else UNCERTAIN if UNCERTAIN in statuses else MET
                if status != UNCERTAIN or n >= max_reps:
                    tried[k] = Tried(grid[k], n, status, {kpi: v[1] for kpi, v in verdicts.items()},
                                     {kpi: v[2] for kpi, v in verdicts.items()})
                    del variants[k]
            n = min(2 * n, max_reps)

    def met(k: int) -> bool:
        judge_all([k])
        return tried[k].status == MET

    top = len(grid) - 1
    judge_all([0, top])
    notes: list[str] = []
    if tried[top].status != MET:
        answer_index = uncertain_index = None
        notes.append(f"not met with {confidence:.0%} confidence even at {field_range.path} = {grid[top]}")
    elif tried[0].status == MET:
        answer_index = uncertain_index = 0
    else:
        bad, good = 0, top
        while good - bad > 1:
            mid = (bad + good) // 2
            bad, good = (bad, mid) if met(mid) else (mid, good)
        answer_index = good
        # the largest value confidently not met: between it and the answer the replications cannot tell
        failed = [k for k, t in tried.items() if k < good and t.status == NOT_MET]
        low = max(failed, default=-1)
        high = min((k for k, t in tried.items() if low < k < good), default=good)
        while high - low > 1:
            mid = (low + high) // 2
            judge_all([mid])
            low, high = (mid, high) if tried[mid].status == NOT_MET else (low, mid)
        uncertain_index = low + 1
    ordered = [tried[k] for k in sorted(tried)]
    if any(a.status == MET and b.status == NOT_MET for a, b in zip(ordered, ordered[1:])):
        notes.append("a larger value did worse than a smaller one: the goals may not improve steadily "
                     "with this field, so the answer may not be the smallest")
    return GoalSeek(field_range.path, goals, confidence,
                    grid[answer_index] if answer_index is not None else None,
                    grid[uncertain_index] if uncertain_index is not None else None,
                    ordered, evaluator.replications_run, seed, notes)
