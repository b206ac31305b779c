"""Regression tests for inputs that once crashed, hung or misled flowsim: each ends in a message
(exit 2), a clean stop (exit 130) or a correct result, quickly, with no traceback."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

import flowsim.output
from flowsim.analytic import expected_flows
from flowsim.cli import main
from flowsim.cli.common import strict_json
from flowsim.errors import FlowsimError
from flowsim.scenario import load_scenario
from flowsim.workload import RunTooLarge, estimate_work, refuse_if_large
from bench.fuzz import time_limit

ROOT = Path(__file__).resolve().parents[1]
NEW_MODEL = str(ROOT / "scenarios" / "barnet_new_model.yaml")
SHORT_RUN = ["--days", "7", "--reps", "1", "--processes", "1"]
QUICK = 60  # seconds: a refusal must come at once, even on a loaded machine


def invoke(*args: str):
    with time_limit(QUICK):
        result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def refused(*args: str, says: str):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr, result.stderr
    return result


def strict(text: str) -> dict:
    def refuse(constant):
        raise AssertionError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def test_a_mapping_where_a_role_name_belongs_names_the_field():
    refused("flows", str(ROOT / "scenarios" / "bnes_inhouse.yaml"), "--set", "team_table.roles.First Response={a: 1}",
            says="team_table.roles.First Response: must be a role name; got a mapping")


@pytest.mark.parametrize("field", ["roles.social_worker.fte", "demand.contacts_per_year",
                                   "caseload.packages.home_care"])
def test_infinite_values_are_refused(field):
    refused("run", NEW_MODEL, *SHORT_RUN, "--set", f"{field}=.inf", says=f"{field}: must be a finite number")
    refused("flows", NEW_MODEL, "--set", f"{field}=nan", says=f"{field}: must be a finite number")


@pytest.mark.parametrize("date", ["9999-06-01", "0001-01-01"])
@pytest.mark.parametrize("command", [["validate"], ["flows"], ["run", *SHORT_RUN]])
def test_start_dates_at_the_ends_of_the_calendar_are_refused(tmp_path, date, command):
    document = yaml.safe_load(Path(NEW_MODEL).read_text())
    document["time"]["start_date"] = date
    path = tmp_path / "dated.yaml"
    path.write_text(yaml.safe_dump(document))
    refused(command[0], str(path), *command[1:], says="time.start_date")


@pytest.mark.parametrize("field, value", [("roles.social_worker.fte", "1e9"), ("demand.contacts_per_year", "1e9"),
                                          ("waiting_list.full_assessment.count", "100000000"),
                                          ("stages.full_assessment.case.caseload_cap", "1e9")])
def test_huge_values_are_refused_before_any_work(field, value):
    refused("run", NEW_MODEL, *SHORT_RUN, "--set", f"{field}={value}", says=f"{field}: is ")


def test_seven_thousand_stages_are_refused(tmp_path):
    document = yaml.safe_load(Path(NEW_MODEL).read_text())
    for i in range(7000):
        document["stages"][f"extra_{i}"] = {"routes": {"no_further_support": 1.0}}
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(document))
    refused("flows", str(path), says="stages: has 7,013 stages; at most 300")


def test_a_tiny_review_interval_is_refused_at_once():
    refused("flows", NEW_MODEL, "--set", "outcomes.home_care.review_every_weeks=1e-9",
            says="outcomes.home_care.review_every_weeks: is 1e-09; at least 1")


def test_a_tiny_triage_escalation_is_refused():
    refused("run", NEW_MODEL, *SHORT_RUN, "--set", "stages.full_assessment.triage.escalate_after_days=1e-300",
            says="stages.full_assessment.triage.escalate_after_days: is 1e-300; at least 1")


def test_the_expected_reviews_never_loop_without_bound():
    scenario = load_scenario(NEW_MODEL)
    outcomes = dict(scenario.outcomes)
    outcomes["home_care"] = outcomes["home_care"].model_copy(update={"review_every_weeks": 1e-9})
    unchecked = scenario.model_copy(update={"outcomes": outcomes})  # past the loader's limits
    with time_limit(QUICK), pytest.raises(FlowsimError, match="reviews per package"):
        expected_flows(unchecked)


def test_json_output_turns_nan_and_infinity_into_null():
    missing = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": {"d": np.float64("nan")}, 2: np.int64(3)}
    assert json.loads(json.dumps(strict_json(missing), allow_nan=False)) == {
        "a": None, "b": [None, None, 1.5], "c": {"d": None}, "2": 3}
    refused("flows", NEW_MODEL, "--json", "--set", "roles.social_worker.fte=.inf", says="must be a finite number")


def test_run_json_is_strict_with_missing_values():
    result = invoke("run", NEW_MODEL, *SHORT_RUN, "--json")
    kpis = strict(result.stdout)["kpis"]
    assert any(value["mean"] is None for value in kpis.values())  # waits at stages nobody reached in 7 days


def test_markup_in_user_text_is_printed_as_written(tmp_path):
    label = "[/x] [bold]hub"
    result = invoke("flows", NEW_MODEL, "--set", f"stages.community_hub.label='{label}'")
    assert result.exit_code == 0 and label in result.stdout
    draft = tmp_path / "barnet [draft].yaml"
    draft.write_text(Path(NEW_MODEL).read_text())
    assert f"ok {draft}" in invoke("validate", str(draft)).stdout
    refused("validate", str(tmp_path / "[/x].yaml"), says="[/x].yaml: file not found")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    refused("validate", str(fifo), says="is not an ordinary file")
    refused("calibrate", str(fifo), "--out", str(tmp_path / "out.yaml"), says="is not an ordinary file")


def test_dev_zero_is_refused():
    refused("validate", "/dev/zero", says="is not an ordinary file")


def test_an_over_long_file_name_is_a_message(tmp_path):
    refused("validate", str(tmp_path / ("a" * 300 + ".yaml")), says="the file name is too long")
    refused("flows", str(ROOT / "scenarios" / "bnes_inhouse.yaml"), "--set", f"team_table.file={'a' * 300}.csv",
            says="team_table.file: the file name is too long")


def test_duplicate_keys_are_an_error_naming_the_line(tmp_path):
    text = Path(NEW_MODEL).read_text().replace("  annual_growth:", "  annual_growth: 0.0\n  annual_growth:", 1)
    path = tmp_path / "twice.yaml"
    path.write_text(text)
    refused("validate", str(path), says="key 'annual_growth' is given twice")


def test_a_killed_run_in_a_reused_folder_leaves_no_manifest(tmp_path, monkeypatch):
    out = tmp_path / "results"
    assert invoke("run", NEW_MODEL, *SHORT_RUN, "--seed", "1", "--out", str(out)).exit_code == 0
    assert (out / "manifest.json").exists()
    written = []

    def killed_after_one_file(frame, path):  # the process dies between two files
        if written:
            raise KeyboardInterrupt
        written.append(path)
        original(frame, path)

    original = flowsim.output.write_frame
    monkeypatch.setattr(flowsim.output, "write_frame", killed_after_one_file)
    result = invoke("run", NEW_MODEL, *SHORT_RUN, "--seed", "2", "--out", str(out))
    assert result.exit_code == 130 and result.stderr.strip() == "stopped (Ctrl-C)"
    assert not (out / "manifest.json").exists()  # nothing vouches for a mix of two runs
    monkeypatch.undo()
    assert invoke("run", NEW_MODEL, *SHORT_RUN, "--seed", "2", "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2 and not list(out.glob(".*.part")) and not (out / ".flowsim-writing").exists()


def test_results_flowsim_did_not_write_are_kept_unless_forced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.csv").write_text("my own numbers\n")
    (out / ".notes.part").write_text("my own part file\n")
    refused("run", NEW_MODEL, *SHORT_RUN, "--out", str(out), says="that flowsim did not write")
    assert (out / "summary.csv").read_text() == "my own numbers\n"
    assert invoke("run", NEW_MODEL, *SHORT_RUN, "--out", str(out), "--force").exit_code == 0
    assert (out / "manifest.json").exists() and (out / ".notes.part").exists()


def test_calibrate_never_replaces_its_input_and_asks_before_replacing_a_file(tmp_path):
    counts = tmp_path / "counts.csv"
    counts.write_text((ROOT / "examples" / "barnet_counts.csv").read_text())
    refused("calibrate", str(counts), "--out", str(counts), says="is the counts file itself")
    refused("calibrate", str(counts), "--out", str(counts), "--force", says="is the counts file itself")
    existing = tmp_path / "existing.yaml"
    existing.write_text("kept\n")
    refused("calibrate", str(counts), "--out", str(existing), says="already exists")
    assert existing.read_text() == "kept\n"


def test_sweep_resume_recomputes_a_damaged_point_and_keeps_a_users_part_file(tmp_path):
    out = tmp_path / "sweep"
    args = ["sweep", NEW_MODEL, "--vary", "time.horizon_days=7,8", "--reps", "1", "--workers", "1", "--out", str(out)]
    assert invoke(*args).exit_code == 0
    point = sorted((out / "points").iterdir())[0]
    (point / "summary.parquet").write_bytes(b"not parquet")
    (out / "mine.part").write_text("keep me\n")
    (out / ".mine.part").write_text("keep me too\n")
    assert invoke(*args, "--resume").exit_code == 0
    assert (out / "mine.part").exists() and (out / ".mine.part").exists()
    assert (point / "summary.parquet").read_bytes() != b"not parquet"


def test_a_sweep_never_overwrites_a_users_points_file(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "points.csv").write_text("my own table\n")
    refused("sweep", NEW_MODEL, "--vary", "time.horizon_days=7,8", "--reps", "1", "--out", str(out),
            says="holds points.csv that flowsim did not write")
    assert (out / "points.csv").read_text() == "my own table\n"


def test_a_bad_vary_value_is_a_message(tmp_path):
    for spec in ["demand.annual_growth=[", "demand.annual_growth=0:inf:3", "demand.annual_growth=0:1:100000000"]:
        refused("sweep", NEW_MODEL, "--vary", spec, "--out", str(tmp_path / "s"), says="--vary")


def test_ctrl_c_during_a_run_stops_with_one_line(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr("flowsim.cli.runs.run_scenario", interrupted)
    result = invoke("run", NEW_MODEL, *SHORT_RUN)
    assert result.exit_code == 130 and result.stderr.strip() == "stopped (Ctrl-C)"


def test_the_work_of_a_run_is_known_before_it_starts():
    scenario = load_scenario(NEW_MODEL)
    one, many = estimate_work(scenario, 1), estimate_work(scenario, 3000)
    assert 15_000 < one.visits < 40_000  # about 23,000 people-stage visits in Barnet's year
    assert many.visits == pytest.approx(3000 * one.visits) and many.too_large and not one.too_large
    with pytest.raises(RunTooLarge, match="--allow-large"):
        refuse_if_large(many)
    refuse_if_large(many, allow_large=True)


def test_a_large_run_is_refused_unless_allowed():
    refused("run", NEW_MODEL, "--reps", "3000", says="add --allow-large to run it anyway")
    refused("run", NEW_MODEL, "--set", "demand.contacts_per_year=2000000", "--set",
            "time.horizon_days=3650", says="stage visits")
