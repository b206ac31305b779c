"""Charts for comparing two scenarios side by side (altair).

Each builder takes tidy tables from the engine and returns an altair chart.
Charts of the two sides share their scales so they can be read at a glance.
Numbers in labels and titles come from ``flowsim.format``; tooltips use
Vega's own format strings (",.0f"), which the browser applies.
The flow diagram's layout comes from the networkx flow graph: stages in
columns by their distance from the front door, outcomes in the last column,
edges drawn as bands whose width is the number of people.
"""
from __future__ import annotations

import altair as alt
import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from flowsim.format import money, number
from flowsim.scenario.schema import Scenario
from flowsim.vocabulary import MEASURE_LABELS

# People waiting by time waited so far (the ADASS survey bands), shortest first: measure, colour.
WAITING_BANDS = (("waiting_under_4_weeks", "#9ecae1"), ("waiting_1_3_months", "#fdd0a2"),
                 ("waiting_3_6_months", "#fd8d3c"), ("waiting_over_6_months", "#d94801"))

SIDE_COLOURS = alt.Scale(domain=["A", "B"], range=["#4c78a8", "#f58518"])
KIND_COLOURS = alt.Scale(domain=["stage", "closed", "package", "review"],
                         range=["#4c78a8", "#9d9d9d", "#e45756", "#72b7b2"])


def flow_layout(scenario: Scenario) -> pd.DataFrame:
    """Node positions: x = column (distance from an entry stage), y = row within the column."""
    network = scenario.network
    union = network.union()
    union.add_nodes_from(scenario.stages)
    entries = network.start_stages()
    depth: dict[str, int] = {}
    for entry in entries:
        for node, d in nx.single_source_shortest_path_length(union, entry).items():
            if node in scenario.stages:
                depth[node] = min(depth.get(node, d), d)
    last = max(depth.values(), default=0) + 1
    rows = []
    for name in scenario.stages:
        rows.append({"node": name, "column": depth.get(name, 0), "kind": "stage"})
    for name, outcome in scenario.outcomes.items():
        rows.append({"node": name, "column": last, "kind": outcome.kind})
    frame = pd.DataFrame(rows)
    frame["row"] = frame.groupby("column").cumcount()
    counts = frame.groupby("column")["row"].transform("count")
    frame["y"] = (frame["row"] + 0.5) / counts  # spread each column over the height
    frame["label"] = [scenario.label(n) for n in frame["node"]]
    return frame


def _band(x0: float, y0: float, x1: float, y1: float, points: int = 16) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0, 1, points)
    s = t * t * (3 - 2 * t)  # smooth step: horizontal at both ends
    return x0 + (x1 - x0) * t, y0 + (y1 - y0) * s


def flow_diagram(scenario: Scenario, edges: dict[tuple[str, str], float], people: dict[str, float],
                 max_people: float, title: str, width: int = 560, height: int = 480) -> alt.Chart:
    """Stages and outcomes with bands as wide as the people moving between them."""
    layout = flow_layout(scenario).set_index("node")
    layout["people"] = [people.get(n, 0.0) for n in layout.index]
    shown = layout[(layout["kind"] == "stage") | (layout["people"] > 0)]
    pieces = []
    for (a, b), n in edges.items():
        if n <= 0 or a not in shown.index or b not in shown.index:
            continue
        xs, ys = _band(layout.at[a, "column"], layout.at[a, "y"], layout.at[b, "column"], layout.at[b, "y"])
        pieces.append(pd.DataFrame({"edge": f"{a}->{b}", "x": xs, "y": ys, "order": range(len(xs)),
                                    "people": n, "from": scenario.label(a), "to": scenario.label(b)}))
    bands = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(
        columns=["edge", "x", "y", "order", "people", "from", "to"])
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.1, layout["column"].max() + 1.5]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[1.02, -0.02]))
    size = alt.Size("people:Q", scale=alt.Scale(domain=[0, max(max_people, 1.0)], range=[0.5, 36]), legend=None)
    trail = alt.Chart(bands).mark_trail(opacity=0.35, color="#4c78a8").encode(
        x=x, y=y, size=size, detail="edge:N", order="order:Q",
        tooltip=[alt.Tooltip("from:N"), alt.Tooltip("to:N"), alt.Tooltip("people:Q", format=",.0f")])
    nodes = shown.reset_index().rename(columns={"column": "x"})
    points = alt.Chart(nodes).mark_square(size=90).encode(
        x=x, y=y, color=alt.Color("kind:N", scale=KIND_COLOURS, legend=None),
        tooltip=[alt.Tooltip("label:N", title="where"), alt.Tooltip("people:Q", format=",.0f")])
    nodes["text"] = [f"{lab} ({number(p, decimals=0)})" for lab, p in zip(nodes["label"], nodes["people"])]
    last = layout["column"].max()
    stage_labels = alt.Chart(nodes[nodes["x"] < last]).mark_text(
        align="left", dx=-4, dy=-10, fontSize=10, limit=170, fontWeight="bold").encode(x=x, y=y, text="text:N")
    outcome_labels = alt.Chart(nodes[nodes["x"] == last]).mark_text(
        align="left", dx=8, fontSize=10, limit=190).encode(x=x, y=y, text="text:N")
    return (trail + points + stage_labels + outcome_labels).properties(title=title, width=width, height=height)


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


def wait_distribution(waits: pd.DataFrame, target: float | None, title: str) -> alt.Chart:
    """How long people waited, against the target. ``waits``: side, wait (days)."""
    upper = float(np.nanpercentile(waits["wait"], 99)) if len(waits) else 1.0
    bins = alt.Bin(extent=[0, max(upper, (target or 0) * 1.2, 1.0)], maxbins=40)
    bars = alt.Chart(waits).mark_bar(opacity=0.6).encode(
        x=alt.X("wait:Q", bin=bins, title="days waited"),
        y=alt.Y("count():Q", stack=None, title="people (square-root scale)", scale=alt.Scale(type="sqrt")),
        color=alt.Color("side:N", scale=SIDE_COLOURS, title="side"))
    if target:
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color="red", strokeDash=[4, 3]).encode(
            x="target:Q", tooltip=[alt.Tooltip("target:Q", title="target (days)")])
        return (bars + rule).properties(title=title, height=240)
    return bars.properties(title=title, height=240)


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
        x=alt.X("sum(pounds):Q", title="total benefit to the council (£)"),
        color=alt.Color("part:N", title=None),
        tooltip=["label", "part", alt.Tooltip("pounds:Q", format=",.0f")])
    layers = [bars]
    title = f"ADM savings target {money(adm_target, exact=True)}"
    if simulated:
        layers.append(alt.Chart(table).mark_rule(color="black").encode(
            y=alt.Y("label:N", sort=order), x="total_benefit_ci_low:Q", x2="total_benefit_ci_high:Q"))
        title += "; lines: 95% interval of the simulated demand saving"
    return alt.layer(*layers).properties(height=220, title=title)
