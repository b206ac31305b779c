"""When a team is near or over its hours: what its load means for waits.

A team's utilisation is the share of its productive hours the work needs. Queueing
theory (Erlang C, the M/M/c queue) says waits do not grow in proportion to load:
they stay short while a team has slack and then rise steeply as the load nears
its hours, and any bump (a winter, a vacancy, a run of complex cases) lands on a
queue that cannot absorb it. In a single queue the mean wait is ρ/(1 − ρ) times the
time one case takes: 5.7 at 85% busy, 9 at 90%, 19 at 95%; a team of many workers
turns the corner later but more sharply.
"""
from __future__ import annotations

import math
from typing import Mapping

# From here waits grow steeply: the M/M/1 mean wait passes 5 service times at 83% busy, and a
# team of 20 (Erlang C) starts to queue noticeably near 85–90%. A warning, not a limit.
NEAR_CAPACITY = 0.85
# At or above its hours a team's queue grows for as long as the load lasts.
OVER_CAPACITY = 1.0


def single_queue_wait(utilisation: float) -> float:
    """Mean wait in a single M/M/1 queue, in service times: ρ / (1 − ρ)."""
    return utilisation / (1 - utilisation) if utilisation < 1 else math.inf


def capacity_warning(role_label: str, load: float) -> str | None:
    """A sentence for a role whose work needs ``load`` of its hours, or None if it has slack."""
    if not math.isfinite(load) or load < NEAR_CAPACITY:
        return None
    if load >= OVER_CAPACITY:
        return (f"{role_label}: over capacity ({load:.0%} of its hours needed); "
                "the queue will grow without limit while this lasts, and waits with it")
    return (f"{role_label}: near capacity ({load:.0%} of its hours needed). Waits grow steeply from about "
            f"{NEAR_CAPACITY:.0%}: a single queue this busy waits about {single_queue_wait(load):.0f} times as long "
            "as one case takes, so a small rise in demand or one vacancy lengthens waits sharply")


def simulated_load(means: Mapping[str, float], role: str) -> float:
    """A role's load in a simulation: hours demanded over hours available, or the utilisation
    reached if higher (NaN when the role has no hours)."""
    available = means.get(f"hours_available.{role}", math.nan)
    demanded = means.get(f"hours_demanded.{role}", math.nan)
    ratio = demanded / available if available and math.isfinite(available) and available > 0 else math.nan
    used = means.get(f"utilisation.{role}", math.nan)
    finite = [v for v in (ratio, used) if math.isfinite(v)]
    return max(finite) if finite else math.nan


def simulated_warnings(scenario, means: Mapping[str, float]) -> list[str]:
    """Warnings for the roles of ``scenario`` near or over capacity in a simulation's KPI means."""
    return [w for role in scenario.roles
            if (w := capacity_warning(scenario.label(role), simulated_load(means, role)))]
