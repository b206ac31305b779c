"""Headline numbers for the app: each side and the paired difference B − A, with CIs.

Some headlines add KPIs up within each replication (all practitioner hours,
everyone waiting), so their difference keeps the pairing of the replications.
A difference is B − A, the effect of moving from A to B, as everywhere.
A headline whose KPIs neither side has (open cases, for models without case
stages) is left out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from flowsim.engine import Comparison, mean_ci
from flowsim.format import ci, number
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_WEEK, DAYS_PER_YEAR


@dataclass(frozen=True)
class Headline:
    """One tile: A, B and B − A, each {"mean", "ci_low", "ci_high", ...}, in one unit."""

    key: str
    label: str
    unit: str  # count | hours | share | pounds | days
    a: dict
    b: dict
    b_minus_a: dict

    def value_text(self, which: str) -> str:
        """'a', 'b' or 'b_minus_a' as shown on the tile ('75,312', '£71.9m', '−3.0 pp')."""
        return number(getattr(self, which)["mean"], self.unit, difference=which == "b_minus_a")

    def ci_text(self, which: str) -> str:
        """'95% CI … to …' for 'a', 'b' or 'b_minus_a'; '' without an interval."""
        stats = getattr(self, which)
        return ci(stats["ci_low"], stats["ci_high"], self.unit, difference=which == "b_minus_a")


def _whole_service(columns: list[str]) -> list[str]:
    """Leave out localities' own stages and teams: their totals are already among the columns."""
    return [c for c in columns if "__" not in c]


def _per_run(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    present = [c for c in columns if c in table]
    if not present:
        return np.full(len(table), np.nan)
    return table[present].sum(axis=1, min_count=1).to_numpy(dtype=float)


def headlines(comparison: Comparison, a: Scenario, b: Scenario) -> list[Headline]:
    """The tiles: hours, waiting, assessments within target and their request → completion wait, people
    waiting over 6 months, open cases per practitioner, new packages, package and staff cost."""
    ta, tb = comparison.a.kpi_table(), comparison.b.kpi_table()
    years_a, years_b = a.time.horizon_days / DAYS_PER_YEAR, b.time.horizon_days / DAYS_PER_YEAR

    def cols(table, prefix, suffix=""):
        return _whole_service([c for c in table.columns if c.startswith(prefix) and c.endswith(suffix)])

    stage = a.key_stage or b.key_stage
    specs = [
        ("hours", "Practitioner hours worked a year", "hours",
         _per_run(ta, cols(ta, "hours_delivered.")) / years_a, _per_run(tb, cols(tb, "hours_delivered.")) / years_b),
        ("waiting", "People waiting at the end", "count",
         _per_run(ta, cols(ta, "waiting_at_end.")), _per_run(tb, cols(tb, "waiting_at_end."))),
    ]
    if stage:
        label = f"{(a if stage in a.stages else b).label(stage)}: seen within target"
        specs.append(("within_target", label, "share",
                      _per_run(ta, [f"within_target.{stage}"]), _per_run(tb, [f"within_target.{stage}"])))
        label = f"{(a if stage in a.stages else b).label(stage)}: request to completion, median (days)"
        kpi = f"request_to_completion_median_days.{stage}"
        specs.append(("request_to_completion", label, "days", _per_run(ta, [kpi]), _per_run(tb, [kpi])))
    specs.append(("waiting_over_6_months", "People waiting over 6 months at the end", "count",
                  _per_run(ta, cols(ta, "waiting_over_6_months.", ".end")),
                  _per_run(tb, cols(tb, "waiting_over_6_months.", ".end"))))
    for role in dict.fromkeys([*a.roles, *b.roles]):
        kpi = f"open_cases_mean.{role}"
        label = f"Open cases per {(a if role in a.roles else b).label(role).lower()}, average"
        specs.append((f"open_cases.{role}", label, "count", _per_run(ta, [kpi]), _per_run(tb, [kpi])))
    specs += [
        ("new_packages", "New packages of care a year", "count",
         _per_run(ta, ["new_packages.total"]) / years_a, _per_run(tb, ["new_packages.total"]) / years_b),
        ("package_cost", "Package cost a year (£)", "pounds",
         _per_run(ta, ["package_cost.horizon"]) / years_a, _per_run(tb, ["package_cost.horizon"]) / years_b),
        ("staff_cost", "Staff cost a year (£)", "pounds",
         _per_run(ta, ["staff_cost.horizon"]) / years_a, _per_run(tb, ["staff_cost.horizon"]) / years_b),
    ]
    return [Headline(key, label, unit, mean_ci(va), mean_ci(vb), mean_ci(vb - va))
            for key, label, unit, va, vb in specs if np.isfinite(va).any() or np.isfinite(vb).any()]


def role_rows(comparison: Comparison, a: Scenario, b: Scenario) -> pd.DataFrame:
    """Per side and role: hours demanded, delivered and available a year, and utilisation."""
    rows = []
    for side, results, scenario in (("A", comparison.a, a), ("B", comparison.b, b)):
        summary = results.summary().set_index("kpi")["mean"]
        years = scenario.time.horizon_days / DAYS_PER_YEAR
        for role in scenario.roles:
            if f"hours_available.{role}" not in summary or summary[f"hours_available.{role}"] == 0:
                continue
            rows.append({"side": side, "role": scenario.label(role),
                         "hours_demanded": summary[f"hours_demanded.{role}"] / years,
                         "hours_delivered": summary[f"hours_delivered.{role}"] / years,
                         "hours_available": summary[f"hours_available.{role}"] / years,
                         "utilisation": summary[f"utilisation.{role}"]})
    return pd.DataFrame(rows)


def package_rows(comparison: Comparison, a: Scenario, b: Scenario) -> pd.DataFrame:
    """Per side and package type: new packages a year and what a year of them costs."""
    rows = []
    for side, results, scenario in (("A", comparison.a, a), ("B", comparison.b, b)):
        summary = results.summary().set_index("kpi")["mean"]
        years = scenario.time.horizon_days / DAYS_PER_YEAR
        for name, outcome in scenario.package_outcomes().items():
            new = summary.get(f"new_packages.{name}", 0.0) / years
            a_year = outcome.weekly_cost * DAYS_PER_YEAR / DAYS_PER_WEEK + outcome.one_off_cost
            rows.append({"side": side, "type": scenario.label(name), "new": new, "cost_a_year": new * a_year})
    return pd.DataFrame(rows)


def caseload_rows(comparison: Comparison, a: Scenario, b: Scenario) -> pd.DataFrame:
    """Per side and role that holds cases: open cases per practitioner (mean over the horizon) with its 95% CI."""
    rows = []
    for side, results, scenario in (("A", comparison.a, a), ("B", comparison.b, b)):
        summary = results.summary().set_index("kpi")
        for role in scenario.roles:
            if f"open_cases_mean.{role}" in summary.index:
                stats = summary.loc[f"open_cases_mean.{role}"]
                rows.append({"side": side, "role": scenario.label(role), "open_cases": stats["mean"],
                             "ci_low": stats["ci_low"], "ci_high": stats["ci_high"]})
    return pd.DataFrame(rows, columns=["side", "role", "open_cases", "ci_low", "ci_high"])
