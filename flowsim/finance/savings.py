"""Savings of one operating model against another, per financial year, judged like for like against targets.

A saving is the current model's cost minus the new model's, A − B (positive
when B costs less): the negative of the comparison's B − A difference in cost,
so its columns say ``saving_a_minus_b``. From paired replications (common
random numbers) each part comes with the 95% interval of a paired difference:

- ``package`` (gross) and ``package_net`` (what the council pays after
  self-funders and client contributions), with fee uplifts;
- ``staff``: the whole in-scope staff budget (see ``flowsim.finance.statement``);
- ``implementation``: B's one-off costs, a negative saving;
- ``cost_of_delay``: A's deterioration cost less B's (negative when B's waits are longer);
- ``unmet_need`` (horizon only): minus the package cost of the people B leaves
  unserved beyond A (waiting at the end, or gone from a list unseen), had they been served as A serves people, so
  fewer assessments are never booked as a saving;
- ``demand`` = package_net + cost_of_delay + unmet_need, judged against demand targets;
- ``total`` = staff + demand + implementation.

Each target is judged against its own category (staff against a staff target,
demand against a demand target), per financial year of its phasing and over
its years, with the probability of meeting it: the share of replications
whose saving reaches it (Monte-Carlo uncertainty only, inputs held fixed).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from flowsim.engine import Comparison, mean_ci
from flowsim.finance.comparable import Caveat, check
from flowsim.finance.statement import HORIZON, blended, implementation_by_year, in_force, side_money, unmet_need
from flowsim.finance.statement import years_of
from flowsim.scenario.money import CATEGORIES, Target
from flowsim.scenario.schema import Scenario

PARTS = ("package", "package_net", "staff", "implementation", "cost_of_delay", "unmet_need", "demand", "total")
JUDGED = {"staff": "staff", "package": "demand", "total": "total"}  # target category → the part judged
MEAN, CI_LOW, CI_HIGH = "saving_a_minus_b_mean", "saving_a_minus_b_ci_low", "saving_a_minus_b_ci_high"
NOT_COMPARABLE = "not comparable"


@dataclass(frozen=True)
class Savings:
    """Savings A − B per period and part, verdicts per target and year, and why they may not be savings."""

    table: pd.DataFrame  # period, part, saving_a_minus_b_mean, _ci_low, _ci_high
    verdicts: pd.DataFrame  # target, label, category, part, period, target_amount, saving mean/ci, probability, status
    caveats: list[Caveat] = field(default_factory=list)
    unmet_people: dict = field(default_factory=dict)  # mean, ci_low, ci_high: people B leaves waiting beyond A
    per_run: pd.DataFrame | None = None  # run, period, part, saving

    @property
    def comparable(self) -> bool:
        return not any(c.blocks_savings for c in self.caveats)

    def total(self, period: str = HORIZON, part: str = "total") -> dict:
        """A saving A − B in one period: {"mean", "ci_low", "ci_high"} (£)."""
        row = self.table[(self.table["period"] == period) & (self.table["part"] == part)].iloc[0]
        return {"mean": row[MEAN], "ci_low": row[CI_LOW], "ci_high": row[CI_HIGH]}

    def runs(self, part: str, period: str = HORIZON) -> np.ndarray:
        """The saving of one part and period in each replication."""
        rows = self.per_run[(self.per_run["part"] == part) & (self.per_run["period"] == period)]
        return rows.sort_values("run")["saving"].to_numpy(dtype=float)

    def to_dict(self) -> dict:
        periods: dict = {}
        for row in self.table.to_dict("records"):
            periods.setdefault(row["period"], {})[row["part"]] = {
                "mean": _finite(row[MEAN]), "ci_low": _finite(row[CI_LOW]), "ci_high": _finite(row[CI_HIGH])}
        verdicts = [{k: (_finite(v) if isinstance(v, float) else v) for k, v in row.items()}
                    for row in self.verdicts.to_dict("records")]
        return {"comparable": self.comparable, "caveats": [c.message for c in self.caveats],
                "periods": periods, "targets": verdicts, "unmet_need_people": self.unmet_people,
                "probability_note": "share of paired replications (Monte-Carlo only; inputs held fixed)"}


def _finite(value: float) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def periods_of(comparison: Comparison) -> list[str]:
    """Financial years both sides cover, then the whole horizon."""
    names = set(comparison.a.kpi_names()) & set(comparison.b.kpi_names())
    years = sorted(k.split(".", 1)[1] for k in names if k.startswith("total_cost.") and k[-7:-3].isdigit())
    return years + [HORIZON]


def _per_run(comparison: Comparison, a: Scenario, b: Scenario) -> pd.DataFrame:
    """Saving A − B per replication, period and part: each financial year both sides cover, and the horizon
    (each side's own years added up)."""
    ta, tb = comparison.a.kpi_table(), comparison.b.kpi_table()
    deterioration = b.finance.deterioration if b.finance.deterioration.monthly_rate else a.finance.deterioration
    money_a = side_money(a, ta, deterioration).set_index(["run", "period"])
    money_b = blended(money_a, side_money(b, tb, deterioration).set_index(["run", "period"]), in_force(b))
    money_b["implementation"] = money_b.index.get_level_values("period").map(
        lambda period: implementation_by_year(b).get(period, 0.0)).to_numpy(dtype=float)
    money_a["implementation"] = 0.0
    columns = ["package_gross", "package_net", "staff", "cost_of_delay", "implementation"]
    both = money_a.index.intersection(money_b.index)
    years = money_a.loc[both, columns] - money_b.loc[both, columns]
    horizon = money_a[columns].groupby(level="run").sum() - money_b[columns].groupby(level="run").sum()
    horizon.index = pd.MultiIndex.from_arrays([horizon.index, [HORIZON] * len(horizon)], names=["run", "period"])
    _, pounds = unmet_need(a, b, ta, tb)
    years["unmet_need"] = 0.0
    horizon["unmet_need"] = -pounds  # both tables are in run order
    saved = pd.concat([years, horizon]).rename(columns={"package_gross": "package"}).reset_index()
    saved["demand"] = saved["package_net"] + saved["cost_of_delay"] + saved["unmet_need"]
    saved["total"] = saved["staff"] + saved["demand"] + saved["implementation"]
    return saved.melt(id_vars=["run", "period"], value_vars=list(PARTS), var_name="part", value_name="saving")


def _verdicts(per_run: pd.DataFrame, targets: dict[str, Target], covered: dict[str, bool],
              comparable: bool) -> pd.DataFrame:
    rows = []
    for name, target in targets.items():
        part = JUDGED[target.category]
        checks = [*target.per_year.items(), (HORIZON, target.amount)]
        for period, amount in checks:
            values = per_run[(per_run["part"] == part) & (per_run["period"] == period)]["saving"].to_numpy()
            stats = mean_ci(values) if len(values) else {"mean": np.nan, "ci_low": np.nan, "ci_high": np.nan}
            years = [period] if period != HORIZON else target.covers
            in_run = all(covered.get(year, False) for year in years)  # a target of unstated years: the horizon
            if not comparable:
                status = NOT_COMPARABLE
            elif not in_run or not len(values):
                status = "not simulated in full"
            elif stats["ci_low"] >= amount:
                status = "met"
            elif stats["ci_high"] < amount:
                status = "not met"
            else:
                status = "uncertain"
            rows.append({"target": name, "label": target.label or name, "category": target.category,
                         "judged_on": CATEGORIES[target.category], "part": part, "period": period,
                         "source": target.source, "target_amount": amount, MEAN: stats["mean"],
                         CI_LOW: stats["ci_low"], CI_HIGH: stats["ci_high"],
                         "probability": float((values >= amount).mean()) if in_run and len(values) and comparable
                         else np.nan,
                         "status": status})
    return pd.DataFrame(rows)


def savings(comparison: Comparison, a: Scenario, b: Scenario, target: float | None = None,
            target_label: str = "") -> Savings:
    """A − B savings per financial year and over the horizon, judged against B's targets (or A's if B has
    none), or against ``target`` (£ of total saving over the horizon) when given."""
    per_run = _per_run(comparison, a, b)
    rows = []
    for (period, part), values in per_run.groupby(["period", "part"], sort=False)["saving"]:
        stats = mean_ci(values.to_numpy(dtype=float))
        rows.append({"period": period, "part": part, MEAN: stats["mean"], CI_LOW: stats["ci_low"],
                     CI_HIGH: stats["ci_high"]})
    table = pd.DataFrame(rows)
    if target is not None:
        targets = {"given": Target(amount=target, category="total", label=target_label or "given with --target",
                                   source="given with --target")}
    else:
        targets = b.finance.all_targets() or a.finance.all_targets()
    caveats = check(a, b)
    comparable = not any(c.blocks_savings for c in caveats)
    covered = {label: days >= 365 for label, days in years_of(b)}
    extra, _ = unmet_need(a, b, comparison.a.kpi_table(), comparison.b.kpi_table())
    return Savings(table, _verdicts(per_run, targets, covered, comparable), caveats,
                   {k: _finite(v) for k, v in mean_ci(extra).items()}, per_run)
