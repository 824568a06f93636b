"""Durable storage: the append-only event log, the folded state, leases and passes.

One :class:`Store` per process. Every write is one line appended to this
process's own uuid-named file, written and ``fsync``-ed before the caller is
told it succeeded, then folded into the in-memory :class:`Ledger`. All of it
happens under one lock, so concurrent handlers never interleave lines or decide
on stale state. A write that fails (full or read-only disk) is cut back to the
last complete line and raises :class:`WriteFailed`: nothing half-written stays,
memory and disk stay in step. Leases and reviewers' passes live in memory only:
after a restart they are simply free.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

from .events import Event, Kind, Problem, after_ts, event_files, make_event, now_ts, read_logs
from .rules import Ledger, Rules

log = logging.getLogger(__name__)


class WriteFailed(OSError):
    """An event could not be written; nothing of it is on disk or in memory."""


def open_for_append(path: Path) -> IO[bytes]:
    """Unbuffered: a failed write leaves nothing in a buffer to be flushed later."""
    return path.open("ab", buffering=0)


class AppendLog:
    """One process's own uuid-named ``*.jsonl`` file in ``folder``, only appended to.

    :meth:`write_line` returns once the line is on disk (fsync); on OSError it cuts the
    file back to the last complete line and re-raises. The event log and the drafts
    (:mod:`drafts`) both write through this one implementation; callers serialise.
    """

    def __init__(self, folder: Path, opener: Callable[[Path], IO[bytes]] = open_for_append):
        self.folder = folder
        self._opener = opener
        self._file: IO[bytes] | None = None
        self.path = self._new_path()

    def _new_path(self) -> Path:
        return self.folder / f"{uuid.uuid4().hex}.jsonl"

    def write_line(self, line: bytes) -> None:
        handle: IO[bytes] | None = None
        start = 0
        try:
            handle = self._open()
            start = handle.seek(0, os.SEEK_END)
            written = 0
            while written < len(line):  # a raw write may take only part of the line
                written += handle.write(line[written:]) or 0
            os.fsync(handle.fileno())
        except OSError:
            self._cut_back(handle, start)
            raise

    def _cut_back(self, handle: IO[bytes] | None, size: int) -> None:
        """Remove a partial line; if even that fails, continue in a new file."""
        if handle is None:
            return
        try:
            handle.truncate(size)
            os.fsync(handle.fileno())
        except OSError:
            # The torn tail stays as the last line of this file, which readers skip;
            # later lines go to a new file so they are never glued to it.
            self.close()
            self.path = self._new_path()

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self._file = self._opener(self.path)
            _fsync_dir(self.folder)  # the new file's name survives a crash too
        return self._file

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass  # unbuffered: nothing is lost by a failed close
            self._file = None


class Store:
    """The event log of one data dir, its folded state, the leases and passes."""

    def __init__(
        self,
        data_dir: Path,
        prompt_ids: list[str],
        rules: Rules,
        *,
        lease_seconds: float = 20 * 60,
        clock: Callable[[], float] = time.time,
        io_lock: AbstractContextManager[Any] | None = None,
        opener: Callable[[Path], IO[bytes]] = open_for_append,
        load: bool = True,
    ) -> None:
        """``load=False``: the log is folded later, by :meth:`load_in_background` (or
        :meth:`reload`); until then every transaction waits."""
        self.data_dir = data_dir
        self.events_dir = data_dir / "events"
        self.events_dir.mkdir(parents=True, exist_ok=True)
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.lock = threading.RLock()
        # Held around each append, and by whoever reads the folder for upload (the
        # sync's CommitScheduler gets this same lock), so nobody reads half a line.
        self.io_lock: AbstractContextManager[Any] = io_lock or threading.Lock()
        self.appender = AppendLog(self.events_dir, opener)
        self._last_written = ""  # the ts of this process's last write
        self.prompt_leases: dict[str, dict[str, float]] = {}  # prompt -> user -> until
        # user -> the prompts they were leased (in lease order): renewing and finding a
        # user's leases must not walk every lease under a crowd.
        self._leases_of: dict[str, dict[str, None]] = {}
        self.review_leases: dict[str, tuple[str, float]] = {}
        # (reviewer, translation) -> the version of the text they were last handed
        self._handed: dict[tuple[str, str], int] = {}
        self._passes: dict[str, set[str]] = {}  # reviewer -> translations passed on
        self.ledger = Ledger(prompt_ids, rules)
        self.problems: list[Problem] = []
        self.event_count = 0
        # Set once the log is folded; transactions wait for it, so no decision is ever
        # taken on a half-read log (the Space serves its page while a big log folds).
        self.loaded = threading.Event()
        self.load_error: Exception | None = None
        if load:
            self.reload()

    def check_writable(self) -> None:
        """Raise OSError now if the data dir cannot take a write (read-only, missing)."""
        probe = self.events_dir / f".probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"\n")  # no fsync: a read-only or missing folder fails here already
        probe.unlink()

    @property
    def path(self) -> Path:
        """This process's event file."""
        return self.appender.path

    def reload(self) -> None:
        """Rebuild the folded state from every log file in ``events/``."""
        with self.lock:
            began = time.perf_counter()
            result = read_logs(event_files(self.events_dir))
            for problem in result.problems:
                log.warning("skipped event line %s", problem)
            self.ledger = Ledger(self.ledger.prompts.keys(), self.ledger.rules)
            for event in result.events:
                self.ledger.apply(event)
            self.problems = result.problems
            self.event_count = len(result.events)
            self.loaded.set()
            log.info(
                "folded %d events from %s in %.2f s (%d unreadable lines skipped)",
                self.event_count,
                self.events_dir,
                time.perf_counter() - began,
                len(self.problems),
            )

    def load_in_background(self) -> threading.Thread:
        """Fold the log in a thread; transactions wait until it is done."""
        thread = threading.Thread(target=self._load, name="mpep-fold-log", daemon=True)
        thread.start()
        return thread

    def _load(self) -> None:
        try:
            self.reload()
        except Exception as exc:  # an unreadable folder: every call says so, none hangs
            log.error("could not read the event log in %s: %s", self.events_dir, exc)
            self.load_error = exc
            self.loaded.set()

    def _wait_loaded(self) -> None:
        self.loaded.wait()
        if self.load_error is not None:
            raise RuntimeError(f"the event log could not be read: {self.load_error}")

    # -- writing ----------------------------------------------------------------------

    def new_event(self, kind: Kind, user: str, prompt_id: str, **fields: Any) -> Event:
        """An event stamped with this machine's clock, after this process's last write.

        Never stamped from events read from disk: a far-future line elsewhere must
        not drag every new event into its future.
        """
        event = make_event(kind, user, prompt_id, **fields)
        event = event._replace(ts=now_ts(self.clock))
        if self._last_written and event.ts <= self._last_written:
            event = event._replace(ts=after_ts(self._last_written))
        return event

    def append(self, event: Event) -> Event:
        """Write ``event`` durably, then fold it in. Call with :attr:`lock` held.

        Raises :class:`WriteFailed` (and keeps nothing of the event) when the disk
        refuses the line.
        """
        line = (event.to_json() + "\n").encode("utf-8")
        self._wait_loaded()
        with self.lock, self.io_lock:
            self._write_line(line)
            self._last_written = max(self._last_written, event.ts)
            self.ledger.apply(event)
            self.event_count += 1
        return event

    def _write_line(self, line: bytes) -> None:
        try:
            self.appender.write_line(line)
        except OSError as exc:
            log.error("could not write an event to %s: %s", self.path, exc)
            raise WriteFailed(exc.errno or errno.EIO, str(exc)) from exc

    def close(self) -> None:
        with self.lock:
            self.appender.close()

    # -- leases -----------------------------------------------------------------------

    def active_prompt_leases(self, prompt_id: str) -> dict[str, float]:
        now = self.clock()
        leases = self.prompt_leases.get(prompt_id, {})
        return {user: until for user, until in leases.items() if until > now}

    def holds_prompt(self, prompt_id: str, user: str) -> bool:
        return self.prompt_leases.get(prompt_id, {}).get(user, 0) > self.clock()

    def leased_prompts(self, user: str) -> list[str]:
        """The prompts ``user`` holds a live lease on, in the order they were leased."""
        return [pid for pid in self._leases_of.get(user, ()) if self.holds_prompt(pid, user)]

    def lease_prompt(self, prompt_id: str, user: str) -> float:
        until = self.clock() + self.lease_seconds
        self.prompt_leases.setdefault(prompt_id, {})[user] = until
        self._leases_of.setdefault(user, {})[prompt_id] = None
        return until

    def release_prompt(self, prompt_id: str, user: str) -> None:
        leases = self.prompt_leases.get(prompt_id, {})
        leases.pop(user, None)
        if not leases:
            self.prompt_leases.pop(prompt_id, None)
        self._leases_of.get(user, {}).pop(prompt_id, None)

    def renew_leases(self, user: str) -> None:
        """Activity by ``user`` extends every lease they hold; expired ones are dropped."""
        now = self.clock()
        until = now + self.lease_seconds
        for pid in list(self._leases_of.get(user, ())):
            if self.prompt_leases.get(pid, {}).get(user, 0) > now:
                self.prompt_leases[pid][user] = until
            else:
                self.release_prompt(pid, user)  # expired: it changes nothing any more
        for tid, (holder, expiry) in list(self.review_leases.items()):
            if holder == user and expiry > now:
                self.review_leases[tid] = (user, until)

    def review_lease_holder(self, translation_id: str) -> str | None:
        lease = self.review_leases.get(translation_id)
        if lease and lease[1] > self.clock():
            return lease[0]
        return None

    def handed_version(self, translation_id: str, user: str) -> int | None:
        """The version of the text ``user`` was last handed to review (None: never)."""
        return self._handed.get((user, translation_id))

    def lease_review(self, translation_id: str, user: str, version: int) -> float:
        """Lease a translation to ``user``, who is shown ``version`` of its text."""
        until = self.clock() + self.lease_seconds
        self.review_leases[translation_id] = (user, until)
        self._handed[(user, translation_id)] = version
        return until

    def forget_handed(self, translation_id: str, user: str) -> None:
        self._handed.pop((user, translation_id), None)

    def release_review(self, translation_id: str) -> None:
        self.review_leases.pop(translation_id, None)

    # -- passes -----------------------------------------------------------------------

    def pass_review(self, user: str, translation_id: str) -> None:
        """``user`` passes on a translation: it is not offered to them again (until a
        restart) and their lease on it ends."""
        self._passes.setdefault(user, set()).add(translation_id)
        if self.review_lease_holder(translation_id) == user:
            self.release_review(translation_id)

    def passed(self, user: str, translation_id: str) -> bool:
        return translation_id in self._passes.get(user, ())

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """Hold the lock while deciding and writing, so the decision stays true."""
        self._wait_loaded()
        with self.lock:
            yield self.ledger


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
