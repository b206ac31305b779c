"""Localities: an area split into parts, each with its own hubs and teams.

A scenario may say::

    localities:
      shares: {city: 0.45, east: 0.3, west: rest}      # where contacts come from
      stages: [community_hub, home_visit]               # each locality has its own
      roles:                                            # and its own team, FTE by locality
        assessment_enablement_officer: {city: 9, east: 6, west: 6}

It is expanded into a plain scenario: every referral source ``s`` becomes one
per locality (``s__city``), every local stage and role one per locality
(``community_hub__city``), and shared stages send each locality's people to
their own locality's stages. Shared teams (the front door, say) stay shared.
Reviews and people already waiting belong to no locality, so they must not be
routed into local stages. Names ``x__locality`` read back as ``x`` in
``locality_of``; results add up across localities.
"""
from __future__ import annotations

import networkx as nx

from flowsim.scenario.network import REVIEW_SOURCE, WAITING_SOURCE, entry_stage, flow_graph
from flowsim.scenario.schema import Scenario

SEPARATOR = "__"


def local(name: str, locality: str) -> str:
    return f"{name}{SEPARATOR}{locality}"


def locality_of(name: str) -> tuple[str, str | None]:
    """'community_hub__city' → ('community_hub', 'city'); names without a locality → (name, None)."""
    base, sep, place = name.rpartition(SEPARATOR)
    return (base, place) if sep else (name, None)


def locality_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """What makes a localities block impossible to expand."""
    spec = scenario.localities
    if spec is None:
        return []
    problems = []
    places = list(spec.shares)
    for stage in spec.stages:
        if stage not in scenario.stages:
            problems.append(("localities.stages", f"'{stage}' is not a stage"))
    for role, by_place in spec.roles.items():
        if role not in scenario.roles:
            problems.append((f"localities.roles.{role}", "is not a role"))
        if set(by_place) != set(places):
            problems.append((f"localities.roles.{role}", f"give an FTE for each locality: {', '.join(places)}"))
        elif role in scenario.roles and abs(sum(by_place.values()) - scenario.roles[role].fte) > 1e-6:
            problems.append((f"localities.roles.{role}", f"the localities' FTE add up to {sum(by_place.values()):g}, "
                                                         f"but roles.{role}.fte is {scenario.roles[role].fte:g}"))
        for name, stage in scenario.stages.items():
            if stage.role == role and name not in spec.stages:
                problems.append((f"localities.roles.{role}",
                                 f"a local role can only work at local stages; '{name}' is shared"))
    local_stages = set(spec.stages)
    if scenario.caseload.review_stage in local_stages:
        problems.append(("localities.stages", "reviews are shared: the review stage cannot be local"))
    for stage, waiting in scenario.waiting_list.items():
        if stage in local_stages:
            problems.append((f"waiting_list.{stage}", "people already waiting belong to no locality: "
                                                     "their stage cannot be local"))
        if waiting.source in scenario.demand.sources:
            problems.append((f"waiting_list.{stage}.source", "with localities, leave out the source of people "
                                                            "already waiting"))
    for name, stream in scenario.demand.workstreams.items():
        if stream.stage in local_stages:
            problems.append((f"demand.workstreams.{name}.stage", "a workstream belongs to no locality: "
                                                                 "it cannot enter a local stage"))
    for role in spec.roles:
        if role in scenario.roles and scenario.roles[role].agency_fte:
            problems.append((f"roles.{role}.agency_fte", "agency cover of a role split by locality cannot be "
                                                         "shared out between localities: leave it out, or add it "
                                                         "to fte and localities.roles"))
    for stage in sorted(local_stages & set(scenario.stages)):
        if scenario.stages[stage].kind == "service":
            problems.append(("localities.stages", f"'{stage}' is a service stage: its places are not split "
                                                  "between localities, so it must be shared"))
    for stage in scenario.open_cases:
        if stage in local_stages:
            problems.append((f"open_cases.{stage}", "cases open at the start belong to no locality: "
                                                   "their stage cannot be local"))
    for name, stage in scenario.stages.items():
        for source in (REVIEW_SOURCE, WAITING_SOURCE, *scenario.demand.workstreams):
            if name not in local_stages and set(stage.shares_for(source)) & local_stages and \
                    _reaches(scenario, source, name):
                problems.append((f"stages.{name}.routes", f"people from '{source}' would reach a local stage, "
                                                          "but they belong to no locality"))
    for name, stage in scenario.stages.items():
        if stage.routes_by_group and name not in local_stages:
            problems.append((f"stages.{name}.routes_by_group", "with localities, client groups' own routes can "
                                                               "only be given at local stages"))
    if any(SEPARATOR in n for n in list(scenario.stages) + list(scenario.roles) + list(scenario.demand.sources)
                                    + list(scenario.demand.workstreams)):
        problems.append(("localities", f"with localities, names must not contain '{SEPARATOR}'"))
    return problems


def _reaches(scenario: Scenario, source: str, stage: str) -> bool:
    graph = flow_graph(scenario, source)
    starts = list(scenario.waiting_list) if source == WAITING_SOURCE else [entry_stage(scenario, source)]
    return any(s == stage or (s in graph and nx.has_path(graph, s, stage)) for s in starts if s)


def expand(scenario: Scenario) -> dict:
    """The plain scenario document equivalent to a scenario with localities."""
    spec = scenario.localities
    places = list(spec.shares)
    local_stages, local_roles = set(spec.stages), set(spec.roles)

    def at(target: str, place: str) -> str:
        return local(target, place) if target in local_stages else target

    plain = scenario.model_dump(mode="python", exclude={"localities"})
    demand = plain["demand"]
    sources, entry = {}, {}
    for source, share in scenario.demand.sources.items():
        for place in places:
            sources[local(source, place)] = share * spec.shares[place]
            entry[local(source, place)] = at(scenario.demand.entry_stage(source), place)
    default = scenario.demand.entry.get("default")
    demand["sources"], demand["entry"] = sources, entry | ({"default": at(default, places[0])} if default else {})

    roles = {}
    for name, role in plain["roles"].items():
        if name not in local_roles:
            roles[name] = role
            continue
        for place in places:
            label = role.get("label") or scenario.label(name)
            roles[local(name, place)] = role | {"fte": spec.roles[name][place], "label": f"{label} ({place})"}
    plain["roles"] = roles

    stages = {}
    for name, stage in plain["stages"].items():
        by_source = stage["routes_by_source"]
        priorities = stage["priority_by_source"]
        if name in local_stages:
            for place in places:
                stages[local(name, place)] = stage | {
                    "label": f"{stage.get('label') or scenario.label(name)} ({place})",
                    "role": local(stage["role"], place) if stage["role"] in local_roles else stage["role"],
                    "routes": {at(t, place): v for t, v in stage["routes"].items()},
                    "routes_by_group": {g: {at(t, place): v for t, v in r.items()}
                                        for g, r in stage["routes_by_group"].items()},
                    "routes_by_source": {local(s, place): {at(t, place): v for t, v in r.items()}
                                         for s, r in by_source.items() if s in scenario.demand.sources},
                    "priority_by_source": _localised(priorities, scenario, place),
                }
            continue
        routes_local = any(set(r) & local_stages for r in [stage["routes"], *by_source.values()])
        if routes_local:
            stage["routes_by_source"] = {s: r for s, r in by_source.items() if s not in scenario.demand.sources}
            for source in scenario.demand.sources:
                for place in places:
                    chosen = by_source.get(source, stage["routes"])
                    stage["routes_by_source"][local(source, place)] = {at(t, place): v for t, v in chosen.items()}
            stage["routes"] = {at(t, places[0]): v for t, v in stage["routes"].items()}  # used by no locality
        else:
            stage["routes_by_source"] = {s: r for s, r in by_source.items() if s not in scenario.demand.sources} | {
                local(s, place): r for s, r in by_source.items() if s in scenario.demand.sources for place in places}
        stage["priority_by_source"] = {s: p for s, p in priorities.items() if s not in scenario.demand.sources}
        for place in places:
            stage["priority_by_source"] |= _localised(priorities, scenario, place)
        stages[name] = stage
    plain["stages"] = stages
    return plain


def _localised(priorities: dict, scenario: Scenario, place: str) -> dict:
    return {local(s, place): p for s, p in priorities.items() if s in scenario.demand.sources}
