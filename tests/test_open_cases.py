"""Cases already open on caseloads at the start of a run (``open_cases``)."""
import pytest

from flowsim import expected_flows
from flowsim.engine import run
from flowsim.engine.replication import simulate
from flowsim.engine.streams import replication_seeds
from flowsim.errors import InputError
from flowsim.scenario.load import scenario_from_document
from tests.conftest import tiny_document


def open_document(count: int, mean_open_days: float, *, cap: float = 20, min_open_days: float = 30,
                  contacts: float = 1000, **changes) -> dict:
    """``tiny_document`` with a case-stage assessment (3 social workers) and ``count`` cases open at the start."""
    return tiny_document(**{
        "demand.contacts_per_year": contacts,
        "stages.assessment.kind": "case",
        "stages.assessment.case": {"caseload_cap": cap, "min_open_days": min_open_days},
        "open_cases": {"assessment": {"count": count, "mean_open_days": mean_open_days}},
        **changes,
    })


def records(document: dict, seed: int = 1):
    return simulate(scenario_from_document(document, "open.yaml"), replication_seeds(seed, 1)[0])


def test_the_open_cases_are_on_the_caseloads_at_the_start():
    """Open at the end of day 0: the starting cases (none can close yet: all were opened under 30 days
    ago on average, and must stay open 120) plus those allocated on the day."""
    rec = records(open_document(45, 5, min_open_days=120))
    first_day = rec.open_cases_daily["social_worker"][0]
    assert 45 <= first_day <= 45 + 10
    assert rec.waiting_daily["assessment"][0] == 0


def test_time_already_open_counts_towards_the_days_open():
    """No new contacts and ample time: each case closes once its work left is done, so its days open are its
    time already open (mean 50) plus a few days' work."""
    table = run(scenario_from_document(open_document(30, 50, min_open_days=0, contacts=0), "open.yaml"),
                reps=4, seed=2, detail=False).kpi_table()
    closed = table["flow.assessment->home_care"] + table["flow.assessment->no_eligible_needs"]
    assert (closed == 30).all()
    assert table["case_open_days_mean.assessment"].mean() == pytest.approx(50, rel=0.3)
    assert (table["arrivals.assessment"] == 30).all()


def test_cases_that_do_not_fit_the_caps_wait_for_allocation():
    rec = records(open_document(40, 5, cap=5, min_open_days=60, contacts=0))
    assert rec.open_cases_daily["social_worker"][0] == 15  # three practitioners, five cases each
    assert rec.waiting_daily["assessment"][0] == 25


def test_open_cases_enter_their_stage_in_the_analytic_flows():
    scenario = scenario_from_document(open_document(60, 5, contacts=0), "open.yaml")
    flows = expected_flows(scenario)
    assert flows.stages["assessment"] == pytest.approx(60)
    assert flows.outcomes["home_care"] == pytest.approx(30)


def test_without_open_cases_the_run_is_unchanged():
    document = open_document(0, 5)
    plain = tiny_document(**{"stages.assessment.kind": "case",
                             "stages.assessment.case": {"caseload_cap": 20, "min_open_days": 30}})
    a = run(scenario_from_document(document, "a.yaml"), reps=2, seed=3, detail=False).kpi_table()
    b = run(scenario_from_document(plain, "b.yaml"), reps=2, seed=3, detail=False).kpi_table()
    assert a.equals(b)


@pytest.mark.parametrize("changes, field", [
    ({"open_cases": {"front_door": {"count": 3}}}, "open_cases.front_door"),
    ({"open_cases": {"nowhere": {"count": 3}}}, "open_cases.nowhere"),
    ({"open_cases": {"assessment": {"count": -1}}}, "count"),
    ({"open_cases": {"assessment": {"count": 3, "mean_open_days": -2}}}, "mean_open_days"),
    ({"time.warm_up_days": 30}, "time.warm_up_days"),
])
def test_bad_open_cases_are_refused_naming_the_field(changes, field):
    document = open_document(10, 5)
    for path, value in changes.items():
        node = document
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    with pytest.raises(InputError) as error:
        scenario_from_document(document, "bad.yaml")
    assert field in str(error.value), str(error.value)


def test_expected_hours_count_half_the_work_of_cases_already_open():
    """A case open at the start that fits on a caseload is partly done (its work left is a uniform fraction
    of a fresh draw): the expected hours count half its work; the 140 that do not fit on 3 × 20 places are
    worked from scratch. The simulation's hours agree."""
    document = open_document(200, 10, contacts=0, min_open_days=0)
    scenario = scenario_from_document(document, "open.yaml")
    minutes = scenario.stages["assessment"].mean_total_minutes
    expected = expected_flows(scenario).roles["social_worker"].hours_demanded
    assert expected == pytest.approx((60 * 0.5 + 140) * minutes / 60)
    table = run(scenario, reps=6, seed=3, processes=1, detail=False).kpi_table()
    assert table["hours_delivered.social_worker"].mean() == pytest.approx(expected, rel=0.1)
