"""Changing shares without breaking them: set some, and the others fill the rest.

A service manager moving "share invited to a hub" from 20% to 30% expects the
other routes from the front door to give up the difference in proportion; the
same holds for referral-source shares and the package mix.
"""
from __future__ import annotations

from typing import Mapping

from flowsim.scenario.fields import SHARE_TOLERANCE

ROUNDING = 0.005  # every share set by hand may be off by a slider's rounding


def rebalance(base: Mapping[str, float], fixed: Mapping[str, float]) -> dict[str, float]:
    """``base`` shares with the ``fixed`` ones set; the rest scaled to make the total 1.

    Raises ValueError when the fixed shares are impossible (above 1 together,
    or not 1 when nothing is left to absorb the difference).
    """
    unknown = set(fixed) - set(base)
    if unknown:
        raise ValueError(f"no such route: {', '.join(sorted(unknown))}")
    if any(not 0 <= v <= 1 for v in fixed.values()):
        raise ValueError("each share must be between 0 and 1")
    remainder = 1.0 - sum(fixed.values())
    if remainder < -SHARE_TOLERANCE:
        raise ValueError(f"the shares set add up to {1 - remainder:.1%}, more than 100%")
    free = {k: v for k, v in base.items() if k not in fixed}
    if not free:
        if abs(remainder) > ROUNDING:
            raise ValueError(f"the shares add up to {1 - remainder:.1%}, not 100%")
        total = sum(fixed.values())
        return {k: v / total for k, v in fixed.items()}  # slider rounding: scale to exactly 100%
    free_total = sum(free.values())
    remainder = max(remainder, 0.0)
    if free_total <= 0:
        spread = {k: remainder / len(free) for k in free}
    else:
        spread = {k: v * remainder / free_total for k, v in free.items()}
    return {k: fixed[k] if k in fixed else spread[k] for k in base}


def share_overrides(path: str, base: Mapping[str, float], fixed: Mapping[str, float]) -> dict[str, float]:
    """Overrides (``path.key`` → share) that set ``fixed`` and rebalance the rest of ``base``."""
    return {f"{path}.{k}": v for k, v in rebalance(base, fixed).items()}
