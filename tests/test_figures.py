"""The figure tables in data/: every row has a value, a unit and a source or a reason."""
import pytest

from flowsim.errors import InputError
from flowsim.figures import COLUMNS, _load, all_figures, lookup


def test_every_figure_is_sourced_or_reasoned():
    figures = all_figures()
    assert len(figures) > 300
    for figure in figures.values():
        assert figure.status in {"published", "derived", "assumption"}
        if figure.status == "published":
            assert figure.source.strip() and figure.source != "assumption"
        else:
            assert len(figure.reason) >= 15, figure.key


def test_published_figures_from_the_brief_are_exact():
    assert lookup("barnet.secondary_health_referral_share").value == 0.38
    assert lookup("barnet.social_work_full_assessment_share").value == 0.76
    assert lookup("shropshire.hub_invite_share").value == 0.20
    assert lookup("shropshire.hub_resolved_share").value == 0.88
    assert lookup("shropshire.home_visit_share").value == 0.05
    assert lookup("barnet_adm_options.in_scope_value_2017_18").value == 14_603_108
    assert lookup("northamptonshire.safeguarding.alerts_2015_16").value == 4364


def test_prefix_lookup_gives_the_whole_table():
    teams = lookup("bnes.team_fte")
    assert len(teams) == 16
    assert sum(f.value for f in teams.values()) == pytest.approx(228.71)


def test_bad_table_names_file_line_and_problem(tmp_path):
    (tmp_path / "demo.csv").write_text(
        ",".join(COLUMNS) + "\n"
        "demo.a,12,x,ok,published,somewhere,\n"
        "demo.b,twelve,x,bad value,published,somewhere,\n"
        "demo.c,1,x,no reason,assumption,assumption,\n"
        "other.d,1,x,wrong prefix,published,somewhere,\n"
    )
    with pytest.raises(InputError) as caught:
        _load(str(tmp_path))
    text = str(caught.value)
    assert "demo.csv: line 3: value 'twelve' is not a number" in text
    assert "demo.csv: line 4: assumption figure needs a reason" in text
    assert "demo.csv: line 5: key must start with 'demo.'" in text
