"""Where replications run: this process, a local process pool, or a Dask cluster.

All three give identical results for the same seeds, because each replication
carries its own seed; only the speed differs. A runner offers ``submit`` and
``as_completed``, the two things a sweep needs.
"""
from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from flowsim.errors import FlowsimError


class SerialRunner:
    """Runs each task at once in this process (for one worker, and for debugging)."""

    name, workers = "serial", 1

    def submit(self, fn: Callable, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as error:  # handed to whoever asks for the result
            future.set_exception(error)
        return future

    @staticmethod
    def as_completed(futures: Iterable) -> Iterator:
        return iter(list(futures))


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


@contextmanager
def runner(workers: int | None = None, dask: str | None = None):
    """A runner for ``workers`` local processes, or for Dask: ``dask='local'`` starts a
    LocalCluster of ``workers`` single-threaded worker processes; any other value is
    the address of an existing scheduler (``tcp://host:8786``)."""
    if workers is not None and workers < 1:
        raise FlowsimError(f"--workers must be 1 or more; got {workers}")
    workers = workers or os.cpu_count() or 1
    if dask is None:
        if workers == 1:
            yield SerialRunner()
            return
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield PoolRunner(pool, workers)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise FlowsimError("Dask is not installed: python -m pip install 'dask[distributed]'") from None
    if dask == "local":
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield DaskRunner(client, f"Dask LocalCluster of {workers} workers")
        return
    try:
        client = Client(dask, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise FlowsimError(f"cannot reach the Dask scheduler at {dask}: {error}") from None
    with client:
        yield DaskRunner(client, f"Dask scheduler at {dask}")
