"""Staffing beyond FTE: vacancies, agency cover and the share of hours spent on non-case work."""
import math

import pytest

from flowsim import InputError, expected_flows
from flowsim.engine import run
from flowsim.engine.casework import practitioner_caps
from flowsim.engine.rosters import build_roster
from flowsim.scenario.load import scenario_from_document, scenario_hash


def scenario(tiny, **role):
    document = tiny()
    document["roles"]["social_worker"].update(role)
    return scenario_from_document(document, "t.yaml")


def problems_of(tiny, **role) -> list[str]:
    with pytest.raises(InputError) as caught:
        scenario(tiny, **role)
    return [str(p) for p in caught.value.problems]


def roster_hours(s, days=28) -> float:
    return build_roster(s, "social_worker", days).available_hours_per_day(days).sum()


def test_defaults_change_nothing(tiny):
    plain, explicit = scenario(tiny), scenario(tiny, vacancy_rate=0, agency_fte=0, non_case_share=0)
    assert explicit.roles["social_worker"].hours_per_year == 3 * 1500
    assert build_roster(explicit, "social_worker", 28) == build_roster(plain, "social_worker", 28)
    assert scenario_hash(explicit) == scenario_hash(plain)


def test_vacancy_halves_hours_available_and_raises_utilisation(tiny):
    full, half = scenario(tiny, fte=4), scenario(tiny, fte=4, vacancy_rate=0.5)
    assert half.roles["social_worker"].fte_in_post == 2
    assert half.roles["social_worker"].hours_per_year == pytest.approx(full.roles["social_worker"].hours_per_year / 2)
    assert build_roster(half, "social_worker", 28).practitioners == 2
    assert roster_hours(half) == pytest.approx(roster_hours(full) / 2)
    a, b = expected_flows(full).roles["social_worker"], expected_flows(half).roles["social_worker"]
    assert b.hours_available == pytest.approx(a.hours_available / 2)
    assert b.utilisation == pytest.approx(2 * a.utilisation)
    sims = {name: run(s, reps=2, seed=4, detail=False).summary().set_index("kpi")["mean"]
            for name, s in (("full", full), ("half", half))}
    assert sims["half"]["hours_available.social_worker"] == pytest.approx(
        sims["full"]["hours_available.social_worker"] / 2)
    assert sims["half"]["utilisation.social_worker"] > 1.6 * sims["full"]["utilisation.social_worker"]
    assert full.roles["social_worker"].cost_per_year == half.roles["social_worker"].cost_per_year  # establishment


def test_non_case_share_shortens_every_window(tiny):
    plain, busy = scenario(tiny), scenario(tiny, non_case_share=0.5)
    assert build_roster(busy, "social_worker", 28).practitioners == 3
    assert roster_hours(busy) == pytest.approx(roster_hours(plain) / 2)
    assert expected_flows(busy).roles["social_worker"].hours_available == pytest.approx(3 * 1500 / 2)
    assert expected_flows(busy).roles["social_worker"].utilisation == pytest.approx(
        2 * expected_flows(plain).roles["social_worker"].utilisation)
    sim = run(busy, reps=1, seed=2, detail=False).summary().set_index("kpi")["mean"]
    days = busy.time.horizon_days
    assert sim["hours_available.social_worker"] == pytest.approx(
        roster_hours(busy, days), rel=1e-9)


def test_agency_fte_adds_hours_and_cost(tiny):
    s = scenario(tiny, fte=2, vacancy_rate=0.25, agency_fte=1.5, annual_cost_per_fte=40000, on_cost_rate=0.25)
    role = s.roles["social_worker"]
    assert role.fte_in_post == pytest.approx(2 * 0.75 + 1.5)
    assert role.hours_per_year == pytest.approx(3 * 1500)
    roster = build_roster(s, "social_worker", 28)
    assert roster.practitioners == 3 and roster.lengths[0] == roster.lengths[2]
    assert role.cost_per_year == pytest.approx(2 * 50000 + 1.5 * 50000)
    priced = scenario(tiny, fte=2, agency_fte=1, annual_cost_per_fte=40000, agency_cost_per_fte=90000)
    assert priced.roles["social_worker"].cost_per_year == pytest.approx(2 * 40000 + 90000)


def test_part_time_practitioner_from_vacancies(tiny):
    s = scenario(tiny, fte=3, vacancy_rate=0.1)  # 2.7 in post
    roster = build_roster(s, "social_worker", 28)
    assert roster.practitioners == 3
    assert roster.lengths[2] == pytest.approx(0.7 * roster.lengths[0])


def test_an_agency_only_role_can_work(tiny):
    s = scenario(tiny, fte=0, agency_fte=3)
    assert expected_flows(s).roles["social_worker"].hours_available == pytest.approx(4500)


@pytest.mark.parametrize("field, value", [
    ("vacancy_rate", 1.0), ("vacancy_rate", 0.95), ("vacancy_rate", -0.1), ("vacancy_rate", math.nan),
    ("agency_fte", -1), ("agency_fte", math.inf), ("non_case_share", 1.0), ("non_case_share", -0.2),
    ("agency_cost_per_fte", math.nan),
])
def test_bad_staffing_is_refused_naming_the_field(tiny, field, value):
    problems = problems_of(tiny, **{field: value})
    assert any(f"roles.social_worker.{field}:" in p for p in problems), problems


def test_a_role_given_work_with_nobody_in_post_is_refused(tiny):
    problems = problems_of(tiny, fte=0)
    assert any("roles.social_worker.fte" in p for p in problems), problems


def test_case_stage_caps_follow_the_staff_in_post(tiny):
    document = tiny()
    document["stages"]["assessment"].update(kind="case", case={"caseload_cap": 20})
    document["roles"]["social_worker"].update(fte=3, vacancy_rate=0.1)  # 2.7 in post
    s = scenario_from_document(document, "t.yaml")
    roster = build_roster(s, "social_worker", 28)
    assert practitioner_caps(s, "social_worker", roster) == pytest.approx([20, 20, 14])
