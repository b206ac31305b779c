"""One replication of a scenario: the parts of the discrete-event model (simpy), wired together.

People arrive at the front door (``demand``), move through stages
(``stages``) worked by teams (``team``), and end in outcomes; packages of care
go into the ledger (``ledger``) and are reviewed at their interval, the
reviews queueing for the same practitioners. All state lives in a
``Replication`` made for one run; the scenario is never changed. Events are
timed callbacks on simpy's event queue (``calls``; no generator processes),
so a stage visit costs one or two scheduled events. Time is in days from the start date.
"""
from __future__ import annotations

import gc
from typing import Callable

import numpy as np
import simpy

from flowsim.calendar import simulated_days
from flowsim.engine.calls import later
from flowsim.engine.casework import CaseStage, CaseTeam, practitioner_caps
from flowsim.engine.demand import contact_plan, merged_plan, workstream_plan
from flowsim.engine.ledger import PackageLedger
from flowsim.engine.recontact import Recontacts
from flowsim.engine.records import Records, count_waiting_bands
from flowsim.engine.reviews import ReviewBook
from flowsim.engine.rosters import build_roster
from flowsim.engine.service import ServiceStage
from flowsim.engine.stages import Person, Stage, Visit, make_stage, next_from_queue
from flowsim.engine.streams import exponentials, generator, uniforms
from flowsim.engine.team import Team
from flowsim.engine.triage import look_over_list
from flowsim.engine.worktime import work_sampler
from flowsim.scenario.network import OPEN_CASE_SOURCE, REVIEW_SOURCE, WAITING_SOURCE, route_key
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_WEEK


def feed(env: simpy.Environment, plan: list[tuple[float, object]], handle: Callable[[float, object], None]) -> None:
    """Call ``handle(time, item)`` at each time of a time-ordered plan.

    Only the next item is ever scheduled, so the event queue stays short
    however long the plan (a year's contacts, a whole caseload's reviews)."""
    position = 0

    def next_item(_event) -> None:
        nonlocal position
        time, item = plan[position]
        position += 1
        if position < len(plan):
            later(env, plan[position][0] - env.now, next_item)
        handle(time, item)

    if plan:
        later(env, plan[0][0], next_item)


class Replication:
    """The state of one simulated run of one scenario."""

    def __init__(self, scenario: Scenario, rep_seed: np.random.SeedSequence, keep_events: bool = True,
                 follow_through_days: int = 0):
        self.scenario = scenario
        self.seed = rep_seed
        self.horizon_end = simulated_days(scenario)
        self.days = self.horizon_end + follow_through_days
        self.warm_up = float(scenario.time.warm_up_days)
        self.env = simpy.Environment()
        self.rec = Records(days=self.horizon_end, warm_up=scenario.time.warm_up_days)
        self.events = self.rec.events if keep_events else None
        self._daily_bands = keep_events  # the waiting list by time waited each day: only the detailed tables show it
        self.rec.work_demanded = dict.fromkeys(scenario.roles, 0.0)
        self.outcome_counts = dict.fromkeys(scenario.outcomes, 0)
        self.existing_arrivals = dict.fromkeys(scenario.stages, 0)  # arrivals of people sent on from reviews
        self.outcome_kind = {name: o.kind for name, o in scenario.outcomes.items()}
        self._next_person = 0
        used = {stage.role: stage.kind for stage in scenario.stages.values() if stage.role is not None}
        self.teams = {role: self._team(role, used[role]) for role in scenario.roles if role in used}
        self.stages: dict[str, Stage] = {name: make_stage(name, self, scenario, rep_seed, self.days, self.teams)
                                         for name in scenario.stages}
        for source, by_stage in scenario.network.routes.items():
            for name, routes in by_stage.items():
                self.stages[name].router.connect(source, [self.stages.get(t, t) for t in routes.targets], routes.shares)
        self.ledger = PackageLedger(scenario, rep_seed)
        self.review_stage = self.stages.get(scenario.caseload.review_stage)
        for name, stage in self.stages.items():  # request → completion: the headline stage and case stages
            if name == scenario.key_stage or isinstance(stage, CaseStage):
                stage.completions = []
        self.reviews = ReviewBook(scenario, rep_seed)
        # Packages started alongside an outcome (telecare alongside home care), each drawn from its own stream.
        self.alongside = {name: [(extra, share, uniforms(generator(rep_seed, f"alongside:{name}:{extra}")))
                                 for extra, share in o.alongside.items()]
                          for name, o in scenario.outcomes.items() if o.alongside}
        self.recontacts = {name: Recontacts(self, name, stage.recontact, rep_seed)
                           for name, stage in scenario.stages.items() if stage.recontact is not None}
        self._triaged_teams = [team for role, team in self.teams.items()
                               if any(s.role == role and s.triage is not None for s in scenario.stages.values())]

    def _team(self, role: str, kind: str) -> Team:
        roster = build_roster(self.scenario, role, self.days)
        if kind == "case":
            return CaseTeam(roster, self.days, practitioner_caps(self.scenario, role, roster), self)
        return Team(roster, self.days)

    # ----- running ----------------------------------------------------------------

    def run(self) -> Records:
        env = self.env
        self._schedule_contacts()
        self._start_caseload()
        self._start_open_cases()
        self._start_waiting_list()
        for team in self.teams.values():
            if team.holds_cases:
                continue  # their work follows the roster through each practitioner's working clock
            for start in team.roster.starts:
                later(env, start, lambda _, t=team: self._shift_starts(t))
        for day in range(1, self.days + 1):
            later(env, day, lambda _, d=day - 1: self._end_of_day(d))
        if self.warm_up:
            later(env, self.warm_up, lambda _: self._mark_warm_up())
        env.run(until=self.days)
        return self._finish()

    def _schedule_contacts(self) -> None:
        """Contacts at the front door and the competing workstreams, fed as one time-ordered plan."""
        demand = self.scenario.demand
        plan = contact_plan(self.scenario, self.seed, self.horizon_end)
        self.rec.contacts = sum(1 for t, _ in plan if t >= self.warm_up)
        if demand.groups:
            self.rec.group_contacts = dict.fromkeys(demand.groups, 0)
            for t, (_, group) in plan:
                if t >= self.warm_up:
                    self.rec.group_contacts[group] += 1
        self._entry = {n: self.stages[demand.entry_stage(n)] for n in sorted(demand.sources)}
        if demand.workstreams:
            work = workstream_plan(self.scenario, self.seed, self.horizon_end)
            counts = dict.fromkeys(demand.workstreams, 0)
            for t, name in work:
                if t >= self.warm_up:
                    counts[name] += 1
            self.rec.workstream_arrivals = counts
            self._entry |= {n: self.stages[w.stage] for n, w in demand.workstreams.items()}
            plan = merged_plan(plan, work)
        feed(self.env, plan, self._contact)

    def _contact(self, _time: float, item) -> None:
        now = self.env.now
        if type(item) is tuple:  # a contact of a client group
            source, group = item
            person = Person(self._new_id(), source, asked=now, group=group, route=route_key(source, group))
        else:
            source, person = item, Person(self._new_id(), item, asked=now)
        stage = self._entry[source]
        stage.arrive(Visit(person, stage, now), now)

    def _start_waiting_list(self) -> None:
        waited = exponentials(generator(self.seed, "waiting_list"), 1.0)
        for name, waiting in self.scenario.waiting_list.items():
            stage = self.stages[name]
            for _ in range(waiting.count):
                already = waiting.mean_waited_days * waited()
                person = Person(self._new_id(), waiting.source or WAITING_SOURCE, asked=-already)
                stage.arrive(Visit(person, stage, 0.0, already), 0.0)

    def _start_open_cases(self) -> None:
        """Cases already open at the start, partly done: their work left is a uniform fraction of a fresh draw."""
        for name, spec in self.scenario.open_cases.items():
            stage = self.stages[name]
            draw_work = work_sampler(self.scenario.stages[name].work, generator(self.seed, f"open_cases:{name}"))
            fraction = uniforms(generator(self.seed, f"open_cases:{name}:done"))
            opened = exponentials(generator(self.seed, f"open_cases:{name}:opened"), spec.mean_open_days)
            for _ in range(spec.count):
                already = opened()
                visit = Visit(Person(self._new_id(), OPEN_CASE_SOURCE, asked=-already), stage, 0.0)
                stage.open_at_start(visit, already, draw_work() * fraction())

    def _start_caseload(self) -> None:
        """Existing packages, their first reviews spread over one interval.

        The first reviews are fed in date order through one pending event, so
        the event queue stays short however large the caseload."""
        draw = uniforms(generator(self.seed, "caseload:review_phase"))
        ledger, plan = self.ledger, []
        for name, count in self.scenario.caseload.packages.items():
            outcome = ledger.types[name]
            for _ in range(int(round(count))):
                pid = ledger.add(name, 0.0, new=False)
                if self.reviews.gap is not None:
                    self._watch(pid, 0.0)
                if outcome.review_every_weeks:
                    due = draw() * outcome.review_every_weeks * DAYS_PER_WEEK
                    if due < self.horizon_end and due < ledger.end[pid]:
                        plan.append((due, pid))
        plan.sort()
        feed(self.env, plan, lambda due, pid: self._review_due(pid, due))

    # ----- the flow ---------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_person += 1
        return self._next_person

    def _shift_starts(self, team: Team) -> None:
        now = self.env.now
        for practitioner in team.start_shift(now):
            next_from_queue(team, practitioner, now)

    def route(self, visit: Visit, now: float) -> None:
        """The visit is over: send the person on to the next stage or to an outcome."""
        stage, person = visit.stage, visit.person
        in_window = now >= self.warm_up
        if person.package >= 0 and stage is self.review_stage and in_window and now <= self.horizon_end:
            self.reviews.reviewed[person.package] = now
        target = stage.router.choose(person.route, in_window)
        if stage.completions is not None and in_window:
            stage.completions.append(now - person.asked)
        if self.events is not None:
            self.events.append((person.id, person.source, stage.name, visit.arrived, visit.started, now,
                                visit.started - visit.arrived + visit.waited_before, visit.work,
                                target if type(target) is str else target.name))
        if type(target) is not str:  # the clock, not ``now``: after an elapsed stay they differ by rounding
            if person.package >= 0 and in_window:  # an existing client, sent on from a review
                self.existing_arrivals[target.name] += 1
            target.arrive(Visit(person, target, now), self.env.now)
            return
        if in_window:
            self.outcome_counts[target] += 1
        kind = self.outcome_kind[target]
        if kind == "closed" and self.recontacts and stage.name in self.recontacts:
            self.recontacts[stage.name].closed(person, now)
        elif kind == "package":
            if in_window and now <= self.horizon_end and person.package < 0:  # a new request, not a review
                self.rec.request_to_service.append(now - person.asked)
            pid = self.ledger.replace(person.package, target, now, person.group)
            timing = self.ledger.review_days[target]
            if timing is not None:
                self._schedule_review(pid, now + timing[0])
            if self.reviews.gap is not None:
                self._watch(pid, now)
        elif kind == "review" and person.package >= 0:
            change = self.scenario.outcomes[target].weekly_cost_change
            if change:
                self.ledger.change_cost(person.package, change, now)
        if target in self.alongside:
            self._start_alongside(target, person, now, in_window)

    def _start_alongside(self, outcome: str, person: Person, now: float, in_window: bool) -> None:
        """Packages that come with ``outcome`` for some people: each runs on its own, is reviewed with the
        person's main package (so it has no reviews of its own) and replaces nothing."""
        for extra, share, draw in self.alongside[outcome]:
            if draw() < share:
                self.ledger.add(extra, now, True, person.group)
                if in_window:
                    self.outcome_counts[extra] += 1

    # ----- reviews ----------------------------------------------------------------

    def _schedule_review(self, pid: int, when: float) -> None:
        if when < self.horizon_end and when < self.ledger.end[pid]:
            later(self.env, when - self.env.now, lambda _: self._review_due(pid, when))

    def _review_due(self, pid: int, due: float) -> None:
        ledger = self.ledger
        if not ledger.active(pid, self.env.now):
            return  # ended, or replaced by a new package, before its review
        person = Person(self._new_id(), REVIEW_SOURCE, package=pid, asked=self.env.now, group=ledger.group[pid])
        visit = Visit(person, self.review_stage, self.env.now)
        self.reviews.due(visit, due)
        self.review_stage.arrive(visit, self.env.now)
        self._schedule_review(pid, due + ledger.review_days[ledger.type[pid]][1])

    def _watch(self, pid: int, now: float) -> None:
        """Schedule the package's next unplanned review, if it comes while the package lasts."""
        when = now + self.reviews.gap()
        if when < self.horizon_end and when < self.ledger.end[pid]:
            later(self.env, when - now, lambda _: self._unplanned_due(pid))

    def _unplanned_due(self, pid: int) -> None:
        now = self.env.now
        if not self.ledger.active(pid, now):
            return  # replaced by a new package since
        if now >= self.warm_up:
            self.reviews.unplanned += 1
        person = Person(self._new_id(), REVIEW_SOURCE, package=pid, asked=now, group=self.ledger.group[pid])
        self.review_stage.arrive(Visit(person, self.review_stage, now), now)
        self._watch(pid, now)

    # ----- recording ------------------------------------------------------------------

    def _end_of_day(self, day: int) -> None:
        now = day + 1.0
        for team in self._triaged_teams:
            if team.watch and look_over_list(team, now, self.warm_up <= now <= self.horizon_end) \
                    and team.holds_cases:
                team.allocate_waiting(now)  # someone held back at the head of the list may have left
        for stage in self.stages.values():
            stage.waiting_daily[day] = stage.waiting
        for team in self.teams.values():
            if team.holds_cases:
                team.end_of_day(day)
            if team.queue and self._daily_bands:
                for stage, counts in count_waiting_bands(team.queue, day + 1.0, team.stale.values()).items():
                    stage.bands_daily[day] = counts

    def _mark_warm_up(self) -> None:
        for stage in self.stages.values():
            stage.count_waiting(self.env.now, 0)
            stage.area_at_warm_up = stage.area
            if isinstance(stage, ServiceStage):
                stage.mark_warm_up(self.env.now)
        for team in self.teams.values():
            if team.holds_cases:
                team.mark_warm_up(self.env.now)

    def _finish(self) -> Records:
        rec, now = self.rec, self.env.now
        rec.outcomes = self.outcome_counts
        rec.existing_arrivals = self.existing_arrivals
        for role, team in self.teams.items():
            if team.holds_cases:
                team.close_books(now)
                rec.practitioners[role] = team.roster.practitioners
                rec.open_cases_area[role] = team.area - team.area_at_warm_up
                rec.open_cases_at_end[role] = list(team.open)
                rec.open_cases_daily[role] = team.open_daily
                rec.awaiting_allocation_at_end[role] = team.waiting_count()
            rec.available_hours[role] = team.roster.available_hours_per_day(self.days)
            rec.busy_hours[role] = team.busy
            waiting = team.waiting()
            for _, _, _, visit in waiting:  # work not started: count its mean
                if visit.arrived >= self.warm_up:
                    rec.work_demanded[role] += visit.stage.mean_work
            for stage, counts in count_waiting_bands(waiting, now).items():
                rec.waiting_bands_at_end[stage.name] = counts
        for name, stage in self.stages.items():
            stage.count_waiting(now, 0)
            rec.arrivals[name] = stage.arrivals
            rec.waits[name] = stage.waits
            rec.wait_sources[name] = stage.wait_sources
            rec.waiting_daily[name] = stage.waiting_daily
            rec.waiting_area[name] = stage.area - stage.area_at_warm_up
            rec.waiting_at_end[name] = stage.waiting
            if stage.triage is not None:
                rec.left_waiting_list[name] = stage.left
            if stage.team is not None:
                rec.waiting_bands_daily[name] = stage.bands_daily
                rec.waiting_bands_at_end.setdefault(name, [0, 0, 0, 0])
            if stage.completions is not None:
                rec.request_to_completion[name] = stage.completions
            if isinstance(stage, CaseStage):
                rec.case_open_days[name] = stage.open_days
            elif isinstance(stage, ServiceStage):
                stage.count_used(now, 0)
                rec.places_used_area[name] = stage.used_area - stage.used_at_warm_up
            for target, n in stage.router.edge_counts():
                key = (name, target if type(target) is str else target.name)
                rec.edges[key] = rec.edges.get(key, 0) + n
        rec.packages = self.ledger.columns()
        if self.review_stage is not None:
            rec.overdue_daily, rec.overdue_area, rec.overdue_at_end = self.reviews.overdue(self.horizon_end,
                                                                                           self.warm_up)
            rec.reviewed = self.reviews.reviewed
            rec.unplanned_reviews = self.reviews.unplanned
        rec.cost_changes = self.ledger.cost_changes
        rec.recontacts = {name: back.count for name, back in self.recontacts.items()}
        return rec


def simulate(scenario: Scenario, rep_seed: np.random.SeedSequence, keep_events: bool = True,
             follow_through_days: int = 0) -> Records:
    """Run one replication and return what it observed; ``keep_events`` keeps what only the detailed
    tables need too (the event log, the daily waiting list by time waited).

    With ``follow_through_days``, contacts and reviews stop at the end of the
    horizon but the run goes on so the people in flight reach their outcomes:
    arrivals, flows and outcomes are then counted per cohort (everyone who
    started within the horizon, wherever they end), the basis for checking the
    simulation against the analytic expected flows.
    """
    # The cyclic garbage collector would scan every live visit and event again and
    # again, a cost that grows with the run's size; nothing here needs it mid-run.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return Replication(scenario, rep_seed, keep_events, follow_through_days).run()
    finally:
        if was_enabled:
            gc.enable()
