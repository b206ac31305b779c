"""Practitioner time per case, drawn from the stage's distribution.

Each distribution is a transform of a standard variate from the stage's own
stream, so a change of mean or spread keeps the same person's draw at the same
quantile (common random numbers across scenarios).
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from flowsim.engine.streams import exponentials, gammas, lognormals
from flowsim.scenario.work import WorkTime



def work_sampler(work: WorkTime, gen: np.random.Generator) -> Callable[[], float]:
    """A function giving one case's work in minutes, travel included."""
    mean, sd, travel = work.mean_minutes, work.sd_minutes, work.travel_minutes
    if work.distribution == "fixed":
        return lambda: mean + travel
    if work.distribution == "exponential":
        return exponentials(gen, mean, travel)
    if work.distribution == "lognormal":
        sigma2 = math.log1p((sd / mean) ** 2)
        return lognormals(gen, math.log(mean) - sigma2 / 2, math.sqrt(sigma2), travel)
    shape = (mean / sd) ** 2  # gamma with the given mean and sd
    return gammas(gen, shape, mean / shape, travel)
