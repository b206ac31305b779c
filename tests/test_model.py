"""The engine's behaviour on particular structures: stages without practitioners (online self-service)."""
import pandas as pd
import pytest

from flowsim import expected_flows, load_scenario, run, scenario_document
from flowsim.scenario.load import scenario_from_document

YORK = "scenarios/york_new_model.yaml"


def without_self_service(scenario):
    document = scenario_document(scenario)
    del document["stages"]["self_service"]
    del document["outcomes"]["resolved_online"]
    document["demand"]["entry"]["default"] = "front_door"
    return scenario_from_document(document, "york_without_channel")


def test_self_service_share_zero_equals_no_channel():
    york = load_scenario(YORK, ["time.horizon_days=60", "stages.self_service.routes.resolved_online=0"])
    with_channel = run(york, reps=2, seed=8, detail=False).kpi_table()
    without = run(without_self_service(york), reps=2, seed=8, detail=False).kpi_table()
    shared = [k for k in without.columns if "self_service" not in k and "resolved_online" not in k]
    pd.testing.assert_frame_equal(with_channel[shared], without[shared])


def test_self_service_resolves_contacts_without_practitioner_time():
    york = load_scenario(YORK, ["time.horizon_days=120"])
    online = 0.15 * (1 - york.demand.sources["secondary_health"])  # hospital referrals go to the hospital team
    flows = expected_flows(york)
    assert flows.outcomes["resolved_online"] / flows.contacts == pytest.approx(online)
    assert flows.roles["front_door_adviser"].hours_demanded < expected_flows(without_self_service(york)).roles[
        "front_door_adviser"].hours_demanded
    table = run(york, reps=3, seed=1, detail=False).kpi_table()
    share = (table["outcomes.resolved_online"] / table["contacts"]).mean()
    assert share == pytest.approx(online, abs=0.01)
    assert (table["wait_mean_days.self_service"] == 0).all()
    assert (table["arrivals.front_door"] < table["contacts"]).all()
