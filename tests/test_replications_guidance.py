"""Replications guidance: the sequential confidence-interval method and its command."""
import json

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.engine.replications import mean_ci
from flowsim.errors import FlowsimError
from flowsim.scenario.load import scenario_from_document
from flowsim.uncertainty.replications import relative_half_widths, replications_for, replications_needed
from tests.conftest import queue_document


def test_relative_half_widths_agree_with_the_summary_interval():
    values = np.random.default_rng(1).normal(100, 10, 30)
    deviation = relative_half_widths(values)
    for n in (2, 5, 30):
        ci = mean_ci(values[:n])
        assert deviation[n - 1] == pytest.approx((ci["ci_high"] - ci["mean"]) / ci["mean"])
    assert np.isnan(deviation[0])
    assert relative_half_widths(np.full(6, 4.0))[1:].tolist() == [0.0] * 5  # a constant is exact at once


def test_the_answer_must_hold_for_the_look_ahead():
    # below 0.05 at n = 4 only by luck, then above, then below from n = 8 on
    deviation = np.array([np.nan, 0.2, 0.1, 0.04, 0.06, 0.07, 0.06, 0.05, 0.04, 0.04, 0.03, 0.03, 0.03, 0.03])
    assert replications_for(deviation, 0.05, initial=3, look_ahead=5) == 8
    assert replications_for(deviation[:10], 0.05, initial=3, look_ahead=5) is None  # not enough look-ahead yet
    assert replications_for(deviation, 0.05, initial=3, look_ahead=0) == 4


@pytest.fixture(scope="module")
def mmc():
    return scenario_from_document(queue_document(3, 50, 60.0, warm_up_days=5, horizon_days=40), "mmc.yaml")


def test_a_tighter_precision_needs_more_replications(mmc):
    loose = replications_needed(mmc, ["wait_mean_days.service"], 0.2, max_reps=60, workers=1)
    tight = replications_needed(mmc, ["wait_mean_days.service"], 0.1, max_reps=60, workers=1)
    assert loose.needed["wait_mean_days.service"] is not None
    assert tight.needed["wait_mean_days.service"] > loose.needed["wait_mean_days.service"]
    # the answer is the method's own rule applied to the replications as run
    trace = tight.trace[tight.trace.kpi == "wait_mean_days.service"]
    n = tight.needed["wait_mean_days.service"]
    assert (trace.relative_half_width.iloc[n - 1:n + 5] <= 0.1).all()
    assert tight.recommended == n


def test_unreached_precision_and_unknown_kpis_are_reported(mmc):
    advice = replications_needed(mmc, ["wait_mean_days.service"], 0.001, max_reps=10, workers=1)
    assert advice.needed["wait_mean_days.service"] is None and advice.recommended is None
    with pytest.raises(FlowsimError, match="no KPI named nowhere"):
        replications_needed(mmc, ["nowhere"], 0.1, max_reps=10, workers=1)
    with pytest.raises(FlowsimError, match="precision"):
        replications_needed(mmc, ["contacts"], 5, workers=1)


def test_cli_replications(tmp_path, mmc):
    path = tmp_path / "mmc.yaml"
    path.write_text(yaml.safe_dump(mmc.source.document))
    result = CliRunner().invoke(main, ["replications", str(path), "--kpi", "wait_mean_days.service", "--kpi",
                                       "contacts", "--precision", "0.2", "--max-reps", "60", "--processes", "1",
                                       "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["recommended"] == max(answer["needed"].values())
    shown = CliRunner().invoke(main, ["replications", str(path), "--kpi", "contacts", "--precision", "0.2",
                                      "--processes", "1"])
    assert shown.exit_code == 0 and "recommended: --reps 3" in shown.output
