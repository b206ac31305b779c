"""Each side's money per replication and financial year, as a finance officer reads it.

From a run's KPIs (package and practitioner cost per financial year, people
waiting) and the scenario's ``finance`` block:

- packages gross (fees rising by ``fee_uplift_per_year`` after the first year)
  and net of self-funders and client contributions;
- the whole staff budget: practitioners as modelled, plus management and
  business support (shares of the practitioners' cost), the agency premium on
  vacant posts, and fixed lines (transport, non-practitioner teams);
- the cost of delay: person-months waited (mean number waiting × days, Little's
  law, from ``waiting_mean``) × the deterioration rate × the cost of each.

The new side (B) comes into force over ``finance.transition``: each year's
cost is the two runs blended by the share of the year the new model is in
force (the same replication of A and B, on common random numbers). This blends
two runs; it does not simulate a service that is half one model and half the
other. B's one-off implementation costs fall in their financial year.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from flowsim.calendar import financial_years
from flowsim.engine import mean_ci
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_YEAR

DAYS_PER_MONTH = DAYS_PER_YEAR / 12
HORIZON = "horizon"


def years_of(scenario: Scenario) -> list[tuple[str, int]]:
    """(financial year, days of it simulated), in order."""
    return [(label, end - start) for label, start, end in financial_years(scenario)]


def in_force(scenario: Scenario) -> dict[str, float]:
    """Per financial year, the mean share of the new model in force under the scenario's transition."""
    months = scenario.finance.transition.months
    ramp_days = months * DAYS_PER_MONTH
    shares = {}
    for label, start, end in financial_years(scenario):
        days = np.arange(start, end) + 0.5 - scenario.time.warm_up_days
        if ramp_days <= 0:
            share = np.ones(len(days))
        elif scenario.finance.transition.profile == "step":
            share = (days >= ramp_days).astype(float)
        else:
            share = np.clip(days / ramp_days, 0.0, 1.0)
        shares[label] = float(share.mean())
    return shares


def _waiting_stages(table: pd.DataFrame) -> list[str]:
    """``waiting_mean.<stage>`` columns for whole stages (locality parts are already in their totals)."""
    return [c for c in table.columns if c.startswith("waiting_mean.") and "@" not in c and "__" not in c]


def side_money(scenario: Scenario, table: pd.DataFrame, deterioration=None) -> pd.DataFrame:
    """One row per replication × financial year: package_gross, package_net, staff, cost_of_delay (£)."""
    money = scenario.finance
    paid = (1 - money.contributions.self_funded_share) * (1 - money.contributions.client_contribution_share)
    budget = money.staff_budget
    on_practitioners = 1 + budget.management_share + budget.business_support_share \
        + budget.vacancy_rate * budget.agency_premium
    fixed_per_day = (sum(budget.other_per_year.values()) + budget.transport_per_year) / DAYS_PER_YEAR
    deterioration = deterioration or money.deterioration
    horizon = sum(days for _, days in years_of(scenario))
    person_days = table[_waiting_stages(table)].sum(axis=1).to_numpy(dtype=float) * horizon
    frames = []
    for i, (label, days) in enumerate(years_of(scenario)):
        gross = table[f"package_cost.{label}"].to_numpy(dtype=float) * (1 + money.fee_uplift_per_year) ** i
        waited_months = person_days * (days / horizon) / DAYS_PER_MONTH
        frames.append(pd.DataFrame({
            "run": table.index.to_numpy(), "period": label,
            "package_gross": gross, "package_net": gross * paid,
            "staff": table[f"staff_cost.{label}"].to_numpy(dtype=float) * on_practitioners + fixed_per_day * days,
            "cost_of_delay": waited_months * deterioration.monthly_rate * deterioration.cost_each,
        }))
    return pd.concat(frames, ignore_index=True)


def implementation_by_year(scenario: Scenario) -> dict[str, float]:
    """B's one-off implementation costs by financial year (years outside the horizon are left out)."""
    years = {label for label, _ in years_of(scenario)}
    costs: dict[str, float] = {}
    for cost in scenario.finance.implementation_costs:
        if cost.financial_year in years:
            costs[cost.financial_year] = costs.get(cost.financial_year, 0.0) + cost.amount
    return costs


def blended(a: pd.DataFrame, b: pd.DataFrame, shares: dict[str, float]) -> pd.DataFrame:
    """B's money with the new model in force for ``shares`` of each year and A's model for the rest.

    Both are indexed by (run, period); a year A does not cover (an unlike pair) is B's own."""
    columns = ["package_gross", "package_net", "staff", "cost_of_delay"]
    weight = b.index.get_level_values("period").map(lambda period: shares.get(period, 1.0)).to_numpy()[:, None]
    ours = b[columns].to_numpy(dtype=float)
    theirs = a[columns].reindex(b.index).to_numpy(dtype=float)
    theirs = np.where(np.isnan(theirs), ours, theirs)
    mixed = b.copy()
    mixed[columns] = weight * ours + (1 - weight) * theirs
    return mixed


def unmet_need(a: Scenario, b: Scenario, ta: pd.DataFrame, tb: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per replication: people B leaves unserved beyond A (still waiting at the end, or gone from a waiting
    list unseen), and what serving them as A does would cost in packages (A's new-package spend per person
    arriving at its key stage). Never negative: people A leaves unserved are A's backlog, not B's saving."""

    def waiting(t: pd.DataFrame) -> np.ndarray:
        cols = [c for c in t.columns if c.partition(".")[0] in ("waiting_at_end", "left_waiting_list")
                and "@" not in c and "__" not in c]
        return t[cols].sum(axis=1).to_numpy(dtype=float)

    extra = np.clip(waiting(tb) - waiting(ta), 0, None)
    key = a.key_stage
    arrivals = ta.get(f"arrivals.{key}")
    spend = ta.get("package_cost.new_packages.horizon")
    if arrivals is None or spend is None:
        return extra, np.zeros(len(extra))
    per_person = np.divide(spend.to_numpy(dtype=float), arrivals.to_numpy(dtype=float),
                           out=np.zeros(len(extra)), where=arrivals.to_numpy(dtype=float) > 0)
    return extra, extra * per_person


def budget(scenario: Scenario, table: pd.DataFrame) -> pd.DataFrame:
    """One side's money per financial year and over the horizon, mean and 95% interval over replications:
    period, part (package_gross, package_net, staff, cost_of_delay), mean, ci_low, ci_high."""
    money = side_money(scenario, table)
    horizon = money.drop(columns="period").groupby("run", as_index=False).sum().assign(period=HORIZON)
    money = pd.concat([money, horizon[money.columns]], ignore_index=True)
    rows = []
    for period, frame in money.groupby("period", sort=False):
        for part in ("package_gross", "package_net", "staff", "cost_of_delay"):
            rows.append({"period": period, "part": part, **mean_ci(frame[part].to_numpy(dtype=float))})
    return pd.DataFrame(rows)
