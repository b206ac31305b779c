"""Goal-seek: the smallest value of a field that meets targets, checked against queueing theory."""
import json
import math

import pytest
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.errors import FlowsimError
from flowsim.scenario.load import scenario_from_document
from flowsim.uncertainty.goal_seek import FieldRange, Goal, goal_seek, parse_goal, parse_range
from tests.conftest import queue_document

ARRIVALS, SERVICE_MINUTES, TARGET_DAYS = 100.0, 60.0, 1 / 96  # 15 minutes


def erlang_within(servers: int, arrivals: float, service_rate: float, t: float) -> float:
    """P(wait ≤ t) in an M/M/c queue: 1 − C(c, a)·exp(−(cμ − λ)t)."""
    a = arrivals / service_rate
    if servers <= a:
        return 0.0
    top = a**servers / math.factorial(servers) * servers / (servers - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(servers)) + top)
    return 1 - p_wait * math.exp(-(servers * service_rate - arrivals) * t)


def erlang_smallest(target: float) -> int:
    return next(c for c in range(1, 100) if erlang_within(c, ARRIVALS, 1440 / SERVICE_MINUTES, TARGET_DAYS) >= target)


@pytest.fixture(scope="module")
def mmc(tmp_path_factory):
    document = queue_document(3, ARRIVALS, SERVICE_MINUTES, warm_up_days=10, horizon_days=60)
    document["stages"]["service"]["wait_target_days"] = TARGET_DAYS
    return scenario_from_document(document, "mmc.yaml")


@pytest.mark.parametrize("target", [0.9, 0.95])
def test_goal_seek_finds_the_servers_erlang_c_gives(mmc, target):
    expected = erlang_smallest(target)  # 7 for 90%, 8 for 95%: far enough from the next c to be clear
    found = goal_seek(mmc, [f"within_target.service >= {target}"], FieldRange("roles.server.fte", 3, 14),
                      reps=4, max_reps=16, workers=1)
    assert found.answer == expected
    assert found.uncertain_from <= found.answer
    below = [t for t in found.tried if t.value < expected]
    assert below and all(t.status != "met" for t in below)
    assert found.replications_run == sum(t.reps for t in found.tried)  # each replication run once


def test_a_goal_met_at_the_bottom_of_the_range_answers_the_bottom(mmc):
    found = goal_seek(mmc, ["within_target.service >= 0.5"], FieldRange("roles.server.fte", 9, 12), reps=3,
                      max_reps=3, workers=1)
    assert found.answer == 9 and found.uncertain_from == 9


def test_an_unreachable_goal_says_so(mmc):
    found = goal_seek(mmc, ["wait_mean_days.service <= -1"], FieldRange("roles.server.fte", 5, 6), reps=2,
                      max_reps=2, workers=1)
    assert found.answer is None and "not met" in found.notes[0]


def test_several_goals_must_all_hold(mmc):
    alone = goal_seek(mmc, ["within_target.service >= 0.9"], FieldRange("roles.server.fte", 5, 10), reps=4,
                      max_reps=8, workers=1)
    both = goal_seek(mmc, ["within_target.service >= 0.9", "utilisation.server <= 0.55"],
                     FieldRange("roles.server.fte", 5, 10), reps=4, max_reps=8, workers=1)
    assert both.answer == 8 > alone.answer  # 100 a day of an hour each: 4.17 busy servers, 7.6 at 55%


def test_goals_and_ranges_are_parsed():
    assert parse_goal("within_target.full_assessment >= 0.9") == Goal("within_target.full_assessment", ">=", 0.9)
    assert parse_goal("within_target.x>=90%").target == pytest.approx(0.9)
    assert parse_goal("wait_p90_days.full_assessment <= 28").op == "<="
    assert parse_range("roles.social_worker.fte=10:60").grid()[:3] == [10, 11, 12]
    assert parse_range("stages.front_door.routes.community_hub=0.1:0.3", 0.05).grid() == [0.1, 0.15, 0.2, 0.25, 0.3]
    for bad in ["wait > 3", "within_target.x >= much", ""]:
        with pytest.raises(FlowsimError, match="must look like"):
            parse_goal(bad)
    for bad in ["roles.x.fte=10", "roles.x.fte", "roles.x.fte=a:b"]:
        with pytest.raises(FlowsimError, match="path=low:high"):
            parse_range(bad)
    with pytest.raises(FlowsimError, match="below"):
        parse_range("roles.x.fte=5:5")


def test_a_kpi_not_in_the_results_is_named(mmc):
    with pytest.raises(FlowsimError, match="no KPI named within_target.nowhere"):
        goal_seek(mmc, ["within_target.nowhere >= 0.9"], FieldRange("roles.server.fte", 5, 6), reps=2, workers=1)


def test_cli_target_prints_the_answer_and_reports_mistakes(tmp_path, mmc):
    import yaml
    path = tmp_path / "mmc.yaml"
    path.write_text(yaml.safe_dump(mmc.source.document))
    runner = CliRunner()
    result = runner.invoke(main, ["target", str(path), "--goal", "within_target.service >= 0.9",
                                  "--vary", "roles.server.fte=3:14", "--reps", "4", "--max-reps", "16",
                                  "--processes", "1", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["answer"] == erlang_smallest(0.9) and answer["replications_run"] > 0
    shown = runner.invoke(main, ["target", str(path), "--goal", "within_target.service >= 0.9",
                                 "--vary", "roles.server.fte=5:9", "--reps", "3", "--processes", "1"])
    assert shown.exit_code == 0 and "answer: roles.server.fte = 7" in shown.output
    bad = runner.invoke(main, ["target", str(path), "--goal", "within_target.service > 0.9",
                               "--vary", "roles.server.fte=3:14"])
    assert bad.exit_code == 2 and "must look like" in bad.output
    bad_field = runner.invoke(main, ["target", str(path), "--goal", "within_target.service >= 0.9",
                                     "--vary", "roles.nobody.fte=3:14", "--processes", "1"])
    assert bad_field.exit_code == 2 and "roles.nobody" in bad_field.output
