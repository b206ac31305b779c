"""From what a replication observed to tidy tables and KPIs.

KPIs cover the horizon (the simulated days after any warm-up). Waits are in
days; hours are practitioner hours; costs are pounds in the scenario's price
year. Names are ``measure`` or ``measure.thing`` (``wait_p90_days.full_assessment``);
the README lists them all.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from flowsim.calendar import financial_years
from flowsim.engine.model import DAYS_PER_WEEK, Records
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


def package_costs(rec: Records, start: float, end: float) -> dict[str, float]:
    """Package cost between ``start`` and ``end``, of the new packages among it, and the weekly run-rate at ``end``."""
    if not rec.packages["type"]:
        return {"horizon": 0.0, "weekly_at_end": 0.0, "new_packages_horizon": 0.0}
    spent, current = package_spend(rec, start, end)
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


ADDITIVE = ("arrivals", "waiting_at_end", "waiting_mean", "hours_demanded", "hours_delivered", "hours_available")


def locality_totals(k: dict[str, float]) -> dict[str, float]:
    """All localities together: ``arrivals.community_hub`` = the sum of ``arrivals.community_hub__<locality>``."""
    totals: dict[str, float] = {}
    for name, value in k.items():
        measure, _, thing = name.partition(".")
        base, place = locality_of(thing)
        if place is not None and measure in ADDITIVE:
            totals[f"{measure}.{base}"] = totals.get(f"{measure}.{base}", 0.0) + value
    for name in [n for n in totals if n.startswith("hours_available.")]:
        role = name.partition(".")[2]
        available = totals[name]
        totals[f"utilisation.{role}"] = totals[f"hours_delivered.{role}"] / available if available else math.nan
    return totals


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


def run_kpis(scenario: Scenario, rec: Records) -> dict[str, float]:
    """Every KPI of one replication, by name."""
    window = slice(rec.warm_up, rec.days)
    horizon = rec.days - rec.warm_up
    k: dict[str, float] = {"contacts": float(rec.contacts)}
    for stage, n in rec.arrivals.items():
        k[f"arrivals.{stage}"] = float(n)
    for outcome, n in rec.outcomes.items():
        k[f"outcomes.{outcome}"] = float(n)
    for a, b in scenario.network.edges:
        k[f"flow.{a}->{b}"] = float(rec.edges.get((a, b), 0))
    for stage, waits in rec.waits.items():
        k[f"wait_mean_days.{stage}"] = float(np.mean(waits)) if waits else math.nan
        k[f"wait_median_days.{stage}"] = _percentile(waits, 50)
        k[f"wait_p90_days.{stage}"] = _percentile(waits, 90)
        target = scenario.stages[stage].wait_target_days
        within = float(np.mean(np.asarray(waits) <= target)) if (waits and target) else math.nan
        k[f"within_target.{stage}"] = within
        k[f"waiting_at_end.{stage}"] = float(rec.waiting_at_end[stage])
        k[f"waiting_mean.{stage}"] = rec.waiting_area[stage] / horizon
    for role in scenario.roles:
        available = float(rec.available_hours[role][window].sum()) if role in rec.available_hours else 0.0
        delivered = float(rec.busy_hours[role][window].sum()) if role in rec.busy_hours else 0.0
        k[f"hours_demanded.{role}"] = rec.work_demanded[role] / 60.0
        k[f"hours_delivered.{role}"] = delivered
        k[f"hours_available.{role}"] = available
        k[f"utilisation.{role}"] = delivered / available if available else math.nan
    packages = pd.DataFrame(rec.packages)
    new = packages[packages["new"] & (packages["start"] >= rec.warm_up)] if len(packages) else packages
    for name in scenario.package_outcomes():
        k[f"new_packages.{name}"] = float((new["type"] == name).sum()) if len(new) else 0.0
    k["new_packages.total"] = float(len(new))
    active = packages[(packages["start"] <= rec.days) & (packages["end"] > rec.days)] if len(packages) else packages
    k["active_packages_at_end.total"] = float(len(active))
    for name, value in package_costs(rec, rec.warm_up, rec.days).items():
        k[f"package_cost.{name}"] = value
    staff_per_day = sum(role.cost_per_year for role in scenario.roles.values()) / 365.0
    if scenario.locality_names:
        k |= locality_totals(k)
    k["staff_cost.horizon"] = staff_per_day * horizon
    k["total_cost.horizon"] = k["package_cost.horizon"] + k["staff_cost.horizon"]
    for label, start, end in financial_years(scenario):
        package = package_costs(rec, start, end)["horizon"]
        k[f"package_cost.{label}"] = package
        k[f"staff_cost.{label}"] = staff_per_day * (end - start)
        k[f"total_cost.{label}"] = package + staff_per_day * (end - start)
    return k


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
    """Daily series, long format: waiting per stage, hours per role, active packages per type."""
    days = np.arange(rec.warm_up, rec.days)
    pieces = []

    def add(measure: str, name: str, values: np.ndarray) -> None:
        pieces.append(pd.DataFrame({"day": days, "measure": measure, "name": name,
                                     "value": values[rec.warm_up:rec.days]}))

    for stage, series in rec.waiting_daily.items():
        add("waiting", stage, series.astype(float))
    for role in rec.busy_hours:
        add("hours_used", role, rec.busy_hours[role])
        add("hours_available", role, rec.available_hours[role])
    if rec.packages["type"]:
        types = np.asarray(rec.packages["type"])
        starts, ends = np.asarray(rec.packages["start"]), np.asarray(rec.packages["end"])
        day_ends = np.arange(1, rec.days + 1, dtype=float)
        for name in scenario.package_outcomes():
            mine = types == name
            s, e = np.sort(starts[mine]), np.sort(ends[mine])
            active = np.searchsorted(s, day_ends, side="right") - np.searchsorted(e, day_ends, side="right")
            add("active_packages", name, active.astype(float))
    frame = pd.concat(pieces, ignore_index=True)
    start: dt.date = scenario.time.start_date
    frame.insert(1, "date", pd.to_datetime(start) + pd.to_timedelta(frame["day"], unit="D"))
    frame.insert(0, "run", run)
    frame.insert(0, "scenario", scenario.name)
    return frame
