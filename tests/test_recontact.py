"""Re-contact (failure demand): people closed at a stage coming back as new contacts."""
import pytest

from flowsim import load_scenario, scenario_hash, vary
from flowsim.engine import run
from flowsim.errors import InputError
from flowsim.scenario.load import scenario_from_document
from tests.conftest import queue_document

BACK = {"share": 0.0, "within_days": 60, "to": "front_door"}


def test_share_zero_equals_no_recontact():
    base = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=90"])
    with_zero = vary(base, {"stages.front_door.recontact": BACK, "stages.community_hub.recontact": BACK})
    plain = run(base, reps=2, seed=4, detail=False).kpi_table()
    zero = run(with_zero, reps=2, seed=4, detail=False).kpi_table()
    assert (zero["recontacts.front_door"] == 0).all() and (zero["recontacts.community_hub"] == 0).all()
    assert list(zero.drop(columns=["recontacts.front_door", "recontacts.community_hub"]).columns) == list(plain.columns)
    assert zero[plain.columns].equals(plain)


def test_scenarios_without_recontact_keep_their_hash():
    base = load_scenario("scenarios/barnet_current.yaml")
    assert "recontact" not in str(base.source.document)
    assert scenario_hash(base) == scenario_hash(vary(base, {}))
    assert scenario_hash(vary(base, {"stages.front_door.recontact": BACK})) != scenario_hash(base)


def test_people_come_back_with_the_share():
    document = queue_document(6, 40, 30.0, warm_up_days=0, horizon_days=200)
    document["stages"]["service"]["recontact"] = {"share": 0.25, "within_days": 20, "to": "service"}
    table = run(scenario_from_document(document, "mmc.yaml"), reps=3, seed=2, detail=False).kpi_table()
    arrivals, back = table["arrivals.service"], table["recontacts.service"]
    # every arrival is closed here; a quarter come back (those due after the horizon excepted)
    assert (back / arrivals).mean() == pytest.approx(0.25, abs=0.02)
    assert (arrivals - back == table["contacts"]).all()
    assert table["outcomes.done"].mean() == pytest.approx(arrivals.mean(), rel=0.01)


def test_recontact_to_a_missing_stage_is_named():
    base = load_scenario("scenarios/barnet_new_model.yaml")
    with pytest.raises(InputError, match=r"stages.front_door.recontact.to: stage 'nowhere' does not exist"):
        vary(base, {"stages.front_door.recontact": {**BACK, "to": "nowhere"}})
    with pytest.raises(InputError, match="stages.front_door.recontact.share"):
        vary(base, {"stages.front_door.recontact": {**BACK, "share": 1.5}})


def test_expected_flows_count_the_returns():
    from flowsim import expected_flows
    document = queue_document(6, 40, 30.0, warm_up_days=0, horizon_days=365)
    plain = expected_flows(scenario_from_document(document, "mmc.yaml"))
    document["stages"]["service"]["recontact"] = {"share": 0.25, "within_days": 20, "to": "service"}
    back = expected_flows(scenario_from_document(document, "mmc.yaml"))
    assert back.stages["service"] == pytest.approx(plain.stages["service"] / 0.75)  # 1 + ¼ + ¼² + …
