"""The flow diagram: left to right, every label whole and clear of the others, B's bands coloured by B − A."""
import pytest
import vl_convert

from flowsim import load_scenario, run
from flowsim.ui.flow_diagram import (CHAR_PX, LINE_PX, NARROWEST_PX, NODE_WIDTH, Flows, bands, common_scale,
                                     flow_diagram, layout)


@pytest.fixture(scope="module")
def sides():
    out = []
    for name in ("barnet_current", "barnet_new_model"):
        scenario = load_scenario(f"scenarios/{name}.yaml", ["time.horizon_days=60"])
        means = run(scenario, reps=2, seed=1).summary().set_index("kpi")["mean"]
        out.append((scenario, Flows.from_means(means, scenario.time.horizon_days)))
    return out


def test_every_band_runs_left_to_right_and_outcomes_come_last(sides):
    for scenario, flows in sides:
        nodes = layout(scenario, flows).set_index("node")
        for (a, b), people in flows.edges.items():
            if people > 0:
                assert nodes.at[a, "column"] < nodes.at[b, "column"], (a, b)
        last = nodes["column"].max()
        assert (nodes.loc[nodes["kind"] != "stage", "column"] == last).all()
        assert nodes.at["front_door", "column"] == 0


def test_bands_leave_and_reach_their_nodes_within_the_nodes(sides):
    scenario, flows = sides[1]
    scale, _ = common_scale(sides)
    nodes = layout(scenario, flows, scale)
    routes = bands(nodes, flows, scale)
    at = nodes.set_index("node")
    for route, band in routes.groupby("route"):
        a, b = route.split("->")
        start, end = band.iloc[0], band.iloc[-1]
        assert at.at[a, "y0"] - 1e-6 <= start["top"] and start["bottom"] <= at.at[a, "y1"] + 1e-6
        assert at.at[b, "y0"] - 1e-6 <= end["top"] and end["bottom"] <= at.at[b, "y1"] + 1e-6


def label_boxes(scenario, flows, scale):
    """Each label's box in pixels at the narrowest width: x from its node's right, lines of text."""
    nodes = layout(scenario, flows, scale)
    columns = nodes["column"].max() + 1
    column_px = NARROWEST_PX / columns
    boxes = []
    for row in nodes.itertuples():
        lines = row.text.split("\n")
        left = (row.column + NODE_WIDTH) * column_px + 4
        middle = (row.y0 + row.y1) / 2
        boxes.append((row.node, left, left + CHAR_PX * max(map(len, lines)), middle - LINE_PX * len(lines) / 2,
                      middle + LINE_PX * len(lines) / 2, row.column))
    return boxes, column_px


def test_labels_are_whole_and_fit_between_columns_without_overlapping(sides):
    scale, height = common_scale(sides)
    for scenario, flows in sides:
        nodes = layout(scenario, flows, scale)
        for row in nodes.itertuples():
            assert " ".join(row.text.split("\n")[:-1]) == scenario.label(row.node)  # never cut
        boxes, column_px = label_boxes(scenario, flows, scale)
        for node, left, right, top, bottom, column in boxes:
            assert right <= (column + 1) * column_px, node  # clear of the next column's boxes
            assert top >= 0 and bottom <= height, node
        for i, first in enumerate(boxes):
            for second in boxes[i + 1:]:
                if first[5] == second[5]:
                    assert first[4] <= second[3] + 1e-6 or second[4] <= first[3] + 1e-6, (first[0], second[0])


def test_b_is_coloured_by_b_minus_a_and_renders(sides):
    (a, fa), (b, fb) = sides
    scale, height = common_scale(sides)
    chart = flow_diagram(b, fb, "B", scale, height, against=(a, fa))
    spec = chart.to_dict()
    assert spec["width"] == "container"
    bands_layer = spec["layer"][0]
    assert bands_layer["encoding"]["color"]["field"] == "change"
    rows = spec["datasets"][bands_layer["data"]["name"]]
    hub = next(r for r in rows if r["route"] == "front_door->community_hub")
    assert hub["change"] == "more than A" and hub["b_minus_a"] == pytest.approx(hub["people"] - hub["a_people"])
    assert "B − A" in [t.get("title") for t in bands_layer["encoding"]["tooltip"]]
    spec["width"] = NARROWEST_PX
    svg = vl_convert.vegalite_to_svg(spec)
    assert "Community hub" in svg and "appointment" in svg


def test_a_route_back_to_an_earlier_stage_is_listed_not_drawn(sides):
    scenario, flows = sides[0]
    looped = Flows({**flows.edges, ("full_assessment", "front_door"): 25.0}, flows.people)
    scale, height = common_scale(sides)
    nodes = layout(scenario, looped, scale)
    routes = bands(nodes, looped, scale)
    assert "full_assessment->front_door" not in set(routes["route"])
    spec = flow_diagram(scenario, looped, "A", scale, height).to_dict()
    assert spec["title"]["subtitle"] == ["Back to an earlier stage: Full needs assessment (Care Act) → "
                                         "Social Care Direct, 25 a year"]
