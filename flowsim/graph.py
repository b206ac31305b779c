"""The referral-flow graph: stages and outcomes joined by onward shares.

One directed graph per referral source, built from a validated scenario. The
same graphs drive the simulation's routing, the analytic expected flows and
the flow diagrams, and they are checked here before anything is simulated:
every route leads somewhere real, and every stage can reach an outcome.
"""
from __future__ import annotations

import networkx as nx

from flowsim.scenario.schema import Scenario

REVIEW_SOURCE = "review"
WAITING_SOURCE = "waiting_list"  # people already waiting at the start whose source is not given


def routing_sources(scenario: Scenario) -> list[str]:
    """Every source whose people move through the graph, reviews included."""
    sources = list(scenario.demand.sources)
    if scenario.caseload.review_stage:
        sources.append(REVIEW_SOURCE)
    for waiting in scenario.waiting_list.values():
        source = waiting.source or WAITING_SOURCE
        if waiting.count and source not in sources:
            sources.append(source)
    return sources


def flow_graph(scenario: Scenario, source: str) -> nx.DiGraph:
    """The routing graph seen by people from ``source``; edges carry ``share``."""
    graph = nx.DiGraph(source=source)
    for name, stage in scenario.stages.items():
        graph.add_node(name, kind="stage", role=stage.role, label=scenario.label(name))
    for name, outcome in scenario.outcomes.items():
        graph.add_node(name, kind="outcome", outcome_kind=outcome.kind, label=scenario.label(name))
    for name, stage in scenario.stages.items():
        for target, share in stage.shares_for(source).items():
            if share > 0:
                graph.add_edge(name, target, share=share)
    return graph


def all_edges(scenario: Scenario) -> list[tuple[str, str]]:
    """Every (stage, next) pair that some referral source can take."""
    edges: dict[tuple[str, str], None] = {}
    for source in routing_sources(scenario):
        for a, b in flow_graph(scenario, source).edges:
            edges[a, b] = None
    return list(edges)


def entry_stage(scenario: Scenario, source: str) -> str | None:
    if source == REVIEW_SOURCE:
        return scenario.caseload.review_stage
    return scenario.demand.entry_stage(source)


def structure_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Cross-references and graph checks: (field path, message) for each problem."""
    problems: list[tuple[str, str]] = []
    stages, outcomes, roles = scenario.stages, scenario.outcomes, scenario.roles
    nodes = set(stages) | set(outcomes)
    known_sources = set(scenario.demand.sources) | {REVIEW_SOURCE, WAITING_SOURCE}

    for name in set(stages) & set(outcomes):
        problems.append((f"outcomes.{name}", "is also a stage name; names must differ"))
    for source, stage in scenario.demand.entry.items():
        if source != "default" and source not in scenario.demand.sources:
            problems.append((f"demand.entry.{source}", "is not a referral source in demand.sources"))
        if stage not in stages:
            problems.append((f"demand.entry.{source}", f"stage '{stage}' does not exist"))
    for source in scenario.sources:
        if scenario.demand.entry_stage(source) is None:
            problems.append(("demand.entry", f"no entry stage for source '{source}' and no 'default'"))
    for name, role in roles.items():
        if role.calendar not in scenario.time.calendars:
            problems.append((f"roles.{name}.calendar", f"calendar '{role.calendar}' is not in time.calendars"))
    for name, stage in stages.items():
        if stage.role is not None and stage.role not in roles:
            problems.append((f"stages.{name}.role", f"role '{stage.role}' does not exist"))
        route_sets = {"routes": stage.routes} | {
            f"routes_by_source.{s}": r for s, r in stage.routes_by_source.items()
        }
        for where, routes in route_sets.items():
            for target in routes:
                if target not in nodes:
                    problems.append((f"stages.{name}.{where}.{target}", "is neither a stage nor an outcome"))
        for source in list(stage.routes_by_source) + list(stage.priority_by_source):
            if source not in known_sources:
                problems.append((f"stages.{name}", f"names unknown referral source '{source}'"))
    review = scenario.caseload.review_stage
    if review is not None and review not in stages:
        problems.append(("caseload.review_stage", f"stage '{review}' does not exist"))
    packages = scenario.package_outcomes()
    reviewed = [name for name, o in packages.items() if o.review_every_weeks]
    if reviewed and review is None:
        problems.append(("caseload.review_stage", f"packages with reviews ({', '.join(reviewed)}) need a review stage"))
    for name in scenario.caseload.packages:
        if name not in packages:
            problems.append((f"caseload.packages.{name}", "is not a package outcome"))
    for name, waiting in scenario.waiting_list.items():
        if name not in stages:
            problems.append((f"waiting_list.{name}", "is not a stage"))
        if waiting.source and waiting.source not in known_sources:
            problems.append((f"waiting_list.{name}.source", f"unknown referral source '{waiting.source}'"))
    if scenario.time.warm_up_days and (scenario.waiting_list or scenario.caseload.packages):
        problems.append(("time.warm_up_days", "a warm-up is for runs that start empty; "
                         "remove it or the initial waiting list and caseload"))
    if problems:
        return problems  # the graph checks below need sound references
    return _graph_problems(scenario)


def _graph_problems(scenario: Scenario) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    outcomes = set(scenario.outcomes)
    hours = {name: role.hours_per_year for name, role in scenario.roles.items()}
    idle_roles_reported: set[str] = set()
    trapped: dict[str, list[str]] = {}
    for source in routing_sources(scenario):
        graph = flow_graph(scenario, source)
        reaches_outcome = set(outcomes)
        for outcome in outcomes:
            reaches_outcome |= nx.ancestors(graph, outcome)
        for stage in scenario.stages:
            if stage not in reaches_outcome:
                trapped.setdefault(stage, []).append(source)
        entries = [entry_stage(scenario, source)]
        entries += [s for s, w in scenario.waiting_list.items() if w.count and (w.source or WAITING_SOURCE) == source]
        active = {e for e in entries if e} | set().union(*(nx.descendants(graph, e) for e in entries if e))
        for stage in sorted(active & set(scenario.stages)):
            role = scenario.stages[stage].role
            if role is not None and hours[role] <= 0 and role not in idle_roles_reported:
                idle_roles_reported.add(role)
                problems.append((f"roles.{role}.fte",
                                 f"is 0 but stage '{stage}' routes work to this role"))
    for stage, sources in trapped.items():
        who = "anyone" if len(sources) == len(routing_sources(scenario)) else "people from " + ", ".join(sources)
        problems.insert(0, (f"stages.{stage}.routes", f"{who} can never reach an outcome from here (a closed loop)"))
    return problems
