"""Charts: the flow layout follows the graph, and every chart builds a valid Vega-Lite spec."""
import pandas as pd
import pytest

from flowsim import load_scenario, run
from flowsim.ui import charts


def test_charts_render_to_vega_lite():
    scenario = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=30"])
    result = run(scenario, reps=2, seed=1)
    waits = result.events[["wait"]].assign(side="B")
    specs = [
        charts.hours_chart(pd.DataFrame([{"side": "A", "role": "x", "hours_demanded": 10, "hours_available": 20,
                                          "utilisation": 0.5}])),
        charts.waiting_chart(charts.waiting_band(result.timeseries, "front_door", "B"), "waiting"),
        charts.wait_distribution(charts.wait_histogram(waits, {"B": 2}, {"B": 30 / 365.25}), 2.0),
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


def test_wait_histogram_counts_people_a_year_in_whole_days():
    scenario = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=60"])
    result = run(scenario, reps=3, seed=2)
    seen = result.events[result.events["stage"] == "full_assessment"]
    histogram = charts.wait_histogram(seen[["wait"]].assign(side="A"), {"A": 3}, {"A": 60 / 365.25})
    per_year = len(seen) / 3 / (60 / 365.25)  # each replication's people, not all replications' pooled
    assert histogram["people"].sum() == pytest.approx(per_year)
    widths = histogram["end"] - histogram["start"]
    assert (widths == widths.iloc[0]).all() and widths.iloc[0] == int(widths.iloc[0]) >= 1
    assert histogram["start"].iloc[0] == 0 and histogram["end"].iloc[-1] >= seen["wait"].max()
    spec = charts.wait_distribution(histogram, 28.0).to_dict()
    assert "sqrt" not in str(spec) and spec["layer"][0]["encoding"]["y"]["title"] == "people a year"
