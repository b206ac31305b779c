"""New contacts at the front door, and competing work streams: when they arrive and from where.

Arrivals are a non-homogeneous Poisson process, drawn by thinning: candidates
at the peak rate, each kept with probability rate(t)/peak at its own time t.
The rate follows the weekday and monthly profiles and grows continuously.
Each workstream (carers' assessments, DoLS, …) is its own such process with
its own random streams (``workstream:<name>``), so adding one moves no contact.
"""
from __future__ import annotations

import heapq
import math

import numpy as np

from flowsim.calendar import day_profile
from flowsim.units import DAYS_PER_YEAR
from flowsim.engine.streams import generator
from flowsim.scenario.schema import Scenario


def arrival_times(scenario: Scenario, rep_seed: np.random.SeedSequence, days: int,
                  per_year: float | None = None, purpose: str = "arrivals", growth: float | None = None) -> np.ndarray:
    """Arrival times (days from the start) within ``days``, in order: contacts, or ``per_year`` drawn
    from the streams named by ``purpose`` (growing at ``growth`` if given, else the demand's growth)."""
    base = (scenario.demand.contacts_per_year if per_year is None else per_year) / DAYS_PER_YEAR
    if base == 0:
        return np.empty(0)
    profile = day_profile(scenario, days)
    k = math.log1p(scenario.demand.annual_growth if growth is None else growth) / DAYS_PER_YEAR
    peak = base * profile.max() * max(1.0, math.exp(k * days))
    candidates_gen, keep_gen = generator(rep_seed, purpose), generator(rep_seed, f"{purpose}:thinning")
    chunks, t = [], 0.0
    while t < days:
        gaps = candidates_gen.standard_exponential(int(peak * days * 0.25) + 64) / peak
        times = t + np.cumsum(gaps)
        chunks.append(times)
        t = times[-1]
    times = np.concatenate(chunks)
    times = times[times < days]
    rate = base * profile[times.astype(int)] * np.exp(k * times)
    return times[keep_gen.random(len(times)) * peak < rate]


def contact_plan(scenario: Scenario, rep_seed: np.random.SeedSequence, days: int) -> list[tuple[float, object]]:
    """Each contact's time and referral source, in time order; with client groups, the source and
    the group as a pair.

    Each group is its own arrival stream (``arrivals:<group>``) with its own growth; the sources
    are then drawn for all contacts in time order, whatever their group."""
    demand = scenario.demand
    if demand.groups:
        plans = [[(t, name) for t in arrival_times(scenario, rep_seed, days, demand.contacts_per_year * group.share,
                                                   f"arrivals:{name}", demand.group_growth(name)).tolist()]
                 for name, group in demand.groups.items()]
        times, groups = zip(*merged_plan(*plans)) if any(plans) else ((), ())
    else:
        times, groups = arrival_times(scenario, rep_seed, days).tolist(), None
    names = sorted(demand.sources)
    cumulative = np.cumsum([demand.sources[n] for n in names])
    picks = np.searchsorted(cumulative, generator(rep_seed, "sources").random(len(times)) * cumulative[-1],
                            side="right")
    sources = [names[min(i, len(names) - 1)] for i in picks]
    return list(zip(times, sources if groups is None else zip(sources, groups)))


def workstream_plan(scenario: Scenario, rep_seed: np.random.SeedSequence, days: int) -> list[tuple[float, str]]:
    """Each workstream arrival's time and workstream name, in time order (ties: workstreams in listed order)."""
    plans = []
    for name, stream in scenario.demand.workstreams.items():
        times = arrival_times(scenario, rep_seed, days, stream.per_year, f"workstream:{name}")
        plans.append([(t, name) for t in times.tolist()])
    return merged_plan(*plans)


def merged_plan(*plans: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Time-ordered plans as one, in time order; at equal times the earlier plan goes first."""
    return list(heapq.merge(*plans, key=lambda item: item[0]))
