"""Commands that answer with their uncertainty: ``target`` (goal-seek), ``replications``,
``sensitivity``; and the input-uncertainty option of ``run`` lives in ``flowsim.cli.runs``."""
from __future__ import annotations


import click
import pandas as pd
from rich.table import Table

from flowsim.cli.common import (console, echo_json, finite, json_option, load_with_days, progress_bar,
                                seed_option, set_option, styled)
from flowsim.format import figure, interval, kpi_unit, number
from flowsim.uncertainty.goal_seek import goal_seek, parse_goal, parse_range
from flowsim.output import prepare_folder, write_frame
from flowsim.uncertainty.replications import headline_kpis, replications_needed
from flowsim.uncertainty.ranges import uncertain_inputs
from flowsim.uncertainty.sampling import run_with_input_uncertainty
from flowsim.uncertainty.sensitivity import regression_sensitivity, tornado
from flowsim.vocabulary import kpi_label

processes_option = click.option("--processes", type=click.IntRange(1, 256), help="Worker processes (default: all cores).")
days_option = click.option("--days", type=click.IntRange(1, 3660), help="Horizon in days (sets time.horizon_days).")


@click.command("target")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--goal", "goals", multiple=True, required=True, metavar="'KPI >= X'",
              help="A goal on a KPI, e.g. 'within_target.full_assessment >= 0.9' (repeatable: all must hold).")
@click.option("--vary", "field", required=True, metavar="PATH=LOW:HIGH",
              help="The field to search and its range, e.g. roles.social_worker.fte=10:60.")
@click.option("--step", default=1.0, show_default=True, type=float, help="Resolution of the answer, in the field's unit.")
@click.option("--confidence", default=0.9, show_default=True, type=click.FloatRange(0.5, 0.999),
              help="How sure the answer must be that every goal is met.")
@click.option("--reps", default=5, show_default=True, type=click.IntRange(2, 10_000),
              help="Replications at each value tried first (more where a goal is uncertain).")
@click.option("--max-reps", default=40, show_default=True, type=click.IntRange(2, 10_000),
              help="Most replications at a value whose goals are uncertain.")
@seed_option
@days_option
@processes_option
@set_option
@json_option
def target_command(file, goals, field, step, confidence, reps, max_reps, seed, days, processes, overrides,
                   as_json) -> None:
    """The smallest value of a field (staffing, a share, any number) that meets every goal with the confidence."""
    parsed = [parse_goal(g) for g in goals]
    span = parse_range(field, step)
    scenario = load_with_days(file, overrides, days)
    with progress_bar(None, "replications", not as_json) as advance:
        found = goal_seek(scenario, parsed, span, confidence=confidence, reps=reps, max_reps=max(reps, max_reps),
                          seed=seed, workers=processes, progress=advance)
    if as_json:
        echo_json({
            "scenario": scenario.name, "field": span.path, "goals": [str(g) for g in parsed],
            "confidence": confidence, "answer": found.answer, "uncertain_from": found.uncertain_from,
            "replications_run": found.replications_run, "seed": seed, "notes": found.notes,
            "tried": [{"value": t.value, "reps": t.reps, "status": t.status,
                       "means": {k: finite(v) for k, v in t.means.items()},
                       "bounds": {k: finite(v) for k, v in t.bounds.items()}} for t in found.tried]})
        return
    print_goal_seek(scenario, found)


def print_goal_seek(scenario, found) -> None:
    goals = " and ".join(f"{kpi_label(g.kpi, scenario.label)} {'≥' if g.op == '>=' else '≤'} "
                         f"{number(g.target, kpi_unit(g.kpi))}" for g in found.goals)
    console.print(styled((scenario.name, "bold"), f": smallest {found.path} with {goals}, {found.confidence:.0%} "
                         "confident (one-sided, over the replications; the same seeds at every value)"))
    if found.answer is None:
        console.print(styled(("no value in the range meets the goals", "bold")))
    else:
        console.print(styled((f"answer: {found.path} = {figure(found.answer)}", "bold")))
        if found.uncertain_from is not None and found.uncertain_from != found.answer:
            console.print(f"uncertain from {figure(found.uncertain_from)} to {figure(found.answer)}: at these values "
                          "the replications cannot tell whether the goals are met")
    for note in found.notes:
        console.print(f"note: {note}")
    table = Table(title="Values tried", title_justify="left", show_edge=False)
    table.add_column(found.path, justify="right")
    table.add_column("Replications", justify="right")
    table.add_column("Goals", justify="left")
    for goal in found.goals:
        table.add_column(f"{kpi_label(goal.kpi, scenario.label)}\nmean (bound)", justify="right")
    for tried in found.tried:
        cells = [figure(tried.value), str(tried.reps), tried.status]
        for goal in found.goals:
            unit = kpi_unit(goal.kpi)
            cells.append(f"{number(tried.means[goal.kpi], unit)} ({number(tried.bounds[goal.kpi], unit)})")
        table.add_row(*cells)
    console.print(table)
    console.print(f"{found.replications_run:,} replications run, seed {found.seed}")


@click.command("replications")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kpi", "kpis", multiple=True, metavar="NAME",
              help="A KPI to make precise (repeatable; default: the headline KPIs).")
@click.option("--precision", default=0.05, show_default=True, type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="Relative half-width of the 95% CI to reach: 0.05 is ±5% of the mean.")
@click.option("--max-reps", default=200, show_default=True, type=click.IntRange(8, 10_000),
              help="Stop here if a KPI has not reached the precision.")
@seed_option
@days_option
@processes_option
@set_option
@json_option
def replications_command(file, kpis, precision, max_reps, seed, days, processes, overrides, as_json) -> None:
    """How many replications give each KPI a 95% CI within ±precision of its mean (sequential method)."""
    scenario = load_with_days(file, overrides, days)
    with progress_bar(None, "replications", not as_json) as advance:
        advice = replications_needed(scenario, kpis or None, precision, seed=seed, max_reps=max_reps,
                                     workers=processes, progress=advance)
    if as_json:
        echo_json({"scenario": scenario.name, "precision": precision, "seed": seed,
                               "needed": advice.needed, "recommended": advice.recommended,
                               "replications_run": advice.replications_run})
        return
    console.print(styled((scenario.name, "bold"), f": replications for a 95% CI within ±{precision:.0%} of the mean "
                         f"(relative half-width ≤ {precision:g}, holding for 5 more replications), seed {seed}"))
    table = Table(show_edge=False)
    for column, justify in (("KPI", "left"), ("Replications needed", "right"), ("Mean ±95% CI at that n", "right")):
        table.add_column(column, justify=justify)
    trace = advice.trace.set_index(["kpi", "n"])
    for kpi, needed in advice.needed.items():
        at = trace.loc[(kpi, needed if needed else advice.trace["n"].max())]
        shown = interval(at["mean"], at["ci_low"], at["ci_high"], kpi_unit(kpi), compact=True)
        table.add_row(kpi_label(kpi, scenario.label), str(needed) if needed else f"more than {max_reps}", shown)
    console.print(table)
    recommended = advice.recommended
    console.print(f"recommended: --reps {recommended}" if recommended else
                  f"not every KPI reached ±{precision:.0%} within {max_reps} replications: "
                  "raise --max-reps or accept a wider interval")
    console.print(f"{advice.replications_run:,} replications run")


def run_input_uncertainty(scenario, samples: int, reps: int, seed: int, processes, out, as_json) -> None:
    """``flowsim run --input-uncertainty``: headline KPIs with inputs sampled, split into inputs and randomness."""
    with progress_bar(samples + reps, scenario.name, not as_json) as advance:
        found = run_with_input_uncertainty(scenario, samples, reps, seed, workers=processes, progress=advance)
    summary = found.summary()
    if out:
        folder = prepare_folder(out)
        write_frame(summary, folder / "input_uncertainty_summary.csv")
        write_frame(pd.concat([found.input_values, found.sampled], axis=1), folder / "input_samples.csv")
    if as_json:
        echo_json({"scenario": scenario.name, "samples": samples, "reps": reps, "seed": seed,
                               "inputs": [{"name": i.name, "value": i.value, "low": i.range.low, "high": i.range.high,
                                           "distribution": i.range.distribution, "fields": list(i.paths)}
                                          for i in found.inputs],
                               "kpis": {r["kpi"]: {k: finite(v) for k, v in r.items() if k != "kpi"}
                                        for r in summary.to_dict("records")}})
        return
    console.print(styled((scenario.name, "bold"), f": {samples} replications with the uncertain inputs sampled "
                         f"(Latin hypercube), {reps} at the point values (randomness only); the same seeds, seed {seed}"))
    if not found.inputs:
        console.print("no input of this scenario carries a range: the results are the randomness alone")
    inputs = Table(title="Uncertain inputs", title_justify="left", show_edge=False)
    for column in ("input", "value", "range", "distribution", "where the range comes from"):
        inputs.add_column(column)
    for item in found.inputs:
        inputs.add_row(item.name, figure(item.value), f"{figure(item.range.low)} to {figure(item.range.high)}",
                       item.range.distribution, item.range.citation())
    console.print(inputs)
    shown = Table(title="Headline results", title_justify="left", show_edge=False)
    for column, justify in (("KPI", "left"), ("Point values: mean ±95% CI (randomness only)", "right"),
                            ("Inputs sampled: mean", "right"), ("95% of years fall in", "right"),
                            ("Variance from inputs", "right"), ("from randomness", "right")):
        shown.add_column(column, justify=justify)
    rows = summary.set_index("kpi")
    for kpi in [k for k in headline_kpis(scenario) if k in rows.index]:
        r, unit = rows.loc[kpi], kpi_unit(kpi)
        shown.add_row(kpi_label(kpi, scenario.label), interval(r.point_mean, r.point_ci_low, r.point_ci_high, unit,
                                                               compact=True),
                      number(r["mean"], unit), f"{number(r.low, unit)} to {number(r.high, unit)}",
                      number(r.share_inputs, "share"), number(r.share_randomness, "share"))
    console.print(shown)
    if out:
        console.print(f"written to {out}/ (input_uncertainty_summary.csv: every KPI; input_samples.csv: "
                      "each sample's inputs and KPIs)")


@click.command("sensitivity")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kpi", required=True, metavar="NAME", help="The result to explain, e.g. total_cost.horizon.")
@click.option("--reps", default=5, show_default=True, type=click.IntRange(2, 10_000),
              help="Replications at each end of each range (the same seeds everywhere).")
@click.option("--samples", default=0, show_default=True, type=click.IntRange(0, 10_000),
              help="Also sample every input at once this many times and fit standardised regression coefficients.")
@seed_option
@days_option
@processes_option
@set_option
@json_option
def sensitivity_command(file, kpi, reps, samples, seed, days, processes, overrides, as_json) -> None:
    """Which uncertain inputs move a KPI most: a one-at-a-time tornado, and optionally a global regression."""
    scenario = load_with_days(file, overrides, days)
    inputs = len(uncertain_inputs(scenario))
    with progress_bar((2 * inputs + 1) * reps + (samples + 2 if samples else 0), scenario.name,
                      not as_json) as advance:
        bars = tornado(scenario, kpi, reps, seed, workers=processes, progress=advance)
        found = run_with_input_uncertainty(scenario, samples, 2, seed, workers=processes, progress=advance) \
            if samples else None
    regression, r_squared = regression_sensitivity(found, kpi) if found is not None else (None, None)
    if as_json:
        echo_json({"scenario": scenario.name, "kpi": kpi, "reps": reps, "seed": seed,
                               "tornado": [{k: (finite(v) if k != "input" else v) for k, v in r.items()}
                                           for r in bars.to_dict("records")],
                               "regression": None if regression is None else {
                                   "samples": samples, "r_squared": finite(r_squared),
                                   "src": {r["input"]: finite(r["src"]) for r in regression.to_dict("records")}}})
        return
    unit = kpi_unit(kpi)
    console.print(styled((scenario.name, "bold"), f": what moves {kpi_label(kpi, scenario.label)}; each input at the "
                         f"ends of its range, the others at their values, {reps} replications each on the same seeds. "
                         f"All at their values: {number(bars.kpi_at_value.iloc[0], unit)}"))
    table = Table(title="One at a time (largest swing first)", title_justify="left", show_edge=False)
    for column, justify in (("input", "left"), ("range", "right"), ("at low", "right"), ("at high", "right"),
                            ("swing", "right")):
        table.add_column(column, justify=justify)
    for r in bars.itertuples():
        table.add_row(r.input, f"{figure(r.low)} to {figure(r.high)}", number(r.kpi_at_low, unit),
                      number(r.kpi_at_high, unit), number(r.swing, unit))
    console.print(table)
    if regression is not None:
        shown = Table(title=f"All inputs at once: {samples} samples, standardised regression (R² "
                            f"{number(r_squared, 'share')})", title_justify="left", show_edge=False)
        for column, justify in (("input", "left"), ("SRC", "right"), ("share of variance (SRC²)", "right")):
            shown.add_column(column, justify=justify)
        for r in regression.itertuples():
            shown.add_row(r.input, f"{r.src:+.2f}", number(r.src_squared, "share"))
        console.print(shown)


COMMANDS = [target_command, replications_command, sensitivity_command]
