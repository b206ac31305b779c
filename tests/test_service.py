"""Service stages (provider places) checked against the M/M/c queue, Little's law and priorities."""
import math

import pytest

from flowsim import expected_flows
from flowsim.engine import run
from flowsim.errors import InputError
from flowsim.scenario.load import scenario_from_document
from tests.conftest import queue_document


def service_document(places: int, arrivals_per_day: float, mean_days: float, *, duration: str = "exponential",
                     horizon_days: int = 730, warm_up_days: int = 60, sources: dict | None = None,
                     priority_by_source: dict | None = None) -> dict:
    """``queue_document`` with its one stage made a service stage of ``places`` places and no role."""
    document = queue_document(1, arrivals_per_day, 60, warm_up_days=warm_up_days, horizon_days=horizon_days)
    document["roles"] = {}
    document["stages"]["service"] = {"kind": "service", "service": {"places": places, "duration": duration},
                                     "elapsed_days": mean_days, "routes": {"done": 1.0}}
    if sources:
        document["demand"]["sources"] = sources
    if priority_by_source:
        document["stages"]["service"]["priority_by_source"] = priority_by_source
    return document


def erlang_c_wait(servers: int, arrivals: float, mean_service: float) -> float:
    """Mean wait in the M/M/c queue: C(c, a) / (cμ − λ), with a = λ/μ."""
    a = arrivals * mean_service
    rho = a / servers
    below = sum(a ** k / math.factorial(k) for k in range(servers))
    top = a ** servers / math.factorial(servers) / (1 - rho)
    return top / (below + top) / (servers / mean_service - arrivals)


def summary(document: dict, reps: int, seed: int):
    return run(scenario_from_document(document, "service.yaml"), reps=reps, seed=seed,
               detail=False).summary().set_index("kpi")


@pytest.mark.parametrize("places, load", [(1, 0.7), (4, 0.8)])
def test_wait_for_a_place_is_the_erlang_c_wait(places, load):
    """Poisson arrivals, exponential lengths of service, c places: the M/M/c queue."""
    mean_days = 2.0
    arrivals = load * places / mean_days
    table = summary(service_document(places, arrivals, mean_days, horizon_days=1460), reps=12, seed=31)
    theory = erlang_c_wait(places, arrivals, mean_days)
    wait = table.loc["wait_mean_days.service"]
    assert wait.ci_low <= theory <= wait.ci_high, (theory, wait.to_dict())
    waiting = table.loc["waiting_mean.service"]  # Little: Lq = λ Wq
    assert waiting.ci_low <= arrivals * theory <= waiting.ci_high, (arrivals * theory, waiting.to_dict())
    used = table.loc["places_used_mean.service"]  # Little: places used = λ × mean length of service
    assert used.ci_low <= arrivals * mean_days <= used.ci_high, (arrivals * mean_days, used.to_dict())


def test_fixed_length_of_service_and_ample_places_mean_no_wait():
    """With more places than anyone can use, nobody waits and occupancy is λ × length (M/D/∞)."""
    table = summary(service_document(200, 5.0, 10.0, duration="fixed", horizon_days=365), reps=4, seed=3)
    assert table.loc["wait_p90_days.service", "mean"] == 0
    assert table.loc["awaiting_service_end.service", "mean"] == 0
    assert table.loc["places_used_mean.service", "mean"] == pytest.approx(50.0, rel=0.03)


def test_hospital_discharges_go_first():
    """priority_by_source: people from hospital are given a place before people from the community."""
    document = service_document(3, 1.35, 2.0, horizon_days=730, sources={"community": 0.5, "hospital": 0.5},
                                priority_by_source={"hospital": 0})
    table = summary(document, reps=6, seed=8)
    hospital, community = (table.loc[f"wait_mean_days.service@{s}", "mean"] for s in ("hospital", "community"))
    assert hospital < 0.5 * community, (hospital, community)
    assert table.loc["wait_mean_days.service", "mean"] == pytest.approx((hospital + community) / 2, rel=0.1)


def test_a_full_service_holds_people_waiting_at_the_end():
    """More arrivals than the places can take: the list grows, and the places are all used."""
    table = summary(service_document(2, 2.0, 2.0, horizon_days=200, warm_up_days=0), reps=2, seed=4)
    assert table.loc["awaiting_service_end.service", "mean"] > 100
    assert table.loc["places_used_mean.service", "mean"] == pytest.approx(2.0, rel=0.02)


def test_service_stages_take_no_practitioner_time_in_the_analytic_flows():
    scenario = scenario_from_document(service_document(3, 1.0, 2.0), "service.yaml")
    flows = expected_flows(scenario)
    assert flows.stages["service"] == pytest.approx(365.0, rel=1e-6)  # per year
    assert flows.roles == {}


@pytest.mark.parametrize("change, field", [
    ({"role": "server", "work": {"distribution": "fixed", "mean_minutes": 10}}, "role"),
    ({"service": None}, "service"),
    ({"service": {"places": 0}}, "places"),
    ({"elapsed_days": 0}, "elapsed_days"),
    ({"service": {"places": 2, "duration": "gamma"}}, "duration"),
    ({"kind": "one_sitting"}, "service"),
])
def test_bad_service_stages_are_refused_naming_the_field(change, field):
    document = service_document(3, 1.0, 2.0)
    if "role" in change:
        document["roles"] = {"server": {"fte": 1, "productive_hours_per_fte": 1000}}
    stage = document["stages"]["service"]
    for key, value in change.items():
        if value is None:
            stage.pop(key)
        else:
            stage[key] = value
    with pytest.raises(InputError) as error:
        scenario_from_document(document, "bad.yaml")
    assert field in str(error.value), str(error.value)
