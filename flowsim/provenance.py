"""Where every number in a scenario comes from.

A number is a figure from ``data/`` (published, derived or an assumption), an
override given on the command line or in the app, a value written straight
into the scenario file, the remainder of a set of shares (``rest``), or one
of flowsim's own defaults.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowsim.figures import Figure
from flowsim.scenario.schema import Scenario


@dataclass(frozen=True)
class NumberSource:
    path: str
    value: float
    status: str  # published | derived | assumption | override | setting | scenario file | rest | flowsim default
    source: str
    key: str = ""
    price_year: str = ""  # for a unit cost: the financial year of its prices (2017_18)

    def to_dict(self) -> dict:
        return {"path": self.path, "value": self.value, "status": self.status, "source": self.source, "key": self.key,
                "price_year": self.price_year}


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
    rows = []
    for path, value in _leaves(scenario.model_dump(mode="python")):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        found = provenance.get(path) or _override_above(provenance, path)
        if isinstance(found, Figure):
            rows.append(NumberSource(path, value, found.status, found.citation(), found.key, found.price_year))
        elif isinstance(found, str):
            rows.append(NumberSource(path, value, "override", found))
        else:
            written = _written(document, path)
            if written == "rest":
                rows.append(NumberSource(path, value, "rest", "the remainder, so the shares add up to 1"))
            elif written is not None and _is_setting(path):
                rows.append(NumberSource(path, value, "setting", f"a modelling choice written in {scenario.origin}"))
            elif written is not None:
                rows.append(NumberSource(path, value, "scenario file", f"written in {scenario.origin}"))
            else:
                rows.append(NumberSource(path, value, "flowsim default", "not given; flowsim's default"))
    return rows
