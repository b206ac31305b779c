"""The app on a shared server: memory, slider → tiles time alone and with five sessions, a killed worker.

    python bench/app_server.py memory --moves 8   # server memory over 8 slider moves at the settings' maxima
    python bench/app_server.py cache --mode old   # the same for the cache alone, runs repeated not simulated
    python bench/app_server.py speed         # one session, then five at once (10 replications a side)
    python bench/app_server.py killed        # a slider move while one worker is killed

Sessions are streamlit's AppTest, each in its own thread of this process, so
they share one run cache and one worker pool exactly as browser sessions of one
server do; the time is the script's (the browser's drawing is not counted).
Prints Markdown lines for BENCHMARKS.md, each with the load average.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from flowsim.runner import shared_pool  # noqa: E402

HUB = "B|barnet_new_model|stages.front_door.routes.community_hub"
MIB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of one process, in bytes (0 if it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process started (directly or not) by ``pid``: the forkserver and the pool's workers."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").iterdir():
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


APP = ROOT / "app.py"


def session(reps: int, horizon: int = 365) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=1800)
    at.session_state["reps"] = reps
    at.session_state["horizon"] = horizon
    return at


def move(at: AppTest, value: float) -> float:
    """Seconds from a slider move to the tiles drawn."""
    start = time.perf_counter()
    at.slider(key=HUB).set_value(value)
    if any(b.key == "run" for b in at.button):  # runs this big wait for Run (older apps had no button)
        at.button(key="run").click()
    at.run()
    assert not at.exception, at.exception
    return time.perf_counter() - start


def memory(moves: int) -> None:
    at = session(reps=30, horizon=1100).run()
    if any(b.key == "run" for b in at.button):
        at.button(key="run").click().run()
    assert not at.exception, at.exception
    print(f"| after the first page (both sides run) | {rss(os.getpid()) / MIB:,.0f} MiB | {load()} |")
    for i, value in enumerate([22.0 + 2 * m for m in range(moves)], start=1):
        seconds = move(at, value)
        workers = sum(rss(p) for p in descendants(os.getpid()))
        print(f"| slider move {i} ({seconds:.1f} s) | server {rss(os.getpid()) / MIB:,.0f} MiB, "
              f"workers {workers / MIB:,.0f} MiB | {load()} |", flush=True)


def cache_memory(mode: str, moves: int) -> None:
    """The shared cache's memory over the first page and ``moves`` slider moves at the settings' maxima
    (30 replications of 1,100 days), without simulating each: one replication's tables are repeated 30
    times for each run (a fresh copy per run, as a new run makes). ``old``: the app's cache before the
    limits (24 runs with every table); ``new``: ``RunCache`` of what the app shows."""
    import dataclasses
    from collections import OrderedDict

    import pandas as pd

    import flowsim
    from flowsim.ui import serving

    scenario = flowsim.vary(flowsim.load_scenario(ROOT / "scenarios/barnet_new_model.yaml"), {"time.horizon_days": 1100})
    one = flowsim.run(scenario, reps=1, seed=0, processes=1, detail=True)

    def thirty() -> flowsim.Results:
        def repeat(frame):
            return pd.concat([frame.assign(run=i) for i in range(30)], ignore_index=True)
        return dataclasses.replace(one, reps=30, kpis=repeat(one.kpis), events=repeat(one.events),
                                   timeseries=repeat(one.timeseries), packages=repeat(one.packages))

    old: OrderedDict = OrderedDict()
    new = serving.RunCache()
    print(f"| {mode}: before any run | {rss(os.getpid()) / MIB:,.0f} MiB | {load()} |", flush=True)
    for i in range(2 + moves):
        results = thirty()
        if mode == "old":
            old[i] = results
            while len(old) > 24:
                old.popitem(last=False)
        else:
            new.put(i, serving.shown_detail(results))
        del results
        what = "first page, side " + "AB"[i] if i < 2 else f"slider move {i - 1}"
        held = (sum(serving.size_of(r) for r in old.values()) if mode == "old" else new.bytes()) / MIB
        print(f"| {mode}: {what} | RSS {rss(os.getpid()) / MIB:,.0f} MiB; cache {held:,.0f} MiB in "
              f"{len(old) if mode == 'old' else len(new)} runs | {load()} |", flush=True)


def _compile_one_at_a_time() -> None:
    """Each AppTest compiles app.py at every run; CPython 3.11's parser fails now and then when threads build
    syntax trees at the same moment (SystemError: AST constructor recursion depth mismatch). A served app
    compiles the script once for all sessions, so the benchmark's sessions take turns to compile."""
    from streamlit.runtime.scriptrunner import script_cache

    compile_script, lock = script_cache.ScriptCache.get_bytecode, threading.Lock()

    def one_at_a_time(self, script_path):
        with lock:
            return compile_script(self, script_path)
    script_cache.ScriptCache.get_bytecode = one_at_a_time


def speed(sessions: int, moves: int) -> None:
    warm = session(reps=10).run()  # a warm server: the pool started, both sides' defaults cached
    alone = [move(warm, 20.5 + i) for i in range(moves)]
    print(f"| one session, slider → tiles, 10 replications a side | median {statistics.median(alone):.2f} s "
          f"(of {moves}: {', '.join(f'{t:.2f}' for t in alone)}) | {load()} |", flush=True)
    users = [session(reps=10).run() for _ in range(sessions)]
    times: list[list[float]] = [[] for _ in users]
    _compile_one_at_a_time()

    def drive(i: int) -> None:
        for m in range(moves):
            times[i].append(move(users[i], 40.0 + i + 0.5 * m))  # every session asks for a new run

    threads = [threading.Thread(target=drive, args=(i,)) for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [t for ts in times for t in ts]
    print(f"| {sessions} sessions at once, slider → tiles, 10 replications a side | median "
          f"{statistics.median(every):.2f} s, worst {max(every):.2f} s (per session medians "
          f"{', '.join(f'{statistics.median(ts):.2f}' for ts in times)}) | {load()} |", flush=True)


def killed(moves: int) -> None:
    at = session(reps=10).run()
    plain = [move(at, 20.5 + i) for i in range(moves)]
    pool = shared_pool()
    me = os.getpid()
    pids = [p for p in descendants(me) if f"PPid:\t{me}\n" not in Path(f"/proc/{p}/status").read_text()]  # workers
    before = pool.replacements
    timer = threading.Timer(0.8, lambda: [os.kill(p, signal.SIGKILL) for p in pids[-1:]])
    timer.start()
    seconds = move(at, 31.5)
    timer.join()
    shown = [e.value for e in at.error]
    print(f"| slider → tiles with a worker killed 0.8 s into the run | {seconds:.2f} s against a median of "
          f"{statistics.median(plain):.2f} s; pools replaced {pool.replacements - before}; errors shown "
          f"{len(shown)} | {load()} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["memory", "cache", "speed", "killed"])
    parser.add_argument("--mode", choices=["old", "new"], default="new", help="for cache: the cache before or after")
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--app", type=Path, default=APP, help="the app script (a copy of an older app.py, to compare)")
    args = parser.parse_args()
    globals()["APP"] = args.app.resolve()
    if args.what == "memory":
        memory(args.moves)
    elif args.what == "cache":
        cache_memory(args.mode, args.moves)
    elif args.what == "speed":
        speed(args.sessions, args.moves)
    else:
        killed(args.moves)


if __name__ == "__main__":
    main()
