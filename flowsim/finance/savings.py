"""Savings of one operating model against another, per financial year, against a target.

A saving is the current model's cost minus the new model's, A − B (positive
when B costs less): the negative of the comparison's B − A difference in cost,
so its columns say ``saving_a_minus_b``. It is given for packages of care,
staff, and the two together, from paired replications, so each comes with the
confidence interval of a paired difference. A target is met when even the low
end of the interval for the whole horizon reaches it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from flowsim.engine import Comparison, mean_ci

PARTS = ("package", "staff", "total")
MEAN, CI_LOW, CI_HIGH = "saving_a_minus_b_mean", "saving_a_minus_b_ci_low", "saving_a_minus_b_ci_high"


@dataclass(frozen=True)
class Savings:
    """Savings A − B per period and part, and how they stand against a target (£ over the horizon)."""

    table: pd.DataFrame  # period, part, saving_a_minus_b_mean, saving_a_minus_b_ci_low, saving_a_minus_b_ci_high
    target: float | None
    target_label: str
    share_meeting_target: float | None  # of the replications

    def total(self, period: str = "horizon") -> dict:
        """The total saving A − B in one period: {"mean", "ci_low", "ci_high"} (£)."""
        row = self.table[(self.table["period"] == period) & (self.table["part"] == "total")].iloc[0]
        return {"mean": row[MEAN], "ci_low": row[CI_LOW], "ci_high": row[CI_HIGH]}

    @property
    def status(self) -> str:
        """'met', 'not met', 'uncertain' (the interval straddles the target) or 'no target'."""
        if self.target is None:
            return "no target"
        total = self.total()
        if total["ci_low"] >= self.target:
            return "met"
        if total["ci_high"] < self.target:
            return "not met"
        return "uncertain"

    def to_dict(self) -> dict:
        periods: dict = {}
        for row in self.table.to_dict("records"):
            periods.setdefault(row["period"], {})[row["part"]] = {
                "mean": _finite(row[MEAN]), "ci_low": _finite(row[CI_LOW]), "ci_high": _finite(row[CI_HIGH])}
        return {"periods": periods, "target": self.target, "target_label": self.target_label,
                "status": self.status, "share_of_replications_meeting_target": self.share_meeting_target}


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def periods_of(comparison: Comparison) -> list[str]:
    """Financial years both sides cover, then the whole horizon."""
    names = set(comparison.a.kpi_names()) & set(comparison.b.kpi_names())
    years = sorted(k.split(".", 1)[1] for k in names if k.startswith("total_cost.") and k[-7:-3].isdigit())
    return years + ["horizon"]


def savings(comparison: Comparison, target: float | None = None, target_label: str = "") -> Savings:
    """A − B savings per financial year and over the horizon, with paired 95% intervals."""
    ta, tb = comparison.a.kpi_table(), comparison.b.kpi_table()
    rows = []
    for period in periods_of(comparison):
        for part in PARTS:
            name = f"{part}_cost.{period}"
            stats = mean_ci((ta[name] - tb[name]).to_numpy(dtype=float))
            rows.append({"period": period, "part": part, MEAN: stats["mean"], CI_LOW: stats["ci_low"],
                         CI_HIGH: stats["ci_high"]})
    share = None
    if target is not None:
        share = float(((ta["total_cost.horizon"] - tb["total_cost.horizon"]) >= target).mean())
    return Savings(pd.DataFrame(rows), target, target_label, share)
