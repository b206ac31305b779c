"""The app's sliders, derived from a scenario: what each one changes, and where its default came from.

Controls are plain data so the app stays thin and the mapping from a slider
to scenario fields can be tested without a browser. Groups come from the
scenario's own flow graph (any council's stages), in flow order. Shares are
grouped: when some shares of a group are moved, the others give up the
difference in proportion (``flowsim.scenario.edit.rebalance``), and
``shares_in_use`` says what each share then is.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from flowsim.provenance import source_notes
from flowsim.scenario.edit import rebalance, share_overrides
from flowsim.scenario.schema import Scenario

WINTER_MONTHS = ("dec", "jan", "feb")
WINTER = "winter_uplift"


@dataclass(frozen=True)
class Control:
    """One slider: a value at ``path`` (or a share within the group ``shares_of``)."""

    key: str
    group: str
    label: str
    path: str
    value: float
    low: float
    high: float
    step: float
    unit: str  # share | count | fte | minutes | pounds | rate | multiplier
    help: str
    shares_of: str | None = None

    @property
    def percent(self) -> bool:
        return self.unit in ("share", "rate")


def _route_controls(scenario: Scenario, stage: str, group: str, sources: dict) -> list[Control]:
    routes = scenario.stages[stage].routes
    path = f"stages.{stage}.routes"
    return [
        Control(key=f"{path}.{target}", group=group,
                label=f"{scenario.label(stage)} → {scenario.label(target)}",
                path=f"{path}.{target}", value=share, low=0.0, high=1.0, step=0.005, unit="share",
                help=sources.get(f"{path}.{target}", ""), shares_of=path)
        for target, share in routes.items()
    ]


def _upper(value: float, floor: float) -> float:
    return max(2 * value, value + floor)


def controls_for(scenario: Scenario) -> list[Control]:
    """Every slider for a scenario, grouped in the order a service manager reads them."""
    sources = source_notes(scenario)
    demand = scenario.demand
    controls = [
        Control("demand.contacts_per_year", "Demand", "Contacts a year", "demand.contacts_per_year",
                demand.contacts_per_year, 0.0, round(_upper(demand.contacts_per_year, 1000), -2), 50.0, "count",
                sources.get("demand.contacts_per_year", "")),
        Control("demand.annual_growth", "Demand", "Growth in contacts a year" if not demand.groups else
                "Growth a year: competing work, and client groups without a growth of their own",
                "demand.annual_growth", demand.annual_growth, -0.10, 0.20, 0.005, "rate",
                sources.get("demand.annual_growth", "")),
    ]
    for name in demand.groups:
        path = f"demand.groups.{name}.annual_growth"
        controls.append(Control(path, "Demand", f"Growth in contacts a year: {scenario.label(name)}", path,
                                demand.group_growth(name), -0.10, 0.20, 0.005, "rate", sources.get(path, "")))
    if "secondary_health" in demand.sources:
        controls.append(Control(
            "demand.sources.secondary_health", "Demand", "Share of contacts from hospitals",
            "demand.sources.secondary_health", demand.sources["secondary_health"], 0.0, 1.0, 0.005, "share",
            sources.get("demand.sources.secondary_health", ""), shares_of="demand.sources"))
    controls.append(Control(
        WINTER, "Demand", "Winter uplift (December to February contacts, × usual)", "demand.monthly_profile",
        1.0, 0.5, 2.0, 0.05, "multiplier", "1 = the scenario's monthly profile; "
        + sources.get("demand.monthly_profile.jan", "")))
    for stage, group in route_groups(scenario).items():
        controls += _route_controls(scenario, stage, group, sources)
    for name, stream in demand.workstreams.items():
        path = f"demand.workstreams.{name}.per_year"
        group = "Safeguarding" if name == "safeguarding" else "Demand"
        controls.append(Control(path, group, f"{stream.label or scenario.label(name)}: arrivals a year", path,
                                stream.per_year, 0.0, round(_upper(stream.per_year, 100), -1), 10.0, "count",
                                sources.get(path, "")))
    if "safeguarding" in demand.sources:
        controls.append(Control(
            "demand.sources.safeguarding", "Safeguarding", "Share of contacts that are safeguarding concerns",
            "demand.sources.safeguarding", demand.sources["safeguarding"], 0.0, 1.0, 0.005, "share",
            sources.get("demand.sources.safeguarding", ""), shares_of="demand.sources"))
    for name, role in scenario.roles.items():
        path = f"roles.{name}.fte"
        controls.append(Control(path, "Staffing", f"{scenario.label(name)} (FTE)", path, role.fte, 0.0,
                                float(round(_upper(role.fte, 10))), 0.5, "fte", sources.get(path, "")))
    for name, stage in scenario.stages.items():
        if stage.work is None:
            continue
        path = f"stages.{name}.work.mean_minutes"
        controls.append(Control(path, "Productivity", f"{scenario.label(name)}: minutes per case", path,
                                stage.work.mean_minutes, 5.0, float(round(_upper(stage.work.mean_minutes, 60))),
                                5.0, "minutes", sources.get(path, "")))
    for name, outcome in scenario.package_outcomes().items():
        field = "weekly_cost" if outcome.weekly_cost or not outcome.one_off_cost else "one_off_cost"
        path = f"outcomes.{name}.{field}"
        value = getattr(outcome, field)
        what = "£ a week" if field == "weekly_cost" else "£ one-off"
        controls.append(Control(path, "Packages", f"{scenario.label(name)} ({what})", path, value, 0.0,
                                float(round(_upper(value, 100))), 5.0, "pounds", sources.get(path, "")))
    return controls


def groups(controls: list[Control]) -> list[str]:
    """The slider groups in the order their controls come."""
    return list(dict.fromkeys(c.group for c in controls))


def route_groups(scenario: Scenario) -> dict[str, str]:
    """Stages whose routes get sliders (those with a choice of route), in flow order, with their group:
    "Digital self-service" and "Front door" for where contacts enter, "Routes from …" for the rest."""
    graph = scenario.network.union().subgraph(scenario.stages)
    order = [s for generation in nx.topological_generations(graph) for s in sorted(generation, key=list(scenario.stages).index)]
    order += [s for s in scenario.stages if s not in order]
    chosen = {s: f"Routes from {scenario.label(s)}" for s in order if len(scenario.stages[s].routes) > 1}
    entry = scenario.demand.entry.get("default")
    if entry in scenario.stages and scenario.stages[entry].role is None:  # e.g. online self-service first
        chosen[entry] = "Digital self-service"
        onward = [t for t in scenario.stages[entry].routes if t in scenario.stages]
        entry = onward[0] if onward else None
    if entry in chosen:
        chosen[entry] = "Front door"
    front = [s for s, g in chosen.items() if g in ("Digital self-service", "Front door")]
    return {s: chosen[s] for s in front} | {s: g for s, g in chosen.items() if s not in front}


def shares_in_use(scenario: Scenario, controls: list[Control], values: dict[str, float]) -> dict[str, list[tuple]]:
    """For each group of shares with a slider moved: (label, share in use, moved by hand) per member.

    Moving one share rescales the others in its set (``rebalance``), so the sliders left alone no longer
    show what is used; this is what the app lists under the group. Impossible sets are left out (the
    app shows their error instead).
    """
    shown: dict[str, list[tuple]] = {}
    members: dict[str, list[Control]] = {}
    for control in controls:
        if control.shares_of:
            members.setdefault(control.shares_of, []).append(control)
    for path, group in members.items():
        moved = {c.path.rsplit(".", 1)[1]: values[c.key] for c in group
                 if abs(values.get(c.key, c.value) - c.value) > 1e-12}
        if not moved:
            continue
        try:
            used = rebalance(_mapping_at(scenario, path), moved)
        except ValueError:
            continue
        shown[path] = [(scenario.label(name), share, name in moved) for name, share in used.items()]
    return shown



def overrides_from(scenario: Scenario, controls: list[Control], values: dict[str, float]) -> dict[str, float]:
    """Scenario overrides for slider values; sliders left at their default change nothing.

    Raises ValueError (with the group named) when a group's moved shares are impossible.
    """
    changes: dict[str, float] = {}
    moved_shares: dict[str, dict[str, float]] = {}
    for control in controls:
        value = values.get(control.key, control.value)
        if abs(value - control.value) <= 1e-12:
            continue
        if control.key == WINTER:
            for month in WINTER_MONTHS:
                changes[f"demand.monthly_profile.{month}"] = scenario.demand.monthly_profile[month] * value
        elif control.shares_of:
            moved_shares.setdefault(control.shares_of, {})[control.path.rsplit(".", 1)[1]] = value
        else:
            changes[control.path] = value
    for path, fixed in moved_shares.items():
        base = _mapping_at(scenario, path)
        try:
            changes |= share_overrides(path, base, fixed)
        except ValueError as err:
            raise ValueError(f"{_group_label(scenario, path)}: {err}") from None
    return changes


def _mapping_at(scenario: Scenario, path: str) -> dict[str, float]:
    node = scenario
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return dict(node)


def _group_label(scenario: Scenario, path: str) -> str:
    parts = path.split(".")
    if parts[0] == "stages":
        return f"routes from {scenario.label(parts[1])}"
    return "referral sources"
