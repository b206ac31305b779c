"""The committee pack: a self-contained HTML page with the tiles' numbers, and its PDF."""
import datetime as dt
from html.parser import HTMLParser

import pytest

from flowsim import compare, load_scenario
from flowsim.ui import report
from flowsim.ui.exports import RunSettings
from flowsim.ui.report import pack_charts, saving
from flowsim.ui.tiles import headlines


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page():
    a = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=60"])
    b = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=60"])
    comparison = compare(a, b, reps=2, seed=1, processes=1, detail=True)
    settings = RunSettings(a, b, 2, 1, dt.date(2026, 1, 2))
    html = report.report_html(comparison, settings, pack_charts(comparison, a, b), saving(comparison, a, b))
    return html, headlines(comparison, a, b)


def test_the_page_parses_and_carries_every_tile(page):
    html, tiles = page
    parsed = Page()
    parsed.feed(html)
    text = " ".join(parsed.text)
    for tile in tiles:
        assert tile.label in text
        assert f"B − A {tile.value_text('b_minus_a')}" in text
    for heading in ("Headlines", "Saving (A − B)", "What differs between A and B", "Assumptions behind the result",
                    "Run settings"):
        assert heading in text
    assert "Random seed" in text and "2026-01-02" in text


def test_the_page_needs_nothing_from_outside(page):
    html, _ = page
    parsed = Page()
    parsed.feed(html)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("svg") >= 5  # the charts, drawn inline
    assert "script" not in tags and "http://" not in html.replace("http://www.w3.org", "")
    assert not [a for t, a in parsed.tags if t in ("img", "link") and a.get("src", a.get("href", "")).startswith("http")]


def test_differences_list_what_b_changes():
    a = load_scenario("scenarios/barnet_current.yaml")
    b = load_scenario("scenarios/barnet_new_model.yaml")
    rows = {r["input"]: r for r in report.differences(a, b)}
    hub = rows["stages.front_door.routes.community_hub"]
    assert hub["B"] == "0.2" and "published" in hub["B's source"]
    assert "demand.contacts_per_year" not in rows  # the same in both


@pytest.mark.skipif(report.chromium() is None, reason="no Chromium to print with")
def test_pdf_prints(page):
    data, why = report.pdf(page[0])
    assert why == "" and data.startswith(b"%PDF") and len(data) > 10_000
