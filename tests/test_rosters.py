"""Practitioners' working windows: no work outside rostered hours."""
import math

import numpy as np
import pytest

from flowsim import InputError
from flowsim.calendar import working_days_per_year
from flowsim.engine.rosters import build_roster, finish_time
from flowsim.scenario.load import scenario_from_document


def office(tiny, **role):
    document = tiny()
    document["time"]["calendars"] = {"office": {"start": "09:00", "end": "17:00"}}
    document["roles"]["adviser"].update(role)
    return scenario_from_document(document, "t.yaml")


def test_roster_packs_productive_hours_at_the_start_of_working_days(tiny):
    scenario = office(tiny, fte=1.5, productive_hours_per_fte=1500)
    roster = build_roster(scenario, "adviser", 14)
    # 2024-04-01 is a Monday: days 0-4 and 7-11 are working days.
    assert [int(s) for s in roster.starts] == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]
    assert roster.starts[0] == pytest.approx(9 / 24)
    assert working_days_per_year(scenario, "office") == 261  # Mon-Fri, 1 April 2024 to 31 March 2025
    assert roster.lengths[0] * 24 == pytest.approx(1500 / 261)
    assert roster.lengths[1] == pytest.approx(roster.lengths[0] / 2)


def test_work_pauses_overnight_and_resumes_next_working_day(tiny):
    scenario = office(tiny, fte=1, productive_hours_per_fte=2000)
    roster = build_roster(scenario, "adviser", 14)
    length = roster.lengths[0]
    busy = np.zeros(14)
    start = 4 + 9 / 24  # Friday 09:00
    done = finish_time(roster, 0, start, 1.5 * length, busy)
    assert done == pytest.approx(7 + 9 / 24 + 0.5 * length)  # half of it on Monday
    assert busy[4] == pytest.approx(length * 24) and busy[7] == pytest.approx(0.5 * length * 24)
    assert 5 not in [int(s) for s in roster.starts]  # Saturday: no window, so nothing worked
    assert busy[5] == busy[6] == 0
    assert math.isinf(finish_time(roster, 0, 11.5, 10 * length, np.zeros(14)))


def test_more_hours_than_the_calendar_allows_is_refused_at_load(tiny):
    with pytest.raises(InputError, match="more than calendar 'office' has"):
        office(tiny, productive_hours_per_fte=5000)


def test_calendar_without_working_days_is_refused_at_load(tiny):
    document = tiny()
    document["time"]["calendars"] = {"office": {"days": []}}
    with pytest.raises(InputError, match="roles.adviser.calendar: calendar 'office' has no working days"):
        scenario_from_document(document, "t.yaml")


def test_daily_hours_do_not_depend_on_the_run_length(tiny):
    """An exact 09:00-17:00 day at 2,088 hours a year is 8 hours a day for a run of any length."""
    document = tiny()
    document["time"]["calendars"] = {"office": {"start": "09:00", "end": "17:00"}}
    document["time"]["start_date"] = "2025-04-01"  # 261 weekdays to 31 March 2026, no bank holidays listed
    document["roles"]["adviser"].update(productive_hours_per_fte=261 * 8)
    for days in (30, 365, 1000):
        scenario = scenario_from_document(document | {"time": document["time"] | {"horizon_days": days}}, "t.yaml")
        assert build_roster(scenario, "adviser", days).lengths[0] * 24 == pytest.approx(8.0)
