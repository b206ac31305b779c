"""flowsim: a referral-flow simulator for English councils' adult social care.

The public API, used by the CLI, the app and analysts' scripts::

    import flowsim
    scenario = flowsim.load_scenario("scenarios/barnet_new_model.yaml")
    flows = flowsim.expected_flows(scenario)          # analytic, instant
    balance = flowsim.steady_state(scenario)          # does the caseload of packages hold?
    variant = flowsim.vary(scenario, {"demand.annual_growth": 0.03})
    results = flowsim.run(scenario, reps=30, seed=1)  # simulated, with CIs
    paired = flowsim.compare(current, new, reps=30)   # common random numbers
    table = flowsim.sweep(scenario, {"roles.social_worker.fte": [15, 19, 23]}, reps=30)
    staffing = flowsim.goal_seek(scenario, ["within_target.full_assessment >= 0.9"],
                                 "roles.social_worker.fte=10:60")          # smallest FTE, 90% sure
    advice = flowsim.replications_needed(scenario, precision=0.05)     # replications for ±5%
    honest = flowsim.run_with_input_uncertainty(scenario, samples=200)  # inputs sampled per replication
    bars = flowsim.tornado(scenario, "total_cost.horizon")             # what drives a result
    work = flowsim.estimate_work(scenario, reps=30)  # before running: stage visits, memory, too_large
"""
from flowsim.analytic import ExpectedFlows, expected_flows
from flowsim.engine import Comparison, Results, compare, run
from flowsim.errors import FlowsimError, InputError, Problem
from flowsim.profile import (Profile, SteadyState, check_profile, load_profile, profile_from_text,
                             simulated_steady_state, steady_state)
from flowsim.provenance import cite, number_sources, source_notes
from flowsim.published import published_comparison
from flowsim.sweep import load_points, sweep
from flowsim.scenario import (
    MAX_SCENARIO_BYTES,
    Scenario,
    load_scenario,
    load_scenario_text,
    scenario_document,
    scenario_hash,
    vary,
)
from flowsim.uncertainty.goal_seek import goal_seek
from flowsim.uncertainty.replications import replications_needed
from flowsim.uncertainty.sampling import run_with_input_uncertainty
from flowsim.uncertainty.sensitivity import regression_sensitivity, tornado
from flowsim.version import __version__
from flowsim.workload import RunTooLarge, WorkEstimate, estimate_work


__all__ = [
    "__version__",
    "MAX_SCENARIO_BYTES",
    "Comparison",
    "ExpectedFlows",
    "Results",
    "compare",
    "run",
    "FlowsimError",
    "InputError",
    "Problem",
    "Scenario",
    "expected_flows",
    "goal_seek",
    "regression_sensitivity",
    "replications_needed",
    "run_with_input_uncertainty",
    "tornado",
    "load_scenario",
    "load_scenario_text",
    "load_points",
    "number_sources",
    "cite",
    "source_notes",
    "published_comparison",
    "scenario_document",
    "scenario_hash",
    "simulated_steady_state",
    "steady_state",
    "Profile",
    "check_profile",
    "load_profile",
    "profile_from_text",
    "SteadyState",
    "sweep",
    "vary",
    "RunTooLarge",
    "WorkEstimate",
    "estimate_work",
]
