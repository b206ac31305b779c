"""The committee pack: one self-contained HTML report of a comparison, and a PDF of it.

The report holds the headline tiles (A, B, B − A with 95% intervals), the saving
A − B, the charts as inline SVG (drawn by vl-convert, so the file needs no
network or script to open), what differs between the two scenarios, the
assumptions behind them with their sources, and the run settings. The PDF is
the same page printed by a headless Chromium when one is installed; without
it there is only the HTML, and ``pdf`` says why.
"""
from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from flowsim.engine import Comparison
from flowsim.finance import savings
from flowsim.provenance import number_sources
from flowsim.scenario.schema import Scenario
from flowsim.ui.about import INTERVALS, summary_sentence
from flowsim.ui.exports import RunSettings, title
from flowsim.ui import charts
from flowsim.ui.flow_diagram import Flows, common_scale, flow_diagram
from flowsim.ui.savings import savings_heading, savings_rows, target_rows
from flowsim.ui.tiles import headlines, package_rows, role_rows
from flowsim.units import DAYS_PER_YEAR

CHART_WIDTH_PX = 900
PDF_SECONDS = 60
STYLE = """
body { font-family: Helvetica, Arial, sans-serif; max-width: 960px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; } th { background: #f3f3f3; }
.tiles { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.tile { border: 1px solid #ccc; border-radius: 6px; padding: 8px; break-inside: avoid; }
.tile .diff { font-size: 1.3em; font-weight: bold; } .small { color: #555; font-size: 0.85em; }
figure { margin: 1em 0; break-inside: avoid; } svg { max-width: 100%; height: auto; }
"""


@dataclass(frozen=True)
class Saving:
    """The saving A − B as the app shows it: its heading, a row per financial year (gross, net, parts),
    each target judged like for like, and the caveats on the figures."""

    heading: str
    years: list[dict]
    targets: list[dict] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


def _e(text) -> str:
    return html.escape(str(text))


def svg(chart: alt.TopLevelMixin) -> str:
    """A chart as inline SVG at the report's width."""
    spec = chart.to_dict()
    if spec.get("width") == "container":
        spec["width"] = CHART_WIDTH_PX
    text = vl_convert.vegalite_to_svg(spec)
    return text[text.index("<svg"):]


def _table(rows: list[dict], numeric: set[str] = frozenset()) -> str:
    if not rows:
        return "<p class='small'>None.</p>"
    head = "".join(f"<th>{_e(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td{' class=n' if k in numeric else ''}>{_e(v)}</td>" for k, v in r.items())
                   + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def differences(a: Scenario, b: Scenario) -> list[dict]:
    """Inputs that differ between A and B (or that only one side has), with B's source."""
    rows_a = {r.path: r for r in number_sources(a)}
    rows_b = {r.path: r for r in number_sources(b)}
    out = []
    for path in dict.fromkeys([*rows_a, *rows_b]):
        ra, rb = rows_a.get(path), rows_b.get(path)
        if ra and rb and abs(ra.value - rb.value) <= 1e-12 * max(1.0, abs(ra.value)):
            continue
        out.append({"input": path, "A": "–" if ra is None else f"{ra.value:,.6g}",
                    "B": "–" if rb is None else f"{rb.value:,.6g}",
                    "B's source": "" if rb is None else f"{rb.status}: {rb.source}"})
    return out


def assumptions(a: Scenario, b: Scenario) -> list[dict]:
    """Every assumption either side rests on, once, with the sides that use it and its source."""
    seen: dict[tuple, dict] = {}
    for side, scenario in (("A", a), ("B", b)):
        for row in number_sources(scenario):
            if row.status != "assumption":
                continue
            key = (row.path, row.value, row.source)
            entry = seen.setdefault(key, {"input": row.path, "value": f"{row.value:,.6g}", "sides": "",
                                          "source and reason": row.source})
            entry["sides"] = (entry["sides"] + " " + side).strip()
    return list(seen.values())


# The comparison's charts and saving, shared by the app's tabs and the report.

def flows(comparison: Comparison, a: Scenario, b: Scenario) -> tuple[Flows, Flows]:
    return tuple(Flows.from_means(r.summary().set_index("kpi")["mean"], s.time.horizon_days)
                 for r, s in ((comparison.a, a), (comparison.b, b)))


def flow_charts(comparison: Comparison, a: Scenario, b: Scenario) -> list:
    """A's diagram, and B's coloured by B − A, on one scale."""
    fa, fb = flows(comparison, a, b)
    scale, height = common_scale([(a, fa), (b, fb)])
    return [flow_diagram(a, fa, f"A: {title(a)}", scale, height),
            flow_diagram(b, fb, f"B: {title(b)} (bands coloured by B − A)", scale, height, against=(a, fa))]


def wait_rows(comparison: Comparison, a: Scenario, b: Scenario, stage: str) -> pd.DataFrame:
    """People a year by days waited at one stage, per side (each replication's people, averaged)."""
    sides = (("A", comparison.a), ("B", comparison.b))
    waits = pd.concat([r.events.loc[r.events["stage"] == stage, ["wait"]].assign(side=side) for side, r in sides],
                      ignore_index=True)
    return charts.wait_histogram(waits, {"A": comparison.a.reps, "B": comparison.b.reps},
                                 {"A": a.time.horizon_days / DAYS_PER_YEAR, "B": b.time.horizon_days / DAYS_PER_YEAR})


def saving(comparison: Comparison, a: Scenario, b: Scenario) -> Saving:
    """The saving A − B in the rows the app shows (``flowsim.ui.savings``)."""
    saved = savings(comparison, a, b)
    return Saving(savings_heading(saved).replace("**", ""), savings_rows(saved).to_dict("records"),
                  target_rows(saved).to_dict("records") if not saved.verdicts.empty else [],
                  [caveat.message for caveat in saved.caveats])


def pack_charts(comparison: Comparison, a: Scenario, b: Scenario) -> dict:
    """The report's charts by caption."""
    flow_a, flow_b = flow_charts(comparison, a, b)
    chosen = {"Where people go in A (people a year).": flow_a,
              "Where people go in B, bands coloured by B − A.": flow_b,
              "Practitioner hours a year by role: demanded (bar) against available (tick).":
                  charts.hours_chart(role_rows(comparison, a, b)),
              "New packages of care a year by type.": charts.packages_chart(package_rows(comparison, a, b))}
    stage = a.key_stage if a.key_stage in b.stages else None
    if stage:
        target = a.stages[stage].wait_target_days
        chosen[f"How long people waited for {a.label(stage)}: people a year by days waited (red: the target)."] = \
            charts.wait_distribution(wait_rows(comparison, a, b, stage), target)
    return chosen


def report_html(comparison: Comparison, settings: RunSettings, charts: dict[str, alt.TopLevelMixin],
                saving: Saving | None = None) -> str:
    """The committee pack as one HTML page, with everything inline."""
    a, b = settings.a, settings.b
    tiles = headlines(comparison, a, b)
    tile_html = "".join(
        f"<div class='tile'><div><b>{_e(t.label)}</b></div>"
        f"<div>A <b>{_e(t.value_text('a'))}</b> · B <b>{_e(t.value_text('b'))}</b></div>"
        f"<div class='diff'>B − A {_e(t.value_text('b_minus_a'))}</div>"
        f"<div class='small'>{_e(t.ci_text('b_minus_a'))}</div></div>" for t in tiles)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{_e(title(a))} against {_e(title(b))}: committee pack</title><style>{STYLE}</style></head><body>",
             f"<h1>{_e(title(b))} (B) against {_e(title(a))} (A)</h1>",
             f"<p>{_e(a.council)}: {_e(a.operating_model)} model (A) and {_e(b.council)}: {_e(b.operating_model)} "
             f"model (B). A difference is B − A (positive: B has more); a saving is A − B.</p>",
             "<h2>Headlines</h2>", f"<div class='tiles'>{tile_html}</div>"]
    if saving is not None:
        parts += ["<h2>Saving (A − B)</h2>", *(f"<p class='small'>{_e(c)}</p>" for c in saving.caveats),
                  f"<p>{_e(saving.heading)}</p>", _table(saving.years, set(saving.years[0]) - {"period"}
                                                        if saving.years else set())]
        if saving.targets:
            parts += ["<p>Targets, like for like (probability: the share of paired replications whose saving "
                      "reaches the target).</p>", _table(saving.targets)]
    parts.append("<h2>Charts</h2>")
    for caption, chart in charts.items():
        parts.append(f"<figure>{svg(chart)}<figcaption class='small'>{_e(caption)}</figcaption></figure>")
    parts += ["<h2>What differs between A and B</h2>", _table(differences(a, b)),
              "<h2>Assumptions behind the result</h2>",
              f"<p>{_e(summary_sentence('A', a))} {_e(summary_sentence('B', b))}</p>", _table(assumptions(a, b)),
              "<h2>Run settings</h2>", _table([{"setting": k, "value": v} for k, v in settings.rows()]),
              "<h2>How to read this</h2>", "<p>" + _e(INTERVALS.replace("**", "")) + "</p>",
              "</body></html>"]
    return "\n".join(parts)


def chromium() -> str | None:
    """A Chromium that can print to PDF, if installed."""
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def pdf(page: str) -> tuple[bytes | None, str]:
    """The HTML page printed to PDF, or (None, why not)."""
    browser = chromium()
    if browser is None:
        return None, "No PDF: Chromium is not installed on this server (download the HTML and print it to PDF)."
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        try:
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--no-pdf-header-footer", f"--user-data-dir={folder}/profile",
                            f"--print-to-pdf={target}", source.as_uri()],
                           capture_output=True, timeout=PDF_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            return None, f"No PDF: Chromium took over {PDF_SECONDS} s (download the HTML and print it to PDF)."
        if not target.exists() or target.stat().st_size == 0:
            return None, "No PDF: Chromium could not print the report (download the HTML and print it to PDF)."
        return target.read_bytes(), ""
