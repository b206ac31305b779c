"""Expected flows without simulation: the flow graph as an absorbing Markov chain.

For each referral source, stages are transient states and outcomes absorbing
ones. With Q the stage-to-stage shares and R the stage-to-outcome shares, the
expected visits to each stage are e·(I − Q)⁻¹ for entries e, and the expected
outcomes are those visits times R; people closed at a stage with re-contact
come back to its ``to`` stage with its share, a flow in Q. Workstreams (carers' assessments, DoLS, …)
enter like a source of their own. Practitioner hours follow from the visits
and the mean time per case, set against the hours the staff in post have for
the modelled work (``Role.hours_per_year``). Counts are per year, averaged
over the horizon.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from flowsim.calendar import expected_arrivals_per_day, expected_contacts_per_day, expected_group_contacts_per_day
from flowsim.capacity import capacity_warning
from flowsim.errors import FlowsimError
from flowsim.scenario.network import OPEN_CASE_SOURCE, REVIEW_SOURCE, WAITING_SOURCE
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_WEEK, DAYS_PER_YEAR

MAX_REVIEW_TERMS = 100_000  # reviews of one package in the horizon: a bound on the sum below, whatever the input


@dataclass(frozen=True)
class RoleLoad:
    hours_demanded: float
    hours_available: float

    @property
    def utilisation(self) -> float:
        if self.hours_available > 0:
            return self.hours_demanded / self.hours_available
        return math.inf if self.hours_demanded > 0 else 0.0


@dataclass(frozen=True)
class ExpectedFlows:
    """Expected yearly counts through the graph, and the practitioner load they make."""

    scenario: str
    contacts: float
    stages: dict[str, float]
    outcomes: dict[str, float]
    edges: dict[tuple[str, str], float]
    by_source: dict[str, dict[str, float]]
    roles: dict[str, RoleLoad]
    warnings: list[str] = field(default_factory=list)
    workstreams: dict[str, float] = field(default_factory=dict)  # competing work arriving, per year
    by_group: dict[str, dict[str, float]] = field(default_factory=dict)  # client group -> contacts' visits and outcomes

    def to_dict(self) -> dict:
        """Plain values for JSON."""
        return {
            "scenario": self.scenario,
            "contacts": self.contacts,
            "workstreams": self.workstreams,
            "stages": self.stages,
            "outcomes": self.outcomes,
            "roles": {
                name: {
                    "hours_demanded": load.hours_demanded,
                    "hours_available": load.hours_available,
                    "utilisation": load.utilisation if math.isfinite(load.utilisation) else None,
                }
                for name, load in self.roles.items()
            },
            "warnings": self.warnings,
        } | ({"by_group": self.by_group} if self.by_group else {})


def entries_over_horizon(scenario: Scenario, source: str, group: str | None = None) -> dict[str, float]:
    """Expected people entering each stage from ``source`` during the horizon; with ``group``, that
    client group's contacts only (people already waiting or with cases open at the start have no group)."""
    entries: dict[str, float] = {}
    if source in scenario.demand.sources:
        days = (expected_contacts_per_day(scenario) if group is None
                else expected_group_contacts_per_day(scenario, group))[scenario.time.warm_up_days:]
        stage = scenario.demand.entry_stage(source)
        entries[stage] = days.sum() * scenario.demand.sources[source]
    elif source in scenario.demand.workstreams:
        stream = scenario.demand.workstreams[source]
        days = expected_arrivals_per_day(scenario, stream.per_year)[scenario.time.warm_up_days:]
        entries[stream.stage] = days.sum()
    return entries if group is not None else entries | starting_entries(scenario, source, entries)


def starting_entries(scenario: Scenario, source: str, entries: dict[str, float] | None = None) -> dict[str, float]:
    """People from ``source`` at each stage at the start (waiting, or with cases open), added to ``entries``."""
    entries = dict(entries or {})
    for stage, waiting in scenario.waiting_list.items():
        if (waiting.source or WAITING_SOURCE) == source:
            entries[stage] = entries.get(stage, 0.0) + waiting.count
    if source == OPEN_CASE_SOURCE:  # cases open at the start enter their stage, as a waiting list does
        for stage, spec in scenario.open_cases.items():
            entries[stage] = entries.get(stage, 0.0) + spec.count
    return entries


def absorb(scenario: Scenario, source: str, entries: dict[str, float]) -> tuple[dict, dict, dict, dict]:
    """Visits per stage, arrivals per outcome, flow per edge, and the mean days from entry to each outcome,
    for people routed by ``source`` (a source, or a source and client group: ``route_key``).

    The days count each stage's least time (``Stage.least_days``): with N = (I − Q)⁻¹ and
    B = N R the absorption probabilities, E[days · 1{ends in o}] = Σₛ visitsₛ · daysₛ · Bₛₒ.
    """
    graph = scenario.network.graph(source)
    stages, outcomes = list(scenario.stages), list(scenario.outcomes)
    index = {name: i for i, name in enumerate(stages)}
    q = np.zeros((len(stages), len(stages)))
    for a, b, share in graph.edges(data="share"):
        if b in index:
            q[index[a], index[b]] = share
    for a, b, share in graph.edges(data="share"):  # re-contact: some of those closed come back, as a new visit
        back = scenario.stages[a].recontact
        if back is not None and b in scenario.outcomes and scenario.outcomes[b].kind == "closed":
            q[index[a], index[back.to]] += back.share * share
    e = np.array([entries.get(s, 0.0) for s in stages])
    visits = np.linalg.solve((np.eye(len(stages)) - q).T, e)
    visit = dict(zip(stages, visits))
    edges = {(a, b): visit[a] * share for a, b, share in graph.edges(data="share")}
    reached = {o: sum(f for (a, b), f in edges.items() if b == o) for o in outcomes}
    r = np.zeros((len(stages), len(outcomes)))
    where = {name: i for i, name in enumerate(outcomes)}
    for a, b, share in graph.edges(data="share"):
        if b in where:
            r[index[a], where[b]] = share
    absorbed = np.linalg.solve(np.eye(len(stages)) - q, r)  # B = N R
    days = np.array([scenario.stages[s].least_days for s in stages])
    timed = (visits * days) @ absorbed
    lag = {o: float(timed[where[o]] / reached[o]) if reached[o] > 0 else 0.0 for o in outcomes}
    return visit, reached, edges, lag


def alongside_starts(scenario: Scenario, reached: dict[str, float]) -> dict[str, float]:
    """Packages started alongside the outcomes ``reached`` (each outcome's count times its shares)."""
    extra: dict[str, float] = {}
    for name, n in reached.items():
        for package, share in scenario.outcomes[name].alongside.items():
            extra[package] = extra.get(package, 0.0) + n * share
    return extra


def expected_reviews(scenario: Scenario, new_packages: dict[str, float], lags: dict[str, float] | None = None) -> float:
    """Expected reviews during the horizon, from the existing caseload and new packages.

    A package lasts an exponential time of mean d and is reviewed every I days,
    the first review of a new package after f days. The existing caseload's
    review dates are spread evenly over one interval, so each package gives
    (d/I)(1 − e^(−T/d)) reviews in a horizon of T days. A new package started at
    a uniform time in the horizon gives Σⱼ (T − f − jI)⁺ e^(−(f+jI)/d) / T; when
    the people who get it asked L days earlier on average (``lags``: the stages
    they passed through keep them that long), its reviews come L days later:
    Σⱼ (T − L − f − jI)⁺ e^(−(f+jI)/d) / T. Reviews of packages that start from
    reviews are not counted.
    """
    horizon = scenario.time.horizon_days
    total = 0.0
    for name, outcome in scenario.package_outcomes().items():
        if outcome.review_days is None:
            continue
        d = outcome.mean_duration_weeks * DAYS_PER_WEEK
        first, interval = outcome.review_days
        existing = scenario.caseload.packages.get(name, 0.0)
        total += existing * (d / interval) * (1 - math.exp(-horizon / d))
        started = new_packages.get(name, 0.0)
        lag = (lags or {}).get(name, 0.0)
        if (horizon - lag - first) / interval > MAX_REVIEW_TERMS:  # the loader refuses such intervals
            raise FlowsimError(f"outcomes.{name}.review_every_weeks: {outcome.review_every_weeks:g} weeks gives "
                               f"more than {MAX_REVIEW_TERMS:,} reviews per package in the horizon")
        j, offset, per_package = 0, first, 0.0
        while lag + offset < horizon:
            per_package += (horizon - lag - offset) * math.exp(-offset / d)
            j, offset = j + 1, first + (j + 1) * interval
        total += started * per_package / horizon
    return total


def expected_unplanned_reviews(scenario: Scenario, new_packages: dict[str, float]) -> float:
    """Expected unplanned reviews during the horizon: the rate times the expected package-days.

    A package lasts an exponential time of mean d. One active at the start is
    active d(1 − e^(−T/d)) days of a horizon of T days on average; one started
    at a uniform time in the horizon, d − d²(1 − e^(−T/d))/T days. Packages
    ended early because a review replaced them are not taken off.
    """
    rate = scenario.caseload.unplanned_reviews_per_year / DAYS_PER_YEAR
    if not rate:
        return 0.0
    horizon = scenario.time.horizon_days
    days = 0.0
    for name, outcome in scenario.package_outcomes().items():
        d = outcome.mean_duration_weeks * DAYS_PER_WEEK
        lasting = d * (1 - math.exp(-horizon / d))
        days += scenario.caseload.packages.get(name, 0.0) * lasting
        days += new_packages.get(name, 0.0) * (d - d * lasting / horizon)
    return rate * days


def expected_flows(scenario: Scenario) -> ExpectedFlows:
    """The analytic expected flows of a validated scenario, per year."""
    years = scenario.time.horizon_days / DAYS_PER_YEAR
    by_source: dict[str, dict[str, float]] = {}
    edges: dict[tuple[str, str], float] = {}
    stage_total = dict.fromkeys(scenario.stages, 0.0)
    outcome_total = dict.fromkeys(scenario.outcomes, 0.0)

    lag_sum = dict.fromkeys(scenario.outcomes, 0.0)  # Σ people × mean days from asking to the outcome

    by_group: dict[str, dict[str, float]] = {}

    extra_total = dict.fromkeys(scenario.outcomes, 0.0)  # packages started alongside others: not reviewed

    def add(source: str, entries: dict[str, float], key: str | None = None, group: str | None = None) -> None:
        visit, reached, flow, lag = absorb(scenario, key or source, entries)
        extra = alongside_starts(scenario, reached)
        for table, name in ((by_source, source), (by_group, group)):
            if name is not None:
                mine = table.setdefault(name, {})
                for thing, n in {**visit, **reached}.items():
                    mine[thing] = mine.get(thing, 0.0) + n + extra.get(thing, 0.0)
        for name, n in visit.items():
            stage_total[name] += n
        for name, n in reached.items():
            outcome_total[name] += n
            lag_sum[name] += n * lag[name]
        for name, n in extra.items():
            extra_total[name] += n
        for edge, n in flow.items():
            edges[edge] = edges.get(edge, 0.0) + n

    network = scenario.network
    for source in network.sources:
        if source != REVIEW_SOURCE:
            routed = network.route_keys[source]
            if routed[0][1] is None:
                add(source, entries_over_horizon(scenario, source))
                continue
            for key, group in routed:  # contacts by client group, then those at the start (routed by the source)
                add(source, entries_over_horizon(scenario, source, group), key, group)
            if start := starting_entries(scenario, source):
                add(source, start)
    review_stage = scenario.caseload.review_stage
    if review_stage is not None:
        # Reviews can lead to new packages, which are reviewed in turn: iterate to the fixed point.
        from_contacts = {name: outcome_total[name] for name in scenario.package_outcomes()}
        lags = {name: lag_sum[name] / n if n else 0.0 for name, n in from_contacts.items()}
        from_reviews = dict.fromkeys(from_contacts, 0.0)
        for _ in range(50):
            started = {name: from_contacts[name] + from_reviews[name] for name in from_contacts}
            reviews = expected_reviews(scenario, started, lags) + expected_unplanned_reviews(scenario, started)
            entries = {review_stage: reviews} | entries_over_horizon(scenario, REVIEW_SOURCE)
            _, reached, _, _ = absorb(scenario, REVIEW_SOURCE, entries)
            settled = all(abs(reached[n] - from_reviews[n]) < 1e-9 * (1 + reached[n]) for n in from_reviews)
            from_reviews = {name: reached[name] for name in from_reviews}
            if settled:
                break
        add(REVIEW_SOURCE, entries)

    per_year = lambda table: {k: v / years for k, v in table.items()}  # noqa: E731
    stages = per_year(stage_total)
    outcomes = per_year({name: n + extra_total[name] for name, n in outcome_total.items()})
    roles = _role_loads(scenario, stages)
    contacts = expected_contacts_per_day(scenario)[scenario.time.warm_up_days:].sum() / years
    warnings = [warning for name, load in roles.items() if load.hours_demanded > 0
                and (warning := capacity_warning(f"{scenario.label(name)} ({name})", load.utilisation))]
    return ExpectedFlows(
        scenario=scenario.name,
        contacts=contacts,
        stages=stages,
        outcomes=outcomes,
        edges=per_year(edges),
        by_source={s: per_year(t) for s, t in by_source.items()},
        by_group={g: per_year(t) for g, t in by_group.items()},
        roles=roles,
        warnings=warnings,
        workstreams={name: float(expected_arrivals_per_day(scenario, w.per_year)[scenario.time.warm_up_days:].sum()) / years
                     for name, w in scenario.demand.workstreams.items()},
    )


def _role_loads(scenario: Scenario, stage_visits: dict[str, float]) -> dict[str, RoleLoad]:
    demanded = dict.fromkeys(scenario.roles, 0.0)
    for name, stage in scenario.stages.items():
        if stage.role is not None:
            demanded[stage.role] += stage_visits[name] * stage.mean_total_minutes / 60.0
    years = scenario.time.horizon_days / DAYS_PER_YEAR
    for name, spec in scenario.open_cases.items():
        # Those that fit on the caseloads at the start are partly done (half their work left on average);
        # the rest wait and are worked from scratch.
        stage = scenario.stages[name]
        room = scenario.roles[stage.role].fte_in_post * stage.case.caseload_cap / stage.case.weight
        demanded[stage.role] -= 0.5 * min(spec.count, room) / years * stage.mean_total_minutes / 60.0
    return {
        name: RoleLoad(hours_demanded=demanded[name], hours_available=role.hours_per_year)
        for name, role in scenario.roles.items()
    }
