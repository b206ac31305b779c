"""New contacts at the front door: when they arrive and from which referral source.

Arrivals are a non-homogeneous Poisson process, drawn by thinning: candidates
at the peak rate, each kept with probability rate(t)/peak at its own time t.
The rate follows the weekday and monthly profiles and grows continuously.
"""
from __future__ import annotations

import math

import numpy as np

from flowsim.calendar import day_profile
from flowsim.units import DAYS_PER_YEAR
from flowsim.engine.streams import generator
from flowsim.scenario.schema import Scenario


def arrival_times(scenario: Scenario, rep_seed: np.random.SeedSequence, days: int) -> np.ndarray:
    """Contact times (days from the start) within ``days``, in order."""
    base = scenario.demand.contacts_per_year / DAYS_PER_YEAR
    if base == 0:
        return np.empty(0)
    profile = day_profile(scenario, days)
    k = math.log1p(scenario.demand.annual_growth) / DAYS_PER_YEAR
    peak = base * profile.max() * max(1.0, math.exp(k * days))
    candidates_gen, keep_gen = generator(rep_seed, "arrivals"), generator(rep_seed, "arrivals:thinning")
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


def contact_plan(scenario: Scenario, rep_seed: np.random.SeedSequence, days: int) -> list[tuple[float, str]]:
    """Each contact's time and referral source, in time order."""
    times = arrival_times(scenario, rep_seed, days)
    names = sorted(scenario.demand.sources)
    cumulative = np.cumsum([scenario.demand.sources[n] for n in names])
    picks = np.searchsorted(cumulative, generator(rep_seed, "sources").random(len(times)) * cumulative[-1],
                            side="right")
    return list(zip(times.tolist(), [names[min(i, len(names) - 1)] for i in picks]))
