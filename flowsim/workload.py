"""How much work a run will be, known before it starts, and the line above which it must be asked for.

The expected flows (``flowsim.analytic``) say how many people pass through
each stage a year; times the years simulated and the replications, that is
the number of stage visits the simulation will make, and the memory it will
hold. A run above the limits is refused with the estimate and how to proceed
(``--allow-large`` in the CLI); the app refuses it outright. The constants
were measured on flowsim's own scenarios (see BENCHMARKS.md, "Work estimate").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from flowsim.analytic import expected_flows
from flowsim.calendar import simulated_days
from flowsim.errors import FlowsimError
from flowsim.format import number
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_YEAR

# Measured: a replication holds about 2 kB per stage visit while it runs (people, visits, records) and
# 0.5 kB per package; the detailed tables (run --out) keep about 400 bytes per event row and 100 per
# row of daily series, for every replication, until they are written.
BYTES_PER_VISIT = 2_000
BYTES_PER_PACKAGE = 500
BYTES_PER_EVENT_ROW = 400
BYTES_PER_SERIES_ROW = 100
SECONDS_PER_VISIT = 30e-6  # one quiet core: a Barnet year with case stages (about 31,000 visits) takes about 1.1 s

# Above these a run needs confirming (--allow-large): about 25 minutes on one quiet core, or 2 GB of memory.
MAX_VISITS = 50_000_000
MAX_MEMORY_BYTES = 2_000_000_000


class RunTooLarge(FlowsimError):
    """A run whose estimated work is above the limits, not confirmed."""


@dataclass(frozen=True)
class WorkEstimate:
    """The expected size of a run: stage visits (the unit of work) and the memory held at most."""

    visits: float  # over all replications and scenarios
    memory_bytes: float  # at the peak: the replications running at once, plus detailed tables kept
    replications: int

    @property
    def seconds_on_one_core(self) -> float:
        return self.visits * SECONDS_PER_VISIT

    @property
    def too_large(self) -> bool:
        return self.visits > MAX_VISITS or self.memory_bytes > MAX_MEMORY_BYTES

    def describe(self) -> str:
        seconds = self.seconds_on_one_core
        took = (f"{number(seconds, decimals=0)} seconds" if seconds < 120
                else f"{number(seconds / 60, decimals=0)} minutes")
        return (f"about {number(self.visits, decimals=0)} stage visits over {self.replications:,} replications "
                f"(roughly {took} on one core) and {number(self.memory_bytes / 1e6, decimals=0)} MB of memory")

    def __add__(self, other: "WorkEstimate") -> "WorkEstimate":
        return WorkEstimate(self.visits + other.visits, max(self.memory_bytes, other.memory_bytes),
                            self.replications + other.replications)


def estimate_work(scenario: Scenario, reps: int = 1, *, detail: bool = False, processes: int = 1) -> WorkEstimate:
    """The expected work of ``reps`` replications of ``scenario`` (``detail``: with events and daily series
    kept, as ``run --out`` and the app do), ``processes`` running at once."""
    flows = expected_flows(scenario)
    days = simulated_days(scenario)
    years = days / DAYS_PER_YEAR
    workstreams = sum(flows.workstreams.values())
    visits = (sum(flows.stages.values()) + workstreams) * years
    visits += sum(w.count for w in scenario.waiting_list.values()) + sum(c.count for c in scenario.open_cases.values())
    packages = sum(scenario.caseload.packages.values()) + sum(flows.outcomes.get(o, 0.0)
                                                              for o in scenario.package_outcomes()) * years
    running = visits * BYTES_PER_VISIT + packages * BYTES_PER_PACKAGE
    kept = 0.0
    if detail:
        series_per_day = 5 * len(scenario.stages) + 2 * len(scenario.roles) + len(scenario.package_outcomes())
        kept = visits * BYTES_PER_EVENT_ROW + days * series_per_day * BYTES_PER_SERIES_ROW
    at_once = max(1, min(processes, reps))
    return WorkEstimate(visits=visits * reps, memory_bytes=at_once * running + reps * kept, replications=reps)


def total(estimates: Iterable[WorkEstimate]) -> WorkEstimate:
    """Several runs' estimates as one (a comparison, a sweep)."""
    estimates = list(estimates)
    combined = estimates[0]
    for more in estimates[1:]:
        combined = combined + more
    return combined


def refuse_if_large(estimate: WorkEstimate, allow_large: bool = False, how: str = "add --allow-large") -> None:
    """Raise RunTooLarge when the run is above the limits and not confirmed."""
    if allow_large or not estimate.too_large:
        return
    limits = (f"the limits are {number(MAX_VISITS, decimals=0)} stage visits and "
              f"{number(MAX_MEMORY_BYTES / 1e6, decimals=0)} MB")
    raise RunTooLarge(f"this run would take {estimate.describe()}; {limits}. Use fewer replications, a shorter "
                      f"horizon or less demand, or {how} to run it anyway")
