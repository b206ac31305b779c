"""A council's team table (team, FTE) as the source of its roles' staffing.

A scenario can name a table under ``data/`` and map its teams to roles:

    team_table:
      file: teams/bnes.csv
      roles: {First Response: front_door_adviser, Social Care OT: occupational_therapist}

Each mapped role's FTE is then the sum of its teams' FTE, recorded as derived
from the table (and the table's own sources). Teams left unmapped are not
modelled; ``flowsim sources`` lists them.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from flowsim.errors import InputError, Problem
from flowsim.figures import Figure, data_dir
from flowsim.uploads import read_user_file, user_text

REQUIRED = ("team", "fte")


@dataclass(frozen=True)
class Team:
    name: str
    fte: float
    source: str


def read_team_table(file: str, origin: str) -> tuple[list[Team], list[Problem]]:
    """Teams from a CSV under data/ (columns team, fte, and optionally headcount and source)."""
    relative = Path(file)
    where = "team_table.file"
    if relative.is_absolute() or ".." in relative.parts or relative.suffix != ".csv":
        return [], [Problem(origin, where, f"{file!r} must be a .csv path inside data/, like teams/bnes.csv")]
    try:
        text = read_user_file(data_dir() / relative, f"data/{file}")
    except InputError as error:
        message = error.problems[0].message
        return [], [Problem(origin, where, f"data/{file} does not exist" if message == "file not found" else message)]
    return parse_team_table(text, f"data/{file}")


def parse_team_table(text: str | bytes, origin: str) -> tuple[list[Team], list[Problem]]:
    """Teams from CSV text (an upload, or a file under data/); problems name the line."""
    try:
        text = user_text(text, origin)
    except InputError as error:
        return [], error.problems
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Problem(origin, "header", f"needs columns {', '.join(REQUIRED)}; missing {', '.join(missing)}")]
    teams, problems = [], []
    for line, row in enumerate(reader, start=2):
        name = (row["team"] or "").strip()
        try:
            fte = float(row["fte"])
        except (TypeError, ValueError):
            problems.append(Problem(origin, f"line {line}", f"fte {row['fte']!r} is not a number"))
            continue
        if not name or not math.isfinite(fte) or fte < 0:
            problems.append(Problem(origin, f"line {line}", "needs a team name and an fte of 0 or more"))
            continue
        if any(t.name == name for t in teams):
            problems.append(Problem(origin, f"line {line}", f"team {name!r} is listed twice"))
        teams.append(Team(name, fte, (row.get("source") or "").strip()))
    if not teams and not problems:
        problems.append(Problem(origin, "", "lists no teams"))
    return teams, problems


def _kind(value) -> str:
    return {dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def apply_team_table(document: dict, origin: str, provenance: dict, problems: list[Problem],
                     overridden: set[str] = frozenset()) -> None:
    """Set each mapped role's FTE in ``document`` from the table named in it (an override wins)."""
    spec = document.get("team_table")
    if not isinstance(spec, dict) or not isinstance(spec.get("file"), str) or not isinstance(spec.get("roles"), dict):
        return  # the schema reports a malformed team_table
    teams, found = read_team_table(spec["file"], origin)
    problems += found
    if not teams:
        return  # the table itself is the problem: every mapping would be reported again
    by_name = {t.name: t for t in teams}
    roles = document.get("roles") if isinstance(document.get("roles"), dict) else {}
    totals: dict[str, list[Team]] = {}
    for team, role in spec["roles"].items():
        if not isinstance(role, str):
            problems.append(Problem(origin, f"team_table.roles.{team}",
                                    f"must be a role name; got a {_kind(role)}"))
        elif team not in by_name:
            problems.append(Problem(origin, f"team_table.roles.{team}", f"is not a team in data/{spec['file']}"))
        elif role not in roles:
            problems.append(Problem(origin, f"team_table.roles.{team}", f"role '{role}' is not in roles"))
        else:
            totals.setdefault(role, []).append(by_name[team])
    for role, members in totals.items():
        if not isinstance(roles[role], dict) or f"roles.{role}.fte" in overridden:
            continue
        if "fte" in roles[role]:
            problems.append(Problem(origin, f"roles.{role}.fte", "is given here and by team_table; give it once"))
            continue
        roles[role]["fte"] = sum(t.fte for t in members)
        sources = sorted({t.source for t in members if t.source})
        provenance[f"roles.{role}.fte"] = Figure(
            key=f"data/{spec['file']}", value=roles[role]["fte"], unit="FTE", description=f"{role} FTE",
            status="derived", source="; ".join(sources) or f"data/{spec['file']}",
            reason="sum of team FTE: " + " + ".join(f"{t.name} {t.fte:g}" for t in members))


def unmapped_teams(document: dict) -> list[Team]:
    """Teams of the scenario's table that no role takes (not modelled)."""
    spec = document.get("team_table") or {}
    if not spec.get("file"):
        return []
    teams, _ = read_team_table(spec["file"], "")
    return [t for t in teams if t.name not in (spec.get("roles") or {})]
