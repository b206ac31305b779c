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
    console,
    echo_json,
    json_option,
    progress_bar,
    reps_option,
    seed_option,
    styled,
)
from flowsim.engine import compare as compare_scenarios
from flowsim.errors import FlowsimError
from flowsim.finance import appraise, barnet_inputs, savings
from flowsim.finance.prices import price_base
from flowsim.finance.savings import CI_HIGH, CI_LOW, MEAN, Savings
from flowsim.finance.statement import budget
from flowsim.format import financial_year, interval, money, share
from flowsim.scenario import load_scenario

PARTS = {"package": "packages gross", "package_net": "packages net", "staff": "staff budget",
         "implementation": "one-off costs", "cost_of_delay": "cost of delay", "unmet_need": "unmet need",
         "total": "total net"}


def print_savings(saved: Savings) -> None:
    """The saving A − B per financial year and part, each target judged like for like, and any caveats."""
    for caveat in saved.caveats:
        colour = "red" if caveat.blocks_savings else "yellow"
        console.print(styled(("Warning:", colour), f" {caveat.message}."))
    what = "Saving A − B (positive: B costs less; mean ±95% CI)" if saved.comparable else \
        "Difference A − B, not comparable: not a saving (see the warnings above)"
    table = Table(title=what, title_justify="left", show_edge=False)
    table.add_column("period")
    for part in PARTS.values():
        table.add_column(part, justify="right")
    rows = saved.table.set_index(["period", "part"])
    for period in sorted(dict.fromkeys(saved.table["period"]), key=lambda p: (p == "horizon", p)):
        table.add_row(financial_year(period), *[
            interval(*rows.loc[(period, part), [MEAN, CI_LOW, CI_HIGH]], "pounds", difference=True, compact=True)
            for part in PARTS])
    console.print(table)
    unmet = saved.unmet_people
    if unmet.get("mean"):
        console.print(f"Unmet need: B leaves {interval(unmet['mean'], unmet['ci_low'], unmet['ci_high'])} more "
                      "people unserved than A (waiting at the end or gone from a list unseen); their packages are counted against B, never as a saving.")
    if saved.verdicts.empty:
        return
    console.print("Targets, like for like (probability: share of paired replications reaching it; Monte-Carlo only)")
    for (label, judged_on), rows in saved.verdicts.groupby(["label", "judged_on"], sort=False):
        verdicts = Table(title=f"{label}, judged on {judged_on}", title_justify="left", show_edge=False)
        for column in ("period", "target", "saving A − B", "probability", "verdict"):
            verdicts.add_column(column, justify="left" if column == "verdict" else "right")
        for row in rows.to_dict("records"):
            verdicts.add_row(financial_year(row["period"]), money(row["target_amount"]),
                             interval(row[MEAN], row[CI_LOW], row[CI_HIGH], "pounds", difference=True, compact=True),
                             share(row["probability"]), row["status"])
        console.print(verdicts)
    sources = dict.fromkeys(f"{row['label']}: {row['source']}" for row in saved.verdicts.to_dict("records"))
    console.print("Sources: " + "; ".join(sources) + ".")


BUDGET = {"package_gross": "packages gross", "package_net": "packages net", "staff": "staff budget",
          "cost_of_delay": "cost of delay"}


def print_budget(scenario, results) -> None:
    """One scenario's money per financial year: packages gross and net of self-funders and client contributions,
    the whole staff budget, and the cost of people deteriorating while they wait."""
    money = budget(scenario, results.kpi_table()).set_index(["period", "part"])
    table = Table(title=f"Budget in {financial_year(price_base(scenario))} prices (mean ±95% CI)",
                  title_justify="left", show_edge=False)
    table.add_column("period")
    for label in BUDGET.values():
        table.add_column(label, justify="right")
    for period in dict.fromkeys(money.index.get_level_values("period")):
        table.add_row(financial_year(period), *[
            interval(*money.loc[(period, part), ["mean", "ci_low", "ci_high"]], "pounds", compact=True)
            for part in BUDGET])
    console.print(table)


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
              help="Replace the assumed 'MTFS savings delivered' with the simulated demand saving CURRENT − NEW.")
@reps_option
@seed_option
@allow_large_option
@click.option("--savings", "savings_set", multiple=True, metavar="OPTION=POUNDS", help="Change an option's savings.")
@click.option("--confidence", "confidence_set", multiple=True, metavar="OPTION=SHARE",
              help="Change an option's confidence in the wider MTFS target (0 to 1).")
@json_option
def appraisal_command(scenario_pair, reps, seed, allow_large, savings_set, confidence_set, as_json) -> None:
    """Barnet's options appraisal of delivery models, optionally with the simulated demand saving in place of the
    assumed one."""
    inputs = barnet_inputs().with_changes(_option_values(savings_set, "savings"),
                                          _option_values(confidence_set, "confidence"))
    saving, saved = None, None
    if scenario_pair:
        a, b = (load_scenario(path) for path in scenario_pair)
        check_size([a, b], reps, allow_large=allow_large)
        with progress_bar(2 * reps, f"{a.name} vs {b.name}", not as_json) as advance:
            comparison = compare_scenarios(a, b, reps=reps, seed=seed, progress=advance)
        saved = savings(comparison, a, b)
        if saved.comparable:
            saving = {**saved.total(part="demand"),
                      "probability": float((saved.runs("demand") >= inputs.mtfs_target).mean())}
    table = appraise(inputs, saving)
    if as_json:
        echo_json({"in_scope_value": inputs.in_scope_value, "mtfs_target": inputs.mtfs_target,
                   "adm_savings_target": inputs.adm_savings_target,
                   "demand_saving_a_minus_b": saving,
                   "caveats": [c.message for c in saved.caveats] if saved else [],
                   "options": json.loads(table.to_json(orient="records"))})
        return
    if saved is not None:
        for caveat in saved.caveats:
            console.print(styled(("Warning:", "red"), f" {caveat.message}."))
        if saving is None:
            console.print("The pair is not comparable, so its difference does not replace the assumed demand saving.")
    shown = Table(title=f"Options appraisal (in-scope value {money(inputs.in_scope_value, exact=True)}; wider MTFS "
                        f"target {money(inputs.mtfs_target, exact=True)}; ADM savings target "
                        f"{money(inputs.adm_savings_target, exact=True)})", title_justify="left", show_edge=False)
    demand = "demand saving (simulated, 95% CI)" if saving else "MTFS delivered (assumed)"
    columns = ["option", "total savings", "revised budget", "confidence", demand, "total benefit", "rank"]
    for column in columns:
        shown.add_column(column, justify="left" if column == "option" else "right")
    for row in table.itertuples():
        if saving:
            demand_cell = interval(saving["mean"], saving["ci_low"], saving["ci_high"], "pounds")
            benefit = interval(row.total_benefit, row.total_benefit_ci_low, row.total_benefit_ci_high, "pounds")
        else:
            demand_cell, benefit = money(row.mtfs_savings_delivered, exact=True), money(row.total_benefit, exact=True)
        shown.add_row(row.label, *(money(v, exact=True) for v in (row.total_savings, row.revised_budget)),
                      share(row.mtfs_confidence), demand_cell, benefit, str(row.rank))
    console.print(shown)
    if saving:
        console.print("The simulated demand saving A − B (packages net, with the cost of delay and unmet need) "
                      "replaces 'confidence × MTFS target' in every option's total benefit, so it is not counted "
                      f"twice. It reaches the {money(inputs.mtfs_target)} MTFS target in "
                      f"{share(saving['probability'])} of replications (Monte-Carlo only).")


COMMANDS = [appraisal_command]
