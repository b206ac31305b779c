"""Runners: the same results everywhere, and local workers that hold none of their parent's sockets."""
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import types
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import flowsim
from flowsim.runner import SerialRunner, open_runner, run_all, shared_pool, shutdown_shared_pool

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def short():
    return flowsim.load_scenario(ROOT / "scenarios/barnet_new_model.yaml", ["time.horizon_days=30"])


@pytest.fixture
def fresh_shared_pool():
    shutdown_shared_pool()
    yield
    shutdown_shared_pool()


def pid_after(seconds: float) -> int:
    """A task that keeps its worker busy for a while, so that every worker of a pool gets one."""
    time.sleep(seconds)
    return os.getpid()


def worker_pids(submit, workers: int) -> set[int]:
    return {future.result() for future in [submit(pid_after, 1.0) for _ in range(workers)]}


def sockets_held(pid: int) -> set[int]:
    """Inodes of the sockets process ``pid`` has open."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            held.add(int(target[len("socket:["):-1]))
    return held


def test_serial_runner_runs_each_task_as_it_is_collected():
    done = []
    futures = [SerialRunner().submit(done.append, i) for i in range(3)]
    assert done == []
    seen = []
    for future in SerialRunner.as_completed(futures):
        seen.append(list(done))
    assert seen == [[0], [0, 1], [0, 1, 2]]
    assert run_all(SerialRunner(), abs, [-1, 2, -3]) == [1, 2, 3]


def test_run_and_compare_are_identical_serially_on_the_pool_and_on_dask(short):
    pytest.importorskip("distributed")
    serial = flowsim.run(short, reps=3, seed=4, processes=1)
    with open_runner(2) as pool:
        on_pool = flowsim.run(short, reps=3, seed=4, runner=pool)
    with open_runner(2, dask="local") as dask:
        on_dask = flowsim.run(short, reps=3, seed=4, runner=dask)
        paired = flowsim.compare(short, short, reps=2, seed=4, runner=dask).table()
    for other in (on_pool, on_dask):
        pd.testing.assert_frame_equal(serial.kpis, other.kpis)
        pd.testing.assert_frame_equal(serial.events, other.events)
        pd.testing.assert_frame_equal(serial.timeseries, other.timeseries)
    pd.testing.assert_frame_equal(paired, flowsim.compare(short, short, reps=2, seed=4, processes=1).table())


def test_shared_pool_workers_hold_none_of_the_servers_sockets(fresh_shared_pool):
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        with socket.create_connection(listening.getsockname()) as client:
            accepted, _ = listening.accept()
            with accepted:
                server_sockets = {os.fstat(s.fileno()).st_ino for s in (listening, client, accepted)}
                pool = shared_pool(2)
                pids = worker_pids(pool.submit, 2)
                held = {pid: sockets_held(pid) & server_sockets for pid in pids}
                # The probe itself finds what forked workers inherit: the browser-connection bug.
                with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as forked:
                    inherited = [sockets_held(pid) & server_sockets for pid in worker_pids(forked.submit, 2)]
    assert os.getpid() not in pids
    assert held == {pid: set() for pid in pids}
    assert inherited and all(found == server_sockets for found in inherited)


def test_workers_never_run_the_main_script(fresh_shared_pool, short, tmp_path, monkeypatch):
    """Streamlit installs app.py as ``__main__``; a worker that imported it would draw a page."""
    script = tmp_path / "app.py"
    marker = tmp_path / "imported"
    script.write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit('a worker ran the app')\n")
    app_main = types.ModuleType("__main__")
    app_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", app_main)
    on_shared = flowsim.run(short, reps=2, seed=1, detail=False, runner=shared_pool(2))
    on_pool = flowsim.run(short, reps=2, seed=1, detail=False, processes=2)
    assert sys.modules["__main__"] is app_main
    monkeypatch.undo()
    assert not marker.exists()
    serial = flowsim.run(short, reps=2, seed=1, detail=False, processes=1)
    pd.testing.assert_frame_equal(serial.kpis, on_shared.kpis)
    pd.testing.assert_frame_equal(serial.kpis, on_pool.kpis)


def test_the_shared_pool_stops_at_interpreter_exit():
    code = ("import os\nfrom flowsim.runner import shared_pool\n"
            "pool = shared_pool(2)\n"
            "print(*{f.result() for f in [pool.submit(os.getpid) for _ in range(4)]})\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    pids = [int(p) for p in done.stdout.split()]
    assert pids
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() < deadline, "the shared pool's workers outlived the program"
        time.sleep(0.1)
