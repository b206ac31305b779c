"""Reviews of packages of care: which fall overdue, which packages were reviewed, and unplanned reviews.

Planned reviews arrive at the review stage on their due dates (the
``Replication`` schedules them). A planned review is *overdue* from
``overdue_after_days`` after its due date until it starts (is allocated, at a
case stage); the overdue count over time is worked out at the end from each
review's due and start dates, so it needs no events and no random numbers.
A package counts as reviewed in a year when a review of it has been routed out
of the review stage in that year of the horizon.

Unplanned reviews (a situation changes: a fall, a carer who can no longer
cope) arrive for each active package as a Poisson process of rate
``unplanned_reviews_per_year``, from their own random stream, and join the
same review stage; they are counted apart and never count as overdue.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from flowsim.engine.streams import exponentials, generator
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_YEAR

if TYPE_CHECKING:
    from flowsim.engine.stages import Visit


class ReviewBook:
    """The planned reviews that arrived, the packages reviewed, and the stream of unplanned reviews' gaps."""

    __slots__ = ("after", "planned", "reviewed", "unplanned", "gap")

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence):
        self.after = scenario.caseload.overdue_after_days
        self.planned: list[tuple[float, "Visit"]] = []  # (overdue from, the review's visit to the review stage)
        self.reviewed: dict[int, float] = {}  # package -> when its last review in the horizon was completed
        self.unplanned = 0  # unplanned reviews arriving in the horizon
        rate = scenario.caseload.unplanned_reviews_per_year
        # A stream only when the feature is used: scenarios without it draw exactly what they drew before.
        self.gap = exponentials(generator(seed, "caseload:unplanned_reviews"), DAYS_PER_YEAR / rate) if rate else None

    def due(self, visit: "Visit", due: float) -> None:
        self.planned.append((due + self.after, visit))

    def overdue(self, days: int, warm_up: float) -> tuple[np.ndarray, float, float]:
        """Overdue reviews at the end of each day, ∫ overdue dt over the horizon, and overdue at the end."""
        begin = np.array([b for b, _ in self.planned], dtype=float)
        started = np.array([v.started for _, v in self.planned], dtype=float)
        end = np.where(np.isnan(started), math.inf, started)  # not started yet: overdue to the end
        overdue = begin < end
        begin, end = begin[overdue], end[overdue]
        day_ends = np.arange(1, days + 1, dtype=float)
        daily = (np.searchsorted(np.sort(begin), day_ends, side="right")
                 - np.searchsorted(np.sort(end), day_ends, side="right")).astype(float)
        area = float(np.clip(np.minimum(end, days) - np.maximum(begin, warm_up), 0, None).sum())
        at_end = float(((begin <= days) & (end > days)).sum())
        return daily, area, at_end
