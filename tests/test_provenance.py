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


def test_people_see_publications_by_title_and_files_by_name(shipped_path, tmp_path):
    import shutil

    from flowsim import cite, source_notes

    copy = tmp_path / shipped_path.name
    shutil.copy(shipped_path, copy)
    notes = source_notes(load_scenario(copy))
    for note in notes.values():
        assert ".txt" not in note and "seed 0" not in note, note
        assert "published: published" not in note.lower(), note
        assert str(tmp_path) not in note, note  # never a path on the machine that ran it
    assert any(note.startswith("Published: ") for note in notes.values())
    assert cite("seed 004_16406b4a10fba64a.txt §8.26") == (
        'Herefordshire Council, Cabinet – Health & Wellbeing 25 July 2013, "Adult Social Care – Next Stage '
        'Integration – Wye Valley NHS Trust", §8.26')


def test_examples_refer_only_to_things_that_exist():
    text = open("examples/barnet_counts.csv", encoding="utf-8").read()
    assert "DOMAIN.md" not in text and "seed 0" not in text
