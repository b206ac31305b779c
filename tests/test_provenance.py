"""Every number in the shipped scenarios says where it came from."""
from flowsim import load_scenario, number_sources


def test_shipped_scenarios_take_their_numbers_from_data(shipped_path):
    rows = number_sources(load_scenario(shipped_path))
    written = [r for r in rows if r.status == "scenario file"]
    # Only structure may be written inline: a single route of 1, or no growth.
    assert all(r.value in (0, 1) for r in written), [(r.path, r.value) for r in written]
    assert {r.status for r in rows} <= {"published", "derived", "assumption", "rest", "setting", "scenario file", "flowsim default"}
    assert any(r.status == "published" for r in rows)


def test_assumptions_are_never_labelled_published():
    rows = number_sources(load_scenario("scenarios/barnet_current.yaml"))
    by_path = {r.path: r for r in rows}
    assert by_path["roles.occupational_therapist.fte"].status == "assumption"
    assert by_path["roles.social_worker.fte"].status == "derived"  # from B&NES's published teams, per head
    assert by_path["demand.sources.secondary_health"].status == "published"
    assert by_path["demand.contacts_per_year"].status == "derived"
