"""The Streamlit app, driven by streamlit.testing's AppTest (no browser)."""
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
HUB = "B|barnet_new_model|stages.front_door.routes.community_hub"


def number(text: str) -> float:
    """'75.3k' → 75300, '£71.86m' → 71860000, '−3.0%' → -3.0."""
    text = text.replace("£", "").replace(",", "").replace("%", "").replace("+", "").replace("−", "-")
    scale = {"k": 1e3, "m": 1e6}.get(text[-1], 1)
    return float(text.rstrip("km")) * scale


def shown_text(element) -> str:
    """What an element shows: its Markdown with the escapes that keep people's text literal removed."""
    return re.sub(r"\\(.)", r"\1", element.value)


@pytest.fixture
def app():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["reps"] = 3
    return at.run()


def tiles(at) -> dict[str, list[str]]:
    """Tile values by headline: [A, B, B − A]."""
    texts = [shown_text(md) for md in at.markdown]
    shown = {}
    for i, text in enumerate(texts):
        if text.startswith("**") and i + 1 < len(texts) and texts[i + 1].startswith("A&nbsp;"):
            a, b = re.findall(r"\*\*([^*]+)\*\*", texts[i + 1])
            shown[text.strip("*")] = [a, b]
    for name, metric in zip(shown, at.metric):
        shown[name].append(metric.value)
    return shown


def test_opens_with_the_default_pair_and_no_errors(app):
    assert not app.exception and not app.error
    assert app.selectbox(key="choice_A").value == "barnet_current"
    assert app.selectbox(key="choice_B").value == "barnet_new_model"
    shown = tiles(app)
    assert {"Practitioner hours worked a year", "New packages of care a year", "Package cost a year (£)"} <= set(shown)
    a_cases, b_cases, _ = shown["Open cases per social worker, average"]  # both sides hold caseloads
    assert number(a_cases) > 0 and number(b_cases) > 0
    assert "Waiting list by time waited" in chart_specs(app)
    a, b, diff = (number(v) for v in shown["New packages of care a year"])
    assert diff == pytest.approx(b - a, abs=1.5)
    assert diff < 0  # the new model starts fewer packages


def test_sliders_start_at_the_scenario_value_with_their_source(app):
    hub = app.slider(key=HUB)
    assert hub.value == pytest.approx(20.0)
    shown = hub.help.replace("\\", "")  # Markdown escapes: the help is shown as written
    assert shown.startswith("Published: London Borough of Barnet") and ".txt" not in shown


def test_more_hub_appointments_means_more_hub_hours_and_fewer_closed_at_the_door(app):
    before = number(tiles(app)["Practitioner hours worked a year"][1])
    app.slider(key=HUB).set_value(40.0).run()
    assert not app.exception and not app.error
    after = number(tiles(app)["Practitioner hours worked a year"][1])
    assert after > before
    assert any(shown_text(md).startswith("Expected (no simulation)") for md in app.markdown)


def test_impossible_shares_show_a_message_and_keep_the_last_good_settings(app):
    app.slider(key="B|barnet_new_model|stages.front_door.routes.home_visit").set_value(50.0).run()
    app.slider(key=HUB).set_value(60.0).run()
    assert not app.exception
    assert any("more than 100%" in shown_text(e) for e in app.error)
    assert tiles(app)  # the last good results are still shown


def test_invalid_upload_shows_the_problems_and_no_traceback(app):
    app.selectbox(key="choice_A").select("Upload a scenario file…").run()
    app.file_uploader(key="upload_A").set_value(("broken.yaml", b"name: Bad\ncouncil: [", "application/x-yaml")).run()
    assert not app.exception
    assert any("broken.yaml" in shown_text(e) and "not valid YAML" in shown_text(e) for e in app.error)
    good = (ROOT / "scenarios/shropshire_p2p.yaml").read_bytes()
    app.file_uploader(key="upload_A").set_value(("mine.yaml", good, "application/x-yaml")).run()
    assert not app.exception and not app.error
    assert any("A = shropshire_p2p" in shown_text(c) for c in app.caption)
    wrong = good.replace(b"horizon_days: 365", b"horizon_dayz: 365")
    app.file_uploader(key="upload_A").set_value(("typo.yaml", wrong, "application/x-yaml")).run()
    assert any("time.horizon_dayz: unknown field" in shown_text(e) for e in app.error)
    assert any("A = shropshire_p2p" in shown_text(c) for c in app.caption)  # the last good file is kept


def appraisal_table(at):
    return next(d.value for d in at.dataframe if "total benefit (£)" in d.value.columns)


def test_savings_line_and_options_appraisal_page(app):
    assert any(shown_text(md).startswith("Saving A − B") for md in app.markdown)
    app.radio(key="page").set_value("Options appraisal").run()
    assert not app.exception and not app.error
    table = appraisal_table(app)
    assert list(table["total benefit (£)"]) == [14_557_643, 12_818_695, 12_803_868, 12_752_221, 12_601_035]
    app.checkbox[0].check().run()
    table = appraisal_table(app)
    # The simulated demand saving replaces the assumed "MTFS delivered", never adds to it.
    assert (table["total benefit (£)"] == table["ADM savings (£)"] + table["simulated demand saving (£)"]).all()


def test_localities_tab_and_a_scenario_built_from_counts(app):
    app.selectbox(key="choice_B").select("herefordshire_localities").run()
    app.selectbox(key="locality").select("east").run()
    assert not app.exception and not app.error, [shown_text(e) for e in app.error]
    table = next(d.value for d in app.dataframe if "KPI" in d.value.columns)
    assert any("Locality social worker (East)" in k for k in table["KPI"])
    app.selectbox(key="choice_A").select("Build from a council's counts (CSV)…").run()
    counts = (ROOT / "examples/barnet_counts.csv").read_bytes()
    app.file_uploader(key="counts_A").set_value(("barnet_counts.csv", counts, "text/csv")).run()
    assert not app.exception and not app.error, [shown_text(e) for e in app.error]
    assert any("A = barnet_counts" in shown_text(c) for c in app.caption)
    bad = b"from,to,people\ncommunity,front_door,10\nfront_door,advice,30\n"
    app.file_uploader(key="counts_A").set_value(("bad.csv", bad, "text/csv")).run()
    assert any("inconsistent" in shown_text(e) for e in app.error)
    assert any("A = barnet_counts" in shown_text(c) for c in app.caption)


def test_team_table_upload_staffs_the_mapped_roles(app):
    table = (ROOT / "data/teams/bnes.csv").read_bytes()
    app.file_uploader(key="teams_B|barnet_new_model").set_value(("bnes.csv", table, "text/csv")).run()
    app.selectbox(key="team_B|barnet_new_model|First Response").select("front_door_adviser").run()
    assert not app.exception and not app.error
    assert any("FTE from the table: Social Care Direct adviser 8.2" in shown_text(c) for c in app.caption)
    app.file_uploader(key="teams_B|barnet_new_model").set_value(("bad.csv", b"team,fte\nA,lots\n", "text/csv")).run()
    assert any("bad.csv: line 2: fte 'lots' is not a number" in shown_text(e) for e in app.error)


def chart_specs(at) -> str:
    """The Vega-Lite specs of every chart on the page, as one text."""
    return " ".join(element.proto.spec for element in at.get("vega_lite_chart"))


def test_waiting_and_caseload_tiles_and_charts_for_a_side_holding_cases(app):
    import yaml

    import flowsim
    from tests.conftest import ONE_SITTING_BARNET

    # A: Barnet as it was modelled before case stages (no caseloads); B: the shipped new model (caseloads).
    document = flowsim.scenario_document(flowsim.load_scenario(ONE_SITTING_BARNET, {"time.horizon_days": 120}))
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True).encode("utf-8")
    app.selectbox(key="choice_A").select("Upload a scenario file…").run()
    app.file_uploader(key="upload_A").set_value(("one_sitting.yaml", text, "application/x-yaml")).run()
    assert not app.exception and not app.error, [shown_text(e) for e in app.error]
    shown = tiles(app)
    assert {"Full needs assessment (Care Act): request to completion, median (days)",
            "People waiting over 6 months at the end", "Open cases per social worker, average"} <= set(shown)
    a, b, _ = shown["Open cases per social worker, average"]
    assert a == "–" and number(b) > 0  # A holds no caseloads
    specs = chart_specs(app)
    assert "Waiting list by time waited" in specs and "Open cases per practitioner" in specs


def test_council_profile_page_shows_observed_against_modelled(app):
    app.radio(key="page").set_value("Council profile").run()
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    requests = table[(table["figure"] == "Requests for support from new clients") & (table["year"] == "2015/16")]
    assert list(requests["observed"]) == ["8,455"] and list(requests["within tolerance"]) == ["yes (±5.0%)"]
    assert any("Steady state" in w.value for w in app.warning)
    app.selectbox(key="profile_choice").set_value("Upload a profile…").run()
    assert not app.exception
