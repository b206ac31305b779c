"""The scenario: one council's service under one operating model, as a value.

A scenario is immutable and validated. It is built from a YAML file of
absolute values (see ``flowsim.scenario.load``); variants are made by loading
again with changes, never by mutating. Units are in the field names: days,
minutes, hours per year, pounds (GBP, in the scenario's price year).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    PositiveFloat,
    PrivateAttr,
    field_validator,
    model_validator,
)

from flowsim.scenario.fields import (FiniteNonNegative, Month, Name, RouteShare, Share, Strict, Weekday,
                                     resolve_shares)
from flowsim.scenario.money import Finance
from flowsim.scenario.network import Network, compile_network
from flowsim.scenario.work import Role, Stage
from flowsim.units import DAYS_PER_WEEK
from flowsim.vocabulary import ASSESSMENT_STAGES, MONTHS, WEEKDAYS, label

class WorkingPattern(Strict):
    """When a team works: the days of the week and the hours of the day."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)
    works_bank_holidays: bool = False

    @field_validator("start", "end", mode="before")
    @classmethod
    def _yaml_sexagesimal(cls, value):
        # YAML 1.1 reads an unquoted 17:00 as the number 1020 (minutes); read it back as a time.
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            return dt.time(value // 60, value % 60)
        return value

    @model_validator(mode="after")
    def _day_is_positive(self) -> "WorkingPattern":
        if self.end <= self.start and self.end != dt.time(0, 0):
            raise ValueError("end must be after start (use 00:00 for midnight)")
        if len(set(self.days)) != len(self.days):
            raise ValueError("days are listed more than once")
        return self

    @property
    def hours_per_day(self) -> float:
        end = 24.0 if self.end == dt.time(0, 0) else self.end.hour + self.end.minute / 60
        return end - (self.start.hour + self.start.minute / 60)


class TimeSettings(Strict):
    start_date: dt.date
    horizon_days: Annotated[int, Field(gt=0, le=3660)] = 365
    warm_up_days: Annotated[int, Field(ge=0, le=3660)] = 0
    calendars: dict[Name, WorkingPattern] = Field(default_factory=lambda: {"office": WorkingPattern()})
    bank_holidays: list[dt.date] = Field(default_factory=list)


class Workstream(Strict):
    """Work that competes for the same practitioners without coming through the front door.

    Carers' assessments, DoLS assessments, transitions at 18, safeguarding
    enquiries, long-term case management: a Poisson stream of ``per_year``
    arrivals at ``stage``, following the demand's weekday and monthly profiles
    and its annual growth. Its people's referral source is the workstream's name.
    """

    per_year: FiniteNonNegative
    stage: Name
    label: str | None = None


class ClientGroup(Strict):
    """A part of the contacts (a client group or an age band) with its own share and growth.

    Each group's contacts are their own Poisson stream of ``share`` of the
    demand's contacts, growing at ``annual_growth`` (the demand's if not given),
    so a growing older population shifts the mix year by year. A group's people
    are routed by a stage's ``routes_by_group`` where it has one; their referral
    sources are drawn from the demand's, whatever the group.
    """

    label: str | None = None
    share: RouteShare
    annual_growth: Annotated[float, Field(gt=-1.0, le=1.0)] | None = None


class Demand(Strict):
    """New contacts at the front door (how many, from where, and when), and competing work streams."""

    contacts_per_year: NonNegativeFloat
    sources: dict[Name, RouteShare]
    entry: dict[Name, Name] = Field(
        description="first stage for each source; 'default' for sources not listed"
    )
    weekday_profile: dict[Weekday, NonNegativeFloat] = Field(
        default_factory=lambda: {d: 1.0 for d in WEEKDAYS}
    )
    monthly_profile: dict[Month, NonNegativeFloat] = Field(
        default_factory=lambda: {m: 1.0 for m in MONTHS}
    )
    annual_growth: Annotated[float, Field(gt=-1.0, le=1.0)] = 0.0
    workstreams: dict[Name, Workstream] = Field(
        default_factory=dict, description="work entering a stage directly, not counted as contacts"
    )
    groups: dict[Name, ClientGroup] = Field(
        default_factory=dict, description="client groups or age bands splitting the contacts, each growing at its own rate"
    )

    @field_validator("sources")
    @classmethod
    def _sources_sum_to_one(cls, sources: dict[str, float]) -> dict[str, float]:
        if not sources:
            raise ValueError("at least one referral source is needed")
        return resolve_shares(sources)

    @field_validator("groups")
    @classmethod
    def _group_shares_sum_to_one(cls, groups: dict[str, ClientGroup]) -> dict[str, ClientGroup]:
        if not groups:
            return groups
        if len(groups) < 2:
            raise ValueError("give at least two groups (or none)")
        shares = resolve_shares({name: group.share for name, group in groups.items()})
        return {name: group.model_copy(update={"share": shares[name]}) for name, group in groups.items()}

    def group_growth(self, name: str) -> float:
        """The yearly growth of one group's contacts: its own, else the demand's."""
        growth = self.groups[name].annual_growth
        return self.annual_growth if growth is None else growth

    @field_validator("weekday_profile", "monthly_profile")
    @classmethod
    def _profile_complete(cls, profile: dict[str, float], info) -> dict[str, float]:
        names = WEEKDAYS if info.field_name == "weekday_profile" else MONTHS
        missing = [n for n in names if n not in profile]
        if missing:
            raise ValueError(f"missing {', '.join(missing)} (give every one; 0 means no contacts)")
        if sum(profile.values()) <= 0:
            raise ValueError("at least one value must be above 0")
        return profile

    def arrivals_kpi(self, source: str) -> tuple[str, float] | None:
        """How a source's or workstream's arrivals show among the KPIs: (KPI, weight); None if it has none.

        A workstream counts its own arrivals; a referral source is its share of the contacts."""
        if source in self.workstreams:
            return f"workstream_arrivals.{source}", 1.0
        return ("contacts", self.sources[source]) if source in self.sources else None

    def entry_stage(self, source: str) -> str | None:
        if source in self.workstreams:
            return self.workstreams[source].stage
        return self.entry.get(source, self.entry.get("default"))


class Outcome(Strict):
    """Where a journey ends. Packages of care carry a cost and generate reviews."""

    label: str | None = None
    kind: Literal["closed", "package", "review"] = "closed"
    weekly_cost: NonNegativeFloat = 0.0
    one_off_cost: NonNegativeFloat = 0.0
    mean_duration_weeks: PositiveFloat | None = None
    first_review_weeks: PositiveFloat | None = None
    review_every_weeks: PositiveFloat | None = None
    weekly_cost_change: Annotated[float, Field(ge=-1.0, le=5.0)] = Field(
        0.0, description="for review outcomes: fractional change in the package's weekly cost"
    )
    alongside: dict[Name, Share] = Field(
        default_factory=dict,
        description="package type -> share of the people reaching this outcome who also get one, running "
                    "alongside (telecare alongside home care); for package and review outcomes")

    @property
    def review_days(self) -> tuple[float, float] | None:
        """Days from a new package's start to its first review, and between reviews; None if never reviewed."""
        if not self.review_every_weeks:
            return None
        first = self.first_review_weeks or self.review_every_weeks
        return first * DAYS_PER_WEEK, self.review_every_weeks * DAYS_PER_WEEK

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> "Outcome":
        if self.kind == "package" and self.mean_duration_weeks is None:
            raise ValueError("a package outcome needs mean_duration_weeks")
        if self.kind != "package":
            given = [f for f in ("mean_duration_weeks", "first_review_weeks", "review_every_weeks")
                     if getattr(self, f) is not None]
            given += [f for f in ("weekly_cost", "one_off_cost") if getattr(self, f)]
            if given:
                raise ValueError(f"{', '.join(given)} only apply to package outcomes")
        if self.kind != "review" and self.weekly_cost_change:
            raise ValueError("weekly_cost_change only applies to review outcomes")
        if self.kind == "closed" and self.alongside:
            raise ValueError("alongside only applies to package and review outcomes")
        return self


class Caseload(Strict):
    """People already receiving packages at the start, where their reviews go, and when a review is overdue."""

    review_stage: Name | None = None
    packages: dict[Name, NonNegativeFloat] = Field(default_factory=dict)
    overdue_after_days: NonNegativeFloat = Field(
        0.0, description="a review due but not started (not allocated, at a case stage) this long after its "
                         "due date is overdue; 0: overdue from the due date"
    )
    unplanned_reviews_per_year: NonNegativeFloat = Field(
        0.0, description="extra reviews a year per active package when a situation changes (Poisson)"
    )


class OpenCases(Strict):
    """Cases already open on practitioners' caseloads at the start (case stages only)."""

    count: Annotated[int, Field(ge=0)]
    mean_open_days: NonNegativeFloat = Field(0.0, description="mean days each has been open (exponential)")


class Waiting(Strict):
    """People already waiting for a stage at the start."""

    count: Annotated[int, Field(ge=0)]
    mean_waited_days: NonNegativeFloat = 0.0
    source: Name | None = None


class TeamTable(Strict):
    """A team table under data/ whose teams' FTE staff the roles they are mapped to."""

    file: str
    roles: dict[str, Name] = Field(description="team name in the table → role")


class Localities(Strict):
    """Parts of the area with their own local stages and teams (see flowsim.scenario.localities)."""

    shares: dict[Name, RouteShare]
    stages: list[Name] = Field(default_factory=list)
    roles: dict[Name, dict[Name, NonNegativeFloat]] = Field(default_factory=dict)

    @field_validator("shares")
    @classmethod
    def _shares_sum_to_one(cls, shares: dict) -> dict:
        if len(shares) < 2:
            raise ValueError("give at least two localities")
        return resolve_shares(shares)


@dataclass(frozen=True)
class ScenarioSource:
    """Where a scenario came from: not part of its value, never changed after loading.

    ``document`` is the file's content as loaded (references kept, overrides
    applied), from which variants are made; ``provenance`` maps field paths to
    the figure or note each number came from.
    """

    origin: str = "<scenario>"
    document: dict[str, Any] = field(default_factory=dict)  # read only: copied before any change
    provenance: dict[str, Any] = field(default_factory=dict)
    localities: Localities | None = None  # the block this plain scenario was expanded from


class Scenario(Strict):
    """A validated, immutable scenario. Build it with ``flowsim.load_scenario``."""

    name: Name
    council: str
    operating_model: Literal["current", "new", "custom"]
    description: str = ""
    price_year: Annotated[int, Field(ge=1990, le=2100)]
    time: TimeSettings
    demand: Demand
    roles: dict[Name, Role]
    stages: dict[Name, Stage]
    outcomes: dict[Name, Outcome]
    caseload: Caseload = Field(default_factory=Caseload)
    waiting_list: dict[Name, Waiting] = Field(default_factory=dict)
    open_cases: dict[Name, OpenCases] = Field(default_factory=dict)
    finance: Finance = Field(default_factory=Finance)
    team_table: TeamTable | None = None
    localities: Localities | None = None
    headline_stage: Name | None = Field(
        None, description="the stage whose waits headline the results (default: the Care Act assessment)")
    _source: ScenarioSource = PrivateAttr(default_factory=ScenarioSource)  # set once, by the loader

    @model_validator(mode="after")
    def _one_price_base(self) -> "Scenario":
        base = self.finance.price_base
        if base is not None and int(base[:4]) != self.price_year:
            raise ValueError(f"finance.price_base {base} and price_year {self.price_year} disagree: "
                             "give one price base")
        return self

    def with_source(self, source: ScenarioSource) -> "Scenario":
        """This scenario with the record of where it came from."""
        copy = self.model_copy()
        copy._source = source
        return copy

    @property
    def source(self) -> ScenarioSource:
        return self._source

    @cached_property
    def network(self) -> Network:
        """The compiled referral network, built once (see ``flowsim.scenario.network``)."""
        return compile_network(self)

    @property
    def locality_names(self) -> list[str]:
        """The localities this scenario was expanded from (empty if none)."""
        return list(self.source.localities.shares) if self.source.localities else []

    @property
    def origin(self) -> str:
        """The file (or description) this scenario was loaded from."""
        return self.source.origin

    @property
    def provenance(self) -> dict:
        """Field path → where its number came from (a Figure, or a note)."""
        return dict(self.source.provenance)

    @property
    def key_stage(self) -> str | None:
        """The stage whose waits headline the results: ``headline_stage``, else the statutory
        assessment named in the vocabulary, else the first stage with a wait target."""
        if self.headline_stage:
            return self.headline_stage
        named = [s for s in ASSESSMENT_STAGES if s in self.stages]
        targeted = [n for n, s in self.stages.items() if s.wait_target_days]
        return (named or targeted or [None])[0]

    @property
    def sources(self) -> list[str]:
        return [s for s, share in self.demand.sources.items() if share > 0]

    def label(self, name: str) -> str:
        for table in self._named():
            if name in table:
                return label(name, table[name].label)
        return label(name)

    def names(self, name: str) -> bool:
        """Is ``name`` one of this scenario's stages, roles, outcomes or client groups?"""
        return any(name in table for table in self._named())

    def _named(self) -> tuple[dict, ...]:
        return self.stages, self.roles, self.outcomes, self.demand.groups

    def package_outcomes(self) -> dict[str, Outcome]:
        return {k: o for k, o in self.outcomes.items() if o.kind == "package"}
