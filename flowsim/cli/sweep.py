"""``flowsim sweep``: a grid of what-ifs from the command line, saved point by point and resumable."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.progress import Progress
from rich.table import Table

from flowsim.cli.common import EXIT_INTERRUPTED, PROGRESS_COLUMNS, allow_large_option, check_size, console, err
from flowsim.errors import FlowsimError
from flowsim.format import interval, kpi_unit
from flowsim.scenario import load_scenario
from flowsim.scenario.limits import MAX_REPLICATIONS
from flowsim.sweep import parse_vary, plan
from flowsim.sweep import sweep as run_sweep
from flowsim.vocabulary import kpi_label

HEADLINE_KPIS = ["new_packages.total", "total_cost.horizon", "wait_p90_days.full_assessment",
                 "utilisation.social_worker"]


def _axis(spec: str) -> tuple[str, list]:
    """One --vary option, its problems named as the option the user typed."""
    try:
        return parse_vary(spec)
    except FlowsimError as error:
        raise FlowsimError(f"--vary {error}") from None


@click.command("sweep")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--vary", "varies", multiple=True, metavar="PATH=V1,V2|START:STOP:STEPS",
              help="A field and its values (repeatable; the grid is every combination).")
@click.option("--reps", default=10, show_default=True, type=click.IntRange(1, MAX_REPLICATIONS),
              help="Replications per point.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="Random seed (all points).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the results.")
@click.option("--workers", type=click.IntRange(1, 1024), help="Worker processes (default: all cores).")
@click.option("--dask", metavar="ADDRESS|local", help="Run on Dask: a scheduler address, or 'local' for a LocalCluster.")
@click.option("--resume", is_flag=True, help="Finish a stopped sweep in --out, skipping finished points.")
@allow_large_option
def sweep_command(files, varies, reps, seed, out, workers, dask, resume, allow_large) -> None:
    """Run a grid of what-ifs with common random numbers; each point is saved as soon as it is done."""
    axes = dict(_axis(spec) for spec in varies)
    bases = [load_scenario(f) for f in files]
    points = plan(bases, axes)  # every point validated before anything runs
    check_size([p.scenario for p in points], reps, workers, allow_large=allow_large)
    if not resume and (Path(out) / "sweep.json").exists():
        raise FlowsimError(f"{out} already holds a sweep: add --resume to finish it, or choose another folder")
    console.print(f"{len(points)} points × {reps} replications, seed {seed} → {out}/")
    started = dt.datetime.now()
    try:
        with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as bar:
            task = bar.add_task("replications", total=None)
            table = run_sweep(bases, axes, reps=reps, seed=seed, out=out, resume=resume, workers=workers,
                              dask=dask, progress=lambda done, total: bar.update(task, completed=done, total=total))
    except KeyboardInterrupt:
        finished = len(list((Path(out) / "points").glob("*/manifest.json")))
        err.print(f"stopped: {finished} of {len(points)} points are saved in {out}/; "
                  "run the same command with --resume to finish")
        sys.exit(EXIT_INTERRUPTED)
    console.print(f"done in {(dt.datetime.now() - started).total_seconds():.1f} s: {out}/points.parquet and "
                  f"points.csv ({len(table):,} rows: one per point and KPI)")
    print_points(table, list(axes))


def print_points(table, axes: list[str]) -> None:
    """One row per point: its varied values and the headline KPIs (mean ±95% CI)."""
    headline = [k for k in HEADLINE_KPIS if k in set(table["kpi"])]
    rows = table.set_index(["point", "kpi"])
    shown = Table(show_edge=False)
    for column in ["point", *axes]:
        shown.add_column(column)
    for name in headline:
        shown.add_column(kpi_label(name).removesuffix(" (£)"), justify="right")
    for point, first in table.drop_duplicates("point").set_index("point").iterrows():
        cells = [point, *(str(first[a]) for a in axes)]  # as given: 2017 stays 2017
        for name in headline:
            if (point, name) in rows.index:
                r = rows.loc[(point, name)]
                cells.append(interval(r["mean"], r["ci_low"], r["ci_high"], kpi_unit(name), compact=True))
            else:
                cells.append("–")
        shown.add_row(*cells)
    console.print(shown)


COMMANDS = [sweep_command]
