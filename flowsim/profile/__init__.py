"""A baseline the council recognises: its published figures, a fit to them, and whether it holds steady.

- ``steady``: does the starting caseload of packages hold, drain or balloon under the flow?
- ``schema``: a council profile, its observed figures each with a source and a year.
- ``measures``: the model's value for each profile figure (analytic flows, or simulation).
- ``fit``: free parameters chosen so the scenario reproduces the profile.
- ``backtest``: fit on one year, predict a later one.
"""
from flowsim.profile.steady import PackageBalance, SteadyState, steady_state

__all__ = ["PackageBalance", "SteadyState", "steady_state"]
