"""Numbers as people read them: counts, days, shares, money, intervals and differences.

One formatter for the CLI, the app and the charts, so a number reads the same
everywhere:

- counts and hours with thousands separators and no spurious decimals
  ("1,177", "43.7", "0.25");
- waits in days to one decimal ("4.4");
- shares as percentages ("87.4%"), and a difference of two shares in
  percentage points ("+2.9 pp");
- money short ("£1.96m", "£654k", "£1,234") or, with ``exact``, to the pound;
- a mean with its 95% interval, "1,177 (95% CI 1,166 to 1,188)", or compact for
  tables, "1,177 ±11" (the half-width, in the mean's decimals); a constant (an
  interval of zero width) shows no interval;
- a missing value (None, NaN, infinite) as "–";
- differences signed, with a true minus sign ("+255", "−1,003");
- years never with a thousands separator ("2017", "2017/18").
"""
from __future__ import annotations

import math

from flowsim.vocabulary import PERCENT_MEASURES

MISSING = "–"
MINUS = "−"
UNITS = ("count", "hours", "days", "share", "pounds")


def _finite(value) -> bool:
    try:
        return value is not None and math.isfinite(value)
    except TypeError:
        return False


def kpi_unit(kpi: str) -> str:
    """The unit a KPI is read in: 'share', 'days', 'pounds' or 'count'."""
    measure = kpi.partition(".")[0]
    if measure in PERCENT_MEASURES:
        return "share"
    if measure.startswith(("wait_", "request_to_completion_")) and measure.endswith("_days"):
        return "days"
    if measure.endswith("_cost") or "_cost_" in measure:  # package_cost_weekly too
        return "pounds"
    return "count"


def _decimals(size: float, unit: str) -> int:
    """Decimals that show what matters at this size."""
    if unit == "days":
        return 1
    if size >= 100:
        return 0
    if size >= 1:
        return 1
    return 2


def _signed(text: str, negative: bool, positive: bool, difference: bool) -> str:
    if negative:
        return MINUS + text
    return ("+" + text) if difference and positive else text


def _plain(value: float, unit: str, difference: bool, decimals: int | None, exact: bool) -> str:
    """A finite value in its unit, with the sign a difference needs."""
    if unit == "share":
        size = round(abs(value) * 100, 1)
        text = f"{size:.1f} pp" if difference else f"{size:.1f}%"
    elif unit == "pounds":
        text = "£" + _pounds(abs(value), exact)
        size = 0.0 if text == "£0" else abs(value)
    else:
        places = _decimals(abs(value), unit) if decimals is None else decimals
        size = round(abs(value), places)
        if unit != "days" and decimals is None and size == int(size):
            places = 0  # a whole number: no ".0"
        text = f"{size:,.{places}f}"
    if size == 0:  # never "−0" or "+0.0 pp"
        return text
    return _signed(text, value < 0, value > 0, difference)


def _pounds(size: float, exact: bool) -> str:
    """£ without the sign: three significant figures in £k, £m or £bn, or to the pound."""
    if exact or size < 9_999.5:
        return f"{size:,.0f}"
    scale, suffix = next((s, x) for s, x in ((1e9, "bn"), (1e6, "m"), (1e3, "k")) if size >= s * 0.9995 or s == 1e3)
    shown = size / scale
    places = 0 if shown >= 99.95 else (1 if shown >= 9.995 else 2)
    return f"{shown:,.{places}f}{suffix}"


def number(value, unit: str = "count", *, difference: bool = False, exact: bool = False,
           decimals: int | None = None) -> str:
    """One value in its unit ('count', 'hours', 'days', 'share' or 'pounds').

    ``difference``: signed, and a share in percentage points. ``exact``: money to
    the pound. ``decimals``: fixed decimals for counts, hours and days.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; units are {', '.join(UNITS)}")
    if not _finite(value):
        return MISSING
    return _plain(float(value), unit, difference, decimals, exact)


def money(value, *, difference: bool = False, exact: bool = False) -> str:
    """'£1.96m', '£654k', '£1,234'; ``exact``: '£1,960,000'."""
    return number(value, "pounds", difference=difference, exact=exact)


def share(value, *, difference: bool = False) -> str:
    """'87.4%'; a difference of shares: '+2.9 pp'."""
    return number(value, "share", difference=difference)


def _has_width(low, high) -> bool:
    """An interval wider than rounding noise (a constant's interval has no width)."""
    return _finite(low) and _finite(high) and high - low > 1e-9 * max(1.0, abs(low), abs(high))


def _interval_decimals(mean, low, high, unit: str) -> int | None:
    """Decimals for a mean and its interval ends: set by the largest of them, so all match."""
    if unit in ("share", "pounds"):
        return None
    sizes = [abs(v) for v in (mean, low, high) if _finite(v)]
    return _decimals(max(sizes), unit) if sizes else None


def ci(low, high, unit: str = "count", *, difference: bool = False, exact: bool = False) -> str:
    """'95% CI 1,166 to 1,188', or '' when there is no interval (one replication, or a constant)."""
    if not _has_width(low, high):
        return ""
    places = _interval_decimals(low, low, high, unit)
    ends = (number(v, unit, difference=difference, exact=exact, decimals=places) for v in (low, high))
    return "95% CI {} to {}".format(*ends)


def shared_decimals(values, unit: str = "count") -> int | None:
    """Decimals for numbers read side by side (A, B and B − A in one row): set by the largest,
    so "294 ±6" stands beside "1,177 ±11", never "294 ±6.44"."""
    if unit in ("share", "pounds"):
        return None
    sizes = [abs(v) for v in values if _finite(v)]
    if sizes and max(sizes) == 0:
        return 0 if unit != "days" else 1
    return _decimals(max(sizes), unit) if sizes else None


def interval(mean, low, high, unit: str = "count", *, difference: bool = False, compact: bool = False,
             exact: bool = False, decimals: int | None = None) -> str:
    """A mean with its 95% interval.

    '1,177 (95% CI 1,166 to 1,188)'; ``compact``: '1,177 ±11' (the interval's
    half-width, for tables). A constant or a missing interval shows the mean alone.
    ``decimals``: fixed decimals (from ``shared_decimals``) for numbers shown together.
    """
    if not _finite(mean):
        return MISSING
    if not _has_width(low, high):
        if difference and mean == 0:
            return "0"  # no difference at all, not "0.00 ±0.00"
        return number(mean, unit, difference=difference, exact=exact, decimals=decimals)
    places = _interval_decimals(mean, low, high, unit) if decimals is None else decimals
    text = number(mean, unit, difference=difference, exact=exact, decimals=places)
    if unit == "pounds" and compact and not exact and abs(mean) < 9_999.5 <= (high - low) / 2:
        text = _signed(f"£{abs(mean) / 1e3:.2f}k", mean < 0, mean > 0, difference)  # "£5.65k ±£21.9k"
    if not compact:
        ends = [number(v, unit, difference=difference, exact=exact, decimals=places) for v in (low, high)]
        return f"{text} (95% CI {ends[0]} to {ends[1]})"
    return f"{text} ±{_half_width((high - low) / 2, unit, places, exact, mean)}"


def _half_width(half: float, unit: str, places: int | None, exact: bool, mean: float) -> str:
    """The ± part, in the mean's decimals ("±0.0": narrower than the mean is shown)."""
    if unit == "share":
        return f"{half * 100:.1f} pp"
    if unit == "pounds":
        if not exact and abs(mean) >= 9_999.5 and half < 9_999.5:  # in £k like the mean: "£1.42m ±£4.72k"
            return f"£{half / 1e3:.2f}k"
        return money(half, exact=exact)
    return f"{half:,.{places}f}"


def figure(value) -> str:
    """A figure as a file gives it, to six significant figures: '1,960,000', '0.125', '8.2'."""
    if not _finite(value):
        return MISSING
    size = abs(float(value))
    if size == int(size):
        text = f"{int(size):,}"
    elif 1e-4 <= size < 1e5:
        text = f"{size:,.6g}"
    else:  # no exponent: six decimals at most
        text = f"{size:,.6f}".rstrip("0").rstrip(".")
    return MINUS + text if value < 0 and text != "0" else text


def year(value) -> str:
    """A calendar year, never '2,017'."""
    return str(int(value)) if _finite(value) else MISSING


def financial_year(period: str) -> str:
    """'2017_18' → '2017/18'; 'horizon' → 'whole horizon'."""
    if period == "horizon":
        return "whole horizon"
    start, _, end = period.partition("_")
    return f"{start}/{end}" if end else period


def relative(value) -> str:
    """A change as a share of what it changes from: '+18.5%', '−4.0%' (not percentage points)."""
    if not _finite(value):
        return MISSING
    return _signed(share(abs(value)), value < 0, value > 0, True)
