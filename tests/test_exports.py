"""Results as people keep them: labelled, named sides, one formatter, a settings header, CSV and Excel."""
import datetime as dt
import io
import re

import pandas as pd
import pytest

from flowsim import compare, load_scenario, load_scenario_text, vary
from flowsim.ui.exports import (RunSettings, edited_scenario, results_csv, results_table,
                                results_workbook)


@pytest.fixture(scope="module")
def pair():
    a = load_scenario("scenarios/barnet_current.yaml", ["time.horizon_days=30"])
    b = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=30"])
    return a, b, compare(a, b, reps=2, seed=3, processes=1)


def test_table_has_labels_named_sides_and_no_none(pair):
    a, b, comparison = pair
    table = results_table(comparison, a, b)
    assert list(table.columns) == ["KPI", "A: Barnet current — mean", "A: Barnet current — 95% CI",
                                   "B: Barnet new model — mean", "B: Barnet new model — 95% CI",
                                   "B − A — mean", "B − A — 95% CI"]
    text = table.to_string()
    assert "None" not in text and not re.search(r"\bnan\b", text) and "arrivals.front_door" not in text
    row = table.set_index("KPI").loc["People arriving: Social Care Direct / First point of contact"]  # each side's name
    assert row["A: Barnet current — mean"].replace(",", "").isdigit()
    hub = table.set_index("KPI").loc["People arriving: Community hub appointment (pilot) / Community hub appointment"]
    assert "People arriving: Home visit" in set(table["KPI"])  # only B has home visits: B's name
    assert hub["B − A — mean"].startswith("+")
    assert not table.drop(columns="KPI").stack().str.contains(r"\.\d{3}").any()  # never many decimals


def test_csv_starts_with_the_settings_and_has_no_index(pair):
    a, b, comparison = pair
    settings = RunSettings(a, b, 2, 3, dt.date(2026, 1, 2))
    text = results_csv(comparison, settings).decode("utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header[0].startswith("# Scenario A: Barnet current (Barnet, current model, 30 days")
    assert "# Paired replications: 2" in header and "# Random seed: 3" in header
    assert "# Run on: 2026-01-02" in header and any(line.startswith("# flowsim version: ") for line in header)
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert table.columns[0] == "KPI" and len(table) == len(results_table(comparison, a, b))


def test_workbook_holds_results_replications_and_inputs(pair):
    a, b, comparison = pair
    book = pd.read_excel(io.BytesIO(results_workbook(comparison, RunSettings(a, b, 2, 3, dt.date.today()))),
                         sheet_name=None)
    assert set(book) == {"Results", "Per replication", "Inputs"}
    assert book["Results"].iloc[0, 0] == "Scenario A"
    runs = book["Per replication"]
    assert set(runs["replication"]) == {1, 2} and set(runs["side"]) == {"A", "B"}
    contacts = runs[(runs["side"] == "A") & (runs["KPI"] == "Contacts")]["value"]
    assert list(contacts) == list(comparison.a.kpi_table()["contacts"])
    inputs = book["Inputs"]
    assert {"published", "assumption"} <= set(inputs["status"]) and inputs["source"].notna().all()


def test_an_edited_scenario_is_saved_under_a_new_name_and_loads(pair):
    a, _, _ = pair
    variant = vary(a, {"roles.social_worker.fte": 20})
    file_name, data = edited_scenario(variant)
    assert file_name == "barnet_current_edited.yaml"
    loaded = load_scenario_text(data, file_name)
    assert loaded.name == "barnet_current_edited" and loaded.description.startswith("Barnet current (edited)")
    assert loaded.roles["social_worker"].fte == 20
    assert edited_scenario(loaded)[0] == "barnet_current_edited.yaml"  # edited twice: not _edited_edited
