"""Results of a comparison as people read and keep them: a labelled table, CSV and an Excel workbook.

The table names each column after its side's scenario ("A: Barnet current — mean"),
labels every KPI in that side's own words, formats every number with
``flowsim.format`` and shows a missing value as "–". Every download starts with
the run's settings (scenarios, replications, seed, days, date, flowsim version),
so a file read months later still says what it is. The app and scripts share
these functions.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
import yaml

from flowsim.engine import Comparison
from flowsim.format import ci, kpi_unit, number
from flowsim.provenance import number_sources
from flowsim.scenario.load import scenario_document
from flowsim.scenario.schema import Scenario
from flowsim.version import __version__
from flowsim.vocabulary import kpi_label


def title(scenario: Scenario) -> str:
    """A scenario's name as a heading: 'barnet_current' → 'Barnet current'."""
    return scenario.name.replace("_", " ").strip().capitalize()


@dataclass(frozen=True)
class RunSettings:
    """What a comparison was run with: enough to run it again."""

    a: Scenario
    b: Scenario
    reps: int
    seed: int
    date: dt.date

    def rows(self) -> list[tuple[str, str]]:
        def side(s: Scenario) -> str:
            return f"{title(s)} ({s.council}, {s.operating_model} model, {s.time.horizon_days} days from {s.time.start_date})"
        return [("Scenario A", side(self.a)), ("Scenario B", side(self.b)),
                ("Paired replications", str(self.reps)), ("Random seed", str(self.seed)),
                ("Difference", "B − A (positive: B has more); a saving is A − B"),
                ("Intervals", "95% confidence intervals over the replications (simulation noise only)"),
                ("Run on", self.date.isoformat()), ("flowsim version", __version__)]


def _label(kpi: str, a: Scenario, b: Scenario) -> str:
    """A KPI in each side's own words: B's stages in B's names, and both names where the sides differ
    ('People arriving: Community hub appointment (pilot) / Community hub appointment')."""
    def name(thing: str) -> str:
        in_a, in_b = a.names(thing), b.names(thing)
        if in_a and in_b and a.label(thing) != b.label(thing):
            return f"{a.label(thing)} / {b.label(thing)}"
        return (b if in_b and not in_a else a).label(thing)
    return kpi_label(kpi, name)


def _ends(low, high, unit: str, difference: bool) -> str:
    """'1,166 to 1,188' (the formatter's interval without its '95% CI'); blank for a constant."""
    return ci(low, high, unit, difference=difference).removeprefix("95% CI ")


def results_table(comparison: Comparison, a: Scenario, b: Scenario, kpis: list[str] | None = None) -> pd.DataFrame:
    """Every KPI (or those of ``kpis`` there are): each side's mean and 95% interval and the paired
    difference B − A, as text."""
    table = comparison.table()
    if kpis is not None:
        table = table.set_index("kpi").reindex([k for k in kpis if k in set(table["kpi"])]).reset_index()
    name_a, name_b = f"A: {title(a)}", f"B: {title(b)}"
    rows = []
    for row in table.to_dict("records"):
        unit = kpi_unit(row["kpi"])
        rows.append({
            "KPI": _label(row["kpi"], a, b),
            f"{name_a} — mean": number(row["a_mean"], unit),
            f"{name_a} — 95% CI": _ends(row["a_ci_low"], row["a_ci_high"], unit, False),
            f"{name_b} — mean": number(row["b_mean"], unit),
            f"{name_b} — 95% CI": _ends(row["b_ci_low"], row["b_ci_high"], unit, False),
            "B − A — mean": number(row["b_minus_a_mean"], unit, difference=True),
            "B − A — 95% CI": _ends(row["b_minus_a_ci_low"], row["b_minus_a_ci_high"], unit, True),
        })
    return pd.DataFrame(rows)


def per_replication(comparison: Comparison, a: Scenario, b: Scenario) -> pd.DataFrame:
    """Every KPI of every replication, as numbers: side, scenario, replication, KPI, value."""
    frames = []
    for side, results, scenario in (("A", comparison.a, a), ("B", comparison.b, b)):
        kpis = results.kpis[["run", "kpi", "value"]]
        frames.append(pd.DataFrame({"side": side, "scenario": title(scenario), "replication": kpis["run"] + 1,
                                    "KPI": [_label(k, a, b) for k in kpis["kpi"]], "value": kpis["value"]}))
    return pd.concat(frames, ignore_index=True)


def inputs_table(a: Scenario, b: Scenario) -> pd.DataFrame:
    """Every number each side uses, with where it came from."""
    rows = [{"side": side, "scenario": title(scenario), "field": row.path, "value": row.value,
             "status": row.status, "source": row.source}
            for side, scenario in (("A", a), ("B", b)) for row in number_sources(scenario)]
    return pd.DataFrame(rows, columns=["side", "scenario", "field", "value", "status", "source"])


def results_csv(comparison: Comparison, settings: RunSettings) -> bytes:
    """The results table as CSV, after '#' lines with the run's settings; no index column."""
    header = "".join(f"# {field}: {value}\n" for field, value in settings.rows())
    body = results_table(comparison, settings.a, settings.b).to_csv(index=False)
    return (header + body).encode("utf-8")


def results_workbook(comparison: Comparison, settings: RunSettings) -> bytes:
    """An Excel workbook: Results (settings above the table), Per replication, and Inputs with sources."""
    buffer = io.BytesIO()
    settings_rows = pd.DataFrame(settings.rows(), columns=["setting", "value"])
    with pd.ExcelWriter(buffer, engine="openpyxl") as book:
        settings_rows.to_excel(book, sheet_name="Results", index=False)
        results_table(comparison, settings.a, settings.b).to_excel(
            book, sheet_name="Results", index=False, startrow=len(settings_rows) + 2)
        per_replication(comparison, settings.a, settings.b).to_excel(book, sheet_name="Per replication", index=False)
        inputs_table(settings.a, settings.b).to_excel(book, sheet_name="Inputs", index=False)
        for sheet in book.sheets.values():  # wide enough to read without resizing
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 70)
    return buffer.getvalue()


def edited_scenario(scenario: Scenario) -> tuple[str, bytes]:
    """An edited scenario as a YAML file of its own: a new name ('barnet_current_edited'), a description
    that says so ('Barnet current (edited): …'), and a file name to match. Loadable by the CLI."""
    document = scenario_document(scenario)
    name = f"{scenario.name.removesuffix('_edited')[:53]}_edited"
    document["name"] = name
    document["description"] = f"{title(scenario)} (edited): {scenario.description}".strip()
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return f"{name}.yaml", text.encode("utf-8")
