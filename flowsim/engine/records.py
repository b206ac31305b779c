"""What one replication observed, before it is turned into tables (``flowsim.engine.results``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

import numpy as np

# People waiting by time waited so far, in the bands of the ADASS snapshot surveys: each band's
# measure name and the days waited it stops short of (under 4 weeks, 1–3 months, 3–6 months, over 6).
WAITING_BANDS = (("waiting_under_4_weeks", 28.0), ("waiting_1_3_months", 91.0), ("waiting_3_6_months", 182.0),
                 ("waiting_over_6_months", float("inf")))


def count_waiting_bands(queue, now: float, stale=()) -> dict:
    """Stage -> people waiting in each band at ``now``, from a team's queue of (priority, asked since, seq, visit)
    less its ``stale`` entries (``flowsim.engine.team``).

    Time waited counts from when the person first asked at the stage, so it includes any time
    already waited before the run (``Visit.waited_before``)."""
    if not queue:
        return {}
    # Counted for every team with people waiting at every day's end: done in numpy, not a Python loop.
    # The few stale entries are counted too, then taken off.
    entries, gone = queue, len(queue)
    if stale:
        entries = [*queue, *stale]
    asked = np.fromiter(map(itemgetter(1), entries), float, len(entries))
    band = (asked <= now - 28.0).astype(np.int64) + (asked <= now - 91.0) + (asked <= now - 182.0)
    stages = list(map(attrgetter("stage"), map(itemgetter(3), entries)))
    index = {stage: i for i, stage in enumerate(dict.fromkeys(stages))}
    cells = np.fromiter(map(index.__getitem__, stages), np.int64, len(stages)) * 4 + band
    weight = np.ones(len(entries))
    weight[gone:] = -1.0
    counts = np.bincount(cells, weights=weight, minlength=4 * len(index)).reshape(len(index), 4)
    return {stage: counts[i].astype(np.int64).tolist() for stage, i in index.items() if counts[i].any()}


@dataclass
class Records:
    """Counts, waits, hours and packages of one replication; times in days from the start."""

    days: int
    warm_up: int
    contacts: int = 0  # at the front door only
    workstream_arrivals: dict = field(default_factory=dict)  # workstream -> arrivals in window
    group_contacts: dict = field(default_factory=dict)  # client group -> contacts in window
    events: list = field(default_factory=list)  # (person, source, stage, arrived, started, ended, wait, work, next)
    arrivals: dict = field(default_factory=dict)  # stage -> count in window
    existing_arrivals: dict = field(default_factory=dict)  # stage -> arrivals sent on from reviews, in window
    outcomes: dict = field(default_factory=dict)  # outcome -> count in window
    edges: dict = field(default_factory=dict)  # (stage, next) -> count in window
    waits: dict = field(default_factory=dict)  # stage -> waits (days) of visits started in window
    wait_sources: dict = field(default_factory=dict)  # stage -> referral source of each of those waits
    work_demanded: dict = field(default_factory=dict)  # role -> minutes for visits arriving in window
    waiting_daily: dict = field(default_factory=dict)  # stage -> waiting at the end of each day
    waiting_area: dict = field(default_factory=dict)  # stage -> ∫ waiting dt over the window
    waiting_at_end: dict = field(default_factory=dict)
    left_waiting_list: dict = field(default_factory=dict)  # triaged stage -> people who left the list unseen
    busy_hours: dict = field(default_factory=dict)  # role -> hours worked per day
    available_hours: dict = field(default_factory=dict)  # role -> hours available per day
    packages: dict = field(default_factory=dict)  # columns: type, start, end, weekly_cost, one_off, new
    cost_changes: list = field(default_factory=list)  # (package, time, new weekly cost)
    # Teams that hold caseloads (case stages) only:
    practitioners: dict = field(default_factory=dict)  # role -> practitioners (people, not FTE)
    open_cases_area: dict = field(default_factory=dict)  # role -> ∫ open cases dt over the window
    open_cases_at_end: dict = field(default_factory=dict)  # role -> open cases of each practitioner at the end
    open_cases_daily: dict = field(default_factory=dict)  # role -> open cases at the end of each day
    awaiting_allocation_at_end: dict = field(default_factory=dict)  # role -> people on the allocation list
    case_open_days: dict = field(default_factory=dict)  # case stage -> allocation → close, cases closed in window
    # Stages worked by a team: people waiting by time waited (WAITING_BANDS), each day's end and the run's end
    waiting_bands_daily: dict = field(default_factory=dict)  # stage -> array (day, band) of people waiting
    waiting_bands_at_end: dict = field(default_factory=dict)  # stage -> people waiting in each band at the end
    # The key stage and case stages: first asked → left the stage (days), for people leaving in the window
    request_to_completion: dict = field(default_factory=dict)
    request_to_service: list = field(default_factory=list)  # days from first asking to a new package's start
    # Service stages only:
    places_used_area: dict = field(default_factory=dict)  # service stage -> ∫ places used dt over the window
    # Scenarios with a review stage only:
    overdue_daily: object = None  # overdue reviews at the end of each day (numpy array)
    overdue_area: float = 0.0  # ∫ overdue reviews dt over the window
    overdue_at_end: float = 0.0
    reviewed: dict = field(default_factory=dict)  # package -> its last review completed in the window
    unplanned_reviews: int = 0  # unplanned reviews arriving in the window
    recontacts: dict = field(default_factory=dict)  # stage with re-contact -> people back in the window
