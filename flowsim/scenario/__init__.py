"""Scenarios: the validated description of one council's service."""
from flowsim.scenario.load import load_scenario, load_scenario_text, scenario_document, vary
from flowsim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "load_scenario_text", "scenario_document", "vary"]
