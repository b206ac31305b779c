"""flowsim: a referral-flow simulator for English councils' adult social care.

The public API, used by the CLI, the app and analysts' scripts::

    import flowsim
    scenario = flowsim.load_scenario("scenarios/barnet_new_model.yaml")
    flows = flowsim.expected_flows(scenario)          # analytic, instant
    variant = flowsim.vary(scenario, {"demand.annual_growth": 0.03})
"""
from flowsim.analytic import ExpectedFlows, expected_flows
from flowsim.errors import FlowsimError, InputError, Problem
from flowsim.provenance import number_sources
from flowsim.scenario import Scenario, load_scenario, load_scenario_text, scenario_document, vary

__version__ = "0.1.0"

__all__ = [
    "ExpectedFlows",
    "FlowsimError",
    "InputError",
    "Problem",
    "Scenario",
    "expected_flows",
    "load_scenario",
    "load_scenario_text",
    "number_sources",
    "scenario_document",
    "vary",
]
