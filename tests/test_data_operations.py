"""data/operations.csv (published figures to judge the baseline by) and data/casework.csv
(inputs for casework): every row says where it comes from, published values are exact,
and derived rows agree with the rows they are derived from."""
import pytest

from flowsim.figures import all_figures, lookup

TABLES = ("operations", "casework")


def rows(prefix):
    return {k: f for k, f in all_figures().items() if k.startswith(prefix + ".")}


@pytest.mark.parametrize("table", TABLES)
def test_every_row_is_sourced_as_its_status_requires(table):
    figures = rows(table)
    assert len(figures) > 40
    for key, figure in figures.items():
        assert figure.status in {"published", "derived", "assumption"}, key
        assert figure.unit.strip() and figure.description.strip(), key
        if figure.status == "published":
            assert figure.source.strip() and figure.source != "assumption", key
        elif figure.status == "assumption":
            assert figure.source == "assumption", key
            assert len(figure.reason.strip()) >= 15, key
        else:
            # a derived row names its formula in source and shows the arithmetic in reason
            assert figure.source.strip() and figure.source != "assumption", key
            assert any(ch.isdigit() for ch in figure.reason), key


def test_operations_holds_only_published_or_derived_figures():
    assert {f.status for f in rows("operations").values()} <= {"published", "derived"}


@pytest.mark.parametrize("key, value", [
    ("operations.adass_2022_04_30.awaiting_first_assessment", 294_449),
    ("operations.adass_2022_04_30.awaiting_over_6_months", 73_792),
    ("operations.adass_2022_04_30.awaiting_service_start", 37_447),
    ("operations.adass_2022_04_30.overdue_reviews", 210_106),
    ("operations.adass_2022_04_30.total_waiting", 542_002),
    ("operations.adass_2023_03_31.total_waiting", 434_243),
    ("operations.wait.wokingham_median_days_2021_22", 41),
    ("operations.wait.wokingham_median_days_2022_23", 27),
    ("operations.wait.wokingham_longest_days_2021_22", 353),
    ("operations.wait.bristol_average_days_2023", 174),
    ("operations.caseload.coventry_2024_25.social_worker", 18.4),
    ("operations.caseload.coventry_2024_25.community_case_worker", 22.2),
    ("operations.caseload.coventry_2024_25.occupational_therapist", 29.7),
    ("operations.caseload.sws_2022.adult_limit_low", 20),
    ("operations.caseload.sws_2022.adult_limit_high", 25),
    ("operations.reviews.reviewed_share_2019_20", 0.608),
    ("operations.reviews.reviewed_share_2020_21", 0.584),
    ("operations.safeguarding_2016_17.concerns", 364_605),
    ("operations.safeguarding_2016_17.enquiries", 151_160),
    ("operations.safeguarding_2016_17.s42_enquiries", 133_265),
    ("operations.barnet.telecare_installs_2015_16", 880),
    ("operations.barnet.adults_communities_outturn_2017_18", 88_400_000),
    ("operations.barnet.adults_communities_budget_2017_18", 87_200_000),
    ("operations.barnet.integrated_care_spend_2017_18", 81_000_000),
    ("operations.care_home_admissions.per_100k_65_plus_2014_15", 659),
    ("operations.care_home_admissions.per_100k_18_64_2014_15", 14.1),
    ("operations.unit_cost.residential_65_plus_weekly_2016_17", 565),
    ("operations.unit_cost.nursing_65_plus_weekly_2016_17", 606),
    ("casework.dols.standard_authorisation_days", 21),
    ("casework.dols.england_applications_2019_20", 263_940),
    ("casework.carers.england_supported_or_assessed_2019_20", 376_130),
    ("casework.staffing.social_worker_vacancy_rate_2021", 0.095),
    ("casework.review.first_review_weeks_low", 6),
    ("casework.review.first_review_weeks_high", 8),
    ("casework.population.england_2021", 56_489_800),
])
def test_published_values_are_exact(key, value):
    figure = lookup(key)
    assert figure.status == "published", key
    assert figure.value == value


def v(key):
    return lookup(key).value


def test_derived_rows_agree_with_their_inputs():
    adass = "operations.adass_2022_04_30."
    assert v(adass + "awaiting_first_assessment") + v(adass + "awaiting_service_start") \
        + v(adass + "overdue_reviews") == v(adass + "total_waiting")
    assert v(adass + "over_6_months_share") == pytest.approx(
        v(adass + "awaiting_over_6_months") / v(adass + "awaiting_first_assessment"), abs=1e-4)
    assert v(adass + "overdue_review_share_of_total") == pytest.approx(
        v(adass + "overdue_reviews") / v(adass + "total_waiting"), abs=1e-4)
    sg = "operations.safeguarding_2016_17."
    assert v(sg + "enquiries_per_concern") == pytest.approx(v(sg + "enquiries") / v(sg + "concerns"), abs=1e-4)
    assert v(sg + "s42_share_of_enquiries") == pytest.approx(v(sg + "s42_enquiries") / v(sg + "enquiries"), abs=1e-4)
    assert v("operations.reviews.reviewed_2019_20") / v("operations.reviews.eligible_2019_20") \
        == pytest.approx(v("operations.reviews.reviewed_share_2019_20"), abs=5e-4)
    assert v("operations.reviews.reviewed_2020_21") / v("operations.reviews.eligible_2020_21") \
        == pytest.approx(v("operations.reviews.reviewed_share_2020_21"), abs=5e-4)
    assert v("operations.wait.ombudsman_reasonable_high_days") == 6 * 7
    assert v("england.reasonable_assessment_wait_days") == 4 * 7

    england = v("casework.population.england_2021")
    barnet = v("barnet.population_2021")
    assert v("casework.carers.england_per_100k_population") == pytest.approx(
        v("casework.carers.england_supported_or_assessed_2019_20") / england * 1e5, abs=0.05)
    assert v("casework.dols.england_per_100k_population") == pytest.approx(
        v("casework.dols.england_applications_2019_20") / england * 1e5, abs=0.05)
    assert v("casework.carers.barnet_per_year") == pytest.approx(
        v("casework.carers.england_per_100k_population") * barnet / 1e5, abs=1)
    assert v("casework.dols.barnet_per_year") == pytest.approx(
        v("casework.dols.england_per_100k_population") * barnet / 1e5, abs=1)

    work = "assumptions.work."
    assert v("casework.hours.care_act_assessment") == pytest.approx(
        (v(work + "full_assessment.mean_minutes") + v(work + "full_assessment.travel_minutes")) / 60)
    assert v("casework.hours.review") == pytest.approx(
        (v(work + "review_home.mean_minutes") + v(work + "review_home.travel_minutes")) / 60)
    assert v("casework.hours.safeguarding_enquiry") == pytest.approx(
        (v(work + "safeguarding_enquiry.mean_minutes") + v(work + "safeguarding_enquiry.travel_minutes")) / 60)
    assert v("casework.non_case_time_share") == v("england.social_worker_time.meetings")
    shares = lookup("england.social_worker_time")
    assert v("casework.unreported_time_share") == pytest.approx(1 - sum(f.value for f in shares.values()))
    assert v("casework.elapsed_weeks.dols_assessment") == v("casework.dols.standard_authorisation_days") / 7

    teams = lookup("bnes.team_fte")
    case_holding = ["social_work_community_teams", "d2d_social_work_team", "ld_social_work_team",
                    "autism_social_work_team", "hearing_and_vision_social_work"]
    assert v("casework.bnes.case_holding_social_work_fte") == pytest.approx(
        sum(teams[t].value for t in case_holding))
    assert v("casework.bnes.open_case_capacity") == pytest.approx(
        v("casework.bnes.case_holding_social_work_fte") * v("casework.caseload_cap.social_worker"), abs=1)


def test_triage_shares_sum_to_one():
    triage = lookup("casework.triage")
    shares = [f.value for key, f in triage.items() if key.endswith("_share")]
    assert len(shares) == 3 and sum(shares) == pytest.approx(1.0)


def test_caseload_caps_sit_at_or_above_the_audited_averages():
    caps = lookup("casework.caseload_cap")
    audited = lookup("operations.caseload.coventry_2024_25")
    for role, cap in caps.items():
        assert cap.status == "assumption"
        assert cap.value >= audited[role].value


def test_no_figure_repeats_a_row_kept_elsewhere():
    # Figures already held in other tables (Devon waits, time-use shares, Barnet requests and
    # reablement, productive hours) are referred to by key, not copied: no published count in
    # the new tables repeats a published count elsewhere.
    figures = all_figures()
    new = {k: f for k, f in figures.items() if k.split(".")[0] in TABLES}
    old = {k: f for k, f in figures.items() if k.split(".")[0] not in TABLES}
    old_counts = {f.value for f in old.values() if f.status == "published" and f.value > 100}
    repeated = [k for k, f in new.items() if f.status == "published" and f.value in old_counts]
    assert repeated == []
    assert lookup("england.devon_mean_assessment_wait_days_low").value == 27
    assert lookup("barnet.requests_new_clients_2015_16").value == 8455
