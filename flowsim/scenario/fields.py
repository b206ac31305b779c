"""Building blocks of the scenario schema: strict models, names, shares and their checks."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

SHARE_TOLERANCE = 1e-9
REST = "rest"

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Month = Literal["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
RouteShare = Annotated[float, Field(ge=0.0, le=1.0)] | Literal["rest"]
FiniteNonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Routes = dict[Name, RouteShare]


class Strict(BaseModel):
    """Refuses unknown keys (a typo guard) and cannot be changed once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def resolve_shares(routes: dict[str, float | str]) -> dict[str, float]:
    """Replace a single ``rest`` share by one minus the others; check the sum is 1."""
    rests = [k for k, v in routes.items() if v == REST]
    if len(rests) > 1:
        raise ValueError(f"only one route may be 'rest', found {rests}")
    given = sum(v for v in routes.values() if v != REST)
    if rests:
        if given > 1 + SHARE_TOLERANCE:
            raise ValueError(f"shares other than 'rest' add up to {given:.6g}, more than 1")
        return {k: (max(0.0, 1.0 - given) if v == REST else v) for k, v in routes.items()}
    if abs(given - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"shares add up to {given:.10g}, not 1")
    return dict(routes)
