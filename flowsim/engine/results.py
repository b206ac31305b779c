"""From what a replication observed to tidy tables and KPIs.

KPIs cover the horizon (the simulated days after any warm-up). Waits are in
days; hours are practitioner hours; costs are pounds in the scenario's price
year. Names are ``measure`` or ``measure.thing`` (``wait_p90_days.full_assessment``);
the README lists them all.

The sector's own waiting measures: people waiting at each worked stage by time
waited so far, in the ADASS survey bands (``waiting_under_4_weeks``,
``waiting_1_3_months``, ``waiting_3_6_months``, ``waiting_over_6_months``; at
the end as KPIs with period ``end``, and each day in the daily series as those
measures with the stage as ``name``), and the DHSC's request → completion wait
(``request_to_completion_median_days`` / ``_p90_days``): from when the person
first asked the council (their contact, review date, or the time already
waited by someone on the list at the start) to when they left the key stage or
a case stage.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from flowsim.calendar import financial_years
from flowsim.engine.records import WAITING_BANDS, Records
from flowsim.units import DAYS_PER_WEEK, DAYS_PER_YEAR
from flowsim.scenario.localities import locality_of
from flowsim.scenario.schema import Scenario

EVENT_COLUMNS = ["person", "source", "stage", "arrival", "start", "end", "wait", "work_minutes", "next"]


def package_spend(rec: Records, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Each package's cost between ``start`` and ``end`` (days), and its weekly cost at ``end``.

    A package costs its weekly cost for each week it is active, changed from the
    date of each review that changes it, plus any one-off cost when it starts.
    """
    p = rec.packages
    p_start, p_end = np.asarray(p["start"], dtype=float), np.asarray(p["end"], dtype=float)
    weekly = np.asarray(p["weekly_cost"], dtype=float)
    overlap = np.clip(np.minimum(p_end, end) - np.maximum(p_start, start), 0, None)
    spent = weekly * overlap / DAYS_PER_WEEK
    spent += np.where((p_start >= start) & (p_start < end), np.asarray(p["one_off"], dtype=float), 0.0)
    current = weekly.copy()
    for pid, when, cost in rec.cost_changes:  # in time order
        if when < end:
            later = max(0.0, min(p_end[pid], end) - max(when, start))
            spent[pid] += (cost - current[pid]) * later / DAYS_PER_WEEK
            current[pid] = cost
    return spent, current


def package_costs(rec: Records, start: float, end: float,
                  spend: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
    """Package cost between ``start`` and ``end``, of the new packages among it, and the weekly run-rate at ``end``
    (``spend``: ``package_spend`` over the same dates, if already worked out)."""
    if not rec.packages["type"]:
        return {"horizon": 0.0, "weekly_at_end": 0.0, "new_packages_horizon": 0.0}
    spent, current = spend or package_spend(rec, start, end)
    p_start, p_end = np.asarray(rec.packages["start"]), np.asarray(rec.packages["end"])
    active_at_end = (p_start <= end) & (p_end > end)
    return {"horizon": float(spent.sum()), "weekly_at_end": float(current[active_at_end].sum()),
            "new_packages_horizon": float(spent[np.asarray(rec.packages["new"], dtype=bool)].sum())}


def packages_frame(scenario: Scenario, rec: Records, run: int) -> pd.DataFrame:
    """One row per package of care: type, start, end (days), weekly cost at start and at the end, cost in the horizon."""
    frame = pd.DataFrame(rec.packages).rename(columns={"weekly_cost": "weekly_cost_start", "one_off": "one_off_cost"})
    if len(frame):
        spent, current = package_spend(rec, rec.warm_up, rec.days)
        frame["weekly_cost_end"] = current
        frame["cost_in_horizon"] = spent
    else:
        frame = frame.assign(weekly_cost_end=[], cost_in_horizon=[])
    frame["type"] = frame["type"].astype("category")
    frame.insert(0, "package", range(len(frame)))
    frame.insert(0, "run", run)
    frame.insert(0, "scenario", scenario.name)
    return frame


HORIZON = "horizon"  # the period of a KPI over the whole horizon (after any warm-up)
COST_MEASURES = ("package_cost", "staff_cost", "total_cost")  # always named with their period
KPI_COLUMNS = ["measure", "subject", "source", "period"]


class Kpi(NamedTuple):
    """What a KPI measures, of what, for people from which referral source, over which period.

    ``subject`` is a stage, role, outcome, package type or edge (``a->b``), or
    "" for the whole service; ``source`` is "" for everyone; ``period`` is the
    horizon, a financial year (``2017_18``) or ``end`` (a snapshot at the end).
    """

    measure: str
    subject: str = ""
    source: str = ""
    period: str = HORIZON

    @property
    def name(self) -> str:
        """The dotted label used in files and for display: ``wait_p90_days.full_assessment``."""
        name = self.measure + (f".{self.subject}" if self.subject else "") + (f"@{self.source}" if self.source else "")
        if self.period != HORIZON or self.measure in COST_MEASURES:
            name += f".{self.period}"
        return name


BAND_MEASURES = tuple(measure for measure, _ in WAITING_BANDS)
ADDITIVE = ("arrivals", "waiting_at_end", "waiting_mean", "hours_demanded", "hours_delivered", "hours_available",
            "awaiting_allocation_end", "left_waiting_list", *BAND_MEASURES)


def locality_totals(kpis: dict[Kpi, float]) -> dict[Kpi, float]:
    """All localities together: arrivals at ``community_hub`` = the sum over ``community_hub__<locality>``."""
    totals: dict[Kpi, float] = {}
    for kpi, value in kpis.items():
        base, place = locality_of(kpi.subject)
        if place is not None and kpi.measure in ADDITIVE and not kpi.source:
            total = kpi._replace(subject=base)
            totals[total] = totals.get(total, 0.0) + value
    for kpi in [k for k in totals if k.measure == "hours_available"]:
        available = totals[kpi]
        delivered = totals[kpi._replace(measure="hours_delivered")]
        totals[kpi._replace(measure="utilisation")] = delivered / available if available else math.nan
    return totals


def _percentiles(values, qs: tuple[float, ...]) -> list[float]:
    """``np.percentile(values, qs)`` (linear method, numpy's own arithmetic) without its per-call overhead,
    which dominated the KPIs once waits were also given per referral source."""
    if not len(values):
        return [math.nan] * len(qs)
    ordered = np.sort(np.asarray(values, dtype=float))
    out = []
    for q in qs:
        h = (q / 100) * (len(ordered) - 1)
        lo = math.floor(h)
        a, t = ordered[lo], h - lo
        if t == 0:
            out.append(float(a))
            continue
        b = ordered[lo + 1]
        out.append(float(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t))
    return out


def _wait_kpis(k: dict[Kpi, float], scenario: Scenario, rec: Records, stage: str) -> None:
    waits = rec.waits[stage]
    k[Kpi("wait_mean_days", stage)] = float(np.mean(waits)) if waits else math.nan
    k[Kpi("wait_median_days", stage)], k[Kpi("wait_p90_days", stage)] = _percentiles(waits, (50, 90))
    target = scenario.stages[stage].wait_target_days
    k[Kpi("within_target", stage)] = float(np.mean(np.asarray(waits) <= target)) if (waits and target) else math.nan
    if scenario.stages[stage].role is None and scenario.stages[stage].kind != "service":
        return  # nobody waits at a pass-through stage
    sources = scenario.network.stage_sources[stage]
    if len(sources) < 2:
        return  # the same as the stage's own waits
    values_all, of = np.asarray(waits, dtype=float), np.asarray(rec.wait_sources[stage], dtype=object)
    for source in sources:
        values = values_all[of == source]
        k[Kpi("wait_mean_days", stage, source)] = float(values.mean()) if len(values) else math.nan
        k[Kpi("wait_p90_days", stage, source)] = _percentiles(values, (90,))[0]


def _waiting_kpis(k: dict[Kpi, float], rec: Records, stage: str) -> None:
    """People waiting by time waited at the end, and the request → completion wait of those who left."""
    if stage in rec.waiting_bands_at_end:
        for measure, count in zip(BAND_MEASURES, rec.waiting_bands_at_end[stage]):
            k[Kpi(measure, stage, period="end")] = float(count)
    if stage in rec.request_to_completion:
        days = [d for d in rec.request_to_completion[stage] if d == d]  # NaN: a person made without ``asked``
        median, p90 = _percentiles(days, (50, 90))
        k[Kpi("request_to_completion_mean_days", stage)] = float(np.mean(days)) if days else math.nan
        k[Kpi("request_to_completion_median_days", stage)] = median
        k[Kpi("request_to_completion_p90_days", stage)] = p90


def _request_to_service_kpis(k: dict[Kpi, float], rec: Records) -> None:
    """Days from a person's first request to the start of their new package (DHSC's "request to service")."""
    days = [d for d in rec.request_to_service if d == d]  # NaN: a person made without ``asked``
    median, p90 = _percentiles(days, (50, 90))
    k[Kpi("request_to_service_mean_days")] = float(np.mean(days)) if days else math.nan
    k[Kpi("request_to_service_median_days")] = median
    k[Kpi("request_to_service_p90_days")] = p90


def _case_kpis(k: dict[Kpi, float], rec: Records, horizon: int) -> None:
    """Caseloads of the teams that hold cases; the allocation wait is the stage's own ``wait_*``."""
    for role, practitioners in rec.practitioners.items():
        k[Kpi("open_cases_mean", role)] = rec.open_cases_area[role] / horizon / practitioners
        k[Kpi("open_cases_end", role)] = float(np.mean(rec.open_cases_at_end[role]))
        k[Kpi("awaiting_allocation_end", role)] = float(rec.awaiting_allocation_at_end[role])
    for stage, days in rec.case_open_days.items():
        k[Kpi("case_open_days_mean", stage)] = float(np.mean(days)) if days else math.nan


def _workstream_kpis(k: dict[Kpi, float], scenario: Scenario, rec: Records) -> None:
    """Arrivals of each competing workstream (work not counted as front-door contacts)."""
    for name in scenario.demand.workstreams:
        k[Kpi("workstream_arrivals", name)] = float(rec.workstream_arrivals.get(name, 0))


def _group_kpis(k: dict[Kpi, float], scenario: Scenario, rec: Records, spent: np.ndarray) -> None:
    """Per client group: contacts, new packages started and their cost in the horizon, packages active at the end.

    A package counts to the group of the person it is for, through later reviews too; packages held at
    the start (group not known) and those for people from workstreams or waiting lists count to none."""
    if not scenario.demand.groups:
        return
    groups = np.asarray(rec.packages.get("group", []), dtype=object)
    start, end = np.asarray(rec.packages["start"]), np.asarray(rec.packages["end"])
    new = np.asarray(rec.packages["new"], dtype=bool) & (start >= rec.warm_up)
    active = (start <= rec.days) & (end > rec.days)
    for name in scenario.demand.groups:
        mine = groups == name
        k[Kpi("group_contacts", name)] = float(rec.group_contacts.get(name, 0))
        k[Kpi("group_new_packages", name)] = float((mine & new).sum())
        k[Kpi("group_new_package_cost", name)] = float(spent[mine & new].sum())
        k[Kpi("group_active_packages_at_end", name)] = float((mine & active).sum())


def _capacity_and_review_kpis(k: dict[Kpi, float], scenario: Scenario, rec: Records, horizon: int) -> None:
    """Places used at service stages (their waits are the stage's ``wait_*``), and reviews: overdue, unplanned,
    and the share of the long-standing packages reviewed in the year."""
    for stage, area in rec.places_used_area.items():
        k[Kpi("places_used_mean", stage)] = area / horizon
        k[Kpi("awaiting_service_end", stage)] = float(rec.waiting_at_end[stage])
    if rec.overdue_daily is None:
        return  # no review stage
    k[Kpi("overdue_reviews_end")] = rec.overdue_at_end
    k[Kpi("reviews_overdue_mean")] = rec.overdue_area / horizon
    k[Kpi("unplanned_reviews")] = float(rec.unplanned_reviews)
    k[Kpi("reviewed_in_year_share")] = reviewed_in_year_share(scenario, rec)


def reviewed_in_year_share(scenario: Scenario, rec: Records) -> float:
    """Of the reviewed types' packages active all through the horizon's last 365 days, the share reviewed
    (a review routed out of the review stage) at least once in them; NaN for a horizon under 365 days or
    no such package. Over several years this is the final year, as SALT counts each year."""
    year_from = rec.days - 365
    if year_from < rec.warm_up or not rec.packages["type"]:
        return math.nan
    reviewed_types = [n for n, o in scenario.package_outcomes().items() if o.review_days is not None]
    p = rec.packages
    start, end = np.asarray(p["start"], dtype=float), np.asarray(p["end"], dtype=float)
    whole = (start <= year_from) & (end > rec.days) & np.isin(np.asarray(p["type"]), reviewed_types)
    if not whole.any():
        return math.nan
    done = np.zeros(len(start), dtype=bool)
    done[[pid for pid, when in rec.reviewed.items() if when >= year_from]] = True
    return float(done[whole].mean())


def run_kpis(scenario: Scenario, rec: Records) -> dict[Kpi, float]:
    """Every KPI of one replication."""
    window = slice(rec.warm_up, rec.days)
    horizon = rec.days - rec.warm_up
    k: dict[Kpi, float] = {Kpi("contacts"): float(rec.contacts)}
    _workstream_kpis(k, scenario, rec)
    for stage, n in rec.arrivals.items():
        k[Kpi("arrivals", stage)] = float(n)
    for stage in scenario.network.after_reviews:  # existing clients' arrivals: SALT counts them apart
        k[Kpi("existing_client_arrivals", stage)] = float(rec.existing_arrivals.get(stage, 0))
    for outcome, n in rec.outcomes.items():
        k[Kpi("outcomes", outcome)] = float(n)
    for a, b in scenario.network.edges:
        k[Kpi("flow", f"{a}->{b}")] = float(rec.edges.get((a, b), 0))
    for stage, n in rec.recontacts.items():  # only stages with re-contact: other scenarios' KPIs are unchanged
        k[Kpi("recontacts", stage)] = float(n)
    for stage in rec.waits:
        _wait_kpis(k, scenario, rec, stage)
        k[Kpi("waiting_at_end", stage)] = float(rec.waiting_at_end[stage])
        if stage in rec.left_waiting_list:
            k[Kpi("left_waiting_list", stage)] = float(rec.left_waiting_list[stage])
        k[Kpi("waiting_mean", stage)] = rec.waiting_area[stage] / horizon
        _waiting_kpis(k, rec, stage)
    for role in scenario.roles:
        available = float(rec.available_hours[role][window].sum()) if role in rec.available_hours else 0.0
        delivered = float(rec.busy_hours[role][window].sum()) if role in rec.busy_hours else 0.0
        k[Kpi("hours_demanded", role)] = rec.work_demanded[role] / 60.0
        k[Kpi("hours_delivered", role)] = delivered
        k[Kpi("hours_available", role)] = available
        k[Kpi("utilisation", role)] = delivered / available if available else math.nan
    _case_kpis(k, rec, horizon)
    _request_to_service_kpis(k, rec)
    _capacity_and_review_kpis(k, scenario, rec, horizon)
    packages = pd.DataFrame(rec.packages)
    new = packages[packages["new"] & (packages["start"] >= rec.warm_up)] if len(packages) else packages
    for name in scenario.package_outcomes():
        k[Kpi("new_packages", name)] = float((new["type"] == name).sum()) if len(new) else 0.0
    k[Kpi("new_packages", "total")] = float(len(new))
    active = packages[(packages["start"] <= rec.days) & (packages["end"] > rec.days)] if len(packages) else packages
    k[Kpi("active_packages_at_end", "total")] = float(len(active))
    spend = package_spend(rec, rec.warm_up, rec.days) if rec.packages["type"] else (np.zeros(0), np.zeros(0))
    costs = package_costs(rec, rec.warm_up, rec.days, spend)
    k[Kpi("package_cost")] = costs["horizon"]
    k[Kpi("package_cost_weekly", period="end")] = costs["weekly_at_end"]
    k[Kpi("package_cost", "new_packages")] = costs["new_packages_horizon"]
    _group_kpis(k, scenario, rec, spend[0])
    staff_per_day = sum(role.cost_per_year for role in scenario.roles.values()) / DAYS_PER_YEAR
    if scenario.locality_names:
        k |= locality_totals(k)
    k[Kpi("staff_cost")] = staff_per_day * horizon
    k[Kpi("total_cost")] = k[Kpi("package_cost")] + k[Kpi("staff_cost")]
    for label, start, end in financial_years(scenario):
        package = package_costs(rec, start, end)["horizon"]
        k[Kpi("package_cost", period=label)] = package
        k[Kpi("staff_cost", period=label)] = staff_per_day * (end - start)
        k[Kpi("total_cost", period=label)] = package + staff_per_day * (end - start)
    return k


def kpi_rows(scenario: Scenario, run: int, kpis: dict[Kpi, float]) -> list[tuple]:
    """Rows of the tidy KPI table: scenario, run, measure, subject, source, period, kpi (label), value."""
    return [(scenario.name, run, *kpi, kpi.name, value) for kpi, value in kpis.items()]


def events_frame(scenario: Scenario, rec: Records, run: int) -> pd.DataFrame:
    """One row per person × stage: when they arrived, started, left, and where they went next."""
    frame = pd.DataFrame.from_records(rec.events, columns=EVENT_COLUMNS)
    frame["work_minutes"] = frame["work_minutes"].astype(float)
    frame.insert(3, "role", frame["stage"].map({n: s.role for n, s in scenario.stages.items()}))
    for column in ("source", "stage", "role", "next"):  # few distinct names: compact and quick to pass around
        frame[column] = frame[column].astype("category")
    frame.insert(0, "run", run)
    frame.insert(0, "scenario", scenario.name)
    return frame


def timeseries_frame(scenario: Scenario, rec: Records, run: int) -> pd.DataFrame:
    """Daily series, long format: waiting per stage (also by time waited: one measure per band of
    ``WAITING_BANDS``, the stage as name), hours (and open cases per practitioner) per role,
    active packages per type."""
    days = np.arange(rec.warm_up, rec.days)
    measures: list[str] = []
    names: list[str] = []
    values: list[np.ndarray] = []

    def add(measure: str, name: str, series: np.ndarray) -> None:
        measures.append(measure)
        names.append(name)
        values.append(np.asarray(series[rec.warm_up:rec.days], dtype=float))

    for stage, series in rec.waiting_daily.items():
        add("waiting", stage, series.astype(float))
    for stage, bands in rec.waiting_bands_daily.items():
        for i, measure in enumerate(BAND_MEASURES):
            add(measure, stage, bands[:, i])
    for role in rec.busy_hours:
        add("hours_used", role, rec.busy_hours[role])
        if role in rec.open_cases_daily:
            add("open_cases", role, rec.open_cases_daily[role] / rec.practitioners[role])
        add("hours_available", role, rec.available_hours[role])
    if rec.overdue_daily is not None:
        add("overdue_reviews", scenario.caseload.review_stage, rec.overdue_daily)
    if rec.packages["type"]:
        types = np.asarray(rec.packages["type"])
        starts, ends = np.asarray(rec.packages["start"]), np.asarray(rec.packages["end"])
        day_ends = np.arange(1, rec.days + 1, dtype=float)
        for name in scenario.package_outcomes():
            mine = types == name
            s, e = np.sort(starts[mine]), np.sort(ends[mine])
            active = np.searchsorted(s, day_ends, side="right") - np.searchsorted(e, day_ends, side="right")
            add("active_packages", name, active.astype(float))
    # One frame from whole columns: a frame per series costs more than the series themselves.
    frame = pd.DataFrame({"day": np.tile(days, len(values)),
                          "measure": np.repeat(np.array(measures, dtype=object), len(days)),
                          "name": np.repeat(np.array(names, dtype=object), len(days)),
                          "value": np.concatenate(values) if values else np.zeros(0)})
    start: dt.date = scenario.time.start_date
    frame.insert(1, "date", pd.to_datetime(start) + pd.to_timedelta(frame["day"], unit="D"))
    frame.insert(0, "run", run)
    frame.insert(0, "scenario", scenario.name)
    return frame
