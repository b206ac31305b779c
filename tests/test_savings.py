"""Savings of one model against another: like-for-like targets, the whole staff budget, net of contributions,
the transition and its cost, and the cost of delay and unmet need of a staffing cut."""
import numpy as np
import pandas as pd
import pytest

from flowsim import compare, load_scenario
from flowsim.finance import savings
from flowsim.finance.savings import CI_HIGH, CI_LOW, MEAN, NOT_COMPARABLE
from flowsim.finance.statement import in_force, side_money
from flowsim.scenario.load import scenario_from_document
from tests.conftest import tiny_document

PAIR = ("scenarios/barnet_current_2017_2020.yaml", "scenarios/barnet_new_model_2017_2020.yaml")


@pytest.fixture(scope="module")
def barnet_pair():
    a, b = (load_scenario(path, ["time.horizon_days=400"]) for path in PAIR)
    return compare(a, b, reps=3, seed=4), a, b


def test_a_scenario_against_itself_saves_nothing():
    scenario = load_scenario("scenarios/barnet_new_model.yaml", ["time.horizon_days=60"])
    saved = savings(compare(scenario, scenario, reps=3, seed=1), scenario, scenario, target=1.0)
    for row in saved.table.to_dict("records"):
        assert row[MEAN] == 0 and row[CI_LOW] <= 0 <= row[CI_HIGH]
    assert set(saved.verdicts["status"]) == {"not met"}


def test_barnet_targets_are_judged_like_for_like(barnet_pair):
    """The £1.96m ADM target is on staff and transport, so package savings never meet it; packages go
    against the £13.1m demand target (seed 000, section 6 and footnote 5)."""
    comparison, a, b = barnet_pair
    saved = savings(comparison, a, b)
    verdicts = saved.verdicts.set_index(["target", "period"])
    adm = verdicts.loc["adm_staff_and_transport"]
    assert set(adm["part"]) == {"staff"} and adm.loc["horizon", "target_amount"] == 1_960_000
    assert list(adm.index) == ["2017_18", "2018_19", "2019_20", "horizon"]
    assert (adm.loc[["2017_18", "2018_19", "2019_20"], "target_amount"] == 654_000).all()
    # Package savings dwarf the staff saving: judged on the total, the ADM target would look nearer than it is.
    assert saved.total("horizon", "package")["mean"] > 5 * saved.total("horizon", "staff")["mean"] > 0
    assert "met" not in set(adm["status"])
    assert adm.loc["2017_18", "status"] == "not met" and adm.loc["2017_18", "probability"] == 0
    demand = verdicts.loc["demand"]
    assert set(demand["part"]) == {"demand"} and demand.loc["horizon", "target_amount"] == 13_107_100
    assert demand.loc["horizon", "status"] == "not simulated in full"  # 400 days of a three-year target


def test_parts_add_up_per_year_and_over_the_horizon(barnet_pair):
    comparison, a, b = barnet_pair
    saved = savings(comparison, a, b)
    table = saved.table.set_index(["period", "part"])[MEAN]
    assert list(dict.fromkeys(sorted(saved.table["period"]))) == ["2017_18", "2018_19", "horizon"]
    for part in ("package", "package_net", "staff", "implementation", "cost_of_delay"):
        assert table[("2017_18", part)] + table[("2018_19", part)] == pytest.approx(table[("horizon", part)])
    for period in ("2017_18", "horizon"):
        assert table[(period, "demand")] == pytest.approx(
            table[(period, "package_net")] + table[(period, "cost_of_delay")] + table[(period, "unmet_need")])
        assert table[(period, "total")] == pytest.approx(
            table[(period, "staff")] + table[(period, "demand")] + table[(period, "implementation")])
    # Net of self-funders (10%) and client contributions (15%): 0.9 × 0.85 of gross.
    assert table[("horizon", "package_net")] == pytest.approx(0.765 * table[("horizon", "package")])
    assert table[("2017_18", "implementation")] == -360_000


def test_the_new_model_comes_in_over_two_years(barnet_pair):
    _, a, b = barnet_pair
    shares = in_force(load_scenario(PAIR[1]))
    assert shares["2017_18"] == pytest.approx(0.25, abs=0.01)
    assert shares["2018_19"] == pytest.approx(0.75, abs=0.01)
    assert shares["2019_20"] == 1.0
    assert set(in_force(a).values()) == {1.0}  # no transition: in force from day one


def test_barnet_staff_budget_reproduces_the_in_scope_value():
    """The whole staff budget of the current model in 2017/18 is the seed's £14,603,108 (section 6)."""
    current = load_scenario(PAIR[0])
    practitioners = sum(role.cost_per_year for role in current.roles.values())
    table = pd.DataFrame({"package_cost.2017_18": [0.0], "staff_cost.2017_18": [practitioners]})
    budget = side_money(current.model_copy(update={"time": current.time.model_copy(update={"horizon_days": 365})}),
                        table)
    assert budget["staff"].iloc[0] == pytest.approx(14_603_108, abs=1)
    assert practitioners / 14_603_108 < 0.3  # the modelled practitioners are under a third of it


def test_a_staffing_cut_shows_its_cost_of_delay_and_unmet_need():
    """Herefordshire's 27% cut on the assessment staff: fewer packages, but never booked as a saving without
    the cost of people waiting longer and of those left unassessed."""
    a = load_scenario("scenarios/herefordshire_before_restructure.yaml", ["time.horizon_days=300"])
    b = load_scenario("scenarios/herefordshire_cut_assessment_staff.yaml", ["time.horizon_days=300"])
    saved = savings(compare(a, b, reps=3, seed=2), a, b)
    horizon = saved.table[saved.table["period"] == "horizon"].set_index("part")[MEAN]
    assert horizon["package"] > 0  # fewer packages start...
    assert horizon["cost_of_delay"] < 0 and horizon["unmet_need"] < 0  # ...because people wait
    assert saved.unmet_people["mean"] > 0
    assert horizon["demand"] < horizon["package_net"]
    assert "package" not in set(saved.verdicts["part"])  # the £0.756m target is judged on staff only


def test_fee_uplift_raises_each_later_year():
    document = tiny_document(**{"time.horizon_days": 730, "finance": {"fee_uplift_per_year": 0.1}})
    scenario = scenario_from_document(document, "<test>")
    table = pd.DataFrame({"package_cost.2024_25": [100.0], "package_cost.2025_26": [100.0],
                          "staff_cost.2024_25": [0.0], "staff_cost.2025_26": [0.0]})
    money = side_money(scenario, table).set_index("period")
    assert money.loc["2024_25", "package_gross"] == 100 and money.loc["2025_26", "package_gross"] == pytest.approx(110)


def test_unlike_pairs_give_differences_not_savings():
    a = scenario_from_document(tiny_document(), "a.yaml")
    b = scenario_from_document(tiny_document(council="Elsewhere", **{"finance": {"savings_target": 1.0}}), "b.yaml")
    saved = savings(compare(a, b, reps=2, seed=1), a, b)
    assert not saved.comparable
    messages = " ".join(c.message for c in saved.caveats)
    assert "different councils" in messages and "no people already in care" in messages
    assert "no staff costs" in messages
    assert set(saved.verdicts["status"]) == {NOT_COMPARABLE} and np.isnan(saved.verdicts["probability"]).all()
    assert saved.to_dict()["comparable"] is False


def test_run_reports_the_budget_gross_and_net(tmp_path):
    import yaml
    from click.testing import CliRunner

    from flowsim.cli import main
    document = tiny_document(**{"time.horizon_days": 60, "roles.social_worker.annual_cost_per_fte": 40000,
                                "finance": {"contributions": {"client_contribution_share": 0.5}}})
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = CliRunner().invoke(main, ["run", str(path), "--reps", "2"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.strip().startswith("whole horizon"))
    gross, net, staff = (cell.strip() for cell in row.split("│")[1:4])
    assert "Budget in 2024/25 prices" in result.output and gross != net
    assert staff == "£19.7k"  # 3 social workers × £40,000 × 60 / 365: no overheads given
