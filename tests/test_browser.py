"""The app in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run app.py`.

Skipped only outside CI when Chromium is not installed; `.ci/run` installs it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOURS = "Practitioner hours worked a year"
RUNNING = '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]'

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is missing: .ci/run should have installed it")
    pytest.skip("Debian's chromium is not installed here", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` on its own port, its output kept in a log file."""

    def __init__(self, log: Path):
        self.log_path, self.port = log, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("wb") as out:
            # Its own session, so everything it starts can be stopped with it.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
                 "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_healthy(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            assert self.process.poll() is None, f"streamlit exited early:\n{self.log()}"
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1).read() == b"ok":
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"streamlit did not start in {seconds} s:\n{self.log()}"
            time.sleep(0.2)

    @contextmanager
    def explained(self):
        """Any failure inside carries the server's log."""
        try:
            yield
        except Exception as error:
            raise AssertionError(f"{error}\n--- streamlit log ({self.log_path}) ---\n{self.log()}") from error

    def stop(self) -> None:
        """SIGTERM lets streamlit exit normally (its worker pool stops at exit); whatever is
        still running in its session after that is killed."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and session_members(self.process.pid):
            time.sleep(0.1)
        if session_members(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)


def session_members(session: int) -> list[int]:
    """Live processes of a session (its id is the pid of the process that started it)."""
    members = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[4]) == session:
            members.append(int(entry.name))
    return members


@pytest.fixture
def server(tmp_path):
    """A fresh server for each test, so no test depends on another's browser connections."""
    started = Server(tmp_path / "streamlit.log")
    try:
        with started.explained():
            started.wait_until_healthy()
        yield started
    finally:
        started.stop()


def b_value(page) -> str:
    """The B value in the practitioner-hours tile, e.g. '52.0k'."""
    tile = page.locator('[data-testid="stColumn"]', has_text=HOURS).last
    text = tile.inner_text()
    return re.search(r"B\s+([−\-]?[\d.,]+k?)", text).group(1)


def test_moving_the_hub_slider_updates_the_tiles(server, tmp_path):
    with server.explained(), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        opened = time.perf_counter()
        page.goto(server.url)
        page.get_by_text("B − A").first.wait_for(timeout=120_000)
        first_page = time.perf_counter() - opened
        page.locator(RUNNING).first.wait_for(state="detached", timeout=120_000)  # the first run has ended
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no horizontal scrolling
        before = b_value(page)

        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_role("tab", name="Change B").click()
        panel = sidebar.get_by_role("tabpanel").filter(has_text="Front door").last
        panel.get_by_text("Front door", exact=True).click()
        slider = panel.locator('[data-testid="stSlider"]', has_text="Community hub appointment").first
        slider.scroll_into_view_if_needed()
        value = slider.locator('input[type="range"]')
        assert float(value.get_attribute("value")) == pytest.approx(20.0)
        track = slider.locator('[role="group"] > div').first.bounding_box()

        started = time.perf_counter()
        page.mouse.click(track["x"] + 0.45 * track["width"], track["y"] + track["height"] / 2)
        deadline = started + 60
        while b_value(page) == before:
            assert time.perf_counter() < deadline, f"the tiles did not change (slider at {value.get_attribute('value')})"
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        page.get_by_text("B − A").first.wait_for()
        after = b_value(page)
        moved_to = float(value.get_attribute("value"))
        page.screenshot(path=str(tmp_path / "app.png"))
        browser.close()

    as_hours = lambda text: float(text.replace("k", "").replace(",", "")) * (1000 if "k" in text else 1)  # noqa: E731
    assert moved_to > 30
    assert as_hours(after) > as_hours(before)  # more hub appointments: more practitioner hours
    timing = {"first_page_seconds": round(first_page, 2), "slider_to_tiles_seconds": round(elapsed, 2), "hub_share_percent": moved_to,
              "hours_before": before, "hours_after": after}
    (tmp_path / "timing.json").write_text(json.dumps(timing))
    print(f"\nbrowser timing: {timing}; screenshot {tmp_path / 'app.png'}")


FLOW_LABELS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(e => e.offsetParent)
    .map(chart => {
        const svg = chart.querySelector('svg'), box = svg.getBoundingClientRect();
        return {width: box.width, labels: [...svg.querySelectorAll('g.mark-text text')].map(text => {
            const r = text.getBoundingClientRect();
            return {text: [...text.querySelectorAll('tspan')].map(t => t.textContent).join(' ') || text.textContent,
                    left: r.left - box.left, right: r.right - box.left, top: r.top - box.top,
                    bottom: r.bottom - box.top, height: box.height};
        })};
    })"""


def test_flow_diagram_labels_are_whole_inside_the_chart_and_apart_at_1366(server):
    with server.explained(), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(server.url)
        page.get_by_text("B − A").first.wait_for(timeout=120_000)
        page.locator(RUNNING).first.wait_for(state="detached", timeout=120_000)
        page.get_by_role("tab", name="Flows", exact=True).click()
        page.locator('[data-testid="stVegaLiteChart"] g.mark-text text').first.wait_for(timeout=30_000)
        charts = page.evaluate(FLOW_LABELS)
        main_width = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').getBoundingClientRect().width")
        browser.close()
    flow = [c for c in charts if any("a year" in label["text"] for label in c["labels"])]
    assert len(flow) == 2 and all(c["width"] > 0.6 * main_width for c in flow)  # as wide as the page allows
    texts = " | ".join(label["text"] for c in flow for label in c["labels"])
    for whole in ("Full needs assessment (Care Act)", "Resolved with information and advice",
                  "Support planning and brokerage", "Supported living", "Community hub appointment"):
        assert whole.replace(" ", "") in texts.replace(" ", ""), whole  # wrapped, never cut
    assert "…" not in texts
    for chart in flow:
        nodes = [label for label in chart["labels"] if "a year" in label["text"]]
        for label in nodes:
            assert 0 <= label["left"] and label["right"] <= chart["width"] + 0.5, label
            assert 0 <= label["top"] and label["bottom"] <= label["height"] + 0.5, label
        for i, first in enumerate(nodes):
            for second in nodes[i + 1:]:
                apart = (first["right"] <= second["left"] or second["right"] <= first["left"]
                         or first["bottom"] <= second["top"] or second["bottom"] <= first["top"])
                assert apart, (first["text"], second["text"])


def test_moving_the_hub_share_lists_the_shares_in_use(server):
    with server.explained(), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(server.url)
        page.get_by_text("B − A").first.wait_for(timeout=120_000)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_role("tab", name="Change B").click()
        panel = sidebar.get_by_role("tabpanel").filter(has_text="Front door").last
        panel.get_by_text("Front door", exact=True).click()
        slider = panel.locator('[data-testid="stSlider"]', has_text="Community hub appointment").first
        slider.scroll_into_view_if_needed()
        slider.get_by_role("slider").focus()
        page.keyboard.press("End")  # the share to its top, 100%: every other front-door route rescaled to 0
        shown = panel.get_by_text("Shares in use")
        shown.wait_for(timeout=60_000)
        text = shown.inner_text()
        page.locator(RUNNING).first.wait_for(state="detached", timeout=120_000)  # the run it started has ended
        browser.close()
    assert "Community hub appointment 100.0%" in text and "Home visit 0.0% (rescaled)" in text
