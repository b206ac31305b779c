"""The app's shared pool of worker processes: fair between sessions, and it heals itself.

Many people share one server, so one pool serves every session. Three rules
keep it usable for all of them:

- **Fair**: tasks (one replication each) wait in one queue per run, a *lane*;
  a free worker takes the next task from the next lane in turn (round robin),
  so a big run does not hold up a small one behind it. Only as many tasks as
  there are workers are handed to the process pool at once; the rest stay
  queued here, where they can still be cancelled.
- **One run per session**: opening a session's lane cancels whatever its
  previous run still has queued (a newer input supersedes it).
- **A dead worker is replaced**: when a worker dies (``kill -9``, the
  out-of-memory killer), the process pool is broken for every task in it; the
  pool is replaced and each task that was in it is tried once more. A task
  whose worker dies twice fails with ``RunFailed``, a message for the user.
  A worker killed while sending its result leaves half a message in the pipe,
  and the process pool waits for the rest for ever without noticing the
  death; so while tasks are running the dispatcher also looks at the workers
  every second, and a pool with a worker dead for ``GRACE_SECONDS`` that has
  not said it is broken is given up the same way.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from flowsim.errors import RunFailed

ATTEMPTS = 2  # a task's first try and one retry after its worker died
WATCH_SECONDS = 1.0  # how often, while tasks run, the dispatcher looks for workers that died unnoticed
GRACE_SECONDS = 3.0  # a pool that has not noticed a dead worker by then never will: give it up


@dataclass(eq=False)
class _Task:
    fn: Callable
    args: tuple
    outer: Future = field(default_factory=Future)  # what the caller holds; outlives pool replacements
    attempts: int = 0  # tries that ended with the worker's death
    started: bool = False  # taken from its queue at least once (no longer cancellable)


def _cancel(future: Future) -> bool:
    """Cancel a future that has not started, waking anyone waiting in ``as_completed``
    (``Future.cancel`` alone wakes only those waiting on ``result``)."""
    if not future.cancel():
        return False
    future.set_running_or_notify_cancel()
    return True


class Lane:
    """One run's queue in the shared pool; a ``Runner`` for ``flowsim.run``."""

    def __init__(self, pool: "FairPool", session: str):
        self.pool, self.session = pool, session
        self.workers, self.name = pool.workers, pool.name

    def submit(self, fn: Callable, *args) -> Future:
        return self.pool._enqueue(self, _Task(fn, args))

    @staticmethod
    def as_completed(futures: Iterable) -> Iterator:
        return futures_completed(list(futures))

    def cancel(self) -> int:
        """Cancel this run's tasks that have not started; how many were cancelled."""
        return self.pool._cancel(self)

    def close(self) -> None:
        """The run is over (finished, failed or abandoned): drop what it still has queued."""
        self.cancel()
        self.pool._forget(self)


class FairPool:
    """A process pool shared by sessions: round robin between runs, one run per session, dead workers replaced."""

    def __init__(self, workers: int, make_pool: Callable[[int], ProcessPoolExecutor]):
        self.workers, self.name = workers, f"{workers} shared local processes"
        self._make_pool = make_pool
        self._pool = make_pool(workers)
        self._queues: OrderedDict[Lane, deque[_Task]] = OrderedDict()  # order = whose turn is next
        self._current: dict[str, Lane] = {}  # each session's latest run
        self._in_flight = 0
        self._running: dict[_Task, ProcessPoolExecutor] = {}  # tasks handed to a process pool, and which
        self._dead_since: float | None = None  # when a worker of the current pool was first seen dead
        self._closed = False
        self._changed = threading.Condition()
        self.replacements = 0  # pools replaced after a worker died (for tests and benchmarks)
        self.given_up = 0  # of those, pools that never noticed the death themselves
        self._dispatcher = threading.Thread(target=self._dispatch, name="flowsim-fair-pool", daemon=True)
        self._dispatcher.start()

    # Runner protocol, for callers that need no lane of their own.
    def submit(self, fn: Callable, *args) -> Future:
        return self._enqueue(self._shared_lane(), _Task(fn, args))

    @staticmethod
    def as_completed(futures: Iterable) -> Iterator:
        return futures_completed(list(futures))

    def lane(self, session: str) -> Lane:
        """A lane for a new run of ``session``; the session's previous run stops taking workers."""
        lane = Lane(self, session)
        with self._changed:
            previous, self._current[session] = self._current.get(session), lane
        if previous is not None:
            previous.cancel()
        return lane

    def shutdown(self) -> None:
        with self._changed:
            self._closed = True
            queued = [task for tasks in self._queues.values() for task in tasks]
            self._queues.clear()
            self._changed.notify_all()
        for task in queued:
            _cancel(task.outer)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _shared_lane(self) -> Lane:
        with self._changed:
            lane = self._current.get("")
        return lane or self.lane("")

    def _enqueue(self, lane: Lane, task: _Task) -> Future:
        with self._changed:
            if self._closed:
                raise RuntimeError("the shared pool has been shut down")
            self._queues.setdefault(lane, deque()).append(task)
            self._changed.notify_all()
        return task.outer

    def _cancel(self, lane: Lane) -> int:
        with self._changed:
            queued = self._queues.pop(lane, deque())
        return sum(_cancel(task.outer) for task in queued)

    def _forget(self, lane: Lane) -> None:
        with self._changed:
            if self._current.get(lane.session) is lane:
                del self._current[lane.session]

    def _next_task(self) -> _Task | None:
        """The next lane's first task that has not been cancelled; that lane goes to the back of the line."""
        while self._queues:
            lane, tasks = next(iter(self._queues.items()))
            task = tasks.popleft()
            if tasks:
                self._queues.move_to_end(lane)
            else:
                del self._queues[lane]
            if task.started or task.outer.set_running_or_notify_cancel():
                task.started = True
                return task
        return None

    def _dispatch(self) -> None:
        while True:
            hung = None
            with self._changed:
                while not self._closed and (self._in_flight >= self.workers or not self._queues):
                    self._changed.wait(WATCH_SECONDS if self._running else None)
                    if (hung := self._hung_pool()) is not None:
                        break
                if self._closed:
                    return
                task = self._next_task() if hung is None else None
                if task is not None:
                    self._in_flight += 1
                    pool = self._running[task] = self._pool
            if hung is not None:
                self._give_up(hung)
            if task is None:
                continue
            try:
                inner = pool.submit(task.fn, *task.args)
            except BrokenProcessPool:  # a worker died while idle: the task never ran
                with self._changed:
                    del self._running[task]
                self._replace(pool)
                self._requeue(task)
                continue
            inner.add_done_callback(lambda done, task=task, pool=pool: self._finished(task, pool, done))

    def _finished(self, task: _Task, pool: ProcessPoolExecutor, inner: Future) -> None:
        with self._changed:
            if self._running.get(task) is not pool:
                return  # its pool was given up for dead and the task handed on already
            del self._running[task]
        error = None if inner.cancelled() else inner.exception()
        if inner.cancelled() or isinstance(error, BrokenProcessPool):
            self._replace(pool)
            self._died(task)
            return
        if error is not None:
            task.outer.set_exception(error)
        else:
            task.outer.set_result(inner.result())
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    def _died(self, task: _Task) -> None:
        """The task's worker died: try it once more, or fail it with a message for the user."""
        task.attempts += 1
        if task.attempts < ATTEMPTS and not self._closed:
            self._requeue(task)
            return
        task.outer.set_exception(RunFailed(
            "the simulation stopped: its worker process ended twice (often a sign of too little memory "
            "for the run); try fewer replications or fewer days"))
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    def _hung_pool(self) -> ProcessPoolExecutor | None:
        """The current pool, if one of its workers has been dead for ``GRACE_SECONDS`` while it runs tasks
        without having said it is broken (called with the lock held)."""
        pool = self._pool
        processes = list((pool._processes or {}).values())  # ProcessPoolExecutor's own: no public view
        if self._closed or not self._running or not any(p.exitcode is not None for p in processes):
            self._dead_since = None
            return None
        now = time.monotonic()
        self._dead_since = self._dead_since or now
        return pool if now - self._dead_since >= GRACE_SECONDS else None

    def _give_up(self, pool: ProcessPoolExecutor) -> None:
        """Replace a pool hung by a dead worker and retry its tasks; end its other workers and close this
        process's end of its result pipe, so that its reader sees the end of the half message and stops."""
        with self._changed:
            stranded = [task for task, on in self._running.items() if on is pool]
            for task in stranded:
                del self._running[task]
            self._dead_since = None
            self.given_up += 1
        processes, results = list((pool._processes or {}).values()), pool._result_queue  # gone once shut down
        self._replace(pool)
        for process in processes:
            if process.exitcode is None:
                process.kill()
        if results is not None:
            results._writer.close()
        for task in stranded:
            self._died(task)

    def _requeue(self, task: _Task) -> None:
        """Back to the front of a lane of its own, so it runs next."""
        with self._changed:
            self._in_flight -= 1
            retry = Lane(self, "")
            self._queues[retry] = deque([task])
            self._queues.move_to_end(retry, last=False)
            self._changed.notify_all()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A new process pool in place of ``broken`` (once, however many of its tasks report it)."""
        with self._changed:
            if self._pool is not broken or self._closed:
                return
            self._pool = self._make_pool(self.workers)
            self.replacements += 1
        # The broken pool's own thread has already stopped its workers; wait=False
        # because this may run on that very thread.
        broken.shutdown(wait=False, cancel_futures=True)
