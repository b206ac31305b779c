"""Headline tiles: each side and the paired difference, from the same replications."""
import pytest

from flowsim import compare, load_scenario
from flowsim.ui.tiles import caseload_rows, headlines, package_rows, role_rows
from tests.conftest import ONE_SITTING_BARNET, barnet_with_case_stages


@pytest.fixture(scope="module")
def pair():
    a = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=73"])
    b = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=73"])
    return compare(a, b, reps=3, seed=2), a, b


def test_headlines_are_per_year_and_paired(pair):
    comparison, a, b = pair
    tiles = {t.key: t for t in headlines(comparison, a, b)}
    assert list(tiles) == ["hours", "waiting", "within_target", "request_to_completion", "waiting_over_6_months",
                           "open_cases.social_worker", "open_cases.occupational_therapist",
                           "open_cases.assessment_enablement_officer", "new_packages", "package_cost", "staff_cost"]
    assert tiles["request_to_completion"].unit == "days" and tiles["request_to_completion"].a["mean"] > 0
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


def test_open_cases_tile_and_rows_for_a_side_holding_cases():
    a = load_scenario(ONE_SITTING_BARNET, ["time.horizon_days=73"])  # no caseloads
    cases = barnet_with_case_stages(days=73)
    mixed = compare(a, cases, reps=3, seed=2)
    tiles = {t.key: t for t in headlines(mixed, a, cases)}
    assert "open_cases.social_worker" in tiles and "open_cases.front_door_adviser" not in tiles
    open_cases = tiles["open_cases.social_worker"]
    assert open_cases.b["mean"] > 0 and open_cases.a["n"] == 0  # A has no caseloads: shown as missing
    rows = caseload_rows(mixed, a, cases)
    assert set(rows["side"]) == {"B"} and "Social worker" in set(rows["role"])
    assert rows["ci_low"].iloc[0] <= rows["open_cases"].iloc[0] <= rows["ci_high"].iloc[0]
    one_sitting = compare(a, a, reps=2, seed=2)
    assert caseload_rows(one_sitting, a, a).empty
