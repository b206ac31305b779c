"""``flowsim sweep``: a grid of what-ifs from the command line, saved point by point and resumable."""
from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path

import click
from rich.progress import Progress
from rich.table import Table

from flowsim.cli.common import (
    EXIT_INTERRUPTED,
    PROGRESS_COLUMNS,
    allow_large_option,
    check_size,
    console,
    err,
    load_with_days,
    styled,
    wrap_field_name,
)
from flowsim.engine.replications import DEFAULT_REPLICATIONS, MAX_REPS
from flowsim.errors import FlowsimError
from flowsim.format import MISSING, figure, interval, kpi_unit, year
from flowsim.sweep import parse_vary, plan
from flowsim.sweep import sweep as run_sweep
from flowsim.vocabulary import kpi_label

HEADLINE_KPIS = ["new_packages.total", "total_cost.horizon", "wait_p90_days.full_assessment",
                 "utilisation.social_worker"]
HEADER_WIDTH = 14  # headers wrap (a varied field's name after a dot) to about this many characters


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
@click.option("--reps", default=DEFAULT_REPLICATIONS, show_default=True, type=click.IntRange(1, MAX_REPS),
              help="Replications per point.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="Random seed (all points).")
@click.option("--days", type=click.IntRange(1, 3660), help="Horizon in days for every point (sets time.horizon_days).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the results.")
@click.option("--workers", type=click.IntRange(1, 1024), help="Worker processes (default: all cores).")
@click.option("--dask", metavar="ADDRESS|local", help="Run on Dask: a scheduler address, or 'local' for a LocalCluster.")
@click.option("--resume", is_flag=True, help="Finish a stopped sweep in --out, skipping finished points.")
@click.option("--force", is_flag=True, help="Replace an earlier sweep in --out, or results there flowsim did not write.")
@allow_large_option
def sweep_command(files, varies, reps, seed, days, out, workers, dask, resume, force, allow_large) -> None:
    """Run a grid of what-ifs with common random numbers; each point is saved as soon as it is done."""
    axes = dict(_axis(spec) for spec in varies)
    bases = [load_with_days(f, (), days) for f in files]
    points = plan(bases, axes)  # every point validated before anything runs
    check_size([p.scenario for p in points], reps, workers, allow_large=allow_large)
    if resume and force:
        raise FlowsimError("--resume finishes the sweep in --out and --force replaces it: choose one")
    if not (resume or force) and (Path(out) / "sweep.json").exists():
        raise FlowsimError(f"{out} already holds a sweep: add --resume to finish it, --force to replace it, "
                           "or choose another folder")
    started = dt.datetime.now()
    announced = []

    def progress(bar, task, done, total):
        if not announced:  # the folder has been accepted: only now say what will run
            announced.append(True)
            console.print(f"{len(points)} points × {reps} replications, seed {seed} → {out}/")
        bar.update(task, completed=done, total=total)

    try:
        with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as bar:
            task = bar.add_task("replications", total=None)
            table = run_sweep(bases, axes, reps=reps, seed=seed, out=out, resume=resume, workers=workers,
                              dask=dask, force=force, progress=lambda done, total: progress(bar, task, done, total))
    except KeyboardInterrupt:
        finished = len(list((Path(out) / "points").glob("*/manifest.json")))
        err.print(f"stopped: {finished} of {len(points)} points are saved in {out}/; "
                  "run the same command with --resume to finish")
        sys.exit(EXIT_INTERRUPTED)
    console.print(f"done in {(dt.datetime.now() - started).total_seconds():.1f} s: {out}/points.parquet and "
                  f"points.csv ({len(table):,} rows: one per point and KPI)")
    print_points(table, list(axes))


def _given(path: str, value) -> str:
    """A varied value as given: 2017 stays 2017, 0.30000000000000004 reads 0.3."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return year(value) if path.rpartition(".")[2].endswith("_year") else figure(value)
    return str(value)


def print_points(table, axes: list[str]) -> None:
    """One row per point, named by its number and varied values, with the headline KPIs (mean ±95% CI)."""
    headline = [k for k in HEADLINE_KPIS if k in set(table["kpi"])]
    rows = table.set_index(["point", "kpi"])
    firsts = table.drop_duplicates("point").set_index("point")
    several = firsts["scenario"].nunique() > 1
    shown = Table(show_edge=False, pad_edge=False)
    shown.add_column("#", justify="right", no_wrap=True)
    if several:
        shown.add_column("scenario", overflow="fold")
    for path in axes:
        shown.add_column(wrap_field_name(path, HEADER_WIDTH), justify="right", no_wrap=True)
    for name in headline:
        shown.add_column(textwrap.fill(kpi_label(name).removesuffix(" (£)"), HEADER_WIDTH), justify="right",
                         no_wrap=True)
    for number, (point, first) in enumerate(firsts.iterrows(), start=1):
        cells = [str(number), *([first["scenario"]] if several else []), *(_given(a, first[a]) for a in axes)]
        for name in headline:
            if (point, name) in rows.index:
                r = rows.loc[(point, name)]
                cells.append(interval(r["mean"], r["ci_low"], r["ci_high"], kpi_unit(name), compact=True))
            else:
                cells.append(MISSING)
        shown.add_row(*cells)
    console.print(shown)
    console.print(styled(("# is the point's number; its folder is points/<id>/ (ids in points.csv).", "dim")))


COMMANDS = [sweep_command]
