"""Council profiles: validation (file, field, reason; exit 2), and the check of a scenario against one."""
from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.errors import InputError
from flowsim.profile.check import check
from flowsim.profile.schema import load_profile, profile_from_text
from flowsim.scenario import load_scenario

BARNET = "data/profiles/barnet.yaml"
HEREFORDSHIRE = "data/profiles/herefordshire.yaml"
GOOD = """
council: Testshire
figures:
  requests_new_clients:
    - {year: 2015/16, value: 8455, source: "SALT STS001"}
"""


@pytest.mark.parametrize("path", [BARNET, HEREFORDSHIRE])
def test_shipped_profiles_load(path):
    profile = load_profile(path)
    assert profile.figures and all(o.source for _, o in profile.observations())


@pytest.mark.parametrize("text, field, reason", [
    (GOOD.replace("2015/16", "2015-16"), "figures.requests_new_clients.0.year", "financial year like 2017/18"),
    (GOOD.replace("2015/16", "2015/17"), "figures.requests_new_clients.0.year", "financial year like 2017/18"),
    (GOOD.replace("requests_new_clients", "requests_from_new"), "figures", "unknown figure 'requests_from_new'"),
    (GOOD.replace("8455", "-3"), "figures.requests_new_clients.0.value", "greater than or equal to 0"),
    (GOOD.replace(', source: "SALT STS001"', ""), "figures.requests_new_clients.0.source", "required"),
    (GOOD.replace('source: "SALT STS001"', 'source: "SALT", status: derived'), "figures.requests_new_clients.0",
     "needs a note"),
    (GOOD + "colour: blue\n", "colour", "unknown field"),
])
def test_a_malformed_profile_names_the_file_the_field_and_the_reason(text, field, reason):
    with pytest.raises(InputError) as caught:
        profile_from_text(text, "council.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.path) == ("council.yaml", field) and reason in problem.message


def test_cli_exit_2_on_a_malformed_profile(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("2015/16", "15/16"))
    result = CliRunner().invoke(main, ["profile", "check", str(bad), "scenarios/barnet_current.yaml", "--reps", "0"])
    assert result.exit_code == 2
    assert f"{bad}: figures.requests_new_clients.0.year: must be a financial year" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["profile", "check", str(tmp_path / "none.yaml"), "scenarios/barnet_current.yaml"])
    assert result.exit_code == 2 and "file not found" in result.output


def test_a_profile_is_read_like_a_scenario_file(tmp_path):
    """Size-checked, ordinary files only, duplicate keys refused: the same rules as a scenario."""
    with pytest.raises(InputError, match="is not an ordinary file"):
        load_profile("/dev/zero")
    with pytest.raises(InputError, match="key 'council' is given twice"):
        profile_from_text(GOOD + "council: Elsewhere\n", "council.yaml")
    big = tmp_path / "big.yaml"
    big.write_text(GOOD + "#" * 1_000_001)
    with pytest.raises(InputError, match="is larger than"):
        load_profile(big)


def test_check_reads_each_figure_off_the_model():
    rows = {(r.figure, r.year): r for r in check(load_profile(BARNET), load_scenario("scenarios/barnet_current.yaml"),
                                                reps=0)}
    requests = rows["requests_new_clients", "2015/16"]
    # 10,569 contacts, 80% from new clients (the scenario's own derivation from the 8,455)
    assert requests.modelled == pytest.approx(8455, rel=0.01) and requests.matches
    assert requests.error == pytest.approx(requests.modelled - 8455)
    telecare = rows["telecare_installs", "2015/16"]
    assert telecare.modelled < 200 and telecare.matches is False  # the model starts far fewer than 880
    later = rows["requests_new_clients", "2017/18"]
    assert later.how == "expected flows" and later.modelled > 8000 and later.matches is False


def test_check_simulates_with_an_interval_and_skips_years_before_the_start():
    rows = check(load_profile(BARNET), load_scenario("scenarios/barnet_current.yaml",
                                                     ["time.horizon_days=120"]), reps=2)
    simulated = [r for r in rows if r.how.startswith("simulation")]
    assert simulated and all(r.ci_low <= r.modelled <= r.ci_high for r in simulated)
    rows = check(load_profile(BARNET), load_scenario("scenarios/barnet_current_2017_2020.yaml"), reps=0)
    early = [r for r in rows if r.year == "2015/16"]
    assert early and all(math.isnan(r.modelled) and r.how == "before the scenario starts" for r in early)


def test_cli_check_json():
    result = CliRunner().invoke(main, ["profile", "check", BARNET, "scenarios/barnet_current.yaml", "--reps", "0",
                                       "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["figures"]
    assert {"figure", "year", "observed", "modelled", "error", "relative_error", "source"} <= set(figures[0])


def test_barnet_demand_growth_follows_its_projected_population_by_age():
    from flowsim.figures import lookup

    def v(key):
        return lookup(key).value
    older = (v("barnet.requests_new_clients_2017_18") - (1 + v("barnet.requests_change_younger_2015_16_to_2017_18"))
             * v("barnet.requests_new_clients_2015_16")) / (v("barnet.requests_change_older_2015_16_to_2017_18")
                                                            - v("barnet.requests_change_younger_2015_16_to_2017_18"))
    assert (1 + v("barnet.requests_change_older_2015_16_to_2017_18")) * older == pytest.approx(
        v("barnet.requests_older_2017_18"), abs=1)
    w = v("barnet.requests_older_share_2017_18")
    growth = w * (1.33 ** (1 / 12) - 1) + (1 - w) * (1.04 ** (1 / 12) - 1)
    assert growth == pytest.approx(v("barnet.request_growth_per_year_from_population"), abs=1e-4)
    older_growth, younger_growth = 1.33 ** (1 / 12) - 1, 1.04 ** (1 / 12) - 1
    assert older_growth == pytest.approx(v("barnet.request_growth_per_year.older_adults"), abs=1e-5)
    assert younger_growth == pytest.approx(v("barnet.request_growth_per_year.younger_adults"), abs=1e-5)
    older_by_2025, younger_by_2025 = w * (1 + older_growth) ** 8, (1 - w) * (1 + younger_growth) ** 8
    assert v("barnet.contacts_per_year_2017_18") * (older_by_2025 + younger_by_2025) == pytest.approx(
        v("barnet.contacts_per_year_2025"), abs=2)
    assert older_by_2025 / (older_by_2025 + younger_by_2025) == pytest.approx(
        v("barnet.requests_older_share_2025"), abs=5e-4)
    # each age group grown at its own rate comes to more than the blended rate would: the older share grows
    assert older_by_2025 + younger_by_2025 > (1 + growth) ** 8
    scenario = load_scenario("scenarios/barnet_winter_2025.yaml")
    assert scenario.demand.contacts_per_year == v("barnet.contacts_per_year_2025")
    groups = scenario.demand.groups
    assert groups["older_adults"].share == v("barnet.requests_older_share_2025")
    assert scenario.demand.group_growth("older_adults") == v("barnet.request_growth_per_year.older_adults")
    assert scenario.demand.group_growth("younger_adults") == v("barnet.request_growth_per_year.younger_adults")


def test_waits_come_from_simulation_only():
    profile = profile_from_text(GOOD + """  median_wait_for_assessment_days:
    - {year: 2015/16, value: 27, source: "Wokingham FOI 2022/23 (a neighbour's figure, for the test)"}
  waiting_for_assessment:
    - {year: 2015/16, value: 100, source: "for the test"}
""", "waits.yaml")
    scenario = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=90"])
    rows = {r.figure: r for r in check(profile, scenario, reps=0)}
    assert rows["median_wait_for_assessment_days"].how == "needs simulation"
    rows = {r.figure: r for r in check(profile, scenario, reps=2)}
    wait = rows["median_wait_for_assessment_days"]
    assert wait.how.startswith("simulation") and wait.modelled > 0 and wait.ci_low <= wait.modelled <= wait.ci_high


def test_existing_clients_a_review_sends_to_reablement_are_counted_apart_from_new_clients():
    """SALT counts reablement for new clients (STS002a) and existing ones (STS002b) apart; so does the check."""
    def reablement(*overrides):
        scenario = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=120", *overrides])
        rows = {(r.figure, r.year): r for r in check(load_profile(BARNET), scenario, reps=2)}
        return rows["reablement_new_clients", "2015/16"], rows["reablement_existing_clients", "2015/16"]

    new_before, existing_before = reablement()
    new_after, existing_after = reablement("stages.review.routes.enablement=0.12")
    assert existing_after.how.startswith("simulation") and new_after.how.startswith("simulation")
    assert existing_before.modelled < 20 < 50 < existing_after.modelled  # 12% of some 650 reviews done in 120 days
    assert new_after.modelled == pytest.approx(new_before.modelled, rel=0.08)  # new clients much as they were
