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

import heapq
import math
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
import simpy

from flowsim.calendar import DAYS_PER_YEAR, day_profile, simulated_days
from flowsim.engine.rosters import EPSILON, Roster, build_roster, finish_time
from flowsim.engine.streams import generator, standard_exponentials, uniforms
from flowsim.engine.worktime import MINUTES_PER_DAY, work_sampler
from flowsim.graph import REVIEW_SOURCE, WAITING_SOURCE, flow_graph, routing_sources
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


class Task:
    """One person's visit to one stage."""

    __slots__ = ("person", "stage", "arrived", "waited_before", "started", "work")

    def __init__(self, person: Person, stage: str, arrived: float, waited_before: float = 0.0):
        self.person, self.stage, self.arrived, self.waited_before = person, stage, arrived, waited_before
        self.started = math.nan
        self.work = math.nan


class Pool:
    """A role's practitioners, who is free, and the queue of tasks waiting for them."""

    __slots__ = ("roster", "free", "queue", "busy", "shift_end", "last_off")

    def __init__(self, roster: Roster, days: int):
        self.roster = roster
        self.free = list(range(roster.practitioners))
        self.queue: list = []
        self.busy = np.zeros(days)  # hours worked, by day
        self.shift_end = [-math.inf] * roster.practitioners  # end of each one's current or last window
        self.last_off = -math.inf  # when the last of them goes off duty today

    def on_shift(self, practitioner: int, now: float) -> bool:
        return now < self.shift_end[practitioner] - EPSILON


@dataclass
class Records:
    """What one replication observed; turned into tables by ``flowsim.engine.results``."""

    days: int
    warm_up: int
    contacts: int = 0
    events: list = field(default_factory=list)  # (person, source, stage, arrived, started, ended, wait, work, next)
    keep_events: bool = True
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
        self.rec = Records(days=self.horizon_end, warm_up=scenario.time.warm_up_days, keep_events=keep_events)
        self._next_person = 0
        self._seq = 0
        self._build_stages()
        self._build_pools()
        self._packages_init()

    # ----- set-up ---------------------------------------------------------------

    def _build_stages(self) -> None:
        s = self.scenario
        self.role_of = {name: stage.role for name, stage in s.stages.items()}
        self.targets = {name: stage.wait_target_days for name, stage in s.stages.items()}
        self.elapsed = {name: stage.elapsed_days for name, stage in s.stages.items()}
        self.mean_work = {name: stage.work.mean_total_minutes for name, stage in s.stages.items()}
        self.route_draw = {name: uniforms(generator(self.seed, f"route:{name}")) for name in s.stages}
        self.work_draw = {name: work_sampler(stage.work, generator(self.seed, f"work:{name}"))
                          for name, stage in s.stages.items()}
        self.priority = {(name, src): stage.priority_for(src)
                         for name, stage in s.stages.items() for src in routing_sources(s)}
        # (stage, source) -> (cumulative shares, targets): one draw picks the next step.
        self.routes: dict = {}
        for source in routing_sources(s):
            graph = flow_graph(s, source)
            for name in s.stages:
                targets = [t for t in s.stages[name].shares_for(source) if graph.has_edge(name, t)]
                cumulative = list(np.cumsum([graph.edges[name, t]["share"] for t in targets]))
                cumulative[-1] = 1.0
                self.routes[name, source] = (cumulative, targets)
        self.outcome_kind = {name: o.kind for name, o in s.outcomes.items()}
        rec = self.rec
        rec.arrivals = dict.fromkeys(s.stages, 0)
        rec.outcomes = dict.fromkeys(s.outcomes, 0)
        rec.waits = {name: [] for name in s.stages}
        rec.waiting_daily = {name: np.zeros(self.days) for name in s.stages}
        self.waiting = dict.fromkeys(s.stages, 0)
        self._area = dict.fromkeys(s.stages, 0.0)
        self._area_since = dict.fromkeys(s.stages, 0.0)
        self._area_at_warm_up = dict.fromkeys(s.stages, 0.0)

    def _build_pools(self) -> None:
        s = self.scenario
        used = {stage.role for stage in s.stages.values()}
        self.pools = {role: Pool(build_roster(s, role, self.days), self.days) for role in s.roles if role in used}
        self.pool_of = {name: self.pools[stage.role] for name, stage in s.stages.items()}
        self.rec.work_demanded = dict.fromkeys(s.roles, 0.0)
        for role, pool in self.pools.items():
            self.rec.available_hours[role] = pool.roster.available_hours_per_day(self.days)
            self.rec.busy_hours[role] = pool.busy

    def _packages_init(self) -> None:
        self.package_types = {name: o for name, o in self.scenario.package_outcomes().items()}
        self.duration_draw = {name: standard_exponentials(generator(self.seed, f"duration:{name}"))
                              for name in self.package_types}
        self.p_type, self.p_start, self.p_end = [], [], []
        self.p_cost, self.p_one_off, self.p_new = [], [], []

    # ----- running ----------------------------------------------------------------

    def run(self) -> Records:
        env = self.env
        self._schedule_arrivals()
        self._start_caseload()
        self._start_waiting_list()
        for role, pool in self.pools.items():
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
        self._entry = {n: demand.entry_stage(n) for n in names}
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
        waited = standard_exponentials(generator(self.seed, "waiting_list"))
        for stage, waiting in self.scenario.waiting_list.items():
            for _ in range(waiting.count):
                person = Person(self._new_id(), waiting.source or WAITING_SOURCE)
                self._arrive(Task(person, stage, 0.0, waiting.mean_waited_days * waited()))

    def _start_caseload(self) -> None:
        draw = uniforms(generator(self.seed, "caseload:review_phase"))
        for name, count in self.scenario.caseload.packages.items():
            outcome = self.package_types[name]
            for _ in range(int(round(count))):
                pid = self._add_package(name, 0.0, new=False)
                if outcome.review_every_weeks:
                    interval = outcome.review_every_weeks * DAYS_PER_WEEK
                    self._schedule_review(pid, draw() * interval)

    # ----- the flow ---------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_person += 1
        return self._next_person

    def _arrive(self, task: Task) -> None:
        now = self.env.now
        stage = task.stage
        if now >= self.warm_up:
            self.rec.arrivals[stage] += 1
        pool = self.pool_of[stage]
        if now < pool.last_off - EPSILON:
            shift_end = pool.shift_end
            for i, practitioner in enumerate(pool.free):
                if now < shift_end[practitioner] - EPSILON:
                    del pool.free[i]
                    self._start(pool, practitioner, task)
                    return
        self._seq += 1
        heapq.heappush(pool.queue, (self.priority[stage, task.person.source], task.arrived - task.waited_before,
                                    self._seq, task))
        self._count_waiting(stage, +1)

    def _count_waiting(self, stage: str, change: int) -> None:
        now = self.env.now
        self._area[stage] += self.waiting[stage] * (now - self._area_since[stage])
        self._area_since[stage] = now
        self.waiting[stage] += change

    def _start(self, pool: Pool, practitioner: int, task: Task) -> None:
        now = self.env.now
        stage = task.stage
        task.started = now
        task.work = work = self.work_draw[stage]()
        if task.arrived >= self.warm_up:
            self.rec.work_demanded[pool.roster.role] += work
        if now >= self.warm_up:
            self.rec.waits[stage].append(now - task.arrived + task.waited_before)
        done = finish_time(pool.roster, practitioner, now, work / MINUTES_PER_DAY, pool.busy)
        if done < self.days:
            self.env.timeout(done - now).callbacks.append(lambda _: self._work_done(pool, practitioner, task))

    def _work_done(self, pool: Pool, practitioner: int, task: Task) -> None:
        now = self.env.now
        if pool.on_shift(practitioner, now):
            self._next_from_queue(pool, practitioner)
        else:
            pool.free.append(practitioner)  # off duty until the next shift starts
        leave = task.started + self.elapsed[task.stage]
        if leave > now:
            if leave < self.days:
                self.env.timeout(leave - now).callbacks.append(lambda _: self._route(task))
        else:
            self._route(task)

    def _next_from_queue(self, pool: Pool, practitioner: int) -> None:
        if pool.queue:
            task = heapq.heappop(pool.queue)[3]
            self._count_waiting(task.stage, -1)
            self._start(pool, practitioner, task)
        else:
            pool.free.append(practitioner)

    def _shift_starts(self, pool: Pool) -> None:
        now = self.env.now
        pool.shift_end = [now + length for length in pool.roster.lengths]
        pool.last_off = max(pool.shift_end)
        free, pool.free = pool.free, []
        for practitioner in free:
            self._next_from_queue(pool, practitioner)

    def _route(self, task: Task) -> None:
        now = self.env.now
        stage, person = task.stage, task.person
        cumulative, targets = self.routes[stage, person.source]
        target = targets[bisect_right(cumulative, self.route_draw[stage]())]
        in_window = now >= self.warm_up
        if in_window:
            edge = (stage, target)
            self.rec.edges[edge] = self.rec.edges.get(edge, 0) + 1
        if self.rec.keep_events:
            self.rec.events.append((person.id, person.source, stage, task.arrived, task.started, now,
                                    task.started - task.arrived + task.waited_before, task.work, target))
        if target in self.role_of:
            self._arrive(Task(person, target, now))
            return
        if in_window:
            self.rec.outcomes[target] += 1
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
        duration = outcome.mean_duration_weeks * DAYS_PER_WEEK * self.duration_draw[kind]()
        self.p_type.append(kind)
        self.p_start.append(start)
        self.p_end.append(start + duration)
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
        self._arrive(Task(person, self.scenario.caseload.review_stage, self.env.now))
        interval = self.package_types[self.p_type[pid]].review_every_weeks * DAYS_PER_WEEK
        self._schedule_review(pid, due + interval)

    # ----- recording ------------------------------------------------------------------

    def _end_of_day(self, day: int) -> None:
        for stage, n in self.waiting.items():
            self.rec.waiting_daily[stage][day] = n

    def _mark_warm_up(self) -> None:
        for stage in self.waiting:
            self._count_waiting(stage, 0)
            self._area_at_warm_up[stage] = self._area[stage]

    def _finish(self) -> Records:
        rec = self.rec
        for stage in self.waiting:
            self._count_waiting(stage, 0)
            rec.waiting_area[stage] = self._area[stage] - self._area_at_warm_up[stage]
            rec.waiting_at_end[stage] = self.waiting[stage]
        for pool in self.pools.values():
            for _, _, _, task in pool.queue:
                if task.arrived >= self.warm_up:
                    rec.work_demanded[self.role_of[task.stage]] += self.mean_work[task.stage]
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
    return Replication(scenario, rep_seed, keep_events, follow_through_days).run()
