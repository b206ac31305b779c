"""How uncertain a scenario's inputs are: ranges beside values, and samples from them.

A number can carry a range and a distribution beside its value and source:
inline in a scenario (``{value: 0.88, source: "...", low: 0.70, high: 0.95,
distribution: pert}``) or, for a row of ``data/``, in
``data/uncertainty/ranges.csv`` (``key, low, high, distribution, status,
source, reason``: the range has its own provenance, like every number). A
figure used in several places (one caseload cap for three stages) is one
uncertain input: one draw sets it everywhere. Distributions: ``uniform``,
``triangular`` (peak at the value) and ``pert`` (beta-PERT, peak at the value,
the default), sampled by Latin hypercube so a few hundred samples cover each
range evenly.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.stats import qmc

from flowsim.errors import InputError, Problem
from flowsim.figures import STATUSES, Figure, all_figures, data_dir, spread_problems
from flowsim.scenario.load import vary
from flowsim.scenario.schema import Scenario

RANGE_COLUMNS = ["key", "low", "high", "distribution", "status", "source", "reason"]
PERT_WEIGHT = 4.0  # the classic beta-PERT: the mode weighs four times each end


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    distribution: str
    status: str
    source: str
    reason: str

    def citation(self) -> str:
        return f"assumption: {self.reason}" if self.status == "assumption" else f"{self.status}: {self.source}"


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain number: the scenario fields it sets, its value and its range."""

    name: str              # the data key, or the field path for a number written in the scenario
    paths: tuple[str, ...]
    value: float
    range: Range

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities ``u`` of the input's distribution."""
        low, high, mode = self.range.low, self.range.high, self.value
        if high <= low:
            return np.full(np.shape(u), mode, dtype=float)  # a collapsed range: the value itself
        width = high - low
        if self.range.distribution == "uniform":
            return low + u * width
        if self.range.distribution == "triangular":
            return stats.triang.ppf(u, (mode - low) / width, loc=low, scale=width)
        alpha = 1 + PERT_WEIGHT * (mode - low) / width
        beta = 1 + PERT_WEIGHT * (high - mode) / width
        return stats.beta.ppf(u, alpha, beta, loc=low, scale=width)


def ranges_file() -> Path:
    return data_dir() / "uncertainty" / "ranges.csv"


@lru_cache(maxsize=4)
def _table(path: str) -> dict[str, Range]:
    file = Path(path)
    if not file.exists():
        return {}
    figures, table, problems = all_figures(), {}, []
    with file.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != RANGE_COLUMNS:
            raise InputError.single(str(file), "header", f"columns must be {','.join(RANGE_COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            where = f"line {line} ({row['key']})"
            figure = figures.get(row["key"])
            if figure is None:
                problems.append(Problem(str(file), where, "no figure in data/ has this key"))
                continue
            found = spread_problems({**row, "value": figure.value, "distribution": row["distribution"] or "pert"})
            problems += [Problem(str(file), where, f"{field}: {message}") for field, message in found]
            if row["status"] not in STATUSES or (row["status"] != "published" and not row["reason"].strip()):
                problems.append(Problem(str(file), where, "needs a status (published, derived, assumption) "
                                                          "and, unless published, a reason"))
            if row["key"] in table:
                problems.append(Problem(str(file), where, "key is given twice"))
            if not found:
                table[row["key"]] = Range(float(row["low"]), float(row["high"]), row["distribution"] or "pert",
                                          row["status"], row["source"], row["reason"])
    if problems:
        raise InputError(problems)
    return table


def data_ranges() -> dict[str, Range]:
    """The ranges kept for rows of ``data/``, by figure key."""
    return _table(str(ranges_file()))


def _inline(figure: Figure) -> Range | None:
    if figure.low is None or figure.high is None:
        return None
    return Range(float(figure.low), float(figure.high), figure.distribution or "pert", figure.status,
                 figure.source, figure.reason or "range given beside the value")


def uncertain_inputs(scenario: Scenario) -> list[UncertainInput]:
    """Every number of the scenario that carries a range, one input per figure."""
    table = data_ranges()
    grouped: dict[str, tuple[list[str], float, Range]] = {}
    for path, found in scenario.source.provenance.items():
        if not isinstance(found, Figure):
            continue  # an override or a default: the user's own value, taken as exact
        spread = _inline(found)
        name = path
        if spread is None and found.key in table:
            spread, name = table[found.key], found.key
        if spread is None:
            continue
        paths, _, _ = grouped.setdefault(name, ([], float(found.value), spread))
        paths.append(path)
    return [UncertainInput(name, tuple(paths), value, spread) for name, (paths, value, spread) in grouped.items()]


def sample_inputs(inputs: list[UncertainInput], samples: int, seed: int = 0) -> np.ndarray:
    """``samples`` × ``len(inputs)`` values, by Latin hypercube (reproducible for a seed)."""
    if not inputs:
        return np.zeros((samples, 0))
    unit = qmc.LatinHypercube(d=len(inputs), seed=np.random.default_rng([seed, 0x1A7E])).random(samples)
    return np.column_stack([item.quantile(unit[:, j]) for j, item in enumerate(inputs)])


def with_inputs(scenario: Scenario, inputs: list[UncertainInput], values) -> Scenario:
    """The scenario with each input set to its value (in every place it is used)."""
    changes = {path: _tidy(float(v)) for item, v in zip(inputs, values) for path in item.paths}
    return vary(scenario, changes) if changes else scenario


def _tidy(value: float) -> float | int:
    return int(value) if value.is_integer() else value
