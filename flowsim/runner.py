"""Where replications run: this process, a local process pool, or a Dask cluster.

All three give identical results for the same seeds, because each replication
carries its own seed; only the speed differs. A runner offers ``submit`` and
``as_completed``, the two things ``run``, ``compare`` and ``sweep`` need.

Local pools start their workers from a forkserver that imports only flowsim,
never by forking the caller: a forked worker would inherit every open file and
socket, and a web server's workers would keep its browser connections open.
``shared_pool()`` is one such pool kept for a long-lived program (the app), fair
between sessions and replacing dead workers (``flowsim.fair_pool``).
"""
from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import types
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from contextlib import contextmanager
from multiprocessing.context import ForkServerContext, ForkServerProcess
from typing import Callable, Iterable, Iterator, Protocol

from flowsim.errors import FlowsimError
from flowsim.fair_pool import FairPool

PRELOAD = ["flowsim"]  # imported once by the forkserver, so each worker starts ready


class Runner(Protocol):
    name: str
    workers: int

    def submit(self, fn: Callable, *args): ...

    def as_completed(self, futures: Iterable) -> Iterator: ...


class _Deferred(Future):
    """A task of the serial runner: run when it is collected, so progress is reported task by task."""

    def __init__(self, fn: Callable, args: tuple):
        super().__init__()
        self._task: tuple | None = (fn, args)

    def run(self) -> None:
        if self._task is None:
            return
        fn, args = self._task
        self._task = None
        if not self.set_running_or_notify_cancel():
            return
        try:
            self.set_result(fn(*args))
        except BaseException as error:  # handed to whoever asks for the result
            self.set_exception(error)

    def result(self, timeout: float | None = None):
        self.run()
        return super().result(timeout)


class SerialRunner:
    """Runs each task in this process (for one worker, and for debugging)."""

    name, workers = "serial", 1

    def submit(self, fn: Callable, *args) -> Future:
        return _Deferred(fn, args)

    @staticmethod
    def as_completed(futures: Iterable) -> Iterator:
        for future in list(futures):
            future.run()
            yield future


class PoolRunner:
    """A local pool of worker processes."""

    def __init__(self, pool: ProcessPoolExecutor, workers: int):
        self.pool, self.workers, self.name = pool, workers, f"{workers} local processes"

    def submit(self, fn: Callable, *args) -> Future:
        return self.pool.submit(fn, *args)

    @staticmethod
    def as_completed(futures: Iterable) -> Iterator:
        return futures_completed(list(futures))


class DaskRunner:
    """Tasks sent to a Dask scheduler (a LocalCluster, or a cluster at an address)."""

    def __init__(self, client, name: str):
        self.client, self.name = client, name
        self.workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))

    def submit(self, fn: Callable, *args):
        return self.client.submit(fn, *args, pure=False)

    @staticmethod
    def as_completed(futures: Iterable) -> Iterator:
        from distributed import as_completed

        return iter(as_completed(list(futures)))


class _WorkerProcess(ForkServerProcess):
    """A forkserver worker that is not asked to import the caller's ``__main__``.

    multiprocessing normally re-imports the parent's main script in each new
    worker. Under Streamlit (and after streamlit's AppTest) that "script" is
    app.py, which would draw a page in a worker with no browser; the workers
    need only the modules their tasks come from, found by name.
    """

    @staticmethod
    def _Popen(process_obj):
        with _main_hidden():
            return ForkServerProcess._Popen(process_obj)


class _WorkerContext(ForkServerContext):
    Process = _WorkerProcess


_BARE_MAIN = types.ModuleType("__main__")  # no file and no spec: nothing for a worker to import


@contextmanager
def _main_hidden():
    """While a worker is launched, ``__main__`` is a bare module, so its start-up data names no script."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = _BARE_MAIN
    try:
        yield
    finally:
        if sys.modules["__main__"] is _BARE_MAIN:  # another thread may have installed its own meanwhile
            sys.modules["__main__"] = main


def local_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers hold none of this process's files or sockets and
    never re-run its main script; tasks must be functions of importable modules."""
    context = _WorkerContext()
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_interrupts)


def _ignore_interrupts() -> None:
    """In a worker: Ctrl-C reaches the whole terminal's process group, but only the parent should act on it
    (it stops the run with one line); a worker that raised KeyboardInterrupt would print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    return os.cpu_count() or 1


@contextmanager
def open_runner(workers: int | None = None, dask: str | None = None) -> Iterator[Runner]:
    """A runner for ``workers`` local processes (serial for one), or for Dask: ``dask='local'``
    starts a LocalCluster of ``workers`` single-threaded worker processes; any other value is
    the address of an existing scheduler (``tcp://host:8786``). Everything it started is
    stopped on leaving the block."""
    if workers is not None and workers < 1:
        raise FlowsimError(f"the number of workers must be 1 or more; got {workers}")
    workers = workers or default_workers()
    if dask is None:
        if workers == 1:
            yield SerialRunner()
            return
        with local_pool(workers) as pool:
            yield PoolRunner(pool, workers)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise FlowsimError("Dask is not installed: python -m pip install 'dask[distributed]'") from None
    if dask == "local":
        with _main_hidden():  # Dask's workers, too, would otherwise re-run the main script
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        with cluster, Client(cluster) as client:
            yield DaskRunner(client, f"Dask LocalCluster of {workers} workers")
        return
    try:
        client = Client(dask, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise FlowsimError(f"cannot reach the Dask scheduler at {dask}: {error}") from None
    with client:
        yield DaskRunner(client, f"Dask scheduler at {dask}")


def run_all(runner: Runner, fn: Callable, items: list, progress: Callable[[int], None] | None = None) -> list:
    """``fn(item)`` for every item on ``runner``; results in the items' order, progress as each ends."""
    futures = [runner.submit(fn, item) for item in items]
    for future in runner.as_completed(futures):
        future.result()  # the first failure stops the run
        if progress:
            progress(1)
    return [future.result() for future in futures]


_shared: FairPool | None = None
_shared_lock = threading.Lock()


def shared_pool(workers: int | None = None) -> FairPool:
    """One pool of worker processes for a long-lived program: started on first use, then
    reused (no start-up cost per run), and stopped at interpreter exit. ``.lane(session)``
    gives each session's run its own fair queue; a worker that dies is replaced."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FairPool(workers or default_workers(), local_pool)
        return _shared


def shutdown_shared_pool() -> None:
    """Stop the shared pool's workers (a later ``shared_pool()`` starts a new one)."""
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.shutdown()


atexit.register(shutdown_shared_pool)
