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

import pandas as pd
import streamlit as st
import yaml

import flowsim
from flowsim.calibrate import calibrate_text
from flowsim.finance import appraise, barnet_inputs, savings
from flowsim.engine.replications import DEFAULT_REPLICATIONS
from flowsim.format import figure, money, number, share
from flowsim.scenario.teams import parse_team_table
from flowsim.ui import charts, serving
from flowsim.ui import savings as savings_view
from flowsim.ui.controls import controls_for, overrides_from
from flowsim.ui.profile import profile_chart, profile_table
from flowsim.ui.run_control import requested_run, simulate
from flowsim.ui.text import plain
from flowsim.ui.tiles import caseload_rows, headlines, package_rows, role_rows
from flowsim.vocabulary import kpi_label

ROOT = Path(__file__).resolve().parent
LOG = logging.getLogger("flowsim.app")
SHIPPED = {path.stem: path for path in sorted((ROOT / "scenarios").glob("*.yaml"))}
UPLOAD = "Upload a scenario file…"
COUNTS = "Build from a council's counts (CSV)…"
MAX_UPLOAD_BYTES = flowsim.MAX_SCENARIO_BYTES
DEFAULTS = {"A": "barnet_current", "B": "barnet_new_model"}
PAGES = ["Compare operating models", "Options appraisal", "Council profile"]
PROFILES = {path.stem: path for path in sorted((ROOT / "data" / "profiles").glob("*.yaml"))}
UPLOAD_PROFILE = "Upload a profile…"
GROUPS = ["Demand", "Digital self-service", "Front door", "Community hub", "Assessment", "Safeguarding", "Staffing", "Productivity", "Packages"]

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


def from_counts(side: str) -> flowsim.Scenario | None:
    """A scenario calibrated from an uploaded counts file (from,to,people)."""
    return scenario_upload("Counts (CSV: from,to,people)", ["csv"], f"counts_{side}",
                           lambda data, name: calibrate_text(data, name)[1],
                           help="A year's people moving from a referral source or stage to a stage or outcome; "
                                "see examples/barnet_counts.csv.")


def scenario_upload(label: str, types: list[str], key: str, build, help: str | None = None):
    """A scenario from an uploaded file; problems shown, the last good one from this uploader kept."""
    upload = st.file_uploader(label, type=types, key=key, max_upload_size=1, help=help)
    remembered = st.session_state.get(f"last_good_{key}")
    if upload is None:
        return remembered
    if upload.size > MAX_UPLOAD_BYTES:
        st.error(plain(f"{upload.name} is {number(upload.size)} bytes; at most {number(MAX_UPLOAD_BYTES)} are accepted."))
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
    values = {}
    for group in GROUPS:
        mine = [c for c in controls if c.group == group]
        if mine:
            with st.expander(group):
                for control in mine:
                    values[control.key] = slider(side, scenario, control)
    with st.expander("Team table"):
        staffed = team_table_fte(side, scenario)
    last_good = st.session_state.get(f"edited_{side}|{scenario.name}")
    try:
        changes = overrides_from(scenario, controls, values) | {"time.horizon_days": horizon} | staffed
        variant = flowsim.vary(scenario, changes)
    except (ValueError, flowsim.FlowsimError) as error:
        show_problems(error, "These settings cannot be used" + (" (showing the last good ones)" if last_good else ""))
        return last_good
    st.session_state[f"edited_{side}|{scenario.name}"] = variant
    return variant


def team_table_fte(side: str, scenario: flowsim.Scenario) -> dict[str, float]:
    """Role FTE from an uploaded team table (team, fte), each team mapped to a role or left out."""
    upload = st.file_uploader("Team table (CSV: team, fte)", type=["csv"], key=f"teams_{side}|{scenario.name}",
                              max_upload_size=1, help="A council's own teams and their FTE, e.g. data/teams/bnes.csv. "
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
    parts = []
    for side, scenario in (("A", a), ("B", b)):
        f = flowsim.expected_flows(scenario)
        busiest = max(f.roles, key=lambda r: f.roles[r].utilisation)
        packages = sum(f.outcomes[n] for n in scenario.package_outcomes())
        key = scenario.key_stage
        assessed = f"{number(f.stages.get(key, 0), decimals=0)} × {scenario.label(key)}, " if key else ""
        parts.append(f"**{side}** " + plain(f"{assessed}{number(packages, decimals=0)} new packages a year; "
                                            f"busiest: {scenario.label(busiest)} at "
                                            f"{share(f.roles[busiest].utilisation)}"))
        for warning in f.warnings:
            st.warning(plain(f"{side}: {warning}"))
        drift = flowsim.steady_state(scenario, f).summary()
        if drift:
            st.warning(plain(f"{side}: steady state: {drift}. Multi-year results inherit the drift."))
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
    show_savings(comparison, a, b)
    show_charts(comparison, a, b)


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


def show_charts(comparison: flowsim.Comparison, a: flowsim.Scenario, b: flowsim.Scenario) -> None:
    places = list(dict.fromkeys(a.locality_names + b.locality_names))
    flows_tab, hours_tab, waiting_tab, packages_tab, table_tab, places_tab = st.tabs(
        ["Flows", "Practitioner hours", "Waiting", "Packages of care", "All results", "Localities"])
    with places_tab:
        show_localities(comparison, places)
    sides = (("A", comparison.a, a), ("B", comparison.b, b))
    with flows_tab:
        edge_means = {}
        for side, results, _ in sides:
            means = results.summary().set_index("kpi")["mean"]
            edges = {tuple(k[len("flow."):].split("->")): v for k, v in means.items() if k.startswith("flow.")}
            people = {k.split(".", 1)[1]: v for k, v in means.items() if k.startswith(("arrivals.", "outcomes."))}
            edge_means[side] = (edges, people)
        biggest = max((v for edges, _ in edge_means.values() for v in edges.values()), default=1.0)
        left, right = st.columns(2)
        for column, (side, _, scenario) in zip((left, right), sides):
            edges, people = edge_means[side]
            with column:
                st.altair_chart(charts.flow_diagram(scenario, edges, people, biggest, f"{side}: {scenario.name}",
                                                    width=430), width="content")
        st.caption("Band width: people a year along each route (mean over replications); both diagrams on one scale.")
    with hours_tab:
        st.altair_chart(charts.hours_chart(role_rows(comparison, a, b)), width="stretch")
        caseloads = caseload_rows(comparison, a, b)
        if len(caseloads):
            st.altair_chart(charts.caseload_chart(caseloads), width="stretch")
            st.caption("Roles that hold cases: each practitioner's open cases, averaged over the horizon.")
    with waiting_tab:
        stages = [s for s in a.stages if s in b.stages] or list(a.stages)
        default = stages.index(a.key_stage) if a.key_stage in stages else 0
        stage = st.selectbox("Stage", stages, index=default, format_func=a.label, key="waiting_stage")
        bands = pd.concat([charts.waiting_band(r.timeseries, stage, side) for side, r, _ in sides
                           if stage in r.timeseries["name"].values], ignore_index=True)
        st.altair_chart(charts.waiting_chart(bands, f"Waiting for: {a.label(stage)}"), width="stretch")
        by_time = pd.concat([charts.waiting_by_time_waited(r.timeseries, stage, side) for side, r, _ in sides],
                            ignore_index=True)
        if len(by_time):
            st.altair_chart(charts.waiting_bands_chart(by_time, "Waiting list by time waited"), width="content")
        waits = pd.concat([r.events.loc[r.events["stage"] == stage, ["wait"]].assign(side=side)
                           for side, r, _ in sides], ignore_index=True)
        target = (a.stages.get(stage) or b.stages[stage]).wait_target_days
        st.altair_chart(charts.wait_distribution(waits, target, "How long people waited (red: the target)"),
                        width="stretch")
    with packages_tab:
        st.altair_chart(charts.packages_chart(package_rows(comparison, a, b)), width="stretch")
    with table_tab:
        table = comparison.table()
        st.caption("Every KPI: each side's mean and 95% interval, and the paired difference B − A "
                   "(the effect of moving from A to B).")
        st.dataframe(table, width="stretch", height=420)
        st.download_button("Download all results (CSV)", table.to_csv(index=False).encode("utf-8"),
                           file_name=f"{a.name}_vs_{b.name}.csv", mime="text/csv")


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


def compare_page() -> None:
    st.subheader("flowsim: referral flows, side by side")
    scenarios = {}
    with st.sidebar:
        st.header("Scenarios")
        bases = {side: choose_scenario(side) for side in ("A", "B")}
        with st.expander("Run settings"):
            horizon = st.slider("Days to simulate", 30, 1100, 365, 5, key="horizon")
            reps = st.slider("Replications", 2, 30, DEFAULT_REPLICATIONS, 1, key="reps",
                             help="More replications give narrower confidence intervals and take longer.")
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
                if scenarios[side] is not None:
                    text = yaml.safe_dump(flowsim.scenario_document(scenarios[side]), sort_keys=False,
                                          allow_unicode=True)
                    st.download_button(f"Download scenario {side} (YAML)", text.encode("utf-8"),
                                       file_name=f"{scenarios[side].name}_edited.yaml", key=f"download_{side}")
    if scenarios.get("A") is None or scenarios.get("B") is None:
        st.info("Choose or upload a scenario for both sides.")
        return
    a, b = scenarios["A"], scenarios["B"]
    st.caption(plain(f"A = {a.name} ({a.council}, {a.operating_model} model) · B = {b.name} ({b.council}, "
                     f"{b.operating_model} model) · {reps} paired replications of {horizon} days.") +
               " Change either side in the sidebar; every default says where it comes from (hover the ?).")
    with st.container():  # however many warnings the preview has, what follows keeps its place
        preview(a, b)
    status = st.empty()  # progress, a refusal, or "press Run": always one slot, so the tiles never jump
    inputs = requested_run(a, b, reps, int(seed), auto, status)
    if inputs is not None:
        show_results(inputs, status)


def appraisal_page() -> None:
    """Barnet's options appraisal of delivery models (seed 000, section 6), editable."""
    st.subheader("Options appraisal: Barnet's alternative delivery models")
    inputs = barnet_inputs()
    st.caption(f"In-scope services 2017/18 {money(inputs.in_scope_value, exact=True)}; wider MTFS target "
               f"{money(inputs.mtfs_target, exact=True)} (the table's figure for the £13.1m); ADM savings target "
               f"{money(inputs.adm_savings_target, exact=True)}. Source: seed 000_dcec78990aeaf4aa.txt, section 6, "
               "'ADM financial model'. Edit the savings or confidence to test the ranking.")
    start = pd.DataFrame([{"option": o.label, "total savings (£)": o.total_savings,
                           "confidence in the MTFS target": o.mtfs_confidence} for o in inputs.options])
    edited_table = st.data_editor(start, disabled=["option"], hide_index=True, key="appraisal_inputs",
                                  column_config={"total savings (£)": st.column_config.NumberColumn(format="%.0f"),
                                                 "confidence in the MTFS target": st.column_config.NumberColumn(
                                                     min_value=0.0, max_value=1.0, step=0.01, format="%.2f")})
    names = {o.label: o.name for o in inputs.options}
    try:
        changed = inputs.with_changes(
            savings={names[r["option"]]: float(r["total savings (£)"]) for r in edited_table.to_dict("records")},
            confidence={names[r["option"]]: float(r["confidence in the MTFS target"])
                        for r in edited_table.to_dict("records")})
    except (flowsim.FlowsimError, TypeError, ValueError) as error:
        show_problems(error, "These figures cannot be used")
        changed = inputs
    saving = None
    remembered = st.session_state.get("last_saving")
    if remembered and st.checkbox(f"Use the simulated demand saving A − B of {plain(remembered[0])} "
                                  f"({money(remembered[1]['mean'], difference=True)}) in place of the assumed "
                                  "'MTFS delivered' (never both)"):
        saving = remembered[1]
    table = appraise(changed, saving)
    shown = table.drop(columns=["option"]).rename(columns={
        "label": "option", "total_savings": "ADM savings (£)", "revised_budget": "revised budget (£)",
        "mtfs_confidence": "confidence", "mtfs_savings_delivered": "MTFS delivered (£)",
        "total_benefit": "total benefit (£)", "share_of_adm_target": "share of ADM target",
        "demand_saving_mean": "simulated demand saving (£)", "demand_saving_ci_low": "demand saving 95% CI low (£)",
        "demand_saving_ci_high": "demand saving 95% CI high (£)",
        "demand_saving_reaches_mtfs_target": "chance demand saving reaches the MTFS target",
        "total_benefit_ci_low": "total benefit 95% CI low (£)", "total_benefit_ci_high": "total benefit 95% CI high (£)"})
    pounds = {c: st.column_config.NumberColumn(format="£%,.0f") for c in shown.columns if "(£)" in c}
    st.dataframe(shown, hide_index=True, width="stretch", column_config=pounds | {
        "share of ADM target": st.column_config.NumberColumn(format="percent"),
        "confidence": st.column_config.NumberColumn(format="percent")})
    st.altair_chart(charts.appraisal_chart(table, inputs.adm_savings_target), width="stretch")
    st.download_button("Download the appraisal (CSV)", table.to_csv(index=False).encode("utf-8"),
                       file_name="options_appraisal.csv", mime="text/csv")


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


def show_localities(comparison: flowsim.Comparison, places: list[str]) -> None:
    """One locality's KPIs, each side and B − A; shared stages and teams are in All results."""
    if not places:
        st.info("Neither scenario is split into localities (see herefordshire_localities).")
        return
    place = st.selectbox("Locality", places, key="locality")
    table = comparison.table()
    mine = table[table["kpi"].str.endswith(f"__{place}")]
    shown = pd.DataFrame({"KPI": [kpi_label(k) for k in mine["kpi"]], "A": mine["a_mean"], "B": mine["b_mean"],
                          "B − A": mine["b_minus_a_mean"]})
    st.dataframe(shown, hide_index=True, width="stretch")


def main() -> None:
    page = st.sidebar.radio("Page", PAGES, key="page", horizontal=True, label_visibility="collapsed")
    try:
        if page == PAGES[0]:
            compare_page()
        elif page == PAGES[1]:
            appraisal_page()
        else:
            profile_page()
    except flowsim.FlowsimError as error:  # a mistake in what was asked: a message, and the app carries on
        show_problems(error, "flowsim cannot do this")


main()
