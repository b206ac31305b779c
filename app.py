"""flowsim for service managers: two operating models side by side.

    streamlit run app.py

Left (A) and right (B) each take a shipped or uploaded scenario and sliders in
service language. The expected flows show at once; the simulation then runs
on common random numbers and shows each side and the difference B − A with
its 95% confidence interval. The app calls flowsim's public API only.
"""
from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

import flowsim
from flowsim.calibrate import calibrate_text
from flowsim.engine.replications import DEFAULT_REPLICATIONS
from flowsim.finance import barnet_inputs, savings
from flowsim.format import figure, number, share
from flowsim.runner import shared_pool
from flowsim.scenario.teams import parse_team_table
from flowsim.ui import appraisal_page, serving, tabs
from flowsim.ui import savings as savings_view
from flowsim.ui.controls import controls_for, groups, overrides_from, shares_in_use
from flowsim.ui.exports import edited_scenario
from flowsim.ui.profile import fit_section, profile_chart, profile_table
from flowsim.ui.run_control import requested_run, session_key, simulate
from flowsim.ui.text import plain
from flowsim.ui.questions import sensitivity_question, staffing_question
from flowsim.ui.tiles import headlines

ROOT = Path(__file__).resolve().parent
LOG = logging.getLogger("flowsim.app")
SHIPPED = {path.stem: path for path in sorted((ROOT / "scenarios").glob("*.yaml"))}
UPLOAD = "Upload a scenario file…"
COUNTS = "Build from a council's counts (CSV)…"
MAX_UPLOAD_BYTES = flowsim.MAX_SCENARIO_BYTES
UPLOADER_MB = 5  # the widget's own limit, above MAX_UPLOAD_BYTES (and .streamlit/config.toml's maxUploadSize)
DEFAULTS = {"A": "barnet_current", "B": "barnet_new_model"}
PAGES = ["Compare operating models", "Options appraisal", "Council profile", "Ask a question"]
PROFILES = {path.stem: path for path in sorted((ROOT / "data" / "profiles").glob("*.yaml"))}
UPLOAD_PROFILE = "Upload a profile…"

st.set_page_config(page_title="flowsim: referral flows", layout="wide")


@st.cache_resource
def shipped(name: str) -> flowsim.Scenario:
    return flowsim.load_scenario(SHIPPED[name])


def show_problems(error: Exception, what: str) -> None:
    problems = error.problems if isinstance(error, flowsim.InputError) else [str(error)]
    st.error(f"**{plain(what)}**\n\n" + "\n".join(f"- {plain(p)}" for p in problems))


def choose_scenario(side: str) -> flowsim.Scenario | None:
    names = list(SHIPPED) + [UPLOAD, COUNTS]
    choice = st.selectbox(f"Scenario {side}", names, index=names.index(DEFAULTS[side]), key=f"choice_{side}")
    if choice == COUNTS:
        return from_counts(side)
    if choice != UPLOAD:
        return shipped(choice)
    return scenario_upload("Scenario file (YAML)", ["yaml", "yml"], f"upload_{side}", flowsim.load_scenario_text)


def keep_previous(side: str, scenario: flowsim.Scenario | None) -> flowsim.Scenario | None:
    """The side's scenario; while an uploader has no valid file yet, the one it showed before, so the
    results stay on the page."""
    if scenario is not None:
        st.session_state[f"base_{side}"] = scenario
        return scenario
    previous = st.session_state.get(f"base_{side}")
    if previous is not None:
        st.info(f"Showing {previous.name} until a valid file is uploaded.")
    return previous


def from_counts(side: str) -> flowsim.Scenario | None:
    """A scenario calibrated from an uploaded counts file (from,to,people)."""
    return scenario_upload("Counts (CSV: from,to,people)", ["csv"], f"counts_{side}",
                           lambda data, name: calibrate_text(data, name)[1],
                           help="A year's people moving from a referral source or stage to a stage or outcome; "
                                "see examples/barnet_counts.csv.")


def scenario_upload(label: str, types: list[str], key: str, build, help: str | None = None):
    """A scenario from an uploaded file; problems shown, the last good one from this uploader kept."""
    # The uploader takes more than a scenario may hold, so a file too big is refused here with a message.
    upload = st.file_uploader(label, type=types, key=key, max_upload_size=UPLOADER_MB, help=help)
    remembered = st.session_state.get(f"last_good_{key}")
    if upload is None:
        return remembered
    if upload.size > MAX_UPLOAD_BYTES:
        st.error(plain(f"{upload.name} is {number(upload.size)} bytes; a file of at most {number(MAX_UPLOAD_BYTES)} "
                       "bytes is accepted" + (" (still showing the last good file)." if remembered else ".")))
        return remembered
    try:
        scenario = build(upload.getvalue(), upload.name)
    except Exception as error:  # noqa: BLE001 -- whatever a file does to the reader, the page carries on
        if not isinstance(error, flowsim.FlowsimError):
            LOG.exception("reading the upload %s failed", upload.name)  # a fault of flowsim: for the server's log
            error = flowsim.FlowsimError(f"{upload.name} could not be read ({type(error).__name__})")
        show_problems(error, f"{upload.name} cannot be used" + (" (still showing the last good file)"
                                                                   if remembered else ""))
        return remembered
    st.session_state[f"last_good_{key}"] = scenario
    return scenario


def slider(side: str, scenario: flowsim.Scenario, control) -> float:
    key = f"{side}|{scenario.name}|{control.key}"
    if control.percent:
        shown = round(control.value * 100, 2)
        value = st.slider(plain(control.label), control.low * 100, control.high * 100, shown,
                          control.step * 100, format="%.1f%%", help=plain(control.help) or None, key=key)
        return control.value if value == shown else value / 100  # untouched: the exact share, not its rounding
    number_format = "%.1f" if control.step < 1 else "%.0f"
    return st.slider(plain(control.label), control.low, max(control.high, control.value), float(control.value),
                     control.step, format=number_format, help=plain(control.help) or None, key=key)


def edited(side: str, scenario: flowsim.Scenario, horizon: int) -> flowsim.Scenario | None:
    """The scenario with this side's slider values; problems shown, the last good version kept."""
    controls = controls_for(scenario)
    values, in_use = {}, {}
    for group in groups(controls):
        with st.expander(group):
            for control in controls:
                if control.group == group:
                    values[control.key] = slider(side, scenario, control)
            in_use[group] = st.container()
    show_shares_in_use(scenario, controls, values, in_use)
    with st.expander("Team table"):
        staffed = team_table_fte(side, scenario)
    last_good = st.session_state.get(f"edited_{side}|{scenario.name}")
    try:
        moved = overrides_from(scenario, controls, values) | staffed
        variant = flowsim.vary(scenario, moved | {"time.horizon_days": horizon})
    except (ValueError, flowsim.FlowsimError) as error:
        show_problems(error, "These settings cannot be used" + (" (showing the last good ones)" if last_good else ""))
        return last_good
    st.session_state[f"edited_{side}|{scenario.name}"] = variant
    st.session_state[f"changed_{side}"] = len(staffed) + sum(  # sliders moved, not the shares they rescaled
        abs(values[c.key] - c.value) > 1e-12 for c in controls)
    return variant


def show_shares_in_use(scenario: flowsim.Scenario, controls, values: dict, places: dict) -> None:
    """Under each group with a moved share: the shares actually used, the untouched ones rescaled."""
    group_of = {c.shares_of: c.group for c in controls if c.shares_of}
    for path, members in shares_in_use(scenario, controls, values).items():
        listed = ", ".join(f"{label} {share(used)}" + ("" if moved else " (rescaled)") for label, used, moved in members)
        places[group_of[path]].caption(plain(f"Shares in use (the ones you did not move were rescaled so the set "
                                             f"adds up to 100%): {listed}."))


def team_table_fte(side: str, scenario: flowsim.Scenario) -> dict[str, float]:
    """Role FTE from an uploaded team table (team, fte), each team mapped to a role or left out."""
    upload = st.file_uploader("Team table (CSV: team, fte)", type=["csv"], key=f"teams_{side}|{scenario.name}",
                              max_upload_size=UPLOADER_MB, help="A council's own teams and their FTE, e.g. data/teams/bnes.csv. "
                              "Map each team to the role it staffs; mapped roles take the teams' total FTE.")
    if upload is None:
        return {}
    if upload.size > MAX_UPLOAD_BYTES:
        st.error(plain(f"{upload.name} is {number(upload.size)} bytes; a team table is at most "
                       f"{number(MAX_UPLOAD_BYTES)}."))
        return {}
    teams, problems = parse_team_table(upload.getvalue(), upload.name)
    if problems:
        show_problems(flowsim.InputError(problems), f"{upload.name} cannot be used")
        return {}
    choices = ["not modelled", *scenario.roles]
    totals: dict[str, float] = {}
    for team in teams:
        role = st.selectbox(plain(f"{team.name} ({figure(team.fte)} FTE)"), choices, format_func=lambda r: r if r == choices[0]
                            else scenario.label(r), key=f"team_{side}|{scenario.name}|{team.name}")
        if role != choices[0]:
            totals[role] = totals.get(role, 0.0) + team.fte
    if totals:
        st.caption(plain("FTE from the table: " + ", ".join(f"{scenario.label(r)} {figure(v)}"
                                                            for r, v in totals.items())))
    return {f"roles.{role}.fte": fte for role, fte in totals.items()}


def preview(a: flowsim.Scenario, b: flowsim.Scenario) -> None:
    """The analytic expected flows: instant, shown while the simulation runs."""
    parts, warnings = [], []
    for side, scenario in (("A", a), ("B", b)):
        f = flowsim.expected_flows(scenario)
        busiest = max(f.roles, key=lambda r: f.roles[r].utilisation)
        packages = sum(f.outcomes[n] for n in scenario.package_outcomes())
        key = scenario.key_stage
        assessed = f"{number(f.stages.get(key, 0), decimals=0)} × {scenario.label(key)}, " if key else ""
        parts.append(f"**{side}** " + plain(f"{assessed}{number(packages, decimals=0)} new packages a year; "
                                            f"busiest: {scenario.label(busiest)} at "
                                            f"{share(f.roles[busiest].utilisation)}"))
        warnings += [plain(f"{side}: {warning}") for warning in f.warnings]
        drift = flowsim.steady_state(scenario, f).summary()
        if drift:
            warnings.append(plain(f"{side}: steady state: {drift}. Multi-year results inherit the drift."))
    if warnings:  # one box, so the tiles stay on the first screen
        st.warning("\n".join(f"- {w}" for w in warnings))
    st.markdown("Expected (no simulation): " + " · ".join(parts))


def show_results(inputs: tuple, status) -> None:
    """Tiles, savings and charts for ``inputs`` (a, b, replications, seed); a run that cannot be done
    leaves a message in ``status`` and the last results shown."""
    a, b, reps, seed = inputs
    try:
        comparison = simulate(a, b, reps, seed, status)
    except (flowsim.FlowsimError, serving.Superseded) as error:
        status.error(plain(str(error) or "a newer run took this one's place"))
        if "shown" not in st.session_state:
            return
        a, b, comparison = st.session_state["shown"]
    else:
        st.session_state["shown"] = (a, b, comparison)
    show_tiles(comparison, a, b)
    st.caption(f"Intervals: 95% CI from {comparison.a.reps} paired replications, randomness only: every input is "
               "taken as exact. For intervals that include the inputs' own uncertainty, run "
               "`flowsim run FILE --input-uncertainty`; for what drives a result, see Ask a question.")
    show_savings(comparison, a, b)
    tabs.show(comparison, a, b)


def show_tiles(comparison: flowsim.Comparison, a: flowsim.Scenario, b: flowsim.Scenario) -> None:
    """Each headline: A, B, and B − A with its 95% confidence interval."""
    tiles = headlines(comparison, a, b)
    for row in range(0, len(tiles), 3):
        for column, tile in zip(st.columns(3), tiles[row:row + 3]):
            with column.container(border=True):
                st.markdown(f"**{plain(tile.label)}**")
                st.markdown(f"A&nbsp;**{tile.value_text('a')}** &nbsp;·&nbsp; "
                            f"B&nbsp;**{tile.value_text('b')}**",
                            help=f"A: {tile.ci_text('a') or 'no interval'}; B: {tile.ci_text('b') or 'no interval'}")
                st.metric("B − A", tile.value_text("b_minus_a"),
                          help=tile.ci_text("b_minus_a") or "one replication, or no difference: no interval")
                st.caption(tile.ci_text("b_minus_a"))


def show_savings(comparison: flowsim.Comparison, a: flowsim.Scenario, b: flowsim.Scenario) -> None:
    """Savings A − B per financial year, gross and net, each target judged like for like; warnings first."""
    saved = savings(comparison, a, b)
    for caveat in saved.caveats:
        st.warning(plain(caveat.message))  # a caveat on the figures, not a failure: the app goes on
    if saved.comparable:
        demand = saved.total(part="demand")
        demand["probability"] = float((saved.runs("demand") >= barnet_inputs().mtfs_target).mean())
        st.session_state["last_saving"] = (f"{b.name} against {a.name}", demand)
    else:
        st.session_state.pop("last_saving", None)
    st.markdown(savings_view.savings_heading(saved))
    st.dataframe(savings_view.savings_rows(saved), hide_index=True, width="stretch")
    if not saved.verdicts.empty:
        st.caption("Targets, like for like. Probability: the share of paired replications whose saving reaches "
                   "the target (Monte-Carlo uncertainty only; inputs held fixed).")
        st.dataframe(savings_view.target_rows(saved), hide_index=True, width="stretch")


def edit_mark(side: str) -> str:
    """'edited: 2 changes' for a side whose sliders or team table changed it, else ''."""
    changed = st.session_state.get(f"changed_{side}", 0)
    return f"edited: {changed} change{'s' if changed != 1 else ''}" if changed else ""


def marked(side: str, scenario: flowsim.Scenario) -> str:
    """'barnet_new_model [edited: 1 change]'."""
    mark = edit_mark(side)
    return f"{scenario.name} [{mark}]" if mark else scenario.name


def compare_page() -> None:
    st.subheader("flowsim: referral flows, side by side")
    scenarios = {}
    with st.sidebar:
        st.header("Scenarios")
        bases = {side: keep_previous(side, choose_scenario(side)) for side in ("A", "B")}
        with st.expander("Run settings"):
            horizon = st.slider("Days to simulate", 30, 1100, 365, 5, key="horizon")
            reps = st.slider("Replications", 2, 30, DEFAULT_REPLICATIONS, 1, key="reps",
                             help="More replications give narrower confidence intervals and take longer; "
                                  "15 give Barnet's headline results within ±5% (flowsim replications).")
            seed = st.number_input("Random seed", 0, 2**31 - 1, 0, 1, key="seed")
            auto = st.checkbox("Run automatically when inputs change", value=True, key="auto_run",
                               help="Small runs start on every change; a run of more than "
                                    f"{number(serving.AUTO_RUN_PEOPLE)} people simulated waits for Run.")
        st.header("Change")
        for side, tab in zip(("A", "B"), st.tabs(["Change A", "Change B"])):
            with tab:
                if bases[side] is None:
                    st.info("Upload a scenario file to start.")
                    continue
                scenarios[side] = edited(side, bases[side], horizon)
                if scenarios[side] is not None and st.session_state.get(f"changed_{side}"):
                    st.caption(plain(f"{edit_mark(side).capitalize()} to {bases[side].name}; download the edited "
                                     "scenario to keep it."))
                    file_name, data = edited_scenario(scenarios[side])
                    st.download_button(f"Download edited scenario {side} (YAML)", data, file_name=file_name,
                                       key=f"download_{side}", on_click="ignore")
    if scenarios.get("A") is None or scenarios.get("B") is None:
        st.info("Choose or upload a scenario for both sides.")
        return
    a, b = scenarios["A"], scenarios["B"]
    st.caption(plain(f"A = {marked('A', a)} ({a.council}, {a.operating_model} model) · B = {marked('B', b)} "
                     f"({b.council}, {b.operating_model} model) · {reps} paired replications of {horizon} days.") +
               " Change either side in the sidebar; every default says where it comes from (hover the ?).")
    with st.container():  # however many warnings the preview has, what follows keeps its place
        preview(a, b)
    status = st.empty()  # progress, a refusal, or "press Run": always one slot, so the tiles never jump
    inputs = requested_run(a, b, reps, int(seed), auto, status)
    if inputs is not None:
        show_results(inputs, status)


def questions_page() -> None:
    """Direct answers about one scenario: the staffing that meets a target, and what drives a result."""
    st.subheader("Ask a question of one scenario")
    names = list(SHIPPED)
    scenario = shipped(st.selectbox("Scenario", names, index=names.index(DEFAULTS["A"]), key="question_scenario"))
    st.markdown("#### What staffing meets the target?")
    staffing_question(scenario, shared_pool().lane(session_key()), 0)
    st.markdown("#### Which uncertain inputs drive a result?")
    sensitivity_question(scenario, shared_pool().lane(session_key()), 0)


def profile_page() -> None:
    """A council's published figures against a scenario: the baseline it should recognise."""
    st.subheader("Does the baseline look like the council?")
    left, right = st.columns(2)
    names = list(PROFILES) + [UPLOAD_PROFILE]
    choice = left.selectbox("Council profile", names, key="profile_choice")
    if choice == UPLOAD_PROFILE:
        upload = left.file_uploader("Profile (YAML)", type=["yaml", "yml"], key="profile_upload", max_upload_size=1)
        if upload is None:
            st.info("Upload a profile: the council's published figures, each with its year and source "
                    "(see data/profiles/barnet.yaml).")
            return
        try:
            profile = flowsim.profile_from_text(upload.getvalue(), upload.name)
        except flowsim.InputError as error:
            show_problems(error, f"{upload.name} cannot be used")
            return
    else:
        profile = flowsim.load_profile(PROFILES[choice])
    scenario_name = right.selectbox("Scenario", list(SHIPPED), key="profile_scenario",
                                    index=list(SHIPPED).index("barnet_current"))
    scenario = shipped(scenario_name)
    frame = flowsim.profile.rows_frame(flowsim.check_profile(profile, scenario, reps=0))
    matched = frame["matches"].dropna()
    st.caption(plain(f"{profile.council}'s figures against {scenario.name}") + " (expected flows; the CLI's "
               f"`flowsim profile check` adds the simulation's intervals): {int(matched.sum())} of {len(matched)} "
               "comparable figures within their tolerance. Error = modelled − observed.")
    st.dataframe(profile_table(frame), hide_index=True, width="stretch")
    st.altair_chart(profile_chart(frame), width="content")
    drift = flowsim.steady_state(scenario)
    if not drift.balanced:
        st.warning("Steady state: " + "\n\n".join(plain(w) for w in drift.warnings()))
    fit_section(profile, scenario)


def main() -> None:
    page = st.sidebar.radio("Page", PAGES, key="page", horizontal=True, label_visibility="collapsed")
    try:
        if page == PAGES[0]:
            compare_page()
        elif page == PAGES[1]:
            appraisal_page.show(show_problems)
        elif page == PAGES[2]:
            profile_page()
        else:
            questions_page()
    except flowsim.FlowsimError as error:  # a mistake in what was asked: a message, and the app carries on
        show_problems(error, "flowsim cannot do this")


main()
