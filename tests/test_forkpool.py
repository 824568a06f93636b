"""fork_map: jobs in forked workers, results in order, failures said, no process left."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from mpep_generator.forkpool import WorkerDied, fork_map


def children() -> set[str]:
    """This process's child processes, zombies included (Linux's /proc)."""
    found: set[str] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as listing:
            found.update(listing.read().split())
    return found


@contextmanager
def no_child_left() -> Iterator[None]:
    """Every worker started inside is reaped by the time it ends (other children of the
    test process, a server some fixture started, are left out)."""
    before = children()
    yield
    assert children() <= before


def square(n: int) -> int:
    return n * n


def worker_pid(_: int) -> int:
    return os.getpid()


@pytest.mark.parametrize("processes", [1, 2, 3, 8])
def test_results_come_in_the_order_of_the_items(processes: int) -> None:
    with no_child_left():
        assert list(fork_map(square, range(40), processes)) == [n * n for n in range(40)]


def test_the_work_is_done_in_other_processes_shared_between_them() -> None:
    with no_child_left():
        pids = list(fork_map(worker_pid, range(30), 2))
    assert os.getpid() not in pids
    assert 1 <= len(set(pids)) <= 2


def test_no_items_start_no_worker() -> None:
    with no_child_left():
        assert list(fork_map(square, [], 2)) == []


def test_a_result_bigger_than_a_pipe_arrives_whole() -> None:
    def big(n: int) -> str:
        return str(n) * 1_000_000

    with no_child_left():
        assert list(fork_map(big, [1, 2, 3], 2)) == [
            "1" * 1_000_000,
            "2" * 1_000_000,
            "3" * 1_000_000,
        ]


def test_a_job_s_exception_is_raised_at_its_item_after_the_earlier_results() -> None:
    def fails_on_three(n: int) -> int:
        if n == 3:
            raise ValueError(f"no {n}")
        return n

    got: list[int] = []
    with no_child_left(), pytest.raises(ValueError, match="no 3"):
        for value in fork_map(fails_on_three, range(10), 2):
            got.append(value)
    assert got == [0, 1, 2]


def test_a_worker_that_dies_is_named_and_the_others_are_stopped() -> None:
    def dies_on_five(n: int) -> int:
        if n == 5:
            os._exit(3)
        return n

    with no_child_left(), pytest.raises(WorkerDied, match="ended while working on item 5"):
        list(fork_map(dies_on_five, range(10), 2))


def test_a_result_that_cannot_be_sent_back_says_so() -> None:
    def unpicklable(n: int) -> object:
        return lambda: n

    with no_child_left(), pytest.raises(WorkerDied, match="item 0: its result cannot be sent back"):
        list(fork_map(unpicklable, [0], 1))


def test_stopping_early_stops_the_workers() -> None:
    def slow_after_two(n: int) -> int:
        if n >= 2:
            import time

            time.sleep(30)  # killed long before
        return n

    with no_child_left():
        results = fork_map(slow_after_two, range(6), 2)
        assert [next(results), next(results)] == [0, 1]
        results.close()


def test_without_pidfd_workers_are_still_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels before 5.3 have no pidfd_open: the pool asks for the exit instead."""

    def missing(pid: int) -> int:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(os, "pidfd_open", missing)
    with no_child_left():
        assert list(fork_map(square, range(6), 2)) == [0, 1, 4, 9, 16, 25]
