"""``flowsim baseline``: a scenario's results beside the published figures a council would judge them by."""
from __future__ import annotations


import click
from rich.table import Table
from rich.text import Text

from flowsim.cli.common import (
    check_size,
    console,
    echo_json,
    finite,
    json_option,
    load_with_days,
    progress_bar,
    set_option,
    with_run_options,
)
from flowsim.engine import run as run_scenario
from flowsim.format import interval, number
from flowsim.provenance import cite
from flowsim.published import published_comparison


@click.command("baseline")
@click.argument("file", type=click.Path(dir_okay=False))
@with_run_options
@set_option
@json_option
def baseline_command(file, reps, seed, days, processes, allow_large, overrides, as_json) -> None:
    """Simulate a scenario and set its waits, caseloads, reviews, volumes and spend beside published figures."""
    scenario = load_with_days(file, overrides, days)
    check_size([scenario], reps, processes, allow_large=allow_large)
    with progress_bar(reps, scenario.name, not as_json) as advance:
        results = run_scenario(scenario, reps=reps, seed=seed, processes=processes, detail=False, progress=advance)
    table = published_comparison(results, scenario)
    if as_json:
        rows = [{k: (finite(v) if isinstance(v, float) else v) for k, v in row.items()}
                for row in table.to_dict(orient="records")]
        echo_json({"scenario": scenario.name, "reps": reps, "seed": seed, "comparisons": rows})
        return
    shown = Table(title=f"{scenario.name}: flowsim beside published figures ({reps} replications, seed {seed})",
                  title_justify="left")
    for column, justify in (("What", "left"), ("flowsim ±95% CI", "right"), ("Published", "right"),
                            ("Source and how the definitions differ", "left")):
        shown.add_column(column, justify=justify, overflow="fold")
    for row in table.itertuples():
        low, high = number(row.published_low, row.unit), number(row.published_high, row.unit)
        published = low if low == high else f"{low} to {high}"
        shown.add_row(Text(row.what), interval(row.flowsim_mean, row.flowsim_ci_low, row.flowsim_ci_high, row.unit,
                                               compact=True),
                      published, Text(f"{cite(row.source)}. {row.difference}."))
    console.print(shown)


COMMANDS = [baseline_command]
