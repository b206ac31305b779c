"""The app's direct questions (flowsim.ui.questions), driven by streamlit's AppTest on an M/M/c scenario."""
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def staffing_script():
    from flowsim.runner import SerialRunner
    from flowsim.scenario.load import scenario_from_document
    from flowsim.ui.questions import sensitivity_question, staffing_question
    from tests.conftest import queue_document

    document = queue_document(3, 100, 60.0, warm_up_days=10, horizon_days=60)
    document["stages"]["service"]["wait_target_days"] = 1 / 96
    document["stages"]["service"]["work"]["mean_minutes"] = {
        "value": 60.0, "source": "test", "status": "assumption", "reason": "a test range", "low": 50.0, "high": 70.0}
    scenario = scenario_from_document(document, "mmc.yaml")
    staffing_question(scenario, SerialRunner(), 0)
    sensitivity_question(scenario, SerialRunner(), 0)


def test_staffing_question_answers_with_erlang_c_and_its_meaning():
    at = AppTest.from_function(staffing_script, default_timeout=300)
    at.run()
    assert not at.exception
    next(s for s in at.slider if s.label == "FTE to search").set_value((3.0, 9.0))  # 90% and 90% sure: defaults
    at.button[0].click().run()
    assert not at.exception and not at.error
    answer = " ".join(s.value for s in at.success)
    assert "**7 FTE**" in answer and "90% of people" in answer  # Erlang C: 7 servers give 92%
    assert {3, 9} <= set(at.dataframe[0].value["FTE"])  # the ends of the range are tried first


def test_sensitivity_question_draws_a_tornado():
    at = AppTest.from_function(staffing_script, default_timeout=300)
    at.run()
    at.selectbox[-1].set_value("wait_mean_days.service")
    at.button[1].click().run()
    assert not at.exception and not at.error
    shown = " ".join(re.sub(r"\\(.)", r"\1", c.value) for c in at.caption)  # without the escapes of plain()
    assert "stages.service.work.mean_minutes moves it most" in shown
