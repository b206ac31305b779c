"""The app's shared pool: a killed worker costs a retry, not the server; runs take turns; a newer run supersedes."""
import os
import signal
import struct
import sys
import threading
import time
from concurrent.futures import CancelledError
from pathlib import Path

import pandas as pd
import pytest

import flowsim
from flowsim.errors import RunFailed
from flowsim.fair_pool import FairPool
from flowsim.runner import local_pool, shared_pool, shutdown_shared_pool

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def short():
    return flowsim.load_scenario(ROOT / "scenarios/barnet_new_model.yaml", ["time.horizon_days=30"])


@pytest.fixture
def pool():
    shutdown_shared_pool()
    yield shared_pool(2)
    shutdown_shared_pool()


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def label_after(label: str, seconds: float) -> str:
    time.sleep(seconds)
    return label


def die_once(marker: str) -> str:
    """Kill its own worker the first time it runs (the marker file remembers), then succeed."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return "survived"


def die_while_sending(marker: str) -> str:
    """The first time it runs, write half of a result message into the pool's result pipe (holding the
    pipe's lock, as a worker sending a large result does) and kill its own worker; then succeed."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        frame = sys._getframe(1)
        while "result_queue" not in frame.f_locals:  # ProcessPoolExecutor's worker loop, which called us
            frame = frame.f_back
        results = frame.f_locals["result_queue"]
        with results._wlock:
            os.write(results._writer.fileno(), struct.pack("!i", 100_000) + b"half a result")
            os.kill(os.getpid(), signal.SIGKILL)
    return "survived"


def always_die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def workers_of(pool) -> set[int]:
    return {f.result() for f in [pool.submit(pid_after, 0.5) for _ in range(pool.workers)]}


def test_a_worker_killed_while_idle_is_replaced_and_the_next_run_succeeds(pool, short):
    victim = next(iter(workers_of(pool)))
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.5)  # the process pool notices the death and marks itself broken
    on_pool = flowsim.run(short, reps=3, seed=2, detail=False, runner=pool.lane("after a death"))
    serial = flowsim.run(short, reps=3, seed=2, detail=False, processes=1)
    pd.testing.assert_frame_equal(on_pool.kpis, serial.kpis)
    assert victim not in workers_of(pool)
    assert pool.replacements == 1


def test_a_worker_killed_mid_run_costs_one_retry_and_the_run_still_succeeds(pool, short):
    pids = workers_of(pool)
    done, under_way = {}, threading.Event()
    runner = threading.Thread(target=lambda: done.update(
        results=flowsim.run(short, reps=40, seed=3, detail=True, runner=pool.lane("killed mid-run"),
                            progress=lambda n: under_way.set())))
    runner.start()
    assert under_way.wait(60)  # a first replication is back: the rest are queued or running on both workers
    os.kill(min(pids), signal.SIGKILL)
    runner.join(120)
    assert not runner.is_alive()
    serial = flowsim.run(short, reps=40, seed=3, detail=True, processes=1)
    pd.testing.assert_frame_equal(done["results"].kpis, serial.kpis)
    pd.testing.assert_frame_equal(done["results"].events, serial.events)
    assert pool.replacements == 1


def test_a_task_whose_worker_dies_once_is_retried(pool, tmp_path):
    assert pool.lane("s").submit(die_once, str(tmp_path / "died")).result(60) == "survived"


def test_a_worker_killed_while_sending_its_result_is_found_and_its_task_retried(pool, tmp_path):
    # The process pool itself would wait for the rest of the message for ever.
    assert pool.lane("s").submit(die_while_sending, str(tmp_path / "died")).result(60) == "survived"
    assert pool.given_up == 1 and pool.replacements == 1
    assert pool.lane("next").submit(label_after, "served", 0).result(60) == "served"


def test_a_task_whose_worker_dies_twice_fails_with_a_message_and_the_pool_keeps_serving(pool):
    with pytest.raises(RunFailed, match="worker process ended twice"):
        pool.lane("poison").submit(always_die).result(60)
    assert pool.lane("someone else").submit(label_after, "still here", 0).result(60) == "still here"


def test_runs_take_turns_so_a_small_run_is_not_stuck_behind_a_big_one():
    pool = FairPool(1, local_pool)
    try:
        finished = []
        big, small = pool.lane("big"), pool.lane("small")
        futures = [big.submit(label_after, f"big {i}", 0.1) for i in range(10)]
        futures += [small.submit(label_after, f"small {i}", 0.1) for i in range(2)]
        for future in pool.as_completed(futures):
            finished.append(future.result())
        # Round robin: after the big run's first task, the small run's tasks alternate with the big run's.
        assert finished.index("small 1") <= 4
        assert finished[-1].startswith("big")
    finally:
        pool.shutdown()


def test_a_sessions_new_run_cancels_what_its_previous_run_still_has_queued():
    pool = FairPool(1, local_pool)
    try:
        old = [pool.lane("session").submit(label_after, "old", 0.2) for _ in range(10)]
        new = pool.lane("session").submit(label_after, "new", 0).result(60)
        assert new == "new"
        cancelled = [f for f in old if f.cancelled()]
        assert len(cancelled) >= 8  # at most the one on the worker (and one being handed over) still ran
        with pytest.raises(CancelledError):
            cancelled[0].result()
        assert len(list(pool.as_completed(old))) == 10  # the cancelled ones count as done for whoever waits
    finally:
        pool.shutdown()


def test_closing_a_lane_drops_its_queued_tasks():
    pool = FairPool(1, local_pool)
    try:
        lane = pool.lane("leaving")
        futures = [lane.submit(label_after, "x", 0.2) for _ in range(6)]
        lane.close()
        assert sum(f.cancelled() for f in futures) >= 4
        assert pool.lane("next").submit(label_after, "served", 0).result(60) == "served"
    finally:
        pool.shutdown()
