"""One replication of a scenario: the discrete-event model (simpy).

People arrive at the front door (a non-homogeneous Poisson process), are routed
through stages by the flow graph, wait in a priority queue for a practitioner
of the stage's role, are worked on inside rostered hours, and end in an
outcome. Packages of care start with a type, cost and duration; they are
reviewed at their interval, and reviews queue for the same practitioners.

All state lives in a ``Replication`` made for one run; the scenario is never
changed. Events are callbacks on simpy timeouts (no generator processes), so a
stage visit costs one or two scheduled events and the loop keeps to plain
Python lists. Time is in days from the start date.
"""
from __future__ import annotations

import gc
import heapq
import math
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
import simpy

from flowsim.calendar import DAYS_PER_YEAR, day_profile, simulated_days
from flowsim.engine.rosters import EPSILON, HOURS_PER_DAY, Roster, build_roster, finish_time
from flowsim.engine.streams import exponentials, generator, uniforms
from flowsim.engine.worktime import MINUTES_PER_DAY, work_sampler
from flowsim.scenario.network import REVIEW_SOURCE, WAITING_SOURCE, flow_graph, routing_sources
from flowsim.scenario.schema import Scenario

DAYS_PER_WEEK = 7.0


def arrival_times(scenario: Scenario, rep_seed: np.random.SeedSequence, days: int) -> np.ndarray:
    """Contact times by thinning: candidates at the peak rate, each kept with
    probability rate(t)/peak evaluated at its own time t."""
    base = scenario.demand.contacts_per_year / DAYS_PER_YEAR
    if base == 0:
        return np.empty(0)
    profile = day_profile(scenario, days)
    k = math.log1p(scenario.demand.annual_growth) / DAYS_PER_YEAR
    peak = base * profile.max() * max(1.0, math.exp(k * days))
    candidates_gen, keep_gen = generator(rep_seed, "arrivals"), generator(rep_seed, "arrivals:thinning")
    chunks, t = [], 0.0
    while t < days:
        gaps = candidates_gen.standard_exponential(int(peak * days * 0.25) + 64) / peak
        times = t + np.cumsum(gaps)
        chunks.append(times)
        t = times[-1]
    times = np.concatenate(chunks)
    times = times[times < days]
    rate = base * profile[times.astype(int)] * np.exp(k * times)
    return times[keep_gen.random(len(times)) * peak < rate]


class Person:
    __slots__ = ("id", "source", "package")

    def __init__(self, id: int, source: str, package: int = -1):
        self.id, self.source, self.package = id, source, package


class Pool:
    """A role's practitioners: who is free, who is off duty, and the queue waiting for them."""

    __slots__ = ("roster", "free", "off", "queue", "busy", "shift_end", "shift_day")

    def __init__(self, roster: Roster, days: int):
        self.roster = roster
        self.free: list[int] = []  # free and, when last checked, on duty
        self.off = list(range(roster.practitioners))  # free but off duty until the next shift starts
        self.queue: list = []
        self.busy = np.zeros(days)  # hours worked, by day
        self.shift_end = [-math.inf] * roster.practitioners  # end of each one's current or last window
        self.shift_day = 0  # the day the current windows started

    def take_free(self, now: float) -> int:
        """A free practitioner on duty now, or -1; those found off duty are set aside."""
        free, shift_end = self.free, self.shift_end
        while free:
            practitioner = free.pop()
            if now < shift_end[practitioner] - EPSILON:
                return practitioner
            self.off.append(practitioner)
        return -1


class Desk:
    """One stage during a run: its practitioners, random streams, routes and counters."""

    __slots__ = ("name", "pool", "draw_work", "draw_route", "routes", "priority", "elapsed", "mean_work",
                 "arrivals", "waits", "waiting", "area", "area_since", "area_at_warm_up", "waiting_daily")

    def __init__(self, name: str, pool: Pool | None, scenario: Scenario, seed: np.random.SeedSequence, days: int):
        stage = scenario.stages[name]
        self.name, self.pool = name, pool  # no pool: no practitioner, people pass straight through
        self.draw_work = work_sampler(stage.work, generator(seed, f"work:{name}")) if stage.work else None
        self.draw_route = uniforms(generator(seed, f"route:{name}"))
        self.routes: dict = {}  # source -> [cumulative shares, next desks or outcome names, counts]
        self.priority = {source: stage.priority_for(source) for source in routing_sources(scenario)}
        self.elapsed = stage.elapsed_days
        self.mean_work = stage.mean_total_minutes
        self.arrivals = 0
        self.waits: list[float] = []
        self.waiting = 0
        self.area = self.area_since = self.area_at_warm_up = 0.0  # ∫ waiting dt
        self.waiting_daily = np.zeros(days)

    def count_waiting(self, now: float, change: int) -> None:
        self.area += self.waiting * (now - self.area_since)
        self.area_since = now
        self.waiting += change


class Task:
    """One person's visit to one stage."""

    __slots__ = ("person", "desk", "arrived", "waited_before", "started", "work", "practitioner")

    def __init__(self, person: Person, desk: Desk, arrived: float, waited_before: float = 0.0):
        self.person, self.desk, self.arrived, self.waited_before = person, desk, arrived, waited_before
        self.started = math.nan
        self.work = math.nan
        self.practitioner = -1


@dataclass
class Records:
    """What one replication observed; turned into tables by ``flowsim.engine.results``."""

    days: int
    warm_up: int
    contacts: int = 0
    events: list = field(default_factory=list)  # (person, source, stage, arrived, started, ended, wait, work, next)
    arrivals: dict = field(default_factory=dict)  # stage -> count in window
    outcomes: dict = field(default_factory=dict)  # outcome -> count in window
    edges: dict = field(default_factory=dict)  # (stage, next) -> count in window
    waits: dict = field(default_factory=dict)  # stage -> waits (days) of tasks started in window
    work_demanded: dict = field(default_factory=dict)  # role -> minutes for tasks arriving in window
    waiting_daily: dict = field(default_factory=dict)  # stage -> waiting at the end of each day
    waiting_area: dict = field(default_factory=dict)  # stage -> ∫ waiting dt over the window
    waiting_at_end: dict = field(default_factory=dict)
    busy_hours: dict = field(default_factory=dict)  # role -> hours worked per day
    available_hours: dict = field(default_factory=dict)  # role -> hours available per day
    packages: dict = field(default_factory=dict)  # columns: type, start, end, weekly_cost, one_off, new
    cost_changes: list = field(default_factory=list)  # (package, time, new weekly cost)


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
        self.rec.work_demanded = dict.fromkeys(scenario.roles, 0.0)
        self.outcome_counts = dict.fromkeys(scenario.outcomes, 0)
        self.outcome_kind = {name: o.kind for name, o in scenario.outcomes.items()}
        self._next_person = 0
        self._seq = 0
        self._build_desks()
        self._packages_init()

    # ----- set-up ---------------------------------------------------------------

    def _build_desks(self) -> None:
        s = self.scenario
        used = {stage.role for stage in s.stages.values() if stage.role is not None}
        self.pools = {role: Pool(build_roster(s, role, self.days), self.days) for role in s.roles if role in used}
        self.desks = {name: Desk(name, self.pools.get(stage.role), s, self.seed, self.days)
                      for name, stage in s.stages.items()}
        for source in routing_sources(s):
            graph = flow_graph(s, source)
            for name, desk in self.desks.items():
                targets = [t for t in s.stages[name].shares_for(source) if graph.has_edge(name, t)]
                cumulative = list(np.cumsum([graph.edges[name, t]["share"] for t in targets]))
                cumulative[-1] = 1.0
                desk.routes[source] = [cumulative, [self.desks.get(t, t) for t in targets], [0] * len(targets)]

    def _packages_init(self) -> None:
        self.package_types = {name: o for name, o in self.scenario.package_outcomes().items()}
        self.duration_draw = {name: exponentials(generator(self.seed, f"duration:{name}"),
                                                 o.mean_duration_weeks * DAYS_PER_WEEK)
                              for name, o in self.package_types.items()}
        self.review_desk = self.desks.get(self.scenario.caseload.review_stage)
        self.p_type, self.p_start, self.p_end = [], [], []
        self.p_cost, self.p_one_off, self.p_new = [], [], []

    # ----- running ----------------------------------------------------------------

    def run(self) -> Records:
        env = self.env
        self._schedule_arrivals()
        self._start_caseload()
        self._start_waiting_list()
        for pool in self.pools.values():
            for start in pool.roster.starts:
                env.timeout(start).callbacks.append(lambda _, p=pool: self._shift_starts(p))
        for day in range(1, self.days + 1):
            env.timeout(day).callbacks.append(lambda _, d=day - 1: self._end_of_day(d))
        if self.warm_up:
            env.timeout(self.warm_up).callbacks.append(lambda _: self._mark_warm_up())
        env.run(until=self.days)
        return self._finish()

    def _schedule_arrivals(self) -> None:
        times = arrival_times(self.scenario, self.seed, self.horizon_end)
        demand = self.scenario.demand
        names = sorted(demand.sources)
        cumulative = np.cumsum([demand.sources[n] for n in names])
        picks = np.searchsorted(cumulative, generator(self.seed, "sources").random(len(times)) * cumulative[-1],
                                side="right")
        sources = [names[min(i, len(names) - 1)] for i in picks]
        self.rec.contacts = int((times >= self.warm_up).sum())
        self._arrival_plan = list(zip(times.tolist(), sources))
        self._arrival_next = 0
        self._entry = {n: self.desks[demand.entry_stage(n)] for n in names}
        if self._arrival_plan:
            self.env.timeout(self._arrival_plan[0][0]).callbacks.append(self._contact)

    def _contact(self, _event) -> None:
        """A contact arrives; the next one is scheduled (one pending arrival at a time)."""
        _, source = self._arrival_plan[self._arrival_next]
        self._arrival_next += 1
        if self._arrival_next < len(self._arrival_plan):
            self.env.timeout(self._arrival_plan[self._arrival_next][0] - self.env.now).callbacks.append(self._contact)
        self._arrive(Task(Person(self._new_id(), source), self._entry[source], self.env.now))

    def _start_waiting_list(self) -> None:
        waited = exponentials(generator(self.seed, "waiting_list"), 1.0)
        for stage, waiting in self.scenario.waiting_list.items():
            for _ in range(waiting.count):
                person = Person(self._new_id(), waiting.source or WAITING_SOURCE)
                self._arrive(Task(person, self.desks[stage], 0.0, waiting.mean_waited_days * waited()))

    def _start_caseload(self) -> None:
        """Existing packages, their first reviews spread over one interval.

        The first reviews are fed in date order through one pending event, so
        the event queue stays short however large the caseload."""
        draw = uniforms(generator(self.seed, "caseload:review_phase"))
        plan = []
        for name, count in self.scenario.caseload.packages.items():
            outcome = self.package_types[name]
            for _ in range(int(round(count))):
                pid = self._add_package(name, 0.0, new=False)
                if outcome.review_every_weeks:
                    due = draw() * outcome.review_every_weeks * DAYS_PER_WEEK
                    if due < self.horizon_end and due < self.p_end[pid]:
                        plan.append((due, pid))
        plan.sort()
        self._caseload_plan, self._caseload_next = plan, 0
        if plan:
            self.env.timeout(plan[0][0]).callbacks.append(self._caseload_review)

    def _caseload_review(self, _event) -> None:
        due, pid = self._caseload_plan[self._caseload_next]
        self._caseload_next += 1
        if self._caseload_next < len(self._caseload_plan):
            upcoming = self._caseload_plan[self._caseload_next][0]
            self.env.timeout(upcoming - self.env.now).callbacks.append(self._caseload_review)
        self._review_due(pid, due)

    # ----- the flow ---------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_person += 1
        return self._next_person

    def _arrive(self, task: Task) -> None:
        now = self.env.now
        desk = task.desk
        if now >= self.warm_up:
            desk.arrivals += 1
        pool = desk.pool
        if pool is None:
            task.started, task.work = now, 0.0
            if now >= self.warm_up:
                desk.waits.append(task.waited_before)
            self._route(task, now)
            return
        practitioner = pool.take_free(now)
        if practitioner >= 0:
            self._start(pool, practitioner, task, now)
            return
        self._seq += 1
        heapq.heappush(pool.queue, (desk.priority[task.person.source], task.arrived - task.waited_before,
                                    self._seq, task))
        desk.count_waiting(now, +1)

    def _start(self, pool: Pool, practitioner: int, task: Task, now: float) -> None:
        desk = task.desk
        task.started = now
        task.practitioner = practitioner
        task.work = work = desk.draw_work()
        if task.arrived >= self.warm_up:
            self.rec.work_demanded[pool.roster.role] += work
        if now >= self.warm_up:
            desk.waits.append(now - task.arrived + task.waited_before)
        work_days = work / MINUTES_PER_DAY
        if now + work_days <= pool.shift_end[practitioner]:  # done within today's window: the usual case
            pool.busy[pool.shift_day] += work * (HOURS_PER_DAY / MINUTES_PER_DAY)
            done = now + work_days
        else:
            done = finish_time(pool.roster, practitioner, now, work_days, pool.busy)
        if done < self.days:
            self.env.timeout(done - now, task).callbacks.append(self._work_done)

    def _work_done(self, event) -> None:
        task: Task = event.value
        now = self.env.now
        pool, practitioner = task.desk.pool, task.practitioner
        if now < pool.shift_end[practitioner] - EPSILON:
            self._next_from_queue(pool, practitioner, now)
        else:
            pool.off.append(practitioner)
        leave = task.started + task.desk.elapsed
        if leave <= now:
            self._route(task, now)
        elif leave < self.days:
            self.env.timeout(leave - now).callbacks.append(lambda _: self._route(task, leave))

    def _next_from_queue(self, pool: Pool, practitioner: int, now: float) -> None:
        if pool.queue:
            task = heapq.heappop(pool.queue)[3]
            task.desk.count_waiting(now, -1)
            self._start(pool, practitioner, task, now)
        else:
            pool.free.append(practitioner)

    def _shift_starts(self, pool: Pool) -> None:
        now = self.env.now
        pool.shift_end = [now + length for length in pool.roster.lengths]
        pool.shift_day = int(now)
        ready = pool.free + pool.off
        pool.free, pool.off = [], []
        for practitioner in ready:
            self._next_from_queue(pool, practitioner, now)

    def _route(self, task: Task, now: float) -> None:
        desk, person = task.desk, task.person
        cumulative, targets, counts = desk.routes[person.source]
        i = bisect_right(cumulative, desk.draw_route())
        target = targets[i]
        in_window = now >= self.warm_up
        if in_window:
            counts[i] += 1
        if self.events is not None:
            self.events.append((person.id, person.source, desk.name, task.arrived, task.started, now,
                                task.started - task.arrived + task.waited_before, task.work,
                                target if type(target) is str else target.name))
        if type(target) is Desk:
            self._arrive(Task(person, target, now))
            return
        if in_window:
            self.outcome_counts[target] += 1
        kind = self.outcome_kind[target]
        if kind == "package":
            if person.package >= 0 and self.p_end[person.package] > now:
                self.p_end[person.package] = now  # the new package replaces the old one
            pid = self._add_package(target, now, new=True)
            outcome = self.package_types[target]
            if outcome.review_every_weeks:
                first = outcome.first_review_weeks or outcome.review_every_weeks
                self._schedule_review(pid, now + first * DAYS_PER_WEEK)
        elif kind == "review" and person.package >= 0:
            change = self.scenario.outcomes[target].weekly_cost_change
            if change:
                self.p_cost[person.package] *= 1 + change
                self.rec.cost_changes.append((person.package, now, self.p_cost[person.package]))

    # ----- packages and reviews -----------------------------------------------------

    def _add_package(self, kind: str, start: float, new: bool) -> int:
        outcome = self.package_types[kind]
        self.p_type.append(kind)
        self.p_start.append(start)
        self.p_end.append(start + self.duration_draw[kind]())
        self.p_cost.append(outcome.weekly_cost)
        self.p_one_off.append(outcome.one_off_cost if new else 0.0)
        self.p_new.append(new)
        return len(self.p_type) - 1

    def _schedule_review(self, pid: int, when: float) -> None:
        if when < self.horizon_end and when < self.p_end[pid]:
            self.env.timeout(when - self.env.now).callbacks.append(lambda _: self._review_due(pid, when))

    def _review_due(self, pid: int, due: float) -> None:
        if self.p_end[pid] <= self.env.now:
            return  # ended, or replaced by a new package, before its review
        person = Person(self._new_id(), REVIEW_SOURCE, package=pid)
        self._arrive(Task(person, self.review_desk, self.env.now))
        interval = self.package_types[self.p_type[pid]].review_every_weeks * DAYS_PER_WEEK
        self._schedule_review(pid, due + interval)

    # ----- recording ------------------------------------------------------------------

    def _end_of_day(self, day: int) -> None:
        for desk in self.desks.values():
            desk.waiting_daily[day] = desk.waiting

    def _mark_warm_up(self) -> None:
        for desk in self.desks.values():
            desk.count_waiting(self.env.now, 0)
            desk.area_at_warm_up = desk.area

    def _finish(self) -> Records:
        rec, now = self.rec, self.env.now
        rec.outcomes = self.outcome_counts
        for role, pool in self.pools.items():
            rec.available_hours[role] = pool.roster.available_hours_per_day(self.days)
            rec.busy_hours[role] = pool.busy
            for _, _, _, task in pool.queue:  # work not started: count its mean
                if task.arrived >= self.warm_up:
                    rec.work_demanded[role] += task.desk.mean_work
        for name, desk in self.desks.items():
            desk.count_waiting(now, 0)
            rec.arrivals[name] = desk.arrivals
            rec.waits[name] = desk.waits
            rec.waiting_daily[name] = desk.waiting_daily
            rec.waiting_area[name] = desk.area - desk.area_at_warm_up
            rec.waiting_at_end[name] = desk.waiting
            for _, targets, counts in desk.routes.values():
                for target, n in zip(targets, counts):
                    key = (name, target if type(target) is str else target.name)
                    rec.edges[key] = rec.edges.get(key, 0) + n
        rec.packages = {
            "type": self.p_type, "start": self.p_start, "end": self.p_end,
            "weekly_cost": [self.package_types[t].weekly_cost for t in self.p_type],
            "one_off": self.p_one_off, "new": self.p_new,
        }
        return rec


def simulate(scenario: Scenario, rep_seed: np.random.SeedSequence, keep_events: bool = True,
             follow_through_days: int = 0) -> Records:
    """Run one replication and return what it observed.

    With ``follow_through_days``, contacts and reviews stop at the end of the
    horizon but the run goes on so the people in flight reach their outcomes:
    arrivals, flows and outcomes are then counted per cohort (everyone who
    started within the horizon, wherever they end), the basis for checking the
    simulation against the analytic expected flows.
    """
    # The cyclic garbage collector would scan every live task and event again and
    # again, a cost that grows with the run's size; nothing here needs it mid-run.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return Replication(scenario, rep_seed, keep_events, follow_through_days).run()
    finally:
        if was_enabled:
            gc.enable()
