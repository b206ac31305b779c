"""Localities: each part of the area has its own stages and teams; results add up."""
import pytest

from flowsim import InputError, expected_flows, load_scenario, run
from flowsim.scenario.load import scenario_from_document

HEREFORDSHIRE = "scenarios/herefordshire_localities.yaml"
PLACES = ["city", "east", "west"]


@pytest.fixture(scope="module")
def herefordshire():
    return load_scenario(HEREFORDSHIRE)


def test_expansion_gives_each_locality_its_stages_teams_and_contacts(herefordshire):
    assert herefordshire.locality_names == PLACES
    assert {"social_work__city", "ot_assessment__west"} <= set(herefordshire.stages)
    assert "social_work" not in herefordshire.stages and "front_door" in herefordshire.stages  # shared stays shared
    assert herefordshire.roles["locality_social_worker__city"].fte == 1.5
    assert herefordshire.demand.sources["community__east"] == pytest.approx(
        0.3 * (1 - sum(v for k, v in herefordshire.demand.sources.items() if not k.startswith("community"))))
    assert herefordshire.stages["front_door"].shares_for("community__east")["social_work__east"] > 0
    assert "social_work__city" not in herefordshire.stages["front_door"].shares_for("community__east")


def test_people_go_to_their_own_locality(herefordshire):
    flows = expected_flows(herefordshire)
    total = sum(flows.stages[f"social_work__{p}"] for p in PLACES)
    for place, share in zip(PLACES, [0.4, 0.3, 0.3]):
        assert flows.stages[f"social_work__{place}"] / total == pytest.approx(share)
        assert flows.by_source[f"community__{place}"].get(f"social_work__{[p for p in PLACES if p != place][0]}",
                                                          0) == 0


def test_locality_totals_equal_the_sum_of_localities(herefordshire):
    short = load_scenario(HEREFORDSHIRE, ["time.horizon_days=90"])
    table = run(short, reps=2, seed=3, detail=False).kpi_table()
    for measure in ("arrivals", "waiting_at_end", "hours_delivered"):
        for thing in ("social_work", "ot_assessment") if measure != "hours_delivered" else (
                "locality_social_worker", "occupational_therapist"):
            parts = table[[f"{measure}.{thing}__{p}" for p in PLACES]].sum(axis=1)
            assert table[f"{measure}.{thing}"].to_numpy() == pytest.approx(parts.to_numpy())
    assert (table["utilisation.occupational_therapist"] <= 1).all()


def test_local_stages_and_teams_are_checked(tiny):
    document = tiny()
    document["localities"] = {"shares": {"north": 0.5, "south": 0.5}, "stages": ["assessment"],
                              "roles": {"social_worker": {"north": 1, "south": 1}}}
    with pytest.raises(InputError, match="the localities' FTE add up to 2, but roles.social_worker.fte is 3"):
        scenario_from_document(document, "t.yaml")
    document["localities"]["roles"] = {"adviser": {"north": 1, "south": 1}}
    with pytest.raises(InputError, match="a local role can only work at local stages; 'front_door' is shared"):
        scenario_from_document(document, "t.yaml")
    document["localities"] = {"shares": {"north": 1.0}, "stages": []}
    with pytest.raises(InputError, match="at least two localities"):
        scenario_from_document(document, "t.yaml")


def test_an_override_of_a_locality_share_is_revalidated(herefordshire):
    changed = load_scenario(HEREFORDSHIRE, ["localities.shares.city=0.6", "localities.shares.east=0.2",
                                            "localities.shares.west=0.2"])
    flows = expected_flows(changed)
    total = sum(flows.stages[f"social_work__{p}"] for p in PLACES)
    assert flows.stages["social_work__city"] / total == pytest.approx(0.6)
