"""Demand by client group and age: each group its own share, growth and routes; results per group."""
import pytest
from click.testing import CliRunner

from flowsim import expected_flows, load_scenario
from flowsim.analytic import entries_over_horizon
from flowsim.cli import main
from flowsim.engine import run
from flowsim.engine.demand import contact_plan
from flowsim.engine.streams import replication_seeds
from flowsim.scenario.load import scenario_from_document
from tests.conftest import problems_of

GROUPS = {"older": {"label": "Older adults (65+)", "share": 0.7, "annual_growth": 0.10},
          "younger": {"share": "rest", "annual_growth": 0.0}}
YOUNGER_ROUTES = {"younger": {"home_care": 0.1, "no_eligible_needs": 0.9}}


def grouped(tiny, **changes):
    return scenario_from_document(tiny(**{"demand.groups": GROUPS, **changes}), "t.yaml")


def test_each_group_grows_at_its_own_rate(tiny):
    scenario = grouped(tiny, **{"time.horizon_days": 730})
    flows = expected_flows(scenario)
    # 700 a year growing 10% a year (continuously compounded) and 300 a year flat, over two years
    older = 700 * (1.1 ** 2 - 1) / 0.0953102
    assert flows.contacts * 2 == pytest.approx(older + 600, rel=1e-4)
    assert sum(sum(entries_over_horizon(scenario, s, "older").values()) for s in scenario.demand.sources) \
        == pytest.approx(older, rel=1e-4)
    assert flows.by_group["older"]["front_door"] == pytest.approx(0.75 * older / 2, rel=1e-4)  # a year


def test_a_group_is_routed_by_its_own_routes_where_a_stage_has_them(tiny):
    base = grouped(tiny)
    routed = grouped(tiny, **{"stages.assessment.routes_by_group": YOUNGER_ROUTES})
    a, b = expected_flows(base), expected_flows(routed)
    assert b.by_group["older"]["home_care"] == pytest.approx(a.by_group["older"]["home_care"])
    assert b.by_group["younger"]["home_care"] == pytest.approx(a.by_group["younger"]["home_care"] * 0.2)
    assert b.outcomes["home_care"] == pytest.approx(sum(t["home_care"] for t in b.by_group.values()))
    # a referral source's own routes come first: secondary health keeps its routes in both groups
    by_source = grouped(tiny, **{"stages.assessment.routes_by_group": YOUNGER_ROUTES,
                                 "stages.assessment.routes_by_source": {"secondary_health": {"home_care": 1.0}}})
    assert by_source.network.routes["secondary_health|younger"]["assessment"].targets == ("home_care",)
    assert by_source.network.routes["community|younger"]["assessment"].shares == (0.1, 0.9)


def test_groups_with_one_growth_and_no_routes_of_their_own_change_no_expected_flow(tiny):
    plain = expected_flows(scenario_from_document(tiny(**{"demand.annual_growth": 0.05}), "t.yaml"))
    split = expected_flows(grouped(tiny, **{"demand.annual_growth": 0.05, "demand.groups.older.annual_growth": None,
                                            "demand.groups.younger.annual_growth": None}))
    assert split.contacts == pytest.approx(plain.contacts)
    assert split.outcomes == pytest.approx(plain.outcomes)
    assert split.stages == pytest.approx(plain.stages)


def test_simulated_contacts_and_packages_by_group_match_the_expected_flows(tiny):
    scenario = grouped(tiny, **{"time.horizon_days": 730, "roles.social_worker.fte": 6,
                                "stages.assessment.routes_by_group": YOUNGER_ROUTES})
    flows = expected_flows(scenario)
    summary = run(scenario, reps=10, seed=4, detail=False).summary().set_index("kpi")
    for group in ("older", "younger"):
        expected = flows.by_group[group]
        contacts = sum(sum(entries_over_horizon(scenario, s, group).values()) for s in scenario.demand.sources)
        for kpi, value in ((f"group_contacts.{group}", contacts), (f"group_new_packages.{group}",
                                                                   expected["home_care"] * 2)):
            row = summary.loc[kpi]  # within about three standard errors
            assert abs(row["mean"] - value) <= 1.5 * (row.ci_high - row.ci_low) / 2, (kpi, value, row.to_dict())
    assert summary.loc["group_new_packages.younger", "mean"] < 0.25 * summary.loc["group_new_packages.older", "mean"]
    total = summary.loc["group_contacts.older", "mean"] + summary.loc["group_contacts.younger", "mean"]
    assert total == pytest.approx(summary.loc["contacts", "mean"])
    assert summary.loc["group_new_package_cost.older", "mean"] > 0


def test_without_groups_contacts_carry_their_source_alone_and_no_group_kpis(tiny):
    scenario = scenario_from_document(tiny(), "t.yaml")
    plan = contact_plan(scenario, replication_seeds(1, 1)[0], 365)
    assert plan and all(type(source) is str for _, source in plan)
    assert "group_contacts.community" not in run(scenario, reps=2, seed=1, detail=False).summary()["kpi"].tolist()


def test_packages_keep_their_group_through_reviews(tiny):
    # every review replaces the package with a new one: were the group lost there, it would show as ""
    scenario = grouped(tiny, **{
        "outcomes.home_care": {"kind": "package", "weekly_cost": 200, "mean_duration_weeks": 52,
                               "first_review_weeks": 6, "review_every_weeks": 12},
        "stages.review": {"role": "social_worker", "work": {"distribution": "fixed", "mean_minutes": 60},
                          "routes": {"home_care": 1.0}},
        "caseload": {"review_stage": "review"}, "roles.social_worker.fte": 6})
    packages = run(scenario, reps=1, seed=2, detail=True).packages
    from_contacts = run(scenario, reps=1, seed=2, detail=False).summary().set_index("kpi").loc[
        "flow.assessment->home_care", "mean"]
    assert len(packages) > 1.5 * from_contacts  # reviews made new packages
    assert set(packages["group"]) == {"older", "younger"}


def test_barnet_2025_counts_every_contact_to_an_age_group():
    scenario = load_scenario("scenarios/barnet_winter_2025.yaml", ["time.horizon_days=120"])
    summary = run(scenario, reps=2, seed=2, detail=False).summary().set_index("kpi")
    contacts = sum(summary.loc[f"group_contacts.{g}", "mean"] for g in scenario.demand.groups)
    assert contacts == summary.loc["contacts", "mean"]
    assert summary.loc["group_contacts.older_adults", "mean"] > 3 * summary.loc["group_contacts.younger_adults", "mean"]
    by_group = sum(summary.loc[f"group_new_packages.{g}", "mean"] for g in scenario.demand.groups)
    assert 0 < by_group < summary.loc["new_packages.total", "mean"]  # workstreams and the caseload have no group


@pytest.mark.parametrize("change, message", [
    ({"demand.groups": {"all": {"share": 1.0}}}, "demand.groups: give at least two groups (or none)"),
    ({"demand.groups": {"a": {"share": 0.5}, "b": {"share": 0.4}}}, "demand.groups: shares add up to 0.9, not 1"),
    ({"demand.groups": GROUPS, "stages.assessment.routes_by_group": {"young": {"home_care": 1.0}}},
     "stages.assessment.routes_by_group.young: 'young' is not a client group in demand.groups"),
    ({"demand.groups": GROUPS, "stages.assessment.routes_by_group": {"younger": {"care_home": 1.0}}},
     "stages.assessment.routes_by_group.younger.care_home: is neither a stage nor an outcome"),
    ({"demand.groups": GROUPS, "stages.assessment.routes_by_group": {"younger": {"front_door": 1.0}},
      "stages.front_door.routes_by_group": {"younger": {"assessment": 1.0}}},
     "can never reach an outcome from here"),
])
def test_bad_groups_name_the_field(tiny, change, message):
    problems = problems_of(tiny(**change))
    assert any(message in p for p in problems), problems


def test_the_cli_shows_groups_in_flows_and_run():
    flows = CliRunner().invoke(main, ["flows", "scenarios/barnet_winter_2025.yaml"])
    assert flows.exit_code == 0, flows.output
    assert "Client group" in flows.output and "Older adults (65+)" in flows.output and "79.9%" in flows.output
    ran = CliRunner().invoke(main, ["run", "scenarios/barnet_winter_2025.yaml", "--reps", "2", "--days", "60"])
    assert ran.exit_code == 0, ran.output
    assert "By client group" in ran.output and "Younger adults (18-64)" in ran.output


def test_groups_with_localities_route_within_each_locality(tiny):
    localities = {"shares": {"north": 0.5, "south": 0.5}, "stages": ["assessment"],
                  "roles": {"social_worker": {"north": 1.5, "south": 1.5}}}
    document = tiny(**{"demand.groups": GROUPS, "stages.assessment.routes_by_group": YOUNGER_ROUTES})
    document["localities"] = localities
    scenario = scenario_from_document(document, "t.yaml")
    assert scenario.stages["assessment__north"].routes_by_group["younger"] == {"home_care": 0.1,
                                                                             "no_eligible_needs": 0.9}
    flows = expected_flows(scenario)
    plain = expected_flows(grouped(tiny, **{"stages.assessment.routes_by_group": YOUNGER_ROUTES}))
    assert flows.outcomes["home_care"] == pytest.approx(plain.outcomes["home_care"])
    assert flows.by_group["younger"]["home_care"] == pytest.approx(plain.by_group["younger"]["home_care"])
    # at a shared stage, a locality's own routes would hide the group's: refused
    document = tiny(**{"demand.groups": GROUPS, "stages.front_door.routes_by_group": {"younger": {"assessment": 1}}})
    document["localities"] = localities
    assert any("only be given at local stages" in p for p in problems_of(document))


def test_compare_lists_each_group_when_a_side_has_groups():
    result = CliRunner().invoke(main, ["compare", "scenarios/barnet_new_model.yaml", "scenarios/barnet_winter_2025.yaml",
                                       "--reps", "2", "--days", "30"])
    assert result.exit_code == 0, result.output
    section = result.output[result.output.index("By client group"):]
    assert "Older adults (65+)" in section and "(£):" not in section


def test_the_apps_work_bound_allows_for_the_fastest_growing_group(tiny):
    from flowsim.ui.serving import people_per_replication
    scenario = grouped(tiny, **{"time.horizon_days": 1826})  # five years, older adults growing 10% a year
    assert people_per_replication(scenario) >= expected_flows(scenario).contacts * 5
