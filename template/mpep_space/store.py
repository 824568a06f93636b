"""Durable storage: the append-only event log, the folded state, and leases.

One :class:`Store` per process. Every write is one line appended to this
process's own uuid-named file, flushed and ``fsync``-ed before the caller is
told it succeeded, then folded into the in-memory :class:`Ledger`. All of it
happens under one lock, so concurrent handlers never interleave lines or decide
on stale state. Leases live in memory only: after a restart they are simply free.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from .events import Event, event_files, make_event, read_logs
from .rules import Ledger, Rules

log = logging.getLogger(__name__)


class Store:
    """The event log of one data dir, its folded state, and the leases."""

    def __init__(
        self,
        data_dir: Path,
        prompt_ids: list[str],
        rules: Rules,
        *,
        lease_seconds: float = 20 * 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.data_dir = data_dir
        self.events_dir = data_dir / "events"
        self.events_dir.mkdir(parents=True, exist_ok=True)
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.lock = threading.RLock()
        # Held around each append as well when a CommitScheduler reads the folder,
        # so it never uploads half a line.
        self.io_lock: AbstractContextManager[Any] = nullcontext()
        self._file: IO[bytes] | None = None
        self.path = self.events_dir / f"{uuid.uuid4().hex}.jsonl"
        self._last_ts = ""
        self.prompt_leases: dict[str, dict[str, float]] = {}
        self.review_leases: dict[str, tuple[str, float]] = {}
        self.review_passes: dict[str, set[str]] = {}  # reviewer -> translations passed on
        self.ledger = Ledger(prompt_ids, rules)
        self.reload()

    def reload(self) -> None:
        """Rebuild the folded state from every log file in ``events/``."""
        with self.lock:
            result = read_logs(event_files(self.events_dir))
            for problem in result.problems:
                log.warning("skipped event line %s", problem)
            self.ledger = Ledger(self.ledger.prompts.keys(), self.ledger.rules)
            for event in result.events:
                self.ledger.apply(event)
            if result.events:
                self._last_ts = max(self._last_ts, result.events[-1].ts)
            self.problems = result.problems
            self.event_count = len(result.events)

    # -- writing ----------------------------------------------------------------------

    def new_event(self, kind: str, user: str, prompt_id: str, **fields: Any) -> Event:
        """An event stamped strictly after every earlier one, so file order is fold order."""
        event = make_event(kind, user, prompt_id, **fields)
        if event.ts <= self._last_ts:
            event = replace(event, ts=_after(self._last_ts))
        return event

    def append(self, event: Event) -> Event:
        """Write ``event`` durably, then fold it in. Call with :attr:`lock` held."""
        line = (event.to_json() + "\n").encode("utf-8")
        with self.lock, self.io_lock:
            handle = self._open()
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
            self._last_ts = max(self._last_ts, event.ts)
            self.ledger.apply(event)
        return event

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self._file = self.path.open("ab")
            _fsync_dir(self.events_dir)  # the new file's name survives a crash too
        return self._file

    def close(self) -> None:
        with self.lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    # -- leases -----------------------------------------------------------------------

    def active_prompt_leases(self, prompt_id: str) -> dict[str, float]:
        now = self.clock()
        leases = self.prompt_leases.get(prompt_id, {})
        return {user: until for user, until in leases.items() if until > now}

    def lease_prompt(self, prompt_id: str, user: str) -> float:
        until = self.clock() + self.lease_seconds
        self.prompt_leases.setdefault(prompt_id, {})[user] = until
        return until

    def release_prompt(self, prompt_id: str, user: str) -> None:
        self.prompt_leases.get(prompt_id, {}).pop(user, None)

    def renew_leases(self, user: str) -> None:
        """Activity by ``user`` extends every lease they hold."""
        now = self.clock()
        until = now + self.lease_seconds
        for leases in self.prompt_leases.values():
            if leases.get(user, 0) > now:
                leases[user] = until
        for tid, (holder, expiry) in list(self.review_leases.items()):
            if holder == user and expiry > now:
                self.review_leases[tid] = (user, until)

    def review_lease_holder(self, translation_id: str) -> str | None:
        holder = self.review_leases.get(translation_id)
        if holder and holder[1] > self.clock():
            return holder[0]
        return None

    def lease_review(self, translation_id: str, user: str) -> float:
        until = self.clock() + self.lease_seconds
        self.review_leases[translation_id] = (user, until)
        return until

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """Hold the lock while deciding and writing, so the decision stays true."""
        with self.lock:
            yield self.ledger


def _after(ts: str) -> str:
    """The ISO timestamp one microsecond after ``ts`` (``...%fZ`` form)."""
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(ts) + timedelta(microseconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
