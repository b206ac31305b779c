"""The flow diagram: where people go, left to right, as a Sankey diagram (altair).

Altair has no Sankey mark, so the layout is computed here from the scenario's
flow graph, the same networkx graph that drives the simulation: a stage's
column is its longest path from an entry stage (so every band runs left to
right), outcomes share the last column, and within a column nodes are ordered
by where their people come from (fewer crossings). Node heights and band
widths are people a year, on one scale for both sides. Labels are wrapped,
never cut, and each node keeps room for its label's lines.

A route back to an earlier stage (a loop) would run right to left, so it is listed under the
title instead of drawn. B's diagram colours each band by B − A (more, fewer or about as many people
as A), with both sides' numbers on hover.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import altair as alt
import networkx as nx
import numpy as np
import pandas as pd

from flowsim.format import number
from flowsim.scenario.schema import Scenario
from flowsim.units import DAYS_PER_YEAR

NARROWEST_PX = 820  # the main area's width in a 1366 px window with the sidebar open
CHAR_PX = 6.2  # a character at the chart's font size, a little wider than most
LINE_PX = 13  # one label line at the chart's font size
NODE_WIDTH = 0.05  # of a column
BAND_POINTS = 24
SAME = 0.05  # within 5% of A (or one person) counts as "about the same"
CHANGE_COLOURS = alt.Scale(domain=["fewer than A", "about the same", "more than A"],
                           range=["#4c78a8", "#bab0ac", "#f58518"])
KIND_COLOURS = {"stage": "#4c78a8", "closed": "#9d9d9d", "package": "#e45756", "review": "#72b7b2"}


@dataclass(frozen=True)
class Flows:
    """One side's people a year: along each route (from, to) and at each stage or outcome."""

    edges: dict[tuple[str, str], float]
    people: dict[str, float]

    @classmethod
    def from_means(cls, means: pd.Series, horizon_days: float) -> "Flows":
        """From a summary's KPI means (``flow.a->b``, ``arrivals.x``, ``outcomes.y``), per year."""
        years = horizon_days / DAYS_PER_YEAR
        edges = {tuple(k[len("flow."):].split("->")): v / years for k, v in means.items()
                 if k.startswith("flow.") and "@" not in k}
        people = {k.split(".", 1)[1]: v / years for k, v in means.items()
                  if k.startswith(("arrivals.", "outcomes.")) and "@" not in k}
        return cls(edges, people)

    def column_total(self, scenario: Scenario) -> float:
        """The most people in any one column: what sets the common scale."""
        nodes = layout(scenario, self)
        return float(nodes.groupby("column")["people"].sum().max()) if len(nodes) else 0.0


def line_chars(columns: int) -> int:
    """The longest label line that fits between one column's nodes and the next at the narrowest width."""
    column_px = NARROWEST_PX / max(columns, 1)
    return max(10, int((column_px * (1 - NODE_WIDTH) - 8) / CHAR_PX))


def wrap(text: str, chars: int) -> str:
    """A label broken into lines of at most ``chars`` (a longer word stays whole)."""
    return "\n".join(textwrap.wrap(text, chars, break_long_words=False)) or text


def _columns(scenario: Scenario, graph: nx.DiGraph) -> dict[str, int]:
    """A stage's column: its longest path from a stage nothing flows into; outcomes last."""
    stages = graph.subgraph([n for n in graph if n in scenario.stages]).copy()
    # A loop (none in the shipped scenarios) is cut at its route back towards where people enter:
    # the route whose target is nearest an entry stage.
    entries = [n for n in dict.fromkeys(map(scenario.demand.entry_stage, scenario.demand.sources)) if n in stages]
    entries = entries or [n for n in scenario.network.start_stages() if n in stages] or list(stages)[:1]
    depth = nx.multi_source_dijkstra_path_length(stages, set(entries)) if entries else {}
    while True:
        try:
            cycle = nx.find_cycle(stages)
        except nx.NetworkXNoCycle:
            break
        stages.remove_edge(*min(cycle, key=lambda e: (depth.get(e[1], 0), -depth.get(e[0], 0)))[:2])
    column: dict[str, int] = {}
    for node in nx.topological_sort(stages):
        column[node] = max((column[p] + 1 for p in stages.predecessors(node)), default=0)
    last = max(column.values(), default=-1) + 1
    column |= {n: last for n in graph if n not in scenario.stages}
    return column


def layout(scenario: Scenario, flows: Flows, scale: float | None = None) -> pd.DataFrame:
    """Nodes with people, in columns: node, label, kind, column, people, y0, y1 (pixels from the top).

    ``scale``: pixels per person (one scale for both sides); by default the fullest column is 400 px.
    """
    graph = nx.DiGraph()
    graph.add_edges_from((a, b, {"people": n}) for (a, b), n in flows.edges.items() if n > 0)
    graph.add_nodes_from(n for n, p in flows.people.items() if p > 0 and (n in scenario.stages or n in scenario.outcomes))
    if not len(graph):
        return pd.DataFrame(columns=["node", "label", "kind", "column", "people", "y0", "y1", "text", "label_bottom"])
    column = _columns(scenario, graph)
    people = {n: max(flows.people.get(n, 0.0), graph.in_degree(n, "people"), graph.out_degree(n, "people"))
              for n in graph}
    kinds = {n: "stage" if n in scenario.stages else scenario.outcomes[n].kind for n in graph}
    chars = line_chars(max(column.values()) + 1)
    texts = {n: f"{wrap(scenario.label(n), chars)}\n{number(people[n], decimals=0)} a year" for n in graph}
    gap = {n: LINE_PX * texts[n].count("\n") + 2 * LINE_PX for n in graph}  # room for the label's lines
    if scale is None:
        fullest = max(sum(people[n] for n in graph if column[n] == c) for c in set(column.values()))
        scale = 400 / max(fullest, 1.0)
    centre: dict[str, float] = {}
    rows = []
    for c in sorted(set(column.values())):
        mine = [n for n in graph if column[n] == c]

        def pull(n: str) -> float:  # where this node's people come from: the weighted centre of its sources
            ins = [(centre[p], graph[p][n]["people"]) for p in graph.predecessors(n) if p in centre]
            return sum(y * w for y, w in ins) / sum(w for _, w in ins) if ins else -people[n]

        mine.sort(key=lambda n: (pull(n), kinds[n]))
        y = 0.0
        for n in mine:
            height = people[n] * scale
            y = max(y, gap[n] / 2 - height / 2)  # the label's first line stays inside the chart
            rows.append({"node": n, "label": scenario.label(n), "kind": kinds[n], "column": c,
                         "people": people[n], "y0": y, "y1": y + height, "text": texts[n],
                         "label_bottom": y + height / 2 + gap[n] / 2})
            centre[n] = y + height / 2
            y += height + gap[n]
    return pd.DataFrame(rows)


def bands(nodes: pd.DataFrame, flows: Flows, scale: float) -> pd.DataFrame:
    """Each route as a band from the right of its source node to the left of its target, stacked in
    the order of the nodes at the other end (so bands do not cross at the nodes)."""
    at = nodes.set_index("node")
    centre = (at["y0"] + at["y1"]) / 2
    routes = [(a, b, n) for (a, b), n in flows.edges.items() if n > 0 and a in at.index and b in at.index
              and at.at[a, "column"] < at.at[b, "column"]]  # a route back to an earlier stage is listed instead
    out_next = {n: at.at[n, "y0"] for n in at.index}
    in_next = dict(out_next)
    starts, ends = {}, {}
    for a, b, n in sorted(routes, key=lambda r: (centre[r[0]], centre[r[1]])):
        starts[(a, b)] = out_next[a]
        out_next[a] += n * scale
    for a, b, n in sorted(routes, key=lambda r: (centre[r[1]], centre[r[0]])):
        ends[(a, b)] = in_next[b]
        in_next[b] += n * scale
    t = np.linspace(0.0, 1.0, BAND_POINTS)
    smooth = t * t * (3 - 2 * t)  # leaves and arrives level
    pieces = []
    for a, b, n in routes:
        x0, x1 = at.at[a, "column"] + NODE_WIDTH, at.at[b, "column"]
        top = starts[(a, b)] + (ends[(a, b)] - starts[(a, b)]) * smooth
        pieces.append(pd.DataFrame({"route": f"{a}->{b}", "x": x0 + (x1 - x0) * t, "top": top,
                                    "bottom": top + n * scale, "people": n,
                                    "from": at.at[a, "label"], "to": at.at[b, "label"]}))
    columns = ["route", "x", "top", "bottom", "people", "from", "to"]
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=columns)


def change(b: float, a: float) -> str:
    """B's people against A's, in words (the colour of B's bands)."""
    if abs(b - a) <= max(1.0, SAME * abs(a)):
        return "about the same"
    return "more than A" if b > a else "fewer than A"


def flow_diagram(scenario: Scenario, flows: Flows, title: str, scale: float, height: float,
                 against: tuple[Scenario, Flows] | None = None) -> alt.LayerChart:
    """The Sankey diagram of one side, as wide as its container.

    ``scale`` (pixels per person) and ``height`` come from ``common_scale`` so both sides match;
    ``against``: A's scenario and flows, to colour this side's bands by B − A and show both on hover.
    """
    nodes = layout(scenario, flows, scale)
    routes = bands(nodes, flows, scale)
    last = int(nodes["column"].max()) if len(nodes) else 0
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, last + 1], nice=False, zero=False))
    y = alt.Y("top:Q", axis=None, scale=alt.Scale(domain=[height, 0], nice=False, zero=False))
    tooltip = [alt.Tooltip("from:N"), alt.Tooltip("to:N"), alt.Tooltip("people:Q", title="people a year", format=",.0f")]
    if against is not None:
        a_edges = against[1].edges
        routes["a_people"] = [a_edges.get(tuple(r.split("->")), 0.0) for r in routes["route"]]
        routes["b_minus_a"] = routes["people"] - routes["a_people"]
        routes["change"] = [change(b, a) for b, a in zip(routes["people"], routes["a_people"])]
        colour = alt.Color("change:N", scale=CHANGE_COLOURS, title="B against A",
                           legend=alt.Legend(orient="bottom", direction="horizontal"))
        tooltip += [alt.Tooltip("a_people:Q", title="A: people a year", format=",.0f"),
                    alt.Tooltip("b_minus_a:Q", title="B − A", format="+,.0f")]
        band_layer = alt.Chart(routes).mark_area(opacity=0.45, interpolate="linear").encode(
            x=x, y=y, y2="bottom:Q", detail="route:N", color=colour, tooltip=tooltip)
    else:
        band_layer = alt.Chart(routes).mark_area(opacity=0.35, color="#4c78a8").encode(
            x=x, y=y, y2="bottom:Q", detail="route:N", tooltip=tooltip)
    nodes = nodes.assign(x=nodes["column"], x2=nodes["column"] + NODE_WIDTH, top=nodes["y0"])
    node_tip = [alt.Tooltip("label:N", title="where"), alt.Tooltip("people:Q", title="people a year", format=",.0f")]
    if against is not None:
        a_people = Flows(against[1].edges, against[1].people)
        nodes["a_people"] = [_node_people(a_people, n) for n in nodes["node"]]
        nodes["b_minus_a"] = nodes["people"] - nodes["a_people"]
        node_tip += [alt.Tooltip("a_people:Q", title="A: people a year", format=",.0f"),
                     alt.Tooltip("b_minus_a:Q", title="B − A", format="+,.0f")]
    nodes["fill"] = nodes["kind"].map(KIND_COLOURS)
    boxes = alt.Chart(nodes).mark_rect().encode(
        x=x, x2="x2:Q", y=y, y2="y1:Q", fill=alt.Fill("fill:N", scale=None), tooltip=node_tip)
    nodes["middle"] = (nodes["y0"] + nodes["y1"]) / 2
    labels = alt.Chart(nodes).mark_text(align="left", baseline="middle", dx=4, fontSize=11, lineBreak="\n",
                                        lineHeight=LINE_PX).encode(
        x="x2:Q", y=alt.Y("middle:Q", axis=None, scale=alt.Scale(domain=[height, 0], nice=False, zero=False)),
        text="text:N", tooltip=node_tip)
    back = returns(nodes, flows)
    heading = alt.TitleParams(title, subtitle=["Back to an earlier stage: " + "; ".join(back)] if back else [])
    return alt.layer(band_layer, boxes, labels).properties(
        title=heading, width="container", height=int(height)).configure_view(stroke=None)


def returns(nodes: pd.DataFrame, flows: Flows) -> list[str]:
    """Routes that loop back to a stage in the same or an earlier column, in words (none in the shipped
    scenarios): 'Review → Full needs assessment (Care Act), 120 a year'."""
    at = nodes.set_index("node")
    return [f"{at.at[a, 'label']} → {at.at[b, 'label']}, {number(n, decimals=0)} a year"
            for (a, b), n in flows.edges.items()
            if n > 0 and a in at.index and b in at.index and at.at[a, "column"] >= at.at[b, "column"]]


def _node_people(flows: Flows, node: str) -> float:
    ins = sum(n for (_, b), n in flows.edges.items() if b == node)
    outs = sum(n for (a, _), n in flows.edges.items() if a == node)
    return max(flows.people.get(node, 0.0), ins, outs)


def common_scale(sides: list[tuple[Scenario, Flows]], fullest_px: float = 320) -> tuple[float, float]:
    """Pixels per person shared by the sides (their fullest column is ``fullest_px`` high), and a height
    that holds every side's tallest column with its labels."""
    fullest = max((flows.column_total(s) for s, flows in sides), default=0.0)
    scale = fullest_px / max(fullest, 1.0)
    height = max((layout(s, flows, scale)[["y1", "label_bottom"]].max().max() for s, flows in sides
                  if any(v > 0 for v in flows.people.values())), default=fullest_px)
    return scale, float(max(height, fullest_px))
