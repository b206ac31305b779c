"""The app's direct questions: what staffing meets a target, and which inputs drive a result.

Drawn with streamlit, computed by ``flowsim.uncertainty`` on the app's worker
pool. Each answer says how sure it is and what its interval means.
"""
from __future__ import annotations

import streamlit as st

from flowsim.errors import FlowsimError
from flowsim.format import figure, kpi_unit, number
from flowsim.runner import Runner
from flowsim.scenario.schema import Scenario
from flowsim.ui.sensitivity import tornado_chart
from flowsim.ui.text import plain
from flowsim.uncertainty.goal_seek import FieldRange, Goal, goal_seek
from flowsim.uncertainty.ranges import uncertain_inputs
from flowsim.uncertainty.replications import headline_kpis
from flowsim.uncertainty.sensitivity import tornado
from flowsim.vocabulary import kpi_label


def staffing_question(scenario: Scenario, runner: Runner, seed: int) -> None:
    """"How many FTE so that X% are seen within the target?": a goal-seek form."""
    staffed = [r for r in scenario.roles if any(s.role == r for s in scenario.stages.values())]
    targeted = [s for s in scenario.stages if scenario.stages[s].wait_target_days]
    if not staffed or not targeted:
        st.info("This scenario has no staffed stage with a wait target.")
        return
    with st.container(border=True):  # plain widgets and a button: a change reruns nothing heavy
        left, right = st.columns(2)
        role = left.selectbox("Role", staffed, key="question_role", format_func=scenario.label,
                              index=staffed.index("social_worker") if "social_worker" in staffed else 0)
        stage = right.selectbox("Seen within the target at", targeted, format_func=scenario.label,
                                index=targeted.index(scenario.key_stage) if scenario.key_stage in targeted else 0)
        share = left.slider("Share seen within the target (%)", 50, 99, 90) / 100
        confidence = right.slider("How sure (%)", 50, 99, 90) / 100
        now = scenario.roles[role].fte
        start = (float(max(0, round(now / 2))), float(round(now * 2) or 10))
        low, high = left.slider("FTE to search", 0.0, float(max(10, round(now * 3))), start, 1.0, key="question_fte")
        asked = st.button("Find the smallest FTE", key="question_staffing")
    if not asked:
        st.caption(f"Now: {figure(now)} FTE. The search tries FTE values on the same random numbers, adding "
                   "replications where it cannot yet tell; it takes a minute or two.")
        return
    target_days = scenario.stages[stage].wait_target_days
    goal = Goal(f"within_target.{stage}", ">=", share)
    try:
        with st.spinner("Searching…"):
            found = goal_seek(scenario, [goal], FieldRange(f"roles.{role}.fte", low, high, 1.0),
                              confidence=confidence, seed=seed, runner=runner)
    except FlowsimError as error:
        st.error(plain(str(error)))
        return
    what = f"{share:.0%} of people seen at {scenario.label(stage)} within {figure(target_days)} days"
    if found.answer is None:
        st.warning(f"No FTE from {figure(low)} to {figure(high)} gets {what} with {confidence:.0%} confidence.")
    else:
        st.success(f"**{figure(found.answer)} FTE** {scenario.label(role)} for {what}, {confidence:.0%} sure.")
        if found.uncertain_from is not None and found.uncertain_from < found.answer:
            st.caption(f"From {figure(found.uncertain_from)} to {figure(found.answer)} FTE the replications cannot "
                       "tell whether the target is met: randomness only, with the inputs taken as exact.")
    shown = found.table()[["value", "reps", "status", "mean"]].rename(
        columns={"value": "FTE", "reps": "replications", "mean": "share within target"})
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(plain(f"{found.replications_run} replications in all. " + " ".join(found.notes)))


def sensitivity_question(scenario: Scenario, runner: Runner, seed: int) -> None:
    """Which uncertain inputs move a chosen result: a tornado."""
    inputs = uncertain_inputs(scenario)
    if not inputs:
        st.info("No number in this scenario carries a range (see data/uncertainty/ranges.csv).")
        return
    with st.container(border=True):
        kpis = headline_kpis(scenario)
        kpi = st.selectbox("Result", kpis, format_func=lambda k: kpi_label(k, scenario.label))
        asked = st.button(f"Vary each of the {len(inputs)} uncertain inputs", key="question_sensitivity")
    if not asked:
        st.caption("Each input is set to the low and then the high end of its range, the others at their values, "
                   "on the same random numbers.")
        return
    try:
        with st.spinner("Running each input at both ends of its range…"):
            bars = tornado(scenario, kpi, reps=3, seed=seed, runner=runner)
    except FlowsimError as error:
        st.error(plain(str(error)))
        return
    unit = kpi_unit(kpi)
    st.altair_chart(tornado_chart(bars, kpi_label(kpi, scenario.label), unit), width="stretch")
    top = bars.iloc[0]
    st.caption(plain(f"{top.input} moves it most: from {number(top.kpi_at_low, unit)} to "
                     f"{number(top.kpi_at_high, unit)} across its range. 3 replications at each end."))
