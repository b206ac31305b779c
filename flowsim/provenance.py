"""Where every number in a scenario comes from, in words people can follow up.

A number is a figure from ``data/`` (published, derived or an assumption), an
override given on the command line or in the app, a value written straight
into the scenario file, the remainder of a set of shares (``rest``), or one
of flowsim's own defaults. Publications are cited by body, title and year
(``data/`` may name the council papers by their archive file; people never see
that), and a scenario file by its name alone, never a path on the machine
that ran it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowsim.figures import Figure
from flowsim.scenario.schema import Scenario


# The council papers behind the figures, by their number in the archive ("seed 000"): body, title, year.
PUBLICATIONS = {
    "000": 'London Borough of Barnet, "Outline business case: Adult social care alternative delivery model" (2016)',
    "001": 'Bath & North East Somerset Council, Cabinet 10 November 2022, "Community Services Transformation '
           'Programme – Adult Social Care"',
    "002": 'Northamptonshire County Council, equality impact assessment for budget proposal 16-001-17 '
           '"Partnerships" (Cabinet 14 February 2017)',
    "003": "City of York Council, Executive 29 September 2016, report on the adult social care operating model",
    "004": 'Herefordshire Council, Cabinet – Health & Wellbeing 25 July 2013, "Adult Social Care – Next Stage '
           'Integration – Wye Valley NHS Trust"',
}
_ARCHIVE_NAME = re.compile(r"\bseeds? (\d{3})(?:_[0-9a-f]{16}\.txt)?(?P<sep>,? (?=section|§|Appendix))?")


def cite(text: str) -> str:
    """``text`` with each council paper named by body, title and year instead of its archive file:
    "seed 000_dcec….txt, section 2" → 'London Borough of Barnet, "Outline business case…" (2016), section 2'."""
    def title(match: re.Match) -> str:
        found = PUBLICATIONS.get(match.group(1))
        if found is None:
            return match.group(0)
        return found + (", " if match.group("sep") else "")
    return _ARCHIVE_NAME.sub(title, text)


def cites_a_council_paper(text: str) -> bool:
    """Whether ``text`` (already cited) names one of the council papers."""
    return any(title in text for title in PUBLICATIONS.values())


STATUS_WORDS = {"published": "Published", "derived": "Derived", "assumption": "Assumption",
                "override": "Changed", "setting": "Setting", "scenario file": "Written in the scenario",
                "rest": "The remainder", "flowsim default": "Default"}


@dataclass(frozen=True)
class NumberSource:
    path: str
    value: float
    status: str  # published | derived | assumption | override | setting | scenario file | rest | flowsim default
    source: str  # where it came from, for people: publications by title, files by name
    key: str = ""
    price_year: str = ""  # for a unit cost: the financial year of its prices (2017_18)

    def to_dict(self) -> dict:
        return {"path": self.path, "value": self.value, "status": self.status, "source": self.source, "key": self.key,
                "price_year": self.price_year}

    def note(self) -> str:
        """One sentence for a tooltip or a table: 'Published: London Borough of Barnet, … (2016), section 2'."""
        return f"{STATUS_WORDS.get(self.status, self.status.capitalize())}: {self.source}"


def _figure_source(found: Figure) -> str:
    """A figure's source without its status (shown beside it), publications cited by title."""
    if found.status == "published":
        return cite(found.source)
    if found.status == "assumption":
        return cite(found.reason)
    return cite(f"from {found.source}: {found.reason}" if found.source else found.reason)


def _leaves(node: Any, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}.{i}")
    else:
        yield path, node


def _written(document: dict, path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _is_setting(path: str) -> bool:
    """Choices about the run rather than facts about the service: no source needed."""
    parts = path.split(".")
    return parts[0] in ("price_year", "time") or "priority" in parts or "priority_by_source" in parts


def _override_above(provenance: dict, path: str) -> str | None:
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        found = provenance.get(".".join(parts[:cut]))
        if isinstance(found, str):
            return found
    return None


def number_sources(scenario: Scenario) -> list[NumberSource]:
    """Every number the scenario uses, with where it came from, in file order."""
    provenance = scenario.provenance
    document = scenario.source.document
    origin = Path(scenario.origin).name  # never the folder it sits in on the machine that ran it
    rows = []
    for path, value in _leaves(scenario.model_dump(mode="python")):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        found = provenance.get(path) or _override_above(provenance, path)
        if isinstance(found, Figure):
            rows.append(NumberSource(path, value, found.status, _figure_source(found), found.key, found.price_year))
        elif isinstance(found, str):
            rows.append(NumberSource(path, value, "override", found))
        else:
            written = _written(document, path)
            if written == "rest":
                rows.append(NumberSource(path, value, "rest", "the remainder, so the shares add up to 1"))
            elif written is not None and _is_setting(path):
                rows.append(NumberSource(path, value, "setting", f"a modelling choice written in {origin}"))
            elif written is not None:
                rows.append(NumberSource(path, value, "scenario file", f"written in {origin}"))
            else:
                rows.append(NumberSource(path, value, "flowsim default", "not given; flowsim's default"))
    return rows


def source_notes(scenario: Scenario) -> dict[str, str]:
    """Field path → one sentence saying where its number came from (for the app's tooltips)."""
    return {row.path: row.note() for row in number_sources(scenario)}
