"""The flow graph: one per referral source, the same structure everywhere."""
from flowsim import load_scenario
from flowsim.scenario.network import REVIEW_SOURCE, flow_graph, routing_sources
from flowsim.scenario.load import scenario_from_document


def test_graph_nodes_and_edge_shares(tiny):
    scenario = scenario_from_document(tiny(), "t.yaml")
    graph = flow_graph(scenario, "community")
    assert graph.nodes["front_door"]["kind"] == "stage"
    assert graph.nodes["front_door"]["role"] == "adviser"
    assert graph.nodes["home_care"]["kind"] == "outcome"
    assert graph.edges["front_door", "assessment"]["share"] == 0.4
    for node in graph.nodes:
        if graph.nodes[node]["kind"] == "stage":
            assert abs(sum(d["share"] for _, _, d in graph.out_edges(node, data=True)) - 1) < 1e-9


def test_routes_by_source_give_their_own_graph():
    scenario = load_scenario("scenarios/barnet_current.yaml")
    safeguarding = flow_graph(scenario, "safeguarding")
    community = flow_graph(scenario, "community")
    assert safeguarding.has_edge("front_door", "safeguarding_enquiry")
    assert not community.has_edge("front_door", "safeguarding_enquiry")
    assert community.has_edge("front_door", "social_work")


def test_reviews_are_a_routing_source_when_there_is_a_caseload():
    scenario = load_scenario("scenarios/barnet_current.yaml")
    assert REVIEW_SOURCE in routing_sources(scenario)
    assert "waiting_list" not in routing_sources(scenario)  # its waiting list names a source
