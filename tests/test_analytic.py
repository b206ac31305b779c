"""Analytic expected flows: the absorbing Markov chain, by hand and against the sources."""
import pytest

from flowsim import expected_flows, load_scenario
from flowsim.analytic import absorb, expected_reviews
from flowsim.scenario.load import scenario_from_document


def looped_document(tiny):
    document = tiny()
    document["demand"]["sources"] = {"community": 1.0}
    document["stages"] = {
        "a": {"role": "adviser", "work": {"distribution": "fixed", "mean_minutes": 60},
              "routes": {"b": 0.5, "information_advice": 0.5}},
        "b": {"role": "social_worker", "work": {"distribution": "fixed", "mean_minutes": 120},
              "routes": {"a": 0.2, "no_eligible_needs": 0.8}},
    }
    document["demand"]["entry"] = {"default": "a"}
    return document


def test_hand_computed_graph_with_a_loop(tiny):
    # vA = 100 + 0.2 vB, vB = 0.5 vA  ⇒  vA = 100/0.9, vB = 50/0.9.
    scenario = scenario_from_document(looped_document(tiny), "loop.yaml")
    visits, outcomes, edges, _ = absorb(scenario, "community", {"a": 100.0})
    assert visits["a"] == pytest.approx(1000 / 9)
    assert visits["b"] == pytest.approx(500 / 9)
    assert outcomes["information_advice"] == pytest.approx(500 / 9)
    assert outcomes["no_eligible_needs"] == pytest.approx(400 / 9)
    assert edges[("b", "a")] == pytest.approx(100 / 9)


def test_expected_flows_scale_with_contacts_and_give_role_hours(tiny):
    scenario = scenario_from_document(looped_document(tiny), "loop.yaml")
    flows = expected_flows(scenario)
    assert flows.contacts == pytest.approx(1000, rel=0.01)
    share_a = flows.stages["a"] / flows.contacts
    assert share_a == pytest.approx(1 / 0.9)
    adviser = flows.roles["adviser"]
    assert adviser.hours_demanded == pytest.approx(flows.stages["a"] * 1.0)
    assert adviser.hours_available == 3000
    assert adviser.utilisation == pytest.approx(adviser.hours_demanded / 3000)
    assert sum(flows.outcomes.values()) == pytest.approx(flows.contacts)


def test_overloaded_role_gives_a_warning(tiny):
    document = tiny()
    document["roles"]["social_worker"]["fte"] = 0.1
    flows = expected_flows(scenario_from_document(document, "t.yaml"))
    assert len(flows.warnings) == 1
    assert "social_worker" in flows.warnings[0] and "grow without limit" in flows.warnings[0]


def test_barnet_new_model_reproduces_shropshire_proportions():
    scenario = load_scenario("scenarios/barnet_new_model.yaml")
    flows = expected_flows(scenario)
    community = flows.by_source["community"]
    contacts = flows.contacts * scenario.demand.sources["community"]
    assert community["community_hub"] / contacts == pytest.approx(0.20)
    assert community["home_visit"] / contacts == pytest.approx(0.05)
    hub_resolved = flows.edges[("community_hub", "information_advice")] + flows.edges[("community_hub", "signposted_cvs")]
    assert hub_resolved / flows.stages["community_hub"] == pytest.approx(0.88)
    # Hospital referrals follow their own path: none of them reach a hub.
    assert flows.by_source["secondary_health"]["community_hub"] == 0


def test_barnet_current_reproduces_published_proportions():
    scenario = load_scenario("scenarios/barnet_current.yaml")
    flows = expected_flows(scenario)
    assert flows.edges[("social_work", "full_assessment")] / flows.stages["social_work"] == pytest.approx(0.76)
    assert flows.stages["hospital_team"] / flows.contacts == pytest.approx(0.38)
    assert flows.contacts == pytest.approx(10_569, rel=0.005)


def test_expected_reviews_of_a_caseload_without_endings(tiny):
    # A package that never ends, reviewed every 52 weeks, gives 365/364 reviews a year.
    document = tiny()
    document["outcomes"]["home_care"].update(mean_duration_weeks=1e9, review_every_weeks=52)
    document["stages"]["review"] = {"role": "social_worker", "work": {"distribution": "fixed", "mean_minutes": 60},
                                    "routes": {"no_eligible_needs": 1.0}}
    document["caseload"] = {"review_stage": "review", "packages": {"home_care": 520}}
    scenario = scenario_from_document(document, "t.yaml")
    assert expected_reviews(scenario, {}) == pytest.approx(520 * 365 / 364, rel=1e-6)


def test_every_shipped_scenario_balances(shipped_path):
    flows = expected_flows(load_scenario(shipped_path))
    entering = sum(
        n for source, table in flows.by_source.items() for name, n in table.items() if name in flows.outcomes
    )
    assert entering == pytest.approx(sum(flows.outcomes.values()))
    assert all(v >= 0 for v in flows.stages.values())


def test_days_from_asking_to_an_outcome_count_each_stage_s_least_time(tiny):
    """Front door (no stay) → assessment held open 21 days, 40% of the time twice (a loop back), → home care."""
    document = tiny()
    document["stages"]["assessment"].update(kind="case", case={"caseload_cap": 20, "min_open_days": 21},
                                            routes={"home_care": 0.3, "no_eligible_needs": 0.3, "assessment": 0.4})
    scenario = scenario_from_document(document, "t.yaml")
    _, reached, _, lag = absorb(scenario, "secondary_health", {"assessment": 100.0})
    # Visits per person 1/0.6; every outcome is reached after a geometric number of 21-day stays, mean 21/0.6.
    assert lag["home_care"] == pytest.approx(21 / 0.6)
    assert lag["no_eligible_needs"] == pytest.approx(21 / 0.6)
    assert reached["home_care"] == pytest.approx(50.0)
