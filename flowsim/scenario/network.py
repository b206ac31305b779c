"""The referral network, compiled once per scenario: who enters where, and where they go next.

People from each referral source see their own routing graph (a stage may
route safeguarding concerns differently from other contacts). With client
groups (``demand.groups``), contacts from each source in each group are routed
by their own graph too, under the key ``source|group`` (``route_key``). The compiled
``Network`` holds, per source, the graph (networkx, edges carry ``share``) and
each stage's onward routes, plus each stage's priorities and each role's
stages. The simulation, the analytic expected flows, the KPIs and the flow
diagrams all read the same ``Network``, built once (``scenario.network``).

``structure_problems`` checks a scenario's cross-references and its graphs
before anything is simulated: every route leads somewhere real, every
stage can reach an outcome, and each role's stages are of one kind.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from flowsim.scenario.schema import Scenario

REVIEW_SOURCE = "review"
WAITING_SOURCE = "waiting_list"  # people already waiting at the start whose source is not given
OPEN_CASE_SOURCE = "open_case"  # people whose cases are already open at the start


@dataclass(frozen=True)
class Routes:
    """One stage's onward routes for one source: targets with a positive share, in listed order."""

    targets: tuple[str, ...]
    shares: tuple[float, ...]


@dataclass(frozen=True)
class Network:
    """The compiled routing of one scenario (see the module docstring)."""

    sources: tuple[str, ...]  # every source whose people move through the graph, reviews included
    entries: dict[str, str | None]  # source -> the stage its people enter
    routes: dict[str, dict[str, Routes]]  # source -> stage -> onward routes
    graphs: dict[str, nx.DiGraph]  # source -> routing graph
    priorities: dict[str, dict[str, int]]  # stage -> source -> priority (0 first)
    role_stages: dict[str, tuple[str, ...]]  # role -> the stages it works at
    edges: tuple[tuple[str, str], ...]  # every (stage, next) pair some source can take
    waiting_entries: dict[str, tuple[str, ...]]  # source -> stages where its people already wait
    stage_sources: dict[str, tuple[str, ...]]  # stage -> the sources whose people can reach it
    route_keys: dict[str, tuple[tuple[str, str | None], ...]]  # source -> (routing key, client group) of its people

    def graph(self, source: str) -> nx.DiGraph:
        return self.graphs[source]

    def union(self) -> nx.DiGraph:
        """Every edge any source can take, in one graph."""
        union = nx.DiGraph()
        for graph in self.graphs.values():
            union.add_nodes_from(graph.nodes(data=True))
            union.add_edges_from(graph.edges)
        return union

    @property
    def after_reviews(self) -> tuple[str, ...]:
        """The stages a review can send an existing client on to (directly or further on)."""
        start = self.entries.get(REVIEW_SOURCE)
        if start is None or REVIEW_SOURCE not in self.graphs:
            return ()
        reached = nx.descendants(self.graphs[REVIEW_SOURCE], start)
        return tuple(stage for stage in self.routes[REVIEW_SOURCE] if stage in reached)

    def start_stages(self) -> set[str]:
        """Stages where people enter: the sources' entries and the initial waiting lists."""
        starts = {stage for stage in self.entries.values() if stage}
        return starts | {s for stages in self.waiting_entries.values() for s in stages}


def route_key(source: str, group: str | None) -> str:
    """The key people from ``source`` in client ``group`` are routed by (the source, without a group)."""
    return source if group is None else f"{source}|{group}"


def routing_keys(scenario: Scenario, sources: list[str]) -> dict[str, tuple[tuple[str, str | None], ...]]:
    """Each source's routing keys: one per client group for contacts when there are groups, else the source."""
    groups = scenario.demand.groups
    return {source: tuple((route_key(source, g), g) for g in groups) if groups and source in scenario.demand.sources
            else ((source, None),) for source in sources}


def routing_sources(scenario: Scenario) -> list[str]:
    """Every source whose people move through the graph: contacts' sources, workstreams, reviews."""
    sources = list(scenario.demand.sources) + [w for w in scenario.demand.workstreams if w not in scenario.demand.sources]
    if scenario.caseload.review_stage:
        sources.append(REVIEW_SOURCE)
    for waiting in scenario.waiting_list.values():
        source = waiting.source or WAITING_SOURCE
        if waiting.count and source not in sources:
            sources.append(source)
    if any(spec.count for spec in scenario.open_cases.values()):
        sources.append(OPEN_CASE_SOURCE)
    return sources


def entry_stage(scenario: Scenario, source: str) -> str | None:
    if source == REVIEW_SOURCE:
        return scenario.caseload.review_stage
    if source == OPEN_CASE_SOURCE:
        return None  # they start at their stages, as a waiting list does
    return scenario.demand.entry_stage(source)


def flow_graph(scenario: Scenario, source: str, group: str | None = None) -> nx.DiGraph:
    """The routing graph seen by people from ``source`` (in client ``group``); edges carry ``share``."""
    graph = nx.DiGraph(source=source)
    for name, stage in scenario.stages.items():
        graph.add_node(name, kind="stage", role=stage.role, label=scenario.label(name))
    for name, outcome in scenario.outcomes.items():
        graph.add_node(name, kind="outcome", outcome_kind=outcome.kind, label=scenario.label(name))
    for name, stage in scenario.stages.items():
        for target, share in stage.shares_for(source, group).items():
            if share > 0:
                graph.add_edge(name, target, share=share)
    return graph


def compile_network(scenario: Scenario) -> Network:
    """Build the network of a scenario whose references are sound (see ``structure_problems``)."""
    sources = routing_sources(scenario)
    keys = routing_keys(scenario, sources)
    graphs = {source: flow_graph(scenario, source) for source in sources}  # a source's people taken together
    graphs |= {key: flow_graph(scenario, source, group) for source in sources for key, group in keys[source]}
    routes: dict[str, dict[str, Routes]] = {}
    edges: dict[tuple[str, str], None] = {}
    for source in sources:  # people at the start have no group: every source is routed by its own key too
        for key, group in dict.fromkeys(((source, None), *keys[source])):
            graph, routes[key] = graphs[key], {}
            for name, stage in scenario.stages.items():
                targets = tuple(t for t in stage.shares_for(source, group) if graph.has_edge(name, t))
                routes[key][name] = Routes(targets, tuple(graph.edges[name, t]["share"] for t in targets))
            edges.update(dict.fromkeys(graph.edges))
    waiting: dict[str, tuple[str, ...]] = {}
    for stage, spec in scenario.waiting_list.items():
        if spec.count:
            source = spec.source or WAITING_SOURCE
            waiting[source] = waiting.get(source, ()) + (stage,)
    for stage, spec in scenario.open_cases.items():
        if spec.count:
            waiting[OPEN_CASE_SOURCE] = waiting.get(OPEN_CASE_SOURCE, ()) + (stage,)
    return Network(
        sources=tuple(sources),
        entries={source: entry_stage(scenario, source) for source in sources},
        routes=routes,
        graphs=graphs,
        priorities={name: {source: stage.priority_for(source) for source in sources}
                    for name, stage in scenario.stages.items()},
        role_stages={role: tuple(n for n, s in scenario.stages.items() if s.role == role) for role in scenario.roles},
        edges=tuple(edges),
        waiting_entries=waiting,
        stage_sources=_stage_sources(scenario, keys, graphs, waiting),
        route_keys=keys,
    )


def _stage_sources(scenario: Scenario, keys: dict, graphs: dict, waiting: dict) -> dict[str, tuple[str, ...]]:
    reach: dict[str, list[str]] = {name: [] for name in scenario.stages}
    for source, routed in keys.items():
        starts = [s for s in (entry_stage(scenario, source), *waiting.get(source, ())) if s in reach]
        graphed = dict.fromkeys([source, *(key for key, _ in routed)])  # people at the start: the source's own
        reached = set(starts).union(*(nx.descendants(graphs[key], s) for key in graphed for s in starts))
        for name in reach:
            if name in reached:
                reach[name].append(source)
    return {name: tuple(found) for name, found in reach.items()}


def structure_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Cross-references and graph checks: (field path, message) for each problem."""
    problems: list[tuple[str, str]] = []
    stages, outcomes, roles = scenario.stages, scenario.outcomes, scenario.roles
    nodes = set(stages) | set(outcomes)
    known_sources = (set(scenario.demand.sources) | set(scenario.demand.workstreams)
                     | {REVIEW_SOURCE, WAITING_SOURCE, OPEN_CASE_SOURCE})

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
    problems += workstream_problems(scenario)
    for name, role in roles.items():
        if role.calendar not in scenario.time.calendars:
            problems.append((f"roles.{name}.calendar", f"calendar '{role.calendar}' is not in time.calendars"))
    for name, stage in stages.items():
        if stage.role is not None and stage.role not in roles:
            problems.append((f"stages.{name}.role", f"role '{stage.role}' does not exist"))
        if stage.recontact is not None and stage.recontact.to not in stages:
            problems.append((f"stages.{name}.recontact.to", f"stage '{stage.recontact.to}' does not exist"))
        route_sets = {"routes": stage.routes} | {
            f"routes_by_source.{s}": r for s, r in stage.routes_by_source.items()
        } | {f"routes_by_group.{g}": r for g, r in stage.routes_by_group.items()}
        for where, routes in route_sets.items():
            for target in routes:
                if target not in nodes:
                    problems.append((f"stages.{name}.{where}.{target}", "is neither a stage nor an outcome"))
        for source in list(stage.routes_by_source) + list(stage.priority_by_source):
            if source not in known_sources:
                problems.append((f"stages.{name}", f"names unknown referral source '{source}'"))
        for group in stage.routes_by_group:
            if group not in scenario.demand.groups:
                problems.append((f"stages.{name}.routes_by_group.{group}",
                                 f"'{group}' is not a client group in demand.groups"))
    if scenario.headline_stage is not None and scenario.headline_stage not in stages:
        problems.append(("headline_stage", f"stage '{scenario.headline_stage}' does not exist"))
    problems += case_problems(scenario)
    review = scenario.caseload.review_stage
    if review is not None and review not in stages:
        problems.append(("caseload.review_stage", f"stage '{review}' does not exist"))
    if scenario.caseload.unplanned_reviews_per_year and review is None:
        problems.append(("caseload.unplanned_reviews_per_year", "unplanned reviews need caseload.review_stage"))
    packages = scenario.package_outcomes()
    reviewed = [name for name, o in packages.items() if o.review_every_weeks]
    if reviewed and review is None:
        problems.append(("caseload.review_stage", f"packages with reviews ({', '.join(reviewed)}) need a review stage"))
    for name in scenario.caseload.packages:
        if name not in packages:
            problems.append((f"caseload.packages.{name}", "is not a package outcome"))
    for name, outcome in scenario.outcomes.items():
        for extra in outcome.alongside:
            where = f"outcomes.{name}.alongside.{extra}"
            if extra not in packages:
                problems.append((where, "is not a package outcome"))
            elif extra == name:
                problems.append((where, "a package cannot come alongside itself"))
            elif packages[extra].alongside:
                problems.append((where, f"'{extra}' has packages alongside it in turn; one level only"))
    for name, waiting in scenario.waiting_list.items():
        if name not in stages:
            problems.append((f"waiting_list.{name}", "is not a stage"))
        if waiting.source and waiting.source not in known_sources:
            problems.append((f"waiting_list.{name}.source", f"unknown referral source '{waiting.source}'"))
    for name in scenario.open_cases:
        if name not in stages:
            problems.append((f"open_cases.{name}", "is not a stage"))
        elif stages[name].kind != "case":
            problems.append((f"open_cases.{name}", f"is a stage of kind '{stages[name].kind}'; "
                             "only case stages hold open cases"))
    if scenario.time.warm_up_days and (scenario.waiting_list or scenario.caseload.packages or scenario.open_cases):
        problems.append(("time.warm_up_days", "a warm-up is for runs that start empty; "
                         "remove it or the initial waiting list, open cases and caseload"))
    if problems:
        return problems  # the graph checks below need sound references
    return _graph_problems(scenario, compile_network(scenario))


def workstream_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """Each workstream enters a real stage and has a name of its own (it is its people's source)."""
    problems: list[tuple[str, str]] = []
    for name, stream in scenario.demand.workstreams.items():
        where = f"demand.workstreams.{name}"
        if name in scenario.demand.sources or name in (REVIEW_SOURCE, WAITING_SOURCE, "default"):
            problems.append((where, f"'{name}' is already a referral source; a workstream needs a name of its own"))
        if stream.stage not in scenario.stages:
            problems.append((f"{where}.stage", f"stage '{stream.stage}' does not exist"))
    return problems


def case_problems(scenario: Scenario) -> list[tuple[str, str]]:
    """A role either holds cases or does one-sitting work, and its practitioners have one caseload cap."""
    problems: list[tuple[str, str]] = []
    by_role: dict[str, list[str]] = {}
    for name, stage in scenario.stages.items():
        if stage.role is not None:
            by_role.setdefault(stage.role, []).append(name)
    for role, names in by_role.items():
        kinds = {scenario.stages[n].kind for n in names}
        if len(kinds) > 1:
            first = scenario.stages[names[0]].kind
            for name in names:
                if scenario.stages[name].kind != first:
                    problems.append((f"stages.{name}.kind", f"is '{scenario.stages[name].kind}' but role '{role}' "
                                     f"also works at '{names[0]}' of kind '{first}'; a role either holds cases "
                                     "or does one-sitting work, so its stages must all be the same kind"))
            continue
        if kinds != {"case"}:
            continue
        cap = scenario.stages[names[0]].case.caseload_cap
        for name in names[1:]:
            if scenario.stages[name].case.caseload_cap != cap:
                problems.append((f"stages.{name}.case.caseload_cap",
                                 f"is {scenario.stages[name].case.caseload_cap:g} but '{names[0]}' gives {cap:g}; "
                                 f"role '{role}' has one caseload cap (use weight to make a case count for less)"))
    return problems


def _graph_problems(scenario: Scenario, network: Network) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    outcomes = set(scenario.outcomes)
    hours = {name: role.hours_per_year for name, role in scenario.roles.items()}
    idle_roles_reported: set[str] = set()
    trapped: dict[str, list[str]] = {}
    for source, key in ((s, k) for s in network.sources for k in dict.fromkeys([s, *dict(network.route_keys[s])])):
        graph = network.graph(key)
        reaches_outcome = set(outcomes)
        for outcome in outcomes:
            reaches_outcome |= nx.ancestors(graph, outcome)
        for stage in scenario.stages:
            if stage not in reaches_outcome and source not in trapped.get(stage, []):
                trapped.setdefault(stage, []).append(source)
        entries = [network.entries[source], *network.waiting_entries.get(source, ())]
        active = {e for e in entries if e} | set().union(*(nx.descendants(graph, e) for e in entries if e))
        for stage in sorted(active & set(scenario.stages)):
            role = scenario.stages[stage].role
            if role is not None and hours[role] <= 0 and role not in idle_roles_reported:
                idle_roles_reported.add(role)
                problems.append((f"roles.{role}.fte",
                                 f"is 0 but stage '{stage}' routes work to this role"))
    for stage, sources in trapped.items():
        who = "anyone" if len(sources) == len(network.sources) else "people from " + ", ".join(sources)
        problems.insert(0, (f"stages.{stage}.routes", f"{who} can never reach an outcome from here (a closed loop)"))
    return problems
