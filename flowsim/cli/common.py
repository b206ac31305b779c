"""What the commands share: the consoles, error reports, common options and the progress bar."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from flowsim.engine.replications import DEFAULT_REPLICATIONS, MAX_REPS
from flowsim.errors import FlowsimError, InputError
from flowsim.scenario import load_scenario

EXIT_USER_ERROR = 2
COMMAND_KEY = "flowsim.command"


def typed_command() -> str | None:
    """The command line as the user typed it (recorded in the manifests of written runs)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(COMMAND_KEY) if ctx else None

# Piped output is not wrapped at rich's default 80 columns, unless COLUMNS asks for a width.
_WIDE = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
console = Console(highlight=False, soft_wrap=False, width=_WIDE)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def report(error: FlowsimError) -> None:
    """Print each problem of a user mistake on standard error."""
    problems = error.problems if isinstance(error, InputError) else [str(error)]
    for problem in problems:
        err.print(f"[red]error[/red]: {problem}", markup=True, highlight=False)


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="PATH=VALUE",
    help="Change one field, e.g. --set demand.annual_growth=0.03 (repeatable).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
reps_option = click.option("--reps", default=DEFAULT_REPLICATIONS, show_default=True, type=click.IntRange(1, MAX_REPS),
                           help="Replications.")
seed_option = click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="Random seed.")

run_options = [
    reps_option,
    seed_option,
    click.option("--days", type=click.IntRange(1, 3660), help="Horizon in days (sets time.horizon_days)."),
    click.option("--processes", type=click.IntRange(1, 256), help="Worker processes (default: all cores)."),
]


def with_run_options(command):
    """--reps, --seed, --days and --processes, in that order in the help."""
    for option in reversed(run_options):
        command = option(command)
    return command


def load_with_days(file: str, overrides: tuple[str, ...], days: int | None):
    """A scenario with its overrides and, if given, a horizon of ``days``."""
    changes = list(overrides) + ([f"time.horizon_days={days}"] if days else [])
    return load_scenario(file, changes)


def finite(value: float | None) -> float | None:
    """A number for JSON: None (null) when missing."""
    return float(value) if value is not None and value == value and abs(value) != float("inf") else None


PROGRESS_COLUMNS = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())


@contextmanager
def progress_bar(total: int, label: str, enabled: bool):
    """A progress bar on standard error (none in --json mode); yields ``advance(n)``."""
    if not enabled:
        yield None
        return
    with Progress(*PROGRESS_COLUMNS, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
