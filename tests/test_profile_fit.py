"""Fitting a scenario to a profile: it recovers known values, names figures that conflict, and back-tests."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.provenance import number_sources
from flowsim.errors import FlowsimError, InputError
from flowsim.profile import steady_state
from flowsim.profile.backtest import backtest
from flowsim.profile.check import check
from flowsim.profile.fit import fit, held_balance, overrides, parse_free
from flowsim.profile.in_flight import in_flight
from flowsim.profile.schema import load_profile, profile_from_text
from flowsim.scenario import load_scenario, vary
from tests.test_profile_steady import ASSUMED_DURATIONS, BARNET

SCENARIO = "scenarios/barnet_current.yaml"
KNOWN = {"demand.contacts_per_year": 9500.0, "stages.hospital_team.routes.enablement": 0.2,
         "stages.support_planning.routes.telecare": 0.12}
FREE = ["demand.contacts_per_year=7000:13000", "stages.hospital_team.routes.enablement=0:0.5",
        "stages.support_planning.routes.telecare=0:0.5"]


def profile_of(scenario, figures: list[str], year: str = "2015/16", **scale) -> str:
    """A profile made by the model itself: its expected value of each figure (times ``scale``, if given)."""
    template = yaml.safe_dump({"council": "Modelshire", "figures": {
        f: [{"year": year, "value": 1.0, "source": "the model itself"}] for f in figures}})
    rows = check(profile_from_text(template, "model"), scenario, reps=0)
    return yaml.safe_dump({"council": "Modelshire", "figures": {
        r.figure: [{"year": year, "value": r.modelled * scale.get(r.figure, 1.0), "source": "the model itself"}]
        for r in rows}})


def test_the_fit_recovers_known_parameters_from_a_profile_made_by_the_model():
    start = load_scenario(SCENARIO)
    free = parse_free(FREE, start)
    truth = vary(start, overrides(start, free, [KNOWN[p.path] for p in free]))  # the package mix rescaled around
    profile = profile_from_text(profile_of(truth, ["requests_new_clients", "reablement_new_clients",
                                                   "telecare_installs", "care_home_admissions"]), "model")
    result = fit(profile, start, free)
    for path, value in KNOWN.items():
        assert result.values[path] == pytest.approx(value, rel=0.02), path
    assert result.holds and max(abs(result.residuals)) < 0.05
    # the fitted scenario cites the profile and the fit for each fitted number
    fitted = {row.path: row for row in number_sources(result.scenario)}
    assert "fit to" in fitted["demand.contacts_per_year"].source
    assert fitted["demand.contacts_per_year"].status == "derived"


def test_figures_that_cannot_both_hold_are_named():
    truth = load_scenario(SCENARIO)
    # twice the reablement the model's requests can give, with only the contacts free: the two pull apart
    profile = profile_from_text(profile_of(truth, ["requests_new_clients", "reablement_new_clients"],
                                           reablement_new_clients=2.0), "model")
    result = fit(profile, truth, parse_free(["demand.contacts_per_year=5000:30000"], truth))
    assert not result.holds
    text = "\n".join(result.conflicts)
    assert "requests_new_clients 2015/16" in text and "reablement_new_clients 2015/16" in text
    assert "opposite ways" in text


def test_a_figure_no_parameter_moves_is_named():
    truth = load_scenario(SCENARIO)
    profile = profile_from_text(profile_of(truth, ["requests_new_clients", "telecare_installs"],
                                           telecare_installs=3.0), "model")
    result = fit(profile, truth, parse_free(["demand.contacts_per_year=9000:12000"], truth))
    assert any("telecare_installs 2015/16" in line for line in result.conflicts)


@pytest.mark.parametrize("free, message", [
    (["demand.contacts_per_year"], "low:high"),
    (["demand.contacts_per_year=3:1"], "low < high"),
    (["demand.no_such_field=0:1"], "not a number of this scenario"),
    (["stages.review.routes.no_such_place=0:0.3"], "nor a new route or package alongside"),
    (["outcomes.no_eligible_needs.alongside.telecare=0:1"], "nor a new route or package alongside"),
    (["outcomes.home_care.alongside.home_care=0:1"], "nor a new route or package alongside"),
])
def test_bad_free_parameters_are_refused(free, message):
    with pytest.raises(InputError, match=message):
        parse_free(free, load_scenario(SCENARIO))


def test_cli_fit_writes_a_fitted_scenario_that_loads(tmp_path):
    out = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(main, ["fit", "data/profiles/barnet.yaml", SCENARIO, "--reps", "0", "--out", str(out),
                                       "--free", "demand.contacts_per_year=8000:13000",
                                       "--free", "stages.hospital_team.routes.enablement=0:0.6"])
    assert result.exit_code == 0, result.output
    assert "Requests for support from new clients" in result.output and "error" in result.output
    fitted = load_scenario(out)
    assert fitted.demand.contacts_per_year != load_scenario(SCENARIO).demand.contacts_per_year
    result = CliRunner().invoke(main, ["fit", "data/profiles/barnet.yaml", SCENARIO, "--free", "nope=1:2"])
    assert result.exit_code == 2 and "--free: nope: is not a number" in result.output


def test_backtest_fits_one_year_and_reports_the_error_of_the_next():
    profile, scenario = load_profile("data/profiles/barnet.yaml"), load_scenario(SCENARIO)
    result = backtest(profile, scenario, parse_free(FREE[:2], scenario), "2015/16", "2017/18")
    predicted = {r.figure: r for r in result.predicted}
    fitted = {r.figure: r for r in result.fitted}
    # the scenario has no demand growth: it predicts 2017/18's requests equal to 2015/16's fitted value
    assert predicted["requests_new_clients"].modelled == pytest.approx(fitted["requests_new_clients"].modelled)
    assert predicted["requests_new_clients"].error == pytest.approx(predicted["requests_new_clients"].modelled - 7143)
    assert predicted["reablement_new_clients"].observed == 900
    assert any("Requests for support from new clients, 2017/18: predicted" in line for line in result.summary())
    with pytest.raises(FlowsimError, match="must come after"):
        backtest(profile, scenario, parse_free(FREE[:1], scenario), "2017/18", "2015/16")


def test_the_fit_can_refine_on_the_simulation_with_common_random_numbers():
    scenario = load_scenario(SCENARIO)
    profile = profile_from_text(yaml.safe_dump({"council": "Testshire", "figures": {"requests_new_clients": [
        {"year": "2015/16", "value": 8000, "source": "for the test"}]}}), "test")
    result = fit(profile, scenario, parse_free(["demand.contacts_per_year=8000:13000"], scenario),
                 simulate=2, seed=3)
    [row] = check(profile, result.scenario, reps=2, seed=3)
    assert row.how.startswith("simulation") and abs(row.relative_error) < 0.05
    assert "simulation comes closest" in result.scenario.provenance["demand.contacts_per_year"].reason


def test_shares_of_one_group_fitted_past_a_whole_take_it_in_proportion():
    # two shares of one group that cannot both reach their upper bounds: together they take the whole group
    scenario = load_scenario(SCENARIO)
    profile = profile_from_text(profile_of(scenario, ["telecare_installs", "care_home_admissions"],
                                           telecare_installs=8.0, care_home_admissions=4.0), "model")
    free = parse_free(["stages.support_planning.routes.telecare=0:0.95",
                       "stages.support_planning.routes.residential_care=0:0.95"], scenario)
    result = fit(profile, scenario, free)  # the fitted scenario is valid: its shares add up to 1
    assert sum(result.scenario.stages["support_planning"].routes.values()) == pytest.approx(1.0)


def test_a_steady_fit_sets_durations_with_which_the_caseload_holds():
    start = load_scenario(BARNET, ASSUMED_DURATIONS)
    assert not steady_state(start).balanced
    types = ["home_care", "residential_care", "nursing_care", "direct_payment", "supported_living", "day_care",
             "telecare"]
    free = parse_free([f"outcomes.{t}.mean_duration_weeks=26:1040" for t in types], start)
    result = fit(load_profile("data/profiles/barnet.yaml"), start, free, steady=True, profile_name="barnet.yaml")
    state = steady_state(result.scenario)
    assert state.balanced, state.warnings()
    for balance in state.packages:  # each freed type's starts meet its need closely, not just within the 10% allowed
        if balance.package in types:
            assert balance.ratio == pytest.approx(1, abs=0.03), balance.package
    fitted = {row.path: row for row in number_sources(result.scenario)}
    assert "holding the starting caseload of home_care" in fitted["outcomes.home_care.mean_duration_weeks"].source
    # the shipped durations are these, rounded to whole weeks
    shipped = load_scenario(BARNET)
    for t in types:
        assert shipped.outcomes[t].mean_duration_weeks == pytest.approx(result.values[f"outcomes.{t}.mean_duration_weeks"],
                                                                         abs=0.6), t
    result = CliRunner().invoke(main, ["fit", "data/profiles/barnet.yaml", BARNET, "--steady", "--reps", "0",
                                       "--free", "outcomes.home_care.mean_duration_weeks=26:1040"])
    assert result.exit_code == 0 and "the fitted caseload holds" in result.output
    result = CliRunner().invoke(main, ["fit", "data/profiles/barnet.yaml", BARNET, "--steady", "--reps", "0", "--json",
                                       "--free", "outcomes.home_care.mean_duration_weeks=26:1040"])
    assert json.loads(result.output)["steady_state"]["balanced"] is True


def test_a_steady_fit_on_the_simulation_holds_the_caseload_with_the_packages_the_run_starts():
    """The expected flows count home-care starts that Barnet's social workers cannot make: fitted on the
    simulation (started in flight), the duration holds the run's own caseload, and is longer."""
    profile = load_profile("data/profiles/barnet.yaml")
    start = in_flight(load_scenario(SCENARIO), reps=2, processes=1).scenario
    free = parse_free(["outcomes.home_care.mean_duration_weeks=26:1040"], start)
    on_flows = fit(profile, start, free, steady=True)
    on_run = fit(profile, start, free, steady=True, simulate=2, processes=1)
    held = {b.package: b for b in held_balance(on_run.scenario, profile, simulate=2).packages}
    assert held["home_care"].basis == "the simulation" and held["home_care"].ratio == pytest.approx(1, abs=0.05)
    weeks = "outcomes.home_care.mean_duration_weeks"
    assert on_run.values[weeks] > on_flows.values[weeks] + 5
    assert held_balance(on_flows.scenario, profile).packages[0].basis == "the flow"


def test_a_steady_fit_with_nothing_to_hold_or_match_is_refused():
    empty = load_scenario(BARNET, ["caseload.packages={}"])
    profile = profile_from_text(profile_of(empty, ["requests_new_clients"], year="2017/18"), "model")
    free = parse_free(["outcomes.home_care.mean_duration_weeks=26:1040"], empty)
    with pytest.raises(FlowsimError, match="starts with no packages to hold"):
        fit(profile, empty, free, year="2015/16", steady=True)


def test_the_fit_finds_routes_and_packages_alongside_the_scenario_does_not_have_yet(tmp_path):
    """Reviews sending people to reablement and care homes, and telecare installed at reviews that increase
    support: free from 0, recovered from a profile the model made with known values, written out with sources."""
    start = load_scenario(SCENARIO)
    new = ["stages.review.routes.enablement=0:0.3", "stages.review.routes.residential_care=0:0.3",
           "outcomes.review_increase.alongside.telecare=0:1"]
    free = parse_free(new, start)
    assert all(p.new and p.start == 0 for p in free)
    known = {"stages.review.routes.enablement": 0.05, "stages.review.routes.residential_care": 0.03,
             "outcomes.review_increase.alongside.telecare": 0.6}
    truth = vary(start, overrides(start, free, [known[p.path] for p in free]))
    profile = profile_from_text(profile_of(truth, ["reablement_existing_clients", "care_home_admissions",
                                                   "telecare_installs"]), "model")
    result = fit(profile, start, free)
    for path, value in known.items():
        assert result.values[path] == pytest.approx(value, rel=0.02), path
    out = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(main, ["fit", "data/profiles/barnet.yaml", SCENARIO, "--reps", "0", "--out", str(out),
                                       *[f"--free={item}" for item in new]])
    assert result.exit_code == 0, result.output
    fitted = load_scenario(out)
    assert fitted.outcomes["review_increase"].alongside["telecare"] > 0.3
    assert fitted.stages["review"].routes["enablement"] > 0
    sources = {row.path: row for row in number_sources(fitted)}
    assert "fit to barnet.yaml" in sources["outcomes.review_increase.alongside.telecare"].source
