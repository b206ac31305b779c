"""The app's control over runs: when to simulate, the shared cache, and progress in a fixed place.

A run starts by itself when inputs change and it is small, otherwise when Run
is pressed (``flowsim.ui.serving.needs_the_run_button``); a run too big for a
shared server is refused at once. Progress, refusals and "press Run" notes all
go in one placeholder above the results, so the tiles below never move.
"""
from __future__ import annotations

from uuid import uuid4

import streamlit as st

import flowsim
from flowsim.format import number
from flowsim.ui import serving
from flowsim.ui.text import plain


@st.cache_resource
def run_cache() -> serving.RunCache:
    """Finished runs by (scenario hash, replications, seed), shared by every session and bounded.
    A run is a pure function of these, so the unchanged side is reused and the pairing holds."""
    return serving.RunCache()


def simulate(a: flowsim.Scenario, b: flowsim.Scenario, reps: int, seed: int, status) -> flowsim.Comparison:
    """Both sides on common random numbers, reusing whichever side has been run before (by anyone).
    Progress shows in ``status``, a placeholder that is always on the page, so nothing below it moves."""
    cache = run_cache()
    keys = {side: (flowsim.scenario_hash(s), reps, seed) for side, s in (("A", a), ("B", b))}
    found = {side: cache.get(key) for side, key in keys.items()}
    missing = [(side, s) for side, s in (("A", a), ("B", b)) if found[side] is None]
    if missing:
        status.progress(0.0, text="Simulating…")
        total, done = reps * len(missing), [0]

        def advance(n: int) -> None:
            done[0] += n
            status.progress(done[0] / total, text=f"Simulating… {done[0]} of {total} replications")

        for side, scenario in missing:
            found[side] = serving.simulate_side(scenario, reps, seed, session_key(), advance)
            cache.put(keys[side], found[side])
        status.empty()
    return flowsim.Comparison(found["A"], found["B"])


def session_key() -> str:
    """This browser session's name in the shared pool: its runs queue in their own lane."""
    return st.session_state.setdefault("session_key", uuid4().hex)


def requested_run(a: flowsim.Scenario, b: flowsim.Scenario, reps: int, seed: int, auto: bool, status) -> tuple | None:
    """The inputs to show results for (a, b, replications, seed): these if Run was pressed or they
    run by themselves, otherwise the last run's, with a note in ``status``; None before any run."""
    clicked = st.button("Run", type="primary", key="run", help="Simulate both sides with the settings in the sidebar.")
    wanted = (a, b, reps, seed)
    refused = [reason for reason in (serving.refusal(a, reps), serving.refusal(b, reps)) if reason]
    if refused:  # say so now, rather than after Run is pressed
        status.error(plain(" ".join(refused)))
        return st.session_state.get("last_run")
    big = serving.needs_the_run_button([a, b], reps)
    if clicked or (auto and not big):
        st.session_state["last_run"] = wanted
    last = st.session_state.get("last_run")
    if last is None or _run_key(last) != _run_key(wanted):
        people = number(sum(serving.run_people(s, reps) for s in (a, b)), decimals=0)
        status.info(f"This run simulates about {people} people, too many to start on every change: press Run."
                    if auto and big else "The settings have changed since the results below: press Run to update them."
                    if last else "Press Run to simulate.")
    return last


def _run_key(inputs: tuple) -> tuple:
    a, b, reps, seed = inputs
    return flowsim.scenario_hash(a), flowsim.scenario_hash(b), reps, seed
