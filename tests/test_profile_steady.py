"""The steady-state check: a draining baseline is flagged with its rate and reason, a balanced one passes."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from flowsim.analytic import expected_flows
from flowsim.cli import main
from flowsim.engine import run
from flowsim.profile import simulated_steady_state, steady_state
from flowsim.scenario import load_scenario, scenario_document, vary
from flowsim.units import DAYS_PER_WEEK, DAYS_PER_YEAR

BARNET = "scenarios/barnet_current_2017_2020.yaml"
# Barnet's baseline with the durations assumed before they were fitted to hold its caseload: it drains
ASSUMED_DURATIONS = [f"outcomes.{name}.mean_duration_weeks={weeks}" for name, weeks in (
    ("home_care", 78), ("residential_care", 104), ("nursing_care", 52), ("direct_payment", 156),
    ("supported_living", 260), ("day_care", 104), ("telecare", 104))]


def draining():
    return load_scenario(BARNET, ASSUMED_DURATIONS)


def balanced(scenario):
    """The scenario with each starting caseload set to what its flow holds (starts × duration), to a fixed point
    (reviews of the caseload start packages too, so the caseload moves the flow)."""
    for _ in range(30):
        flows = expected_flows(scenario)
        changes = {f"caseload.packages.{name}": flows.outcomes[name] * o.mean_duration_weeks * DAYS_PER_WEEK / DAYS_PER_YEAR
                   for name, o in scenario.package_outcomes().items()}
        scenario = vary(scenario, changes)
    return scenario


def test_a_draining_baseline_is_flagged_with_the_rate_and_the_reason():
    state = steady_state(draining())
    assert not state.balanced
    home = next(p for p in state.packages if p.package == "home_care")
    # 1,500 packages lasting 78 weeks on average need 1,500 / 1.5 = 1,000 starts a year
    assert home.starts_needed == pytest.approx(1500 / (78 * 7 / 365))
    assert home.status == "drains" and home.ratio < 0.6
    assert home.expected_at_end < home.active
    text = "\n".join(state.warnings())
    assert "Home care: 1,003 starts a year needed to hold 1,500 packages" in text
    assert "the flow starts 454" in text
    assert state.weekly_spend_end < 0.7 * state.weekly_spend_start


def test_a_balanced_baseline_passes():
    scenario = balanced(draining())
    state = steady_state(scenario)
    assert state.balanced, state.warnings()
    assert state.warnings() == []
    assert state.weekly_spend_end == pytest.approx(state.weekly_spend_start, rel=0.02)


def test_a_ballooning_type_is_flagged():
    scenario = vary(balanced(draining()), {"caseload.packages.residential_care": 50})
    [flagged] = steady_state(scenario).flagged
    assert flagged.package == "residential_care" and flagged.status == "balloons"


def test_no_starting_caseload_has_nothing_to_hold():
    scenario = load_scenario(BARNET, ["caseload.packages={}"])
    assert steady_state(scenario).packages == [] and steady_state(scenario).balanced


def test_the_expected_end_matches_the_simulation_s_order():
    # the analytic caseload at the end against the run of the same scenario (KPI active_packages_at_end.total,
    # 3,399 over two replications, seed 0): within 5%
    state = steady_state(draining())
    assert sum(p.expected_at_end for p in state.packages) == pytest.approx(3399, rel=0.05)


def test_cli_steady_validate_and_flows_show_the_drift(tmp_path):
    runner = CliRunner()
    assumed = [item for setting in ASSUMED_DURATIONS for item in ("--set", setting)]
    result = runner.invoke(main, ["steady", BARNET, *assumed])
    assert result.exit_code == 0 and "drains" in result.output and "Home care" in result.output
    file = tmp_path / "draining.yaml"
    file.write_text(yaml.safe_dump(scenario_document(draining()), sort_keys=False))
    result = runner.invoke(main, ["validate", str(file)])
    assert result.exit_code == 0 and "caseload out of balance: home care drains" in result.output
    result = runner.invoke(main, ["flows", BARNET, "--json", *assumed])
    steady = json.loads(result.output)["steady_state"]
    assert steady["balanced"] is False and steady["packages"][0]["status"] == "drains"


def test_the_shipped_barnet_baseline_holds_its_caseload_and_spend():
    state = steady_state(load_scenario(BARNET))
    assert state.balanced, state.warnings()
    assert state.weekly_spend_end == pytest.approx(state.weekly_spend_start, rel=0.05)
    result = CliRunner().invoke(main, ["validate", BARNET])
    assert result.exit_code == 0 and "out of balance" not in result.output


def test_the_run_s_own_starts_show_packages_held_back_by_queues():
    """Barnet's social workers are asked for more hours than they have: people leave the lists unseen and reviews
    fall overdue, so fewer packages start than the expected flows count. With twice the staff and nobody leaving
    a list, the run falls short only by the pipeline that is empty at the start (people between the front door
    and a package: about 7 weeks of home-care starts); the carers' stream, whose pipeline is short, starts what
    the flows count."""
    from tests.test_validation import uncongested

    current = "scenarios/barnet_current.yaml"
    ratios = {}
    for scenario, congested in ((load_scenario(current), True), (uncongested(current), False)):
        means = run(scenario, reps=2, seed=0, processes=1, detail=False).summary().set_index("kpi")["mean"]
        state = simulated_steady_state(scenario, means)
        simulated = {p.package: p for p in state.packages}
        analytic = {p.package: p for p in steady_state(scenario).packages}
        home = simulated["home_care"]
        assert home.basis == "the simulation" and home.starts_needed == analytic["home_care"].starts_needed
        assert home.starts_flow == pytest.approx(means["new_packages.home_care"])  # a one-year horizon
        ratios[congested] = home.starts_flow / analytic["home_care"].starts_flow
        carers = simulated["carer_support"].starts_flow / analytic["carer_support"].starts_flow
        assert carers == pytest.approx(1.0, abs=0.05)
        if congested:
            assert home.status == "drains" and state.simulated
            assert "the simulation starts" in "\n".join(state.warnings())
    assert 0.8 < ratios[False] < 0.95 and ratios[True] < ratios[False] - 0.1


def test_run_reports_the_balance_of_its_own_starts():
    result = CliRunner().invoke(main, ["run", "scenarios/barnet_current.yaml", "--reps", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert any(line.startswith("Home care:") and "the simulation starts" in line
               for line in data["simulated_steady_state_warnings"])
    assert all("the flow starts" in line for line in data["steady_state_warnings"] if line.startswith("Home care"))
    text = CliRunner().invoke(main, ["run", "scenarios/barnet_current.yaml", "--reps", "2"]).output
    assert "steady state (the run's own starts): Home care" in text
