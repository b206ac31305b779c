"""Time in the model: days since the start date, demand profiles, working hours.

Simulation time is measured in days from ``time.start_date`` (day 0), warm-up
included. Contacts arrive at a rate that follows the weekday and monthly
profiles and grows continuously with ``annual_growth``; practitioners work
only inside their calendar's hours on its working days.
"""
from __future__ import annotations

import datetime as dt
import math

from typing import TYPE_CHECKING

import numpy as np

from flowsim.units import DAYS_PER_YEAR
from flowsim.vocabulary import MONTHS, WEEKDAYS

if TYPE_CHECKING:  # the scenario's loader checks calendars with this module
    from flowsim.scenario.schema import Scenario, WorkingPattern

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def simulated_days(scenario: Scenario) -> int:
    return scenario.time.warm_up_days + scenario.time.horizon_days


def day_dates(scenario: Scenario, days: int | None = None) -> list[dt.date]:
    days = simulated_days(scenario) if days is None else days
    start = scenario.time.start_date
    return [start + dt.timedelta(days=d) for d in range(days)]


def day_profile(scenario: Scenario, days: int | None = None) -> np.ndarray:
    """Relative contact rate for each day (weekday × month), mean 1 over a year."""
    demand = scenario.demand
    weekday = np.array([demand.weekday_profile[d] for d in WEEKDAYS])
    weekday = weekday / weekday.mean()
    monthly = np.array([demand.monthly_profile[m] for m in MONTHS])
    monthly = monthly / (np.dot(monthly, _DAYS_IN_MONTH) / DAYS_PER_YEAR)
    dates = day_dates(scenario, days)
    return np.array([weekday[d.weekday()] * monthly[d.month - 1] for d in dates])


def growth_integral(growth: float, start_day: np.ndarray | float, length: float = 1.0) -> np.ndarray:
    """∫ (1+g)^(t/365) dt over [start, start+length]: growth-weighted days."""
    if growth == 0:
        return np.full_like(np.asarray(start_day, dtype=float), length)
    k = math.log1p(growth) / DAYS_PER_YEAR
    return (np.exp(k * (np.asarray(start_day) + length)) - np.exp(k * np.asarray(start_day))) / k


def expected_contacts_per_day(scenario: Scenario, days: int | None = None) -> np.ndarray:
    """Expected contacts on each simulated day: the exact integral of the arrival rate (summed over client groups)."""
    demand = scenario.demand
    if not demand.groups:
        return expected_arrivals_per_day(scenario, demand.contacts_per_year, days)
    return sum(expected_group_contacts_per_day(scenario, name, days) for name in demand.groups)


def expected_group_contacts_per_day(scenario: Scenario, group: str, days: int | None = None) -> np.ndarray:
    """Expected contacts of one client group on each simulated day, at the group's own growth."""
    demand = scenario.demand
    return expected_arrivals_per_day(scenario, demand.contacts_per_year * demand.groups[group].share, days,
                                     demand.group_growth(group))


def expected_arrivals_per_day(scenario: Scenario, per_year: float, days: int | None = None,
                              growth: float | None = None) -> np.ndarray:
    """Expected arrivals each day of a stream of ``per_year`` following the demand's profiles and
    growth (or ``growth``)."""
    profile = day_profile(scenario, days)
    base = per_year / DAYS_PER_YEAR
    growth = scenario.demand.annual_growth if growth is None else growth
    return base * profile * growth_integral(growth, np.arange(len(profile), dtype=float))


def is_working_day(pattern: WorkingPattern, date: dt.date, bank_holidays: set[dt.date]) -> bool:
    if WEEKDAYS[date.weekday()] not in pattern.days:
        return False
    return pattern.works_bank_holidays or date not in bank_holidays


def working_days(scenario: Scenario, calendar: str, days: int | None = None) -> np.ndarray:
    """Boolean per simulated day: does a team on ``calendar`` work that day?"""
    pattern = scenario.time.calendars[calendar]
    holidays = set(scenario.time.bank_holidays)
    return np.array([is_working_day(pattern, d, holidays) for d in day_dates(scenario, days)])


def working_days_per_year(scenario: Scenario, calendar: str) -> int:
    """Working days in the year from the start date: a practitioner's year, whatever the run's length."""
    return int(working_days(scenario, calendar, int(DAYS_PER_YEAR)).sum())


def hours_per_working_day(scenario: Scenario, role_name: str) -> float:
    """Productive hours an FTE of the role works on each working day (0 if its calendar has none)."""
    role = scenario.roles[role_name]
    per_year = working_days_per_year(scenario, role.calendar)
    return role.productive_hours_per_fte / per_year if per_year else 0.0


def calendar_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Roles given work whose calendar cannot hold their productive hours: (field path, message)."""
    problems = []
    working = {stage.role for stage in scenario.stages.values() if stage.role is not None}
    for name in sorted(working):
        role = scenario.roles[name]
        if role.fte_in_post <= 0 or role.calendar not in scenario.time.calendars:
            continue
        pattern = scenario.time.calendars[role.calendar]
        if working_days_per_year(scenario, role.calendar) == 0:
            problems.append((f"roles.{name}.calendar",
                             f"calendar '{role.calendar}' has no working days, so this role can do no work"))
        elif hours_per_working_day(scenario, name) > pattern.hours_per_day * (1 + 1e-6):
            problems.append((f"roles.{name}.productive_hours_per_fte",
                             f"{role.productive_hours_per_fte:,.0f} hours a year need "
                             f"{hours_per_working_day(scenario, name):.2f} hours a working day, "
                             f"more than calendar '{role.calendar}' has ({pattern.hours_per_day:.2f})"))
    return problems


def financial_years(scenario: Scenario) -> list[tuple[str, int, int]]:
    """The horizon cut at 1 April: (label like '2017_18', first day, day after the last), in days."""
    start, end = scenario.time.warm_up_days, simulated_days(scenario)
    first = scenario.time.start_date + dt.timedelta(days=start)
    year = first.year if (first.month, first.day) >= (4, 1) else first.year - 1
    pieces = []
    while True:
        begins = (dt.date(year, 4, 1) - scenario.time.start_date).days
        ends = (dt.date(year + 1, 4, 1) - scenario.time.start_date).days
        lo, hi = max(begins, start), min(ends, end)
        if lo >= end:
            return pieces
        if hi > lo:
            pieces.append((f"{year}_{(year + 1) % 100:02d}", lo, hi))
        year += 1
