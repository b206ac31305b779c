"""Reading scenario files: safe YAML, figure references, overrides, validation.

A scenario file holds absolute values. Any number may instead be a reference
to a row of ``data/`` (``{ref: key}``), which records where it came from.
Overrides (``--set path=value``) are applied to the document before
validation, so they are checked exactly like the file. Every problem found is
reported at once, each naming the file, the field path and what is wrong.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from pydantic import ValidationError

from flowsim.calendar import calendar_problems
from flowsim.errors import InputError, Problem
from flowsim.figures import STATUSES, Figure, lookup, spread_problems
from flowsim.scenario.limits import limit_problems, non_finite
from flowsim.scenario.network import structure_problems
from flowsim.scenario.localities import expand, local, locality_problems
from flowsim.scenario.names import field_hint, unknown_name
from flowsim.scenario.schema import Scenario, ScenarioSource
from flowsim.scenario.teams import apply_team_table
from flowsim.uploads import MAX_UPLOAD_BYTES, read_user_file, user_text

MAX_SCENARIO_BYTES = MAX_UPLOAD_BYTES
MAX_SCENARIO_VALUES = 100_000  # YAML aliases can make a small file expand enormously
# What PyYAML's safe constructors raise besides YAMLError (e.g. a date of 2015-13-01).
YAML_VALUE_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)

Overrides = Mapping[str, Any] | Iterable[str] | None


# libyaml's parser when PyYAML was built with it (about ten times faster); the same safe constructor either way
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeBase):
    """PyYAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # keys merged in with << may be overridden: that is what merging is for
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the constructor below reports it
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key!r} is given twice (first on line {first.start_mark.line + 1})",
                        key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def safe_yaml(text: str) -> Any:
    """Parse YAML text as plain data (no tags that make objects), refusing duplicate keys."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


def load_scenario(path: str | Path, overrides: Overrides = None) -> Scenario:
    """Load, resolve and validate a scenario file; raise InputError listing every problem."""
    text = read_user_file(path, str(path), MAX_SCENARIO_BYTES)
    return load_scenario_text(text, str(path), overrides)


def load_scenario_text(text: str | bytes, origin: str, overrides: Overrides = None) -> Scenario:
    """Like ``load_scenario`` for text already read (an upload); ``origin`` names it in messages."""
    document = user_yaml(user_text(text, origin, MAX_SCENARIO_BYTES), origin)
    return scenario_from_document(document, origin, overrides)


def user_yaml(text: str, origin: str) -> Any:
    """A user's YAML text as plain data; InputError naming ``origin`` (and the line) if it is not valid or too big."""
    try:
        document = safe_yaml(text)
    except YAML_VALUE_ERRORS as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or (str(err).splitlines() or [type(err).__name__])[0]
        raise InputError.single(origin, where, f"is not valid YAML: {problem}") from None
    if _count_values(document, MAX_SCENARIO_VALUES) > MAX_SCENARIO_VALUES:
        raise InputError.single(origin, "", f"holds more than {MAX_SCENARIO_VALUES:,} values once its aliases are expanded")
    return document


def _count_values(node: Any, limit: int) -> int:
    """Count values, stopping early past ``limit``."""
    count, stack = 0, [node]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def scenario_from_document(document: Any, origin: str, overrides: Overrides = None) -> Scenario:
    """Validate a parsed document (a dict of plain values) as a scenario."""
    if not isinstance(document, dict):
        raise InputError.single(origin, "", "must be a YAML mapping of fields (name, council, time, …)")
    document = copy.deepcopy(document)
    changes = parse_overrides(overrides, origin)
    problems: list[Problem] = []
    for path, value in changes.items():
        problem = unknown_name(document, path) or _set_path(document, path, value)
        if problem:
            problems.append(Problem(origin, path, problem))
    provenance: dict[str, Figure | str] = {}
    resolved = _resolve_refs(document, "", provenance, problems, origin)
    if not isinstance(resolved, dict):  # the whole file was one reference ({ref: …})
        raise InputError(problems or [Problem(origin, "", "must be a YAML mapping of fields (name, council, time, "
                                                         "…), not a reference to data/")])
    apply_team_table(resolved, origin, provenance, problems, overridden=set(changes))
    for path in changes:
        for leaf in [p for p in provenance if p == path or p.startswith(path + ".")]:
            del provenance[leaf]
        provenance[path] = f"set as an override ({path}={changes[path]!r})"
    problems += [Problem(origin, path, message) for path, message in non_finite(resolved)]
    if problems:
        raise InputError(problems)
    try:
        scenario = Scenario.model_validate(resolved)
    except ValidationError as err:
        raise InputError(_problems_from_pydantic(origin, err.errors())) from None
    structural = (limit_problems(scenario) or structure_problems(scenario) or locality_problems(scenario)
                  or calendar_problems(scenario))
    if structural:
        raise InputError([Problem(origin, path, message) for path, message in structural])
    localities = scenario.localities
    if localities is not None:
        scenario, provenance = _expanded(scenario, provenance, origin)
    return scenario.with_source(ScenarioSource(origin, document, provenance, localities))


def _expanded(scenario: Scenario, provenance: dict, origin: str) -> tuple[Scenario, dict]:
    """The plain scenario for one with localities, its numbers' sources carried across."""
    spec = scenario.localities
    plain = Scenario.model_validate(expand(scenario))
    too_large = limit_problems(plain)  # each locality copies its local stages and roles
    if too_large:
        raise InputError([Problem(origin, f"localities ({path})", message) for path, message in too_large])
    problems = structure_problems(plain)
    if problems:  # a localities block that passed its checks should always expand cleanly
        raise InputError([Problem("localities", path, message) for path, message in problems])
    carried = dict(provenance)
    for path, found in provenance.items():
        parts = path.split(".")
        if parts[0] in ("stages", "roles") and len(parts) > 2 and parts[1] in (spec.stages if parts[0] == "stages"
                                                                              else spec.roles):
            for place in spec.shares:
                carried[".".join([parts[0], local(parts[1], place), *parts[2:]])] = found
    for role, by_place in spec.roles.items():
        for place in by_place:
            found = provenance.get(f"localities.roles.{role}.{place}")
            if found is not None:
                carried[f"roles.{local(role, place)}.fte"] = found
    for source in scenario.demand.sources:
        for place in spec.shares:
            carried[f"demand.sources.{local(source, place)}"] = Figure(
                key="", value=plain.demand.sources[local(source, place)], unit="fraction", description="",
                status="derived", source=f"demand.sources.{source} × localities.shares.{place}",
                reason=f"contacts from {source} in {place}")
    return plain, carried


def vary(scenario: Scenario, changes: Overrides) -> Scenario:
    """A new scenario equal to ``scenario`` with ``changes`` (path → value), re-validated."""
    return scenario_from_document(scenario.source.document, scenario.origin, changes)


def scenario_document(scenario: Scenario) -> dict:
    """The scenario's document as loaded, references kept, overrides applied."""
    return copy.deepcopy(scenario.source.document)


ROLE_FIELDS_ADDED_LATER = {"vacancy_rate": 0.0, "agency_fte": 0.0, "non_case_share": 0.0, "agency_cost_per_fte": None}


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's validated content: equal hashes, equal inputs."""
    dumped = scenario.model_dump(mode="json")
    for stage in dumped["stages"].values():  # fields added later, left out at their defaults: old hashes still hold
        if stage.get("kind") == "one_sitting" and stage.get("case") is None:
            del stage["kind"], stage["case"]
        if stage.get("recontact", 0) is None:
            del stage["recontact"]
    if not dumped["demand"].get("workstreams"):
        dumped["demand"].pop("workstreams", None)
    for role in dumped["roles"].values():
        for name, default in ROLE_FIELDS_ADDED_LATER.items():
            if role.get(name) == default:
                del role[name]
    content = json.dumps(dumped, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def parse_overrides(overrides: Overrides, origin: str = "--set") -> dict[str, Any]:
    """``["a.b=1", …]`` or ``{"a.b": 1}`` → ``{"a.b": 1}``; values are read as YAML scalars."""
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        return dict(overrides)
    parsed, problems = {}, []
    for item in overrides:
        path, sep, raw = str(item).partition("=")
        path = path.strip()
        if not sep or not path:
            problems.append(Problem("--set", str(item), "must look like path.to.field=value"))
            continue
        try:
            parsed[path] = safe_yaml(raw) if raw.strip() else None
        except YAML_VALUE_ERRORS:
            problems.append(Problem("--set", path, f"value {raw!r} cannot be read"))
    if problems:
        raise InputError(problems)
    return parsed


def _set_path(document: dict, path: str, value: Any) -> str | None:
    keys = path.split(".")
    node = document
    for depth, key in enumerate(keys[:-1]):
        child = node.get(key)
        if child is None or (isinstance(child, dict) and set(child) == {"ref"}):
            child = node[key] = {} if child is None else _expand_ref(child)
        if not isinstance(child, dict):
            return f"'{'.'.join(keys[:depth + 1])}' is a value, not a group of fields"
        node = child
    node[keys[-1]] = value
    return None


def _expand_ref(ref: dict) -> dict:
    """A mapping reference becomes its mapping of references, so one leaf can change."""
    found = lookup(str(ref["ref"]))
    if isinstance(found, dict):
        return {k: {"ref": f"{ref['ref']}.{k}"} for k in _nest(found)}
    return ref


def _nest(flat: dict[str, Figure]) -> dict:
    nested: dict = {}
    for dotted, figure in flat.items():
        *parents, last = dotted.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = figure
    return nested


CITED_KEYS = {"value", "source", "status", "reason", "low", "high", "distribution"}


def _resolve_refs(node: Any, path: str, provenance: dict, problems: list, origin: str) -> Any:
    if isinstance(node, dict):
        if set(node) == {"ref"}:
            return _resolve_one(str(node["ref"]), path, provenance, problems, origin)
        if {"value", "source"} <= set(node) <= CITED_KEYS:
            return _cited(node, path, provenance, problems, origin)
        return {k: _resolve_refs(v, _join(path, k), provenance, problems, origin) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_refs(v, _join(path, str(i)), provenance, problems, origin) for i, v in enumerate(node)]
    return node


def _cited(node: dict, path: str, provenance: dict, problems: list, origin: str) -> Any:
    """A number with its source written beside it: ``{value: 0.76, source: "...", status: derived, reason: "..."}``."""
    status = node.get("status", "published")
    if status not in STATUSES:
        problems.append(Problem(origin, f"{path}.status", f"must be one of {', '.join(sorted(STATUSES))}"))
    elif status != "published" and not str(node.get("reason") or "").strip():
        problems.append(Problem(origin, f"{path}.reason", f"a {status} number needs a reason"))
    spread = spread_problems(node)
    problems += [Problem(origin, f"{path}.{field}", message) for field, message in spread]
    provenance[path] = Figure(key="", value=node["value"], unit="", description="", status=status,
                              source=str(node["source"]), reason=str(node.get("reason") or ""),
                              low=node.get("low"), high=node.get("high"),
                              distribution=node.get("distribution") if node.get("low") is not None else None)
    return node["value"]


def _resolve_one(key: str, path: str, provenance: dict, problems: list, origin: str) -> Any:
    found = lookup(key)
    if found is None:
        problems.append(Problem(origin, path, f"refers to '{key}', which is not a figure in data/"))
        return None
    if isinstance(found, Figure):
        provenance[path] = found
        return found.value

    def unfold(tree: dict, at: str) -> dict:
        out = {}
        for name, item in tree.items():
            if isinstance(item, Figure):
                provenance[_join(at, name)] = item
                out[name] = item.value
            else:
                out[name] = unfold(item, _join(at, name))
        return out

    return unfold(_nest(found), path)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _is_union_branch(part: Any) -> bool:
    return isinstance(part, str) and (part.startswith(("constrained-", "literal[", "function-")) or part == "float")


def _problems_from_pydantic(origin: str, errors: list[dict]) -> list[Problem]:
    """One problem per field; a value that fits no branch of a share-or-'rest' union is reported once."""
    problems, seen = [], set()
    for error in errors:
        if any(_is_union_branch(part) for part in error["loc"][-1:]) and "share" not in error["type"]:
            path = ".".join(str(p) for p in error["loc"] if not _is_union_branch(p))
            if path in seen:
                continue
            seen.add(path)
            problems.append(Problem(origin, path, f"must be a share from 0 to 1 or 'rest'; got {error.get('input')!r}"))
        else:
            problems.append(_problem_from_pydantic(origin, error))
    return problems


def _not_finite(value: Any) -> bool:
    """A value pydantic reads as infinity or not-a-number (2.5e999, .nan, the text "inf")."""
    try:
        return isinstance(value, (int, float, str)) and not math.isfinite(float(value))
    except (ValueError, OverflowError):
        return False


def _problem_from_pydantic(origin: str, error: dict) -> Problem:
    path = ".".join(str(part) for part in error["loc"] if not _is_union_branch(part))
    kind, message = error["type"], error["msg"]
    bounded = kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal")
    if bounded and _not_finite(error.get("input")):
        message = f"must be a finite number; got {error.get('input')!r}"
    elif kind == "extra_forbidden":
        hint = field_hint(Scenario, path.split("."))
        message = f"unknown field{hint}" if hint else "unknown field (check the spelling)"
    elif kind == "missing":
        message = "is required but missing"
    elif kind == "string_pattern_mismatch":
        message = f"must be lower-case letters, digits and _ starting with a letter; got {error.get('input')!r}"
    elif kind.startswith("literal_error") or kind.endswith("_type") or kind.endswith("_parsing"):
        message = f"{message}; got {error.get('input')!r}"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
    return Problem(origin, path, message)
