"""Scenarios: the validated description of one council's service."""
from flowsim.scenario.load import (
    MAX_SCENARIO_BYTES,
    load_scenario,
    load_scenario_text,
    scenario_document,
    scenario_hash,
    vary,
)
from flowsim.scenario.schema import Scenario

__all__ = ["MAX_SCENARIO_BYTES", "Scenario", "load_scenario", "load_scenario_text", "scenario_document",
           "scenario_hash", "vary"]
