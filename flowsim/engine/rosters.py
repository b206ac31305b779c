"""Practitioners' working time: who is on shift when, and when a case gets done.

A role with F FTE in post (the establishment less vacancies, plus agency
cover) is ⌊F⌋ full-time practitioners plus one part-time one for the
fraction. On each working day of the role's calendar a practitioner works its
share of the FTE's hours for the modelled work (productive hours a year ÷
working days a year, less the role's non-case share), starting at the
calendar's start time: those hours are packed at the start of the day, the
rest of the day being leave, training, meetings and other non-case time.

A case in progress at the end of a practitioner's day is paused and resumed by
the same practitioner at the start of their next working day, so work is never
done outside rostered hours.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from flowsim.calendar import hours_per_working_day, working_days
from flowsim.scenario.schema import Scenario
from flowsim.units import HOURS_PER_DAY

EPSILON = 1e-9


@dataclass(frozen=True)
class Roster:
    """The working windows of one role's practitioners."""

    role: str
    starts: list[float]  # start of each working day's window, in simulation days
    lengths: list[float]  # each practitioner's window length, in days

    @property
    def practitioners(self) -> int:
        return len(self.lengths)

    def available_hours_per_day(self, days: int) -> np.ndarray:
        hours = np.zeros(days)
        per_day = sum(self.lengths) * HOURS_PER_DAY
        for start in self.starts:
            hours[int(start)] += per_day
        return hours


def practitioner_split(fte: float) -> tuple[int, float]:
    """Full-time practitioners and the part-time one's fraction (0 if none) making up ``fte``."""
    full = int(math.floor(fte + EPSILON))
    return full, fte - math.floor(fte + EPSILON)


def build_roster(scenario: Scenario, role_name: str, days: int) -> Roster:
    """The roster of a role over ``days`` simulated days (the scenario was checked at load)."""
    role = scenario.roles[role_name]
    pattern = scenario.time.calendars[role.calendar]
    worked = working_days(scenario, role.calendar, days)
    hours_per_fte_day = min(hours_per_working_day(scenario, role_name), pattern.hours_per_day)
    hours_per_fte_day *= 1.0 - role.non_case_share
    full, part = practitioner_split(role.fte_in_post)
    lengths = [hours_per_fte_day / HOURS_PER_DAY] * full
    if part > 1e-6:
        lengths.append(part * hours_per_fte_day / HOURS_PER_DAY)
    offset = (pattern.start.hour + pattern.start.minute / 60) / HOURS_PER_DAY
    starts = [d + offset for d in np.flatnonzero(worked)]
    return Roster(role_name, starts, lengths)


def finish_time(roster: Roster, practitioner: int, now: float, work_days: float, busy: np.ndarray) -> float:
    """When ``work_days`` of work started at ``now`` is done, pausing between windows.

    Adds the time worked to ``busy`` (hours per simulated day). Returns inf if
    the work cannot be finished within the simulated days.
    """
    starts, length = roster.starts, roster.lengths[practitioner]
    k = bisect_right(starts, now + EPSILON) - 1
    t = now
    if k < 0 or now >= starts[k] + length - EPSILON:
        k += 1
        if k == len(starts):
            return math.inf
        t = starts[k]
    while True:
        end = starts[k] + length
        available = end - t
        if work_days <= available + EPSILON:
            busy[int(starts[k])] += work_days * HOURS_PER_DAY
            return t + work_days
        busy[int(starts[k])] += available * HOURS_PER_DAY
        work_days -= available
        k += 1
        if k == len(starts):
            return math.inf
        t = starts[k]

