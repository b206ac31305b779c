"""The package ledger: every package of care a run knows of, its type, dates and cost.

A package has a type (a package outcome), a start, an end drawn from the
type's mean duration (exponential), a weekly cost that reviews may change, and
a one-off cost when it starts. A new package for someone replaces their old one.
"""
from __future__ import annotations

import numpy as np

from flowsim.engine.streams import exponentials, generator
from flowsim.scenario.schema import Outcome, Scenario
from flowsim.units import DAYS_PER_WEEK


class PackageLedger:
    """Packages by number (0, 1, …), as columns."""

    __slots__ = ("types", "review_days", "_duration", "type", "start", "end", "cost", "one_off", "new", "cost_changes",
                 "group", "_grouped")

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence):
        self.types: dict[str, Outcome] = scenario.package_outcomes()
        self.review_days = {name: o.review_days for name, o in self.types.items()}  # (first, interval) or None
        self._duration = {name: exponentials(generator(seed, f"duration:{name}"), o.mean_duration_weeks * DAYS_PER_WEEK)
                          for name, o in self.types.items()}
        self.type: list[str] = []
        self.start: list[float] = []
        self.end: list[float] = []
        self.cost: list[float] = []  # weekly cost now
        self.one_off: list[float] = []
        self.new: list[bool] = []
        self.cost_changes: list[tuple[int, float, float]] = []  # (package, time, new weekly cost)
        self.group: list[str | None] = []  # the client group of the person it is for (None: not known)
        self._grouped = bool(scenario.demand.groups)

    def add(self, kind: str, start: float, new: bool, group: str | None = None) -> int:
        outcome = self.types[kind]
        self.type.append(kind)
        self.group.append(group)
        self.start.append(start)
        self.end.append(start + self._duration[kind]())
        self.cost.append(outcome.weekly_cost)
        self.one_off.append(outcome.one_off_cost if new else 0.0)
        self.new.append(new)
        return len(self.type) - 1

    def active(self, package: int, now: float) -> bool:
        return package >= 0 and self.end[package] > now

    def replace(self, old: int, kind: str, now: float, group: str | None = None) -> int:
        """A new package of ``kind`` from ``now`` for someone in client ``group``, ending their current one (if any)."""
        if self.active(old, now):
            self.end[old] = now
        return self.add(kind, now, True, group)

    def change_cost(self, package: int, change: float, now: float) -> None:
        self.cost[package] *= 1 + change
        self.cost_changes.append((package, now, self.cost[package]))

    def columns(self) -> dict[str, list]:
        columns = {"type": self.type, "start": self.start, "end": self.end,
                   "weekly_cost": [self.types[t].weekly_cost for t in self.type],
                   "one_off": self.one_off, "new": self.new}
        if self._grouped:  # client group: "" for packages held at the start, whose group is not known
            columns["group"] = [g or "" for g in self.group]
        return columns
