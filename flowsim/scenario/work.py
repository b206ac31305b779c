"""The work in a scenario and who does it: stages (one sitting, case, service, pass-through) and roles.

A stage is a piece of work done by one practitioner role, ending in onward
routes; a role says how many practitioners there are, how many of their hours
go on the modelled work, and what they cost. See ``flowsim.scenario.schema``
for the scenario that holds them.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, field_validator, model_validator

from flowsim.scenario.fields import FiniteNonNegative, Name, Routes, Share, Strict, resolve_shares

class WorkTime(Strict):
    """Practitioner time per case: a distribution of minutes, plus travel."""

    distribution: Literal["lognormal", "gamma", "exponential", "fixed"] = "lognormal"
    mean_minutes: PositiveFloat
    sd_minutes: NonNegativeFloat = 0.0
    travel_minutes: NonNegativeFloat = 0.0

    @model_validator(mode="after")
    def _spread_fits_distribution(self) -> "WorkTime":
        if self.distribution in ("lognormal", "gamma") and self.sd_minutes <= 0:
            raise ValueError(f"a {self.distribution} work time needs sd_minutes above 0")
        return self

    @property
    def mean_total_minutes(self) -> float:
        return self.mean_minutes + self.travel_minutes


class CaseWork(Strict):
    """How a case stage's cases are held: allocated to a named worker under a caseload cap.

    See the README, "Case stages: allocation, caseloads and processor sharing".
    """

    caseload_cap: Annotated[float, Field(ge=1.0)] = Field(
        description="open cases per full-time practitioner; a part-time one's cap scales with their FTE (at least 1)"
    )
    weight: PositiveFloat = Field(1.0, description="how much of the cap one such case uses (a review may weigh 0.5)")
    min_open_days: NonNegativeFloat = Field(
        0.0, description="the case stays open at least this long after allocation (information, advocacy, finances)"
    )

    @model_validator(mode="after")
    def _weight_fits_cap(self) -> "CaseWork":
        if self.weight > self.caseload_cap:
            raise ValueError(f"weight {self.weight:g} is more than caseload_cap {self.caseload_cap:g}: "
                             "such a case could never be allocated")
        return self


class TriageLevel(Strict):
    """One triage level: the share of arrivals put at it and the allocation priority it gives (0 first)."""

    share: Annotated[float, Field(gt=0.0, le=1.0)]
    priority: Annotated[int, Field(ge=0, le=9)]


class Triage(Strict):
    """How the people waiting at a stage are triaged, moved up and lost (see the README, "Triage").

    Each arrival is put at a level by its share; its place on the team's list is
    its level's priority, or its source's in ``priority_by_source`` if that comes first. Someone waiting
    ``escalate_after_days`` moves up one level (again after each further such
    spell); people leave the list without being seen at ``leave_rate_per_month``.
    """

    levels: dict[Name, TriageLevel]
    escalate_after_days: PositiveFloat | None = Field(
        None, description="days waited after which a person moves up one level (None: never)")
    leave_rate_per_month: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.0, description="share of the people waiting who leave the list each month (die, move, fund themselves)")

    @field_validator("levels")
    @classmethod
    def _shares_sum_to_one(cls, levels: dict) -> dict:
        if not levels:
            raise ValueError("triage needs at least one level")
        resolve_shares({name: level.share for name, level in levels.items()})
        return dict(sorted(levels.items(), key=lambda item: item[1].priority))  # most urgent first


class Service(Strict):
    """A service stage's provider capacity: places the market can take at once (see the README)."""

    places: Annotated[int, Field(ge=1)] = Field(
        description="people served at once: reablement places, care-home beds, home-care packages"
    )
    duration: Literal["fixed", "exponential"] = Field(
        "fixed", description="the length of the service is elapsed_days, fixed or exponential with that mean"
    )


class Recontact(Strict):
    """Failure demand: some people whose contact ended closed at this stage (advice, signposting) ask again.

    A share of those who leave the stage to a ``closed`` outcome come back to
    the ``to`` stage after a delay spread evenly over ``within_days``, as a new
    contact from the same referral source.
    """

    share: Share = Field(description="share of people closed at this stage who contact the council again")
    within_days: PositiveFloat = Field(description="they come back within this many days (evenly spread)")
    to: Name = Field(description="the stage they come back to (usually the front door)")


class Stage(Strict):
    """A piece of work done by one practitioner role, ending in onward routes.

    A stage without a role (an online self-assessment, say) takes no practitioner
    time: people pass through it at once, routed by its shares. A stage of kind
    ``case`` is allocated to a named practitioner under a caseload cap and its
    work is spread over the weeks the case is open (``case`` says how). A stage
    of kind ``service`` has no practitioner: people wait for one of its
    ``service.places`` and hold it for ``elapsed_days``.
    """

    label: str | None = None
    kind: Literal["one_sitting", "case", "service"] = "one_sitting"
    role: Name | None = None
    work: WorkTime | None = None
    case: CaseWork | None = None
    service: Service | None = None
    elapsed_days: NonNegativeFloat = Field(
        0.0, description="calendar days the stage lasts after the work starts (e.g. a 6-week enablement episode)"
    )
    priority: Annotated[int, Field(ge=0, le=9)] = 5
    priority_by_source: dict[Name, Annotated[int, Field(ge=0, le=9)]] = Field(default_factory=dict)
    triage: Triage | None = None
    wait_target_days: PositiveFloat | None = None
    routes: Routes
    routes_by_source: dict[Name, Routes] = Field(default_factory=dict)
    routes_by_group: dict[Name, Routes] = Field(
        default_factory=dict, description="onward routes for contacts of one client group (demand.groups)"
    )
    recontact: Recontact | None = None

    @model_validator(mode="after")
    def _work_needs_a_role(self) -> "Stage":
        if self.kind == "service":
            given = [f for f in ("role", "work", "case", "triage") if getattr(self, f) is not None]
            if given:
                raise ValueError(f"a service stage has no {' or '.join(given)}: nobody works at it, "
                                 "people hold one of its places (remove them)")
            if self.service is None:
                raise ValueError("a service stage needs service (places: how many people it serves at once)")
            if self.elapsed_days <= 0:
                raise ValueError("a service stage needs elapsed_days above 0 (the length of the service)")
            return self
        if self.service is not None:
            raise ValueError("service only applies to stages of kind 'service'")
        if self.kind == "case":
            missing = [f for f in ("role", "work", "case") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"a case stage needs {' and '.join(missing)} "
                                 "(role: who holds its cases; work: the time per case; case: caseload_cap)")
        elif self.case is not None:
            raise ValueError("case only applies to stages of kind 'case'")
        if self.role is not None and self.work is None:
            raise ValueError("a stage with a role needs work (the time per case)")
        if self.role is None and self.triage is not None:
            raise ValueError("triage needs a role: only a team's allocation list is triaged")
        if self.role is None and (self.work is not None or self.wait_target_days or self.elapsed_days):
            raise ValueError("a stage without a role takes no time: remove work, elapsed_days and wait_target_days")
        return self

    @property
    def mean_total_minutes(self) -> float:
        """Practitioner minutes per case, travel included (0 without a role)."""
        return self.work.mean_total_minutes if self.work else 0.0

    @property
    def least_days(self) -> float:
        """The least time a person spends at the stage, waits and work aside: its elapsed days,
        or for a case stage the longer of those and the days the case stays open."""
        held = self.case.min_open_days if self.case is not None else 0.0
        return max(self.elapsed_days, held)

    @field_validator("routes")
    @classmethod
    def _routes_sum_to_one(cls, routes: dict) -> dict:
        if not routes:
            raise ValueError("a stage needs at least one onward route")
        return resolve_shares(routes)

    @field_validator("routes_by_source", "routes_by_group")
    @classmethod
    def _source_routes_sum_to_one(cls, by_source: dict) -> dict:
        resolved = {}
        for source, routes in by_source.items():
            if not routes:
                raise ValueError(f"{source}: a stage needs at least one onward route")
            try:
                resolved[source] = resolve_shares(routes)
            except ValueError as err:
                raise ValueError(f"{source}: {err}") from None
        return resolved

    def shares_for(self, source: str, group: str | None = None) -> dict[str, float]:
        """Onward shares for people from ``source`` in client ``group``: the source's own routes,
        else the group's, else the default."""
        if source in self.routes_by_source:
            return self.routes_by_source[source]
        return self.routes_by_group.get(group, self.routes) if group is not None else self.routes

    def priority_for(self, source: str) -> int:
        return self.priority_by_source.get(source, self.priority)


class Role(Strict):
    """A practitioner role: its establishment, who is in post, their hours for the modelled work, their cost.

    ``fte`` is the establishment (what staff cost is budgeted on). Staff in post
    are ``fte × (1 − vacancy_rate) + agency_fte``, and of each one's productive
    hours the share ``non_case_share`` goes on supervision, meetings, training
    and duty rather than the modelled work.
    """

    label: str | None = None
    fte: NonNegativeFloat
    productive_hours_per_fte: Annotated[float, Field(gt=0, le=8784)] = Field(
        description="productive hours a year per FTE after leave, training and sickness"
    )
    vacancy_rate: Annotated[float, Field(ge=0.0, le=0.9, allow_inf_nan=False)] = Field(
        0.0, description="share of the establishment FTE vacant"
    )
    agency_fte: FiniteNonNegative = Field(0.0, description="agency staff covering, in FTE")
    non_case_share: Annotated[float, Field(ge=0.0, lt=1.0, allow_inf_nan=False)] = Field(
        0.0, description="share of productive hours spent on supervision, meetings, training and duty"
    )
    calendar: Name = "office"
    annual_cost_per_fte: NonNegativeFloat = 0.0
    on_cost_rate: Annotated[float, Field(ge=0, le=2)] = 0.0
    agency_cost_per_fte: FiniteNonNegative | None = Field(
        None, description="full yearly cost of an agency FTE (default: an employed FTE's cost with on-costs)"
    )

    @property
    def fte_in_post(self) -> float:
        """Staff working, in FTE: the establishment less vacancies, plus agency cover."""
        return self.fte * (1.0 - self.vacancy_rate) + self.agency_fte

    @property
    def case_hours_per_fte(self) -> float:
        """Hours a year an FTE in post spends on the modelled work."""
        return self.productive_hours_per_fte * (1.0 - self.non_case_share)

    @property
    def hours_per_year(self) -> float:
        """Hours a year the role's staff in post spend on the modelled work."""
        return self.fte_in_post * self.case_hours_per_fte

    @property
    def cost_per_year(self) -> float:
        """The establishment's cost with on-costs, plus agency cover."""
        employed = self.fte * self.annual_cost_per_fte * (1 + self.on_cost_rate)
        if not self.agency_fte:
            return employed
        agency = self.agency_cost_per_fte
        if agency is None:
            agency = self.annual_cost_per_fte * (1 + self.on_cost_rate)
        return employed + self.agency_fte * agency
