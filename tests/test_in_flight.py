"""Starting a run with the cases a service in its stride has open (Little's law on a pilot run)."""
import json

import pytest
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.engine import run
from flowsim.errors import FlowsimError
from flowsim.profile import simulated_steady_state
from flowsim.profile.in_flight import in_flight
from flowsim.provenance import number_sources
from flowsim.scenario import load_scenario

CURRENT = "scenarios/barnet_current.yaml"


def home_care_ratio(scenario) -> float:
    means = run(scenario, reps=2, seed=0, processes=1, detail=False).summary().set_index("kpi")["mean"]
    return next(p.ratio for p in simulated_steady_state(scenario, means).packages if p.package == "home_care")


def test_open_cases_follow_little_s_law_on_the_pilot_and_fill_the_pipeline():
    scenario = load_scenario(CURRENT)
    result = in_flight(scenario, reps=2, seed=0, processes=1)
    pilot = run(scenario, reps=2, seed=0, processes=1, detail=False).summary().set_index("kpi")["mean"]
    opened = {s.stage: s for s in result.stages}
    assessment = opened["full_assessment"]
    arrivals = pilot["arrivals.full_assessment"] - scenario.waiting_list["full_assessment"].count
    assert assessment.arrivals_per_day == pytest.approx(arrivals / 365)
    assert assessment.mean_days_open == pytest.approx(pilot["case_open_days_mean.full_assessment"])
    assert assessment.count == round(assessment.arrivals_per_day * assessment.mean_days_open) > 100
    started = result.scenario.open_cases
    assert started["full_assessment"].count == assessment.count
    assert started["full_assessment"].mean_open_days == pytest.approx(assessment.mean_days_open / 2, abs=0.05)
    assert started["case_management"] == scenario.open_cases["case_management"]  # what it had is kept
    cited = {row.path: row for row in number_sources(result.scenario)}
    count = cited["open_cases.full_assessment.count"]
    assert count.status == "derived" and "pilot run of barnet_current, 2 replications" in count.source
    assert cited["open_cases.full_assessment.mean_open_days"].status == "assumption"
    # the run no longer starts with an empty pipeline: more of the home care the caseload needs starts
    assert home_care_ratio(result.scenario) > home_care_ratio(scenario) + 0.05


def test_stages_split_by_locality_are_left_as_they_are():
    scenario = load_scenario("scenarios/herefordshire_localities.yaml")
    result = in_flight(scenario, reps=1, processes=1)
    opened = {s.stage for s in result.stages}
    assert "full_assessment" in opened and not any("__" in name for name in opened)
    assert not any("__" in name for name in result.scenario.open_cases)


def test_a_scenario_with_a_warm_up_is_refused():
    empty = load_scenario(CURRENT, ["waiting_list={}", "open_cases={}", "caseload.packages={}",
                                    "time.warm_up_days=60"])
    with pytest.raises(FlowsimError, match="warm-up of 60 days"):
        in_flight(empty, reps=1, processes=1)


def test_cli_writes_the_scenario_and_reports_the_open_cases(tmp_path):
    out = tmp_path / "in_flight.yaml"
    result = CliRunner().invoke(main, ["in-flight", CURRENT, "--reps", "1", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {s["stage"] for s in data["open_cases"]} >= {"full_assessment", "support_planning", "review"}
    written = load_scenario(out)
    assert written.open_cases["full_assessment"].count == next(
        s["count"] for s in data["open_cases"] if s["stage"] == "full_assessment")
    refused = CliRunner().invoke(main, ["in-flight", CURRENT, "--reps", "1", "--out", str(tmp_path / "x.yaml"),
                                        "--set", "time.warm_up_days=30"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output and not (tmp_path / "x.yaml").exists()
