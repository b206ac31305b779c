"""Barnet's options appraisal, reproduced to the pound from the seed's table."""
import json

import pytest
from click.testing import CliRunner

from flowsim import FlowsimError
from flowsim.finance.appraisal import OPTIONS, appraise, barnet_inputs
from flowsim.cli import main
from flowsim.figures import lookup

METRICS = ["total_savings", "revised_budget", "mtfs_confidence", "mtfs_savings_delivered", "total_benefit", "rank"]


def published(option: str, metric: str) -> float:
    return lookup(f"barnet_adm_options.option.{option}.{metric}").value


def test_every_number_of_the_seed_table_to_the_pound():
    table = appraise(barnet_inputs()).set_index("option")
    for option in OPTIONS:
        for metric in METRICS:
            assert table.at[option, metric] == published(option, metric), (option, metric)
    assert list(table.index) == ["public_service_mutual", "reformed_in_house", "nhs_shared_service",
                                 "barnet_group_latc", "partnership_outside_public_sector"]


def test_changed_inputs_recompute_and_rerank():
    inputs = barnet_inputs().with_changes(savings={"public_service_mutual": 1_000_000},
                                          confidence={"nhs_shared_service": 0.99})
    table = appraise(inputs).set_index("option")
    assert table.at["nhs_shared_service", "mtfs_savings_delivered"] == round(0.99 * 13_107_100)
    assert table.at["public_service_mutual", "revised_budget"] == 14_603_108 - 1_000_000
    assert table.at["nhs_shared_service", "rank"] == 1


def test_bad_changes_are_user_errors():
    with pytest.raises(FlowsimError, match="unknown option"):
        barnet_inputs().with_changes(savings={"outsourcing": 1})
    with pytest.raises(FlowsimError, match="between 0 and 1"):
        barnet_inputs().with_changes(confidence={"reformed_in_house": 85})
    for cleared in ({"savings": {"reformed_in_house": float("nan")}},
                    {"confidence": {"reformed_in_house": float("nan")}}):
        with pytest.raises(FlowsimError, match="the cell is empty"):  # a cell cleared in the app
            barnet_inputs().with_changes(**cleared)


def test_simulated_demand_saving_replaces_the_assumed_mtfs_line():
    """'MTFS savings delivered' (confidence × £13.1m) is the demand saving: a simulated one takes its place."""
    saving = {"mean": 1000.0, "ci_low": 900.0, "ci_high": 1100.0, "probability": 0.0}
    table = appraise(barnet_inputs(), saving).set_index("option")
    row = table.loc["public_service_mutual"]
    assert row["total_benefit"] == 2_105_898 + 1000  # its own savings plus the simulated demand saving, once
    assert row["total_benefit"] != 14_557_643 + 1000  # not added on top of the assumed £12.45m
    assert row["total_benefit_ci_low"] == 2_105_898 + 900
    assert row["demand_saving_reaches_mtfs_target"] == 0.0
    assert set(table["demand_line"]) == {"simulated demand saving A − B"}


def test_cli_appraisal_json_and_scenario_pair():
    result = CliRunner().invoke(main, ["appraisal", "--json"])
    assert result.exit_code == 0
    options = {o["option"]: o for o in json.loads(result.output)["options"]}
    assert options["public_service_mutual"]["total_benefit"] == 14_557_643
    result = CliRunner().invoke(main, ["appraisal", "--scenario-pair", "scenarios/barnet_current.yaml",
                                       "scenarios/barnet_new_model.yaml", "--reps", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    demand = data["demand_saving_a_minus_b"]
    assert demand["mean"] > 0 and 0 <= demand["probability"] <= 1
    options = {o["option"]: o for o in data["options"]}
    assert options["reformed_in_house"]["total_benefit"] == pytest.approx(1_677_660 + demand["mean"])
    assert CliRunner().invoke(main, ["appraisal", "--confidence", "reformed_in_house=x"]).exit_code == 2
