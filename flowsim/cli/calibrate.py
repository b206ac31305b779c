"""``flowsim calibrate``: a scenario file built from a council's yearly counts."""
from __future__ import annotations

from pathlib import Path

import click

from flowsim.analytic import expected_flows
from flowsim.calibrate import TARGET_UTILISATION, calibrate_file
from flowsim.cli.common import console
from flowsim.errors import FlowsimError
from flowsim.format import number
from flowsim.output import write_scenario_yaml


@click.command("calibrate")
@click.argument("counts", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False),
              help="The scenario file to write (YAML; default: beside the counts, COUNTS.yaml, if not there yet).")
@click.option("--name", help="Scenario name (default: from the counts file's name).")
@click.option("--council", help="Council name.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), help="Start date (default 2024-04-01).")
@click.option("--force", is_flag=True, help="Replace --out if it exists (never the counts file itself).")
def calibrate_command(counts, out, name, council, start, force) -> None:
    """Build a scenario from a council's yearly counts (CSV of from,to,people)."""
    if out is None:  # beside the counts it came from, never over a file already there
        out = str(Path(counts).with_suffix(".yaml"))
        if Path(out).exists():
            raise FlowsimError(f"{out} already exists: name the scenario file to write with --out")
    target = Path(out)
    if target.exists() and Path(counts).exists() and target.samefile(counts):
        raise FlowsimError(f"{out}: is the counts file itself; choose another --out")
    if target.exists() and not force:
        raise FlowsimError(f"{out}: already exists; choose another --out, or add --force to replace it")
    document, scenario = calibrate_file(counts, name, council, start.date() if start else None)
    header = (f"# Calibrated by flowsim from {Path(counts).name}: every share and volume is derived from its\n"
              "# counts (see each number's source); time per case, costs and staffing are labelled assumptions.\n")
    write_scenario_yaml(target, document, header)
    flows = expected_flows(scenario)
    console.print(f"wrote {out}: {scenario.name}, {len(scenario.stages)} stages, {len(scenario.outcomes)} outcomes, "
                  f"{number(flows.contacts, decimals=0)} contacts a year")
    console.print(f"check: `flowsim flows {out}` reproduces the counts; staffing is sized so the counted work "
                  f"uses {TARGET_UTILISATION:.0%} of its hours, so set each role's FTE to the council's own.")


COMMANDS = [calibrate_command]
