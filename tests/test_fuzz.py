"""Mutated copies of every shipped scenario through validate, flows and a short run: exit 0 or 2 only,
no traceback, strict JSON, every case under a time limit. A bounded sample of bench/fuzz.py's cases
(the release check runs thousands)."""
from __future__ import annotations

import pytest

from bench.fuzz import SCENARIOS, cases, check_case, write_case

CASES = 36  # three per shipped scenario; about a minute on two idle cores
SECONDS = 90  # one case, on a loaded test machine


@pytest.mark.parametrize("number, scenario, what, text",
                         [pytest.param(*case, id=f"{case[0]}-{case[2]}") for case in cases(CASES, seed=0)])
def test_mutated_scenario_gives_a_message_or_a_result(tmp_path, number, scenario, what, text):
    path = tmp_path / f"case_{number}.yaml"
    write_case(path, text)
    assert check_case(path, seconds=SECONDS) == [], f"case {number} ({scenario}: {what})"


def test_every_shipped_scenario_is_mutated():
    assert {scenario for _, scenario, _, _ in cases(CASES)} == {p.name for p in SCENARIOS}


def test_the_cases_are_the_same_every_time():
    assert list(cases(5, seed=3)) == list(cases(5, seed=3))
