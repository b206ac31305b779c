"""Packages started alongside another outcome: telecare installed with home care, or at a review."""
import numpy as np
import pytest

from flowsim import expected_flows, steady_state
from flowsim.engine import run
from flowsim.scenario.load import scenario_from_document
from tests.conftest import problems_of, tiny_document

TELECARE = {"kind": "package", "weekly_cost": 5, "mean_duration_weeks": 150}


def alongside_document(share: float, review_share: float = 0.0) -> dict:
    """The tiny scenario with telecare alongside a share of its home care, and a caseload reviewed yearly."""
    return tiny_document(**{
        "outcomes.telecare": TELECARE,
        "outcomes.home_care": {"kind": "package", "weekly_cost": 200, "mean_duration_weeks": 52,
                               "review_every_weeks": 26, "alongside": {"telecare": share}},
        "outcomes.review_no_change": {"kind": "review", "alongside": {"telecare": review_share}},
        "roles.reviewer": {"fte": 2, "productive_hours_per_fte": 1500},
        "stages.review": {"role": "reviewer", "work": {"distribution": "fixed", "mean_minutes": 60},
                          "routes": {"review_no_change": 1.0}},
        "caseload.review_stage": "review",
        "caseload.packages": {"home_care": 200},
    })


def table(document: dict, reps: int = 10, seed: int = 3):
    return run(scenario_from_document(document, "alongside.yaml"), reps=reps, seed=seed, detail=False).kpi_table()


def test_expected_flows_add_the_share_of_each_outcome_that_brings_a_package_alongside():
    flows = expected_flows(scenario_from_document(alongside_document(0.4, 0.1), "alongside.yaml"))
    home_care, reviews = flows.outcomes["home_care"], flows.outcomes["review_no_change"]
    assert home_care > 0 and reviews > 0
    assert flows.outcomes["telecare"] == pytest.approx(0.4 * home_care + 0.1 * reviews)
    assert flows.by_source["community"]["telecare"] == pytest.approx(0.4 * flows.by_source["community"]["home_care"])


def test_simulated_packages_alongside_agree_with_the_expected_flows():
    document = alongside_document(0.4, 0.1)
    flows = expected_flows(scenario_from_document(document, "alongside.yaml"))
    kpis = table(document)
    telecare = kpis["new_packages.telecare"]
    half_width = 3 * telecare.std(ddof=1) / np.sqrt(len(telecare))
    assert abs(telecare.mean() - flows.outcomes["telecare"]) < half_width + 0.02 * flows.outcomes["telecare"]
    # Each run's count is close to its own home care and reviews times the shares (binomial spread).
    own = 0.4 * kpis["new_packages.home_care"] + 0.1 * kpis["outcomes.review_no_change"]
    assert (abs(telecare - own) < 4 * np.sqrt(own)).all()


def test_packages_alongside_replace_nothing_and_add_no_reviews():
    without, with_ = table(alongside_document(0.0), reps=4), table(alongside_document(1.0), reps=4)
    # The same people, the same home care and reviews: the extra packages run on their own.
    assert np.array_equal(without["new_packages.home_care"], with_["new_packages.home_care"])
    assert np.array_equal(without["arrivals.review"], with_["arrivals.review"])
    assert (with_["new_packages.telecare"] == with_["new_packages.home_care"]).all()
    assert (without["new_packages.telecare"] == 0).all()
    assert (with_["active_packages_at_end.total"] > without["active_packages_at_end.total"]).all()


def test_the_steady_state_check_counts_packages_started_alongside():
    scenario = scenario_from_document(alongside_document(0.5), "alongside.yaml")
    row = next(p for p in steady_state(scenario).packages if p.package == "telecare")
    assert row.starts_flow == pytest.approx(0.5 * expected_flows(scenario).outcomes["home_care"])


@pytest.mark.parametrize("alongside, field, words", [
    ({"telecare": 1.2}, "outcomes.home_care.alongside.telecare", "less than or equal to 1"),
    ({"no_eligible_needs": 0.5}, "outcomes.home_care.alongside.no_eligible_needs", "is not a package outcome"),
    ({"home_care": 0.5}, "outcomes.home_care.alongside.home_care", "cannot come alongside itself"),
    ({"telecare_plus": 0.5}, "outcomes.home_care.alongside.telecare_plus", "has packages alongside it in turn"),
])
def test_bad_packages_alongside_are_refused_naming_the_field(alongside, field, words):
    document = alongside_document(0.0)
    document["outcomes"]["home_care"]["alongside"] = alongside
    document["outcomes"]["telecare_plus"] = TELECARE | {"alongside": {"telecare": 0.5}}
    problems = problems_of(document)
    assert any(field in p and words in p for p in problems), problems


def test_a_closed_outcome_cannot_bring_a_package():
    document = alongside_document(0.0)
    document["outcomes"]["no_eligible_needs"] = {"alongside": {"telecare": 0.5}}
    assert any("outcomes.no_eligible_needs" in p and "only applies to package and review outcomes" in p
               for p in problems_of(document))
