"""The app in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run app.py`.

Skipped only outside CI when Chromium is not installed; `.ci/run` installs it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOURS = "Practitioner hours worked a year"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is missing: .ci/run should have installed it")
    pytest.skip("Debian's chromium is not installed here", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("streamlit did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def b_value(page) -> str:
    """The B value in the practitioner-hours tile, e.g. '52.0k'."""
    tile = page.locator('[data-testid="stColumn"]', has_text=HOURS).last
    text = tile.inner_text()
    return re.search(r"B\s+([−\-]?[\d.,]+k?)", text).group(1)


def test_moving_the_hub_slider_updates_the_tiles(app_url, tmp_path):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(app_url)
        page.get_by_text("B − A").first.wait_for(timeout=120_000)
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
            assert time.perf_counter() < deadline, "the tiles did not change"
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
    timing = {"slider_to_tiles_seconds": round(elapsed, 2), "hub_share_percent": moved_to,
              "hours_before": before, "hours_after": after}
    (tmp_path / "timing.json").write_text(json.dumps(timing))
    print(f"\nbrowser timing: {timing}; screenshot {tmp_path / 'app.png'}")
