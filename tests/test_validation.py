"""The simulation checked against queueing theory, its own analytic flows and the sources."""
import math

import numpy as np
import pytest
from scipy import stats

from flowsim import expected_flows, load_scenario
from flowsim.engine import run
from flowsim.scenario.load import scenario_from_document
from tests.conftest import SCENARIOS, queue_document


def erlang_c_wait(servers: int, arrivals: float, service_rate: float) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    a = arrivals / service_rate
    top = a**servers / math.factorial(servers) * servers / (servers - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(servers)) + top)
    return p_wait / (servers * service_rate - arrivals)


@pytest.mark.parametrize("load", [0.5, 0.8, 0.95])
def test_mean_wait_matches_erlang_c(load):
    servers, service_minutes = 2, 60.0
    service_rate = 1440 / service_minutes  # per day
    arrivals = load * servers * service_rate
    scenario = scenario_from_document(
        queue_document(servers, arrivals, service_minutes, warm_up_days=60, horizon_days=365), "mmc.yaml")
    summary = run(scenario, reps=24, seed=7, detail=False).summary().set_index("kpi")
    waits = summary.loc["wait_mean_days.service"]
    theory = erlang_c_wait(servers, arrivals, service_rate)
    assert waits.ci_low <= theory <= waits.ci_high, (theory, waits.to_dict())
    assert waits.ci_high - waits.ci_low < 0.35 * theory  # narrow enough for the check to bite


def test_littles_law_holds_for_the_waiting_list():
    scenario = scenario_from_document(queue_document(3, 3 * 24 * 0.8, 60.0), "mmc.yaml")
    table = run(scenario, reps=8, seed=3, detail=False).kpi_table()
    horizon = scenario.time.horizon_days
    arrival_rate = table["arrivals.service"] / horizon
    little = arrival_rate * table["wait_mean_days.service"]
    assert np.allclose(table["waiting_mean.service"], little, rtol=0.03)


def test_unlimited_staff_means_no_waiting():
    scenario = scenario_from_document(queue_document(200, 100, 60.0, warm_up_days=0, horizon_days=60), "big.yaml")
    summary = run(scenario, reps=2, seed=1, detail=False).summary().set_index("kpi")
    assert summary.loc["wait_p90_days.service", "mean"] == pytest.approx(0, abs=1e-9)
    assert summary.loc["waiting_at_end.service", "mean"] == 0


def test_zero_demand_runs_and_reports_nothing_happened():
    scenario = scenario_from_document(queue_document(2, 0, 60.0, horizon_days=30), "none.yaml")
    summary = run(scenario, reps=2, seed=1, detail=True).summary().set_index("kpi")
    assert summary.loc["contacts", "mean"] == 0
    assert summary.loc["utilisation.server", "mean"] == 0
    assert math.isnan(summary.loc["wait_mean_days.service", "mean"])


def test_overloaded_queue_grows():
    scenario = scenario_from_document(queue_document(1, 30, 60.0, warm_up_days=0, horizon_days=100), "over.yaml")
    summary = run(scenario, reps=2, seed=1, detail=False).summary().set_index("kpi")
    # 30 a day arrive, 24 a day can be served: about 600 waiting after 100 days.
    assert summary.loc["waiting_at_end.service", "mean"] == pytest.approx(600, rel=0.15)
    assert summary.loc["utilisation.server", "mean"] == pytest.approx(1.0, abs=0.01)


def uncongested(path):
    """The scenario with twice its staff and nobody leaving a waiting list unseen."""
    scenario = load_scenario(path)
    document = scenario.source.document
    changes = {f"roles.{name}.fte": 2 * sum(r.fte for n, r in scenario.roles.items()
                                            if n == name or n.startswith(f"{name}__"))
               for name in document["roles"]}
    for name in (document.get("localities") or {}).get("roles", {}):
        changes[f"localities.roles.{name}"] = {n.split("__")[1]: 2 * r.fte for n, r in scenario.roles.items()
                                               if n.startswith(f"{name}__")}
    for name, stage in document["stages"].items():
        if isinstance(stage, dict) and isinstance(stage.get("triage"), dict) and "leave_rate_per_month" in stage["triage"]:
            changes[f"stages.{name}.triage.leave_rate_per_month"] = 0.0
    return load_scenario(path, changes)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_simulated_flows_agree_with_analytic_flows(path):
    """Followed to their outcomes, the horizon's people visit each stage and reach each
    outcome as often as the absorbing-chain calculation expects. The calculation has no
    queues, so the check runs without congestion (twice the staff, nobody leaving a list
    unseen): people who give up on an over-full list, and reviews of packages started so
    late by long waits that they fall past the horizon, are effects of the queues, which
    the queueing checks test. The allowance is the
    99.99% Student-t quantile of the mean (about 30 checks per scenario, 13 scenarios:
    a normal 3.5 standard errors on 8 replications failed a correct model about once a
    run) plus 1%: the analytic review count
    takes new packages as starting evenly over the horizon, while in the simulation
    some start later, after six-week enablement, so a few first reviews fall
    past the horizon."""
    scenario = uncongested(path)
    reps = 12
    table = run(scenario, reps=reps, seed=21, detail=False, follow_through_days=365).kpi_table()
    allowance = stats.t.ppf(1 - 0.5e-4, reps - 1)
    flows = expected_flows(scenario)
    years = scenario.time.horizon_days / 365
    checked = 0
    for kind, expected_table in (("arrivals", flows.stages), ("outcomes", flows.outcomes)):
        for name, per_year in expected_table.items():
            simulated = table[f"{kind}.{name}"]
            expected = per_year * years
            se = simulated.std(ddof=1) / math.sqrt(len(simulated))
            assert abs(simulated.mean() - expected) <= allowance * se + 0.01 * expected + 0.5, (kind, name)
            checked += 1
    assert checked == len(scenario.stages) + len(scenario.outcomes)


def run_proportions(events, stage, source_filter=None):
    """Per replication: the share of people at ``stage`` going to each next step."""
    at = events[events["stage"] == stage]
    if source_filter is not None:
        at = at[source_filter(at["source"])]
    return at.groupby("run")["next"].value_counts(normalize=True).unstack(fill_value=0)


def assert_within_ci(values, expected):
    """Within the 99.9% interval: each test checks several figures, and a 95% interval
    would fail a correct model one time in twenty per figure."""
    values = np.asarray(values)
    half = stats.t.ppf(0.9995, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean() - expected) <= half, (values.mean(), expected, half)


def test_barnet_new_model_reproduces_shropshire_proportions():
    scenario = load_scenario("scenarios/barnet_new_model.yaml")
    events = run(scenario, reps=10, seed=2, detail=True).events
    front = run_proportions(events, "front_door", lambda s: s != "safeguarding")
    assert_within_ci(front["community_hub"], 0.20)
    assert_within_ci(front["home_visit"], 0.05)
    hub = run_proportions(events, "community_hub")
    assert_within_ci(hub["information_advice"] + hub["signposted_cvs"], 0.88)


def test_barnet_current_reproduces_published_proportions():
    scenario = load_scenario("scenarios/barnet_current.yaml")
    result = run(scenario, reps=10, seed=4, detail=True)
    social_work = run_proportions(result.events, "social_work")
    assert_within_ci(social_work["full_assessment"], 0.76)
    table = result.kpi_table()
    assert_within_ci(table["arrivals.hospital_team"] / table["contacts"], 0.38)


def test_northamptonshire_safeguarding_alerts_and_conversion():
    scenario = load_scenario("scenarios/northamptonshire_safeguarding.yaml")
    table = run(scenario, reps=6, seed=12, detail=False).kpi_table()
    assert_within_ci(table["arrivals.safeguarding_triage"], 4364)  # alerts, 2015/16 (seed 002)
    conversion = table["flow.safeguarding_triage->safeguarding_enquiry"] / table["arrivals.safeguarding_triage"]
    assert_within_ci(conversion, 2313 / 4364)
    assert (table["flow.review->safeguarding_triage"] > 0).all()  # concerns raised by practitioners too
