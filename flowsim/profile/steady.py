"""Is the baseline in balance? Starts of packages needed to hold the caseload against starts the flow makes.

A package type with N packages running and mean duration d (weeks) loses about
N / d a week; to hold N, the flow must start as many. The flow's starts come
from the analytic expected flows (contacts, workstreams and reviews). Durations
are exponential, so with λ starts a year the expected caseload after T years is
N·e^(−T/D) + λ·D·(1 − e^(−T/D)) (D the duration in years), heading for λ·D.
A type whose starts fall short drains; one whose starts exceed the need
balloons; either way every multi-year comparison inherits the drift.

The expected flows count every start the routes imply, as if nobody waited.
Where practitioners cannot do all the work, people leave the lists unseen and
reviews fall overdue, so fewer packages start: after a run, the same balance
with the simulation's own starts (``simulated_steady_state``) says what the
run did.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from flowsim.analytic import ExpectedFlows, expected_flows
from flowsim.format import money, number, share
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_WEEK, DAYS_PER_YEAR

WEEKS_PER_YEAR = DAYS_PER_YEAR / DAYS_PER_WEEK

TOLERANCE = 0.10  # starts within 10% of the need hold the caseload (the year-to-year noise of a council's counts)
MIN_PACKAGES = 25  # a drift smaller than this many packages over the horizon is not worth a warning


@dataclass(frozen=True)
class PackageBalance:
    """One package type: its caseload at the start, the starts it needs a year and the starts it gets."""

    package: str
    label: str
    active: float
    mean_duration_weeks: float
    starts_needed: float  # a year, to hold ``active``
    starts_flow: float  # a year, from the expected flows (or the simulation: ``basis``)
    expected_at_end: float  # packages running at the end of the horizon
    weekly_cost: float
    basis: str = "the flow"  # what made the starts: "the flow" (expected flows) or "the simulation"

    @property
    def steady_caseload(self) -> float:
        """The caseload the flow heads for: starts a year × mean duration in years."""
        return self.starts_flow * self.mean_duration_weeks / WEEKS_PER_YEAR

    @property
    def ratio(self) -> float:
        """Starts made per start needed (1: holds)."""
        return self.starts_flow / self.starts_needed if self.starts_needed else math.inf if self.starts_flow else 1.0

    @property
    def status(self) -> str:
        if abs(self.expected_at_end - self.active) < MIN_PACKAGES or abs(self.ratio - 1) <= TOLERANCE:
            return "holds"
        return "drains" if self.ratio < 1 else "balloons"

    def message(self, horizon_days: float) -> str:
        years = horizon_days / DAYS_PER_YEAR
        return (f"{self.label}: {number(self.starts_needed, decimals=0)} starts a year needed to hold "
                f"{number(self.active, decimals=0)} packages (mean {number(self.mean_duration_weeks, decimals=0)} "
                f"weeks); {self.basis} starts {number(self.starts_flow, decimals=0)} ({share(self.ratio)} of the need), "
                f"so the caseload {self.status} to about {number(self.expected_at_end, decimals=0)} in "
                f"{number(years, decimals=1)} years (it heads for {number(self.steady_caseload, decimals=0)})")

    def to_dict(self) -> dict:
        return {"package": self.package, "active": self.active, "mean_duration_weeks": self.mean_duration_weeks,
                "starts_needed_per_year": self.starts_needed, "starts_flow_per_year": self.starts_flow,
                "ratio": self.ratio if math.isfinite(self.ratio) else None,
                "expected_at_end": self.expected_at_end, "steady_caseload": self.steady_caseload,
                "status": self.status, "basis": self.basis}


@dataclass(frozen=True)
class SteadyState:
    """The balance of every package type, and the weekly package spend at the start and the end."""

    scenario: str
    horizon_days: float
    packages: list[PackageBalance]

    @property
    def simulated(self) -> bool:
        """Whether the starts are a run's own (``simulated_steady_state``), not the expected flows'."""
        return any(p.basis == "the simulation" for p in self.packages)

    @property
    def weekly_spend_start(self) -> float:
        return sum(p.active * p.weekly_cost for p in self.packages)

    @property
    def weekly_spend_end(self) -> float:
        return sum(p.expected_at_end * p.weekly_cost for p in self.packages)

    @property
    def flagged(self) -> list[PackageBalance]:
        return [p for p in self.packages if p.status != "holds"]

    @property
    def balanced(self) -> bool:
        return not self.flagged

    def warnings(self) -> list[str]:
        """One line per package type that drains or balloons, then the spend it moves."""
        lines = [p.message(self.horizon_days) for p in self.flagged]
        if lines:
            change = self.weekly_spend_end / self.weekly_spend_start - 1 if self.weekly_spend_start else math.nan
            moves = "falls" if change < 0 else "rises"
            lines.append(f"package spend a week {moves} from {money(self.weekly_spend_start)} at the start to about "
                         f"{money(self.weekly_spend_end)} at the end ({share(abs(change))}): "
                         "every multi-year saving against this baseline inherits the drift")
        return lines

    def why_simulated(self) -> str:
        """Why a run's own starts can fall short of the expected flows' (shown beside its warnings)."""
        return ("a run starts fewer packages than the expected flows count where people wait, leave the lists "
                "unseen or have reviews fall overdue, and in its first weeks if few cases are in flight at the "
                "start (flowsim in-flight); the cases open at the start add a one-off to its first year "
                "('flowsim steady' gives the flows' balance)")

    def summary(self) -> str:
        """One line: which package types drain or balloon ('' when all hold)."""
        if self.balanced:
            return ""
        parts = [f"{p.label.lower()} {p.status} ({share(p.ratio)} of the starts needed)" for p in self.flagged]
        return "caseload out of balance: " + "; ".join(parts)

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "balanced": self.balanced,
                "weekly_spend_start": self.weekly_spend_start, "weekly_spend_end": self.weekly_spend_end,
                "packages": [p.to_dict() for p in self.packages], "warnings": self.warnings()}


def steady_state(scenario: Scenario, flows: ExpectedFlows | None = None) -> SteadyState:
    """The caseload balance of every package type of a scenario that starts with packages running,
    with the starts of the expected flows.

    A scenario with no starting caseload has nothing to hold: its list is empty.
    """
    flows = flows or expected_flows(scenario)
    return _balance(scenario, {name: flows.outcomes.get(name, 0.0) for name in scenario.package_outcomes()},
                    "the flow")


def simulated_steady_state(scenario: Scenario, means: Mapping[str, float]) -> SteadyState:
    """The same balance with the starts a run made: ``means`` are its KPI means per replication
    (``new_packages.<type>``, over the horizon after any warm-up), as ``Results.summary()`` gives them."""
    years = scenario.time.horizon_days / DAYS_PER_YEAR
    return _balance(scenario, {name: means.get(f"new_packages.{name}", 0.0) / years
                               for name in scenario.package_outcomes()}, "the simulation")


def _balance(scenario: Scenario, starts: dict[str, float], basis: str) -> SteadyState:
    caseload = scenario.caseload.packages
    if not any(caseload.values()):
        return SteadyState(scenario.name, scenario.time.horizon_days, [])
    years = scenario.time.horizon_days / DAYS_PER_YEAR
    balances = []
    for name, outcome in scenario.package_outcomes().items():
        active = caseload.get(name, 0.0)
        weeks = outcome.mean_duration_weeks
        duration_years = weeks / WEEKS_PER_YEAR
        flow = starts[name]
        kept = math.exp(-years / duration_years)
        balances.append(PackageBalance(
            package=name, label=scenario.label(name), active=active, mean_duration_weeks=weeks,
            starts_needed=active / duration_years, starts_flow=flow,
            expected_at_end=active * kept + flow * duration_years * (1 - kept),
            weekly_cost=outcome.weekly_cost, basis=basis,
        ))
    return SteadyState(scenario.name, scenario.time.horizon_days, balances)
