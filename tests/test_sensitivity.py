"""Sensitivity: the tornado and the regression rank a deliberately dominant input first."""
import json

import altair as alt
import pytest
import yaml
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.errors import FlowsimError
from flowsim.scenario.load import scenario_from_document
from flowsim.ui.sensitivity import tornado_chart
from flowsim.uncertainty.sampling import run_with_input_uncertainty
from flowsim.uncertainty.sensitivity import regression_sensitivity, tornado
from tests.conftest import queue_document


def cited(value, low, high):
    return {"value": value, "source": "test", "status": "assumption", "reason": "a test range", "low": low,
            "high": high}


def document():
    """Work time over a wide range drives the wait; demand and staffing barely move."""
    doc = queue_document(3, 50, 60.0, warm_up_days=5, horizon_days=40)
    doc["demand"]["contacts_per_year"] = cited(50 * 365, 49 * 365, 51 * 365)
    doc["roles"]["server"]["fte"] = cited(3, 2.95, 3.05)
    doc["stages"]["service"]["work"]["mean_minutes"] = cited(60.0, 30.0, 75.0)
    return doc


@pytest.fixture(scope="module")
def scenario():
    return scenario_from_document(document(), "mmc.yaml")


def test_tornado_ranks_the_dominant_input_first(scenario):
    bars = tornado(scenario, "wait_mean_days.service", reps=3, workers=1)
    assert bars.input.tolist()[0] == "stages.service.work.mean_minutes"
    first = bars.iloc[0]
    assert first.kpi_at_low < first.kpi_at_value < first.kpi_at_high  # longer work, longer waits
    assert first.swing > 3 * bars.swing.iloc[1:].max()
    chart = tornado_chart(bars, "Wait, mean (days)", "days")
    assert isinstance(chart, alt.LayerChart) and chart.to_dict()["layer"][0]["mark"]["type"] == "bar"


def test_regression_ranks_the_dominant_input_first(scenario):
    found = run_with_input_uncertainty(scenario, samples=30, reps=2, workers=1)
    table, r_squared = regression_sensitivity(found, "wait_mean_days.service")
    assert table.input.iloc[0] == "stages.service.work.mean_minutes"
    assert table.src.iloc[0] > 0 and table.src_squared.iloc[0] > 0.5 and r_squared > 0.5


def test_nothing_to_vary_is_said_plainly():
    plain = scenario_from_document(queue_document(3, 50, 60.0, horizon_days=20), "plain.yaml")
    with pytest.raises(FlowsimError, match="no input carries a range"):
        tornado(plain, "wait_mean_days.service", workers=1)


def test_cli_sensitivity(tmp_path):
    path = tmp_path / "mmc.yaml"
    path.write_text(yaml.safe_dump(document()))
    result = CliRunner().invoke(main, ["sensitivity", str(path), "--kpi", "wait_mean_days.service", "--reps", "2",
                                       "--samples", "8", "--processes", "1", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["tornado"][0]["input"] == "stages.service.work.mean_minutes"
    assert set(answer["regression"]["src"]) == {"demand.contacts_per_year", "roles.server.fte",
                                                "stages.service.work.mean_minutes"}
    shown = CliRunner().invoke(main, ["sensitivity", str(path), "--kpi", "wait_mean_days.service", "--reps", "2",
                                      "--processes", "1"])
    assert shown.exit_code == 0 and "largest swing first" in shown.output
    bad = CliRunner().invoke(main, ["sensitivity", str(path), "--kpi", "nowhere", "--reps", "2", "--processes", "1"])
    assert bad.exit_code == 2 and "no KPI named nowhere" in bad.output
