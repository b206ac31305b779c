"""Prices: one price base per scenario, unit costs of other years restated with the GDP deflator."""
import pytest

from flowsim import FlowsimError, load_scenario
from flowsim.figures import lookup
from flowsim.finance.prices import deflator, mixed_prices, price_base, restate, unit_cost_years


def test_restating_moves_a_price_between_years_with_the_deflator():
    assert deflator("2016_17") == 100
    assert restate(100.0, "2016_17", "2017_18") == pytest.approx(101.8)
    assert restate(restate(190.1, "2022_23", "2013_14"), "2013_14", "2022_23") == pytest.approx(190.1)
    with pytest.raises(FlowsimError, match="no GDP deflator for 1066/67"):
        restate(1.0, "1066_67", "2016_17")


@pytest.mark.parametrize("key, source, year", [
    ("unit_costs.home_care_weekly_2017_18", "unit_costs.home_care_weekly", "2017_18"),
    ("unit_costs.residential_weekly_england_2017_18", "unit_costs.residential_weekly_england_2016", "2017_18"),
    ("unit_costs.home_care_weekly_2013_14", "unit_costs.home_care_weekly", "2013_14"),
])
def test_restated_unit_costs_in_the_data_follow_the_deflator(key, source, year):
    original = lookup(source)
    assert lookup(key).price_year == year
    assert lookup(key).value == pytest.approx(restate(original.value, original.price_year, year), abs=0.01)


def test_every_unit_cost_says_its_price_year():
    from flowsim.figures import all_figures
    costs = [f for k, f in all_figures().items() if k.startswith("unit_costs.")]
    assert costs and all(f.price_year for f in costs)


def test_the_barnet_and_herefordshire_finance_scenarios_are_in_one_price_base():
    for path, base in [("scenarios/barnet_current_2017_2020.yaml", "2017_18"),
                       ("scenarios/barnet_new_model_2017_2020.yaml", "2017_18"),
                       ("scenarios/herefordshire_after_restructure.yaml", "2013_14"),
                       ("scenarios/herefordshire_localities.yaml", "2013_14"),
                       ("scenarios/bnes_inhouse.yaml", "2024_25"),
                       ("scenarios/barnet_winter_2025.yaml", "2025_26"),
                       ("scenarios/york_new_model.yaml", "2016_17")]:
        scenario = load_scenario(path)
        assert price_base(scenario) == base and not mixed_prices(scenario), path
        assert unit_cost_years(scenario)["outcomes.home_care.weekly_cost"] == base
    # A 2022 home-care rate in a scenario priced in 2016/17 is flagged.
    assert mixed_prices(load_scenario("scenarios/barnet_current.yaml")) == {
        "outcomes.home_care.weekly_cost": "2022_23"}
