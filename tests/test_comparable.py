"""Unlike pairs (other council, start date, price base; no caseload or staff costs) are flagged, in the CLI too."""
import json

import yaml
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.finance.comparable import check
from flowsim.scenario.load import scenario_from_document
from tests.conftest import tiny_document

STAFFED = {"roles.adviser.annual_cost_per_fte": 30000, "roles.social_worker.annual_cost_per_fte": 40000,
           "caseload.packages": {"home_care": 50}}


def test_a_like_pair_has_no_blocking_caveat():
    a = scenario_from_document(tiny_document(**STAFFED), "a.yaml")
    assert [c for c in check(a, a) if c.blocks_savings] == []


def test_each_unlike_feature_is_named():
    a = scenario_from_document(tiny_document(**STAFFED), "a.yaml")
    b = scenario_from_document(tiny_document(**STAFFED, council="Elsewhere", price_year=2023,
                                             **{"time.start_date": "2023-04-01"}), "b.yaml")
    messages = [c.message for c in check(a, b) if c.blocks_savings]
    assert any("different councils" in m for m in messages)
    assert any("starts on 2024-04-01 and B on 2023-04-01" in m for m in messages)
    assert any("2024/25 prices and B in 2023/24 prices" in m for m in messages)


def test_cli_compare_of_unlike_pair_warns_and_shows_no_saving(tmp_path):
    paths = []
    for name, changes in (("a", STAFFED), ("b", {"council": "Elsewhere"})):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(tiny_document(**changes, **{"time.horizon_days": 60}), sort_keys=False))
        paths.append(str(path))
    result = CliRunner().invoke(main, ["compare", *paths, "--reps", "2", "--target", "1000"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Warning: A is Testshire and B is Elsewhere: different councils" in text
    assert "B (tiny) has no staff costs" in text and "not comparable: not a saving" in text
    assert "Saving A − B (positive" not in text
    data = json.loads(CliRunner().invoke(main, ["compare", *paths, "--reps", "2", "--json"]).output)
    assert data["saving_a_minus_b"]["comparable"] is False and data["saving_a_minus_b"]["caveats"]


def test_pairs_covering_different_financial_years_still_give_a_difference():
    """A locality scenario from October 2013 against Barnet from April 2015: no common year, one horizon row
    per part, labelled not comparable (this failed in the app before the years were aligned)."""
    from flowsim import compare, load_scenario
    from flowsim.finance import savings
    a = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=30"])
    b = load_scenario("scenarios/herefordshire_localities.yaml", ["time.horizon_days=200"])
    saved = savings(compare(a, b, reps=2, seed=1), a, b)
    assert set(saved.table["period"]) == {"horizon"} and not saved.comparable
    assert any("starts on 2015-04-01 and B on 2013-10-01" in c.message for c in saved.caveats)
