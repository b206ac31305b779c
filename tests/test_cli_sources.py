"""``flowsim sources``: filters, and a layout that fits 100–120 columns without breaking names."""
import json

import pytest
from click.testing import CliRunner

from flowsim.cli import main
from flowsim.cli.common import console

NEW = "scenarios/barnet_new_model.yaml"


def sources(*args, width=None):
    saved = console.width
    if width:
        console.width = width
    try:
        return CliRunner().invoke(main, ["sources", NEW, *args])
    finally:
        console.width = saved


def test_status_filter_keeps_only_that_status():
    rows = json.loads(sources("--status", "assumption", "--json").output)
    assert rows and {r["status"] for r in rows} == {"assumption"}
    both = json.loads(sources("--status", "assumption", "--status", "published", "--json").output)
    assert {r["status"] for r in both} == {"assumption", "published"}


def test_seed_filter_keeps_numbers_from_the_council_papers():
    rows = json.loads(sources("--status", "seed", "--json").output)
    assert rows and all("London Borough of Barnet" in r["source"] or "Council" in r["source"] for r in rows)
    assert "stages.front_door.routes.community_hub" in {r["path"] for r in rows}


@pytest.mark.parametrize("pattern, expected", [("roles.*.fte", "roles.social_worker.fte"),
                                               ("COMMUNITY_HUB", "stages.front_door.routes.community_hub")])
def test_match_takes_a_glob_or_part_of_a_name(pattern, expected):
    rows = json.loads(sources("--match", pattern, "--json").output)
    assert expected in {r["path"] for r in rows}
    if "*" in pattern:
        assert all(r["path"].startswith("roles.") and r["path"].endswith(".fte") for r in rows)


@pytest.mark.parametrize("width", [100, 120])
def test_table_fits_and_names_break_only_after_a_dot(width):
    result = sources(width=width)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= width
    fields = [line.split("│")[0].strip() for line in lines if "│" in line]
    paths = {r["path"] for r in json.loads(sources("--json").output)}
    pieces = [f for f in fields if f]
    for piece in pieces:  # each line of a name is whole dotted parts: a name or the start of one
        assert piece in paths or piece.endswith(".") or any(p.endswith(piece) for p in paths), piece
    assert "…" not in result.output
    summary = sources("--status", "assumption", width=width).output.splitlines()[-1]
    assert " of " in summary and summary.endswith("assumption")
