"""A misspelt name in a changed field is named, with the closest spelling."""
import pytest

from flowsim.errors import InputError
from flowsim.scenario import load_scenario
from flowsim.scenario.names import did_you_mean

NEW = "scenarios/barnet_new_model.yaml"


@pytest.mark.parametrize("change, message", [
    ("roles.social_workr.fte=3", "roles.social_workr.fte: no role 'social_workr' (did you mean social_worker?)"),
    ("stages.front_dor.routes.social_work=0.5",
     "stages.front_dor.routes.social_work: no stage 'front_dor' (did you mean front_door?)"),
    ("stages.front_door.routes.comunity_hub=0.5",
     "no stage or outcome 'comunity_hub' (did you mean community_hub?)"),
    ("demand.sources.comunity=0.3", "no referral source 'comunity' (did you mean community?)"),
    ("outcomes.home_car.weekly_cost=300", "no outcome 'home_car' (did you mean home_care?)"),
    ("roles.zzz.fte=3", "no role 'zzz' (the names are front_door_adviser, social_worker"),
    ("open_cases.full_asessment.count=10", "no stage 'full_asessment' (did you mean full_assessment?)"),
    ("waiting_list.suport_planning.count=10", "no stage 'suport_planning' (did you mean support_planning?)"),
])
def test_a_misspelt_name_is_named_with_a_suggestion(change, message):
    with pytest.raises(InputError) as raised:
        load_scenario(NEW, [change])
    assert len(raised.value.problems) == 1
    assert message in str(raised.value.problems[0])


def test_existing_names_and_new_routes_to_known_stages_are_accepted():
    scenario = load_scenario(NEW, ["roles.social_worker.fte=30", "stages.front_door.routes.full_assessment=0.0"])
    assert scenario.roles["social_worker"].fte == 30


def test_a_list_or_open_cases_may_be_added_at_any_stage():
    """A starting waiting list or open cases at a stage that has none yet is a new entry, not a misspelling of
    the stages that have one."""
    scenario = load_scenario("scenarios/barnet_current.yaml", ["open_cases.full_assessment.count=200",
                                                               "open_cases.full_assessment.mean_open_days=20",
                                                               "waiting_list.support_planning.count=30"])
    assert scenario.open_cases["full_assessment"].count == 200
    assert scenario.waiting_list["support_planning"].count == 30


def test_did_you_mean_is_empty_when_nothing_is_close():
    assert did_you_mean("front_dor", ["front_door", "hub"]) == " (did you mean front_door?)"
    assert did_you_mean("xyz", ["front_door", "hub"]) == ""


@pytest.mark.parametrize("change, message", [
    ("demand.anual_growth=0.1", "demand.anual_growth: unknown field (did you mean annual_growth?)"),
    ("roles.social_worker.ftee=3", "roles.social_worker.ftee: unknown field (did you mean fte?)"),
    ("stages.front_door.wait_targt_days=3", "unknown field (did you mean wait_target_days?)"),
    ("demand.xyz=1", "demand.xyz: unknown field (check the spelling)"),
])
def test_a_misspelt_field_is_named_with_a_suggestion(change, message):
    with pytest.raises(InputError) as raised:
        load_scenario(NEW, [change])
    assert message in str(raised.value.problems[0])
