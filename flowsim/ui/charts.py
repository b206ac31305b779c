"""Charts for comparing two scenarios side by side (altair).

Each builder takes tidy tables from the engine and returns an altair chart.
Charts of the two sides share their scales so they can be read at a glance.
Numbers in labels and titles come from ``flowsim.format``; tooltips use
Vega's own format strings (",.0f"), which the browser applies.
The flow diagram has a module of its own (``flow_diagram``).
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats

from flowsim.format import money
from flowsim.vocabulary import MEASURE_LABELS

# People waiting by time waited so far (the ADASS survey bands), shortest first: measure, colour.
WAITING_BANDS = (("waiting_under_4_weeks", "#9ecae1"), ("waiting_1_3_months", "#fdd0a2"),
                 ("waiting_3_6_months", "#fd8d3c"), ("waiting_over_6_months", "#d94801"))

# An axis of pounds read like flowsim.format.money: £0, £500k, £20m.
POUNDS_AXIS = ("datum.value >= 1e6 ? '£' + format(datum.value / 1e6, ',.4~r') + 'm' : "
               "datum.value >= 1e3 ? '£' + format(datum.value / 1e3, ',.4~r') + 'k' : '£' + format(datum.value, ',')")
SIDE_COLOURS = alt.Scale(domain=["A", "B"], range=["#4c78a8", "#f58518"])


def _role_bars(rows: pd.DataFrame, measure: str, title: str, tooltip: list) -> tuple[alt.Chart, alt.Chart]:
    """A bar per role and side (A above B), and the base chart to layer marks on."""
    base = alt.Chart(rows).encode(y=alt.Y("role:N", title=None, axis=alt.Axis(labelLimit=240)),
                                  yOffset=alt.YOffset("side:N"))
    bars = base.mark_bar().encode(x=alt.X(f"{measure}:Q", title=title),
                                  color=alt.Color("side:N", scale=SIDE_COLOURS, title="side"),
                                  tooltip=["side", "role", *tooltip])
    return base, bars


def hours_chart(rows: pd.DataFrame) -> alt.Chart:
    """Practitioner hours demanded against hours available, by role and side.

    ``rows``: side, role, hours_demanded, hours_available, utilisation.
    """
    base, bars = _role_bars(rows, "hours_demanded", "hours a year (bar: demanded; tick: available)",
                            [alt.Tooltip("hours_demanded:Q", format=",.0f"),
                             alt.Tooltip("hours_available:Q", format=",.0f"),
                             alt.Tooltip("utilisation:Q", format=".0%")])
    ticks = base.mark_tick(color="black", thickness=2, size=12).encode(x="hours_available:Q")
    return (bars + ticks).properties(height=max(160, 44 * rows["role"].nunique()))


def waiting_chart(series: pd.DataFrame, title: str) -> alt.Chart:
    """Waiting list over time: the mean over replications with a 95% band, per side.

    ``series``: side, date, mean, low, high.
    """
    base = alt.Chart(series).encode(x=alt.X("date:T", title=None))
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title="people waiting"), y2="high:Q", color=alt.Color("side:N", scale=SIDE_COLOURS))
    line = base.mark_line().encode(y="mean:Q", color=alt.Color("side:N", scale=SIDE_COLOURS, title="side"))
    return (band + line).properties(title=title, height=260)


def waiting_band(timeseries: pd.DataFrame, stage: str, side: str) -> pd.DataFrame:
    """Mean and 95% interval across replications of the daily waiting list at one stage."""
    rows = timeseries[(timeseries["measure"] == "waiting") & (timeseries["name"] == stage)]
    daily = rows.groupby("date")["value"].agg(["mean", "std", "count"]).reset_index()
    runs = int(daily["count"].max()) if len(daily) else 0
    t = stats.t.ppf(0.975, runs - 1) if runs > 1 else 0.0
    half = (t * daily["std"] / np.sqrt(daily["count"])).fillna(0.0)
    return pd.DataFrame({"side": side, "date": daily["date"], "mean": daily["mean"],
                         "low": (daily["mean"] - half).clip(lower=0.0), "high": daily["mean"] + half})


def waiting_by_time_waited(timeseries: pd.DataFrame, stage: str, side: str) -> pd.DataFrame:
    """Mean over replications of the people waiting at one stage each day, by time waited so far.

    Rows: side, date, band (its label), order (0 = under 4 weeks), people."""
    measures = [measure for measure, _ in WAITING_BANDS]
    rows = timeseries[timeseries["measure"].isin(measures) & (timeseries["name"] == stage)]
    daily = rows.groupby(["date", "measure"], observed=True)["value"].mean().reset_index()
    order = {measure: i for i, measure in enumerate(measures)}
    return pd.DataFrame({"side": side, "date": daily["date"], "band": daily["measure"].map(MEASURE_LABELS),
                         "order": daily["measure"].map(order), "people": daily["value"]})


def waiting_bands_chart(rows: pd.DataFrame, title: str) -> alt.FacetChart:
    """The waiting list over time, stacked by time waited so far (shortest at the bottom), one panel per side,
    on one scale. ``rows``: from ``waiting_by_time_waited``."""
    colours = alt.Scale(domain=[MEASURE_LABELS[m] for m, _ in WAITING_BANDS], range=[c for _, c in WAITING_BANDS])
    return alt.Chart(rows).mark_area().encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("people:Q", stack="zero", title="people waiting (mean over replications)"),
        color=alt.Color("band:N", scale=colours, title="time waited", sort=colours.domain),
        order=alt.Order("order:Q"),
        tooltip=["side", alt.Tooltip("date:T"), "band", alt.Tooltip("people:Q", format=",.1f")],
    ).properties(height=220, width=330).facet(column=alt.Column("side:N", title=None)).properties(title=title)


def caseload_chart(rows: pd.DataFrame) -> alt.Chart:
    """Open cases per practitioner by role, A against B, with 95% intervals.

    ``rows``: side, role, open_cases, ci_low, ci_high (``flowsim.ui.tiles.caseload_rows``)."""
    base, bars = _role_bars(rows, "open_cases", "open cases per practitioner, average (line: 95% CI)",
                            [alt.Tooltip(f"{c}:Q", format=",.1f") for c in ("open_cases", "ci_low", "ci_high")])
    whiskers = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
    return (bars + whiskers).properties(height=max(120, 44 * rows["role"].nunique()),
                                        title="Open cases per practitioner")


def wait_histogram(waits: pd.DataFrame, reps: dict[str, int], years: dict[str, float]) -> pd.DataFrame:
    """People a year by days waited, per side: each replication's people, averaged over replications.

    ``waits``: side, wait (days); ``reps`` and ``years``: per side. Bins are whole days (wider,
    still whole, when waits are long), from 0 to the longest wait, so each side's bars add up to
    the people seen a year. Rows: side, start, end (days), people (a year).
    """
    longest = float(waits["wait"].max()) if len(waits) else 0.0
    width = max(1, int(np.ceil(longest / 60)))  # at most about 60 bars
    edges = np.arange(0, longest + width + 1e-9, width)
    rows = []
    for side, group in waits.groupby("side"):
        counts, _ = np.histogram(group["wait"].clip(lower=0.0), bins=edges)
        per_year = counts / reps[side] / years[side]
        rows += [{"side": side, "start": float(lo), "end": float(hi), "people": p}
                 for lo, hi, p in zip(edges[:-1], edges[1:], per_year)]
    return pd.DataFrame(rows, columns=["side", "start", "end", "people"])


def wait_distribution(histogram: pd.DataFrame, target: float | None) -> alt.Chart:
    """How long people waited, against the target: people a year by days waited, A and B overlaid.

    ``histogram``: from ``wait_histogram``."""
    days = alt.Axis(tickMinStep=1, format="d", title="days waited (red line: the target)")
    bars = alt.Chart(histogram).mark_bar(opacity=0.55, binSpacing=0).encode(
        x=alt.X("start:Q", axis=days, scale=alt.Scale(nice=False)), x2="end:Q",
        y=alt.Y("people:Q", stack=None, title="people a year"), y2=alt.Y2Datum(0),
        color=alt.Color("side:N", scale=SIDE_COLOURS, title="side"),
        tooltip=["side", alt.Tooltip("start:Q", title="from day", format="d"),
                 alt.Tooltip("end:Q", title="to day", format="d"),
                 alt.Tooltip("people:Q", title="people a year", format=",.0f")])
    if target:
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color="red", strokeDash=[4, 3]).encode(
            x="target:Q", tooltip=[alt.Tooltip("target:Q", title="target (days)")])
        return (bars + rule).properties(height=240)
    return bars.properties(height=240)


def packages_chart(rows: pd.DataFrame) -> alt.Chart:
    """New packages a year by type and side. ``rows``: side, type, new, cost_a_year."""
    return alt.Chart(rows).mark_bar().encode(
        y=alt.Y("type:N", title=None, axis=alt.Axis(labelLimit=240)), yOffset="side:N",
        x=alt.X("new:Q", title="new packages"),
        color=alt.Color("side:N", scale=SIDE_COLOURS, title="side"),
        tooltip=["side", "type", alt.Tooltip("new:Q", format=",.0f"),
                 alt.Tooltip("cost_a_year:Q", title="their cost a year (£)", format=",.0f")],
    ).properties(height=max(160, 36 * rows["type"].nunique()))


def appraisal_chart(table: pd.DataFrame, adm_target: float) -> alt.Chart:
    """Total benefit by delivery option: its own savings and the demand saving (assumed MTFS savings delivered,
    or the simulated demand saving that replaces it), stacked."""
    simulated = "demand_saving_mean" in table
    demand = "demand_saving_mean" if simulated else "mtfs_savings_delivered"
    parts = table.melt(id_vars=["label", "rank"], value_vars=["total_savings", demand],
                       var_name="part", value_name="pounds")
    parts["part"] = parts["part"].map({"total_savings": "ADM savings", "mtfs_savings_delivered": "MTFS savings delivered",
                                       "demand_saving_mean": "simulated demand saving"})
    order = list(table.sort_values("rank")["label"])
    bars = alt.Chart(parts).mark_bar().encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("sum(pounds):Q", title="total benefit to the council",
                axis=alt.Axis(labelExpr=POUNDS_AXIS)),
        color=alt.Color("part:N", title=None),
        tooltip=["label", "part", alt.Tooltip("pounds:Q", title="£", format=",.0f")])
    layers = [bars]
    title = f"ADM savings target {money(adm_target, exact=True)}"
    if simulated:
        layers.append(alt.Chart(table).mark_rule(color="black").encode(
            y=alt.Y("label:N", sort=order), x="total_benefit_ci_low:Q", x2="total_benefit_ci_high:Q"))
        title += "; lines: 95% interval of the simulated demand saving"
    return alt.layer(*layers).properties(height=220, title=title)
