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
    assert "Waiting list by time waited" in [md.value.strip("*") for md in app.markdown]
    a, b, diff = (number(v) for v in shown["New packages of care a year"])
    assert diff == pytest.approx(b - a, abs=1.5)
    assert diff < 0  # the new model starts fewer packages


def test_the_expected_flows_warnings_share_one_box(app):
    boxes = [w.value for w in app.warning if "over capacity" in w.value]
    assert len(boxes) == 1  # one box for both sides, so the tiles stay on the first screen
    lines = boxes[0].splitlines()
    assert lines[0].startswith("- A") and "Social worker" in lines[0] and any(x.startswith("- B") for x in lines)


def test_the_packages_tab_says_whether_each_side_s_caseload_held_with_the_packages_it_started(app):
    [box] = [w.value for w in app.warning if "with the packages this run started" in w.value]
    assert "A\\: with the packages this run started" in box and "home care drains" in box
    assert "leave the lists unseen" in box  # and why a run's starts fall short of the expected flows'


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
    return next(d.value for d in at.dataframe if "total benefit" in d.value.columns)


def test_savings_line_and_options_appraisal_page(app):
    assert any(shown_text(md).startswith("Saving A − B") for md in app.markdown)
    app.radio(key="page").set_value("Options appraisal").run()
    assert not app.exception and not app.error
    table = appraisal_table(app)
    assert list(table.columns[:2]) == ["rank", "option"] and list(table["rank"]) == [1, 2, 3, 4, 5]
    assert list(table["total benefit"]) == ["£14.6m", "£12.8m", "£12.8m", "£12.8m", "£12.6m"]
    assert table["of ADM target"].iloc[0] == "107.4%"
    assert "format(datum.value / 1e6, ',.4~r') + 'm'" in chart_specs(app)  # the axis reads £20m, not 20,000,000
    app.checkbox[0].check().run()
    table = appraisal_table(app)
    # The simulated demand saving replaces the assumed "MTFS delivered", never adds to it.
    assert "MTFS delivered" not in table.columns
    simulated = table["simulated demand saving (95% CI)"].str.split(" ").str[0]
    for benefit, own, demand in zip(table["total benefit"], table["ADM savings"], simulated):
        assert number(benefit) == pytest.approx(number(own) + number(demand), abs=0.051e6)  # to the £0.1m shown


def test_localities_tab_and_a_scenario_built_from_counts(app):
    app.selectbox(key="choice_B").select("herefordshire_localities").run()
    app.selectbox(key="locality").select("east").run()
    assert not app.exception and not app.error, [shown_text(e) for e in app.error]
    table = next(d.value for d in app.dataframe if "KPI" in d.value.columns and "B − A" in d.value.columns)
    assert any("Locality social worker (east)" in k for k in table["KPI"])  # the scenario's own words
    cells = table.drop(columns="KPI").to_numpy().ravel().tolist()
    assert "None" not in map(str, cells) and all(isinstance(c, str) for c in cells)
    within = table[table["KPI"].str.startswith("Share seen within target")]
    assert len(within) and within.iloc[:, 1:3].map(lambda c: c.endswith("%") or c == "–").all().all()
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
    assert "Open cases per practitioner" in specs
    assert "Waiting list by time waited" in [md.value.strip("*") for md in app.markdown]


def test_moving_one_share_shows_the_shares_in_use(app):
    app.slider(key=HUB).set_value(98.0).run()
    assert not app.exception and not app.error
    shown = [shown_text(c) for c in app.caption if shown_text(c).startswith("Shares in use")]
    assert len(shown) == 1
    assert "Community hub appointment 98.0%" in shown[0] and "Home visit 0.1% (rescaled)" in shown[0]
    assert "Resolved with information and advice 1.3% (rescaled)" in shown[0]
    assert any("B = barnet_new_model [edited: 1 change]" in shown_text(c) for c in app.caption)
    download = app.get("download_button")
    assert any("Download edited scenario B" in str(d.proto.label) for d in download)


def test_every_view_reads_b_minus_a_and_savings_a_minus_b(app):
    tiles(app)
    assert all(m.label == "B − A" for m in app.metric)
    assert any(md.value.startswith("Saving A − B") for md in app.markdown)
    results = next(d.value for d in app.dataframe if "KPI" in d.value.columns and "B − A — mean" in d.value.columns)
    assert list(results.columns) == ["KPI", "A: Barnet current — mean", "A: Barnet current — 95% CI",
                                     "B: Barnet new model — mean", "B: Barnet new model — 95% CI",
                                     "B − A — mean", "B − A — 95% CI"]
    assert "None" not in results.to_string() and not results["KPI"].str.contains(r"^\w+\.\w+$").any()
    assert "bands coloured by B \\u2212 A" in chart_specs(app)  # B − A, as JSON writes it
    assert "a_mean" not in results.columns


def test_waiting_histogram_adds_up_to_people_a_year(app):
    caption = next(c.value for c in app.caption if c.value.startswith("People a year who finished this stage"))
    a, b = (number(v) for v in re.findall(r"[AB] ([\d,]+)", caption))
    results = next(d.value for d in app.dataframe if "B − A — mean" in d.value.columns).set_index("KPI")
    # everyone who finished the assessment in the year went on somewhere: the flows out of it
    leaving = results[results.index.str.startswith("People moving: Full needs assessment (Care Act) → ")]
    for finished, column in ((a, 0), (b, 2)):
        assert sum(number(v) for v in leaving.iloc[:, column]) == pytest.approx(finished, abs=len(leaving) + 1)


def test_committee_pack_opens_and_carries_the_tiles(app):
    app.button(key="prepare_pack").click().run(timeout=240)
    assert not app.exception and not app.error
    labels = [str(d.proto.label) for d in app.get("download_button")]
    assert "Download the committee pack (HTML)" in labels
    assert "Download the committee pack (PDF)" in labels or any("No PDF" in i.value for i in app.info)


def test_upload_keeps_the_results_until_a_valid_file_and_explains_a_file_too_big(app):
    app.selectbox(key="choice_A").select("Upload a scenario file…").run()
    assert not app.exception and not app.error
    assert any("Showing barnet_current until a valid file is uploaded" in i.value for i in app.info)
    assert tiles(app)  # the results stay
    app.file_uploader(key="upload_A").set_value(("broken.yaml", b"name: Bad\ncouncil: [", "application/x-yaml")).run()
    assert any("broken.yaml" in shown_text(e) for e in app.error)
    big = b"# " + b"x" * 1_100_000 + b"\n"
    app.file_uploader(key="upload_A").set_value(("big.yaml", big, "application/x-yaml")).run()
    errors = [shown_text(e) for e in app.error]
    assert any("big.yaml is 1,100,003 bytes" in e for e in errors) and not any("broken.yaml" in e for e in errors)
    assert tiles(app)


def test_about_the_model_counts_published_figures_and_assumptions(app):
    about = next(d.value for d in app.dataframe if "numbers that are" in d.value.columns)
    published = about.set_index("numbers that are").loc["published figures"]
    assert published.iloc[0] > 0 and published.iloc[1] > 0
    assert any("simulation noise only" in md.value for md in app.markdown)


def test_council_profile_page_shows_observed_against_modelled(app):
    app.radio(key="page").set_value("Council profile").run()
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    requests = table[(table["figure"] == "Requests for support from new clients") & (table["year"] == "2015/16")]
    assert list(requests["observed"]) == ["8,455"] and list(requests["within tolerance"]) == ["yes (±5.0%)"]
    assert any("Steady state" in w.value for w in app.warning)
    # barnet_current's home care grows: the fit section offers to hold it, freeing the durations
    assert app.checkbox(key="fit_steady").value
    assert "outcomes.home_care.mean_duration_weeks" in app.multiselect(key="fit_free_barnet_current").value
    app.button(key="fit_run").click().run(timeout=120)
    assert not app.exception and not app.error
    assert any("The fitted caseload holds" in s.value for s in app.success)
    fitted = app.dataframe[1].value.set_index("free parameter")
    assert fitted.loc["outcomes.home_care.mean_duration_weeks", "was"] == "170"
    app.selectbox(key="profile_choice").set_value("Upload a profile…").run()
    assert not app.exception


def test_client_groups_have_their_growth_sliders_and_a_table(app):
    app.selectbox(key="choice_B").set_value("barnet_winter_2025").run()
    assert not app.exception and not app.error
    older = app.slider(key="B|barnet_winter_2025|demand.groups.older_adults.annual_growth")
    assert older.value == pytest.approx(2.405, abs=0.01)  # percent
    assert "By client group" in [h.value for h in app.subheader]
    table = next(df.value for df in app.dataframe
                 if "KPI" in df.value and df.value["KPI"].str.startswith("Contacts by client group").any())
    assert "Contacts by client group: Older adults (65+)" in set(table["KPI"])


def test_the_profile_fit_offers_the_routes_from_reviews_the_scenario_does_not_have_yet(app):
    app.radio(key="page").set_value("Council profile").run()
    app.checkbox(key="fit_steady").set_value(False).run()
    free = app.multiselect(key="fit_free_barnet_current")
    new = ["stages.review.routes.enablement", "stages.review.routes.residential_care",
           "outcomes.review_increase.alongside.telecare"]
    assert set(new) <= set(free.options)
    free.set_value(new).run()
    app.button(key="fit_run").click().run(timeout=120)
    assert not app.exception and not app.error
    fitted = app.dataframe[1].value.set_index("free parameter")
    assert fitted.loc["outcomes.review_increase.alongside.telecare", "was"] == "0"
    assert float(fitted.loc["outcomes.review_increase.alongside.telecare", "fitted"]) > 0.3
