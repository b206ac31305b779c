"""Commands that read a scenario without simulating it: validate, flows, sources."""
from __future__ import annotations

import fnmatch
import math
import sys

import click
from rich.table import Table
from rich.text import Text

from flowsim.analytic import expected_flows
from flowsim.calendar import expected_group_contacts_per_day
from flowsim.cli.common import (EXIT_USER_ERROR, console, echo_json, json_option, report, set_option, styled,
                                wrap_field_name)
from flowsim.cli.profile import print_steady_state
from flowsim.errors import FlowsimError
from flowsim.finance.prices import mixed_prices, price_base
from flowsim.format import MISSING, figure, financial_year, number, share, year
from flowsim.profile import steady_state
from flowsim.provenance import cites_a_council_paper, number_sources
from flowsim.scenario import load_scenario, scenario_document
from flowsim.scenario.teams import unmapped_teams
from flowsim.units import DAYS_PER_YEAR


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check scenario files; print a summary of each valid one."""
    failed = False
    for file in files:
        try:
            scenario = load_scenario(file)
        except FlowsimError as error:
            failed = True
            report(error)
            continue
        flows = expected_flows(scenario)
        console.print(
            f"ok {file}: {scenario.name} ({scenario.council}, {scenario.operating_model} model), "
            f"{len(scenario.stages)} stages, {len(scenario.roles)} roles, "
            f"{number(flows.contacts, decimals=0)} contacts a year over {scenario.time.horizon_days} days"
        )
        drift = steady_state(scenario, flows).summary()
        if drift:
            console.print(styled(("warning", "yellow"), f": steady state: {drift} (details: flowsim steady {file})"))
    if failed:
        sys.exit(EXIT_USER_ERROR)


def _table(*columns: str) -> Table:
    table = Table(show_edge=False)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    return table


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@set_option
@json_option
def flows(file: str, overrides: tuple[str, ...], as_json: bool) -> None:
    """Expected yearly flows, practitioner hours and utilisation (no simulation)."""
    scenario = load_scenario(file, overrides)
    result = expected_flows(scenario)
    if as_json:
        echo_json(result.to_dict() | {"steady_state": steady_state(scenario, result).to_dict()})
        return
    console.print(styled((scenario.name, "bold"), f": expected flows a year (horizon {scenario.time.horizon_days} "
                         f"days), {number(result.contacts, decimals=0)} contacts"))
    for title, counts in (("Stage", result.stages), ("Outcome", result.outcomes)):
        table = _table(title, "people a year", "per 100 contacts")
        for name, count in counts.items():
            per_100 = number(100 * count / result.contacts, decimals=1) if result.contacts else MISSING
            table.add_row(scenario.label(name), number(count, decimals=0), per_100)
        console.print(table)
    if result.by_group:
        print_group_flows(scenario, result)
    table = _table("Role", "hours demanded", "hours available", "utilisation")
    for name, load in result.roles.items():
        table.add_row(scenario.label(name), number(load.hours_demanded, "hours", decimals=0),
                      number(load.hours_available, "hours", decimals=0),
                      share(load.utilisation) if math.isfinite(load.utilisation) else "no staff")
    console.print(table)
    for warning in result.warnings:
        console.print(styled(("warning", "yellow"), f": {warning}"))
    print_steady_state(scenario, result)


def print_group_flows(scenario, result) -> None:
    """Per client group: its share of contacts now, its growth, and its contacts and new packages a year."""
    demand, packages = scenario.demand, scenario.package_outcomes()
    years = scenario.time.horizon_days / DAYS_PER_YEAR
    table = _table("Client group", "share of contacts", "growth a year", "contacts a year", "new packages a year")
    for name, group in demand.groups.items():
        flows = result.by_group.get(name, {})
        contacts = expected_group_contacts_per_day(scenario, name)[scenario.time.warm_up_days:].sum() / years
        table.add_row(scenario.label(name), share(group.share), share(demand.group_growth(name)),
                      number(contacts, decimals=0), number(sum(flows.get(p, 0.0) for p in packages), decimals=0))
    console.print(table)


STATUS_CHOICES = ["published", "derived", "assumption", "seed", "override", "setting", "scenario file", "rest",
                  "flowsim default"]


def _wanted(row, statuses: tuple[str, ...], pattern: str | None) -> bool:
    """Rows with one of ``statuses`` ('seed': citing one of the council papers) whose field or
    data/ key matches ``pattern`` (a glob such as 'roles.*.fte', or any part of the name)."""
    if statuses and not any(row.status == s or (s == "seed" and cites_a_council_paper(row.source))
                            for s in statuses):
        return False
    if not pattern:
        return True
    names = [row.path.lower(), row.key.lower()]
    pattern = pattern.lower()
    if any(c in pattern for c in "*?["):
        return any(fnmatch.fnmatchcase(n, pattern) for n in names)
    return any(pattern in n for n in names)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@set_option
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUS_CHOICES),
              help="Only numbers of this status (repeatable); 'seed': those from the council papers.")
@click.option("--match", "pattern", metavar="PATTERN",
              help="Only fields (or data/ keys) matching PATTERN: a glob like 'roles.*.fte', or part of a name.")
@json_option
def sources(file: str, overrides: tuple[str, ...], statuses: tuple[str, ...], pattern: str | None,
            as_json: bool) -> None:
    """Every number the scenario uses and where it came from."""
    scenario = load_scenario(file, overrides)
    every = number_sources(scenario)
    rows = [r for r in every if _wanted(r, statuses, pattern)]
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    # Names break only after a dot, values never; the source text wraps between words.
    width = min(max((len(r.path) for r in rows), default=5), max(24, console.width * 2 // 5))
    priced = any(r.price_year for r in rows)
    table = Table(show_edge=False, show_lines=False)
    table.add_column("field", no_wrap=True, width=width)
    table.add_column("value", justify="right", no_wrap=True)
    if priced:
        table.add_column("prices", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("source (data/ key)", ratio=1, min_width=30, overflow="fold")
    key_width = max(20, console.width - width - (40 if priced else 32))  # what the source column is left with, about
    for row in rows:
        source = Text(row.source)
        if row.key:
            source.append("\n" + wrap_field_name(row.key, key_width), style="dim")
        prices = [financial_year(row.price_year) if row.price_year else ""] if priced else []
        table.add_row(wrap_field_name(row.path, width), _value(row.path, row.value), *prices, row.status, source)
    console.print(table)
    base = price_base(scenario)
    mixed = mixed_prices(scenario)
    console.print(f"Price base {financial_year(base)}" + (
        "; unit costs in other years' prices: " + ", ".join(f"{p} ({financial_year(y)})" for p, y in mixed.items())
        if mixed else "; every unit cost with a price year is in it."))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    shown = f"{len(rows)} of {len(every)} numbers: " if len(rows) != len(every) else ""
    console.print(shown + (", ".join(f"{n} {status}" for status, n in counts.items()) or "none match"))
    unmodelled = unmapped_teams(scenario_document(scenario))
    if unmodelled and not (statuses or pattern):
        console.print(f"Teams in data/{scenario.team_table.file} not mapped to a role (not modelled): "
                      + ", ".join(f"{t.name} ({t.fte:g} FTE)" for t in unmodelled))


def _value(path: str, value: float) -> str:
    """A field's value as the file gives it; a year (price_year) without a thousands separator."""
    leaf = path.rpartition(".")[2]
    return year(value) if leaf.endswith("_year") and not leaf.endswith("per_year") else figure(value)


COMMANDS = [validate, flows, sources]
