"""Commands for a baseline the council recognises: ``steady``, ``in-flight``, ``profile check``, ``fit`` and
``profile backtest``.

A council profile (``data/profiles/*.yaml``) holds the council's published
figures; ``check`` sets a scenario beside them, ``fit`` finds values of free
parameters that reproduce them, ``backtest`` fits one year and predicts a later
one. Errors are modelled − observed throughout.
"""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from flowsim.cli.common import (
    console,
    echo_json,
    finite,
    json_option,
    progress_bar,
    seed_option,
    set_option,
    styled,
)
from flowsim.format import interval, number, relative, share
from flowsim.output import write_scenario_yaml
from flowsim.profile import steady_state
from flowsim.profile.backtest import backtest
from flowsim.profile.check import Row, check, rows_frame
from flowsim.profile.fit import SIMULATED_EVALUATIONS, fit, held_balance, parse_free
from flowsim.profile.in_flight import in_flight
from flowsim.profile.steady import TOLERANCE as STEADY_TOLERANCE
from flowsim.profile.measures import MEASURES
from flowsim.profile.schema import load_profile
from flowsim.scenario import load_scenario, scenario_document


def print_steady_state(scenario, flows=None, state=None) -> None:
    """A warning per package type whose caseload drains or balloons (nothing when it holds);
    ``state``: a balance already worked out (a run's, from its simulated starts)."""
    state = state or steady_state(scenario, flows)
    label = "steady state (the run's own starts)" if state.simulated else "steady state"
    for line in state.warnings():
        console.print(styled(("warning", "yellow"), f": {label}: {line}"))
    if state.simulated and state.flagged:
        console.print(styled(("note", "cyan"), f": {state.why_simulated()}"))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@set_option
@json_option
def steady(file: str, overrides: tuple[str, ...], as_json: bool) -> None:
    """Does the starting caseload of packages hold under the flow? Starts needed against starts made."""
    scenario = load_scenario(file, overrides)
    state = steady_state(scenario)
    if as_json:
        echo_json(state.to_dict())
        return
    table = Table(title=f"{scenario.name}: caseload of packages over {scenario.time.horizon_days} days",
                  title_justify="left", show_edge=False)
    for column in ("Package", "running at the start", "mean weeks", "starts needed a year",
                   "starts from the flow a year", "starts / need", "running at the end", "heads for", ""):
        table.add_column(column, justify="left" if column == "Package" else "right")
    for p in state.packages:
        table.add_row(p.label, number(p.active, decimals=0), number(p.mean_duration_weeks, decimals=0),
                      number(p.starts_needed, decimals=0), number(p.starts_flow, decimals=0), share(p.ratio),
                      number(p.expected_at_end, decimals=0), number(p.steady_caseload, decimals=0), p.status)
    console.print(table)
    if not state.packages:
        console.print("No packages running at the start: no caseload to hold.")
    elif state.balanced:
        console.print("In balance: every package type's starts hold its caseload (within 10%).")
    print_steady_state(scenario)


@click.command("in-flight")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Write the scenario with its open cases at the start (YAML) here.")
@click.option("--reps", default=3, show_default=True, type=click.IntRange(1, 100),
              help="Replications of the pilot run.")
@seed_option
@set_option
@json_option
def in_flight_command(file: str, out: str, reps: int, seed: int, overrides: tuple[str, ...], as_json: bool) -> None:
    """FILE starting with the cases a service in its stride has open (Little's law on a pilot run), not an empty
    pipeline."""
    scenario = load_scenario(file, overrides)
    with progress_bar(reps, f"pilot run of {scenario.name}", not as_json) as advance:
        result = in_flight(scenario, reps=reps, seed=seed, progress=advance)
    write_scenario_yaml(Path(out), scenario_document(result.scenario),
                        f"# {scenario.name} with the cases open at the start that flowsim in-flight found\n")
    if as_json:
        echo_json({"scenario": scenario.name, "reps": reps, "seed": seed, "out": out,
                   "open_cases": [s.to_dict() for s in result.stages]})
        return
    table = Table(title=f"{scenario.name}: cases open at the start (pilot run of {reps} replications)",
                  title_justify="left", show_edge=False)
    for column in ("Stage", "arrivals a day", "days a case is open", "open at the start"):
        table.add_column(column, justify="left" if column == "Stage" else "right")
    for s in result.stages:
        table.add_row(scenario.label(s.stage), number(s.arrivals_per_day, decimals=2),
                      number(s.mean_days_open, decimals=1), number(s.count, decimals=0))
    console.print(table)
    console.print(f"written to {out}; its run's own steady state (flowsim run) is the one to read: the flows' "
                  "check (flowsim steady) counts the cases open at the start as part of the year's flow")


def print_rows(title: str, rows: list[Row]) -> None:
    """Observed against modelled, one row per figure and year."""
    table = Table(title=title, title_justify="left", show_edge=False)
    for column in ("Figure", "year", "observed", "modelled", "error (modelled − observed)", "error %",
                   "within tolerance", "from"):
        table.add_column(column, justify="left" if column in ("Figure", "from") else "right")
    for r in rows:
        unit = MEASURES[r.figure].unit
        matched = {True: "yes", False: styled(("no", "red")), None: "–"}[r.matches]
        table.add_row(MEASURES[r.figure].label, r.year, number(r.observed, unit),
                      interval(r.modelled, r.ci_low, r.ci_high, unit, compact=True),
                      number(r.error, unit, difference=True), relative(r.relative_error),
                      f"{matched} (±{share(r.tolerance)})", r.how)
    console.print(table)


def _rows_json(rows: list[Row]) -> list[dict]:
    return [{k: (finite(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in rows_frame(rows).to_dict(orient="records")]


@click.group("profile")
def profile_group() -> None:
    """A council's published figures: check a scenario against them, back-test a fit."""


@profile_group.command("check")
@click.argument("profile", type=click.Path(dir_okay=False))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--reps", default=5, show_default=True, type=click.IntRange(0, 1000),
              help="Replications for the simulated figures (0: expected flows only).")
@seed_option
@set_option
@json_option
def check_command(profile, scenario, reps, seed, overrides, as_json) -> None:
    """Observed figures of PROFILE against SCENARIO: modelled value, its 95% interval and the error."""
    council = load_profile(profile)
    model = load_scenario(scenario, overrides)
    with progress_bar(reps, f"{model.name}", not as_json and reps > 0) as advance:
        rows = check(council, model, reps=reps, seed=seed, progress=advance)
    if as_json:
        echo_json({"profile": profile, "scenario": model.name, "reps": reps, "figures": _rows_json(rows)})
        return
    print_rows(f"{council.council} ({profile}) against {model.name}", rows)
    matched = [r.matches for r in rows if r.matches is not None]
    console.print(f"{sum(matched)} of {len(matched)} figures within tolerance; "
                  f"{len(rows) - len(matched)} not comparable (see 'from').")
    print_steady_state(model)


STEPS = 60  # least-squares steps at most; each also evaluates one point per free parameter for the gradient
free_option = click.option("--free", "free", multiple=True, required=True, metavar="PATH=LOW:HIGH",
                           help="A number to fit, between bounds, e.g. --free demand.contacts_per_year=8000:12000 "
                                "(repeatable).")


@click.command("fit")
@click.argument("profile", type=click.Path(dir_okay=False))
@click.argument("scenario", type=click.Path(dir_okay=False))
@free_option
@click.option("--year", help="Financial year of the figures to fit (default: the scenario's first).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the fitted scenario (YAML) here.")
@click.option("--reps", default=5, show_default=True, type=click.IntRange(0, 1000),
              help="Replications for the check of the fitted scenario (0: expected flows only).")
@click.option("--simulate", default=0, show_default=True, type=click.IntRange(0, 100),
              help="Refine the fit on the simulation with this many replications (common random numbers), "
                   "where queues hold work back (0: the expected flows only).")
@click.option("--steady", is_flag=True,
              help="Also hold the starting caseload: each package type's starts from the flow equal to the starts "
                   "needed to keep its packages running (free its mean_duration_weeks or the routes to it); with "
                   "--simulate, the starts of the simulation's first year (start it in flight: flowsim in-flight).")
@seed_option
@set_option
@json_option
def fit_command(profile, scenario, free, year, out, reps, simulate, steady, seed, overrides, as_json) -> None:
    """Values of the free parameters with which SCENARIO reproduces PROFILE's figures."""
    council = load_profile(profile)
    model = load_scenario(scenario, overrides)
    parameters = parse_free(free, model)
    steps = STEPS + (SIMULATED_EVALUATIONS if simulate else 0)
    with progress_bar(steps * (len(parameters) + 1), "fitting (evaluations, at most)", not as_json) as advance:
        result = fit(council, model, parameters, year, profile_name=Path(profile).name, progress=advance,
                     max_evaluations=STEPS, simulate=simulate, seed=seed, steady=steady)
    with progress_bar(reps, "checking the fit", not as_json and reps > 0) as advance:
        rows = [r for r in check(council, result.scenario, reps=reps, seed=seed, progress=advance)
                if (r.figure, r.year) in set(result.figures)]
    if out:
        write_scenario_yaml(Path(out), scenario_document(result.scenario),
                            f"# {result.scenario.name} fitted to {profile} by flowsim fit\n")
    state = held_balance(result.scenario, council, simulate, seed) if steady else None
    if as_json:
        echo_json({"profile": profile, "scenario": model.name, "values": result.values,
                   "evaluations": result.evaluations, "figures": _rows_json(rows),
                   "conflicts": result.conflicts, "out": out}
                  | ({"steady_state": state.to_dict()} if steady else {}))
        return
    table = Table(title="Fitted values", title_justify="left", show_edge=False)
    for column in ("Free parameter", "was", "fitted", "bounds"):
        table.add_column(column, justify="left" if column == "Free parameter" else "right")
    for p in parameters:
        table.add_row(p.path, f"{p.start:.4g}", f"{result.values[p.path]:.4g}", f"{p.low:g} to {p.high:g}")
    console.print(table)
    how = "of the expected flows, then of the simulation" if simulate else "of the expected flows"
    print_rows(f"{council.council}: the fitted scenario against the figures fitted ({result.evaluations} "
               f"evaluations {how})", rows)
    for line in result.conflicts:
        console.print(styled(("the figures do not all hold", "yellow"), f": {line}"))
    held_back = [MEASURES[r.figure].label for r in rows if r.how.startswith("simulation") and r.matches is False]
    if held_back and not result.conflicts:
        console.print(styled(("warning", "yellow"), ": the expected flows match but the simulation does not for "
                             f"{', '.join(held_back)}: queues and caseload caps hold work back that the expected "
                             "flows do not see (free the staffing too, or check the roles' utilisation with "
                             "flowsim run)"))
    if steady:
        print_steady_state(result.scenario, state=state)
        if state.balanced:
            console.print(f"the fitted caseload holds: every package type's starts are within "
                          f"{share(STEADY_TOLERANCE)} of those needed to keep its packages running")
    if out:
        console.print(f"fitted scenario written to {out}")


@profile_group.command("backtest")
@click.argument("profile", type=click.Path(dir_okay=False))
@click.argument("scenario", type=click.Path(dir_okay=False))
@free_option
@click.option("--fit-year", required=True, help="Financial year to fit, e.g. 2015/16.")
@click.option("--predict-year", required=True, help="Later financial year to predict, e.g. 2017/18.")
@set_option
@json_option
def backtest_command(profile, scenario, free, fit_year, predict_year, overrides, as_json) -> None:
    """Fit SCENARIO to PROFILE's figures of one year, predict a later year's and report the error."""
    council = load_profile(profile)
    model = load_scenario(scenario, overrides)
    parameters = parse_free(free, model)
    with progress_bar(STEPS * (len(parameters) + 1), "fitting (evaluations, at most)", not as_json) as advance:
        result = backtest(council, model, parameters, fit_year, predict_year, Path(profile).name, advance, STEPS)
    if as_json:
        echo_json({"profile": profile, "scenario": model.name, "fit_year": fit_year,
                   "predict_year": predict_year, "values": result.fit.values,
                   "fitted": _rows_json(result.fitted), "predicted": _rows_json(result.predicted)})
        return
    print_rows(f"Fitted on {fit_year}", result.fitted)
    print_rows(f"Predicted for {predict_year} (not fitted)", result.predicted)
    for line in result.summary():
        console.print(line)


COMMANDS = [steady, in_flight_command, profile_group, fit_command]
