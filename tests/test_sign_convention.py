"""One sign in every view: a difference is B − A (the effect of moving from A to B), a saving A − B.

The new model starts fewer packages than the current one, so with A = current
and B = new, every view must show that difference as negative and the money
saved as positive.
"""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from flowsim import compare, load_scenario
from flowsim.cli import main
from flowsim.finance import savings

ROOT = Path(__file__).resolve().parents[1]
A, B = "scenarios/barnet_current.yaml", "scenarios/barnet_new_model.yaml"


def signed(text: str) -> float:
    """'−214 ±17' → -214; '+£569k' → 569000."""
    head = text.split("±")[0].split("(")[0].strip().replace("£", "").replace(",", "").replace("−", "-")
    scale = {"k": 1e3, "m": 1e6}.get(head[-1], 1)
    return float(head.rstrip("km")) * scale


@pytest.fixture(scope="module")
def comparison():
    a = load_scenario(A, ["time.horizon_days=60"])
    b = load_scenario(B, ["time.horizon_days=60"])
    return compare(a, b, reps=3, seed=0), a, b


def test_library_table_is_b_minus_a(comparison):
    comparison, a, b = comparison
    table = comparison.table().set_index("kpi")
    assert {"b_minus_a_mean", "b_minus_a_ci_low", "b_minus_a_ci_high"} <= set(table.columns)
    row = table.loc["new_packages.total"]
    assert row["b_minus_a_mean"] == pytest.approx(row["b_mean"] - row["a_mean"])
    assert row["b_minus_a_mean"] < 0
    cost = table.loc["package_cost.horizon"]
    saved = savings(comparison, a, b).total(part="package")
    assert saved["mean"] == pytest.approx(-cost["b_minus_a_mean"])  # a saving is A − B
    assert saved["ci_low"] == pytest.approx(-cost["b_minus_a_ci_high"])


def test_cli_compare_json_and_text_are_b_minus_a():
    args = ["compare", A, B, "--reps", "3", "--days", "60", "--seed", "0"]
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    packages = data["kpis"]["new_packages.total"]
    assert packages["b_minus_a_mean"] == pytest.approx(packages["b_mean"] - packages["a_mean"])
    assert packages["b_minus_a_mean"] < 0
    cost = data["kpis"]["package_cost.horizon"]["b_minus_a_mean"]
    assert data["saving_a_minus_b"]["periods"]["horizon"]["package"]["mean"] == pytest.approx(-cost)
    text = CliRunner().invoke(main, args).output
    assert "B − A ±95% CI" in text and "Saving A − B" in text
    cells = next(line for line in text.splitlines() if line.strip().startswith("New packages: All")).split("│")
    a, b, diff = (signed(c) for c in cells[1:4])
    assert diff == pytest.approx(b - a, abs=1) and diff < 0
    horizon = next(line for line in text.splitlines() if line.strip().startswith("whole horizon")).split("│")
    assert signed(horizon[1]) == pytest.approx(-cost, rel=0.01)  # packages gross, A − B


def test_app_tile_delta_and_table_are_b_minus_a():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["reps"] = 3
    at.session_state["horizon"] = 90
    at.run()
    assert not at.exception and not at.error
    labels = [md.value.strip("*") for md in at.markdown if md.value.startswith("**")]
    sides = [md.value for md in at.markdown if md.value.startswith("A&nbsp;")]
    i = labels.index("New packages of care a year")
    a, b = (signed(v.split("**")[1]) for v in sides[i].split("&nbsp;·&nbsp;"))
    metric = at.metric[i]
    assert metric.label == "B − A"
    assert signed(metric.value) == pytest.approx(b - a, abs=1.5) and signed(metric.value) < 0
    table = next(d.value for d in at.dataframe if "B − A — mean" in d.value.columns)
    row = table.set_index("KPI").loc["New packages: All"]
    a_mean, b_mean = (signed(row[c]) for c in table.columns if c.endswith("— mean") and not c.startswith("B − A"))
    assert signed(row["B − A — mean"]) == pytest.approx(b_mean - a_mean, abs=1.5) and signed(row["B − A — mean"]) < 0
    assert any(md.value.startswith("Saving A − B") and "**+£" in md.value for md in at.markdown)
