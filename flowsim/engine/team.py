"""A role's practitioners during a run: who is on shift, who is free, and the queue for them.

Practitioners work inside their roster's windows (``flowsim.engine.rosters``).
A free practitioner found off duty is set aside until the next shift starts.
People waiting for the team queue by priority, then by the time they first
asked for help (so time already waited counts), then in arrival order.

The daily look over a triaged list (``flowsim.engine.triage``) changes few
places a day, so it changes them lazily: someone who left, or whose priority
rose, leaves their old entry in the heap, marked stale (their visit's
``entry`` is no longer it), and a raised priority is pushed as a new entry.
Stale entries are dropped when they reach the head, so the head is always
someone waiting, and the order of service is exactly that of a list rebuilt
each day (the heap's order is a total order on priority, time asked and
sequence). When a quarter of the heap is stale it is compacted.
"""
from __future__ import annotations

import heapq
import math

import numpy as np

from flowsim.engine.rosters import EPSILON, Roster, finish_time
from flowsim.units import HOURS_PER_DAY, MINUTES_PER_DAY

HOURS_PER_MINUTE = HOURS_PER_DAY / MINUTES_PER_DAY


class Team:
    """The practitioners of one role and the people queueing for them."""

    __slots__ = ("roster", "free", "off", "queue", "stale", "watch", "busy", "shift_end", "shift_day", "_seq",
                 "_watch_seq")

    holds_cases = False  # a team of case stages (``flowsim.engine.casework``) holds caseloads instead

    def __init__(self, roster: Roster, days: int):
        self.roster = roster
        self.free: list[int] = []  # free and, when last checked, on duty
        self.off = list(range(roster.practitioners))  # free but off duty until the next shift starts
        self.queue: list = []  # heap of (priority, asked since, sequence, visit), some of them stale
        self.stale: dict[int, tuple] = {}  # id -> entry, for the queue's stale entries (never its head)
        self.watch: list = []  # heap of (when, sequence, visit): when a triaged person may leave or move up
        self.busy = np.zeros(days)  # hours worked, by day
        self.shift_end = [-math.inf] * roster.practitioners  # end of each one's current or last window
        self.shift_day = 0  # the day the current windows started
        self._seq = self._watch_seq = 0

    @property
    def role(self) -> str:
        return self.roster.role

    def take_free(self, now: float) -> int:
        """A free practitioner on duty now, or -1; those found off duty are set aside."""
        free, shift_end = self.free, self.shift_end
        while free:
            practitioner = free.pop()
            if now < shift_end[practitioner] - EPSILON:
                return practitioner
            self.off.append(practitioner)
        return -1

    def wait(self, priority: int, asked_since: float, visit) -> None:
        self._seq += 1
        visit.entry = entry = (priority, asked_since, self._seq, visit)
        heapq.heappush(self.queue, entry)
        if visit.stage.triage is not None:
            self.watch_visit(visit)

    def watch_visit(self, visit) -> None:
        """Look at a triaged person again at the first day's end by which they may leave or move up."""
        when = min(visit.leave_at, visit.moves_up_at)
        if when < math.inf:
            self._watch_seq += 1
            heapq.heappush(self.watch, (when, self._watch_seq, visit))

    def next_waiting(self):
        """The first visit in the queue, taken off it; None if nobody waits."""
        queue = self.queue
        if not queue:
            return None
        visit = heapq.heappop(queue)[3]
        visit.entry = None
        if self.stale:
            self.drop_stale_head()
        return visit

    def mark_stale(self, entry: tuple) -> None:
        """``entry`` no longer stands for someone waiting (they left, or are listed again higher up)."""
        self.stale[id(entry)] = entry

    def drop_stale_head(self) -> None:
        """Take stale entries off the head of the queue, so that its head is someone waiting;
        compact the queue if a quarter of it is stale."""
        queue, stale = self.queue, self.stale
        while queue and id(queue[0]) in stale:
            del stale[id(heapq.heappop(queue))]
        if 4 * len(stale) > len(queue):
            queue[:] = self.waiting()
            heapq.heapify(queue)
            stale.clear()

    def waiting(self) -> list:
        """The queue's entries for people still waiting (in heap order, not sorted)."""
        stale = self.stale
        return [entry for entry in self.queue if id(entry) not in stale] if stale else self.queue

    def waiting_count(self) -> int:
        return len(self.queue) - len(self.stale)

    def work(self, practitioner: int, minutes: float, now: float) -> float:
        """Book ``minutes`` of the practitioner's time from ``now``; when it is done (inf: never)."""
        work_days = minutes / MINUTES_PER_DAY
        if now + work_days <= self.shift_end[practitioner]:  # done within today's window: the usual case
            self.busy[self.shift_day] += minutes * HOURS_PER_MINUTE
            return now + work_days
        return finish_time(self.roster, practitioner, now, work_days, self.busy)

    def start_shift(self, now: float) -> list[int]:
        """Open everyone's window for today; the free practitioners, ready for work."""
        self.shift_end = [now + length for length in self.roster.lengths]
        self.shift_day = int(now)
        ready = self.free + self.off
        self.free, self.off = [], []
        return ready
