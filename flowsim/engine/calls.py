"""Timed calls on simpy's event queue, lighter than simpy's own timeouts.

Every event in a run is a callback at a time. simpy's ``Timeout`` builds a
whole event for each (checks, an environment, a value, a delay); a ``Call``
holds only what ``Environment.step`` reads (its callbacks, that it
succeeded) and the value handed to the callback. It goes on the queue with
the key a timeout would get (time, normal priority, the next event id), so
events run in the same order as with timeouts.
"""
from __future__ import annotations

from heapq import heappush
from typing import Any, Callable

import simpy
from simpy.events import NORMAL


class Call:
    """A callback due at a time: what simpy's event loop needs of an event, and a value."""

    __slots__ = ("callbacks", "value", "_ok")

    def __init__(self, callback: Callable[["Call"], None], value: Any):
        self.callbacks = [callback]
        self.value = value
        self._ok = True


def later(env: simpy.Environment, delay: float, callback: Callable[[Call], None], value: Any = None) -> None:
    """Call ``callback(call)`` ``delay`` days from now; ``call.value`` is ``value``."""
    if delay < 0:
        raise ValueError(f"negative delay {delay}")
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), Call(callback, value)))
