"""Reviews: overdue reviews, the share of long-standing packages reviewed in the year, unplanned reviews."""
import numpy as np
import pytest

from flowsim import expected_flows
from flowsim.analytic import expected_unplanned_reviews
from flowsim.engine import run
from flowsim.errors import InputError
from flowsim.scenario.load import scenario_from_document
from tests.conftest import tiny_document

CASELOAD = 300


def review_document(reviewer_fte: float, **changes) -> dict:
    """``tiny_document`` with a caseload of long packages reviewed once a year by a reviewer of one-sitting work."""
    document = tiny_document(**{
        "time.horizon_days": 400,
        "roles.reviewer": {"fte": reviewer_fte, "productive_hours_per_fte": 1500},
        "stages.review": {"role": "reviewer", "work": {"distribution": "fixed", "mean_minutes": 90},
                          "routes": {"review_no_change": 1.0}},
        "outcomes.review_no_change": {"kind": "review"},
        "outcomes.home_care": {"kind": "package", "weekly_cost": 200, "mean_duration_weeks": 1000,
                               "first_review_weeks": 26, "review_every_weeks": 52},
        "caseload.review_stage": "review",
        "caseload.packages": {"home_care": CASELOAD},
    })
    for path, value in changes.items():
        node = document
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return document


def kpis(document: dict, reps: int = 3, seed: int = 1, **options):
    return run(scenario_from_document(document, "reviews.yaml"), reps=reps, seed=seed, detail=False,
               **options).kpi_table()


def test_no_review_is_overdue_when_reviewers_have_time_to_spare():
    table = kpis(review_document(3.0, **{"caseload.overdue_after_days": 7}))
    assert (table["overdue_reviews_end"] == 0).all()
    assert (table["reviews_overdue_mean"] == 0).all()
    assert (table["reviewed_in_year_share"] == 1).all()


def test_reviews_fall_overdue_when_reviewers_are_cut_to_almost_nothing():
    generous = kpis(review_document(3.0))
    cut = kpis(review_document(0.02))
    assert (generous["reviews_overdue_mean"] < 1).all()  # overnight and at weekends only
    assert (cut["overdue_reviews_end"] > 0.8 * CASELOAD).all()
    assert (cut["reviews_overdue_mean"] > 50 * generous["reviews_overdue_mean"]).all()
    # Overdue reviews are reviews waiting: they cannot outnumber the people waiting at the review stage.
    assert (cut["overdue_reviews_end"] <= cut["waiting_at_end.review"]).all()
    assert (cut["reviewed_in_year_share"] < 0.2).all()


def test_overdue_after_days_delays_the_count():
    """The later a review counts as overdue, the fewer are overdue on average."""
    prompt = kpis(review_document(0.3, **{"caseload.overdue_after_days": 0}))
    lenient = kpis(review_document(0.3, **{"caseload.overdue_after_days": 60}))
    assert (lenient["reviews_overdue_mean"] < prompt["reviews_overdue_mean"]).all()
    assert np.array_equal(lenient["arrivals.review"], prompt["arrivals.review"])  # the same run otherwise


def test_the_overdue_series_ends_at_the_count_at_the_end():
    results = run(scenario_from_document(review_document(0.1), "reviews.yaml"), reps=2, seed=3, detail=True)
    series = results.timeseries[results.timeseries["measure"] == "overdue_reviews"]
    last = series.sort_values("day").groupby("run")["value"].last()
    assert np.array_equal(last.to_numpy(), results.kpi_table()["overdue_reviews_end"].to_numpy())
    mean = series.groupby("run")["value"].mean()  # end-of-day counts against the time average
    assert np.allclose(mean, results.kpi_table()["reviews_overdue_mean"], rtol=0.05)


def test_reviewed_in_year_share_needs_a_year():
    table = kpis(review_document(3.0, **{"time.horizon_days": 200}), reps=1)
    assert table["reviewed_in_year_share"].isna().all()


def test_over_several_years_the_share_reviewed_is_the_final_year_s():
    """Reviews every two years over three: every package is reviewed at some time in the horizon, but in the
    final year only those whose second review falls in it, about half (SALT counts each year)."""
    document = review_document(3.0, **{"time.horizon_days": 1096, "outcomes.home_care.review_every_weeks": 104})
    share = kpis(document, reps=2)["reviewed_in_year_share"]
    assert ((share > 0.4) & (share < 0.6)).all(), share.tolist()


def test_an_unplanned_rate_of_zero_is_no_unplanned_reviews():
    without = kpis(review_document(0.5))
    zero = kpis(review_document(0.5, **{"caseload.unplanned_reviews_per_year": 0}))
    assert without.equals(zero)
    assert (zero["unplanned_reviews"] == 0).all()


def test_unplanned_reviews_arrive_at_their_rate_and_match_the_analytic_flows():
    rate = 2.0
    document = review_document(3.0, **{"caseload.unplanned_reviews_per_year": rate})
    scenario = scenario_from_document(document, "reviews.yaml")
    table = kpis(document, reps=6, seed=4, follow_through_days=365)
    planned = kpis(review_document(3.0), reps=6, seed=4, follow_through_days=365)
    added = table["arrivals.review"] - planned["arrivals.review"]
    assert np.array_equal(added, table["unplanned_reviews"])  # counted apart, arriving at the same stage
    years = 400 / 365
    flows = expected_flows(scenario)
    new_packages = {"home_care": flows.outcomes["home_care"] * years}
    assert table["unplanned_reviews"].mean() == pytest.approx(expected_unplanned_reviews(scenario, new_packages),
                                                              rel=0.05)
    assert table["arrivals.review"].mean() == pytest.approx(flows.stages["review"] * years, rel=0.05)


@pytest.mark.parametrize("changes, field", [
    ({"caseload.overdue_after_days": -1}, "overdue_after_days"),
    ({"caseload.unplanned_reviews_per_year": -0.5}, "unplanned_reviews_per_year"),
    ({"caseload.overdue_afterdays": 3}, "overdue_afterdays"),
    ({"caseload.unplanned_reviews_per_year": 1, "caseload.review_stage": None, "caseload.packages": {},
      "outcomes.home_care": {"kind": "package", "mean_duration_weeks": 50}}, "caseload.unplanned_reviews_per_year"),
])
def test_bad_review_settings_are_refused_naming_the_field(changes, field):
    with pytest.raises(InputError) as error:
        scenario_from_document(review_document(1.0, **changes), "bad.yaml")
    assert field in str(error.value), str(error.value)
