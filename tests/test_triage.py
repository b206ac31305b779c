"""Triage of allocation lists: levels by share, moving up with time waited, and people leaving the list."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from flowsim.engine import run
from flowsim.engine.stages import Person, Visit
from flowsim.engine.team import Team
from flowsim.engine.triage import DAYS_PER_MONTH, TriageRules, look_over_list
from flowsim.errors import InputError
from flowsim.scenario.load import scenario_from_document
from flowsim.scenario.work import Stage
from tests.conftest import queue_document

SERVICE_MINUTES = 60.0
MU = 1440 / SERVICE_MINUTES  # completions a day of one practitioner working round the clock
TWO_LEVELS = {"urgent": {"share": 0.3, "priority": 1}, "routine": {"share": 0.7, "priority": 5}}


def stage_spec(triage: dict, by_source: dict | None = None) -> Stage:
    return Stage(role="server", work={"distribution": "fixed", "mean_minutes": 60}, routes={"done": 1.0},
                 triage=triage, priority_by_source=by_source or {})


def summary(document: dict, reps: int = 6, seed: int = 3):
    scenario = scenario_from_document(document, "triage.yaml")
    return run(scenario, reps=reps, seed=seed, detail=False).summary().set_index("kpi")


def triaged_queue(load: float, triage: dict | None, **kwargs) -> dict:
    document = queue_document(1, load * MU, SERVICE_MINUTES, **kwargs)
    if triage is not None:
        document["stages"]["service"]["triage"] = triage
    return document


def test_levels_are_drawn_by_their_shares():
    rules = TriageRules("service", stage_spec({"levels": TWO_LEVELS}), np.random.SeedSequence(1))
    levels = []
    for _ in range(20_000):
        visit = Visit(Person(0, "community"), None, 0.0)
        rules.assign(visit, 0.0)
        levels.append(visit.level)
    urgent = levels.count(0) / len(levels)
    assert abs(urgent - 0.3) < 4 * math.sqrt(0.3 * 0.7 / len(levels))
    assert rules.priorities == [1, 5]  # most urgent first, whatever the order written


def test_triage_orders_the_list_like_priority_by_source():
    """Triage by share is the same queue as two sources with those shares and priorities (validated against
    Cobham's formula elsewhere): their waits agree in distribution."""
    triaged = summary(triaged_queue(0.85, {"levels": TWO_LEVELS}), reps=8, seed=5)
    by_source = queue_document(1, 0.85 * MU, SERVICE_MINUTES)
    by_source["demand"]["sources"] = {"urgent": 0.3, "routine": 0.7}
    by_source["stages"]["service"]["priority_by_source"] = {"urgent": 1, "routine": 5}
    sources = summary(by_source, reps=8, seed=6)
    fifo = summary(triaged_queue(0.85, None), reps=8, seed=5)
    for kpi in ("wait_p90_days.service", "wait_median_days.service"):
        a, b = triaged.loc[kpi], sources.loc[kpi]
        assert abs(a["mean"] - b["mean"]) <= 1.5 * ((a.ci_high - a.ci_low) + (b.ci_high - b.ci_low)) / 2, kpi
    # ... and unlike first come, first served: the routine tail is longer.
    assert triaged.loc["wait_p90_days.service", "mean"] > 1.1 * fifo.loc["wait_p90_days.service", "mean"]


def test_one_level_without_leaving_changes_nothing():
    """Triage draws from its own streams: one level at the stage's own priority gives today's run exactly."""
    plain = summary(triaged_queue(0.9, None))
    one_level = summary(triaged_queue(0.9, {"levels": {"all": {"share": 1.0, "priority": 5}}}))
    assert one_level.loc["left_waiting_list.service", "mean"] == 0
    shared = plain.index.intersection(one_level.index)
    assert len(shared) == len(plain)
    assert np.array_equal(plain.loc[shared, "mean"].to_numpy(), one_level.loc[shared, "mean"].to_numpy(),
                          equal_nan=True)


def test_moving_up_shortens_the_routine_tail():
    routine_last = {"urgent": {"share": 0.5, "priority": 0}, "routine": {"share": 0.5, "priority": 9}}
    stuck = summary(triaged_queue(0.95, {"levels": routine_last}), reps=6)
    raised = summary(triaged_queue(0.95, {"levels": routine_last, "escalate_after_days": 1}), reps=6)
    assert raised.loc["wait_p90_days.service", "mean"] < 0.8 * stuck.loc["wait_p90_days.service", "mean"]


class ListedStage:  # what the look over the list needs of a stage
    def __init__(self, rules):
        self.triage, self.left, self.waiting = rules, 0, 0

    def count_waiting(self, now, change):
        self.waiting += change


def listed(rules, people) -> tuple[Team, list]:
    """A team whose list holds ``people`` (source, arrived, level, leave_at), each put on it when they arrived."""
    stage = ListedStage(rules)
    team = Team(SimpleNamespace(practitioners=1, role="team"), days=400)
    visits = []
    for source, arrived, level, leave_at in people:
        visit = Visit(Person(len(visits), source), stage, arrived)
        visit.level, visit.leave_at = level, leave_at
        team.wait(rules.priority(visit, arrived), arrived, visit)
        stage.count_waiting(arrived, +1)
        visits.append(visit)
    return team, visits


def three_levels(escalate_after_days=30):
    levels = {"urgent": {"share": 0.5, "priority": 1}, "high": {"share": 0.25, "priority": 3},
              "routine": {"share": 0.25, "priority": 6}}
    return TriageRules("s", stage_spec({"levels": levels, "escalate_after_days": escalate_after_days},
                                       {"hospital": 2}), np.random.SeedSequence(0))


def test_look_over_list_raises_levels_after_the_days_waited():
    team, _ = listed(three_levels(), [("community", 0.0, 2, math.inf), ("community", 20.0, 2, math.inf),
                                      ("community", 35.0, 2, math.inf), ("hospital", 60.0, 2, math.inf)])
    look_over_list(team, 65.0, True)
    # waited 65 days: two spells, urgent; 45 and 30 days: high; the hospital discharge keeps its source's 2
    assert sorted((entry[0], entry[3].person.id) for entry in team.waiting()) == [(1, 0), (2, 3), (3, 1), (3, 2)]
    assert team.waiting_count() == 4 and len(team.queue) == 4  # 3 old places of 7: a quarter stale, compacted
    served = [team.next_waiting().person.id for _ in range(4)]
    assert served == [0, 3, 1, 2] and team.next_waiting() is None and not team.stale


def test_the_list_is_served_as_if_rebuilt_each_day():
    """People leaving and moving up over months: the order served is that of the list sorted afresh."""
    rules = three_levels(escalate_after_days=7)
    rng = np.random.default_rng(5)
    people = [(("community", "hospital")[int(rng.random() < 0.2)], float(day), int(rng.integers(3)),
               day + float(rng.exponential(60))) for day in rng.uniform(0, 100, 300)]
    team, visits = listed(rules, sorted(people, key=lambda p: p[1]))
    left, stale_seen = set(), False
    for day in range(101, 131):
        look_over_list(team, float(day), True)
        left |= {v.person.id for v in visits if v.leave_at <= day}
        assert team.queue[0][3].entry is team.queue[0]  # the head is someone waiting
        assert 4 * len(team.stale) <= len(team.queue)  # stale entries never more than a quarter of the heap
        stale_seen = stale_seen or bool(team.stale)
    expected = sorted((rules.priority(v, 130.0), v.arrived, v.person.id) for v in visits if v.person.id not in left)
    served = []
    while (visit := team.next_waiting()) is not None:
        served.append(visit.person.id)
    assert served == [person for _, _, person in expected] and 0 < len(left) < 300 and stale_seen
    assert visits[0].stage.left == len(left) and visits[0].stage.waiting == 300 - len(left)


def test_people_leave_the_list_at_the_monthly_rate():
    """Nobody is seen (one case takes longer than the run): of N waiting at the start, N·(1 − (1 − r)^months)
    have left by the end, checked at each day's end."""
    document = queue_document(0.01, 0.001, 100_000, warm_up_days=0, horizon_days=365)  # 19 years a case
    document["stages"]["service"]["triage"] = {"levels": {"all": {"share": 1.0, "priority": 5}},
                                               "leave_rate_per_month": 0.1}
    waiting = 2000
    document["waiting_list"] = {"service": {"count": waiting, "mean_waited_days": 10.0}}
    table = summary(document, reps=4, seed=2)
    expected = (waiting - 1) * (1 - 0.9 ** (365 / DAYS_PER_MONTH))  # the first one is being seen
    left = table.loc["left_waiting_list.service"]
    assert abs(left["mean"] - expected) < 4 * math.sqrt(expected * (1 - expected / waiting) / 4)
    still_waiting = table.loc["waiting_at_end.service", "mean"]
    assert still_waiting + left["mean"] == pytest.approx(table.loc["arrivals.service", "mean"] - 1)


@pytest.mark.parametrize("triage, message", [
    ({"levels": {"urgent": {"share": 0.3, "priority": 1}, "routine": {"share": 0.6, "priority": 5}}},
     "shares add up to 0.9"),
    ({"levels": {}}, "at least one level"),
    ({"levels": {"all": {"share": 1.0, "priority": 5}}, "leave_rate_per_month": 1.0}, "leave_rate_per_month"),
])
def test_bad_triage_is_refused_with_the_field(triage, message):
    document = triaged_queue(0.5, triage)
    with pytest.raises(InputError, match=message) as error:
        scenario_from_document(document, "triage.yaml")
    assert "stages.service.triage" in str(error.value)
