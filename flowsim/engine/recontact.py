"""Failure demand: people closed at a stage who come back as a new contact.

A front door that closes more contacts with advice is not free if some of
those people ask again. Each stage with a ``recontact`` block decides, for
everyone it closes, whether they return (their own random stream, so every
other draw of the run is unchanged: common random numbers hold, and a share
of 0 gives exactly the run without re-contact), and when, evenly within the
window. Returns after the horizon are not simulated, like contacts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from flowsim.engine.calls import later
from flowsim.engine.stages import Person, Visit
from flowsim.engine.streams import generator, uniforms
from flowsim.scenario.work import Recontact

if TYPE_CHECKING:
    from flowsim.engine.replication import Replication


class Recontacts:
    """One stage's returns: who comes back, when, and how many came back in the window."""

    __slots__ = ("sim", "share", "within", "to", "_returns", "_delay", "count")

    def __init__(self, sim: "Replication", stage: str, spec: Recontact, seed: np.random.SeedSequence):
        self.sim, self.share, self.within, self.to = sim, spec.share, spec.within_days, sim.stages[spec.to]
        self._returns = uniforms(generator(seed, f"recontact:{stage}"))
        self._delay = uniforms(generator(seed, f"recontact:{stage}:delay"))
        self.count = 0

    def closed(self, person: Person, now: float) -> None:
        """``person`` left the stage to a closed outcome at ``now``: maybe schedule their return."""
        if self._returns() >= self.share:
            return
        when = now + self._delay() * self.within
        if when < self.sim.horizon_end:
            later(self.sim.env, when - now, lambda _: self._back(person, when))

    def _back(self, before: Person, when: float) -> None:
        sim = self.sim
        if when >= sim.warm_up:
            self.count += 1
        person = Person(sim._new_id(), before.source, asked=when, group=before.group, route=before.route)
        self.to.arrive(Visit(person, self.to, when), sim.env.now)
