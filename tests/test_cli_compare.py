"""``flowsim compare`` as an analyst reads it at 100 columns: the answer first, each side's own names."""
import json

import pytest
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.cli.common import console
from flowsim.cli.compare import flow_order

CURRENT, NEW = "scenarios/barnet_current.yaml", "scenarios/barnet_new_model.yaml"


@pytest.fixture(scope="module")
def shown():
    """The Barnet pair, printed at 100 columns (short runs: the layout is what is tested)."""
    width = console.width
    console.width = 100
    try:
        result = CliRunner().invoke(main, ["compare", CURRENT, NEW, "--reps", "2", "--days", "30"])
    finally:
        console.width = width
    assert result.exit_code == 0, result.output
    return result.output


def _table(output: str, title: str) -> list[str]:
    """The body rows (lines with a cell border) of the table with this title."""
    after = output.split(f"\n{title}", 1)[1].split("\n")[1:]
    rows = []
    for line in after:
        if "│" not in line and "┃" not in line and "━" not in line:
            break
        if "│" in line:
            rows.append(line)
    return rows


def test_savings_and_headlines_come_first_then_the_groups_run_has(shown):
    order = [shown.index(t) for t in ("Saving A − B", "\nHeadlines", "\nStages", "\nPractitioners",
                                      "\nWaiting and caseloads", "\nNew packages of care", "\nMoney")]
    assert order == sorted(order)
    assert "Outcome reached" not in shown and "People moving" not in shown  # behind --all


def test_every_line_fits_100_columns_and_headline_rows_do_not_wrap(shown):
    assert max(len(line) for line in shown.splitlines()) <= 100
    for title in ("Saving A − B", "Headlines", "Money"):
        rows = _table(shown, title)
        assert rows
        for row in rows:
            cells = [c.strip() for c in row.split("│")]
            # a row with no numbers is a wrapped label, unless it is the key stage's heading
            assert any(cells[1:]) or cells[0] == "Full needs assessment (Care Act)", row


def test_each_side_keeps_its_own_names_and_one_sided_stages_show_a_dash(shown):
    stages = _table(shown, "Stages")
    labels = [row.split("│")[0].strip() for row in stages]
    assert "Social Care Direct" in labels and "B: First point of contact" in labels
    assert "B: Community hub appointment" in labels
    visit = next(row for row in stages if row.split("│")[0].strip() == "Home visit")
    assert visit.split("│")[1].strip() == "–" and visit.split("│")[2].strip() != "–"
    social_work = next(row for row in stages if row.split("│")[0].strip().startswith("Social worker (referral"))
    assert social_work.split("│")[2].strip() == "–"
    first_section = labels[:labels.index("Wait, mean (days)")]
    assert first_section.index("Home visit") < first_section.index("Occupational therapy assessment")
    assert shown.index("Home visit") < shown.index("\nMoney")


def test_run_and_compare_show_the_total_cost_per_financial_year(shown):
    assert "Package and staff cost in 2015/16" in "\n".join(_table(shown, "Headlines"))
    ran = CliRunner().invoke(main, ["run", NEW, "--reps", "2", "--days", "30"])
    assert "Package and staff cost in 2015/16" in ran.output


def test_flow_order_places_one_sided_stages_after_their_predecessor():
    assert flow_order(["door", "social_work", "hub", "ot"], ["door", "hub", "visit", "ot"]) == \
        ["door", "social_work", "hub", "visit", "ot"]
    assert flow_order(["b"], ["a", "b"]) == ["a", "b"]


def test_set_changes_b_and_set_a_changes_a(tmp_path):
    out = tmp_path / "pair"
    result = CliRunner().invoke(main, ["compare", CURRENT, NEW, "--reps", "2", "--days", "20", "--json",
                                       "--set", "roles.social_worker.fte=60", "--set-a", "roles.social_worker.fte=50",
                                       "--out", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    kpis = json.loads(result.output)["kpis"]["hours_available.social_worker"]
    assert kpis["b_mean"] / kpis["a_mean"] == pytest.approx(60 / 50)
    assert {p.name for p in out.iterdir()} == {"comparison.csv", "savings.csv", "a", "b", "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert "--set-a roles.social_worker.fte=50" in manifest["command"] and "pandas" in manifest["packages"]
    assert (out / "b" / "manifest.json").exists() and (out / "b" / "events.csv").exists()
    bad = CliRunner().invoke(main, ["compare", CURRENT, NEW, "--set", "roles.social_workr.fte=3"])
    assert bad.exit_code == 2
    assert "no role 'social_workr' (did you mean social_worker?)" in bad.output
