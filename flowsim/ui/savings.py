"""The app's savings display: rows a finance officer reads, built from ``flowsim.finance.Savings``.

The CLI prints the same table (``flowsim.cli.finance.print_savings``); both use
the project's one formatter, and show "difference, not comparable" in place of
"saving" when the pair cannot be compared.
"""
from __future__ import annotations

import pandas as pd

from flowsim.finance.savings import CI_HIGH, CI_LOW, MEAN, Savings
from flowsim.format import financial_year, interval, money, share

PARTS = {"package": "packages gross", "package_net": "packages net", "staff": "staff budget",
         "implementation": "implementation", "cost_of_delay": "cost of delay", "unmet_need": "unmet need",
         "total": "total net"}


def savings_heading(saved: Savings) -> str:
    if not saved.comparable:
        return "Difference A − B, **not comparable**: not a saving (see the warnings above)."
    total = saved.total()
    text = (f"Saving A − B (A's cost less B's; positive: B costs less), net, over the horizon: "
            f"**{money(total['mean'], difference=True)}**")
    unmet = saved.unmet_people
    if unmet.get("mean"):
        text += (f". B leaves {interval(unmet['mean'], unmet['ci_low'], unmet['ci_high'])} more people unserved than A "
                 "(waiting at the end or gone from a list unseen): unmet need, counted against B, never as a saving")
    return text + "."


def savings_rows(saved: Savings) -> pd.DataFrame:
    """One row per financial year (then the whole horizon), one column per part, each 'mean ±CI'."""
    rows = saved.table.set_index(["period", "part"])
    out = []
    for period in sorted(dict.fromkeys(saved.table["period"]), key=lambda p: (p == "horizon", p)):
        out.append({"period": financial_year(period), **{
            label: interval(*rows.loc[(period, part), [MEAN, CI_LOW, CI_HIGH]], "pounds", difference=True,
                            compact=True) for part, label in PARTS.items()}})
    return pd.DataFrame(out)


def target_rows(saved: Savings) -> pd.DataFrame:
    """Each target per year: what it is judged on, the saving, the probability of meeting it, the verdict."""
    return pd.DataFrame([{
        "target": row["label"], "judged on": row["judged_on"], "period": financial_year(row["period"]),
        "target £": money(row["target_amount"]),
        "saving A − B": interval(row[MEAN], row[CI_LOW], row[CI_HIGH], "pounds", difference=True, compact=True),
        "probability": share(row["probability"]), "verdict": row["status"], "source": row["source"],
    } for row in saved.verdicts.to_dict("records")])
