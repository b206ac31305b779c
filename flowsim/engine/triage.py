"""Triage of a team's allocation list: levels drawn by share, moving up with time waited, and leaving.

A stage with ``triage`` puts each arrival at a level (urgent, high, routine,
...) drawn by the levels' shares; the person's place on the team's list is
their level's priority, or their source's own (``priority_by_source``) if
that comes first: a hospital discharge stays urgent whatever its level. Once a day,
at the day's end, the list is looked over: people who have waited another
``escalate_after_days`` move up a level, and people whose time on the list
has run out leave it without being seen (each person's time is exponential,
so a constant share of those waiting leaves each month). Daily steps match
how lists are managed (a duty worker's daily look at the list); the look
visits only the people due to leave or move up that day.

Levels and times come from their own streams, drawn for every arrival at
the stage whether or not it waits, so scenarios that differ in staffing
still give the same person the same level.
"""
from __future__ import annotations

import math
from heapq import heappop, heappush
from typing import TYPE_CHECKING

import numpy as np

from flowsim.engine.streams import Stream, exponentials, generator
from flowsim.scenario.work import Stage
from flowsim.units import DAYS_PER_YEAR

if TYPE_CHECKING:
    from flowsim.engine.stages import Visit
    from flowsim.engine.team import Team

DAYS_PER_MONTH = DAYS_PER_YEAR / 12
EARLY = 1e-6  # days: a person's next move up is looked at this much before it falls due (rounding)


class TriageRules:
    """One stage's triage during a run: draws each arrival's level and time on the list."""

    __slots__ = ("priorities", "escalate_days", "by_source", "_level", "_patience")

    def __init__(self, name: str, stage: Stage, seed: np.random.SeedSequence):
        triage = stage.triage
        levels = list(triage.levels.values())  # most urgent first
        self.by_source = stage.priority_by_source  # sources with their own place keep it if it comes first
        self.priorities = [level.priority for level in levels]
        self.escalate_days = triage.escalate_after_days
        cumulative = np.cumsum([level.share for level in levels])
        cumulative[-1] = 1.0  # shares add up to 1 within rounding
        self._level = Stream(generator(seed, f"triage:{name}"),
                             lambda g, n: np.searchsorted(cumulative, g.random(n), side="right"))
        rate = triage.leave_rate_per_month
        # The share leaving each month is 1 − exp(−hazard × a month): a constant hazard per day.
        mean_days = DAYS_PER_MONTH / -math.log1p(-rate) if rate > 0 else math.inf
        self._patience = exponentials(generator(seed, f"leave:{name}"), mean_days) if rate > 0 else None

    def assign(self, visit: "Visit", now: float) -> None:
        """Put a new arrival at a level and set when they would give up waiting."""
        visit.level = self._level()
        if self._patience is not None:
            visit.leave_at = now + self._patience()

    def priority(self, visit: "Visit", now: float) -> int:
        """The person's place on the list now: their level's, or their source's own if that comes first.

        Sets ``visit.moves_up_at``, a time before which it cannot change (a hair early, so that
        the daily look over the list recomputes it with this same arithmetic, never late)."""
        level = visit.level
        visit.moves_up_at = math.inf
        if self.escalate_days is not None and level > 0:
            since = visit.arrived - visit.waited_before
            steps = int((now - since) / self.escalate_days)
            if steps < level:
                visit.moves_up_at = since + (steps + 1) * self.escalate_days - EARLY
            level = max(0, level - steps)
        return min(self.by_source.get(visit.person.source, 9), self.priorities[level])


def look_over_list(team: "Team", now: float, in_window: bool) -> bool:
    """The day's look over a team's list: raise priorities, take off those who left.

    Only the people whose time to leave or move up has come are looked at (the
    team's watch heap); their old entries are left in the list, marked stale
    (``flowsim.engine.team``). Returns whether anyone left (the head of the
    list may have changed)."""
    watch, queue, left = team.watch, team.queue, False
    while watch and watch[0][0] <= now:
        visit = heappop(watch)[2]
        entry = visit.entry
        if entry is None:
            continue  # allocated, or left, since
        stage = visit.stage
        if visit.leave_at <= now:
            stage.count_waiting(now, -1)
            if in_window:
                stage.left += 1
            visit.entry = None
            team.mark_stale(entry)
            left = True
            continue
        if visit.moves_up_at <= now:  # only then can their priority have changed
            priority = stage.triage.priority(visit, now)
            if priority != entry[0]:
                visit.entry = raised = (priority, *entry[1:])
                heappush(queue, raised)
                team.mark_stale(entry)
        team.watch_visit(visit)
    if team.stale:
        team.drop_stale_head()
    return left
