"""Sweeps: equal to individual runs, resumable after a kill, the same on Dask, and checked first."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import flowsim
from flowsim import FlowsimError, InputError
from flowsim.cli import main
from flowsim.sweep import batch_size, parse_vary, sweep

ROOT = Path(__file__).resolve().parents[1]
NEW = str(ROOT / "scenarios/barnet_new_model.yaml")
GRID = {"stages.front_door.routes.community_hub": [0.1, 0.3], "roles.social_worker.fte": [15, 19]}


@pytest.fixture(scope="module")
def short():
    return flowsim.load_scenario(NEW, ["time.horizon_days=40"])


def test_parse_vary():
    assert parse_vary("demand.annual_growth=0,0.02,0.04") == ("demand.annual_growth", [0, 0.02, 0.04])
    assert parse_vary("roles.social_worker.fte=10:20:3") == ("roles.social_worker.fte", [10.0, 15.0, 20.0])
    for bad in ("demand.annual_growth", "x=1:2", "x=1:2:1", "x=a:b:3", "x=1,1"):
        with pytest.raises(FlowsimError):
            parse_vary(bad)


def test_batches_keep_overheads_small():
    assert batch_size(total_reps=27 * 30, reps=30, workers=2) == 30  # one task per point
    assert batch_size(total_reps=30, reps=30, workers=2) == 4  # one point: split across workers


def test_sweep_points_equal_individual_runs(short):
    table = sweep(short, GRID, reps=3, seed=5, workers=2)
    assert table["point"].nunique() == 4
    point = table[(table["stages.front_door.routes.community_hub"] == 0.3) & (table["roles.social_worker.fte"] == 15)]
    alone = flowsim.run(flowsim.vary(short, {"stages.front_door.routes.community_hub": 0.3,
                                             "roles.social_worker.fte": 15}), reps=3, seed=5, detail=False)
    expected = alone.summary().set_index("kpi")
    got = point.set_index("kpi")
    for kpi in ("contacts", "arrivals.community_hub", "new_packages.total", "wait_mean_days.full_assessment"):
        assert got.at[kpi, "mean"] == pytest.approx(expected.at[kpi, "mean"], nan_ok=True)
        assert got.at[kpi, "ci_low"] == pytest.approx(expected.at[kpi, "ci_low"], nan_ok=True)


def test_every_point_is_checked_before_anything_runs(short, tmp_path):
    with pytest.raises(InputError) as caught:
        sweep(short, {"roles.social_worker.fte": [10, -1], "stages.front_door.routes.nowhere": [0.1]},
              reps=2, out=tmp_path / "never")
    text = str(caught.value)
    assert "roles.social_worker.fte" in text and "stages.front_door.routes.nowhere" in text
    assert not (tmp_path / "never").exists()


def test_cli_bad_vary_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "sweep"
    for args in (["--vary", "roles.social_worker.fte"], ["--vary", "roles.social_worker.fte=-5,10"],
                 ["--vary", "roles.nobody.fte=1,2"]):
        result = CliRunner().invoke(main, ["sweep", NEW, *args, "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
    assert not out.exists()


def test_a_folder_with_another_sweep_is_refused(short, tmp_path):
    sweep(short, {"roles.social_worker.fte": [15]}, reps=2, out=tmp_path)
    with pytest.raises(FlowsimError, match="already holds a sweep"):
        sweep(short, {"roles.social_worker.fte": [15]}, reps=2, out=tmp_path)
    with pytest.raises(FlowsimError, match="holds a different sweep"):
        sweep(short, {"roles.social_worker.fte": [16]}, reps=2, out=tmp_path, resume=True)



def test_force_replaces_an_earlier_sweep_and_only_flowsim_s_files(short, tmp_path):
    sweep(short, {"roles.social_worker.fte": [15, 16]}, reps=2, out=tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "points" / "mine.txt").write_text("mine too")
    table = sweep(short, {"roles.social_worker.fte": [17]}, reps=2, out=tmp_path, force=True)
    assert set(table["roles.social_worker.fte"]) == {17}
    assert len(list(tmp_path.glob("points/*/manifest.json"))) == 1  # the earlier points are gone
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "points" / "mine.txt").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "points.csv").write_text("a user's own table")
    with pytest.raises(FlowsimError, match="did not write .* add --force"):
        sweep(short, {"roles.social_worker.fte": [17]}, reps=2, out=other)
    sweep(short, {"roles.social_worker.fte": [17]}, reps=2, out=other, force=True)
    assert (other / "points.csv").read_text() != "a user's own table"
    result = CliRunner().invoke(main, ["sweep", NEW, "--vary", "roles.social_worker.fte=15", "--out", str(other),
                                       "--resume", "--force"])
    assert result.exit_code == 2 and "choose one" in result.output

def test_killed_sweep_resumes_to_identical_results(tmp_path):
    out = tmp_path / "sweep"
    command = [
        sys.executable, "-m", "flowsim", "sweep", NEW, "--vary", "roles.social_worker.fte=14,16,18,20,22,24",
        "--vary", "time.horizon_days=240", "--reps", "3", "--workers", "1", "--out", str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(list(out.glob("points/*/manifest.json"))) < 2:
        assert process.poll() is None, "the sweep finished before it could be stopped"
        assert time.time() < deadline
        time.sleep(0.05)
    process.kill()
    process.wait()
    saved = len(list(out.glob("points/*/manifest.json")))
    assert 2 <= saved < 6
    assert not (out / "points.parquet").exists()
    for done in out.glob("points/*/*.parquet"):  # every result file under its real name is whole
        pd.read_parquet(done)
    resumed = CliRunner().invoke(main, ["sweep", NEW, "--vary", "roles.social_worker.fte=14,16,18,20,22,24",
                                        "--vary", "time.horizon_days=240", "--reps", "3", "--workers", "1",
                                        "--out", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert not list(out.rglob("*.part"))  # temporary files of the killed run are cleared
    whole = sweep(flowsim.load_scenario(NEW), {"roles.social_worker.fte": [14, 16, 18, 20, 22, 24],
                                               "time.horizon_days": [240]}, reps=3, workers=2)
    combined = pd.read_parquet(out / "points.parquet")
    pd.testing.assert_frame_equal(combined.reset_index(drop=True), whole.reset_index(drop=True),
                                  check_dtype=False)
    assert json.loads((out / "sweep.json").read_text())["reps"] == 3


def test_dask_local_cluster_equals_process_pool_equals_serial(short):
    pytest.importorskip("distributed")
    grid = {"roles.social_worker.fte": [15, 19]}
    serial = sweep(short, grid, reps=3, seed=2, workers=1)
    pool = sweep(short, grid, reps=3, seed=2, workers=2)
    dask = sweep(short, grid, reps=3, seed=2, workers=2, dask="local")
    pd.testing.assert_frame_equal(serial, pool)
    pd.testing.assert_frame_equal(serial, dask)


def test_example_script_runs():
    done = subprocess.run([sys.executable, str(ROOT / "examples/whatif_hub_share.py"), "--reps", "2", "--days", "20"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "new_packages.total" in done.stdout and "0.3" in done.stdout


def test_cli_table_names_points_by_number_and_values_with_intervals(tmp_path):
    from flowsim.cli.common import console

    width, console.width = console.width, 100
    try:
        result = CliRunner().invoke(main, ["sweep", NEW, "--vary", "stages.front_door.routes.community_hub=0.1,0.3",
                                           "--vary", "price_year=2016,2017", "--reps", "2", "--days", "20",
                                           "--workers", "1", "--out", str(tmp_path / "s")])
    finally:
        console.width = width
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "community_hub" in result.output and "stages." in result.output  # the full name, wrapped after dots
    rows = [line for line in lines if "│" in line]
    assert [row.split("│")[0].strip() for row in rows] == ["1", "2", "3", "4"]
    assert "2017" in rows[1] and "2,017" not in result.output
    assert "±" in result.output  # intervals shown
    assert "…" not in result.output
    again = CliRunner().invoke(main, ["sweep", NEW, "--vary", "roles.social_worker.fte=20", "--reps", "2",
                                      "--out", str(tmp_path / "s")])
    assert again.exit_code == 2
    assert "points ×" not in again.output  # nothing announced before the refusal
