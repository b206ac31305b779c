"""Case stages: a person is allocated to a named worker under a caseload cap, and the work is spread over weeks.

This is how a Care Act assessment really goes. The person waits on the
team's allocation list until a practitioner has room on their caseload
(open cases' weights + this case's weight ≤ their cap; a part-time
practitioner's cap scales with their FTE, at least 1). Allocation is a
manager's decision, made at any hour, to the practitioner with the lowest
load (ties: the lowest index); the list is served in order (priority, then
time first asked, then arrival), and a first case that fits nobody holds the
others back, so heavy cases are never passed over for ever.

Once allocated, the case's practitioner minutes are done by egalitarian
processor sharing of the practitioner's rostered working time: while n of
their open cases still have work left, each gets 1/n of their working time,
and no work is done outside their windows. The case closes when its work is
done and ``min_open_days`` have passed since allocation; closing frees room
on the caseload for the next person on the list.

Processor sharing is computed exactly on each practitioner's *working
clock* W(t), their rostered time worked up to t: in W, the shared server
works without pauses, so the usual virtual-time method applies. Each case
gets a finish tag V + work when allocated, where V is the work every active
case has received so far (V grows at dW/n); the case with the smallest tag
finishes first, at the working time W + (tag − V)·n, turned back into a
date through the roster. Each practitioner has one live completion event.
A new case usually delays the next completion: the event is then left in
place and marked late, and when it fires it is put off to the recomputed
time. A new case short enough to finish first replaces the event (a version
number makes the replaced one a no-op). Events stay few: about one a
completion, plus one for each spell in which new cases arrived.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING

import numpy as np

from flowsim.engine.calls import later
from flowsim.engine.rosters import EPSILON, Roster, practitioner_split
from flowsim.engine.stages import Visit, WorkedStage
from flowsim.engine.team import Team
from flowsim.scenario.schema import Scenario
from flowsim.units import HOURS_PER_DAY, MINUTES_PER_DAY

if TYPE_CHECKING:
    from flowsim.engine.replication import Replication


def practitioner_caps(scenario: Scenario, role: str, roster: Roster) -> list[float]:
    """Each practitioner's caseload cap: the role's cap, scaled by FTE for the part-time one, at least 1."""
    cap = next(s.case.caseload_cap for s in scenario.stages.values() if s.role == role and s.kind == "case")
    full, part = practitioner_split(scenario.roles[role].fte_in_post)
    return [cap if i < full else max(1.0, part * cap) for i in range(roster.practitioners)]


class CaseTeam(Team):
    """A role whose practitioners hold caseloads and share their working time among their open cases."""

    __slots__ = ("sim", "caps", "load", "open", "open_total", "virtual", "clock", "active", "due", "late", "version",
                 "batch",
                 "area", "area_since", "area_at_warm_up", "open_daily", "_case_seq", "_full_cap", "_smaller",
                 "_by_load")

    holds_cases = True

    def __init__(self, roster: Roster, days: int, caps: list[float], sim: "Replication"):
        super().__init__(roster, days)
        n = roster.practitioners
        self.off = []  # nobody waits for a shift: allocation happens at any time
        self.sim = sim
        self.caps = caps
        self.load = [0.0] * n  # weight of each one's open cases
        self.open = [0] * n  # open cases, with work left or waiting to close
        self.open_total = 0
        self.virtual = [0.0] * n  # work (days) each of one's active cases has received
        self.clock = [0.0] * n  # one's working time (days) at the last update
        self.active: list[list] = [[] for _ in range(n)]  # heap of (finish tag, sequence, visit): work left
        self.due = [math.inf] * n  # when each one's pending completion event fires (inf: none pending)
        self.late = [False] * n  # cases were added since it was scheduled: it fires early and is put off
        self.version = [0] * n  # of the pending event; a replaced one finds a newer version and does nothing
        self.batch = -1  # the practitioner whose completion is being handled: reschedule once, at the end
        self.area = self.area_since = self.area_at_warm_up = 0.0  # ∫ open cases dt, all practitioners
        self.open_daily = np.zeros(days)
        self._case_seq = 0
        # Who has the most room, in O(log n): full-timers (one cap) in a heap of (load, index) whose
        # stale entries are skipped; the part-time practitioner, with a smaller cap, checked apart.
        self._full_cap = max(caps, default=0.0)
        self._smaller = [p for p, cap in enumerate(caps) if cap < self._full_cap]
        self._by_load = [(0.0, p) for p, cap in enumerate(caps) if cap == self._full_cap]

    def start_shift(self, now: float) -> list[int]:
        return []  # work follows the roster through the working clock; shifts need no events

    # ----- the caseload ---------------------------------------------------------------

    def choose(self, weight: float) -> int:
        """The practitioner with the lowest load who has room for ``weight`` (ties: the lowest index), or -1."""
        load, by_load = self.load, self._by_load
        while by_load and by_load[0][0] != load[by_load[0][1]]:
            heappop(by_load)  # a load that has changed since
        best = by_load[0][1] if by_load and by_load[0][0] + weight <= self._full_cap + EPSILON else -1
        for p in self._smaller:
            if load[p] + weight <= self.caps[p] + EPSILON and (
                    best < 0 or load[p] < load[best] or (load[p] == load[best] and p < best)):
                best = p
        return best

    def _set_load(self, practitioner: int, value: float) -> None:
        self.load[practitioner] = value
        if self.caps[practitioner] == self._full_cap:
            if len(self._by_load) > 8 * len(self.load):  # mostly stale: rebuild from the loads now
                self._by_load = [(load, p) for p, load in enumerate(self.load) if self.caps[p] == self._full_cap]
                heapify(self._by_load)
            else:
                heappush(self._by_load, (value, practitioner))

    def allocate_waiting(self, now: float) -> None:
        """Allocate people from the list, in order, while the first one fits someone's caseload."""
        queue = self.queue
        while queue:
            visit = queue[0][3]
            practitioner = self.choose(visit.stage.weight)
            if practitioner < 0:
                return
            heappop(queue)
            visit.entry = None
            if self.stale:
                self.drop_stale_head()
            visit.stage.count_waiting(now, -1)
            visit.stage.allocate(practitioner, visit, now)

    def _count_open(self, now: float, change: int) -> None:
        self.area += self.open_total * (now - self.area_since)
        self.area_since = now
        self.open_total += change

    def take(self, practitioner: int, visit: Visit, weight: float, work_minutes: float, now: float) -> None:
        """Add a newly allocated case to the practitioner's caseload and to the cases they share time among."""
        self._set_load(practitioner, self.load[practitioner] + weight)
        self.open[practitioner] += 1
        self.area += self.open_total * (now - self.area_since)
        self.area_since = now
        self.open_total += 1
        self._advance(practitioner, now)
        self._case_seq += 1
        tag = self.virtual[practitioner] + work_minutes / MINUTES_PER_DAY
        heappush(self.active[practitioner], (tag, self._case_seq, visit))
        if practitioner == self.batch:
            return  # rescheduled once the completion being handled is done
        if self.due[practitioner] < math.inf and self._next_completion(practitioner) >= self.due[practitioner]:
            self.late[practitioner] = True  # the next completion is delayed: put the pending event off when it fires
        else:
            self._reschedule(practitioner, now)  # none pending, or the new case is short and finishes first

    def release(self, practitioner: int, weight: float, now: float) -> None:
        """A case closes: its weight leaves the caseload."""
        self._set_load(practitioner, max(0.0, self.load[practitioner] - weight))
        self.open[practitioner] -= 1
        self.area += self.open_total * (now - self.area_since)
        self.area_since = now
        self.open_total -= 1

    # ----- processor sharing on the working clock ---------------------------------------

    def worked(self, practitioner: int, t: float) -> float:
        """W(t): the practitioner's rostered working time (days) from the start to ``t``."""
        starts, length = self.roster.starts, self.roster.lengths[practitioner]
        k = bisect_right(starts, t) - 1
        if k < 0:
            return 0.0
        return k * length + min(t - starts[k], length)

    def when_worked(self, practitioner: int, w: float) -> float:
        """The earliest date by which the practitioner has worked ``w`` days (inf: beyond the roster)."""
        starts, length = self.roster.starts, self.roster.lengths[practitioner]
        k = int(w / length)
        rest = w - k * length
        if rest <= EPSILON and k > 0:  # at a window's end, not the next one's start
            k, rest = k - 1, length
        return starts[k] + rest if k < len(starts) else math.inf

    def _advance(self, practitioner: int, now: float) -> None:
        """Bring the practitioner's virtual time and hours worked up to ``now``."""
        starts, length = self.roster.starts, self.roster.lengths[practitioner]
        k = bisect_right(starts, now) - 1  # W(now), as in ``worked``, inlined: this runs at every change
        w = k * length + min(now - starts[k], length) if k >= 0 else 0.0
        last = self.clock[practitioner]
        if w > last:
            n = len(self.active[practitioner])
            if n:
                self.virtual[practitioner] += (w - last) / n
                if last >= k * length:  # all within the current window: the usual case
                    self.busy[int(starts[k])] += (w - last) * HOURS_PER_DAY
                else:
                    self._book(practitioner, last, w)
            self.clock[practitioner] = w

    def _book(self, practitioner: int, w0: float, w1: float) -> None:
        """Record working time w0..w1 (busy all through) as hours worked on the days of its windows."""
        starts, length, busy = self.roster.starts, self.roster.lengths[practitioner], self.busy
        k = int(w0 / length)
        while w0 < w1 and k < len(starts):
            upto = min(w1, (k + 1) * length)
            if upto > w0:
                busy[int(starts[k])] += (upto - w0) * HOURS_PER_DAY
                w0 = upto
            k += 1

    def _next_completion(self, practitioner: int) -> float:
        """When the first of the practitioner's active cases will be done, as things stand."""
        active = self.active[practitioner]
        w_done = self.clock[practitioner] + (active[0][0] - self.virtual[practitioner]) * len(active)
        return self.when_worked(practitioner, w_done)

    def _reschedule(self, practitioner: int, now: float) -> None:
        """Schedule the practitioner's next completion; any pending one is replaced."""
        self.version[practitioner] += 1
        self.late[practitioner] = False
        if not self.active[practitioner]:
            self.due[practitioner] = math.inf
            return
        done = self.due[practitioner] = self._next_completion(practitioner)
        sim = self.sim
        if done < sim.days:
            later(sim.env, max(done - now, 0.0), self._work_done, (practitioner, self.version[practitioner]))

    def _work_done(self, event) -> None:
        practitioner, version = event.value
        if version != self.version[practitioner]:
            return  # replaced by an earlier completion
        now = self.sim.env.now
        self.due[practitioner] = math.inf
        self._advance(practitioner, now)
        if self.late[practitioner]:  # cases were added since: the first one is not done yet
            self._reschedule(practitioner, now)
            return
        active = self.active[practitioner]
        # The first case is done (this event was scheduled for it); rounding may leave V a hair short.
        virtual = self.virtual[practitioner] = max(self.virtual[practitioner], active[0][0])
        finished = []
        while active and active[0][0] <= virtual + EPSILON:
            finished.append(heappop(active)[2])
        self.batch = practitioner
        try:
            for visit in finished:
                visit.stage.work_finished(visit, now)
        finally:
            self.batch = -1
        self._reschedule(practitioner, now)

    # ----- recording ------------------------------------------------------------------

    def mark_warm_up(self, now: float) -> None:
        self._count_open(now, 0)
        self.area_at_warm_up = self.area

    def end_of_day(self, day: int) -> None:
        self.open_daily[day] = self.open_total

    def close_books(self, now: float) -> None:
        """Bring every practitioner's hours and the open-case area up to the end of the run."""
        for practitioner in range(self.roster.practitioners):
            self._advance(practitioner, now)
        self._count_open(now, 0)


class CaseStage(WorkedStage):
    """A stage whose people wait for allocation, then stay open on a practitioner's caseload until closed."""

    __slots__ = ("weight", "min_open", "open_days")

    def __init__(self, name: str, sim: "Replication", scenario: Scenario, seed: np.random.SeedSequence, days: int,
                 team: CaseTeam):
        super().__init__(name, sim, scenario, seed, days, team)
        case = scenario.stages[name].case
        self.weight = case.weight
        self.min_open = case.min_open_days
        self.open_days: list[float] = []  # allocation → close, for cases closed in the window

    def arrive(self, visit: Visit, now: float) -> None:
        if now >= self.sim.warm_up:
            self.arrivals += 1
        if self.triage is not None:
            self.triage.assign(visit, now)
        team = self.team
        if not team.queue:
            practitioner = team.choose(self.weight)
            if practitioner >= 0:
                self.allocate(practitioner, visit, now)
                return
        team.wait(self.list_priority(visit, now), visit.arrived - visit.waited_before, visit)
        self.count_waiting(now, +1)
        if len(team.queue) > 1:  # it may now head the list with a lighter case than the one held back
            team.allocate_waiting(now)

    def open_at_start(self, visit: Visit, opened_days: float, work_left: float) -> None:
        """A case already open at the start: allocated ``opened_days`` ago, ``work_left`` minutes still to do.

        It goes to the practitioner with the lowest load who has room; with no
        room it waits on the list like any arrival (and is worked from scratch
        once allocated). Its time already open counts towards ``min_open_days``
        and the days open."""
        self.arrivals += 1
        if self.triage is not None:
            self.triage.assign(visit, visit.arrived)
        team = self.team
        practitioner = -1 if team.queue else team.choose(self.weight)
        if practitioner < 0:
            team.wait(self.list_priority(visit, visit.arrived), visit.arrived, visit)
            self.count_waiting(visit.arrived, +1)
            return
        visit.started = visit.arrived - opened_days
        visit.practitioner = practitioner
        visit.work = work_left
        self.sim.rec.work_demanded[team.role] += work_left
        team.take(practitioner, visit, self.weight, work_left, visit.arrived)

    def allocate(self, practitioner: int, visit: Visit, now: float) -> None:
        sim = self.sim
        visit.started = now
        visit.practitioner = practitioner
        visit.work = work = self.draw_work()
        if visit.arrived >= sim.warm_up:
            sim.rec.work_demanded[self.team.role] += work
        if now >= sim.warm_up:
            self.record_wait(visit, now - visit.arrived + visit.waited_before)
        self.team.take(practitioner, visit, self.weight, work, now)

    def work_finished(self, visit: Visit, now: float) -> None:
        """The practitioner's work on the case is done; it closes now or once it has been open long enough."""
        close = visit.started + self.min_open
        if close <= now:
            self.close(visit, now)
        elif close < self.sim.days:
            later(self.sim.env, close - now, self._close_event, visit)

    def _close_event(self, event) -> None:
        self.close(event.value, self.sim.env.now)

    def close(self, visit: Visit, now: float) -> None:
        sim, team = self.sim, self.team
        team.release(visit.practitioner, self.weight, now)
        if now >= sim.warm_up:
            self.open_days.append(now - visit.started)
        team.allocate_waiting(now)
        leave = visit.started + self.elapsed
        if leave <= now:
            sim.route(visit, now)
        elif leave < sim.days:
            later(sim.env, leave - now, lambda _: sim.route(visit, leave))
