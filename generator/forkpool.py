"""Running one job per item in processes forked from this one.

``collect-mpep`` folds its languages in one process per core. The standard pools
(``concurrent.futures``, ``multiprocessing.Pool``) cost a collect more to import
(multiprocessing, its queues and connections, logging, threads to feed them: 20-30 ms,
bench/collect.py) than a language takes to fold, so this module does the little a
collect needs with ``os.fork`` and pipes: each worker is forked once, inherits the job
and the items (nothing is pickled on the way in), is handed the index of the next item
whenever it finishes one, and sends back the pickled result. Results come out in the
order of the items, as ``Executor.map`` gives them.

Only for a process that runs no other thread (a fork copies just the calling one), on a
system with ``fork``.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_INDEX = struct.Struct("<q")  # parent -> worker: the index of the next item
_LENGTH = struct.Struct("<Q")  # worker -> parent: the length of a pickled result


class WorkerDied(RuntimeError):
    """A worker process ended without giving the result it was working on."""


def fork_map(job: Callable[[T], R], items: Sequence[T], processes: int) -> Iterator[R]:
    """``job(item)`` for every item, computed by ``processes`` forked workers, in the
    order of ``items``. An exception raised by a job is raised here, at its item's place;
    closing the iterator early stops the workers."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or each worker would inherit, and one day write, the same bytes
    workers: list[_Worker] = []
    try:
        for _ in range(min(processes, len(items))):
            workers.append(_Worker.start(job, items, workers))
        yield from _collect(workers, len(items))
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    stuck = [worker.pid for worker in workers if not worker.stop()]
    if stuck:  # every result is in, yet a worker did not end: a bug, said rather than hidden
        raise WorkerDied(f"worker processes {stuck} did not exit when their work was done")


def _collect(workers: list[_Worker], count: int) -> Iterator[Any]:
    """Hand out the items, gather the results, and yield them in order."""
    handed = 0
    for worker in workers:
        worker.hand(handed)
        handed += 1
    by_fd = {worker.results: worker for worker in workers}
    done: dict[int, tuple[bool, Any]] = {}
    for wanted in range(count):
        while wanted not in done:
            ready, _, _ = select.select(list(by_fd), [], [])
            for fd in ready:
                worker = by_fd[fd]
                index, outcome = worker.receive()
                done[index] = outcome
                if handed < count:
                    worker.hand(handed)
                    handed += 1
                else:
                    del by_fd[fd]  # idle from now on
        ok, value = done.pop(wanted)
        if not ok:
            raise value
        yield value


class _Worker:
    """One forked process and the two pipes to it."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.working_on: int | None = None

    @classmethod
    def start(
        cls, job: Callable[[Any], Any], items: Sequence[Any], others: list[_Worker]
    ) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            # Only its own pipe ends: a copy of another worker's task pipe would keep
            # that worker from ever seeing it close.
            for fd in (task_write, result_read, *(f for w in others for f in w.fds)):
                os.close(fd)
            _serve(job, items, task_read, result_write)
        os.close(task_read)
        os.close(result_write)
        return cls(pid, task_write, result_read)

    @property
    def fds(self) -> tuple[int, int]:
        return self.tasks, self.results

    def hand(self, index: int) -> None:
        self.working_on = index
        try:
            os.write(self.tasks, _INDEX.pack(index))
        except BrokenPipeError:
            raise self._died() from None

    def receive(self) -> tuple[int, tuple[bool, Any]]:
        try:
            (length,) = _LENGTH.unpack(_read(self.results, _LENGTH.size))
            index, outcome = pickle.loads(_read(self.results, length))
        except EOFError:
            raise self._died() from None
        self.working_on = None
        return index, outcome

    def _died(self) -> WorkerDied:
        return WorkerDied(
            f"a worker process ({self.pid}) ended while working on item {self.working_on}"
        )

    def stop(self) -> bool:
        """End the worker and reap it: an idle one exits when its task pipe closes; one
        still working (the caller stopped early, or failed) is killed, as is an idle one
        that has not exited after :data:`GRACE` seconds. False: it had to be killed."""
        os.close(self.tasks)
        os.close(self.results)
        exited = self.working_on is None and _exits_within(self.pid, GRACE)
        if not exited:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        return exited or self.working_on is not None


def _serve(job: Callable[[Any], Any], items: Sequence[Any], tasks: int, results: int) -> None:
    """The worker's loop: read an index, send back the job's result, until the parent
    closes the pipe. Ends with ``os._exit``: a forked copy must not run the parent's exit
    handlers, nor flush the parent's buffers a second time."""
    code = 0
    try:
        while True:
            try:
                (index,) = _INDEX.unpack(_read(tasks, _INDEX.size))
            except EOFError:
                break
            _send(results, index, job, items[index])
    except BaseException:  # the parent sees the pipe close (WorkerDied)
        code = 1
    finally:
        os._exit(code)


def _send(fd: int, index: int, job: Callable[[Any], Any], item: Any) -> None:
    try:
        outcome: tuple[bool, Any] = (True, job(item))
    except Exception as exc:  # raised again in the parent, at the item's place
        outcome = (False, exc)
    try:
        data = pickle.dumps((index, outcome), pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # a result (or exception) that cannot be pickled
        problem = WorkerDied(f"item {index}: its result cannot be sent back ({exc})")
        data = pickle.dumps((index, (False, problem)), pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


GRACE = 5.0  # seconds an idle worker has to exit once its task pipe is closed


def _exits_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` (a child, not yet reaped) ends within ``seconds``."""
    try:
        watch = os.pidfd_open(pid)
    except (AttributeError, OSError):  # a kernel before 5.3: ask every millisecond
        for _ in range(int(seconds * 1000)):
            if os.waitpid(pid, os.WNOHANG)[0]:
                return True
            time.sleep(0.001)
        return False
    try:
        ready, _, _ = select.select([watch], [], [], seconds)
    finally:
        os.close(watch)
    return bool(ready)


def _read(fd: int, size: int) -> bytes:
    """Exactly ``size`` bytes from a pipe (EOFError: it closed first)."""
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
