"""Money from the command line: the savings table of ``compare``, and ``appraisal``.

A saving is always A − B, the current model's cost less the new one's:
positive when B costs less.
"""
from __future__ import annotations

import json

import click
from rich.table import Table

from flowsim.cli.common import (
    allow_large_option,
    check_size,
    echo_json,
    json_option,
    progress_bar,
    reps_option,
    seed_option,
)
from flowsim.cli.common import console
from flowsim.engine import compare as compare_scenarios
from flowsim.errors import FlowsimError
from flowsim.finance import appraise, barnet_inputs, savings
from flowsim.finance.savings import CI_HIGH, CI_LOW, MEAN, Savings
from flowsim.format import financial_year, interval, money, share
from flowsim.scenario import load_scenario

PARTS = {"package": "packages of care", "staff": "staff", "total": "total"}


def print_savings(saved: Savings) -> None:
    """The saving A − B per financial year and part, and the target's status."""
    table = Table(title="Saving A − B (positive: B costs less; mean ±95% CI)", title_justify="left",
                  show_edge=False)
    table.add_column("period")
    for part in PARTS.values():
        table.add_column(part, justify="right")
    rows = saved.table.set_index(["period", "part"])
    for period in dict.fromkeys(saved.table["period"]):
        table.add_row(financial_year(period), *[
            interval(*rows.loc[(period, part), [MEAN, CI_LOW, CI_HIGH]], "pounds", difference=True, compact=True)
            for part in PARTS])
    console.print(table)
    if saved.target is not None:
        what = f" ({saved.target_label})" if saved.target_label else ""
        console.print(f"Target {money(saved.target)}{what}: {saved.status}; reached in "
                      f"{share(saved.share_meeting_target)} of replications.")


def _option_values(pairs: tuple[str, ...], what: str) -> dict[str, float]:
    values = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        try:
            values[name.strip()] = float(raw.replace(",", "").replace("£", ""))
        except ValueError:
            raise FlowsimError(f"--{what} {pair!r}: must look like OPTION=NUMBER") from None
        if not sep:
            raise FlowsimError(f"--{what} {pair!r}: must look like OPTION=NUMBER")
    return values


@click.command("appraisal")
@click.option("--scenario-pair", nargs=2, type=click.Path(dir_okay=False), metavar="CURRENT NEW",
              help="Add the simulated saving CURRENT − NEW (total cost over the horizon) to every option.")
@reps_option
@seed_option
@allow_large_option
@click.option("--savings", "savings_set", multiple=True, metavar="OPTION=POUNDS", help="Change an option's savings.")
@click.option("--confidence", "confidence_set", multiple=True, metavar="OPTION=SHARE",
              help="Change an option's confidence in the wider MTFS target (0 to 1).")
@json_option
def appraisal_command(scenario_pair, reps, seed, allow_large, savings_set, confidence_set, as_json) -> None:
    """Barnet's options appraisal of delivery models, optionally with a simulated operating-model saving."""
    inputs = barnet_inputs().with_changes(_option_values(savings_set, "savings"),
                                          _option_values(confidence_set, "confidence"))
    saving = None
    if scenario_pair:
        a, b = (load_scenario(path) for path in scenario_pair)
        check_size([a, b], reps, allow_large=allow_large)
        with progress_bar(2 * reps, f"{a.name} vs {b.name}", not as_json) as advance:
            comparison = compare_scenarios(a, b, reps=reps, seed=seed, progress=advance)
        saving = savings(comparison).total()
    table = appraise(inputs, saving)
    if as_json:
        echo_json({"in_scope_value": inputs.in_scope_value, "mtfs_target": inputs.mtfs_target,
                   "adm_savings_target": inputs.adm_savings_target,
                   "operating_model_saving_a_minus_b": saving,
                   "options": json.loads(table.to_json(orient="records"))})
        return
    shown = Table(title=f"Options appraisal (in-scope value {money(inputs.in_scope_value, exact=True)}; wider MTFS "
                        f"target {money(inputs.mtfs_target, exact=True)}; ADM savings target "
                        f"{money(inputs.adm_savings_target, exact=True)})", title_justify="left", show_edge=False)
    columns = ["option", "total savings", "revised budget", "confidence", "MTFS delivered", "total benefit", "rank"]
    if saving:
        columns.append("with operating model (95% CI)")
    for column in columns:
        shown.add_column(column, justify="left" if column == "option" else "right")
    for row in table.itertuples():
        cells = [row.label, *(money(v, exact=True) for v in (row.total_savings, row.revised_budget)),
                 share(row.mtfs_confidence), money(row.mtfs_savings_delivered, exact=True),
                 money(row.total_benefit, exact=True), str(row.rank)]
        if saving:
            cells.append(interval(row.with_operating_model_mean, row.with_operating_model_ci_low,
                                  row.with_operating_model_ci_high, "pounds"))
        shown.add_row(*cells)
    console.print(shown)
    if saving:
        console.print("Operating-model saving A − B (current less new) added to each option: "
                      f"{interval(saving['mean'], saving['ci_low'], saving['ci_high'], 'pounds', difference=True)} "
                      "over the scenarios' horizon.")


COMMANDS = [appraisal_command]
