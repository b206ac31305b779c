"""What one simulation can be asked to do: the bounds on every size that drives work or memory.

A scenario can be valid in form and still ask for more than a computer can
give: a billion contacts, a review every second, seven thousand stages. The
simulation keeps every person, practitioner and package as an object, so
these sizes are refused here, with the field and the reason, before any work
starts. Every bound sits far above what a real council needs (the shipped
scenarios' largest values are given beside each) and is listed in the README
("Limits"). The CLI, the app and the sweep use these same numbers.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from flowsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Bound:
    """The largest (or smallest) value a field may take, and why."""

    value: float
    reason: str


# Demand: each contact and each workstream arrival is a simulated person.
# England received 2,085,720 requests from new clients in 2023/24 (NHS Digital SALT, data/england.csv);
# no one council sees more. The shipped scenarios have at most 20,000.
MAX_CONTACTS_PER_YEAR = Bound(2_500_000, "more than England's 2,085,720 requests for support a year")
# Staffing: each FTE is one or more simulated practitioners (the largest shipped role has 87.5).
MAX_FTE = Bound(10_000, "each practitioner is simulated one by one; no council employs 10,000 of one role")
# Open cases per full-time practitioner: Coventry's highest published caseload is 40 (data/operations.csv).
MAX_CASELOAD_CAP = Bound(1_000, "25 times the highest published caseload per worker (40)")
MAX_SERVICE_PLACES = Bound(1_000_000, "more places than England's whole care market")
# People already there at the start: each is simulated from day 0. ADASS counted 294,449 people awaiting
# a first assessment in all of England (April 2022); the shipped scenarios have at most 300 per stage.
MAX_WAITING = Bound(300_000, "England's whole waiting list for assessments was 294,449 (ADASS, 2022)")
MAX_OPEN_CASES = Bound(300_000, "as many as England's whole assessment waiting list")
MAX_PACKAGES = Bound(1_000_000, "over a hundred times the largest shipped caseload (9,334 packages)")
# Reviews: a review is an event per package per interval; the Care Act norm is yearly (52 weeks).
MIN_REVIEW_EVERY_WEEKS = Bound(1, "a review every week is already far more often than any practice")
MIN_ESCALATE_AFTER_DAYS = Bound(1, "people move up a triage level after days of waiting, not moments")
MAX_UNPLANNED_REVIEWS_PER_YEAR = Bound(52, "an unplanned review every week is already far above any practice")
# Times: long enough for any real piece of work, short enough that sums of them stay exact.
MAX_WORK_MINUTES = Bound(100_000, "about 70 days of round-the-clock work for one case (the longest shipped: 1,440)")
MAX_DAYS = Bound(36_525, "a hundred years")
# The shape of the network: solved as dense matrices (stages × stages) for every referral source.
MAX_STAGES = Bound(300, "the expected flows solve a stages × stages matrix per source (the shipped have 15)")
MAX_ROLES = Bound(200, "each role has its own roster and team (the shipped have 11)")
MAX_OUTCOMES = Bound(300, "as many as stages (the shipped have 18)")
MAX_SOURCES = Bound(500, "referral sources and workstreams, after localities (the shipped have 18)")
MAX_LOCALITIES = Bound(20, "each locality copies its local stages and roles")
MAX_GROUPS = Bound(20, "each client group's contacts from each referral source are routed by a graph of their own")
MAX_ROUTED = Bound(2_000, "referral sources × client groups: one routing graph, and one flow solve, each")
MAX_LIST_ITEMS = Bound(2_000, "bank holidays and other lists: far more than a ten-year horizon needs")
# The calendar: dates are turned into days and back; the price years run 1990–2100.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
# Replications of one run (the CLI, the API and the sweep).
MAX_REPLICATIONS = 10_000


def non_finite(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, message) for every infinite or not-a-number value in a document or a model dump."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from non_finite(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from non_finite(value, f"{path}.{i}" if path else str(i))
    elif isinstance(node, float) and not math.isfinite(node):
        yield path, f"must be a finite number; got {node}"


def _above(path: str, value: float, bound: Bound) -> tuple[str, str] | None:
    if math.isfinite(value) and value > bound.value:  # an infinite value is reported as not finite
        return path, f"is {value:,.10g}; at most {bound.value:,.10g} ({bound.reason})"
    return None


def _below(path: str, value: float, bound: Bound) -> tuple[str, str] | None:
    if value < bound.value:
        return path, f"is {value:,.10g}; at least {bound.value:,.10g} ({bound.reason})"
    return None


def _count(path: str, items, bound: Bound, what: str) -> tuple[str, str] | None:
    if len(items) > bound.value:
        return path, f"has {len(items):,} {what}; at most {bound.value:,.0f} ({bound.reason})"
    return None


def limit_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """(path, message) for every size beyond what one simulation can do; empty when within limits."""
    checks = [*non_finite(scenario.model_dump(mode="python"))]
    time = scenario.time
    if not EARLIEST_DATE <= time.start_date <= LATEST_DATE:
        checks.append(("time.start_date", f"is {time.start_date}; must be from {EARLIEST_DATE} to {LATEST_DATE}"))
    else:
        ends = time.start_date + dt.timedelta(days=time.warm_up_days + time.horizon_days)
        if ends > LATEST_DATE:
            checks.append(("time.horizon_days", f"the run would end on {ends}; it must end by {LATEST_DATE}"))
    checks += [
        _count("stages", scenario.stages, MAX_STAGES, "stages"),
        _count("roles", scenario.roles, MAX_ROLES, "roles"),
        _count("outcomes", scenario.outcomes, MAX_OUTCOMES, "outcomes"),
        _count("demand.sources", {**scenario.demand.sources, **scenario.demand.workstreams}, MAX_SOURCES,
               "sources and workstreams"),
        _count("time.bank_holidays", time.bank_holidays, MAX_LIST_ITEMS, "dates"),
        _count("time.calendars", time.calendars, MAX_ROLES, "calendars"),
        _above("demand.contacts_per_year", scenario.demand.contacts_per_year, MAX_CONTACTS_PER_YEAR),
        _above("caseload.unplanned_reviews_per_year", scenario.caseload.unplanned_reviews_per_year,
               MAX_UNPLANNED_REVIEWS_PER_YEAR),
        _above("caseload.overdue_after_days", scenario.caseload.overdue_after_days, MAX_DAYS),
    ]
    if scenario.localities is not None:
        checks.append(_count("localities.shares", scenario.localities.shares, MAX_LOCALITIES, "localities"))
    if scenario.demand.groups:
        checks.append(_count("demand.groups", scenario.demand.groups, MAX_GROUPS, "client groups"))
        checks.append(_above("demand.groups (× referral sources)",
                             len(scenario.demand.groups) * len(scenario.demand.sources), MAX_ROUTED))
    for name, stream in scenario.demand.workstreams.items():
        checks.append(_above(f"demand.workstreams.{name}.per_year", stream.per_year, MAX_CONTACTS_PER_YEAR))
    for name, role in scenario.roles.items():
        checks.append(_above(f"roles.{name}.fte", role.fte, MAX_FTE))
        checks.append(_above(f"roles.{name}.agency_fte", role.agency_fte, MAX_FTE))
    for name, stage in scenario.stages.items():
        at = f"stages.{name}"
        checks.append(_above(f"{at}.elapsed_days", stage.elapsed_days, MAX_DAYS))
        if stage.wait_target_days is not None:
            checks.append(_above(f"{at}.wait_target_days", stage.wait_target_days, MAX_DAYS))
        if stage.work is not None:
            for field in ("mean_minutes", "sd_minutes", "travel_minutes"):
                checks.append(_above(f"{at}.work.{field}", getattr(stage.work, field), MAX_WORK_MINUTES))
        if stage.case is not None:
            checks.append(_above(f"{at}.case.caseload_cap", stage.case.caseload_cap, MAX_CASELOAD_CAP))
            checks.append(_above(f"{at}.case.min_open_days", stage.case.min_open_days, MAX_DAYS))
        if stage.triage is not None and stage.triage.escalate_after_days is not None:
            checks.append(_below(f"{at}.triage.escalate_after_days", stage.triage.escalate_after_days,
                                 MIN_ESCALATE_AFTER_DAYS))
            checks.append(_above(f"{at}.triage.escalate_after_days", stage.triage.escalate_after_days, MAX_DAYS))
        if stage.service is not None:
            checks.append(_above(f"{at}.service.places", stage.service.places, MAX_SERVICE_PLACES))
    for name, outcome in scenario.outcomes.items():
        at = f"outcomes.{name}"
        if outcome.review_every_weeks is not None:
            checks.append(_below(f"{at}.review_every_weeks", outcome.review_every_weeks, MIN_REVIEW_EVERY_WEEKS))
    for name, count in scenario.caseload.packages.items():
        checks.append(_above(f"caseload.packages.{name}", count, MAX_PACKAGES))
    if len(scenario.caseload.packages) > 1:
        checks.append(_above("caseload.packages (all types)", sum(scenario.caseload.packages.values()),
                             MAX_PACKAGES))
    for name, waiting in scenario.waiting_list.items():
        checks.append(_above(f"waiting_list.{name}.count", waiting.count, MAX_WAITING))
        checks.append(_above(f"waiting_list.{name}.mean_waited_days", waiting.mean_waited_days, MAX_DAYS))
    if len(scenario.waiting_list) > 1:
        checks.append(_above("waiting_list (all stages)", sum(w.count for w in scenario.waiting_list.values()),
                             MAX_WAITING))
    for name, spec in scenario.open_cases.items():
        checks.append(_above(f"open_cases.{name}.count", spec.count, MAX_OPEN_CASES))
        checks.append(_above(f"open_cases.{name}.mean_open_days", spec.mean_open_days, MAX_DAYS))
    if len(scenario.open_cases) > 1:
        checks.append(_above("open_cases (all stages)", sum(s.count for s in scenario.open_cases.values()),
                             MAX_OPEN_CASES))
    return [check for check in checks if check is not None]

