"""The comparison's tabs in the app: flows, hours, waiting, packages, all results, localities,
the committee pack and what the model is. Each tab reads a finished comparison; the
building of tables, charts and files happens in the library modules beside this one."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from flowsim.engine import Comparison
from flowsim.format import kpi_unit, number
from flowsim.profile import simulated_steady_state
from flowsim.scenario.schema import Scenario
from flowsim.ui import about, charts, report
from flowsim.ui.exports import RunSettings, results_csv, results_table, results_workbook, title
from flowsim.ui.text import plain
from flowsim.ui.tiles import caseload_rows, package_rows, role_rows
from flowsim.vocabulary import GROUP_MEASURES, kpi_label

TABS = ["Flows", "Practitioner hours", "Waiting", "Packages of care", "All results", "Localities",
        "Committee pack", "About the model"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show(comparison: Comparison, a: Scenario, b: Scenario) -> None:
    """Every tab, for a finished comparison of A and B."""
    tabs = dict(zip(TABS, st.tabs(TABS)))
    settings = RunSettings(a, b, comparison.a.reps, comparison.a.seed, dt.date.today())
    with tabs["Flows"]:
        show_flows(comparison, a, b)
    with tabs["Practitioner hours"]:
        st.altair_chart(charts.hours_chart(role_rows(comparison, a, b)), width="stretch")
        caseloads = caseload_rows(comparison, a, b)
        if len(caseloads):
            st.altair_chart(charts.caseload_chart(caseloads), width="stretch")
            st.caption("Roles that hold cases: each practitioner's open cases, averaged over the horizon.")
    with tabs["Waiting"]:
        show_waiting(comparison, a, b)
    with tabs["Packages of care"]:
        st.altair_chart(charts.packages_chart(package_rows(comparison, a, b)), width="stretch")
        show_balance(comparison, a, b)
        show_groups(comparison, a, b)
    with tabs["All results"]:
        show_results(comparison, settings)
    with tabs["Localities"]:
        show_localities(comparison, a, b)
    with tabs["Committee pack"]:
        show_pack(comparison, settings)
    with tabs["About the model"]:
        show_about(a, b)


def show_flows(comparison: Comparison, a: Scenario, b: Scenario) -> None:
    st.caption("Where people go, left to right: height = people a year (mean over replications), one scale for both "
               "sides. Hover a band or a box for its numbers; on B's diagram, also A's and B − A.")
    for chart in report.flow_charts(comparison, a, b):
        st.altair_chart(chart, width="stretch")


def show_balance(comparison: Comparison, a: Scenario, b: Scenario) -> None:
    """Whether each side's caseload of packages held over the run, with the packages it really started."""
    lines, why = [], ""
    for side, results, scenario in (("A", comparison.a, a), ("B", comparison.b, b)):
        state = simulated_steady_state(scenario, results.summary().set_index("kpi")["mean"])
        if state.flagged:
            lines.append(plain(f"{side}: with the packages this run started, {state.summary()}."))
            why = state.why_simulated()
    if lines:
        st.warning("\n".join(f"- {line}" for line in lines) + f"\n\n{plain(why[0].upper() + why[1:])}. "
                   "A model meant to start fewer packages drains by design; multi-year results inherit the drift.")


def show_groups(comparison: Comparison, a: Scenario, b: Scenario) -> None:
    """Contacts and packages per client group, where either side splits its demand into groups."""
    groups = list(dict.fromkeys([*a.demand.groups, *b.demand.groups]))
    if not groups:
        return
    st.subheader("By client group")
    kpis = [f"{measure}.{group}" for group in groups for measure in GROUP_MEASURES]
    st.dataframe(results_table(comparison, a, b, kpis), hide_index=True, width="stretch")
    st.caption("Over the horizon. A package counts to the group of the person it is for; packages held at the "
               "start, and those for people from the competing workstreams, count to no group.")


def show_waiting(comparison: Comparison, a: Scenario, b: Scenario) -> None:
    stages = [s for s in a.stages if s in b.stages] or list(a.stages)
    default = stages.index(a.key_stage) if a.key_stage in stages else 0
    stage = st.selectbox("Stage", stages, index=default, format_func=a.label, key="waiting_stage")
    sides = (("A", comparison.a), ("B", comparison.b))
    bands = pd.concat([charts.waiting_band(r.timeseries, stage, side) for side, r in sides
                       if stage in r.timeseries["name"].values], ignore_index=True)
    st.markdown(f"**Waiting for: {plain(a.label(stage))}** (mean over replications, 95% band)")
    st.altair_chart(charts.waiting_chart(bands, ""), width="stretch")
    by_time = pd.concat([charts.waiting_by_time_waited(r.timeseries, stage, side) for side, r in sides],
                        ignore_index=True)
    if len(by_time):
        st.markdown("**Waiting list by time waited**")
        st.altair_chart(charts.waiting_bands_chart(by_time, ""), width="content")
    target = (a.stages.get(stage) or b.stages[stage]).wait_target_days
    histogram = report.wait_rows(comparison, a, b, stage)
    st.markdown("**How long people waited**" + (f" (red line: the target, {number(target, 'days')} days)"
                                                 if target else ""))
    st.altair_chart(charts.wait_distribution(histogram, target), width="stretch")
    totals = histogram.groupby("side")["people"].sum()
    st.caption("People a year who finished this stage, by days they waited for it: each replication's count, "
               "averaged over replications. In all: " + " · ".join(f"{side} {number(totals.get(side), decimals=0)}"
                                                     for side in ("A", "B")) + ".")


def show_results(comparison: Comparison, settings: RunSettings) -> None:
    a, b = settings.a, settings.b
    st.caption("Every KPI: each side's mean and 95% interval, and the paired difference B − A (positive: B has more). "
               + plain(" · ".join(f"{field}: {value}" for field, value in settings.rows()[:4])))
    st.dataframe(results_table(comparison, a, b), hide_index=True, width="stretch", height=420)
    stem = f"{a.name}_vs_{b.name}"
    left, right = st.columns(2)
    # Made when clicked, not at every rerun: the workbook alone took about a second of each slider move
    left.download_button("Download all results (CSV)", lambda: results_csv(comparison, settings),
                         file_name=f"{stem}.csv", mime="text/csv", key="download_csv", on_click="ignore")
    right.download_button("Download workbook (Excel: results, each replication, inputs and sources)",
                          lambda: results_workbook(comparison, settings), file_name=f"{stem}.xlsx", mime=XLSX,
                          key="download_xlsx", on_click="ignore")


def show_localities(comparison: Comparison, a: Scenario, b: Scenario) -> None:
    """One locality's KPIs, each side and B − A; shared stages and teams are in All results."""
    places = list(dict.fromkeys(a.locality_names + b.locality_names))
    if not places:
        st.info("Neither scenario is split into localities (see herefordshire_localities).")
        return
    place = st.selectbox("Locality", places, key="locality")
    table = comparison.table()
    mine = table[table["kpi"].str.endswith(f"__{place}")]
    owner = b if any(place in s.locality_names for s in (b,)) else a
    units = [kpi_unit(k) for k in mine["kpi"]]
    shown = pd.DataFrame({
        "KPI": [kpi_label(k, owner.label) for k in mine["kpi"]],
        f"A: {title(a)}": [number(v, u) for v, u in zip(mine["a_mean"], units)],
        f"B: {title(b)}": [number(v, u) for v, u in zip(mine["b_mean"], units)],
        "B − A": [number(v, u, difference=True) for v, u in zip(mine["b_minus_a_mean"], units)]})
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption("Means over replications; a share's difference is in percentage points (pp); – where a side has "
               "no such locality.")


def show_pack(comparison: Comparison, settings: RunSettings) -> None:
    a, b = settings.a, settings.b
    st.markdown("A report for a committee: the headline tiles, the saving A − B, the charts, what differs between "
                "the scenarios, the assumptions behind them with their sources, and the run settings.")
    key = (id(comparison.a), id(comparison.b))  # the cached runs: the same until either side changes
    if st.button("Prepare the committee pack", key="prepare_pack"):
        with st.spinner("Drawing the charts and printing the PDF…"):
            page = report.report_html(comparison, settings, report.pack_charts(comparison, a, b),
                                      report.saving(comparison, a, b))
            st.session_state["pack"] = (key, page, *report.pdf(page))
    ready = st.session_state.get("pack")
    if not ready or ready[0] != key:
        return
    _, page, pdf_bytes, why = ready
    stem = f"{a.name}_vs_{b.name}_committee_pack"
    left, right = st.columns(2)
    left.download_button("Download the committee pack (HTML)", page.encode("utf-8"), file_name=f"{stem}.html",
                         mime="text/html", key="download_pack_html", on_click="ignore")
    if pdf_bytes:
        right.download_button("Download the committee pack (PDF)", pdf_bytes, file_name=f"{stem}.pdf",
                              mime="application/pdf", key="download_pack_pdf", on_click="ignore")
    else:
        right.info(why)


def show_about(a: Scenario, b: Scenario) -> None:
    st.markdown(about.SIMULATED)
    st.markdown(about.NOT_SIMULATED)
    st.markdown(about.INTERVALS)
    st.markdown("**What stands behind these scenarios.** Every number a scenario uses, by where it comes from "
                "(the ? beside each slider, and the workbook's Inputs sheet, give each one's source):")
    st.dataframe(about.provenance_table({f"A: {title(a)}": a, f"B: {title(b)}": b}), hide_index=True)
    st.caption(plain(about.summary_sentence("A", a) + " " + about.summary_sentence("B", b)))
