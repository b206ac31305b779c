"""Published figures and labelled assumptions kept in ``data/*.csv``.

Every number a shipped scenario uses comes from one of these rows, so
flowsim can say where any default came from. A scenario refers to a row
with ``{ref: key}``; a key that names a prefix (``bnes.team_fte``) yields a
mapping of every row below it.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flowsim.errors import InputError, Problem

COLUMNS = ["key", "value", "unit", "description", "status", "source", "reason"]
PRICED = [*COLUMNS, "price_year"]  # tables of money (unit_costs) also say the financial year of their prices
STATUSES = {"published", "derived", "assumption"}


def data_dir() -> Path:
    """The folder of figure tables: ``$FLOWSIM_DATA`` or the project's ``data/``."""
    return Path(os.environ.get("FLOWSIM_DATA", Path(__file__).resolve().parents[1] / "data"))


@dataclass(frozen=True)
class Figure:
    key: str
    value: float
    unit: str
    description: str
    status: str
    source: str
    reason: str
    price_year: str = ""  # the financial year (2016_17) a money figure's prices are in; "" if not stated

    def citation(self) -> str:
        """One line saying where the number comes from."""
        if self.status == "published":
            return f"published: {self.source}"
        if self.status == "assumption":
            return f"assumption: {self.reason}"
        return f"derived from {self.source}: {self.reason}"


def _read_table(path: Path) -> tuple[list[Figure], list[Problem]]:
    figures, problems = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames not in (COLUMNS, PRICED):
            return [], [Problem(path.name, "header", f"columns must be {','.join(COLUMNS)}[,price_year]")]
        for line, row in enumerate(reader, start=2):
            where = f"line {line}"
            if None in row:
                problems.append(Problem(path.name, where, f"more fields than the {len(reader.fieldnames)} columns"))
                continue
            try:
                value = float(row["value"])
            except (TypeError, ValueError):
                problems.append(Problem(path.name, where, f"value {row['value']!r} is not a number"))
                continue
            if row["status"] not in STATUSES:
                problems.append(Problem(path.name, where, f"status must be one of {sorted(STATUSES)}"))
            if row["status"] != "published" and not row["reason"].strip():
                problems.append(Problem(path.name, where, f"{row['status']} figure needs a reason"))
            if row["status"] == "published" and not row["source"].strip():
                problems.append(Problem(path.name, where, "published figure needs a source"))
            if not row["key"].startswith(path.stem + "."):
                problems.append(Problem(path.name, where, f"key must start with '{path.stem}.'"))
            year = (row.get("price_year") or "").strip()
            if year and not (len(year) == 7 and year[4] == "_" and year[:4].isdigit()):
                problems.append(Problem(path.name, where, f"price_year {year!r} must be a financial year like 2016_17"))
            figures.append(Figure(**{**row, "value": value, "price_year": year}))
    return figures, problems


@lru_cache(maxsize=4)
def _load(folder: str) -> dict[str, Figure]:
    table: dict[str, Figure] = {}
    problems: list[Problem] = []
    for path in sorted(Path(folder).glob("*.csv")):
        figures, found = _read_table(path)
        problems += found
        for figure in figures:
            if figure.key in table:
                problems.append(Problem(path.name, figure.key, "key is defined twice"))
            table[figure.key] = figure
    if problems:
        raise InputError(problems)
    return table


def all_figures() -> dict[str, Figure]:
    """Every figure in the data folder, by key."""
    return _load(str(data_dir()))


def lookup(key: str) -> Figure | dict[str, Figure] | None:
    """The figure for ``key``, the figures below it as a mapping, or None."""
    table = all_figures()
    if key in table:
        return table[key]
    prefix = key + "."
    below = {k[len(prefix):]: f for k, f in table.items() if k.startswith(prefix)}
    return below or None
