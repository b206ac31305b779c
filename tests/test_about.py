"""What stands behind a scenario: its numbers counted by source."""
from flowsim import load_scenario
from flowsim.provenance import number_sources
from flowsim.ui.about import provenance_table, source_counts, summary_sentence


def test_counts_add_up_to_every_number():
    scenario = load_scenario("scenarios/barnet_new_model.yaml")
    counts = source_counts(scenario)
    assert sum(counts.values()) == len(number_sources(scenario))
    assert counts["published"] > 0 and counts["assumption"] > 0
    table = provenance_table({"A": scenario}).set_index("numbers that are")
    assert table.loc["published figures", "A"] == counts["published"]
    assert table.loc["assumptions (with a reason)", "A"] == counts["assumption"]
    assert f"{counts['assumption']} assumptions" in summary_sentence("A", scenario)
