"""The command line, run as a user would: exit codes, messages, JSON shape."""
import json
import subprocess
import sys

from click.testing import CliRunner

from flowsim.cli import main

NEW = "scenarios/barnet_new_model.yaml"


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_validate_shipped_scenarios(shipped_path):
    result = run("validate", str(shipped_path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ok {shipped_path}:")


def test_validate_reports_every_bad_file_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad Name\ncouncil: X\n")
    result = run("validate", NEW, str(bad))
    assert result.exit_code == 2
    assert f"ok {NEW}" in result.output
    assert f"{bad}: name: must be lower-case letters, digits and _ starting with a letter; got 'Bad Name'" in result.output
    assert f"{bad}: operating_model: is required but missing" in result.output
    assert "Traceback" not in result.output


def test_flows_json_has_the_documented_keys():
    result = run("flows", NEW, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) >= {"stages", "outcomes", "roles", "warnings"}
    assert set(data["roles"]["social_worker"]) == {"hours_demanded", "hours_available", "utilisation"}
    assert data["stages"]["community_hub"] > 0


def test_flows_with_override_and_warning():
    result = run("flows", NEW, "--set", "roles.hospital_social_worker.fte=5")
    assert result.exit_code == 0
    assert "warning" in result.output and "Hospital social worker" in result.output


def test_flows_bad_override_exits_2():
    result = run("flows", NEW, "--set", "roles.social_worker.fte=-3")
    assert result.exit_code == 2
    assert "roles.social_worker.fte" in result.output


def test_sources_lists_every_number_with_its_origin():
    result = run("sources", NEW, "--json")
    assert result.exit_code == 0
    rows = {r["path"]: r for r in json.loads(result.output)}
    hub = rows["stages.front_door.routes.community_hub"]
    assert hub["status"] == "published" and hub["source"].startswith(
        'London Borough of Barnet, "Outline business case: Adult social care alternative delivery model" (2016), '
        "section 2")
    assert rows["stages.front_door.routes.information_advice"]["status"] == "rest"


def test_module_entry_point_runs_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("{not: [yaml")
    done = subprocess.run([sys.executable, "-m", "flowsim", "flows", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "is not valid YAML" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_json_has_the_documented_shape():
    result = run("run", NEW, "--reps", "3", "--days", "60", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scenario"] == "barnet_new_model" and data["reps"] == 3
    for name in ("contacts", "arrivals.community_hub", "wait_mean_days.full_assessment", "utilisation.social_worker",
                 "hours_delivered.social_worker", "new_packages.home_care", "package_cost.horizon",
                 "staff_cost.horizon"):
        assert set(data["kpis"][name]) == {"mean", "ci_low", "ci_high"}, name
    assert data["kpis"]["contacts"]["ci_low"] <= data["kpis"]["contacts"]["mean"]


def test_run_writes_every_output_atomically(tmp_path):
    out = tmp_path / "results"
    result = run("run", NEW, "--reps", "2", "--days", "30", "--out", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["events.parquet", "kpis.csv", "manifest.json", "packages.parquet", "summary.csv",
                     "timeseries.parquet"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 0 and manifest["reps"] == 2 and len(manifest["scenario_sha256"]) == 64
    import pandas as pd
    assert set(pd.read_parquet(out / "events.parquet")["run"]) == {0, 1}


def test_run_table_is_readable():
    result = run("run", NEW, "--reps", "2", "--days", "30")
    assert result.exit_code == 0
    for text in ("Stages", "Practitioners", "New packages of care", "Money", "Full needs assessment"):
        assert text in result.output


def test_run_bad_options_exit_2(tmp_path):
    assert run("run", NEW, "--reps", "0").exit_code == 2
    assert run("run", NEW, "--set", "roles.social_worker.fte=0").exit_code == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("run", NEW, "--reps", "1", "--days", "5", "--out", str(blocker))
    assert result.exit_code == 2


def test_compare_prints_the_paired_difference():
    result = run("compare", "scenarios/barnet_current.yaml", NEW, "--reps", "3", "--days", "60", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    contacts = data["kpis"]["contacts"]
    assert contacts["b_minus_a_mean"] == 0
    assert set(contacts) >= {"a_mean", "b_mean", "b_minus_a_mean", "b_minus_a_ci_low", "b_minus_a_ci_high"}
    shown = run("compare", "scenarios/barnet_current.yaml", NEW, "--reps", "2", "--days", "30")
    assert "B − A ±95% CI" in shown.output


def test_an_output_folder_that_does_not_exist_is_a_clear_error():
    result = run("calibrate", "examples/barnet_counts.csv", "--out", "/nonexistent/folder/x.yaml")
    assert result.exit_code == 2
    assert "/nonexistent/folder/x.yaml: cannot be written (No such file or directory)" in result.output


def case_stage_file(tmp_path, days: int) -> str:
    """barnet_current with the social workers holding caseloads, written as a scenario file."""
    import yaml

    from flowsim import scenario_document
    from tests.conftest import barnet_with_case_stages

    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump(scenario_document(barnet_with_case_stages(days=days)), sort_keys=False))
    return str(path)


def test_run_and_compare_show_waiting_and_caseloads(tmp_path):
    cases = case_stage_file(tmp_path, 45)
    shown = run("run", cases, "--reps", "2")
    assert shown.exit_code == 0, shown.output
    for text in ("Waiting and caseloads", "Request to completion, median", "People waiting at the end, by time waited",
                 "Waiting over 6 months", "Open cases per practitioner", "Social worker"):
        assert text in shown.output
    data = json.loads(run("run", cases, "--reps", "2", "--json").output)["kpis"]
    assert {"request_to_completion_median_days.full_assessment", "request_to_completion_p90_days.full_assessment",
            "waiting_over_6_months.full_assessment.end", "open_cases_mean.social_worker"} <= set(data)
    compared = run("compare", "scenarios/barnet_current.yaml", cases, "--reps", "2", "--days", "45")
    assert compared.exit_code == 0, compared.output
    headlines, rest = compared.output.split("Headlines", 1)[1].split("Stages", 1)
    assert "Full needs assessment (Care Act)" in headlines and "Request to completion, median (days)" in headlines
    group = rest.split("Waiting and caseloads", 1)[1].split("New packages of care", 1)[0]
    assert "Open cases per practitioner, average" in group and "Social worker" in group


def test_run_writes_csv_for_spreadsheets_and_a_manifest_with_versions_and_command(tmp_path):
    out = tmp_path / "run"
    result = run("run", NEW, "--reps", "1", "--days", "5", "--out", str(out), "--format", "both")
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"events.csv", "events.parquet", "timeseries.csv", "packages.csv", "manifest.json"} <= names
    import pandas as pd
    assert len(pd.read_csv(out / "events.csv")) == len(pd.read_parquet(out / "events.parquet"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == f"flowsim run {NEW} --reps 1 --days 5 --out {out} --format both"
    assert set(manifest["packages"]) >= {"simpy", "numpy", "pandas"}
    only_csv = tmp_path / "csv"
    assert run("run", NEW, "--reps", "1", "--days", "5", "--out", str(only_csv), "--format", "csv").exit_code == 0
    assert not any(p.suffix == ".parquet" for p in only_csv.iterdir())
