"""Simulations for the app's sessions on a shared server: limits, the shared cache, the shared pool.

Many people use one server, so:

- a run's work is limited (people simulated = contacts and other new work in
  the horizon × replications); above the limit it is refused with a message,
  and above a smaller one it waits for the Run button instead of starting on
  every slider move;
- each run goes to the shared worker pool through its session's own lane: runs
  take turns replication by replication, and a session's new run cancels what
  its previous one still had queued (``flowsim.fair_pool``);
- finished runs are kept once for every session, bounded by count and by size,
  holding only the detail the app shows.
"""
from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from concurrent.futures import CancelledError
from typing import Callable, Hashable

import pandas as pd

from flowsim.engine import Results, run
from flowsim.errors import RunFailed
from flowsim.format import number
from flowsim.runner import shared_pool
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_YEAR

MIB = 1024 * 1024
# Limits of the app on a shared server, not of the model (the CLI has none of these); chosen so
# that the slider maxima for the shipped scenarios fit, and an hour-long run does not.
MAX_RUN_PEOPLE = 3_000_000  # about 2 minutes of both workers of an idle 2-core server (~25,000 people a second each)
MAX_REPLICATION_PEOPLE = 250_000  # one replication holds a worker ≤ ~20 s, so other sessions' turns come soon
AUTO_RUN_PEOPLE = 400_000  # runs above this wait for the Run button
CACHED_RUNS = 24
CACHE_BYTES = 400 * MIB  # the finished runs kept for all sessions, at most

EVENT_COLUMNS_SHOWN = ["run", "stage", "wait"]  # the app's wait distribution; the rest of the event log is not shown


class Superseded(Exception):
    """A run given up because its session asked for a newer one."""


def people_per_replication(scenario: Scenario) -> float:
    """Contacts and other new work arriving over the horizon, with the growth at its end (an upper bound)."""
    years = scenario.time.horizon_days / DAYS_PER_YEAR
    demand = scenario.demand
    per_year = demand.contacts_per_year + sum(w.per_year for w in demand.workstreams.values())
    growth = max([demand.annual_growth, *(demand.group_growth(g) for g in demand.groups)])  # the fastest
    return per_year * years * max(1.0, 1.0 + growth) ** years


def run_people(scenario: Scenario, reps: int) -> float:
    """The work of one run: people simulated over all its replications."""
    return people_per_replication(scenario) * reps


def refusal(scenario: Scenario, reps: int) -> str | None:
    """Why this run is too big for a shared server, or None if it is not."""
    one, total = people_per_replication(scenario), run_people(scenario, reps)
    if one > MAX_REPLICATION_PEOPLE:
        return (f"{scenario.name}: one replication of {number(scenario.time.horizon_days)} days simulates about "
                f"{number(one, decimals=0)} people; the app runs at most {number(MAX_REPLICATION_PEOPLE)} per "
                "replication. Simulate fewer days here, or the whole horizon with the command line (flowsim run).")
    if total > MAX_RUN_PEOPLE:
        return (f"{scenario.name}: {reps} replications of {number(scenario.time.horizon_days)} days simulate about "
                f"{number(total, decimals=0)} people; the app runs at most {number(MAX_RUN_PEOPLE)} per side. "
                "Use fewer replications or days here, or the command line (flowsim run) for this run.")
    return None


def needs_the_run_button(scenarios: list[Scenario], reps: int) -> bool:
    """A run big enough that it should not start on every slider move."""
    return sum(run_people(s, reps) for s in scenarios) > AUTO_RUN_PEOPLE


def simulate_side(scenario: Scenario, reps: int, seed: int, session: str,
                  progress: Callable[[int], None] | None = None) -> Results:
    """One side's replications on the shared pool, in this session's lane, trimmed to what the app shows.

    Raises RunFailed if the run is refused or cannot finish, Superseded if a newer run
    of the session took its place."""
    reason = refusal(scenario, reps)
    if reason:
        raise RunFailed(reason)
    lane = shared_pool().lane(session)
    try:
        results = run(scenario, reps=reps, seed=seed, detail=True, progress=progress, runner=lane)
    except CancelledError:
        raise Superseded from None
    except MemoryError:
        raise RunFailed("the server ran out of memory for this run; use fewer replications or days") from None
    finally:
        lane.close()  # if the run was interrupted (the page changed or closed), its queued tasks go
    return shown_detail(results)


def shown_detail(results: Results) -> Results:
    """The results without the detail the app does not show: the package ledger and most of the event log."""
    events = results.events
    if events is not None:
        events = events[[c for c in EVENT_COLUMNS_SHOWN if c in events.columns]].copy()
        events["stage"] = events["stage"].astype("category")
    series = results.timeseries
    if series is not None:
        series = series.astype({c: "category" for c in ("measure", "name") if c in series.columns})
    return dataclasses.replace(results, events=events, timeseries=series, packages=None)


def size_of(results: Results) -> int:
    """Bytes held by a run's tables (an estimate that counts strings and categories)."""
    frames = (results.kpis, results.events, results.timeseries, results.packages)
    return int(sum(f.memory_usage(deep=True).sum() for f in frames if isinstance(f, pd.DataFrame)))


class RunCache:
    """Finished runs shared by every session, least recently used dropped first, bounded by count and bytes."""

    def __init__(self, max_entries: int = CACHED_RUNS, max_bytes: int = CACHE_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._runs: OrderedDict[Hashable, tuple[Results, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Results | None:
        with self._lock:
            if key not in self._runs:
                return None
            self._runs.move_to_end(key)
            return self._runs[key][0]

    def put(self, key: Hashable, results: Results) -> None:
        """Keep ``results``; older runs go until both bounds hold (the newest stays even if it alone is over)."""
        size = size_of(results)
        with self._lock:
            self._runs[key] = (results, size)
            self._runs.move_to_end(key)
            while len(self._runs) > 1 and (len(self._runs) > self.max_entries or self.bytes() > self.max_bytes):
                self._runs.popitem(last=False)

    def bytes(self) -> int:
        return sum(size for _, size in self._runs.values())

    def __len__(self) -> int:
        return len(self._runs)

