"""Service stages: provider capacity, the places a service can hold at once.

Reablement has so many places, a care home so many beds, the home-care
market so many packages it can pick up. A person arriving at a service stage
waits for a free place (in priority order, then the time they first asked for
help, then arrival, as at a team's queue: hospital discharges can go first),
holds it for the length of the service (the stage's ``elapsed_days``, fixed
or exponential with that mean), and is then routed on, freeing the place for
the next person waiting. Nobody works at the stage, so it takes no
practitioner time. Its wait is request → service start.
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import TYPE_CHECKING

import numpy as np

from flowsim.engine.calls import later
from flowsim.engine.stages import Stage, Visit
from flowsim.engine.streams import exponentials, generator
from flowsim.scenario.schema import Scenario

if TYPE_CHECKING:
    from flowsim.engine.replication import Replication


class ServiceStage(Stage):
    """A stage of ``places`` places, each held by one person for the length of their service."""

    __slots__ = ("places", "used", "queue", "used_area", "used_since", "used_at_warm_up", "_length", "_seq")

    def __init__(self, name: str, sim: "Replication", scenario: Scenario, seed: np.random.SeedSequence, days: int):
        super().__init__(name, sim, scenario, seed, days)
        stage = scenario.stages[name]
        self.places = stage.service.places
        self.used = 0
        self.queue: list = []  # heap of (priority, asked since, sequence, visit)
        self.used_area = self.used_since = self.used_at_warm_up = 0.0  # ∫ places used dt
        if stage.service.duration == "exponential":
            self._length = exponentials(generator(seed, f"service:{name}"), stage.elapsed_days)
        else:
            length = stage.elapsed_days
            self._length = lambda: length
        self._seq = 0

    def count_used(self, now: float, change: int) -> None:
        self.used_area += self.used * (now - self.used_since)
        self.used_since = now
        self.used += change

    def arrive(self, visit: Visit, now: float) -> None:
        if now >= self.sim.warm_up:
            self.arrivals += 1
        if self.used < self.places and not self.queue:
            self.start(visit, now)
            return
        self._seq += 1
        heappush(self.queue, (self.priority[visit.person.source], visit.arrived - visit.waited_before, self._seq, visit))
        self.count_waiting(now, +1)

    def start(self, visit: Visit, now: float) -> None:
        sim = self.sim
        visit.started, visit.work = now, 0.0
        if now >= sim.warm_up:
            self.record_wait(visit, now - visit.arrived + visit.waited_before)
        self.count_used(now, +1)
        end = now + self._length()
        if end < sim.days:
            later(sim.env, end - now, self._ended, visit)

    def _ended(self, event) -> None:
        visit: Visit = event.value
        now = self.sim.env.now
        self.count_used(now, -1)
        if self.queue:
            waiting = heappop(self.queue)[3]
            self.count_waiting(now, -1)
            self.start(waiting, now)
        self.sim.route(visit, now)

    def mark_warm_up(self, now: float) -> None:
        self.count_used(now, 0)
        self.used_at_warm_up = self.used_area
