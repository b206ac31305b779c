"""flowsim beside the published figures: the comparison table and the ``baseline`` command."""
import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from flowsim import load_scenario, run
from flowsim.cli import main
from flowsim.published import published_comparison


@pytest.fixture(scope="module")
def barnet():
    scenario = load_scenario("scenarios/barnet_current.yaml", {"time.horizon_days": 120})
    return scenario, run(scenario, reps=3, seed=2, processes=1, detail=False)


def test_each_row_sets_a_simulated_measure_beside_its_published_figure(barnet):
    scenario, results = barnet
    table = published_comparison(results, scenario).set_index("what")
    caseload = table.loc["Open cases per social worker"]
    assert caseload["published_low"] == caseload["published_high"] == 18.4  # Coventry's audit
    assert caseload["flowsim_mean"] == pytest.approx(results.kpi_table()["open_cases_mean.social_worker"].mean())
    reablement = table.loc["New reablement clients a year"]
    assert (reablement["published_low"], reablement["published_high"]) == (760, 900)
    kpis = results.kpi_table()
    new_clients = kpis["arrivals.enablement"] - kpis["existing_client_arrivals.enablement"]  # SALT STS002a
    assert (kpis["existing_client_arrivals.enablement"] > 0).any()
    assert reablement["flowsim_mean"] == pytest.approx(new_clients.mean() * 365 / 120)
    assert "Barnet JSNA" in reablement["source"] and "hospital discharges" in reablement["difference"]


def test_rows_without_the_kpi_are_left_out(barnet):
    scenario, results = barnet
    without = replace(results, kpis=results.kpis[results.kpis["kpi"] != "open_cases_mean.occupational_therapist"])
    assert "Open cases per occupational therapist" in set(published_comparison(results, scenario)["what"])
    assert "Open cases per occupational therapist" not in set(published_comparison(without, scenario)["what"])


def test_baseline_command_prints_strict_json():
    result = CliRunner().invoke(main, ["baseline", "scenarios/barnet_new_model.yaml", "--reps", "2", "--days", "60",
                                       "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["scenario"] == "barnet_new_model"
    assert {"what", "flowsim_mean", "published_low", "source", "difference"} <= set(document["comparisons"][0])


def test_baseline_command_refuses_a_missing_file_with_exit_2():
    result = CliRunner().invoke(main, ["baseline", "nowhere.yaml"])
    assert result.exit_code == 2 and "file not found" in result.output


def test_a_council_s_own_figures_are_compared_only_with_its_scenarios():
    scenario = load_scenario("scenarios/bnes_inhouse.yaml", {"time.horizon_days": 60})
    table = published_comparison(run(scenario, reps=2, seed=1, processes=1, detail=False), scenario)
    assert "Open cases per social worker" in set(table["what"])  # a national reference applies to every council
    assert not {"New reablement clients a year", "Package spend a year (£)"} & set(table["what"])  # Barnet's own
