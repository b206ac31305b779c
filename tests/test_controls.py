"""The app's sliders: derived from a scenario, with sources, and mapped back to valid overrides."""
import pytest

from flowsim import load_scenario, vary
from flowsim.ui.controls import WINTER, controls_for, groups, overrides_from, shares_in_use

NEW = "scenarios/barnet_new_model.yaml"


@pytest.fixture(scope="module")
def new():
    return load_scenario(NEW)


def test_controls_cover_every_group_with_defaults_and_sources(new):
    controls = {c.key: c for c in controls_for(new)}
    shown = groups(list(controls.values()))
    assert shown[:2] == ["Demand", "Front door"] and shown[-3:] == ["Staffing", "Productivity", "Packages"]
    assert {"Routes from Community hub appointment", "Routes from Full needs assessment (Care Act)",
            "Routes from Support planning and brokerage", "Safeguarding"} <= set(shown)
    assert shown.index("Routes from Community hub appointment") < shown.index("Routes from Support planning and brokerage")
    hub = controls["stages.front_door.routes.community_hub"]
    assert hub.value == 0.2 and hub.percent and hub.help.startswith("Published: London Borough of Barnet")
    fte = controls["roles.social_worker.fte"]
    assert fte.value == 31.21 and fte.help.startswith("Derived: ") and fte.high >= 62
    assert controls["demand.contacts_per_year"].help.startswith("Derived: ")
    concerns = controls["demand.workstreams.safeguarding.per_year"]
    assert concerns.group == "Safeguarding" and concerns.value == 2513 and concerns.help.startswith("Derived: ")
    carers = controls["demand.workstreams.carers.per_year"]
    assert carers.group == "Demand" and carers.label == "Carers' assessments: arrivals a year"


def test_untouched_sliders_change_nothing(new):
    controls = controls_for(new)
    assert overrides_from(new, controls, {c.key: c.value for c in controls}) == {}


def test_moved_share_rebalances_its_stage_and_validates(new):
    controls = controls_for(new)
    changes = overrides_from(new, controls, {"stages.front_door.routes.community_hub": 0.3,
                                             "roles.social_worker.fte": 25})
    variant = vary(new, changes)
    routes = variant.stages["front_door"].routes
    assert routes["community_hub"] == 0.3 and sum(routes.values()) == pytest.approx(1)
    assert routes["home_visit"] == pytest.approx(0.05 * 0.7 / 0.8)
    assert variant.roles["social_worker"].fte == 25


def test_winter_uplift_scales_december_to_february(new):
    changes = overrides_from(new, controls_for(new), {WINTER: 1.5})
    assert changes == {f"demand.monthly_profile.{m}": new.demand.monthly_profile[m] * 1.5
                       for m in ("dec", "jan", "feb")}


def test_impossible_shares_name_the_stage(new):
    with pytest.raises(ValueError, match="routes from First point of contact: .*more than 100%"):
        overrides_from(new, controls_for(new), {"stages.front_door.routes.community_hub": 0.7,
                                                "stages.front_door.routes.home_visit": 0.5})


def test_self_service_gets_its_own_slider_group():
    york = load_scenario("scenarios/york_new_model.yaml")
    controls = {c.key: c for c in controls_for(york)}
    online = controls["stages.self_service.routes.resolved_online"]
    assert online.group == "Digital self-service" and online.value == 0.15
    assert controls["stages.front_door.routes.community_hub"].group == "Front door"
    assert "stages.self_service.work.mean_minutes" not in controls


def test_groups_come_from_the_scenario_for_any_council():
    """A council whose stages carry other names still gets a front door and a group per choice of route."""
    safeguarding = load_scenario("scenarios/northamptonshire_safeguarding.yaml")
    shown = groups(controls_for(safeguarding))
    assert "Routes from Safeguarding concern (screening)" in shown
    for control in controls_for(safeguarding):
        if control.shares_of and control.shares_of.startswith("stages."):
            assert len(safeguarding.stages[control.shares_of.split(".")[1]].routes) > 1


def test_shares_in_use_after_moving_one_share(new):
    controls = controls_for(new)
    shown = shares_in_use(new, controls, {"stages.front_door.routes.community_hub": 0.98})
    used = {label: (share, moved) for label, share, moved in shown["stages.front_door.routes"]}
    assert used["Community hub appointment"] == (0.98, True)
    assert used["Home visit"][0] == pytest.approx(0.05 * 0.02 / 0.8) and not used["Home visit"][1]
    assert sum(share for share, _ in used.values()) == pytest.approx(1)
    assert shares_in_use(new, controls, {c.key: c.value for c in controls}) == {}


def test_a_workstream_slider_changes_its_arrivals_a_year(new):
    controls = controls_for(new)
    variant = vary(new, overrides_from(new, controls, {"demand.workstreams.safeguarding.per_year": 3000}))
    assert variant.demand.workstreams["safeguarding"].per_year == 3000
    assert variant.demand.workstreams["carers"].per_year == new.demand.workstreams["carers"].per_year
