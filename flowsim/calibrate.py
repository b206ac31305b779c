"""A scenario from a council's own yearly counts of people moving between stages.

The counts file is a CSV of ``from,to,people`` rows (lines starting with # are
comments). A name that is never a ``to`` is a referral source, one that is
never a ``from`` is an outcome, the rest are stages. Volumes and shares come
straight from the counts and say so; what counts cannot give (time per case,
costs, staffing) comes from labelled assumptions in ``data/``. Counts that
cannot both be true (more people leaving a stage than arrived at it) are
refused with the stage and the numbers named.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from pathlib import Path

from flowsim.analytic import expected_flows
from flowsim.errors import InputError, Problem
from flowsim.scenario.load import scenario_from_document
from flowsim.scenario.schema import Scenario
from flowsim.uploads import read_user_file, user_text

COLUMNS = ["from", "to", "people"]
BALANCE_TOLERANCE = 0.02  # a stage's people in and out may differ by 2% (cases open at the year's ends)
TARGET_UTILISATION = 0.8

# Stage name → (role, key of its work-time assumptions in data/assumptions.csv).
KNOWN_STAGES = {
    "front_door": ("front_door_adviser", "front_door"),
    "social_work": ("social_worker", "social_work"),
    "community_hub": ("assessment_enablement_officer", "hub_appointment"),
    "home_visit": ("assessment_enablement_officer", "home_visit"),
    "hospital_team": ("hospital_social_worker", "hospital_team"),
    "full_assessment": ("social_worker", "full_assessment"),
    "ot_assessment": ("occupational_therapist", "ot_assessment"),
    "enablement": ("assessment_enablement_officer", "enablement"),
    "safeguarding_enquiry": ("social_worker", "safeguarding_enquiry"),
    "financial_assessment": ("financial_assessor", "financial_assessment"),
    "support_planning": ("social_worker", "support_planning"),
    "review": ("social_worker", "review_home"),
}
PACKAGES = ("home_care", "residential_care", "nursing_care", "direct_payment", "supported_living", "day_care",
            "telecare", "equipment_adaptations", "carer_support")
WEEKLY_COST = {"home_care": "unit_costs.home_care_weekly", "residential_care": "unit_costs.residential_weekly_england_2016",
               "nursing_care": "unit_costs.nursing_weekly_2016"}


def read_counts(text: str | bytes, origin: str) -> dict[tuple[str, str], float]:
    """People a year along each (from, to) pair; InputError naming the file and line for each problem."""
    text = user_text(text, origin)
    lines = [line for line in io.StringIO(text) if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    if [c.strip() for c in (reader.fieldnames or [])] != COLUMNS:
        raise InputError.single(origin, "header", f"columns must be {','.join(COLUMNS)}")
    counts: dict[tuple[str, str], float] = {}
    problems = []
    for number, row in enumerate(reader, start=2):
        where = f"row {number - 1}"
        a, b = (row["from"] or "").strip(), (row["to"] or "").strip()
        try:
            people = float(str(row["people"]).replace(",", ""))
        except (TypeError, ValueError):
            problems.append(Problem(origin, where, f"people {row['people']!r} is not a number"))
            continue
        if not a or not b or not a.replace("_", "a").isalnum() or not b.replace("_", "a").isalnum():
            problems.append(Problem(origin, where, "from and to must be names like front_door or home_care"))
        elif not math.isfinite(people) or people < 0:
            problems.append(Problem(origin, where, f"people must be 0 or more; got {row['people']}"))
        elif a == b:
            problems.append(Problem(origin, where, f"{a} → {a}: a stage cannot lead to itself"))
        elif (a.lower(), b.lower()) in counts:
            problems.append(Problem(origin, where, f"{a} → {b} is counted twice"))
        else:
            counts[a.lower(), b.lower()] = people
    if not counts and not problems:
        problems.append(Problem(origin, "", "has no counts"))
    if problems:
        raise InputError(problems)
    return counts


def flow_order(counts: dict, sources: set[str], names: set[str]) -> list[str]:
    """``names`` in the order people meet them: breadth first from the referral sources, the
    busier branch first; names not reached (a stage only a loop leads to) last, by name."""
    onward: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (a, b), n in counts.items():
        onward[a].append((n, b))
    seen, queue = [], sorted(sources, key=lambda s: -sum(n for n, _ in onward[s]))
    reached = set(queue)
    while queue:
        here = queue.pop(0)
        seen.append(here)
        for _, b in sorted(onward[here], key=lambda nb: (-nb[0], nb[1])):
            if b not in reached:
                reached.add(b)
                queue.append(b)
    return [n for n in seen if n in names] + sorted(set(names) - set(seen))


def structure(counts: dict, origin: str) -> tuple[dict, dict, dict, list[str]]:
    """Sources (→ entry stage and people), stages (→ routes), and outcomes; checks that counts balance."""
    froms, tos = {a for a, _ in counts}, {b for _, b in counts}
    sources, outcomes = froms - tos, sorted(tos - froms)
    stages = flow_order(counts, sources, (froms | tos) - sources - set(outcomes))
    outcomes = [o for o in flow_order(counts, sources, tos) if o in set(outcomes)]
    problems, entries, routes = [], {}, defaultdict(dict)
    for (a, b), n in counts.items():
        if a in sources:
            if b not in stages:
                problems.append(Problem(origin, f"{a} → {b}", f"{a} is a referral source, so {b} must be a stage "
                                        "(a stage has counts out of it)"))
            elif a in entries:
                problems.append(Problem(origin, f"{a} → {b}", f"{a} already enters {entries[a][0]}; give each "
                                        "entry stage its own source name"))
            else:
                entries[a] = (b, n)
        else:
            routes[a][b] = n
    for stage in stages:
        arrived = sum(n for (_, b), n in counts.items() if b == stage)
        left = sum(routes[stage].values())
        if left == 0:
            problems.append(Problem(origin, stage, "nobody leaves this stage: add its counts out"))
        elif abs(arrived - left) > max(2.0, BALANCE_TOLERANCE * max(arrived, left)):
            more = "more" if left > arrived else "fewer"
            problems.append(Problem(origin, stage, f"inconsistent: {arrived:,.0f} people arrive but {left:,.0f} "
                                    f"leave ({more} leaving than arriving)"))
    if not entries and not problems:
        problems.append(Problem(origin, "", "no referral source: some name must appear only in the from column"))
    if problems:
        raise InputError(problems)
    return entries, dict(routes), {o: o in PACKAGES for o in outcomes}, stages


def _cited(value: float, origin: str, reason: str) -> dict:
    return {"value": value, "source": f"counts file {origin}", "status": "derived", "reason": reason}


def _assumed(value: float, reason: str) -> dict:
    return {"value": value, "source": "assumption", "status": "assumption", "reason": reason}


def calibrate(counts: dict, origin: str, name: str, council: str, start: dt.date) -> dict:
    """A scenario document (plain values with their sources) that reproduces the counts as expected flows."""
    entries, routes, outcomes, stages = structure(counts, origin)
    total = sum(n for _, n in entries.values())
    if total <= 0:
        raise InputError.single(origin, "", "the referral sources count nobody")
    by_entry: dict[str, float] = defaultdict(float)
    for stage, n in entries.values():
        by_entry[stage] += n
    roles_used = list(dict.fromkeys(KNOWN_STAGES.get(s, ("practitioner", "generic"))[0] for s in stages))
    document = {
        "name": name, "council": council, "operating_model": "custom", "price_year": 2016,
        "description": f"Calibrated from {origin}: shares and volumes from the council's counts.",
        "time": {"start_date": start, "horizon_days": 365,
                 "calendars": {"office": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"},
                               "seven_day": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                             "start": "08:00", "end": "20:00", "works_bank_holidays": True}}},
        "demand": {
            "contacts_per_year": _cited(total, origin, "people from all referral sources in the counts"),
            "sources": {s: _cited(n / total, origin, f"{n:,.0f} of {total:,.0f} people") for s, (_, n) in
                        entries.items()},
            "entry": {"default": max(by_entry, key=by_entry.get)} | {s: stage for s, (stage, _) in entries.items()},
        },
        "roles": {role: {"fte": 1.0, "productive_hours_per_fte": {"ref": "assumptions.work.productive_hours_per_fte"},
                         "calendar": "seven_day" if role == "hospital_social_worker" else "office"}
                  for role in roles_used},  # in the order the flow first needs them
        "stages": {},
        "outcomes": {},
    }
    for stage in stages:
        role, work = KNOWN_STAGES.get(stage, ("practitioner", "generic"))
        out = sum(routes[stage].values())
        document["stages"][stage] = {
            "role": role,
            "work": {"ref": f"assumptions.work.{work}"},
            "routes": {b: _cited(n / out, origin, f"{n:,.0f} of {out:,.0f} people leaving {stage}")
                       for b, n in routes[stage].items()},
        }
        if stage == "enablement":
            document["stages"][stage]["elapsed_days"] = {"ref": "assumptions.work.enablement_episode_days"}
    for outcome, is_package in outcomes.items():
        if not is_package:
            document["outcomes"][outcome] = {}
            continue
        spec = {"kind": "package",
                "mean_duration_weeks": {"ref": f"assumptions.packages.duration_weeks.{outcome}"}}
        if outcome == "equipment_adaptations":
            spec["one_off_cost"] = {"ref": "assumptions.packages.one_off.equipment_adaptations"}
        else:
            spec["weekly_cost"] = {"ref": WEEKLY_COST.get(outcome, f"assumptions.packages.weekly.{outcome}")}
        document["outcomes"][outcome] = spec
    _size_roles(document, origin)
    return document


def _size_roles(document: dict, origin: str) -> None:
    """Staff each role so the counted work uses about 80% of its productive hours (the counts hold no staffing)."""
    scenario = scenario_from_document(document, origin)
    flows = expected_flows(scenario)
    for role, load in flows.roles.items():
        per_fte = scenario.roles[role].productive_hours_per_fte
        # to the hundredth of an FTE, as councils publish establishments (B&NES: 228.71), so the
        # counted work lands at the target, not several points under it as whole or half posts would
        fte = max(0.01, round(float(load.hours_demanded) / (per_fte * TARGET_UTILISATION), 2))
        document["roles"][role]["fte"] = _assumed(fte, "not in the counts: sized so the counted work uses about "
                                                  f"{TARGET_UTILISATION:.0%} of productive hours")


def calibrate_file(path: str | Path, name: str | None = None, council: str | None = None,
                   start: dt.date | None = None) -> tuple[dict, Scenario]:
    """Read, check and calibrate a counts file; the document and its validated scenario."""
    path = Path(path)
    text = read_user_file(path, str(path))
    return calibrate_text(text, path.name, name, council, start)


def calibrate_text(text: str | bytes, origin: str, name: str | None = None, council: str | None = None,
                   start: dt.date | None = None) -> tuple[dict, Scenario]:
    """Like ``calibrate_file`` for counts already read (an upload); ``origin`` names them."""
    counts = read_counts(text, origin)
    stem = "".join(c if c.isalnum() else "_" for c in Path(origin).stem.lower()).strip("_") or "calibrated"
    name = name or (stem if stem[0].isalpha() else f"c_{stem}")
    document = calibrate(counts, origin, name, council or "Unnamed council", start or dt.date(2024, 4, 1))
    return document, scenario_from_document(document, origin)
