"""Whether two scenarios can be compared as savings at all.

A saving says what a council would spend less by moving from A to B. That
only holds for the same council, from the same date, in the same prices, with
both sides carrying the people already in care and the staff who serve them.
Otherwise the difference is shown, labelled "difference, not comparable".
"""
from __future__ import annotations

from dataclasses import dataclass

from flowsim.finance.prices import mixed_prices, price_base
from flowsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Caveat:
    message: str
    blocks_savings: bool  # True: the difference is not a saving


def check(a: Scenario, b: Scenario) -> list[Caveat]:
    """Every reason the pair's cost difference is not (or not cleanly) a saving."""
    found = []
    if a.council.strip().lower() != b.council.strip().lower():
        found.append(Caveat(f"A is {a.council} and B is {b.council}: different councils", True))
    if a.time.start_date != b.time.start_date:
        found.append(Caveat(f"A starts on {a.time.start_date} and B on {b.time.start_date}", True))
    if a.time.horizon_days != b.time.horizon_days or a.time.warm_up_days != b.time.warm_up_days:
        found.append(Caveat("A and B simulate different periods (horizon or warm-up)", True))
    if price_base(a) != price_base(b):
        found.append(Caveat(f"A is in {price_base(a).replace('_', '/')} prices and B in "
                             f"{price_base(b).replace('_', '/')} prices", True))
    for side, scenario in (("A", a), ("B", b)):
        if not sum(scenario.caseload.packages.values()):
            found.append(Caveat(f"{side} ({scenario.name}) has no people already in care at the start", True))
        if not sum(role.cost_per_year for role in scenario.roles.values()):
            found.append(Caveat(f"{side} ({scenario.name}) has no staff costs", True))
        mixed = mixed_prices(scenario)
        if mixed:
            years = ", ".join(f"{path} ({year.replace('_', '/')})" for path, year in sorted(mixed.items()))
            found.append(Caveat(f"{side} ({scenario.name}) uses unit costs of other years than its "
                                 f"{price_base(scenario).replace('_', '/')} price base: {years}", False))
    return found
