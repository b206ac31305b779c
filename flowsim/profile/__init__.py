"""A baseline the council recognises: its published figures, a fit to them, and whether it holds steady.

- ``steady``: does the starting caseload of packages hold, drain or balloon under the flow?
- ``schema``: a council profile, its observed figures each with a source and a year.
- ``measures``: the model's value for each profile figure (analytic flows, or simulation).
- ``fit``: free parameters chosen so the scenario reproduces the profile.
- ``backtest``: fit on one year, predict a later one.
"""
from flowsim.profile.steady import PackageBalance, SteadyState, simulated_steady_state, steady_state
from flowsim.profile.schema import Profile, load_profile, profile_from_text  # noqa: E402  (after steady: no cycle)
from flowsim.profile.check import check as check_profile, rows_frame  # noqa: E402

__all__ = ["PackageBalance", "Profile", "SteadyState", "check_profile", "load_profile", "profile_from_text",
           "rows_frame", "simulated_steady_state", "steady_state"]
