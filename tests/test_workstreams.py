"""Competing work as its own demand streams: carers' assessments, DoLS, transitions, safeguarding."""
import math

import numpy as np
import pytest
import yaml

from flowsim import InputError, expected_flows, load_scenario, vary
from flowsim.engine import run
from flowsim.engine.demand import workstream_plan
from flowsim.engine.replication import simulate
from flowsim.engine.streams import replication_seeds
from flowsim.scenario.load import scenario_from_document
from tests.conftest import ROOT, problems_of

CARERS = {"carers": {"per_year": 600, "stage": "assessment", "label": "Carers' assessments"}}


def with_streams(tiny, streams=CARERS, **changes):
    return scenario_from_document(tiny(**{"demand.workstreams": streams, **changes}), "t.yaml")


def test_workstream_is_a_routing_source_entering_its_stage(tiny):
    scenario = with_streams(tiny)
    assert "carers" in scenario.network.sources
    assert scenario.network.entries["carers"] == "assessment"
    assert "carers" in scenario.network.stage_sources["assessment"]
    assert "carers" not in scenario.network.stage_sources["front_door"]


def test_analytic_flows_count_workstream_entries_but_not_as_contacts(tiny):
    base, more = expected_flows(scenario_from_document(tiny(), "t.yaml")), expected_flows(with_streams(tiny))
    assert more.contacts == pytest.approx(base.contacts)
    assert more.workstreams == {"carers": pytest.approx(600)}
    assert more.stages["assessment"] == pytest.approx(base.stages["assessment"] + 600)
    assert more.by_source["carers"]["home_care"] == pytest.approx(300)
    extra_hours = 600 * 240 / 60
    assert more.roles["social_worker"].hours_demanded == pytest.approx(base.roles["social_worker"].hours_demanded
                                                                        + extra_hours)


def test_workstream_arrivals_match_per_year_and_the_analytic_flows(tiny):
    scenario = with_streams(tiny, **{"roles.social_worker.fte": 6})
    summary = run(scenario, reps=12, seed=5, detail=False).summary().set_index("kpi")
    arrivals = summary.loc["workstream_arrivals.carers"]
    assert arrivals.ci_low <= 600 <= arrivals.ci_high, arrivals.to_dict()
    contacts = summary.loc["contacts"]
    assert contacts.ci_low <= 1000 <= contacts.ci_high  # contacts stay front-door contacts only
    expected = expected_flows(scenario).stages["assessment"]
    assessed = summary.loc["arrivals.assessment"]
    assert abs(assessed["mean"] - expected) < 0.03 * expected


def test_workstream_follows_the_demand_profile_and_growth(tiny):
    weekdays_only = {d: (1.0 if d not in ("sat", "sun") else 0.0) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    scenario = with_streams(tiny, **{"demand.weekday_profile": weekdays_only, "demand.annual_growth": 0.5,
                                     "time.horizon_days": 730})
    times = np.array([t for t, _ in workstream_plan(scenario, replication_seeds(2, 1)[0], 730)])
    weekday = np.array([(scenario.time.start_date.toordinal() + int(t)) % 7 for t in times])  # 0 = Sunday
    assert not np.isin(weekday, (0, 6)).any()
    first, second = (times < 365).sum(), (times >= 365).sum()
    assert 1.3 < second / first < 1.7  # 50% growth a year
    assert expected_flows(scenario).workstreams["carers"] == pytest.approx(
        600 * (1.5**2 - 1) / (2 * math.log(1.5)), rel=0.01)  # the mean of 600 × 1.5^t over two years


def test_adding_a_workstream_leaves_the_contacts_unchanged(tiny):
    def first_visits(scenario):
        rec = simulate(scenario, replication_seeds(11, 1)[0])
        first = {}
        for person, source, _stage, arrived, *_ in rec.events:
            if source in scenario.demand.sources:
                first[person] = min(first.get(person, (math.inf, source)), (arrived, source))
        return sorted(v for v in first.values() if v[0] < 300)

    roomy = {"roles.social_worker.fte": 12}
    base = first_visits(scenario_from_document(tiny(**roomy), "t.yaml"))
    more = first_visits(with_streams(tiny, CARERS | {"dols": {"per_year": 300, "stage": "assessment"}}, **roomy))
    assert len(base) > 500
    assert base == more  # same times and sources: the workstreams draw from streams of their own


def test_a_second_workstream_does_not_move_the_first(tiny):
    seed = replication_seeds(3, 1)[0]
    one = workstream_plan(with_streams(tiny), seed, 365)
    two = workstream_plan(with_streams(tiny, CARERS | {"dols": {"per_year": 300, "stage": "front_door"}}), seed, 365)
    assert [t for t, name in two if name == "carers"] == [t for t, _ in one]
    assert [t for t, _ in two] == sorted(t for t, _ in two)


def test_priority_and_routes_by_workstream_source(tiny):
    document = tiny(**{"demand.workstreams": {"dols": {"per_year": 300, "stage": "assessment"}},
                       "roles.social_worker.fte": 2})  # overloaded: a queue forms and priority decides
    document["stages"]["assessment"]["priority_by_source"] = {"dols": 0}
    document["stages"]["assessment"]["routes_by_source"] = {"dols": {"no_eligible_needs": 1.0}}
    scenario = scenario_from_document(document, "t.yaml")
    assert scenario.network.priorities["assessment"]["dols"] == 0
    assert expected_flows(scenario).by_source["dols"]["home_care"] == 0
    summary = run(scenario, reps=2, seed=1, detail=False).summary().set_index("kpi")
    assert summary.loc["wait_mean_days.assessment@dols", "mean"] < 0.2 * summary.loc[
        "wait_mean_days.assessment@community", "mean"]


def test_no_workstreams_means_no_workstream_kpis(tiny):
    table = run(scenario_from_document(tiny(), "t.yaml"), reps=1, seed=1, detail=False).kpi_table()
    assert not [c for c in table.columns if c.startswith("workstream_arrivals")]


@pytest.mark.parametrize("stream, field, message", [
    ({"x": {"per_year": 10, "stage": "nowhere"}}, "demand.workstreams.x.stage", "does not exist"),
    ({"community": {"per_year": 10, "stage": "assessment"}}, "demand.workstreams.community", "already a referral source"),
    ({"review": {"per_year": 10, "stage": "assessment"}}, "demand.workstreams.review", "already a referral source"),
    ({"x": {"per_year": -1, "stage": "assessment"}}, "demand.workstreams.x.per_year", ""),
    ({"x": {"per_year": math.nan, "stage": "assessment"}}, "demand.workstreams.x.per_year", ""),
    ({"x": {"per_year": math.inf, "stage": "assessment"}}, "demand.workstreams.x.per_year", ""),
    ({"x": {"per_year": 10, "stage": "assessment", "rate": 3}}, "demand.workstreams.x.rate", ""),
])
def test_bad_workstreams_are_refused_naming_the_field(tiny, stream, field, message):
    problems = problems_of(tiny(**{"demand.workstreams": stream}))
    assert any(f"{field}:" in p and message in p for p in problems), problems


def readme_example() -> dict:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Competing work and staffing"):]
    return yaml.safe_load(section[section.index("```yaml") + 7:section.index("```", section.index("```yaml") + 7)])


def merged(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out


def test_the_readme_barnet_example_loads_with_sourced_figures():
    barnet = load_scenario(ROOT / "scenarios" / "barnet_current.yaml")
    scenario = scenario_from_document(merged(barnet.source.document, readme_example()), "readme.yaml")
    streams = scenario.demand.workstreams
    assert (streams["dols"].per_year, streams["carers"].per_year, streams["transitions"].per_year) == (1819, 2592, 50)
    role, before = scenario.roles["social_worker"], barnet.roles["social_worker"]
    assert (before.vacancy_rate, before.non_case_share) == (0.095, 0.12)
    assert role.hours_per_year == pytest.approx(
        (before.fte * (1 - 0.095) + 2) * before.productive_hours_per_fte * (1 - 0.12))
    flows = expected_flows(scenario)
    assert flows.contacts == pytest.approx(expected_flows(barnet).contacts)
    assert flows.workstreams["dols"] == pytest.approx(1819, rel=0.01)  # the horizon's own days and profile
    assert flows.stages["dols_assessment"] == pytest.approx(flows.workstreams["dols"])


def test_workstreams_with_localities_enter_shared_stages_only():
    base = load_scenario(ROOT / "scenarios" / "herefordshire_localities.yaml")
    # the shipped streams enter shared stages: concerns the single point of access, carers their own stage
    assert (base.network.entries["safeguarding"], base.network.entries["carers"]) == ("front_door", "carers_assessment")
    assert "carers_assessment" in base.stages and "carers_assessment__city" not in base.stages
    shared = vary(base, {"demand.workstreams.dols": {"per_year": 100, "stage": "full_assessment"}})
    assert shared.network.entries["dols"] == "full_assessment"
    assert expected_flows(shared).stages["full_assessment"] > expected_flows(base).stages["full_assessment"] + 90
    with pytest.raises(InputError, match="demand.workstreams.dols.stage: a workstream belongs to no locality"):
        vary(base, {"demand.workstreams.dols": {"per_year": 100, "stage": "social_work"}})
