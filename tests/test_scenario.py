"""Loading and validating scenarios: each kind of bad input gives a clear message."""
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flowsim import InputError, load_scenario, load_scenario_text, vary
from flowsim.scenario.load import scenario_from_document
from tests.conftest import problems_of


def test_shipped_scenarios_load(shipped_path):
    scenario = load_scenario(shipped_path)
    assert scenario.name == shipped_path.stem
    assert scenario.origin == str(shipped_path)


def test_tiny_scenario_is_valid_and_rest_is_resolved(tiny):
    scenario = scenario_from_document(tiny(), "tiny.yaml")
    assert scenario.stages["front_door"].routes["assessment"] == pytest.approx(0.4)


def test_unknown_key_names_file_and_path(tiny):
    document = tiny()
    document["stages"]["front_door"]["wait_targte_days"] = 3
    assert problems_of(document) == [
        "test.yaml: stages.front_door.wait_targte_days: unknown field (did you mean wait_target_days?)"]


def test_wrong_type_and_negative_value_reported_together(tiny):
    document = tiny()
    document["roles"]["adviser"]["fte"] = "two"
    document["demand"]["contacts_per_year"] = -5
    found = problems_of(document)
    assert any(p.startswith("test.yaml: roles.adviser.fte:") and "'two'" in p for p in found)
    assert any(p.startswith("test.yaml: demand.contacts_per_year:") and "greater than or equal to 0" in p for p in found)


def test_shares_must_sum_to_one(tiny):
    document = tiny()
    document["stages"]["assessment"]["routes"] = {"home_care": 0.5, "no_eligible_needs": 0.4}
    assert problems_of(document) == ["test.yaml: stages.assessment.routes: shares add up to 0.9, not 1"]


def test_shares_within_tolerance_are_accepted(tiny):
    document = tiny()
    document["stages"]["assessment"]["routes"] = {"home_care": 0.1 + 0.2, "no_eligible_needs": 0.7}
    scenario_from_document(document, "ok.yaml")


def test_route_to_missing_stage(tiny):
    document = tiny()
    document["stages"]["front_door"]["routes"] = {"information_advice": 0.5, "hub": 0.5}
    assert problems_of(document) == ["test.yaml: stages.front_door.routes.hub: is neither a stage nor an outcome"]


def test_stage_that_can_never_reach_an_outcome(tiny):
    document = tiny()
    document["stages"]["loop"] = {"role": "adviser", "work": {"distribution": "fixed", "mean_minutes": 5},
                                  "routes": {"loop": 1.0}}
    found = problems_of(document)
    assert found == ["test.yaml: stages.loop.routes: anyone can never reach an outcome from here (a closed loop)"]


def test_role_without_hours_but_with_work(tiny):
    document = tiny()
    document["roles"]["social_worker"]["fte"] = 0
    assert problems_of(document) == [
        "test.yaml: roles.social_worker.fte: is 0 but stage 'assessment' routes work to this role"
    ]


def test_role_without_hours_and_without_work_is_fine(tiny):
    document = tiny()
    document["roles"]["spare"] = {"fte": 0, "productive_hours_per_fte": 1500}
    scenario_from_document(document, "ok.yaml")


def test_missing_required_fields_all_listed(tiny):
    document = tiny()
    del document["council"]
    del document["demand"]["entry"]
    found = problems_of(document)
    assert "test.yaml: council: is required but missing" in found
    assert "test.yaml: demand.entry: is required but missing" in found


def test_package_outcome_needs_duration(tiny):
    document = tiny()
    del document["outcomes"]["home_care"]["mean_duration_weeks"]
    assert problems_of(document) == ["test.yaml: outcomes.home_care: a package outcome needs mean_duration_weeks"]


def test_unknown_figure_reference(tiny):
    document = tiny()
    document["demand"]["contacts_per_year"] = {"ref": "barnet.no_such_figure"}
    assert problems_of(document) == [
        "test.yaml: demand.contacts_per_year: refers to 'barnet.no_such_figure', which is not a figure in data/"
    ]


def test_references_resolve_and_record_provenance(tiny):
    document = tiny()
    document["demand"]["contacts_per_year"] = {"ref": "barnet.requests_new_clients_2015_16"}
    scenario = scenario_from_document(document, "t.yaml")
    assert scenario.demand.contacts_per_year == 8455
    assert scenario.provenance["demand.contacts_per_year"].status == "published"


def test_overrides_are_validated_like_the_file(tiny):
    scenario = scenario_from_document(tiny(), "t.yaml", ["demand.annual_growth=0.03"])
    assert scenario.demand.annual_growth == 0.03
    assert "override" in scenario.provenance["demand.annual_growth"]
    found = problems_of(tiny(), ["stages.front_door.routes.information_advice=1.5"])
    assert found == ["test.yaml: stages.front_door.routes.information_advice: must be a share from 0 to 1 or 'rest'; got 1.5"]
    found = problems_of(tiny(), ["demand.contacts_per_year.deep=1"])
    assert found == ["test.yaml: demand.contacts_per_year.deep: 'demand.contacts_per_year' is a value, not a group of fields"]


def test_override_without_equals_sign(tiny):
    with pytest.raises(InputError, match="must look like path.to.field=value"):
        scenario_from_document(tiny(), "t.yaml", ["demand.annual_growth"])


def test_override_changes_one_leaf_of_a_referenced_mapping(shipped_path):
    scenario = load_scenario(shipped_path, ["demand.weekday_profile.sun=0"])
    assert scenario.demand.weekday_profile["sun"] == 0
    assert scenario.demand.weekday_profile["mon"] > 0


def test_vary_makes_a_new_validated_scenario():
    base = load_scenario("scenarios/barnet_new_model.yaml")
    variant = vary(base, {"stages.front_door.routes.community_hub": 0.3})
    assert variant.stages["front_door"].routes["community_hub"] == 0.3
    assert base.stages["front_door"].routes["community_hub"] == 0.2
    with pytest.raises(InputError):
        vary(base, {"roles.social_worker.fte": -1})


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncouncil: [unclosed\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}: line 3, column 1: is not valid YAML")


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="must be a YAML mapping"):
        load_scenario_text("- a\n- b\n", "list.yaml")


def test_oversized_upload_is_refused():
    with pytest.raises(InputError, match="larger than"):
        load_scenario_text("#" * 2_000_000, "big.yaml")


def test_yaml_code_tags_are_not_executed():
    with pytest.raises(InputError, match="not valid YAML"):
        load_scenario_text("name: !!python/object/apply:os.system ['echo hacked']\n", "evil.yaml")


def test_unquoted_yaml_times_are_read_as_times(tiny):
    document = tiny()
    document["time"]["calendars"] = {"office": {"start": 540, "end": 1020}}  # what YAML makes of 9:00, 17:00
    scenario = scenario_from_document(document, "t.yaml")
    assert scenario.time.calendars["office"].hours_per_day == 8


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
@example("{ref}")  # the whole file one reference, to nothing: found by this test once
@example("{ref: barnet.contacts_per_year}")
def test_random_text_never_raises_anything_but_input_error(text):
    try:
        load_scenario_text(text, "random.yaml")
    except InputError as error:
        assert all(str(p).startswith("random.yaml") for p in error.problems)


# No deadline: a case's time depends on the machine's load, not on what the test checks.
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(["name", "time", "demand", "roles", "stages", "outcomes", "caseload", "waiting_list",
                        "demand.sources", "stages.front_door", "stages.front_door.routes", "roles.adviser",
                        "stages.assessment.work", "outcomes.home_care", "time.calendars"]),
       yaml_values)
def test_malformed_documents_never_raise_anything_but_input_error(path, value):
    from tests.conftest import tiny_document

    document = tiny_document(**{path: value})
    text = yaml.safe_dump(document, allow_unicode=True)
    try:
        load_scenario_text(text, "fuzz.yaml")
    except InputError as error:
        assert error.problems


def test_impossible_dates_are_input_errors(tiny):
    with pytest.raises(InputError, match="not valid YAML"):
        load_scenario_text("name: x\ntime: {start_date: 2015-13-01}\n", "date.yaml")
    with pytest.raises(InputError, match="cannot be read"):
        scenario_from_document(tiny(), "t.yaml", ["time.start_date=2015-13-01"])


def test_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"{'b' * i}: &{'b' * i} [{', '.join(['*' + ('b' * (i - 1) if i > 1 else 'a')] * 10)}]")
    with pytest.raises(InputError, match="once its aliases are expanded"):
        load_scenario_text("\n".join(lines) + "\n", "bomb.yaml")


def test_a_bad_share_is_reported_once(tiny):
    document = tiny()
    document["stages"]["front_door"]["routes"]["assessment"] = "most"
    assert problems_of(document) == [
        "test.yaml: stages.front_door.routes.assessment: must be a share from 0 to 1 or 'rest'; got 'most'"
    ]


def test_numbers_can_carry_their_source_inline(tiny):
    document = tiny()
    document["demand"]["contacts_per_year"] = {"value": 1234, "source": "our case system, 2023/24",
                                               "status": "derived", "reason": "contacts logged less duplicates"}
    scenario = scenario_from_document(document, "t.yaml")
    assert scenario.demand.contacts_per_year == 1234
    cited = scenario.provenance["demand.contacts_per_year"]
    assert cited.status == "derived" and cited.source == "our case system, 2023/24"
    document["demand"]["contacts_per_year"] = {"value": 1, "source": "x", "status": "guess"}
    assert problems_of(document) == ["test.yaml: demand.contacts_per_year.status: must be one of assumption, derived, "
                                     "published"]


def test_the_headline_stage_comes_from_the_scenario_or_the_vocabulary(tiny):
    scenario = scenario_from_document(tiny(), "t.yaml")
    assert scenario.key_stage == "assessment"  # named in the vocabulary's statutory assessments
    named = scenario_from_document(tiny(headline_stage="front_door"), "t.yaml")
    assert named.key_stage == "front_door"
    with pytest.raises(InputError, match="headline_stage: stage 'nowhere' does not exist"):
        scenario_from_document(tiny(headline_stage="nowhere"), "t.yaml")
