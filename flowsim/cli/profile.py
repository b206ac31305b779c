"""Commands for a baseline the council recognises: ``steady`` (does the caseload of packages hold?)."""
from __future__ import annotations

import json
import click
from rich.table import Table

from flowsim.cli.common import console, json_option, set_option
from flowsim.format import number, share
from flowsim.profile import steady_state
from flowsim.scenario import load_scenario


def print_steady_state(scenario, flows=None) -> None:
    """A warning per package type whose caseload drains or balloons (nothing when it holds)."""
    for line in steady_state(scenario, flows).warnings():
        console.print(f"[yellow]warning[/yellow]: steady state: {line}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@set_option
@json_option
def steady(file: str, overrides: tuple[str, ...], as_json: bool) -> None:
    """Does the starting caseload of packages hold under the flow? Starts needed against starts made."""
    scenario = load_scenario(file, overrides)
    state = steady_state(scenario)
    if as_json:
        click.echo(json.dumps(state.to_dict(), indent=2))
        return
    table = Table(title=f"{scenario.name}: caseload of packages over {scenario.time.horizon_days} days",
                  title_justify="left", show_edge=False)
    for column in ("Package", "running at the start", "mean weeks", "starts needed a year",
                   "starts from the flow a year", "starts / need", "running at the end", "heads for", ""):
        table.add_column(column, justify="left" if column == "Package" else "right")
    for p in state.packages:
        table.add_row(p.label, number(p.active, decimals=0), number(p.mean_duration_weeks, decimals=0),
                      number(p.starts_needed, decimals=0), number(p.starts_flow, decimals=0), share(p.ratio),
                      number(p.expected_at_end, decimals=0), number(p.steady_caseload, decimals=0), p.status)
    console.print(table)
    if not state.packages:
        console.print("No packages running at the start: no caseload to hold.")
    elif state.balanced:
        console.print("In balance: every package type's starts hold its caseload (within 10%).")
    print_steady_state(scenario)


COMMANDS = [steady]
