"""What one replication observed, before it is turned into tables (``flowsim.engine.results``)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Records:
    """Counts, waits, hours and packages of one replication; times in days from the start."""

    days: int
    warm_up: int
    contacts: int = 0
    events: list = field(default_factory=list)  # (person, source, stage, arrived, started, ended, wait, work, next)
    arrivals: dict = field(default_factory=dict)  # stage -> count in window
    outcomes: dict = field(default_factory=dict)  # outcome -> count in window
    edges: dict = field(default_factory=dict)  # (stage, next) -> count in window
    waits: dict = field(default_factory=dict)  # stage -> waits (days) of visits started in window
    wait_sources: dict = field(default_factory=dict)  # stage -> referral source of each of those waits
    work_demanded: dict = field(default_factory=dict)  # role -> minutes for visits arriving in window
    waiting_daily: dict = field(default_factory=dict)  # stage -> waiting at the end of each day
    waiting_area: dict = field(default_factory=dict)  # stage -> ∫ waiting dt over the window
    waiting_at_end: dict = field(default_factory=dict)
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
    # Service stages only:
    places_used_area: dict = field(default_factory=dict)  # service stage -> ∫ places used dt over the window
    # Scenarios with a review stage only:
    overdue_daily: object = None  # overdue reviews at the end of each day (numpy array)
    overdue_area: float = 0.0  # ∫ overdue reviews dt over the window
    overdue_at_end: float = 0.0
    reviewed: set = field(default_factory=set)  # packages with a review completed in the window
    unplanned_reviews: int = 0  # unplanned reviews arriving in the window
