"""The app's sliders: derived from a scenario, with sources, and mapped back to valid overrides."""
import pytest

from flowsim import load_scenario, vary
from flowsim.ui.controls import WINTER, controls_for, overrides_from

NEW = "scenarios/barnet_new_model.yaml"


@pytest.fixture(scope="module")
def new():
    return load_scenario(NEW)


def test_controls_cover_every_group_with_defaults_and_sources(new):
    controls = {c.key: c for c in controls_for(new)}
    groups = {c.group for c in controls.values()}
    assert groups == {"Demand", "Front door", "Community hub", "Assessment", "Safeguarding", "Staffing", "Productivity",
                      "Packages"}
    hub = controls["stages.front_door.routes.community_hub"]
    assert hub.value == 0.2 and hub.percent and hub.help.startswith("Published: London Borough of Barnet")
    fte = controls["roles.social_worker.fte"]
    assert fte.value == 31.21 and fte.help.startswith("Derived: ") and fte.high >= 62
    assert controls["demand.contacts_per_year"].help.startswith("Derived: ")


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
