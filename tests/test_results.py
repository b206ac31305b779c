"""Costs from what a run observed: by hand, per financial year, and per package."""
import numpy as np
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


BANDS = ["waiting_under_4_weeks", "waiting_1_3_months", "waiting_3_6_months", "waiting_over_6_months"]


def test_people_waiting_are_counted_by_time_waited_so_far(tiny):
    """A list already waiting ~200 days at the start, and a team too small to clear it: the bands add up to
    the waiting list, each day and at the end, and time waited before the start counts."""
    document = tiny(**{"roles.social_worker.fte": 0.3, "time.horizon_days": 120,
                       "waiting_list": {"assessment": {"count": 300, "mean_waited_days": 200}}})
    result = run(scenario_from_document(document, "t.yaml"), reps=2, seed=3, detail=True)
    kpis = result.kpis.set_index(["run", "kpi"])["value"]
    for run_index in (0, 1):
        for stage in ("front_door", "assessment"):
            bands = [kpis[(run_index, f"{band}.{stage}.end")] for band in BANDS]
            assert sum(bands) == kpis[(run_index, f"waiting_at_end.{stage}")]
        assert kpis[(run_index, "waiting_over_6_months.assessment.end")] > 0
    series = result.timeseries.pivot_table(index=["run", "day", "name"], columns="measure", values="value")
    assessed = series.xs("assessment", level="name")
    assert (assessed[BANDS].sum(axis=1) == assessed["waiting"]).all()
    assert assessed["waiting_over_6_months"].max() > 0 and assessed["waiting_under_4_weeks"].max() > 0
    end = result.kpis[result.kpis["measure"] == "waiting_over_6_months"]
    assert set(end["period"]) == {"end"} and set(end["subject"]) == {"front_door", "assessment"}


def test_request_to_completion_runs_from_first_contact_to_leaving_the_key_stage(tiny):
    """Hospital referrals enter at the assessment, others pass the front door first: the KPI is the
    median and 90th percentile of (left the assessment − first arrival anywhere) over the people."""
    scenario = scenario_from_document(tiny(**{"roles.social_worker.fte": 1.2}), "t.yaml")
    result = run(scenario, reps=1, seed=5, detail=True)
    events = result.events
    first = events.groupby("person")["arrival"].min()
    left = events[events["stage"] == "assessment"].set_index("person")["end"]
    days = (left - first.loc[left.index]).to_numpy()
    kpis = result.kpis.set_index("kpi")["value"]
    assert kpis["request_to_completion_median_days.assessment"] == pytest.approx(np.percentile(days, 50))
    assert kpis["request_to_completion_p90_days.assessment"] == pytest.approx(np.percentile(days, 90))
    assert kpis["request_to_completion_median_days.assessment"] > kpis["wait_median_days.assessment"]
    assert "request_to_completion_median_days.front_door" not in kpis  # neither the key stage nor a case stage


def test_request_to_service_is_request_to_completion_when_every_assessment_starts_a_package(tiny):
    """With every assessed person given home care at once, request → service start is the key stage's
    request → completion, person for person; with half given none, it is counted only for those with a package."""
    everyone = run(scenario_from_document(tiny(**{"stages.assessment.routes": {"home_care": 1.0}}),
                                          "t.yaml"), reps=2, seed=4, detail=False).summary().set_index("kpi")["mean"]
    for stat in ("mean", "median", "p90"):
        assert everyone[f"request_to_service_{stat}_days"] == pytest.approx(
            everyone[f"request_to_completion_{stat}_days.assessment"], rel=1e-12)
    half = run(scenario_from_document(tiny(), "t.yaml"), reps=2, seed=4, detail=False).summary().set_index("kpi")
    assert half.loc["new_packages.home_care", "mean"] < 0.6 * everyone["new_packages.home_care"]
    assert half.loc["request_to_service_mean_days", "mean"] > 0
