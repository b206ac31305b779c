"""``flowsim compare``: two operating models side by side, the answer first.

The saving A − B and a few headlines come first; then the groups ``run`` shows
(stages, practitioners, waiting and caseloads, new packages, money), each
measure a section of rows; every other KPI only with ``--all``. Each side's rows
carry its own names: a stage both sides have but name differently shows A's
name with B's beneath it, and a stage only one side has shows "–" on the other.
"""
from __future__ import annotations

import datetime as dt
import math

import click
from rich.table import Table
from rich.text import Text

from flowsim.capacity import simulated_warnings
from flowsim.cli.common import (check_size, console, echo_json, finite, json_option, load_with_days, progress_bar,
                                styled, typed_command, with_run_options)
from flowsim.cli.finance import print_savings
from flowsim.cli.runs import BANDS, COMPLETION, CASELOADS, waiting_and_caseload_kpis
from flowsim.engine import compare as compare_scenarios
from flowsim.errors import FlowsimError
from flowsim.finance import savings
from flowsim.format import interval, kpi_unit, number, shared_decimals
from flowsim.output import COMPARISON_FILES, FORMATS, RUN_FILES, check_folder, write_comparison
from flowsim.uncertainty.sampling import compare_with_input_uncertainty
from flowsim.vocabulary import GROUP_MEASURES, MEASURE_LABELS, kpi_label

DIFFERENCE = "B − A ±95% CI"
STAGE_MEASURES = ["arrivals", "wait_mean_days", "wait_median_days", "wait_p90_days", "within_target",
                  "waiting_at_end", "waiting_mean"]
ROLE_MEASURES = ["hours_demanded", "hours_delivered", "hours_available", "utilisation"]
REVIEW_KPIS = ["overdue_reviews_end", "reviewed_in_year_share", "reviews_overdue_mean", "unplanned_reviews"]
# Shown without --all: enough to read each group; the rest of each measure family is one flag away.
BRIEF = {"arrivals", "wait_mean_days", "hours_demanded", "utilisation", "request_to_completion_median_days",
         *BANDS, *CASELOADS}
MONEY = ["package_cost.horizon", "package_cost.new_packages.horizon", "package_cost_weekly.end",
         "staff_cost.horizon", "total_cost.horizon"]


def flow_order(first: list[str], second: list[str]) -> list[str]:
    """``first``'s names in order, each of ``second``'s others placed after the name it follows there."""
    merged = list(first)
    for i, name in enumerate(second):
        if name in merged:
            continue
        before = next((second[j] for j in range(i - 1, -1, -1) if second[j] in merged), None)
        merged.insert(merged.index(before) + 1 if before else 0, name)
    return merged


class Sides:
    """A and B, what each has, and how each names things."""

    def __init__(self, a, b, comparison):
        self.a, self.b = a, b
        self.table = comparison.table().set_index("kpi")
        self.has_a, self.has_b = set(comparison.a.kpi_table().columns), set(comparison.b.kpi_table().columns)
        self.stages = flow_order(list(a.stages), list(b.stages))
        self.roles = flow_order(list(a.roles), list(b.roles))
        self.outcomes = flow_order(list(a.outcomes), list(b.outcomes))
        self.packages = flow_order(list(a.package_outcomes()), list(b.package_outcomes()))
        self.groups = flow_order(list(a.demand.groups), list(b.demand.groups))

    def present(self, kpis) -> list[str]:
        return [k for k in kpis if k in self.table.index]

    def label(self, kpi: str, heading: str = "", indent: str = "") -> Text:
        """The row's name in A's words, with B's beneath when B names its subject differently."""
        def side(scenario) -> str:
            text = kpi_label(kpi, scenario.label).replace(" (£):", ":").removesuffix(" (£)").removesuffix(", at the end")
            if heading and text.startswith(heading + ": "):
                return text[len(heading) + 2:]
            return text
        in_a, in_b = kpi in self.has_a, kpi in self.has_b
        name_a, name_b = side(self.a), side(self.b)
        if in_a and in_b and name_a != name_b:
            return Text.assemble(indent + name_a, "\n", (f"{indent}B: {name_b}", "dim"))
        return Text(indent + (name_a if in_a else name_b))

    def shows_something(self, kpi: str) -> bool:
        """Either side has a non-zero value (empty waiting bands are left to --all)."""
        row = self.table.loc[kpi]
        return any(math.isfinite(v) and v != 0 for v in (row.a_mean, row.b_mean))

    def cells(self, kpi: str) -> list[str]:
        """A, B and B − A in one precision (a side without this KPI shows '–')."""
        row, unit = self.table.loc[kpi], kpi_unit(kpi)
        places = shared_decimals([row.a_mean, row.b_mean], unit)
        return [number(row.a_mean, unit, decimals=places), number(row.b_mean, unit, decimals=places),
                interval(row.b_minus_a_mean, row.b_minus_a_ci_low, row.b_minus_a_ci_high, unit,
                         difference=True, compact=True, decimals=places)]


def _table(title: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_edge=False)
    table.add_column("", overflow="fold")
    for column in ("A", "B", DIFFERENCE):
        table.add_column(column, justify="right", no_wrap=True)
    return table


def _rows(table: Table, sides: Sides, kpis: list[str], heading: str = "", indent: str = "") -> None:
    for kpi in kpis:
        table.add_row(sides.label(kpi, heading, indent), *sides.cells(kpi))


def _sections(title: str, sides: Sides, sections: list[tuple[str, list[str]]]) -> Table | None:
    """A table of measures, each a bold heading over its rows; None when it would be empty."""
    table = _table(title)
    shown = False
    for measure, kpis in sections:
        kpis = sides.present(kpis)
        if not kpis:
            continue
        shown = True
        if kpis == [measure]:  # a measure of the whole service: one row, no heading
            _rows(table, sides, kpis)
            continue
        heading = MEASURE_LABELS.get(measure, measure).removesuffix(" (£)")
        if measure in BANDS:
            heading += ", at the end"
        table.add_row(Text(heading, style="bold"), "", "", "")
        _rows(table, sides, kpis, heading.removesuffix(", at the end"), indent="  ")
    return table if shown else None


def _years(sides: Sides, part: str) -> list[str]:
    return [k for k in sides.table.index if k.startswith(f"{part}.") and len(k) == len(part) + 8
            and k[len(part) + 1:len(part) + 5].isdigit()]


def headlines(sides: Sides) -> list[tuple[str, list[str]]]:
    """The whole service (contacts, overdue reviews, new packages, total cost over the horizon and
    per financial year), then the key stage (people arriving, request to completion, share within target)."""
    service = ["contacts", "overdue_reviews_end", "new_packages.total", "total_cost.horizon",
               *_years(sides, "total_cost")]
    key = sides.a.key_stage or sides.b.key_stage
    about_key = [f"{m}.{key}" for m in ("arrivals", "request_to_completion_median_days",
                                        "request_to_completion_p90_days", "within_target")] if key else []
    return [("", sides.present(service)), (key or "", sides.present(about_key))]


def print_headlines(sides: Sides) -> list[str]:
    """The headline table; returns the KPIs it showed."""
    table = _table("Headlines")
    shown = []
    for stage, kpis in headlines(sides):
        if stage and kpis:
            owner = sides.a if stage in sides.a.stages else sides.b
            table.add_row(Text(owner.label(stage), style="bold"), "", "", "")
            for kpi in kpis:
                measure = kpi.partition(".")[0]
                table.add_row(Text("  " + MEASURE_LABELS.get(measure, measure)), *sides.cells(kpi))
        else:
            _rows(table, sides, kpis)
        shown += kpis
    console.print(table)
    return shown


def print_comparison(sides: Sides, show_all: bool) -> None:
    """Every group of the comparison after the savings, in reading order."""
    in_headlines = print_headlines(sides)
    every = show_all
    stage_sections = [(m, [f"{m}.{s}" for s in sides.stages]) for m in STAGE_MEASURES if every or m in BRIEF]
    role_sections = [(m, [f"{m}.{r}" for r in sides.roles]) for m in ROLE_MEASURES if every or m in BRIEF]
    waiting = waiting_and_caseload_kpis(sides.table.index, sides.stages, sides.roles,
                                        sides.a.key_stage or sides.b.key_stage)
    if not every:
        waiting = [k for k in waiting if k not in in_headlines and k.partition(".")[0] in BRIEF
                   and (k.partition(".")[0] not in BANDS or sides.shows_something(k))]
    waiting_sections = [(m, [k for k in waiting if k.partition(".")[0] == m]) for m in [*COMPLETION, *BANDS, *CASELOADS]]
    waiting_sections += [("awaiting_allocation_end", [f"awaiting_allocation_end.{s}" for s in sides.stages])]
    waiting_sections += [(k, [k]) for k in REVIEW_KPIS if every or k not in in_headlines]
    packages = [f"new_packages.{p}" for p in sides.packages] + ["new_packages.total"]
    money = [*MONEY, *(k for part in ("package_cost", "staff_cost", "total_cost") for k in _years(sides, part))]
    group_sections = [(m, [f"{m}.{g}" for g in sides.groups]) for m in GROUP_MEASURES]
    groups = [("Stages", stage_sections), ("Practitioners", role_sections),
              ("Waiting and caseloads", waiting_sections), ("New packages of care", [("new_packages", packages)]),
              ("By client group", group_sections)]
    for title, sections in groups:
        table = _sections(title, sides, sections)
        if table is not None:
            console.print(table)
        if title == "Practitioners":
            print_capacity(sides)
    cost = _table("Money")
    _rows(cost, sides, sides.present(money))
    console.print(cost)
    if every:
        shown = {k for _, s in stage_sections + role_sections + waiting_sections + group_sections for k in s}
        shown |= set(in_headlines) | set(packages) | set(money)
        rest = [k for k in sides.table.index if k not in shown]
        families = list(dict.fromkeys(k.partition(".")[0] for k in rest))
        table = _sections("Everything else", sides, [(m, [k for k in rest if k.partition(".")[0] == m])
                                                     for m in families])
        if table is not None:
            console.print(table)
    else:
        console.print(styled(("--all shows every KPI: waits by source, outcomes, flows along each edge, hours.",
                              "dim")))


def print_capacity(sides: Sides) -> None:
    """Near-capacity warnings, side by side."""
    for name, scenario, column in (("A", sides.a, "a_mean"), ("B", sides.b, "b_mean")):
        for warning in simulated_warnings(scenario, sides.table[column].to_dict()):
            console.print(styled(("warning", "yellow"), f" ({name}): {warning}"))


INPUTS_SAMPLED = "share of paired replications, each with the uncertain inputs sampled (inputs and randomness)"


@click.command("compare")
@click.argument("file_a", type=click.Path(dir_okay=False))
@click.argument("file_b", type=click.Path(dir_okay=False))
@with_run_options
@click.option("--set", "set_b", multiple=True, metavar="PATH=VALUE",
              help="Change one field of B, the what-if side (repeatable).")
@click.option("--set-a", "set_a", multiple=True, metavar="PATH=VALUE", help="Change one field of A (repeatable).")
@click.option("--target", type=click.FloatRange(0, None), metavar="POUNDS",
              help="A target for the total saving A − B over the horizon, in place of the scenarios' own targets.")
@click.option("--all", "show_all", is_flag=True, help="Show every KPI (waits by source, outcomes, flows, …).")
@click.option("--out", type=click.Path(file_okay=False),
              help="Write the comparison, the savings and each side's run files here.")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="parquet", show_default=True,
              help="With --out: each side's event log, daily series and packages as Parquet, CSV or both.")
@click.option("--force", is_flag=True, help="Replace results in --out that flowsim did not write.")
@click.option("--input-uncertainty", "samples", type=click.IntRange(2, 10_000), metavar="SAMPLES",
              help="Sample the inputs that carry a range (the same draw on both sides) in SAMPLES paired "
                   "replications instead of --reps: intervals and the target's chance include the inputs.")
@json_option
def compare_command(file_a, file_b, reps, seed, days, processes, allow_large, set_b, set_a, target, show_all, out,
                    file_format, force, samples, as_json) -> None:
    """Compare two scenarios on common random numbers: the saving A − B, then A, B and B − A."""
    a, b = load_with_days(file_a, set_a, days), load_with_days(file_b, set_b, days)
    if samples and out:
        raise FlowsimError("--out writes each side's event log, which --input-uncertainty does not keep: "
                           "use one or the other")
    reps = samples or reps
    check_size([a, b], reps, processes, detail=bool(out), allow_large=allow_large)
    if out:
        for folder, names in ((out, COMPARISON_FILES), (f"{out}/a", RUN_FILES), (f"{out}/b", RUN_FILES)):
            check_folder(folder, names, force)  # before the simulation, not after it
    started = dt.datetime.now().astimezone()
    with progress_bar(2 * reps, f"{a.name} vs {b.name}", not as_json) as advance:
        if samples:
            comparison = compare_with_input_uncertainty(a, b, samples, seed, workers=processes, progress=advance)
        else:
            comparison = compare_scenarios(a, b, reps=reps, seed=seed, processes=processes, detail=bool(out),
                                           progress=advance)
    saved = savings(comparison, a, b, target)
    sides = Sides(a, b, comparison)
    if out:
        write_comparison(comparison, a, b, saved.table, out, started, dt.datetime.now().astimezone(),
                         typed_command(), file_format, force)
    if as_json:
        table = comparison.table()
        echo_json({
            "a": a.name, "b": b.name, "reps": reps, "seed": seed, "input_uncertainty": bool(samples),
            "kpis": {row["kpi"]: {col: finite(row[col]) for col in table.columns if col != "kpi"}
                     for row in table.to_dict("records")},
            "saving_a_minus_b": saved.to_dict() | ({"probability_note": INPUTS_SAMPLED} if samples else {}),
            "warnings": {"a": simulated_warnings(a, sides.table["a_mean"].to_dict()),
                         "b": simulated_warnings(b, sides.table["b_mean"].to_dict())},
        })
        return
    console.print(styled(("A", "bold"), f" = {a.name}, ", ("B", "bold"), f" = {b.name}: {reps} paired replications, "
                         f"seed {seed}, {a.time.horizon_days} days."))
    console.print("B − A is the effect of moving from A to B (mean ±95% CI half-width)"
                  + (": each replication draws the uncertain inputs (the same on both sides), so the intervals "
                     f"and the probabilities include the inputs' uncertainty ({INPUTS_SAMPLED})."
                     if samples else "; randomness only: the inputs are taken as exact."))
    print_savings(saved)
    print_comparison(sides, show_all)
    if out:
        console.print(f"written to {out}/ (comparison.csv, savings.csv, a/, b/, manifest.json)")


COMMANDS = [compare_command]
