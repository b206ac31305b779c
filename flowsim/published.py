"""flowsim's results beside the published figures a council would judge them by.

Each comparison names a figure in ``data/`` (a wait, a waiting list, a
caseload, a review rate, a volume or a spend), how flowsim measures the same
thing from a run's KPIs, and what differs between the two definitions. The
table says where flowsim agrees and where not; it is never used to tune an
input.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from flowsim.engine import Results, mean_ci
from flowsim.engine.results import HORIZON, Kpi
from flowsim.figures import lookup
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_YEAR

Measure = Callable[[pd.DataFrame, Scenario], np.ndarray]  # KPI table (runs × KPIs) → one value per run


def _kpi(name: str) -> Measure:
    return lambda table, scenario: table[name].to_numpy(dtype=float) if name in table else np.full(len(table), np.nan)


def _key_stage_kpi(measure: str, period: str = HORIZON) -> Measure:
    def value(table: pd.DataFrame, scenario: Scenario) -> np.ndarray:
        return _kpi(Kpi(measure, scenario.key_stage or "", period=period).name)(table, scenario)
    return value


def _ratio(top: Measure, bottom: Measure) -> Measure:
    def value(table: pd.DataFrame, scenario: Scenario) -> np.ndarray:
        below = bottom(table, scenario)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(below > 0, top(table, scenario) / below, np.nan)
    return value


def _per_year(measure: Measure) -> Measure:
    def value(table: pd.DataFrame, scenario: Scenario) -> np.ndarray:
        return measure(table, scenario) * DAYS_PER_YEAR / scenario.time.horizon_days
    return value


def _sum(names: list[str]) -> Measure:
    def value(table: pd.DataFrame, scenario: Scenario) -> np.ndarray:
        present = [n for n in names if n in table]
        return table[present].sum(axis=1).to_numpy(dtype=float) if present else np.full(len(table), np.nan)
    return value


def _new_clients_at(stage: str) -> Measure:
    """Arrivals at ``stage`` less the existing clients a review sent there (SALT counts them apart)."""
    def value(table: pd.DataFrame, scenario: Scenario) -> np.ndarray:
        existing = f"existing_client_arrivals.{stage}"
        return _kpi(f"arrivals.{stage}")(table, scenario) - (
            table[existing].to_numpy(dtype=float) if existing in table else 0.0)
    return value


def _safeguarding_enquiries(table: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    return _sum([c for c in table.columns if c.startswith("flow.") and c.endswith("->safeguarding_enquiry")])(
        table, scenario)


def _safeguarding_concerns(table: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    # Concerns are a workstream of their own, or contacts from the safeguarding source.
    kpi, weight = scenario.demand.arrivals_kpi("safeguarding") or ("contacts", 0.0)
    return _kpi(kpi)(table, scenario) * weight


@dataclass(frozen=True)
class Comparison:
    """One published figure and flowsim's measure of the same thing."""

    what: str
    unit: str  # days | share | count | pounds
    figures: tuple[str, ...]  # keys in data/ (one or a low and a high)
    measure: Measure
    difference: str  # how the two definitions differ
    council: str | None = None  # a council's own figure: compared only with that council's scenarios


COMPARISONS = [
    Comparison("Request → assessment completed, median (days)", "days",
               ("operations.wait.wokingham_median_days_2022_23", "operations.wait.wokingham_median_days_2021_22"),
               _key_stage_kpi("request_to_completion_median_days"),
               "Wokingham's median from request to completed assessment; flowsim's from a person's first contact "
               "to the end of the key stage (Care Act assessment)"),
    Comparison("Request → assessment completed, mean (days)", "days",
               ("england.devon_mean_assessment_wait_days_low", "england.devon_mean_assessment_wait_days_high"),
               _key_stage_kpi("request_to_completion_mean_days"),
               "Devon's mean wait for a needs assessment; flowsim's mean from first contact to the end of the key stage"),
    Comparison("Waiting for assessment: share waiting over 6 months", "share",
               ("operations.adass_2022_04_30.over_6_months_share",),
               _ratio(_key_stage_kpi("waiting_over_6_months", "end"), _key_stage_kpi("waiting_at_end")),
               "ADASS counts everyone awaiting a first assessment in England on one day; flowsim counts those "
               "waiting for allocation to the key stage at the end of the run"),
    Comparison("Open cases per social worker", "count", ("operations.caseload.coventry_2024_25.social_worker",),
               _kpi("open_cases_mean.social_worker"),
               "Coventry's audit counts every open case per worker; flowsim the time-average per practitioner "
               "in post of the cases the model gives social workers"),
    Comparison("Open cases per occupational therapist", "count",
               ("operations.caseload.coventry_2024_25.occupational_therapist",),
               _kpi("open_cases_mean.occupational_therapist"), "as for social workers"),
    Comparison("Long-term clients reviewed in the year", "share",
               ("operations.reviews.reviewed_share_2020_21", "operations.reviews.reviewed_share_2019_20"),
               _kpi("reviewed_in_year_share"),
               "NHS Digital: people in long-term support for over 12 months reviewed in the year (England); "
               "flowsim: packages active all horizon with a review completed in it"),
    Comparison("Safeguarding enquiries per concern", "share",
               ("operations.safeguarding_2016_17.enquiries_per_concern",),
               _ratio(_safeguarding_enquiries, _safeguarding_concerns),
               "England 2016/17 (all enquiries over all concerns); flowsim's concerns are the safeguarding "
               "workstream's arrivals (or contacts from the safeguarding source), its enquiries every route into "
               "a safeguarding enquiry"),
    Comparison("New reablement clients a year", "count",
               ("barnet.reablement_new_clients_2015_16", "barnet.reablement_new_clients_2017_18"),
               _per_year(_new_clients_at("enablement")), "Barnet's published count of new clients (SALT STS002a); "
               "flowsim's arrivals at enablement, hospital discharges included, existing clients sent on from "
               "reviews left out", council="Barnet"),
    Comparison("Telecare packages started a year", "count", ("operations.barnet.telecare_installs_2015_16",),
               _per_year(_kpi("new_packages.telecare")),
               "Barnet's installs, including telecare alongside other care; flowsim's telecare packages, sole "
               "or alongside another outcome (outcomes.<name>.alongside), as the scenario has them", council="Barnet"),
    Comparison("Package spend a year (£)", "pounds", ("operations.barnet.integrated_care_spend_2017_18",),
               _per_year(_kpi("package_cost.horizon")),
               "Barnet's 2017/18 integrated-care outturn is net of client contributions and in 2017/18 prices; "
               "flowsim's package cost is gross, in the scenario's price year", council="Barnet"),
]


def published_comparison(results: Results, scenario: Scenario) -> pd.DataFrame:
    """One row per comparison that applies to the scenario: flowsim's mean and 95% CI beside the published
    figure(s), their sources, and how the definitions differ. Rows whose KPI the run lacks are left out."""
    table = results.kpi_table()
    rows = []
    for item in COMPARISONS:
        if item.council is not None and item.council != scenario.council:
            continue
        values = item.measure(table, scenario)
        if not np.isfinite(values).any():
            continue
        stats = mean_ci(values)
        figures = [lookup(key) for key in item.figures]
        published = [f for f in figures if f is not None and not isinstance(f, dict)]
        rows.append({
            "what": item.what, "unit": item.unit,
            "flowsim_mean": stats["mean"], "flowsim_ci_low": stats["ci_low"], "flowsim_ci_high": stats["ci_high"],
            "published_low": min(f.value for f in published) if published else np.nan,
            "published_high": max(f.value for f in published) if published else np.nan,
            "source": "; ".join(f"{f.description} ({f.source})" if f.status == "published"
                                else f"{f.description} (derived from {f.source})" for f in published),
            "difference": item.difference,
        })
    return pd.DataFrame(rows)
