"""Input uncertainty: ranges beside values, sampled once per replication (second-order Monte Carlo)."""
import json

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from flowsim import load_scenario
from flowsim.cli import main
from flowsim.engine import run
from flowsim.errors import InputError
from flowsim.scenario.load import scenario_from_document
from flowsim.uncertainty.ranges import data_ranges, sample_inputs, uncertain_inputs, with_inputs
from flowsim.uncertainty.sampling import run_with_input_uncertainty
from tests.conftest import queue_document


def cited(value, low, high, distribution="pert"):
    return {"value": value, "source": "test", "status": "assumption", "reason": "a test range", "low": low,
            "high": high, "distribution": distribution}


def mmc_document(fte=cited(3, 3, 3), minutes=cited(60.0, 60.0, 60.0)):
    document = queue_document(3, 50, 60.0, warm_up_days=5, horizon_days=40)
    document["roles"]["server"]["fte"] = fte
    document["stages"]["service"]["work"]["mean_minutes"] = minutes
    return document


def test_collapsed_ranges_give_todays_results():
    scenario = scenario_from_document(mmc_document(), "mmc.yaml")
    assert [i.name for i in uncertain_inputs(scenario)] == ["roles.server.fte", "stages.service.work.mean_minutes"]
    found = run_with_input_uncertainty(scenario, samples=4, reps=4, workers=1)
    today = run(scenario, reps=4, seed=0, detail=False).kpi_table()
    pd_sampled = found.sampled[today.columns].reset_index(drop=True)
    assert np.array_equal(pd_sampled.to_numpy(), today.to_numpy(), equal_nan=True)  # replication j, seed j
    assert found.summary(["wait_mean_days.service"])["share_inputs"].iloc[0] == pytest.approx(0, abs=1e-9)


def test_an_uncertain_input_widens_the_interval_and_takes_its_share():
    scenario = scenario_from_document(mmc_document(minutes=cited(60.0, 40.0, 75.0, "uniform")), "mmc.yaml")
    found = run_with_input_uncertainty(scenario, samples=24, reps=6, workers=1)
    row = found.summary(["wait_mean_days.service"]).iloc[0]
    assert row.share_inputs > 0.8  # waits at 2/3 to 5/4 of the work: the input dwarfs a year's randomness
    assert row.high - row.low > 3 * (row.point_ci_high - row.point_ci_low)
    minutes = found.input_values["stages.service.work.mean_minutes"]
    assert minutes.between(40, 75).all() and minutes.min() < 42 and minutes.max() > 73  # Latin hypercube


def test_samples_follow_the_distribution():
    scenario = scenario_from_document(mmc_document(minutes=cited(60.0, 30.0, 150.0, "pert")), "mmc.yaml")
    inputs = [i for i in uncertain_inputs(scenario) if i.range.high > i.range.low]
    values = sample_inputs(inputs, 2000, seed=3)[:, 0]
    assert values.mean() == pytest.approx((30 + 4 * 60 + 150) / 6, rel=0.01)  # the beta-PERT mean
    assert np.array_equal(values, sample_inputs(inputs, 2000, seed=3)[:, 0])
    triangular = scenario_from_document(mmc_document(minutes=cited(60.0, 30.0, 150.0, "triangular")), "t.yaml")
    tri = sample_inputs(uncertain_inputs(triangular)[1:], 2000, seed=3)[:, 0]
    assert tri.mean() == pytest.approx((30 + 60 + 150) / 3, rel=0.01)


def test_a_bad_range_names_the_field():
    with pytest.raises(InputError) as error:
        scenario_from_document(mmc_document(minutes=cited(60.0, 70.0, 90.0)), "mmc.yaml")
    assert "stages.service.work.mean_minutes.low" in str(error.value) and "hold the value" in str(error.value)
    with pytest.raises(InputError, match="must be one of uniform, triangular, pert"):
        scenario_from_document(mmc_document(minutes=cited(60.0, 50.0, 90.0, "normal")), "mmc.yaml")


def test_shipped_ranges_are_sourced_and_reach_the_new_model():
    table = data_ranges()
    assert table and all(r.reason.strip() and r.low <= r.high for r in table.values())
    names = {i.name for i in uncertain_inputs(load_scenario("scenarios/barnet_new_model.yaml"))}
    assert {"shropshire.hub_invite_share", "assumptions.routes.new.hub.full_assessment"} <= names
    scenario = load_scenario("scenarios/barnet_current.yaml")
    inputs = uncertain_inputs(scenario)
    cap = next(i for i in inputs if i.name == "casework.caseload_cap.social_worker")
    assert len(cap.paths) > 1  # one figure, one draw, every place it is used
    variant = with_inputs(scenario, [cap], [23])
    assert all(variant.stages[p.split(".")[1]].case.caseload_cap == 23 for p in cap.paths)


def test_cli_run_with_input_uncertainty(tmp_path):
    path = tmp_path / "mmc.yaml"
    path.write_text(yaml.safe_dump(mmc_document(minutes=cited(60.0, 40.0, 75.0))))
    result = CliRunner().invoke(main, ["run", str(path), "--input-uncertainty", "--samples", "6", "--reps", "3",
                                       "--processes", "1", "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["inputs"][1]["name"] == "stages.service.work.mean_minutes"
    assert 0 <= answer["kpis"]["wait_mean_days.service"]["share_inputs"] <= 1
    assert (tmp_path / "out" / "input_samples.csv").exists()
    shown = CliRunner().invoke(main, ["run", str(path), "--input-uncertainty", "--samples", "4", "--reps", "2",
                                      "--processes", "1"])
    assert shown.exit_code == 0 and "Variance from inputs" in shown.output


def test_compare_with_input_uncertainty_gives_the_chance_of_a_saving():
    """One uncertain cost both sides share: B has one FTE fewer, so its saving is that FTE's cost, and the
    chance of saving at least the cost at 55,000 is the chance the cost is above 55,000 (a quarter)."""
    from flowsim.finance import savings
    from flowsim.uncertainty.sampling import compare_with_input_uncertainty

    def side(fte):
        document = queue_document(fte, 50, 60.0, warm_up_days=0, horizon_days=73)
        document["roles"]["server"]["annual_cost_per_fte"] = cited(50_000, 40_000, 60_000, "uniform")
        return scenario_from_document(document, "mmc.yaml")

    a, b = side(4), side(3)
    paired = compare_with_input_uncertainty(a, b, samples=40, workers=1)
    saved = savings(paired, a, b, target=55_000 * 73 / 365)
    staff = saved.runs("staff")
    assert staff.mean() == pytest.approx(50_000 * 73 / 365, rel=0.01)
    assert staff.max() - staff.min() > 0.8 * 20_000 * 73 / 365  # the cost's range shows in the saving
    assert (staff >= 55_000 * 73 / 365).mean() == pytest.approx(0.25, abs=0.03)  # Latin hypercube: 10 of 40


def test_cli_compare_with_input_uncertainty(tmp_path):
    paths = []
    for fte in (4, 3):
        document = queue_document(fte, 50, 60.0, warm_up_days=0, horizon_days=20)
        document["roles"]["server"]["annual_cost_per_fte"] = cited(50_000, 40_000, 60_000, "uniform")
        paths.append(tmp_path / f"side{fte}.yaml")
        paths[-1].write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(main, ["compare", *map(str, paths), "--input-uncertainty", "4", "--target", "2000",
                                       "--processes", "1", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["input_uncertainty"] is True and answer["reps"] == 4
    assert "inputs sampled" in answer["saving_a_minus_b"]["probability_note"]
    shown = CliRunner().invoke(main, ["compare", *map(str, paths), "--input-uncertainty", "3", "--processes", "1"])
    assert shown.exit_code == 0 and "include the inputs' uncertainty" in " ".join(shown.output.split())
