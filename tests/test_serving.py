"""The app's runs on a shared server: the work limit, the bounded cache, a session's newer run superseding its older one."""
import threading
import time
from pathlib import Path

import pytest

import flowsim
from flowsim.errors import RunFailed
from flowsim.runner import shared_pool, shutdown_shared_pool
from flowsim.ui import serving

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def barnet():
    return flowsim.load_scenario(ROOT / "scenarios/barnet_new_model.yaml")


@pytest.fixture(scope="module")
def short(barnet):
    return flowsim.vary(barnet, {"time.horizon_days": 30})


@pytest.fixture
def pool():
    shutdown_shared_pool()
    yield shared_pool(2)
    shutdown_shared_pool()


def test_the_slider_maxima_are_allowed_and_a_huge_upload_is_refused(barnet):
    contacts = barnet.demand.contacts_per_year
    at_maxima = flowsim.vary(barnet, {"time.horizon_days": 1100, "demand.contacts_per_year": 2 * contacts})
    assert serving.refusal(at_maxima, reps=30) is None
    huge = flowsim.vary(barnet, {"demand.contacts_per_year": 2_000_000})  # valid, too big for the app
    reason = serving.refusal(huge, reps=5)
    assert reason and "barnet_new_model" in reason and "at most 250,000 per replication" in reason
    many = flowsim.vary(barnet, {"demand.contacts_per_year": 60_000, "time.horizon_days": 1095})
    assert "at most 3,000,000 per side" in serving.refusal(many, reps=30)
    with pytest.raises(RunFailed, match="at most"):
        serving.simulate_side(huge, reps=5, seed=0, session="s")


def test_small_runs_start_by_themselves_and_big_ones_wait_for_the_run_button(barnet):
    assert not serving.needs_the_run_button([barnet, barnet], reps=10)
    long = flowsim.vary(barnet, {"time.horizon_days": 1100})
    assert serving.needs_the_run_button([long, long], reps=30)


def test_the_cache_keeps_only_what_the_app_shows_within_its_count_and_size(short):
    full = flowsim.run(short, reps=2, seed=1, detail=True, processes=1)
    shown = serving.shown_detail(full)
    assert list(shown.events.columns) == ["run", "stage", "wait"] and shown.packages is None
    assert serving.size_of(shown) < serving.size_of(full) / 2
    cache = serving.RunCache(max_entries=3, max_bytes=10 * serving.size_of(shown))
    for key in range(5):
        cache.put(key, shown)
    assert len(cache) == 3 and cache.get(0) is None and cache.get(4) is shown
    small = serving.RunCache(max_entries=24, max_bytes=int(2.5 * serving.size_of(shown)))
    for key in range(5):
        small.put(key, shown)
        small.get(0)  # the oldest, used again, is kept
    assert len(small) == 2 and small.get(0) is shown and small.get(4) is shown
    assert small.bytes() <= small.max_bytes


def test_a_sessions_newer_run_supersedes_its_older_one_and_other_sessions_are_untouched(pool, short):
    long = flowsim.vary(short, {"time.horizon_days": 120})
    outcome = {}

    def older():
        try:
            serving.simulate_side(long, reps=30, seed=1, session="mine")
            outcome["older"] = "finished"
        except serving.Superseded:
            outcome["older"] = "superseded"

    thread = threading.Thread(target=older)
    thread.start()
    time.sleep(1.0)
    other = serving.simulate_side(short, reps=2, seed=1, session="someone else")
    newer = serving.simulate_side(short, reps=2, seed=2, session="mine")
    thread.join(120)
    assert outcome == {"older": "superseded"}
    assert newer.reps == 2 and other.reps == 2
    assert list(newer.kpis["run"].unique()) == [0, 1]
