"""What each published figure is in the model, as expected flows (instant) and as simulated KPIs.

A figure of a financial year k years after the scenario's first is read from
the expected flows of the scenario's first year: a yearly count grown by the
scenario's demand growth, (1 + g)^k; a caseload at a year end, and the spend
in a year, from the exponential run-down of the starting caseload and the
flow's starts (see ``flowsim.profile.steady``). Figures that need queues (waits,
people waiting) come from simulation only.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from flowsim.analytic import ExpectedFlows, expected_flows
from flowsim.scenario.network import REVIEW_SOURCE
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_WEEK, DAYS_PER_YEAR

if TYPE_CHECKING:
    from flowsim.profile.schema import ModelNames

WEEKS_PER_YEAR = DAYS_PER_YEAR / DAYS_PER_WEEK


def financial_year_of(date: dt.date) -> int:
    """The calendar year a date's financial year (April to March) starts in."""
    return date.year if date.month >= 4 else date.year - 1


class ModelView:
    """The scenario's first year as expected flows, and the caseload it carries, for reading figures off."""

    def __init__(self, scenario: Scenario, names: "ModelNames"):
        self.scenario, self.names = scenario, names
        self.first_year = financial_year_of(scenario.time.start_date)
        self.growth = scenario.demand.annual_growth

    @cached_property
    def year_one(self) -> Scenario:
        """The scenario cut to its first year (a shorter scenario's flows are already a year's)."""
        if self.scenario.time.horizon_days <= DAYS_PER_YEAR:
            return self.scenario
        document = self.scenario.model_dump(mode="python")
        document["time"]["horizon_days"] = int(DAYS_PER_YEAR)
        return Scenario.model_validate(document)

    @cached_property
    def flows(self) -> ExpectedFlows:
        return expected_flows(self.year_one)

    def offset(self, year: int) -> int:
        return year - self.first_year

    def span(self, k: int) -> tuple[float, float]:
        """Years from the scenario's start to the start and the end of the financial year k after its first."""
        begin, end = dt.date(self.first_year + k, 4, 1), dt.date(self.first_year + k + 1, 4, 1)
        start = self.scenario.time.start_date
        return max((begin - start).days, 0) / DAYS_PER_YEAR, (end - start).days / DAYS_PER_YEAR

    def grown(self, value: float, k: int) -> float:
        """A first-year count ``k`` years on, grown as the contacts grow (with client groups, their mix)."""
        demand = self.scenario.demand
        if demand.groups:
            return value * sum(g.share * (1 + demand.group_growth(n)) ** k for n, g in demand.groups.items())
        return value * (1 + self.growth) ** k

    @property
    def assessment_stage(self) -> str | None:
        return self.names.assessment_stage or self.scenario.key_stage

    def long_term_types(self) -> dict:
        return {n: o for n, o in self.scenario.package_outcomes().items()
                if n not in self.names.not_long_term and o.weekly_cost > 0}

    def from_new_clients(self, name: str) -> float:
        """A stage's visits or an outcome's arrivals a year, leaving out reviews of existing packages."""
        return sum(table.get(name, 0.0) for source, table in self.flows.by_source.items() if source != REVIEW_SOURCE)

    def caseload(self, names, t_years: float) -> float:
        """Expected packages of these types running ``t_years`` after the start."""
        total = 0.0
        for name in names:
            outcome = self.scenario.package_outcomes()[name]
            d = outcome.mean_duration_weeks / WEEKS_PER_YEAR
            n0, starts = self.scenario.caseload.packages.get(name, 0.0), self.flows.outcomes.get(name, 0.0)
            kept = math.exp(-t_years / d)
            total += n0 * kept + starts * d * (1 - kept)
        return total

    def spend(self, a: float, b: float) -> float:
        """Expected package spend (£) from year ``a`` to year ``b`` after the start: weekly costs of the
        running caseload, plus one-off costs of the starts."""
        total = 0.0
        for name, outcome in self.scenario.package_outcomes().items():
            d = outcome.mean_duration_weeks / WEEKS_PER_YEAR
            n0, starts = self.scenario.caseload.packages.get(name, 0.0), self.flows.outcomes.get(name, 0.0)
            run_down = d * (math.exp(-a / d) - math.exp(-b / d))
            package_years = n0 * run_down + starts * d * ((b - a) - run_down)
            total += package_years * WEEKS_PER_YEAR * outcome.weekly_cost + starts * (b - a) * outcome.one_off_cost
        return total


Expected = Callable[[ModelView, int], "float | None"]
Simulated = Callable[[ModelView, str], "dict[str, float] | None"]  # KPI name -> its weight in the sum


@dataclass(frozen=True)
class Measure:
    """One published figure: what it is, who publishes it, and how to read it off the model."""

    label: str
    collection: str
    unit: str  # a unit of flowsim.format: 'count', 'pounds', 'days'
    tolerance: float  # relative error within which the model is taken to match, unless the profile says
    expected: Expected | None = None
    simulated: Simulated | None = None


def _stage(view: ModelView, stage: str | None) -> str | None:
    return stage if stage in view.scenario.stages else None


def _requests(v: ModelView, k: int):
    return v.grown(v.flows.contacts * v.names.new_client_share_of_contacts, k)


def _reablement(v: ModelView, k: int):
    stage = _stage(v, v.names.reablement_stage)
    return v.grown(v.from_new_clients(stage), k) if stage else None


def _reablement_existing(v: ModelView, k: int):
    stage = _stage(v, v.names.reablement_stage)
    return v.grown(v.flows.by_source.get(REVIEW_SOURCE, {}).get(stage, 0.0), k) if stage else None


def _new_long_term(v: ModelView, k: int):
    return v.grown(sum(v.from_new_clients(n) for n in v.long_term_types()), k)


def _care_home(v: ModelView, k: int):
    names = [n for n in v.names.care_home_packages if n in v.scenario.outcomes]
    return v.grown(sum(v.flows.outcomes[n] for n in names), k) if names else None


def _long_term_year_end(v: ModelView, k: int):
    return v.caseload(v.long_term_types(), v.span(k)[1]) if v.scenario.caseload.packages else None


def _reviews(v: ModelView, k: int):
    stage = v.scenario.caseload.review_stage
    return v.grown(v.flows.by_source.get(REVIEW_SOURCE, {}).get(stage, 0.0), k) if stage else None


def _telecare(v: ModelView, k: int):
    return v.grown(v.flows.outcomes["telecare"], k) if "telecare" in v.scenario.outcomes else None


def _concerns(v: ModelView, k: int):
    name, demand = v.names.safeguarding_source, v.scenario.demand
    if name in demand.workstreams:  # a stream of its own, growing at the demand's rate
        return v.flows.workstreams[name] * (1 + v.growth) ** k
    share = demand.sources.get(name)
    return v.grown(v.flows.contacts * share, k) if share is not None else None


def _concerns_simulated(v: ModelView, fy: str):
    counted = v.scenario.demand.arrivals_kpi(v.names.safeguarding_source)
    return dict([counted]) if counted else None


def _enquiries(v: ModelView, k: int):
    stage = _stage(v, v.names.safeguarding_stage)
    return v.grown(v.flows.stages[stage], k) if stage else None


def _spend(v: ModelView, k: int):
    return v.spend(*v.span(k))


def _social_worker_fte(v: ModelView, k: int):
    role = v.scenario.roles.get("social_worker")
    return role.fte if role else None


def _kpis(*names: str) -> Simulated:
    return lambda v, fy: dict.fromkeys(names, 1.0)


def _stage_kpi(measure: str, which: Callable[[ModelView], str | None], less: str | None = None) -> Simulated:
    """A stage's KPI (``measure``.stage), less another of the same stage if ``less`` is given."""
    def kpis(v: ModelView, fy: str):
        stage = which(v)
        return ({f"{measure}.{stage}": 1.0} | ({f"{less}.{stage}": -1.0} if less else {})) if stage else None
    return kpis


def _reablement_stage(v: ModelView) -> str | None:
    return _stage(v, v.names.reablement_stage)


MEASURES: dict[str, Measure] = {
    "requests_new_clients": Measure(
        "Requests for support from new clients", "SALT STS001", "count", 0.05, _requests,
        lambda v, fy: {"contacts": v.names.new_client_share_of_contacts}),
    "reablement_new_clients": Measure(
        "New clients receiving short-term support to maximise independence", "SALT STS002a", "count", 0.10,
        _reablement, _stage_kpi("arrivals", _reablement_stage, less="existing_client_arrivals")),
    "reablement_existing_clients": Measure(
        "Existing clients receiving short-term support to maximise independence", "SALT STS002b", "count", 0.20,
        _reablement_existing, _stage_kpi("existing_client_arrivals", _reablement_stage)),
    "new_long_term_support": Measure(
        "New clients starting long-term support (from requests and after reablement)", "SALT STS001 / STS002a",
        "count", 0.10, _new_long_term),
    "care_home_admissions": Measure(
        "Permanent admissions to residential and nursing care", "ASCOF 2A (SALT LTS001)", "count", 0.10, _care_home,
        lambda v, fy: {f"new_packages.{n}": 1.0 for n in v.names.care_home_packages if n in v.scenario.outcomes}),
    "long_term_support_year_end": Measure(
        "People in long-term support at the year end", "SALT LTS001b", "count", 0.05, _long_term_year_end),
    "reviews": Measure(
        "Reviews of people in long-term support", "SALT LTS002", "count", 0.15, _reviews,
        _stage_kpi("arrivals", lambda v: v.scenario.caseload.review_stage)),
    "telecare_installs": Measure(
        "Telecare packages installed", "council performance report", "count", 0.15, _telecare,
        _kpis("new_packages.telecare")),
    "safeguarding_concerns": Measure(
        "Safeguarding concerns raised", "Safeguarding Adults Collection", "count", 0.15, _concerns,
        _concerns_simulated),
    "safeguarding_enquiries": Measure(
        "Safeguarding enquiries started (section 42 and other)", "Safeguarding Adults Collection", "count", 0.15,
        _enquiries, _stage_kpi("arrivals", lambda v: _stage(v, v.names.safeguarding_stage))),
    "gross_spend_packages": Measure(
        "Gross spend on packages of care", "ASC-FR", "pounds", 0.05, _spend,
        lambda v, fy: {f"package_cost.{fy.replace('/', '_')}": 1.0}),
    "client_contributions": Measure(
        "Client contributions to the cost of care", "ASC-FR", "pounds", 0.10),
    "median_wait_for_assessment_days": Measure(
        "Median days from request to completed assessment", "DHSC client-level data", "days", 0.20, None,
        _stage_kpi("request_to_completion_median_days", lambda v: v.assessment_stage)),
    "waiting_for_assessment": Measure(
        "People waiting for an assessment at the year end", "ADASS survey", "count", 0.20, None,
        _stage_kpi("waiting_at_end", lambda v: v.assessment_stage)),
    "social_worker_fte": Measure(
        "Social worker FTE in post", "council workforce return", "count", 0.05, _social_worker_fte),
}
