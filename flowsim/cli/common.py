"""What the commands share: the consoles, error reports, common options and the progress bar."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager

import click
import numpy as np
from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from flowsim.engine.replications import DEFAULT_REPLICATIONS, MAX_REPS
from flowsim.errors import FlowsimError, InputError
from flowsim.runner import default_workers
from flowsim.scenario import load_scenario
from flowsim.workload import estimate_work, refuse_if_large, total

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)
COMMAND_KEY = "flowsim.command"


def typed_command() -> str | None:
    """The command line as the user typed it (recorded in the manifests of written runs)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(COMMAND_KEY) if ctx else None

# Piped output is not wrapped at rich's default 80 columns, unless COLUMNS asks for a width.
_WIDE = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
# No console markup: labels, council and file names and bad values are the user's text and are printed as
# written ("barnet [draft].yaml", "[/x]"); styles are given with ``styled``.
console = Console(highlight=False, soft_wrap=False, width=_WIDE, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain strings and (text, style) pairs, never read as markup."""
    return Text.assemble(*parts)


def report(error: FlowsimError) -> None:
    """Print each problem of a user mistake on standard error."""
    problems = error.problems if isinstance(error, InputError) else [str(error)]
    for problem in problems:
        err.print(styled(("error", "red"), f": {problem}"))


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
allow_large_option = click.option(
    "--allow-large", is_flag=True,
    help="Run even when the estimated work is above the limits (see the README, \"Limits\").")


def check_size(scenarios, reps: int, processes: int | None = None, detail: bool = False,
               allow_large: bool = False) -> None:
    """Refuse (RunTooLarge) runs whose estimated work is above the limits, unless --allow-large."""
    at_once = processes or default_workers()
    refuse_if_large(total(estimate_work(s, reps, detail=detail, processes=at_once) for s in scenarios), allow_large)


def with_run_options(command):
    """--reps, --seed, --days, --processes and --allow-large, in that order in the help."""
    for option in reversed([*run_options, allow_large_option]):
        command = option(command)
    return command


def load_with_days(file: str, overrides: tuple[str, ...], days: int | None):
    """A scenario with its overrides and, if given, a horizon of ``days``."""
    changes = list(overrides) + ([f"time.horizon_days={days}"] if days else [])
    return load_scenario(file, changes)


def strict_json(value):
    """``value`` with every NaN and infinity (nested anywhere) as None, numpy numbers as Python's."""
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return finite(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value


def echo_json(value) -> None:
    """Print ``value`` as strict JSON: no NaN or Infinity (null where a value is missing)."""
    click.echo(json.dumps(strict_json(value), indent=2, allow_nan=False))


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


def wrap_field_name(path: str, width: int) -> str:
    """A dotted field name in lines of at most ``width``, broken only after a dot."""
    lines, line = [], ""
    for part in path.split("."):
        piece = part if not line else "." + part
        if line and len(line) + len(piece) > width:
            lines.append(line + ".")
            line = part
        else:
            line += piece
    return "\n".join(lines + [line])
