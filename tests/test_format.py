"""One formatter: counts, days, shares, money, intervals and differences read the same everywhere."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowsim.format import (
    MISSING, UNITS, ci, figure, financial_year, interval, kpi_unit, money, number, shared_decimals, share, year,
)


@pytest.mark.parametrize("value, text", [
    (1177, "1,177"), (1177.0, "1,177"), (1177.4, "1,177"), (997, "997"), (43.66, "43.7"), (8.0, "8"),
    (0.25, "0.25"), (0, "0"), (-0.0, "0"), (-1003, "−1,003"), (12_345_678, "12,345,678"),
])
def test_counts_have_separators_and_sensible_decimals(value, text):
    assert number(value) == text


@pytest.mark.parametrize("value, text", [
    (1_960_000, "£1.96m"), (654_321, "£654k"), (1234, "£1,234"), (71_927_354, "£71.9m"), (65_400, "£65.4k"),
    (999_999, "£1.00m"), (2.3e9, "£2.30bn"), (0.2, "£0"), (-5_908_904, "−£5.91m"),
])
def test_money_is_short(value, text):
    assert money(value) == text


def test_money_exact_and_signed():
    assert money(14_557_643, exact=True) == "£14,557,643"
    assert money(221_000, difference=True) == "+£221k"
    assert money(-221_000, difference=True) == "−£221k"
    assert money(0, difference=True) == "£0"


def test_shares_and_differences_of_shares():
    assert share(0.874) == "87.4%"
    assert share(0.021, difference=True) == "+2.1 pp"
    assert share(-0.363, difference=True) == "−36.3 pp"
    assert share(-0.00001, difference=True) == "0.0 pp"  # never "−0.0 pp"


def test_days_have_one_decimal():
    assert number(4.44, "days") == "4.4"
    assert number(0, "days") == "0.0"
    assert number(-3.04, "days", difference=True) == "−3.0"


def test_differences_are_signed():
    assert number(255, difference=True) == "+255"
    assert number(-1003, difference=True) == "−1,003"
    assert number(0, difference=True) == "0"


def test_intervals_long_and_compact():
    assert interval(1177, 1166, 1188) == "1,177 (95% CI 1,166 to 1,188)"
    assert interval(1177, 1166, 1188, compact=True) == "1,177 ±11"
    assert interval(-1003, -1017, -989, difference=True) == "−1,003 (95% CI −1,017 to −989)"
    assert interval(0.029, 0.026, 0.031, "share", difference=True) == "+2.9 pp (95% CI +2.6 pp to +3.1 pp)"
    assert interval(0.874, 0.869, 0.879, "share", compact=True) == "87.4% ±0.5 pp"
    assert interval(5_908_904, 5_780_595, 6_037_212, "pounds") == "£5.91m (95% CI £5.78m to £6.04m)"
    assert ci(-1017, -989, difference=True) == "95% CI −1,017 to −989"


def test_a_constant_shows_no_interval():
    assert interval(997, 997, 997) == "997"
    assert interval(997, 997, 997, compact=True) == "997"
    assert interval(867.0, 867.0 - 1e-10, 867.0 + 1e-10, compact=True) == "867"  # rounding noise
    assert interval(221_000, 221_000, 221_000, "pounds", difference=True) == "+£221k"
    assert interval(10, math.nan, math.nan) == "10"  # one replication
    assert ci(997, 997) == ""


def test_no_difference_at_all_reads_zero():
    assert interval(0.0, 0.0, 0.0, difference=True, compact=True) == "0"
    assert interval(0.0, 0.0, 0.0, "days", difference=True, compact=True, decimals=1) == "0"
    assert interval(0.0, 0.0, 0.0, compact=True) == "0"


def test_numbers_side_by_side_share_one_precision():
    # A = 93, B = 133: the row is read in whole numbers, its difference too
    places = shared_decimals([93, 133])
    assert (number(93, decimals=places), interval(40.0, 8.9, 71.1, difference=True, compact=True,
                                                  decimals=places)) == ("93", "+40 ±31")
    assert interval(294, 287.56, 300.44, compact=True) == "294 ±6"  # the half-width in the mean's decimals
    assert interval(1177, 1166, 1188, compact=True) == "1,177 ±11"
    assert shared_decimals([7.7, 5.7]) == 1 and number(7, decimals=1) == "7.0"
    assert shared_decimals([0.0, 0.0]) == 0  # a row of zeros is "0", never "0.00"
    assert shared_decimals([0.3, 0.1], "share") is None


def test_money_half_widths_read_in_the_means_scale():
    assert interval(-11_100, -15_820, -6_380, "pounds", difference=True, compact=True) == "−£11.1k ±£4.72k"
    assert interval(5_653, -16_000, 27_500, "pounds", difference=True, compact=True) == "+£5.65k ±£21.8k"
    assert kpi_unit("package_cost_weekly.end") == "pounds"


def test_differences_of_percentages_are_percentage_points():
    assert share(0.032, difference=True) == "+3.2 pp"
    assert interval(-0.179, -0.184, -0.174, "share", difference=True, compact=True) == "−17.9 pp ±0.5 pp"


def test_missing_values_are_a_dash():
    for value in (None, math.nan, math.inf, -math.inf):
        assert number(value) == MISSING
        assert money(value) == MISSING
        assert share(value, difference=True) == MISSING
        assert interval(value, 1, 2) == MISSING
        assert figure(value) == MISSING
        assert year(value) == MISSING


def test_years_never_have_a_thousands_separator():
    assert year(2017) == "2017"
    assert year(2017.0) == "2017"
    assert year(2016) != number(2016)  # a count has separators ("2,016"); a year never
    assert financial_year("2017_18") == "2017/18"
    assert financial_year("horizon") == "whole horizon"


def test_figures_as_given():
    assert figure(1_960_000) == "1,960,000"
    assert figure(0.125) == "0.125"
    assert figure(8.2) == "8.2"


def test_kpi_units():
    assert kpi_unit("within_target.full_assessment") == "share"
    assert kpi_unit("utilisation.social_worker") == "share"
    assert kpi_unit("wait_p90_days.full_assessment") == "days"
    assert kpi_unit("total_cost.2017_18") == "pounds"
    assert kpi_unit("new_packages.total") == "count"


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        number(1, "furlongs")


values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**15, 10**15))


def _clean(text: str) -> None:
    assert isinstance(text, str) and text
    lowered = text.lower()
    assert "nan" not in lowered and "none" not in lowered and "inf" not in lowered
    assert "e+" not in lowered and "e-" not in lowered


@given(values, st.sampled_from(UNITS), st.booleans(), st.booleans())
def test_any_number_formats_cleanly(value, unit, difference, exact):
    _clean(number(value, unit, difference=difference, exact=exact))
    _clean(year(value))
    _clean(figure(value))


@given(values, values, values, st.sampled_from(UNITS), st.booleans(), st.booleans())
def test_any_interval_formats_cleanly(mean, low, high, unit, difference, compact):
    _clean(interval(mean, low, high, unit, difference=difference, compact=compact))
    text = ci(low, high, unit, difference=difference)
    assert text == "" or _clean(text) is None


@given(st.floats(-1e12, 1e12))
def test_counts_round_trip(value):
    text = number(value)
    back = float(text.replace(",", "").replace("−", "-"))
    assert back == pytest.approx(value, abs=0.5)
