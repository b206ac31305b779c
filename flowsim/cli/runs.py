"""Simulating one scenario from the command line: ``run`` (``compare`` is in ``flowsim.cli.compare``).

Tables show a mean and its 95% interval as "1,177 ±11". A difference is
always B − A, the effect of moving from A to B; money saved is shown as a
saving A − B (see ``flowsim.finance``).
"""
from __future__ import annotations

import datetime as dt

import click
import pandas as pd
from rich.table import Table

from flowsim.capacity import simulated_warnings
from flowsim.cli.common import (
    check_size,
    console,
    echo_json,
    finite,
    json_option,
    load_with_days,
    progress_bar,
    set_option,
    styled,
    typed_command,
    with_run_options,
)
from flowsim.cli.finance import print_budget
from flowsim.cli.profile import print_steady_state
from flowsim.engine import run as run_scenario
from flowsim.format import interval, kpi_unit
from flowsim.output import FORMATS, check_folder, write_run
from flowsim.profile import simulated_steady_state, steady_state
from flowsim.vocabulary import GROUP_MEASURES, kpi_label


def _kpi_json(summary: pd.DataFrame) -> dict:
    return {row.kpi: {"mean": finite(row.mean), "ci_low": finite(row.ci_low), "ci_high": finite(row.ci_high)}
            for row in summary.itertuples()}


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=False))
@with_run_options
@set_option
@click.option("--out", type=click.Path(file_okay=False), help="Write summary, KPIs, events, series and a manifest here.")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="parquet", show_default=True,
              help="With --out: the event log, daily series and packages as Parquet, CSV (for spreadsheets) or both.")
@click.option("--force", is_flag=True, help="Replace results in --out that flowsim did not write.")
@click.option("--input-uncertainty", is_flag=True,
              help="Also sample the inputs that carry a range, once per replication, and split each interval "
                   "into input uncertainty and randomness.")
@click.option("--samples", default=200, show_default=True, type=click.IntRange(2, 10_000),
              help="With --input-uncertainty: replications with sampled inputs.")
@json_option
def run_command(file, reps, seed, days, processes, allow_large, overrides, out, file_format, force, input_uncertainty,
                samples, as_json) -> None:
    """Simulate a scenario: KPIs with 95% confidence intervals over the replications."""
    scenario = load_with_days(file, overrides, days)
    if input_uncertainty:
        from flowsim.cli.uncertainty import run_input_uncertainty  # the command's second mode
        check_size([scenario], samples, processes, detail=False, allow_large=allow_large)
        return run_input_uncertainty(scenario, samples, reps, seed, processes, out, as_json)
    check_size([scenario], reps, processes, detail=bool(out), allow_large=allow_large)
    if out:
        check_folder(out, force=force)  # before the simulation, not after it
    started = dt.datetime.now().astimezone()
    with progress_bar(reps, f"{scenario.name}", not as_json) as advance:
        results = run_scenario(scenario, reps=reps, seed=seed, processes=processes, detail=bool(out),
                               progress=advance)
    finished = dt.datetime.now().astimezone()
    summary = results.summary()
    if out:
        written = write_run(results, scenario, out, started, finished, file_format, typed_command(), force=force)
    simulated = simulated_steady_state(scenario, summary.set_index("kpi")["mean"])
    if as_json:
        echo_json({"scenario": scenario.name, "reps": reps, "seed": seed,
                   "horizon_days": scenario.time.horizon_days, "kpis": _kpi_json(summary),
                   "steady_state_warnings": steady_state(scenario).warnings(),
                   "simulated_steady_state_warnings": simulated.warnings()})
        return
    print_run(scenario, summary, reps, seed)
    print_budget(scenario, results)
    print_steady_state(scenario, state=simulated)
    if out:
        console.print(f"written to {out}/ ({', '.join(p.name for p in written)})")


def _pm(kpi: str, row) -> str:
    """'1,177 ±11': the mean and the half-width of its 95% interval."""
    return interval(row["mean"], row["ci_low"], row["ci_high"], kpi_unit(kpi), compact=True)


def _matrix(title: str, rows: pd.DataFrame, things: list[str], measures: list[str], label, suffix: str = "",
            headers: list[str] | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("")
    for header in headers or [kpi_label(m).replace(" (days)", "\n(days)") for m in measures]:
        table.add_column(header, justify="right")
    for thing in things:
        table.add_row(label(thing), *[_pm(f"{m}.{thing}{suffix}", rows.loc[f"{m}.{thing}{suffix}"]) for m in measures])
    return table


BANDS = ["waiting_under_4_weeks", "waiting_1_3_months", "waiting_3_6_months", "waiting_over_6_months"]
COMPLETION = ["request_to_completion_mean_days", "request_to_completion_median_days", "request_to_completion_p90_days"]
CASELOADS = ["open_cases_mean", "open_cases_end"]


def waiting_and_caseload_kpis(kpis, stages, roles, key_stage: str | None) -> list[str]:
    """The KPIs of the "Waiting and caseloads" group, in reading order, among ``kpis``: request →
    completion of the key stage (then the case stages), people waiting by time waited at the end
    (stages anyone waits at), open cases per practitioner (roles holding cases)."""
    present = set(kpis)
    ordered = ([key_stage] if key_stage else []) + [s for s in stages if s != key_stage]
    names = [f"{m}.{s}" for s in ordered for m in COMPLETION if f"{m}.{s}" in present]
    names += [f"{m}.{s}.end" for s in ordered for m in BANDS if f"{m}.{s}.end" in present]
    names += [f"{m}.{r}" for r in roles for m in CASELOADS if f"{m}.{r}" in present]
    return names


def print_waiting_and_caseloads(scenario, rows: pd.DataFrame) -> None:
    """Request → completion, people waiting by time waited, open cases per practitioner."""
    stages = list(dict.fromkeys(([scenario.key_stage] if scenario.key_stage else []) + list(scenario.stages)))
    completing = [s for s in stages if f"{COMPLETION[0]}.{s}" in rows.index]
    waiting = [s for s in stages if f"{BANDS[0]}.{s}.end" in rows.index
               and sum(rows.loc[f"{m}.{s}.end", "mean"] for m in BANDS) > 0]
    roles = [r for r in scenario.roles if f"{CASELOADS[0]}.{r}" in rows.index]
    console.print(styled(("Waiting and caseloads", "bold")))
    if completing:
        console.print(_matrix("Request to completion (first asked to leaving the stage)", rows, completing,
                              COMPLETION, scenario.label))
    if waiting:
        console.print(_matrix("People waiting at the end, by time waited", rows, waiting, BANDS, scenario.label,
                              ".end"))
    else:
        console.print("Nobody waiting at the end.")
    if roles:
        console.print(_matrix("Open cases per practitioner", rows, roles, CASELOADS, scenario.label))


def print_run(scenario, summary: pd.DataFrame, reps: int, seed: int) -> None:
    """A run's KPIs as tables: stages, practitioners, packages of care, money."""
    rows = summary.set_index("kpi")
    console.print(styled((scenario.name, "bold"), f": {reps} replications, seed {seed}, over "
                         f"{scenario.time.horizon_days} days; mean ±95% CI half-width. "
                         f"Contacts: {_pm('contacts', rows.loc['contacts'])}"))
    console.print(_matrix("Stages", rows, list(scenario.stages),
                          ["arrivals", "wait_mean_days", "wait_p90_days", "within_target", "waiting_at_end"],
                          scenario.label))
    console.print(_matrix("Practitioners", rows, list(scenario.roles),
                          ["hours_demanded", "hours_delivered", "hours_available", "utilisation"], scenario.label))
    for warning in simulated_warnings(scenario, rows["mean"].to_dict()):
        console.print(styled(("warning", "yellow"), f": {warning}"))
    print_waiting_and_caseloads(scenario, rows)
    console.print(_matrix("New packages of care", rows, [*scenario.package_outcomes(), "total"], ["new_packages"],
                          lambda n: "All" if n == "total" else scenario.label(n)))
    if scenario.demand.groups:
        console.print(_matrix("By client group (a package counts to the group of the person it is for)", rows,
                              list(scenario.demand.groups), GROUP_MEASURES, scenario.label,
                              headers=["Contacts", "New packages", "Cost of new packages (£)",
                                       "Active packages at the end"]))
    costs = Table(title="Money", title_justify="left", show_edge=False)
    costs.add_column("")
    costs.add_column("mean ±95% CI", justify="right")
    years = [k for k in rows.index if k.startswith("total_cost.") and k != "total_cost.horizon"]
    per_year = [f"{part}.{k.split('.', 1)[1]}" for k in years for part in ("package_cost", "staff_cost", "total_cost")]
    for name in ["package_cost.horizon", "package_cost.new_packages.horizon", "package_cost_weekly.end",
                 "staff_cost.horizon", "total_cost.horizon", *per_year]:
        costs.add_row(kpi_label(name).removesuffix(" (£)"), _pm(name, rows.loc[name]))
    console.print(costs)


COMMANDS = [run_command]
