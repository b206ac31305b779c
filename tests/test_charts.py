"""Charts: the flow layout follows the graph, and every chart builds a valid Vega-Lite spec."""
import pandas as pd
import pytest

from flowsim import load_scenario, run
from flowsim.ui import charts


def test_flow_layout_puts_entry_stages_first_and_outcomes_last():
    scenario = load_scenario("scenarios/barnet_new_model.yaml")
    layout = charts.flow_layout(scenario).set_index("node")
    assert layout.at["front_door", "column"] == 0 and layout.at["hospital_team", "column"] == 0
    assert layout.at["community_hub", "column"] == 1
    assert layout.at["support_planning", "column"] > layout.at["financial_assessment", "column"]
    last = layout["column"].max()
    assert (layout.loc[list(scenario.outcomes), "column"] == last).all()
    assert layout["y"].between(0, 1).all()


def test_charts_render_to_vega_lite():
    scenario = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=30"])
    result = run(scenario, reps=2, seed=1)
    means = result.summary().set_index("kpi")["mean"]
    edges = {tuple(k[5:].split("->")): v for k, v in means.items() if k.startswith("flow.")}
    people = {k.split(".", 1)[1]: v for k, v in means.items() if k.startswith(("arrivals.", "outcomes."))}
    specs = [
        charts.flow_diagram(scenario, edges, people, max(edges.values()), "B"),
        charts.hours_chart(pd.DataFrame([{"side": "A", "role": "x", "hours_demanded": 10, "hours_available": 20,
                                          "utilisation": 0.5}])),
        charts.waiting_chart(charts.waiting_band(result.timeseries, "front_door", "B"), "waiting"),
        charts.wait_distribution(result.events[["wait"]].assign(side="B"), 2.0, "waits"),
        charts.packages_chart(pd.DataFrame([{"side": "A", "type": "Home care", "new": 3, "cost_a_year": 100}])),
        charts.waiting_bands_chart(charts.waiting_by_time_waited(result.timeseries, "front_door", "B"), "bands"),
        charts.caseload_chart(pd.DataFrame([{"side": "A", "role": "Social worker", "open_cases": 18.0,
                                             "ci_low": 17.0, "ci_high": 19.0}])),
    ]
    for chart in specs:
        assert "$schema" in chart.to_dict()
    band = charts.waiting_band(result.timeseries, "front_door", "B")
    assert len(band) == 30 and (band["low"] <= band["mean"]).all() and (band["mean"] <= band["high"]).all()


def test_waiting_by_time_waited_adds_up_to_the_waiting_list():
    scenario = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=30"])
    result = run(scenario, reps=2, seed=1)
    rows = charts.waiting_by_time_waited(result.timeseries, "full_assessment", "A")
    assert set(rows["band"]) == {"Waiting under 4 weeks", "Waiting 1 to 3 months", "Waiting 3 to 6 months",
                                 "Waiting over 6 months"}
    total = rows.groupby("date")["people"].sum()
    waiting = charts.waiting_band(result.timeseries, "full_assessment", "A").set_index("date")["mean"]
    assert total.to_numpy() == pytest.approx(waiting.loc[total.index].to_numpy())
