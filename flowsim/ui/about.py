"""What the model is, for the people reading its results: what it simulates, what it leaves out,
what its intervals mean, and how much of each scenario rests on published figures."""
from __future__ import annotations

from collections import Counter

import pandas as pd

from flowsim.provenance import number_sources
from flowsim.scenario.schema import Scenario

SIMULATED = """\
**What is simulated.** Each contact arrives on a working day (by weekday and month, with the
scenario's yearly growth) from a referral source, and moves through the council's stages: the
front door, community hubs, home visits, the hospital team, Care Act assessments, enablement,
safeguarding, financial assessment, support planning and reviews. Each stage is the work of a
practitioner role with limited hours (its FTE, productive hours and working calendar): people wait
in a queue by priority until someone is free, take a random time per case, and go on by the
stage's shares to another stage or an outcome. Case stages hold people on a practitioner's
caseload up to a cap; service stages hold a provider's place. Outcomes that are packages of care
start a package with its weekly cost, its length and its reviews, which come back as work. People
already waiting and packages already running at the start are included.
"""

NOT_SIMULATED = """\
**What is not simulated.** Who the people are beyond their referral source (no ages, needs or
deterioration while waiting); practitioners' individual skills, travel between visits other than
as time per case, sickness day by day, recruitment or turnover; the care market's capacity except
where a scenario has a service stage; health services, carers' own support and income from
charging; and any change in demand caused by the model itself (people who would come back
because they were turned away). Costs are the scenario's prices in its price year, not forecasts.
"""

INTERVALS = """\
**What the intervals mean.** Each run repeats the year several times with different random
arrivals and work times (replications); both sides use the same random numbers, so their
difference B − A is paired. A "95% CI" is built so that, over many such runs, 95 in 100 of these
intervals would hold the model's long-run mean: it measures **simulation noise only**. It does **not**
include uncertainty in the inputs: an assumed share or time per case that is wrong moves the
result by more than the interval shows. More replications narrow the interval; they do not make
the inputs truer. A difference is always B − A (positive: B has more); a saving is A − B.
"""

# How each kind of source is described to a reader.
STATUS_WORDS = {
    "published": "published figures",
    "derived": "derived from published figures",
    "assumption": "assumptions (with a reason)",
    "override": "changed in the app or on the command line",
    "scenario file": "written in the scenario file without a source",
    "rest": "remainders of a set of shares",
    "setting": "modelling choices (dates, priorities)",
    "flowsim default": "flowsim's defaults",
}


def source_counts(scenario: Scenario) -> Counter:
    """How many of the scenario's numbers come from each kind of source."""
    return Counter(row.status for row in number_sources(scenario))


def provenance_table(scenarios: dict[str, Scenario]) -> pd.DataFrame:
    """Numbers behind each side by kind of source: one row per kind, one column per side."""
    counts = {side: source_counts(s) for side, s in scenarios.items()}
    kinds = [k for k in STATUS_WORDS if any(c[k] for c in counts.values())]
    kinds += sorted({k for c in counts.values() for k in c} - set(kinds))
    rows = [{"numbers that are": STATUS_WORDS.get(k, k), **{side: counts[side][k] for side in scenarios}}
            for k in kinds]
    return pd.DataFrame(rows)


def summary_sentence(side: str, scenario: Scenario) -> str:
    """'A (barnet_current): 148 numbers, 31 published, 12 derived, 70 assumptions.'"""
    counts = source_counts(scenario)
    return (f"{side} ({scenario.name}): {sum(counts.values())} numbers, {counts['published']} published, "
            f"{counts['derived']} derived from published figures, {counts['assumption']} assumptions.")
