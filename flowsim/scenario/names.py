"""Names a changed field may use: a typo in a stage, role, outcome or source name is caught early.

``--set roles.social_workr.fte=3`` would otherwise make a new, half-described
role and fail on a field the user never typed. A path that steps through a
named mapping (stages, roles, outcomes, routes, referral sources…) must use a
name the scenario already has; a close spelling is suggested.
"""
from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel

ANY = "*"

# (path pattern, what its keys are). The pattern matches the path down to the mapping; ANY
# matches one name. A route may name any stage or outcome, so it is checked against both.
NAMED_MAPPINGS: list[tuple[tuple[str, ...], str]] = [
    (("stages",), "stage"),
    (("roles",), "role"),
    (("outcomes",), "outcome"),
    (("demand", "sources"), "referral source"),
    (("demand", "entry"), "referral source"),
    (("demand", "workstreams"), "workstream"),
    (("waiting_list",), "stage"),
    (("open_cases",), "stage"),
    (("caseload", "packages"), "outcome"),
    (("time", "calendars"), "calendar"),
    (("stages", ANY, "routes"), "stage or outcome"),
    (("stages", ANY, "routes_by_source"), "referral source"),
    (("stages", ANY, "routes_by_source", ANY), "stage or outcome"),
    (("stages", ANY, "routes_by_group"), "client group"),
    (("stages", ANY, "routes_by_group", ANY), "stage or outcome"),
    (("demand", "groups"), "client group"),
    (("stages", ANY, "priority_by_source"), "referral source"),
]


def _matches(pattern: tuple[str, ...], keys: list[str]) -> bool:
    return len(pattern) == len(keys) and all(p in (ANY, k) for p, k in zip(pattern, keys))


def _names(document: dict, what: str, mapping: dict, top: str) -> list[str]:
    """The names the mapping's keys may take: its own keys, or every stage and outcome for a route, or
    every stage for a mapping by stage outside ``stages`` (a waiting list or open cases at any stage)."""
    if what == "stage or outcome":
        return [*(document.get("stages") or {}), *(document.get("outcomes") or {})]
    if what == "stage" and top != "stages":
        return list(document.get("stages") or {})
    if what == "referral source" and isinstance(document.get("demand"), dict):
        return list((document["demand"].get("sources") or {}))
    if what == "client group" and isinstance(document.get("demand"), dict):
        return list((document["demand"].get("groups") or {}))
    return list(mapping)


def did_you_mean(name: str, names: list[str]) -> str:
    """' (did you mean front_door?)', or '' when nothing is close."""
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def unknown_name(document: dict, path: str) -> str | None:
    """What is wrong with a name in ``path``, if it steps through a named mapping with a name it lacks.

    A name that is new but close to none of the existing ones is allowed where a
    new entry makes sense (a route to another stage); a misspelling is not.
    """
    keys = path.split(".")
    node: Any = document
    for depth, key in enumerate(keys):
        if not isinstance(node, dict) or set(node) == {"ref"}:  # a value, or a group read from data/
            return None
        what = next((w for pattern, w in NAMED_MAPPINGS if _matches(pattern, keys[:depth])), None)
        if what is not None and key not in node:
            names = _names(document, what, node, keys[0])
            if key in names:  # a route to a stage or outcome not routed to before, a list at another stage
                return None
            hint = did_you_mean(key, names)
            leaf = depth == len(keys) - 1
            if hint or not leaf or what == "stage or outcome":
                return f"no {what} '{key}'{hint or _listing(names)}"
            return None
        node = node.get(key)
    return None


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return f" (the names are {shown})" if names else ""


def _step(kind: Any, part: str) -> Any:
    """The type found one step down ``kind`` at ``part`` (a field of a model, a key of a mapping)."""
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        branches = [b for b in typing.get_args(kind) if b is not type(None)]
        kind = next((b for b in branches if isinstance(b, type) and issubclass(b, BaseModel)
                     or typing.get_origin(b) in (dict, list)), branches[0] if branches else None)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        field = kind.model_fields.get(part)
        return field.annotation if field else None
    if typing.get_origin(kind) is dict:
        return typing.get_args(kind)[1]
    if typing.get_origin(kind) is list:
        return typing.get_args(kind)[0]
    return None


def field_hint(model: type[BaseModel], path: list[str]) -> str:
    """' (did you mean annual_growth?)' for an unknown field at ``path`` under ``model``, or ''."""
    kind: Any = model
    for part in path[:-1]:
        kind = _step(kind, part)
        if kind is None:
            return ""
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
        return ""
    return did_you_mean(path[-1], list(kind.model_fields))
