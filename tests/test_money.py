"""The finance block of a scenario: targets with a category and years, one price base, checked on load."""
import pytest

from flowsim.errors import FlowsimError
from flowsim.scenario.load import load_scenario_text, scenario_from_document
from tests.conftest import tiny_document


def test_targets_years_and_price_base_read_from_yaml():
    text = """
name: t
council: Testshire
operating_model: custom
price_year: 2017
time: {start_date: 2017-04-01}
demand: {contacts_per_year: 10, sources: {community: 1}, entry: {default: s}}
roles: {r: {fte: 1, productive_hours_per_fte: 1500}}
stages: {s: {role: r, work: {distribution: exponential, mean_minutes: 10}, routes: {done: 1}}}
outcomes: {done: {}}
finance:
  price_base: 2017_18
  targets:
    adm: {amount: 1960000, category: staff, source: seed, per_year: {2017_18: 654000, 2018/19: 654000}}
  implementation_costs: [{amount: 360000, financial_year: 2017_18}]
"""
    scenario = load_scenario_text(text, "t.yaml")
    target = scenario.finance.targets["adm"]
    assert target.per_year == {"2017_18": 654000, "2018_19": 654000} and target.covers == ["2017_18", "2018_19"]
    assert scenario.finance.price_base == "2017_18"
    assert scenario.finance.implementation_costs[0].financial_year == "2017_18"


@pytest.mark.parametrize("finance, message", [
    ({"targets": {"x": {"amount": 1, "category": "packages", "source": "s"}}}, "finance.targets.x.category"),
    ({"targets": {"x": {"amount": 1, "category": "staff", "source": "s", "per_year": {"2017_19": 1}}}},
     "not a financial year"),
    ({"price_base": "2016_17"}, "price_year 2024 disagree"),
    ({"savings_target": 1, "targets": {"x": {"amount": 1, "category": "staff", "source": "s"}}}, "not both"),
    ({"contributions": {"client_contribution_share": 1.5}}, "finance.contributions.client_contribution_share"),
])
def test_bad_finance_is_a_user_error_naming_the_field(finance, message):
    with pytest.raises(FlowsimError, match=message) as error:
        scenario_from_document(tiny_document(finance=finance), "bad.yaml")
    assert "bad.yaml" in str(error.value)
