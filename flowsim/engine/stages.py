"""Stages during a run: where people wait, are worked on, and are routed onward.

Four kinds of stage:

* ``OneSitting``: a practitioner of the stage's team does the work in one go
  (paused overnight and resumed by the same person), then the person stays
  for the stage's elapsed days (an enablement episode, say) and moves on.
  The front door, duty and screening work like this.
* ``PassThrough``: no practitioner (online self-service); people are routed
  at once.
* ``CaseStage`` (``flowsim.engine.casework``): allocated to a named worker
  under a caseload cap, the work shared with their other open cases over weeks.
* ``ServiceStage`` (``flowsim.engine.service``): no practitioner; people wait
  for one of a provider's places and hold it for the length of the service.

A stage routes each person by its ``Router``. Stages hold their own counters;
the ``Replication`` that owns them schedules events and handles outcomes.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from flowsim.engine.calls import later
from flowsim.engine.streams import BLOCK, generator
from flowsim.engine.rosters import EPSILON
from flowsim.engine.team import HOURS_PER_MINUTE, Team
from flowsim.engine.triage import TriageRules
from flowsim.engine.worktime import work_sampler
from flowsim.scenario.schema import Scenario
from flowsim.units import MINUTES_PER_DAY

if TYPE_CHECKING:
    from flowsim.engine.replication import Replication


NAN = math.nan  # a constant, not float("nan"): a visit is made for every stage a person reaches
INF = math.inf


class Person:
    """Someone who asked for help: ``asked`` is when they first asked (days; negative for people
    already waiting at the start), the clock of the request → completion wait. ``group`` is their
    client group (None if the scenario has none, or not known); ``route`` the key they are routed by."""

    __slots__ = ("id", "source", "package", "asked", "group", "route")

    def __init__(self, id: int, source: str, package: int = -1, asked: float = NAN, group: str | None = None,
                 route: str | None = None):
        self.id, self.source, self.package, self.asked = id, source, package, asked
        self.group, self.route = group, source if route is None else route


class Visit:
    """One person's visit to one stage."""

    __slots__ = ("person", "stage", "arrived", "waited_before", "started", "work", "practitioner", "level",
                 "leave_at", "moves_up_at", "entry")

    def __init__(self, person: Person, stage: "Stage", arrived: float, waited_before: float = 0.0):
        self.person, self.stage, self.arrived, self.waited_before = person, stage, arrived, waited_before
        self.started = NAN
        self.work = NAN
        self.practitioner = -1
        self.level = 0  # triage level, at a triaged stage (``flowsim.engine.triage``)
        self.leave_at = INF  # when they would leave the list unseen, at a triaged stage
        self.moves_up_at = -INF  # at a triaged stage, when their place may next change (TriageRules.priority)
        self.entry = None  # their current entry on the team's list while they wait (``flowsim.engine.team``)


class Router:
    """A stage's onward routes per referral source, chosen by an exponential race.

    Each route has its own stream of standard exponentials E; a person goes to
    the route with the smallest E / share. Each route is then taken with its
    share, and between two scenarios that differ in one share only the people
    who must move, move: raising the hub share takes people from the other
    routes to the hub but never swaps people between the unchanged routes,
    which keeps common random numbers effective (one uniform against
    cumulative shares would reshuffle everyone after the changed route). The
    i-th person at the stage uses the i-th variate of every route's stream;
    choices are worked out a block at a time.
    """

    __slots__ = ("_name", "_seed", "targets", "_index", "_set_of", "_share_sets", "_streams", "_choices", "_next",
                 "counts")

    def __init__(self, name: str, seed: np.random.SeedSequence):
        self._name, self._seed = name, seed
        self.targets: list = []  # every next stage or outcome name any source can take
        self._index: dict[str, int] = {}  # target name -> position in targets
        self._set_of: dict[str, int] = {}  # source -> its share vector in _share_sets
        self._share_sets: list[list[tuple[int, float]]] = []
        self._streams: list[np.random.Generator] = []
        self._choices: list[list[int]] = []
        self._next = BLOCK
        self.counts: dict[str, list[int]] = {}  # source -> people per target

    def connect(self, source: str, targets: list, shares: tuple[float, ...]) -> None:
        pairs = []
        for target, share in zip(targets, shares):
            name = target if type(target) is str else target.name
            if name not in self._index:
                self._index[name] = len(self.targets)
                self.targets.append(target)
            pairs.append((self._index[name], share))
        if pairs not in self._share_sets:
            self._share_sets.append(pairs)
        self._set_of[source] = self._share_sets.index(pairs)
        self.counts[source] = []
        for counts in self.counts.values():  # one count per target, sized as targets are added
            counts.extend([0] * (len(self.targets) - len(counts)))

    def _refill(self) -> None:
        k = len(self.targets)
        if k == 1:
            self._choices = [[0] * BLOCK for _ in self._share_sets]
            return
        if not self._streams:  # one stream per route, keyed by its name: adding a route shifts no other
            self._streams = [generator(self._seed, f"route:{self._name}->{name}") for name in self._index]
        races = np.array([stream.standard_exponential(BLOCK) for stream in self._streams])
        self._choices = []
        for pairs in self._share_sets:
            shares = np.zeros(k)
            for j, share in pairs:
                shares[j] = share
            with np.errstate(divide="ignore"):
                self._choices.append(np.argmin(races / shares[:, None], axis=0).tolist())

    def choose(self, source: str, count: bool):
        i = self._next
        if i == BLOCK:
            self._refill()
            i = 0
        self._next = i + 1
        j = self._choices[self._set_of[source]][i]
        if count:
            self.counts[source][j] += 1
        return self.targets[j]

    def edge_counts(self):
        """(next stage or outcome, people counted) for every route of every source."""
        for counts in self.counts.values():
            yield from zip(self.targets, counts)


class Stage:
    """What every kind of stage has: a name, a router, and counters of arrivals, waits and people waiting."""

    __slots__ = ("name", "sim", "router", "priority", "triage", "arrivals", "left", "waits", "wait_sources",
                 "waiting", "area", "area_since", "area_at_warm_up", "waiting_daily", "bands_daily", "completions")

    team: Team | None = None

    def __init__(self, name: str, sim: "Replication", scenario: Scenario, seed: np.random.SeedSequence, days: int):
        self.name, self.sim = name, sim
        self.router = Router(name, seed)
        self.priority = scenario.network.priorities[name]
        spec = scenario.stages[name]
        self.triage = TriageRules(name, spec, seed) if spec.triage is not None else None
        self.arrivals = 0
        self.left = 0  # people who left the list unseen, in the window (triaged stages)
        self.waits: list[float] = []
        self.wait_sources: list[str] = []
        self.waiting = 0
        self.area = self.area_since = self.area_at_warm_up = 0.0  # ∫ waiting dt
        self.waiting_daily = np.zeros(days)
        self.bands_daily = np.zeros((days, 4))  # people waiting by time waited (records.WAITING_BANDS)
        self.completions: list[float] | None = None  # request → completion days, if this stage reports them

    def count_waiting(self, now: float, change: int) -> None:
        self.area += self.waiting * (now - self.area_since)
        self.area_since = now
        self.waiting += change

    def list_priority(self, visit: Visit, now: float) -> int:
        """Where the visit goes on the team's list: by its source, or by its triage level at a triaged stage."""
        return self.priority[visit.person.source] if self.triage is None else self.triage.priority(visit, now)

    def record_wait(self, visit: Visit, wait: float) -> None:
        self.waits.append(wait)
        self.wait_sources.append(visit.person.source)

    def arrive(self, visit: Visit, now: float) -> None:
        raise NotImplementedError

    @property
    def mean_work(self) -> float:
        return 0.0


class PassThrough(Stage):
    """A stage without practitioners: people are routed the moment they arrive."""

    __slots__ = ()

    def arrive(self, visit: Visit, now: float) -> None:
        sim = self.sim
        if now >= sim.warm_up:
            self.arrivals += 1
        visit.started, visit.work = now, 0.0
        if now >= sim.warm_up:
            self.record_wait(visit, visit.waited_before)
        sim.route(visit, now)


class WorkedStage(Stage):
    """What stages worked by a team have: the team, a work-time stream, and an elapsed stay after the work."""

    __slots__ = ("team", "draw_work", "elapsed", "_mean_work")

    def __init__(self, name: str, sim: "Replication", scenario: Scenario, seed: np.random.SeedSequence, days: int,
                 team: Team):
        super().__init__(name, sim, scenario, seed, days)
        stage = scenario.stages[name]
        self.team = team
        self.draw_work = work_sampler(stage.work, generator(seed, f"work:{name}"))
        self.elapsed = stage.elapsed_days
        self._mean_work = stage.mean_total_minutes

    @property
    def mean_work(self) -> float:
        return self._mean_work


class OneSitting(WorkedStage):
    """A stage whose work one practitioner does in one go, inside rostered hours."""

    __slots__ = ()

    def arrive(self, visit: Visit, now: float) -> None:
        if now >= self.sim.warm_up:
            self.arrivals += 1
        if self.triage is not None:
            self.triage.assign(visit, now)
        team = self.team
        practitioner = team.take_free(now)
        if practitioner >= 0:
            self.start(practitioner, visit, now)
            return
        team.wait(self.list_priority(visit, now), visit.arrived - visit.waited_before, visit)
        self.count_waiting(now, +1)

    def start(self, practitioner: int, visit: Visit, now: float) -> None:
        sim, team = self.sim, self.team
        visit.started = now
        visit.practitioner = practitioner
        visit.work = work = self.draw_work()
        if visit.arrived >= sim.warm_up:
            sim.rec.work_demanded[team.roster.role] += work
        if now >= sim.warm_up:  # inlined record_wait: this is the simulation's hottest path
            self.waits.append(now - visit.arrived + visit.waited_before)
            self.wait_sources.append(visit.person.source)
        work_days = work / MINUTES_PER_DAY
        if now + work_days <= team.shift_end[practitioner]:  # done within today's window: the usual case
            team.busy[team.shift_day] += work * HOURS_PER_MINUTE
            done = now + work_days
        else:
            done = team.work(practitioner, work, now)
        if done < sim.days:
            later(sim.env, done - now, self._work_done, visit)

    def _work_done(self, event) -> None:
        visit: Visit = event.value
        sim = self.sim
        now = sim.env.now
        team, practitioner = self.team, visit.practitioner
        if now < team.shift_end[practitioner] - EPSILON:  # still on duty
            next_from_queue(team, practitioner, now)
        else:
            team.off.append(practitioner)
        leave = visit.started + self.elapsed
        if leave <= now:
            sim.route(visit, now)
        elif leave < sim.days:
            later(sim.env, leave - now, lambda _: sim.route(visit, leave))


def next_from_queue(team: Team, practitioner: int, now: float) -> None:
    """Give a free practitioner the first person waiting for the team, or mark them free."""
    visit = team.next_waiting()
    if visit is None:
        team.free.append(practitioner)
        return
    visit.stage.count_waiting(now, -1)
    visit.stage.start(practitioner, visit, now)


def make_stage(name: str, sim: "Replication", scenario: Scenario, seed: np.random.SeedSequence, days: int,
               teams: dict[str, Team]) -> Stage:
    """The stage of the right kind for the scenario's description of ``name``."""
    stage = scenario.stages[name]
    if stage.kind == "service":
        from flowsim.engine.service import ServiceStage  # service builds on this module
        return ServiceStage(name, sim, scenario, seed, days)
    if stage.role is None:
        return PassThrough(name, sim, scenario, seed, days)
    if stage.kind == "case":
        from flowsim.engine.casework import CaseStage  # casework builds on this module
        return CaseStage(name, sim, scenario, seed, days, teams[stage.role])
    return OneSitting(name, sim, scenario, seed, days, teams[stage.role])
