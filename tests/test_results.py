"""Costs from what a run observed: by hand, per financial year, and per package."""
import pytest

from flowsim import load_scenario, run
from flowsim.calendar import financial_years
from flowsim.engine.records import Records
from flowsim.engine.results import package_costs
from flowsim.scenario.load import scenario_from_document


def records(**packages) -> Records:
    rec = Records(days=70, warm_up=0)
    rec.packages = packages
    return rec


def test_package_costs_by_hand():
    # A: £100 a week, days 0-28, its cost raised to £150 on day 14. B: starts day 35, £200 a week plus £500 once.
    rec = records(type=["a", "b"], start=[0.0, 35.0], end=[28.0, 200.0], weekly_cost=[100.0, 200.0],
                  one_off=[0.0, 500.0], new=[False, True])
    rec.cost_changes = [(0, 14.0, 150.0)]
    costs = package_costs(rec, 0.0, 70.0)
    assert costs["horizon"] == pytest.approx(2 * 100 + 2 * 150 + 5 * 200 + 500)
    assert costs["new_packages_horizon"] == pytest.approx(5 * 200 + 500)
    assert costs["weekly_at_end"] == pytest.approx(200)
    assert package_costs(rec, 7.0, 21.0)["horizon"] == pytest.approx(100 + 150)


def test_financial_years_cut_the_horizon_at_april(tiny):
    document = tiny()
    document["time"] = {"start_date": "2017-01-01", "horizon_days": 800}
    scenario = scenario_from_document(document, "t.yaml")
    years = financial_years(scenario)
    assert [label for label, _, _ in years] == ["2016_17", "2017_18", "2018_19"]  # to 11 March 2019
    assert years[0][1:] == (0, 90) and years[1][1:] == (90, 455)
    assert years[-1][2] == 800


def test_costs_add_up_per_year_and_per_package():
    scenario = load_scenario("scenarios/barnet_new_model.yaml", ["time.start_date=2017-10-01", "time.horizon_days=300",
                                                                  "time.bank_holidays=[]"])
    result = run(scenario, reps=2, seed=3)
    table = result.kpi_table()
    yearly = table[["package_cost.2017_18", "package_cost.2018_19"]].sum(axis=1)
    assert yearly.to_numpy() == pytest.approx(table["package_cost.horizon"].to_numpy())
    per_package = result.packages.groupby("run")["cost_in_horizon"].sum()
    assert per_package.to_numpy() == pytest.approx(table["package_cost.horizon"].to_numpy())
    total = table["package_cost.2017_18"] + table["staff_cost.2017_18"]
    assert total.to_numpy() == pytest.approx(table["total_cost.2017_18"].to_numpy())
    assert table["staff_cost.horizon"].iloc[0] == pytest.approx(
        sum(r.cost_per_year for r in scenario.roles.values()) * 300 / 365)


def test_kpi_table_is_tidy_and_waits_are_given_by_referral_source(tiny):
    """Hospital referrals (priority 1) jump the assessment queue: their own waits show it."""
    document = tiny(**{"roles.social_worker.fte": 1.2, "stages.assessment.priority_by_source": {"secondary_health": 1}})
    result = run(scenario_from_document(document, "t.yaml"), reps=2, seed=4, detail=False)
    kpis = result.kpis
    assert list(kpis.columns) == ["scenario", "run", "measure", "subject", "source", "period", "kpi", "value"]
    waits = kpis[(kpis["measure"] == "wait_mean_days") & (kpis["subject"] == "assessment")].set_index(["run", "source"])
    assert set(waits.index.get_level_values("source")) == {"", "community", "secondary_health"}
    for run_index in (0, 1):
        assert waits.loc[(run_index, "secondary_health"), "value"] < waits.loc[(run_index, "community"), "value"]
    assert kpis.loc[kpis["kpi"] == "wait_mean_days.assessment@community", "source"].eq("community").all()
    yearly = kpis[(kpis["measure"] == "total_cost") & (kpis["period"] != "horizon")]
    assert list(yearly["kpi"].unique()) == ["total_cost.2024_25"]
