"""Savings of one model against another, per financial year and against a target."""
import pytest

from flowsim import compare, load_scenario
from flowsim.finance import savings
from flowsim.finance.savings import CI_HIGH, CI_LOW, MEAN


@pytest.fixture(scope="module")
def three_years():
    a = load_scenario("scenarios/barnet_current_2017_2020.yaml", ["time.horizon_days=500"])
    b = load_scenario("scenarios/barnet_new_model_2017_2020.yaml", ["time.horizon_days=500"])
    return compare(a, b, reps=3, seed=4), b


def test_a_scenario_against_itself_saves_nothing():
    scenario = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=60"])
    saved = savings(compare(scenario, scenario, reps=3, seed=1), target=1.0)
    for row in saved.table.to_dict("records"):
        assert row[MEAN] == 0 and row[CI_LOW] <= 0 <= row[CI_HIGH]
    assert saved.status == "not met"


def test_savings_per_financial_year_add_up(three_years):
    comparison, new = three_years
    saved = savings(comparison, new.finance.savings_target, new.finance.savings_target_label)
    table = saved.table.set_index(["period", "part"])["saving_a_minus_b_mean"]
    assert list(dict.fromkeys(saved.table["period"])) == ["2017_18", "2018_19", "horizon"]
    assert table[("2017_18", "total")] + table[("2018_19", "total")] == pytest.approx(table[("horizon", "total")])
    assert table[("horizon", "staff")] == pytest.approx(17 * 10_000 * 1.3 * 500 / 365)  # 17 posts, £10k cheaper
    assert saved.target == 1_960_000
    assert saved.status in {"met", "not met", "uncertain"}
    assert saved.to_dict()["periods"]["horizon"]["total"]["mean"] == pytest.approx(table[("horizon", "total")])
