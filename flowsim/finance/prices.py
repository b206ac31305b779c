"""Prices: moving pounds between financial years, and finding a scenario's unit costs of other years.

A scenario has one price base (``finance.price_base``, a financial year such
as ``2016_17``). Unit costs in ``data/unit_costs.csv`` each carry the year of
their prices; ``restate`` moves a value from one year's prices to another's
with the GDP deflator in ``data/deflators.csv``. Fee uplifts (fees rising
faster than prices) are the scenario's ``finance.fee_uplift_per_year``.
"""
from __future__ import annotations

from flowsim.errors import FlowsimError
from flowsim.figures import Figure, all_figures
from flowsim.scenario.schema import Scenario

DEFLATOR = "deflators.gdp"


def deflator(year: str) -> float:
    """The GDP deflator index of a financial year (``2016_17``)."""
    figure = all_figures().get(f"{DEFLATOR}.{year}")
    if figure is None:
        raise FlowsimError(f"data/deflators.csv has no GDP deflator for {year.replace('_', '/')}")
    return figure.value


def restate(value: float, from_year: str, to_year: str) -> float:
    """``value`` in ``from_year``'s prices, restated in ``to_year``'s."""
    return value * deflator(to_year) / deflator(from_year)


def price_base(scenario: Scenario) -> str:
    """The scenario's price base as a financial year: ``finance.price_base``, else ``price_year`` read as April."""
    return scenario.finance.price_base or f"{scenario.price_year}_{(scenario.price_year + 1) % 100:02d}"


def unit_cost_years(scenario: Scenario) -> dict[str, str]:
    """Field path → the price year of the unit cost it came from, for every priced figure the scenario uses."""
    return {path: figure.price_year for path, figure in scenario.provenance.items()
            if isinstance(figure, Figure) and figure.price_year}


def mixed_prices(scenario: Scenario) -> dict[str, str]:
    """Unit costs whose prices are not the scenario's price base: field path → their price year."""
    base = price_base(scenario)
    return {path: year for path, year in unit_cost_years(scenario).items() if year != base}
