"""A council profile: the figures a council publishes about itself, each with its source and year.

The figures are named as the national collections define them (SALT STS001,
STS002a/b, LTS001b, LTS002; ASCOF 2A; ASC-FR; the ADASS waiting survey; the
Safeguarding Adults Collection); ``flowsim.profile.measures`` says what each is
in the model. Any figure may be missing, and a figure may be given for several
years. A profile is validated like a scenario: every problem is reported at
once, naming the file, the field and what is wrong.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from flowsim.errors import InputError
from flowsim.profile.measures import MEASURES
from flowsim.scenario.fields import FiniteNonNegative, Name, Strict
from flowsim.scenario.load import _problems_from_pydantic, user_yaml
from flowsim.uploads import MAX_UPLOAD_BYTES, read_user_file, user_text

FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


class Observation(Strict):
    """One published figure for one financial year."""

    year: str = Field(description="financial year, e.g. 2017/18")
    value: FiniteNonNegative
    source: str = Field(min_length=3, description="the publication (and table) the figure is read from")
    tolerance: float | None = Field(None, gt=0, le=1, description="relative error within which the model matches")
    status: Literal["published", "derived"] = "published"
    note: str | None = Field(None, description="for a derived figure, how it was worked out (required)")

    @model_validator(mode="after")
    def _derived_says_how(self) -> "Observation":
        if self.status == "derived" and not (self.note or "").strip():
            raise ValueError("a derived figure needs a note saying how it was worked out")
        return self

    @field_validator("year")
    @classmethod
    def _financial_year(cls, year: str) -> str:
        found = FINANCIAL_YEAR.match(year)
        if not found or (int(found[1]) + 1) % 100 != int(found[2]):
            raise ValueError(f"must be a financial year like 2017/18; got {year!r}")
        return year

    @property
    def first_calendar_year(self) -> int:
        return int(self.year[:4])


class ModelNames(Strict):
    """Where the profile's concepts sit in the scenario, when its stages are named differently."""

    assessment_stage: Name | None = None  # default: the scenario's key stage
    reablement_stage: Name = "enablement"
    safeguarding_source: Name = "safeguarding"  # the referral source or the workstream of concerns
    safeguarding_stage: Name = "safeguarding_enquiry"
    care_home_packages: list[Name] = Field(default_factory=lambda: ["residential_care", "nursing_care"])
    not_long_term: list[Name] = Field(default_factory=lambda: ["carer_support", "equipment_adaptations"],
                                      description="package types that are not long-term support in SALT (LTS001)")
    new_client_share_of_contacts: float = Field(0.8, gt=0, le=1, description=(
        "requests from new clients per front-door contact: SALT counts new clients only "
        "(assumptions.demand.existing_client_contact_share: 20% of contacts are from existing clients)"))


class Profile(Strict):
    """A council's observed figures."""

    council: str = Field(min_length=1)
    description: str | None = None
    figures: dict[str, list[Observation]]
    model: ModelNames = Field(default_factory=ModelNames)

    @field_validator("figures")
    @classmethod
    def _known_figures(cls, figures: dict) -> dict:
        unknown = sorted(set(figures) - set(MEASURES))
        if unknown:
            raise ValueError(f"unknown figure {', '.join(map(repr, unknown))} (known: {', '.join(MEASURES)})")
        for name, observations in figures.items():
            years = [o.year for o in observations]
            if len(set(years)) != len(years):
                raise ValueError(f"{name}: a year is given twice")
        return figures

    def observations(self, year: str | None = None) -> list[tuple[str, Observation]]:
        """(figure, observation) pairs, for one year or all, in the vocabulary's order."""
        return [(name, o) for name in MEASURES for o in self.figures.get(name, []) if year in (None, o.year)]

    @property
    def years(self) -> list[str]:
        return sorted({o.year for _, o in self.observations()})


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file; InputError naming the file, the field and what is wrong."""
    return profile_from_text(read_user_file(path, str(path), MAX_UPLOAD_BYTES), str(path))


def profile_from_text(data: str | bytes, origin: str) -> Profile:
    """Validate a profile already read (an upload); ``origin`` names it in messages."""
    document = user_yaml(user_text(data, origin, MAX_UPLOAD_BYTES), origin)
    if not isinstance(document, dict):
        raise InputError.single(origin, "", "must be a YAML mapping with council and figures")
    try:
        return Profile.model_validate(document)
    except ValidationError as err:
        raise InputError(_problems_from_pydantic(origin, err.errors())) from None

