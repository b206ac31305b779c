"""Team tables: a council's own team FTEs staff the roles they are mapped to."""
import pytest

from flowsim import InputError, load_scenario, number_sources, scenario_document
from flowsim.scenario.load import scenario_from_document
from flowsim.scenario.teams import unmapped_teams

BNES = "scenarios/bnes_inhouse.yaml"


def test_mapped_roles_take_their_teams_fte_with_provenance():
    scenario = load_scenario(BNES)
    assert scenario.roles["front_door_adviser"].fte == pytest.approx(8.20)
    assert scenario.roles["social_worker"].fte == pytest.approx(23.95)
    assert scenario.roles["review_officer"].fte == pytest.approx(7.51)
    row = {r.path: r for r in number_sources(scenario)}["roles.social_worker.fte"]
    assert row.status == "derived" and "Bath & North East Somerset Council, Cabinet 10 November 2022" in row.source
    names = {t.name for t in unmapped_teams(scenario_document(scenario))}
    assert "LD Carrswood" in names and "First Response" not in names and "LD Social Work Team" not in names
    assert len(names) == 9
    assert scenario.roles["ld_social_worker"].fte == pytest.approx(14.61 + 5.31)  # LD and autism teams


def test_several_teams_add_up_and_an_override_wins(tiny):
    document = tiny()
    del document["roles"]["social_worker"]["fte"]
    document["team_table"] = {"file": "teams/bnes.csv", "roles": {"Autism Social Work Team": "social_worker",
                                                                  "LD Social Work Team": "social_worker"}}
    scenario = scenario_from_document(document, "t.yaml")
    assert scenario.roles["social_worker"].fte == pytest.approx(5.31 + 14.61)
    changed = scenario_from_document(document, "t.yaml", {"roles.social_worker.fte": 12})
    assert changed.roles["social_worker"].fte == 12


@pytest.mark.parametrize("table, message", [
    ({"file": "/etc/passwd", "roles": {}}, "must be a .csv path inside data/"),
    ({"file": "../secrets.csv", "roles": {}}, "must be a .csv path inside data/"),
    ({"file": "teams/nowhere.csv", "roles": {}}, "data/teams/nowhere.csv does not exist"),
    ({"file": "teams/bnes.csv", "roles": {"Imaginary Team": "adviser"}}, "is not a team in data/teams/bnes.csv"),
    ({"file": "teams/bnes.csv", "roles": {"First Response": "receptionist"}}, "role 'receptionist' is not in roles"),
    ({"file": "teams/bnes.csv", "roles": {"First Response": "adviser"}}, "is given here and by team_table"),
])
def test_bad_team_tables_are_clear_errors(tiny, table, message):
    document = tiny()
    document["team_table"] = table
    with pytest.raises(InputError, match=message):
        scenario_from_document(document, "t.yaml")
