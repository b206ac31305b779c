"""The app on a shared server, driven by AppTest: Run control, refusals, no tracebacks, people's text as text."""
import re
import time
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
HUB = "B|barnet_new_model|stages.front_door.routes.community_hub"
HOURS = "Practitioner hours worked a year"
MARKDOWN = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def session(reps: int = 2, horizon: int = 60) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["reps"] = reps
    at.session_state["horizon"] = horizon
    return at.run()


def hours_b(at) -> str:
    """B's practitioner hours as the tile shows them."""
    texts = [md.value for md in at.markdown]
    line = texts[texts.index(f"**{HOURS}**") + 1]
    return re.findall(r"\*\*([^*]+)\*\*", line)[1]


def messages(elements) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", e.value) for e in elements]


def upload(at, side: str, name: str, data: bytes):
    at.selectbox(key=f"choice_{side}").select("Upload a scenario file…").run()
    return at.file_uploader(key=f"upload_{side}").set_value((name, data, "application/x-yaml")).run()


def shropshire(**changes) -> dict:
    document = yaml.safe_load((ROOT / "scenarios/shropshire_p2p.yaml").read_text())
    document.update(changes)
    return document


@pytest.fixture(scope="module")
def at():
    return session()


def test_without_automatic_runs_the_tiles_wait_for_the_run_button(at):
    assert not at.exception and not at.error
    before = hours_b(at)
    at.checkbox(key="auto_run").uncheck().run()
    at.slider(key=HUB).set_value(60.0).run()
    assert hours_b(at) == before  # the last run's results stay in place
    assert any("press Run" in i.value for i in at.info)
    at.button(key="run").click().run()
    assert not at.exception and not at.error
    assert hours_b(at) != before
    assert not any("press Run" in i.value for i in at.info)
    at.checkbox(key="auto_run").check().run()


def test_a_huge_upload_is_refused_with_a_message_while_another_session_stays_responsive(at):
    started = time.perf_counter()
    other = session()
    alone = time.perf_counter() - started
    huge = yaml.safe_dump(shropshire(demand={**shropshire()["demand"], "contacts_per_year": 2_000_000}))  # valid, too big to run
    upload(at, "A", "huge.yaml", huge.encode())
    assert not at.exception
    refusals = [m for m in messages(at.error) if "at most 250,000 per replication" in m]
    assert refusals and "shropshire_p2p" in refusals[0]
    assert any(f"**{HOURS}**" == md.value for md in at.markdown)  # the last results are still shown
    started = time.perf_counter()
    other.slider(key=HUB).set_value(30.0).run()
    assert not other.exception and not other.error
    assert time.perf_counter() - started < 10 * alone + 30  # not held up by the refused run
    at.selectbox(key="choice_A").select("barnet_current").run()


def test_uploads_that_cannot_be_used_give_messages_never_a_traceback(at):
    broken = {
        "mapping.yaml": yaml.safe_dump(shropshire(name={"a": 1})).encode(),
        "binary.yaml": bytes(range(256)),
        "python.yaml": b"!!python/object/apply:os.system ['true']\n",
        "empty.yaml": b"",
    }
    for name, data in broken.items():
        upload(at, "A", name, data)
        assert not at.exception, (name, at.exception)
        assert any(name in m for m in messages(at.error)), name
    at.selectbox(key="choice_A").select("barnet_current").run()


def test_markdown_in_peoples_text_is_shown_as_text(at):
    document = shropshire(council="![seen](https://tracker.example/pixel.png)", name="shropshire_draft")
    document["stages"]["front_door"]["label"] = "**Front** door ![x](https://tracker.example/label.png)"
    upload(at, "A", "[draft] ![file](https://tracker.example/f.png).yaml", yaml.safe_dump(document).encode())
    assert not at.exception and not at.error, messages(at.error)
    shown = [e.value for kind in ("markdown", "caption", "error", "warning", "info") for e in at.get(kind)]
    shown += [e.label for kind in ("slider", "selectbox", "checkbox", "number_input") for e in at.get(kind)]
    shown += [e.help or "" for e in at.get("slider")]
    assert any("tracker" in text for text in shown)
    for text in shown:
        html = MARKDOWN.render(text)
        assert "<img" not in html and "<strong>Front" not in html, text
    at.selectbox(key="choice_A").select("barnet_current").run()


def test_a_cleared_cell_on_the_options_appraisal_page_gives_a_message(at):
    at.radio(key="page").set_value("Options appraisal").run()
    at.session_state["appraisal_inputs"] = {"edited_rows": {0: {"total savings (£)": None}},
                                            "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    assert any("cannot be used" in m for m in messages(at.error))
    at.radio(key="page").set_value("Compare operating models").run()


def test_the_shipped_server_settings():
    import tomllib

    from flowsim.uploads import MAX_UPLOAD_BYTES

    settings = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())
    server, client = settings["server"], settings["client"]
    # Above flowsim's own limit, so a file a little too big gets flowsim's message; still small (5 MiB).
    assert MAX_UPLOAD_BYTES < server["maxUploadSize"] * 1024 * 1024 <= 5 * 1024 * 1024
    assert server["enableCORS"] is True and server["enableXsrfProtection"] is True
    assert server["fileWatcherType"] == "none" and server["headless"] is True
    assert client["toolbarMode"] == "viewer" and client["showErrorDetails"] == "none"


def test_a_killed_worker_costs_the_app_a_retry_not_an_error(at):
    import os
    import signal

    from flowsim.runner import shared_pool

    pool = shared_pool()
    replaced = pool.replacements
    for pid in {pool.submit(os.getpid).result(60) for _ in range(4)}:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    before = hours_b(at)
    at.slider(key=HUB).set_value(35.0).run()
    assert not at.exception and not at.error, messages(at.error)
    assert hours_b(at) != before
    assert pool.replacements > replaced
