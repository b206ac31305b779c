"""Warnings for teams near or over their hours, from the analytic flows and from simulations."""
import pytest
from click.testing import CliRunner

from flowsim.capacity import NEAR_CAPACITY, capacity_warning, simulated_load, single_queue_wait
from flowsim.cli import main

NEW = "scenarios/barnet_new_model.yaml"


def test_thresholds():
    assert capacity_warning("Social worker", NEAR_CAPACITY - 0.01) is None
    near = capacity_warning("Social worker", 0.9)
    assert near.startswith("Social worker: near capacity (90% of its hours needed)") and "waits grow steeply" in near.lower()
    assert "about 9 times as long" in near  # ρ / (1 − ρ) at 90%
    assert "over capacity (105%" in capacity_warning("Social worker", 1.05)
    assert capacity_warning("Social worker", float("nan")) is None


def test_single_queue_wait_is_erlang_c_with_one_server():
    assert single_queue_wait(0.5) == pytest.approx(1.0)
    assert single_queue_wait(0.95) == pytest.approx(19.0)
    assert single_queue_wait(1.0) == float("inf")


def test_simulated_load_takes_demand_over_hours_or_the_utilisation_reached():
    means = {"hours_demanded.sw": 1100.0, "hours_available.sw": 1000.0, "utilisation.sw": 0.98}
    assert simulated_load(means, "sw") == pytest.approx(1.1)
    assert simulated_load({"utilisation.sw": 0.9}, "sw") == pytest.approx(0.9)


def test_flows_warns_near_capacity_not_only_over_it():
    # the new model's social workers need 106% of their 31.2 FTE's hours; with 37 FTE, 90%; with 45, 74%
    near = CliRunner().invoke(main, ["flows", NEW, "--set", "roles.social_worker.fte=37"])
    assert near.exit_code == 0
    assert "warning: Social worker (social_worker): near capacity" in near.output
    calm = CliRunner().invoke(main, ["flows", NEW, "--set", "roles.social_worker.fte=45"])
    assert "capacity" not in calm.output  # (other warnings, e.g. the steady state, may show)


def test_run_warns_for_a_team_over_its_hours():
    result = CliRunner().invoke(main, ["run", NEW, "--reps", "2", "--days", "30", "--set", "roles.social_worker.fte=15"])
    assert result.exit_code == 0, result.output
    assert "warning: Social worker: over capacity" in result.output
