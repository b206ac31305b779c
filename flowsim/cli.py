"""The ``flowsim`` command line: validate, expected flows, sources, runs and comparisons.

Every command calls the package's public API. A user mistake (bad file, bad
value, bad option) prints what is wrong and exits with status 2, never a
traceback.
"""
from __future__ import annotations

import functools
import json
import math
import sys

import click
from rich.console import Console
from rich.table import Table

from flowsim import __version__
from flowsim.analytic import expected_flows
from flowsim.errors import FlowsimError, InputError
from flowsim.provenance import number_sources
from flowsim.scenario import load_scenario

EXIT_USER_ERROR = 2

out = Console(highlight=False, soft_wrap=False, width=200 if not sys.stdout.isatty() else None)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def user_errors_exit_2(command):
    """Report a FlowsimError as a message and exit 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except FlowsimError as error:
            report(error)
            sys.exit(EXIT_USER_ERROR)

    return wrapper


def report(error: FlowsimError) -> None:
    problems = error.problems if isinstance(error, InputError) else [str(error)]
    for problem in problems:
        err.print(f"[red]error[/red]: {problem}", markup=True, highlight=False)


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="PATH=VALUE",
    help="Change one field, e.g. --set demand.annual_growth=0.03 (repeatable).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowsim")
def main() -> None:
    """flowsim: adult social care referral-flow simulator."""


@main.command()
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
        out.print(
            f"ok {file}: {scenario.name} ({scenario.council}, {scenario.operating_model} model), "
            f"{len(scenario.stages)} stages, {len(scenario.roles)} roles, "
            f"{flows.contacts:,.0f} contacts a year over {scenario.time.horizon_days} days"
        )
    if failed:
        sys.exit(EXIT_USER_ERROR)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@set_option
@json_option
@user_errors_exit_2
def flows(file: str, overrides: tuple[str, ...], as_json: bool) -> None:
    """Expected yearly flows, practitioner hours and utilisation (no simulation)."""
    scenario = load_scenario(file, overrides)
    result = expected_flows(scenario)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    out.print(f"[bold]{scenario.name}[/bold]: expected flows a year "
              f"(horizon {scenario.time.horizon_days} days), {result.contacts:,.0f} contacts")
    for title, counts in (("Stage", result.stages), ("Outcome", result.outcomes)):
        table = Table(title=None, show_edge=False)
        for column in (title, "people a year", "per 100 contacts"):
            table.add_column(column, justify="left" if column == title else "right")
        for name, count in counts.items():
            table.add_row(scenario.label(name), f"{count:,.0f}", f"{100 * count / result.contacts:.1f}"
                          if result.contacts else "–")
        out.print(table)
    table = Table(show_edge=False)
    for column in ("Role", "hours demanded", "hours available", "utilisation"):
        table.add_column(column, justify="left" if column == "Role" else "right")
    for name, load in result.roles.items():
        table.add_row(scenario.label(name), f"{load.hours_demanded:,.0f}", f"{load.hours_available:,.0f}",
                      f"{load.utilisation:.0%}" if math.isfinite(load.utilisation) else "no staff")
    out.print(table)
    for warning in result.warnings:
        out.print(f"[yellow]warning[/yellow]: {warning}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@set_option
@json_option
@user_errors_exit_2
def sources(file: str, overrides: tuple[str, ...], as_json: bool) -> None:
    """Every number the scenario uses and where it came from."""
    scenario = load_scenario(file, overrides)
    rows = number_sources(scenario)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    table = Table(show_edge=False)
    for column in ("field", "value", "status", "data/ key", "source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row.path, f"{row.value:,.6g}", row.status, row.key, row.source)
    out.print(table)
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    out.print(", ".join(f"{n} {status}" for status, n in counts.items()))
