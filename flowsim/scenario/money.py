"""The money side of a scenario: what it must save, at what prices, gross and net, and at what cost.

A scenario's ``finance`` block holds what a finance officer reads beside the
flow: savings targets by category (staff and transport against an ADM's own
target, packages against a demand target), the price base and annual fee
uplift, client contributions and self-funders, the staff budget beyond the
modelled practitioners, the transition from the current model and what it
costs to implement, and what waiting costs when people deteriorate. Every
number is an absolute value; shipped scenarios take them from ``data/`` rows
with their sources.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, NonNegativeFloat, field_validator, model_validator

from flowsim.scenario.fields import Name, Strict

Share = Annotated[float, Field(ge=0.0, le=1.0)]
FINANCIAL_YEAR = re.compile(r"^(\d{4})_(\d{2})$")  # 2017_18, the form periods take in results
CATEGORIES = {
    "staff": "staff and transport",
    "package": "demand (packages net)",
    "total": "staff and packages",
}


def check_financial_year(value: str) -> str:
    """``2017_18`` (or ``2017/18``) as ``2017_18``; a ValueError for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and 100000 <= value <= 999999:
        value = f"{value // 100}_{value % 100:02d}"  # YAML 1.1 reads an unquoted 2017_18 as the number 201718
    value = str(value).replace("/", "_")
    match = FINANCIAL_YEAR.match(value)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{value!r} is not a financial year like 2017_18")
    return value


class Target(Strict):
    """A savings target: how much (£ over its years), of which kind, in which years, and who set it."""

    amount: NonNegativeFloat
    category: Literal["staff", "package", "total"]
    label: str = ""
    source: str = Field(description="the document and section the target comes from")
    per_year: dict[str, NonNegativeFloat] = Field(
        default_factory=dict, description="the published phasing by financial year (2017_18: 654000); "
                                          "empty: judged over its years only")
    years: list[str] = Field(default_factory=list, description="the financial years the amount covers "
                                                                "(default: those of per_year)")

    @field_validator("per_year", mode="before")
    @classmethod
    def _years(cls, per_year):
        if not isinstance(per_year, dict):
            return per_year
        return {check_financial_year(year): value for year, value in per_year.items()}

    @field_validator("years", mode="before")
    @classmethod
    def _listed_years(cls, years):
        return [check_financial_year(year) for year in years] if isinstance(years, list) else years

    @property
    def covers(self) -> list[str]:
        """The financial years the target's amount is for ([] if not said)."""
        return list(dict.fromkeys([*self.years, *self.per_year]))


class Contributions(Strict):
    """What the council does not pay of the gross package cost: self-funders and client contributions."""

    self_funded_share: Share = Field(0.0, description="of the modelled package cost, paid by people themselves")
    client_contribution_share: Share = Field(0.0, description="of the council's gross package cost, charged back")
    source: str = ""


class StaffBudget(Strict):
    """The in-scope staff budget beyond the modelled practitioners.

    Management and business support are shares of the practitioners' cost (so
    they move when posts do); agency cover is a premium on the cost of vacant
    posts; ``other_per_year`` lists fixed lines (transport, non-practitioner
    teams) in £ a year, the same on both sides unless a scenario changes them.
    """

    management_share: NonNegativeFloat = 0.0
    business_support_share: NonNegativeFloat = 0.0
    vacancy_rate: Share = 0.0
    agency_premium: NonNegativeFloat = Field(0.0, description="extra cost of an agency worker over the post's cost")
    other_per_year: dict[Name, NonNegativeFloat] = Field(default_factory=dict)
    transport_per_year: NonNegativeFloat = 0.0


class Transition(Strict):
    """How long the new model takes to come fully into force from the scenario's start."""

    months: Annotated[float, Field(ge=0, le=120)] = 0.0
    profile: Literal["linear", "step"] = "linear"
    source: str = ""


class OneOffCost(Strict):
    amount: NonNegativeFloat
    financial_year: str
    label: str = ""
    source: str = ""

    @field_validator("financial_year", mode="before")
    @classmethod
    def _year(cls, value) -> str:
        return check_financial_year(value)


class Deterioration(Strict):
    """What waiting costs: people deteriorate at ``monthly_rate`` per month waited, each costing ``cost_each``."""

    monthly_rate: Share = 0.0
    cost_each: NonNegativeFloat = Field(0.0, description="£ per deterioration: a larger package or an admission")
    source: str = ""


class Finance(Strict):
    """What the change must save, and the money around the flow (see the module docstring)."""

    savings_target: NonNegativeFloat | None = Field(None, description="£ over the horizon, any category (legacy)")
    savings_target_label: str = ""
    targets: dict[Name, Target] = Field(default_factory=dict)
    price_base: str | None = Field(None, description="the financial year every £ is in, e.g. 2016_17")
    fee_uplift_per_year: Annotated[float, Field(ge=-0.5, le=1.0)] = Field(
        0.0, description="real-terms rise in package fees each financial year after the first")
    fee_uplift_source: str = ""
    contributions: Contributions = Field(default_factory=Contributions)
    staff_budget: StaffBudget = Field(default_factory=StaffBudget)
    transition: Transition = Field(default_factory=Transition)
    implementation_costs: list[OneOffCost] = Field(default_factory=list)
    deterioration: Deterioration = Field(default_factory=Deterioration)

    @field_validator("price_base", mode="before")
    @classmethod
    def _price_base(cls, value) -> str | None:
        return None if value is None else check_financial_year(value)

    @model_validator(mode="after")
    def _legacy_target_is_total(self) -> "Finance":
        if self.savings_target is not None and self.targets:
            raise ValueError("give either savings_target or targets, not both")
        return self

    def all_targets(self) -> dict[str, Target]:
        """The targets, with a legacy ``savings_target`` read as one target on the total saving."""
        if self.savings_target is None:
            return dict(self.targets)
        return {"savings_target": Target(amount=self.savings_target, category="total",
                                         label=self.savings_target_label, source=self.savings_target_label)}
