"""The app's view of a council profile: observed against modelled, figure by figure and year by year, and a fit."""
from __future__ import annotations

from fnmatch import fnmatchcase

import altair as alt
import pandas as pd
import streamlit as st

from flowsim.format import number, relative, share
from flowsim.profile.check import check, rows_frame
from flowsim.profile.fit import SHARE_GROUPS, fit, parse_free
from flowsim.profile.steady import steady_state
from flowsim.provenance import number_sources
from flowsim.scenario.schema import Scenario
from flowsim.ui.exports import edited_scenario
from flowsim.ui.text import plain

SERIES = alt.Scale(domain=["observed", "modelled"], range=["#333333", "#4c78a8"])


def profile_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The check's rows as a table to read: each number in its unit, the error modelled − observed."""
    units = frame["unit"]
    return pd.DataFrame({
        "figure": frame["label"], "year": frame["year"],
        "observed": [number(v, u) for v, u in zip(frame["observed"], units)],
        "modelled": [number(v, u) for v, u in zip(frame["modelled"], units)],
        "error (modelled − observed)": [number(v, u, difference=True) for v, u in zip(frame["error"], units)],
        "error %": [relative(v) for v in frame["relative_error"]],
        "within tolerance": [("–" if m is None else "yes" if m else "no") + f" (±{share(t)})"
                             for m, t in zip(frame["matches"], frame["tolerance"])],
        "from": frame["how"], "source": frame["source"]})


def profile_chart(frame: pd.DataFrame) -> alt.Chart:
    """Observed and modelled by year, one panel per figure (each on its own scale): a back-test at a glance."""
    long = pd.concat([frame.assign(series="observed", value=frame["observed"]),
                      frame.assign(series="modelled", value=frame["modelled"])])
    long = long.dropna(subset=["value"])
    base = alt.Chart(long).encode(
        x=alt.X("year:N", title=None), y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", scale=SERIES, title=None),
        tooltip=["label:N", "year:N", "series:N", alt.Tooltip("value:Q", format=",.0f")])
    return (base.mark_line(point=True)).properties(width=220, height=150).facet(
        facet=alt.Facet("label:N", title=None), columns=3).resolve_scale(y="independent")


def free_choices(scenario: Scenario) -> dict[str, str]:
    """Numbers of the scenario a fit may free: path → 'path=low:high' with bounds a user can start from
    (0 to 1 for a share; a quarter to four times the value otherwise)."""
    choices = {}
    for row in number_sources(scenario):
        value = row.value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            continue
        parent = row.path.rpartition(".")[0]
        if any(fnmatchcase(parent, group) for group in SHARE_GROUPS):
            choices[row.path] = f"{row.path}=0:1"
        else:
            choices[row.path] = f"{row.path}={value / 4:g}:{value * 4:g}"
    return choices


def existing_client_choices(profile, scenario: Scenario) -> dict[str, str]:
    """Routes a review could take that the scenario does not have yet (to reablement, into a care home), and
    telecare alongside each review outcome: the structure behind existing clients' figures (fitted from 0)."""
    review = scenario.caseload.review_stage
    if review is None:
        return {}
    names = profile.model
    targets = [t for t in (names.reablement_stage, *names.care_home_packages)
               if (t in scenario.stages or t in scenario.outcomes) and t not in scenario.stages[review].routes]
    choices = {f"stages.{review}.routes.{t}": f"stages.{review}.routes.{t}=0:0.3" for t in targets}
    if "telecare" in scenario.package_outcomes():
        for name, outcome in scenario.outcomes.items():
            if outcome.kind == "review" and "telecare" not in outcome.alongside:
                choices[f"outcomes.{name}.alongside.telecare"] = f"outcomes.{name}.alongside.telecare=0:1"
    return choices


def durations(scenario: Scenario) -> list[str]:
    """The mean durations of the package types with packages running at the start: what a steady fit frees."""
    running = {name for name, count in scenario.caseload.packages.items() if count}
    return [f"outcomes.{name}.mean_duration_weeks" for name in scenario.package_outcomes() if name in running]


def fitted_values_table(result, free) -> pd.DataFrame:
    return pd.DataFrame({"free parameter": [p.path for p in free], "was": [number(p.start) for p in free],
                         "fitted": [number(result.values[p.path]) for p in free],
                         "bounds": [f"{number(p.low)} to {number(p.high)}" for p in free]})


def fit_section(profile, scenario: Scenario) -> None:
    """Fit free numbers of the scenario to the profile's figures (and, if asked, to a steady caseload)."""
    st.markdown("#### Fit the scenario to these figures")
    choices = free_choices(scenario) | existing_client_choices(profile, scenario)
    steady = st.checkbox("Hold the starting caseload steady", value=not steady_state(scenario).balanced,
                         key="fit_steady",
                         help="Each package type's starts from the flow equal to those needed to keep its packages "
                              "running (flowsim fit --steady).")
    default = [p for p in durations(scenario) if p in choices] if steady else []
    free = st.multiselect("Numbers to fit (bounds: 0 to 1 for shares, a quarter to four times the value otherwise; "
                          "routes from reviews the scenario does not have yet start from 0, up to 0.3)",
                          list(choices), default=default, key=f"fit_free_{scenario.name}")
    if not st.button("Fit", key="fit_run", disabled=not free):
        return
    parameters = parse_free([choices[path] for path in free], scenario)
    with st.spinner("Fitting on the expected flows…"):
        result = fit(profile, scenario, parameters, steady=steady, profile_name=profile.council)
    st.dataframe(fitted_values_table(result, parameters), hide_index=True, width="stretch")
    fitted = rows_frame(check(profile, result.scenario, reps=0))
    st.dataframe(profile_table(fitted), hide_index=True, width="stretch")
    for line in result.conflicts:
        st.warning(plain(f"The figures do not all hold: {line}"))
    balance = steady_state(result.scenario)
    if steady and balance.balanced:
        st.success("The fitted caseload holds: every package type's starts are within 10% of those needed.")
    elif not balance.balanced:
        st.warning("Steady state: " + "\n\n".join(plain(w) for w in balance.warnings()))
    file_name, data = edited_scenario(result.scenario)
    st.download_button("Download the fitted scenario (YAML)", data, file_name=file_name, key="fit_download")
