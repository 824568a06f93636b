"""Drafts: what a translator typed and has not submitted, kept durably per person and prompt.

Drafts are not events: they live in ``<data dir>/drafts/<uuid>.jsonl`` (never in
``events/``, which is all the collector reads), written through the store's own
:class:`~mpep_space.store.AppendLog` (fsync'd, cut back on a failed write), under
the store's I/O lock (the sync's scheduler reads the folder under that lock too)
and synced to the Hub with the events (:data:`sync.DRAFTS_PATTERN`). Each line is::

    {"v": 1, "ts": "2026-11-27T06:30:00.123456Z", "user": "...", "prompt_id": "...", "text": "..."}

The latest line per (user, prompt) wins; ``text == ""`` is a discarded (or
submitted) draft. Unreadable lines are skipped, as with events.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .events import TS_SHAPE, after_ts, now_ts
from .store import AppendLog, open_for_append

log = logging.getLogger(__name__)

DRAFTS_DIR = "drafts"


@dataclass(frozen=True)
class Draft:
    user: str
    prompt_id: str
    text: str
    ts: str


def _parse(line: bytes) -> Draft | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("v") != 1:
        return None
    fields = [data.get(k) for k in ("user", "prompt_id", "text", "ts")]
    if not all(isinstance(f, str) for f in fields) or not TS_SHAPE.fullmatch(data["ts"]):
        return None
    return Draft(data["user"], data["prompt_id"], data["text"], data["ts"])


class Drafts:
    """The drafts of one data dir: read at start, appended to while running."""

    def __init__(
        self,
        data_dir: Path,
        *,
        io_lock: AbstractContextManager[Any] | None = None,
        clock: Callable[[], float] = time.time,
        opener: Callable[[Path], IO[bytes]] = open_for_append,
    ) -> None:
        self.folder = data_dir / DRAFTS_DIR
        self.folder.mkdir(parents=True, exist_ok=True)
        self.io_lock: AbstractContextManager[Any] = io_lock or threading.Lock()
        self.clock = clock
        self.lock = threading.Lock()
        self.appender = AppendLog(self.folder, opener)
        self._latest: dict[tuple[str, str], Draft] = {}
        self._last_ts = ""
        # user -> prompts set aside with "Save draft and show another": memory only, like
        # leases; offered again once nothing else is left.
        self.set_aside: dict[str, set[str]] = {}
        self.reload()

    def reload(self) -> None:
        """Read every drafts file (after a restart, or a restore from the Hub)."""
        latest: dict[tuple[str, str], Draft] = {}
        skipped = 0
        for path in sorted(self.folder.glob("*.jsonl")):
            for line in path.read_bytes().splitlines():
                draft = _parse(line) if line.strip() else None
                if draft is None:
                    skipped += line.strip() != b""
                    continue
                key = (draft.user, draft.prompt_id)
                if key not in latest or draft.ts >= latest[key].ts:
                    latest[key] = draft
        if skipped:
            log.warning("skipped %d unreadable draft line(s) in %s", skipped, self.folder)
        with self.lock:
            self._latest = latest

    def get(self, user: str, prompt_id: str) -> str:
        """The user's draft of this prompt ("" when none)."""
        draft = self._latest.get((user, prompt_id))
        return draft.text if draft else ""

    def of_user(self, user: str) -> list[Draft]:
        """The user's kept drafts, the most recently saved first."""
        mine = [d for (u, _), d in self._latest.items() if u == user and d.text]
        return sorted(mine, key=lambda d: d.ts, reverse=True)

    def save(self, user: str, prompt_id: str, text: str) -> bool:
        """Keep ``text`` as the draft; False when it was already the draft (nothing written).

        Raises OSError (nothing kept) when the disk refuses the line.
        """
        with self.lock:
            if self.get(user, prompt_id) == text:
                return False
            ts = now_ts(self.clock)
            if self._last_ts and ts <= self._last_ts:  # saves keep their order on reload
                ts = after_ts(self._last_ts)
            record = {"v": 1, "ts": ts, "user": user, "prompt_id": prompt_id, "text": text}
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            with self.io_lock:
                self.appender.write_line(line)
            self._last_ts = ts
            self._latest[(user, prompt_id)] = Draft(user, prompt_id, text, ts)
            return True

    def discard(self, user: str, prompt_id: str) -> bool:
        """Forget the draft (an explicit "Discard draft", or the text was submitted)."""
        return self.save(user, prompt_id, "")

    def close(self) -> None:
        with self.lock:
            self.appender.close()
