"""Headline tiles: each side and the paired difference, from the same replications."""
import pytest

from flowsim import compare, load_scenario
from flowsim.ui.tiles import headlines, package_rows, role_rows


@pytest.fixture(scope="module")
def pair():
    a = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=73"])
    b = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=73"])
    return compare(a, b, reps=3, seed=2), a, b


def test_headlines_are_per_year_and_paired(pair):
    comparison, a, b = pair
    tiles = {t.key: t for t in headlines(comparison, a, b)}
    assert list(tiles) == ["hours", "waiting", "within_target", "new_packages", "package_cost", "staff_cost"]
    packages = tiles["new_packages"]
    per_year_a = comparison.a.kpi_table()["new_packages.total"].mean() * 5  # 73 days is a fifth of a year
    assert packages.a["mean"] == pytest.approx(per_year_a)
    assert packages.b_minus_a["mean"] == pytest.approx(packages.b["mean"] - packages.a["mean"])
    assert tiles["staff_cost"].a["mean"] == pytest.approx(sum(r.cost_per_year for r in a.roles.values()))


def test_role_and_package_rows(pair):
    comparison, a, b = pair
    roles = role_rows(comparison, a, b)
    assert set(roles["side"]) == {"A", "B"}
    assert (roles["hours_available"] > 0).all()
    packages = package_rows(comparison, a, b)
    assert len(packages) == 2 * len(a.package_outcomes())
