"""Setting some shares and letting the others fill the rest."""
import pytest

from flowsim import load_scenario, vary
from flowsim.scenario.edit import rebalance, share_overrides


def test_others_give_up_the_difference_in_proportion():
    shares = rebalance({"hub": 0.2, "visit": 0.05, "advice": 0.5, "cvs": 0.25}, {"hub": 0.3})
    assert shares["hub"] == 0.3 and shares["visit"] == pytest.approx(0.05 * 0.7 / 0.8)
    assert sum(shares.values()) == pytest.approx(1)
    assert shares["advice"] / shares["cvs"] == pytest.approx(2)


def test_impossible_shares_are_refused():
    with pytest.raises(ValueError, match="more than 100%"):
        rebalance({"a": 0.5, "b": 0.5, "c": 0.0}, {"a": 0.7, "b": 0.6})
    with pytest.raises(ValueError, match="not 100%"):
        rebalance({"a": 0.5, "b": 0.5}, {"a": 0.7, "b": 0.2})
    with pytest.raises(ValueError, match="no such route"):
        rebalance({"a": 1.0}, {"z": 0.1})


def test_zero_shares_left_are_spread_evenly():
    assert rebalance({"a": 1.0, "b": 0.0, "c": 0.0}, {"a": 0.4}) == pytest.approx({"a": 0.4, "b": 0.3, "c": 0.3})


def test_share_overrides_make_a_valid_variant():
    base = load_scenario("scenarios/barnet_new_model.yaml")
    routes = base.stages["front_door"].routes
    variant = vary(base, share_overrides("stages.front_door.routes", routes, {"community_hub": 0.35}))
    assert variant.stages["front_door"].routes["community_hub"] == 0.35
    assert sum(variant.stages["front_door"].routes.values()) == pytest.approx(1)


def test_all_shares_set_by_hand_are_scaled_to_exactly_one():
    shares = rebalance({"a": 0.3333, "b": 0.6667}, {"a": 0.333, "b": 0.666})
    assert sum(shares.values()) == pytest.approx(1, abs=1e-12)
