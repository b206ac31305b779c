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

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

import click
import pandas as pd
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from flowsim import __version__
from flowsim.analytic import expected_flows
from flowsim.appraisal import appraise, barnet_inputs
from flowsim.calibrate import calibrate_file
from flowsim.engine import compare as compare_scenarios
from flowsim.engine import run as run_scenario
from flowsim.errors import FlowsimError, InputError
from flowsim.output import write_run, write_text_atomic
from flowsim.provenance import number_sources
from flowsim.savings import savings
from flowsim.sweep import parse_vary, plan
from flowsim.sweep import sweep as run_sweep
from flowsim.scenario import load_scenario, scenario_document
from flowsim.scenario.teams import unmapped_teams
from flowsim.vocabulary import PERCENT_MEASURES, kpi_label

EXIT_USER_ERROR = 2

console = Console(highlight=False, soft_wrap=False, width=200 if not sys.stdout.isatty() else None)
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
        console.print(
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
    console.print(f"[bold]{scenario.name}[/bold]: expected flows a year "
              f"(horizon {scenario.time.horizon_days} days), {result.contacts:,.0f} contacts")
    for title, counts in (("Stage", result.stages), ("Outcome", result.outcomes)):
        table = Table(title=None, show_edge=False)
        for column in (title, "people a year", "per 100 contacts"):
            table.add_column(column, justify="left" if column == title else "right")
        for name, count in counts.items():
            table.add_row(scenario.label(name), f"{count:,.0f}", f"{100 * count / result.contacts:.1f}"
                          if result.contacts else "–")
        console.print(table)
    table = Table(show_edge=False)
    for column in ("Role", "hours demanded", "hours available", "utilisation"):
        table.add_column(column, justify="left" if column == "Role" else "right")
    for name, load in result.roles.items():
        table.add_row(scenario.label(name), f"{load.hours_demanded:,.0f}", f"{load.hours_available:,.0f}",
                      f"{load.utilisation:.0%}" if math.isfinite(load.utilisation) else "no staff")
    console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow]: {warning}")


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
    console.print(table)
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    console.print(", ".join(f"{n} {status}" for status, n in counts.items()))
    unmodelled = unmapped_teams(scenario_document(scenario))
    if unmodelled:
        console.print(f"Teams in data/{scenario.team_table.file} not mapped to a role (not modelled): "
                      + ", ".join(f"{t.name} ({t.fte:g} FTE)" for t in unmodelled))


def _finite(value: float) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _fmt(kpi: str, value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    measure = kpi.partition(".")[0]
    if measure in PERCENT_MEASURES:
        return f"{round(value, 3) + 0.0:.1%}"  # + 0.0 turns -0.0 into 0.0
    if measure.startswith("wait"):
        return f"{round(value, 1) + 0.0:,.1f}"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2f}"


def _with_ci(kpi: str, mean: float, low: float, high: float) -> str:
    text = _fmt(kpi, mean)
    if low is not None and math.isfinite(low) and math.isfinite(mean):
        text += f"  [{_fmt(kpi, low)} to {_fmt(kpi, high)}]"
    return text


@contextmanager
def progress_bar(total: int, label: str, enabled: bool):
    """A progress bar on standard error (none in --json mode)."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


run_options = [
    click.option("--reps", default=10, show_default=True, type=click.IntRange(1, 10_000), help="Replications."),
    click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="Random seed."),
    click.option("--days", type=click.IntRange(1, 3660), help="Horizon in days (sets time.horizon_days)."),
    click.option("--processes", type=click.IntRange(1, 256), help="Worker processes (default: all cores)."),
]


def with_run_options(command):
    for option in reversed(run_options):
        command = option(command)
    return command


def _load_with_days(file: str, overrides: tuple[str, ...], days: int | None):
    changes = list(overrides) + ([f"time.horizon_days={days}"] if days else [])
    return load_scenario(file, changes)


def _kpi_json(summary: pd.DataFrame) -> dict:
    return {row.kpi: {"mean": _finite(row.mean), "ci_low": _finite(row.ci_low), "ci_high": _finite(row.ci_high)}
            for row in summary.itertuples()}


@main.command("run")
@click.argument("file", type=click.Path(dir_okay=False))
@with_run_options
@set_option
@click.option("--out", type=click.Path(file_okay=False), help="Write summary, KPIs, events, series and a manifest here.")
@json_option
@user_errors_exit_2
def run_command(file, reps, seed, days, processes, overrides, out, as_json) -> None:
    """Simulate a scenario: KPIs with 95% confidence intervals over the replications."""
    scenario = _load_with_days(file, overrides, days)
    started = dt.datetime.now().astimezone()
    with progress_bar(reps, f"{scenario.name}", not as_json) as advance:
        results = run_scenario(scenario, reps=reps, seed=seed, processes=processes, detail=bool(out),
                               progress=advance)
    finished = dt.datetime.now().astimezone()
    summary = results.summary()
    if out:
        write_run(results, scenario, out, started, finished)
    if as_json:
        click.echo(json.dumps({"scenario": scenario.name, "reps": reps, "seed": seed,
                               "horizon_days": scenario.time.horizon_days, "kpis": _kpi_json(summary)}, indent=2))
        return
    console_print_run(scenario, summary, reps, seed)
    if out:
        console.print(f"written to {out}/ (summary.csv, kpis.csv, events.parquet, timeseries.parquet, "
                      "packages.parquet, manifest.json)")


def _pm(kpi: str, row) -> str:
    """'1,176 ±79': the mean and the half-width of its 95% interval."""
    text = _fmt(kpi, row["mean"])
    half = (row["ci_high"] - row["ci_low"]) / 2
    if math.isfinite(half) and half > 0:
        text += f" ±{_fmt(kpi, half)}"
    return text


def _matrix(title: str, rows: pd.DataFrame, things: list[str], measures: list[str], label) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("")
    for measure in measures:
        table.add_column(kpi_label(measure).replace(" (days)", "\n(days)"), justify="right")
    for thing in things:
        table.add_row(label(thing), *[_pm(f"{m}.{thing}", rows.loc[f"{m}.{thing}"]) for m in measures])
    return table


def console_print_run(scenario, summary: pd.DataFrame, reps: int, seed: int) -> None:
    rows = summary.set_index("kpi")
    console.print(f"[bold]{scenario.name}[/bold]: {reps} replications, seed {seed}, over "
                  f"{scenario.time.horizon_days} days; mean ±95% CI half-width. "
                  f"Contacts: {_pm('contacts', rows.loc['contacts'])}")
    console.print(_matrix("Stages", rows, list(scenario.stages),
                          ["arrivals", "wait_mean_days", "wait_p90_days", "within_target", "waiting_at_end"],
                          scenario.label))
    console.print(_matrix("Practitioners", rows, list(scenario.roles),
                          ["hours_demanded", "hours_delivered", "hours_available", "utilisation"], scenario.label))
    console.print(_matrix("New packages of care", rows, [*scenario.package_outcomes(), "total"], ["new_packages"],
                          lambda n: "All" if n == "total" else scenario.label(n)))
    money = Table(title="Money (£)", title_justify="left", show_edge=False)
    money.add_column("")
    money.add_column("mean ±95% CI", justify="right")
    years = [k for k in rows.index if k.startswith("total_cost.") and k != "total_cost.horizon"]
    per_year = [f"{part}.{k.split('.', 1)[1]}" for k in years for part in ("package_cost", "staff_cost")]
    for name in ["package_cost.horizon", "package_cost.new_packages.horizon", "package_cost_weekly.end",
                 "staff_cost.horizon", "total_cost.horizon", *per_year]:
        money.add_row(kpi_label(name), _pm(name, rows.loc[name]))
    console.print(money)


@main.command("compare")
@click.argument("file_a", type=click.Path(dir_okay=False))
@click.argument("file_b", type=click.Path(dir_okay=False))
@with_run_options
@click.option("--target", type=click.FloatRange(0, None), metavar="POUNDS",
              help="Savings target for A − B over the horizon (default: B's finance.savings_target).")
@click.option("--all", "show_all", is_flag=True, help="Also list the flow along every edge.")
@json_option
@user_errors_exit_2
def compare_command(file_a, file_b, reps, seed, days, processes, target, show_all, as_json) -> None:
    """Compare two scenarios on common random numbers: A, B, the paired difference A − B, and savings."""
    a, b = _load_with_days(file_a, (), days), _load_with_days(file_b, (), days)
    with progress_bar(2 * reps, f"{a.name} vs {b.name}", not as_json) as advance:
        comparison = compare_scenarios(a, b, reps=reps, seed=seed, processes=processes, progress=advance)
    table = comparison.table()
    finance = b.finance if b.finance.savings_target is not None else a.finance
    saved = savings(comparison, target if target is not None else finance.savings_target,
                    "given with --target" if target is not None else finance.savings_target_label)
    if as_json:
        click.echo(json.dumps({
            "a": a.name, "b": b.name, "reps": reps, "seed": seed,
            "kpis": {row.kpi: {col: _finite(getattr(row, col)) for col in table.columns if col != "kpi"}
                     for row in table.itertuples()},
            "savings": saved.to_dict(),
        }, indent=2))
        return
    console.print(f"[bold]A[/bold] = {a.name}, [bold]B[/bold] = {b.name}: {reps} paired replications, seed {seed}; "
                  "difference A − B with its 95% confidence interval")
    shown = Table(show_edge=False)
    for column, justify in (("KPI", "left"), ("A", "right"), ("B", "right"), ("A − B [95% CI]", "right")):
        shown.add_column(column, justify=justify)
    label = lambda name: a.label(name) if name in a.stages or name in a.roles or name in a.outcomes else b.label(name)  # noqa: E731
    for row in table.itertuples():
        if row.kpi.startswith("flow.") and not show_all:
            continue
        shown.add_row(kpi_label(row.kpi, label), _fmt(row.kpi, row.a_mean), _fmt(row.kpi, row.b_mean),
                      _with_ci(row.kpi, row.diff_mean, row.diff_ci_low, row.diff_ci_high))
    console.print(shown)
    print_savings(saved)


def print_savings(saved) -> None:
    table = Table(title="Savings, A − B (£; mean [95% CI])", title_justify="left", show_edge=False)
    table.add_column("period")
    for part in ("packages of care", "staff", "total"):
        table.add_column(part, justify="right")
    rows = saved.table.set_index(["period", "part"])
    for period in dict.fromkeys(saved.table["period"]):
        name = "whole horizon" if period == "horizon" else f"{period[:4]}/{period[5:]}"
        table.add_row(name, *[_with_ci("package_cost", *rows.loc[(period, part), ["mean", "ci_low", "ci_high"]])
                              for part in ("package", "staff", "total")])
    console.print(table)
    if saved.target is not None:
        what = f" ({saved.target_label})" if saved.target_label else ""
        console.print(f"Target £{saved.target:,.0f}{what}: {saved.status}; reached in "
                      f"{saved.share_meeting_target:.0%} of replications.")


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


@main.command("appraisal")
@click.option("--scenario-pair", nargs=2, type=click.Path(dir_okay=False), metavar="CURRENT NEW",
              help="Add the simulated saving of NEW against CURRENT (total cost over the horizon) to every option.")
@click.option("--reps", default=10, show_default=True, type=click.IntRange(1, 10_000), help="Replications.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="Random seed.")
@click.option("--savings", "savings_set", multiple=True, metavar="OPTION=POUNDS", help="Change an option's savings.")
@click.option("--confidence", "confidence_set", multiple=True, metavar="OPTION=SHARE",
              help="Change an option's confidence in the wider MTFS target (0 to 1).")
@json_option
@user_errors_exit_2
def appraisal_command(scenario_pair, reps, seed, savings_set, confidence_set, as_json) -> None:
    """Barnet's options appraisal of delivery models, optionally with a simulated operating-model saving."""
    inputs = barnet_inputs().with_changes(_option_values(savings_set, "savings"),
                                          _option_values(confidence_set, "confidence"))
    saving = None
    if scenario_pair:
        a, b = (load_scenario(path) for path in scenario_pair)
        with progress_bar(2 * reps, f"{a.name} vs {b.name}", not as_json) as advance:
            comparison = compare_scenarios(a, b, reps=reps, seed=seed, progress=advance)
        saving = savings(comparison).total()
    table = appraise(inputs, saving)
    if as_json:
        click.echo(json.dumps({"in_scope_value": inputs.in_scope_value, "mtfs_target": inputs.mtfs_target,
                               "adm_savings_target": inputs.adm_savings_target,
                               "operating_model_saving": saving,
                               "options": json.loads(table.to_json(orient="records"))}, indent=2))
        return
    shown = Table(title=f"Options appraisal (in-scope value £{inputs.in_scope_value:,.0f}; wider MTFS target "
                        f"£{inputs.mtfs_target:,.0f}; ADM savings target £{inputs.adm_savings_target:,.0f})",
                  title_justify="left", show_edge=False)
    columns = ["option", "total savings", "revised budget", "confidence", "MTFS delivered", "total benefit", "rank"]
    if saving:
        columns.append("with operating model [95% CI]")
    for column in columns:
        shown.add_column(column, justify="left" if column == "option" else "right")
    for row in table.itertuples():
        cells = [row.label, f"£{row.total_savings:,.0f}", f"£{row.revised_budget:,.0f}", f"{row.mtfs_confidence:.0%}",
                 f"£{row.mtfs_savings_delivered:,.0f}", f"£{row.total_benefit:,.0f}", str(row.rank)]
        if saving:
            cells.append(f"£{row.with_operating_model_mean:,.0f} [£{row.with_operating_model_ci_low:,.0f} to "
                         f"£{row.with_operating_model_ci_high:,.0f}]")
        shown.add_row(*cells)
    console.print(shown)
    if saving:
        console.print(f"Operating-model saving added to each option: £{saving['mean']:,.0f} "
                      f"[£{saving['ci_low']:,.0f} to £{saving['ci_high']:,.0f}] over the scenarios' horizon.")


HEADLINE_KPIS = ["new_packages.total", "total_cost.horizon", "wait_p90_days.full_assessment",
                 "utilisation.social_worker"]


@main.command("sweep")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--vary", "varies", multiple=True, metavar="PATH=V1,V2|START:STOP:STEPS",
              help="A field and its values (repeatable; the grid is every combination).")
@click.option("--reps", default=10, show_default=True, type=click.IntRange(1, 10_000), help="Replications per point.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="Random seed (all points).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the results.")
@click.option("--workers", type=click.IntRange(1, 1024), help="Worker processes (default: all cores).")
@click.option("--dask", metavar="ADDRESS|local", help="Run on Dask: a scheduler address, or 'local' for a LocalCluster.")
@click.option("--resume", is_flag=True, help="Finish a stopped sweep in --out, skipping finished points.")
@user_errors_exit_2
def sweep_command(files, varies, reps, seed, out, workers, dask, resume) -> None:
    """Run a grid of what-ifs with common random numbers; each point is saved as soon as it is done."""
    axes = dict(parse_vary(spec) for spec in varies)
    bases = [load_scenario(f) for f in files]
    points = plan(bases, axes)  # every point validated before anything runs
    console.print(f"{len(points)} points × {reps} replications, seed {seed} → {out}/")
    started = dt.datetime.now()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("replications", total=None)
            table = run_sweep(bases, axes, reps=reps, seed=seed, out=out, resume=resume, workers=workers,
                              dask=dask, progress=lambda done, total: bar.update(task, completed=done, total=total))
    except KeyboardInterrupt:
        finished = len(list((Path(out) / "points").glob("*/manifest.json")))
        err.print(f"stopped: {finished} of {len(points)} points are saved in {out}/; "
                  "run the same command with --resume to finish")
        sys.exit(130)
    console.print(f"done in {(dt.datetime.now() - started).total_seconds():.1f} s: {out}/points.parquet and "
                  f"points.csv ({len(table):,} rows: one per point and KPI)")
    wide = table.pivot_table(index=["point", *axes], columns="kpi", values="mean", sort=False)
    shown = Table(show_edge=False)
    for column in ["point", *axes]:
        shown.add_column(column)
    headline = [k for k in HEADLINE_KPIS if k in wide.columns]
    for name in headline:
        shown.add_column(kpi_label(name), justify="right")
    for index, row in wide.iterrows():
        keys = index if isinstance(index, tuple) else (index,)
        shown.add_row(*[str(k) for k in keys], *[_fmt(name, row[name]) for name in headline])
    console.print(shown)


@main.command("calibrate")
@click.argument("counts", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The scenario file to write (YAML).")
@click.option("--name", help="Scenario name (default: from the counts file's name).")
@click.option("--council", help="Council name.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), help="Start date (default 2024-04-01).")
@user_errors_exit_2
def calibrate_command(counts, out, name, council, start) -> None:
    """Build a scenario from a council's yearly counts (CSV of from,to,people)."""
    document, scenario = calibrate_file(counts, name, council, start.date() if start else None)
    header = (f"# Calibrated by flowsim from {Path(counts).name}: every share and volume is derived from its\n"
              "# counts (see each number's source); time per case, costs and staffing are labelled assumptions.\n")
    write_text_atomic(Path(out), header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    flows = expected_flows(scenario)
    console.print(f"wrote {out}: {scenario.name}, {len(scenario.stages)} stages, {len(scenario.outcomes)} outcomes, "
                  f"{flows.contacts:,.0f} contacts a year")
    console.print(f"check: `flowsim flows {out}` reproduces the counts; staffing is sized to 80% of hours, "
                  "so set each role's FTE to the council's own.")
