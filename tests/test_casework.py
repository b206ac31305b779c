"""Case stages checked against processor-sharing queueing theory, Little's law and the one-sitting stage."""
import math

import numpy as np
import pytest

from flowsim import expected_flows
from flowsim.engine import run
from flowsim.errors import InputError
from flowsim.scenario.load import scenario_from_document
from tests.conftest import queue_document, tiny_document

SERVICE_MINUTES = 60.0
MU = 1440 / SERVICE_MINUTES  # completions a day of one practitioner working round the clock


def case_queue(load: float, cap: float, *, servers: float = 1, work: dict | None = None, min_open_days: float = 0.0,
               horizon_days: int = 730, warm_up_days: int = 30) -> dict:
    """``queue_document`` with its one stage made a case stage: Poisson arrivals at ``load`` × μ × servers."""
    document = queue_document(servers, load * MU * servers, SERVICE_MINUTES, warm_up_days=warm_up_days,
                              horizon_days=horizon_days)
    stage = document["stages"]["service"]
    stage["kind"] = "case"
    stage["case"] = {"caseload_cap": cap, "min_open_days": min_open_days}
    if work is not None:
        stage["work"] = work
    return document


def summary(document: dict, reps: int, seed: int):
    scenario = scenario_from_document(document, "case.yaml")
    return run(scenario, reps=reps, seed=seed, detail=False).summary().set_index("kpi")


def sojourn_within_ci(table, theory: float, width: float = 0.12) -> None:
    sojourn = table.loc["case_open_days_mean.service"]
    assert sojourn.ci_low <= theory <= sojourn.ci_high, (theory, sojourn.to_dict())
    assert sojourn.ci_high - sojourn.ci_low < width * theory  # narrow enough for the check to bite


@pytest.mark.parametrize("load", [0.5, 0.8])
def test_mm1_processor_sharing_mean_time_in_system(load):
    """M/M/1-PS: E[T] = 1/(μ − λ). With an unlimited caseload allocation is immediate."""
    table = summary(case_queue(load, cap=1_000), reps=12, seed=11)
    assert table.loc["wait_p90_days.service", "mean"] == 0
    sojourn_within_ci(table, 1 / (MU * (1 - load)))


@pytest.mark.parametrize("work", [
    {"distribution": "fixed", "mean_minutes": SERVICE_MINUTES},
    {"distribution": "lognormal", "mean_minutes": SERVICE_MINUTES, "sd_minutes": SERVICE_MINUTES},
], ids=["fixed", "lognormal"])
def test_processor_sharing_mean_is_insensitive_to_the_work_distribution(work):
    """M/G/1-PS has the same mean time in system as M/M/1-PS: 1/(μ − λ) for any work distribution."""
    load = 0.8
    table = summary(case_queue(load, cap=1_000, work=work), reps=12, seed=12)
    sojourn_within_ci(table, 1 / (MU * (1 - load)))


def birth_death_limited_ps(arrivals: float, service_rate: float, cap: int, states: int = 2000):
    """Stationary E[waiting for allocation] and E[open] of PS limited to ``cap`` cases, by its birth–death chain.

    In state n (people allocated or waiting) the chain goes up at λ and, for n > 0, down at μ:
    min(n, cap) cases share one server, so together they finish at rate μ whatever their number.
    """
    log_p = np.zeros(states)
    for n in range(1, states):  # detailed balance: π(n) λ = π(n + 1) μ
        log_p[n] = log_p[n - 1] + math.log(arrivals / service_rate)
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    n = np.arange(states)
    return float((np.maximum(n - cap, 0) * p).sum()), float((np.minimum(n, cap) * p).sum())


def test_limited_processor_sharing_matches_its_birth_death_chain():
    """Cap K = 3: waits for allocation and days open, by Little's law from the chain's E[queue] and E[open]."""
    load, cap = 0.8, 3
    arrivals = load * MU
    queued, open_cases = birth_death_limited_ps(arrivals, MU, cap)
    table = summary(case_queue(load, cap=cap), reps=12, seed=13)
    wait, open_days = table.loc["wait_mean_days.service"], table.loc["case_open_days_mean.service"]
    assert wait.ci_low <= queued / arrivals <= wait.ci_high, (queued / arrivals, wait.to_dict())
    assert open_days.ci_low <= open_cases / arrivals <= open_days.ci_high, (open_cases / arrivals, open_days.to_dict())
    sojourn = wait["mean"] + open_days["mean"]
    assert sojourn == pytest.approx((queued + open_cases) / arrivals, rel=0.06)
    assert table.loc["open_cases_mean.server", "mean"] == pytest.approx(open_cases, rel=0.05)
    assert table.loc["open_cases_mean.server", "mean"] <= cap


def test_littles_law_on_caseloads_with_office_hours_part_time_and_minimum_open_days():
    """Mean open cases × practitioners = cases closed a day × mean days open, per team."""
    document = tiny_document(**{
        "time.horizon_days": 730, "time.warm_up_days": 60,
        "roles.social_worker.fte": 2.5,
        "stages.assessment.kind": "case",
        "stages.assessment.case": {"caseload_cap": 8, "min_open_days": 14},
    })
    scenario = scenario_from_document(document, "tiny.yaml")
    results = run(scenario, reps=3, seed=5, detail=True)
    table = results.kpi_table()
    horizon = 730  # the KPIs' window: the horizon follows the warm-up
    closed = table["flow.assessment->home_care"] + table["flow.assessment->no_eligible_needs"]
    little = closed / horizon * table["case_open_days_mean.assessment"]
    assert np.allclose(table["open_cases_mean.social_worker"] * 3, little, rtol=0.03)
    assert (table["case_open_days_mean.assessment"] >= 14).all()
    series = results.timeseries.pivot_table(index=["run", "day"], columns=["measure", "name"], values="value")
    used, available = series[("hours_used", "social_worker")], series[("hours_available", "social_worker")]
    assert (used <= available + 1e-6).all()  # never any work outside rostered hours
    caps = np.array([8, 8, 4])  # the half-time practitioner's cap is half the cap
    assert (series[("open_cases", "social_worker")] * 3 <= caps.sum()).all()


def test_a_cap_of_one_behaves_like_the_one_sitting_stage():
    """With a caseload of one and no minimum open time, a practitioner works one case at a time,
    as at a one-sitting stage. Round the clock the two give the same waits: work draws come from
    the same stream in the same order and each practitioner serves first come, first served; only
    the rounding of completion times (the working clock against plain addition) could order two
    events differently, hence a tolerance rather than exact equality. (In office hours they
    differ by design: a case is allocated at any hour, so the night is not counted as a wait.)"""
    document = queue_document(2, 0.8 * 2 * MU, SERVICE_MINUTES, warm_up_days=30, horizon_days=180)
    one_sitting = run(scenario_from_document(document, "one.yaml"), reps=3, seed=9, detail=False).kpi_table()
    document["stages"]["service"] |= {"kind": "case", "case": {"caseload_cap": 1}}
    case = run(scenario_from_document(document, "case.yaml"), reps=3, seed=9, detail=False).kpi_table()
    for kpi in ("wait_mean_days.service", "wait_p90_days.service", "arrivals.service", "utilisation.server"):
        assert np.allclose(case[kpi], one_sitting[kpi], rtol=1e-6), kpi


def test_analytic_flows_count_the_visits_to_case_stages():
    document = tiny_document(**{"stages.assessment.kind": "case",
                                "stages.assessment.case": {"caseload_cap": 20, "min_open_days": 21}})
    scenario = scenario_from_document(document, "tiny.yaml")
    table = run(scenario, reps=6, seed=2, detail=False, follow_through_days=365).kpi_table()
    flows = expected_flows(scenario)
    for stage, expected in flows.stages.items():
        assert table[f"arrivals.{stage}"].mean() == pytest.approx(expected, rel=0.05), stage
    hours = flows.roles["social_worker"].hours_demanded
    assert hours == pytest.approx(flows.stages["assessment"] * 240 / 60)


@pytest.mark.parametrize("changes, field", [
    ({"stages.assessment.kind": "case", "stages.assessment.case": {"caseload_cap": 5},
      "stages.assessment.role": None}, "role"),
    ({"stages.assessment.kind": "case"}, "case"),
    ({"stages.assessment.kind": "case", "stages.assessment.case": {"caseload_cap": 0.5}}, "caseload_cap"),
    ({"stages.assessment.case": {"caseload_cap": 5}}, "case"),
    ({"stages.assessment.kind": "case", "stages.assessment.case": {"caseload_cap": 5},
      "stages.front_door.role": "social_worker"}, "kind"),
    ({"stages.assessment.kind": "case", "stages.assessment.case": {"caseload_cap": 5, "weight": 6}}, "weight"),
])
def test_case_stage_problems_name_the_field(changes, field):
    document = tiny_document(**changes)
    if document["stages"]["assessment"].get("role") is None:
        document["stages"]["assessment"].pop("role")
    with pytest.raises(InputError) as error:
        scenario_from_document(document, "bad.yaml")
    assert field in str(error.value), str(error.value)


def test_a_role_has_one_caseload_cap():
    document = tiny_document(**{
        "stages.front_door.role": "social_worker", "stages.front_door.kind": "case",
        "stages.front_door.case": {"caseload_cap": 10},
        "stages.assessment.kind": "case", "stages.assessment.case": {"caseload_cap": 20},
    })
    with pytest.raises(InputError, match="caseload_cap"):
        scenario_from_document(document, "bad.yaml")
