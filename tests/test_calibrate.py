"""Calibration from a council's counts: the flows reproduce the counts; bad counts are refused."""
import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowsim import InputError, expected_flows, load_scenario, number_sources
from flowsim.calibrate import calibrate_file, read_counts, structure
from flowsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples/barnet_counts.csv"


def counted(path: Path) -> dict:
    rows = csv.DictReader(line for line in path.open() if not line.startswith("#"))
    return {(r["from"], r["to"]): float(r["people"]) for r in rows}


def test_barnet_counts_are_reproduced_by_the_expected_flows():
    _, scenario = calibrate_file(EXAMPLE, council="Barnet")
    flows = expected_flows(scenario)
    for (a, b), people in counted(EXAMPLE).items():
        got = flows.edges[(a, b)] if a in scenario.stages else flows.by_source[a][b]
        assert got == pytest.approx(people, rel=1e-9), (a, b)
    assert flows.contacts == pytest.approx(8455)
    assert all(load.utilisation < 1 for load in flows.roles.values())


def test_every_derived_number_cites_the_counts_file():
    _, scenario = calibrate_file(EXAMPLE)
    rows = {r.path: r for r in number_sources(scenario)}
    assert rows["demand.contacts_per_year"].status == "derived"
    assert "counts file barnet_counts.csv" in rows["stages.social_work.routes.full_assessment"].source
    assert "2,111 of 2,778" in rows["stages.social_work.routes.full_assessment"].source
    assert rows["roles.social_worker.fte"].status == "assumption"


def write(tmp_path, text) -> Path:
    path = tmp_path / "counts.csv"
    path.write_text(text)
    return path


def test_more_assessments_than_referrals_is_flagged(tmp_path):
    path = write(tmp_path, "from,to,people\ncommunity,front_door,100\nfront_door,full_assessment,100\n"
                           "full_assessment,home_care,80\nfull_assessment,no_eligible_needs,70\n")
    with pytest.raises(InputError, match="full_assessment: inconsistent: 100 people arrive but 150 leave "
                                         r"\(more leaving than arriving\)"):
        calibrate_file(path)


@pytest.mark.parametrize("text, message", [
    ("a,b,c\nx,y,1\n", "header: columns must be from,to,people"),
    ("from,to,people\ncommunity,front_door,many\n", "row 1: people 'many' is not a number"),
    ("from,to,people\ncommunity,front_door,-4\n", "row 1: people must be 0 or more"),
    ("from,to,people\nfront_door,front_door,4\n", "cannot lead to itself"),
    ("from,to,people\ncommunity,front_door,4\ncommunity,front_door,5\n", "is counted twice"),
    ("from,to,people\n", "has no counts"),
])
def test_malformed_counts_are_clear_errors(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_counts(text, "counts.csv")


def test_a_source_entering_two_stages_is_refused():
    counts = {("community", "front_door"): 5, ("community", "hub"): 5, ("front_door", "advice"): 5,
              ("hub", "advice"): 5}
    with pytest.raises(InputError, match="already enters"):
        structure(counts, "counts.csv")


def test_cli_writes_a_loadable_scenario_and_refuses_bad_counts(tmp_path):
    out = tmp_path / "barnet.yaml"
    result = CliRunner().invoke(main, ["calibrate", str(EXAMPLE), "--out", str(out), "--council", "Barnet"])
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.council == "Barnet" and scenario.demand.contacts_per_year == pytest.approx(8455)
    bad = write(tmp_path, "from,to,people\ncommunity,front_door,10\nfront_door,advice,30\n")
    result = CliRunner().invoke(main, ["calibrate", str(bad), "--out", str(tmp_path / "never.yaml")])
    assert result.exit_code == 2 and "inconsistent" in result.output
    assert not (tmp_path / "never.yaml").exists()


def test_stages_roles_and_outcomes_come_in_flow_order_and_roles_are_80_percent_busy():
    document, scenario = calibrate_file(EXAMPLE, council="Barnet")
    assert list(scenario.stages) == ["front_door", "hospital_team", "social_work", "full_assessment", "enablement"]
    assert list(scenario.roles)[0] == "front_door_adviser"
    assert list(scenario.outcomes)[0] == "information_advice"
    for role, load in expected_flows(scenario).roles.items():
        assert load.utilisation == pytest.approx(0.80, abs=0.005), role


def test_cli_writes_beside_the_counts_by_default_and_never_over_a_file(tmp_path):
    counts = tmp_path / "my_counts.csv"
    counts.write_bytes(EXAMPLE.read_bytes())
    first = CliRunner().invoke(main, ["calibrate", str(counts)])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "my_counts.yaml").exists()
    assert load_scenario(tmp_path / "my_counts.yaml").name == "my_counts"
    again = CliRunner().invoke(main, ["calibrate", str(counts)])
    assert again.exit_code == 2 and "already exists: name the scenario file to write with --out" in again.output
