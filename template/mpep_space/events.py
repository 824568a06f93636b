"""The event log: the one definition of what a Space writes and the collector reads.

Every change of state is one JSON object on one line of a ``*.jsonl`` file in
``<data dir>/events/``. Lines are only ever appended. Schema version 1::

    {"v": 1, "id": "<32 hex>", "ts": "2026-11-27T06:30:00.123456Z",
     "kind": "translation" | "review" | "flag" | "skip",
     "user": "<user name>", "prompt_id": "<prompt id>", ...}

Per kind, the extra keys are:

- ``translation``: ``text`` (str), ``qa`` (list of findings
  ``{"code", "severity", "message"}``), ``suggestion_unchanged`` (bool).
  Its ``id`` is the translation id.
- ``review``: ``translation_id``, ``verdict`` (``approve`` | ``reject``),
  ``comment`` (str), ``edited_text`` (str or null: the reviewer's corrected text).
- ``flag``: ``reason`` (str).
- ``skip``: nothing more.
- ``import``: ``text``, ``origin`` (str: the dataset it came from): a translation
  accepted elsewhere (an earlier MPEP Space), carried over by ``generate-space
  --import`` under its original translator's ``user``; it is accepted as it is.

Readers must skip (and report) lines they cannot use rather than fail: a torn
last line after a crash, a newer schema version, a malformed object.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

SCHEMA_VERSION = 1
Kind = Literal["translation", "review", "flag", "skip", "import"]
KINDS: tuple[str, ...] = ("translation", "review", "flag", "skip", "import")


def _json_loader() -> Callable[[str], Any]:
    try:  # orjson comes with gradio; it parses a log about twice as fast as json
        from orjson import loads
    except ImportError:  # pragma: no cover - the collector may run without it
        return json.loads
    return loads


_parse_json = _json_loader()
VERDICTS: tuple[str, ...] = ("approve", "reject")
TS_SHAPE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@dataclass(frozen=True)
class Event:
    """One line of the log."""

    id: str
    ts: str
    kind: str
    user: str
    prompt_id: str
    text: str = ""
    qa: tuple[dict[str, str], ...] = ()
    suggestion_unchanged: bool = False
    translation_id: str = ""
    verdict: str = ""
    comment: str = ""
    edited_text: str | None = None
    reason: str = ""
    origin: str = ""  # import: the dataset the translation came from

    def to_json(self) -> str:
        """The line written to the log (without the newline)."""
        data: dict[str, Any] = {
            "v": SCHEMA_VERSION,
            "id": self.id,
            "ts": self.ts,
            "kind": self.kind,
            "user": self.user,
            "prompt_id": self.prompt_id,
        }
        if self.kind == "translation":
            data.update(
                text=self.text, qa=list(self.qa), suggestion_unchanged=self.suggestion_unchanged
            )
        elif self.kind == "review":
            data.update(
                translation_id=self.translation_id,
                verdict=self.verdict,
                comment=self.comment,
                edited_text=self.edited_text,
            )
        elif self.kind == "flag":
            data.update(reason=self.reason)
        elif self.kind == "import":
            data.update(text=self.text, origin=self.origin)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def new_event_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_event(kind: str, user: str, prompt_id: str, **fields: Any) -> Event:
    """A new event with a fresh id and the current time."""
    return Event(
        id=new_event_id(), ts=utc_now(), kind=kind, user=user, prompt_id=prompt_id, **fields
    )


class EventFormatError(ValueError):
    """A line that is not a valid version-1 event."""


def _str(data: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value):
        raise EventFormatError(f"'{key}' must be a non-empty string")
    return value


def _timestamp(data: dict[str, Any]) -> str:
    ts = data.get("ts")
    if not isinstance(ts, str) or not TS_SHAPE.fullmatch(ts):
        raise EventFormatError("'ts' must be a UTC time like 2026-11-27T06:30:00.000000Z")
    return ts


def _findings(value: Any) -> tuple[dict[str, str], ...]:
    if not isinstance(value, list):
        raise EventFormatError("'qa' must be a list")
    out = []
    for item in value:
        if not isinstance(item, dict) or not all(isinstance(v, str) for v in item.values()):
            raise EventFormatError("'qa' items must be objects of strings")
        out.append({str(k): v for k, v in item.items()})
    return tuple(out)


def parse_event(line: str) -> Event:
    """Parse one log line, raising EventFormatError with a short reason."""
    try:
        data = _parse_json(line)
    except ValueError:
        raise EventFormatError("not valid JSON (a torn or corrupt line)") from None
    if not isinstance(data, dict):
        raise EventFormatError("not a JSON object")
    version = data.get("v")
    if version != SCHEMA_VERSION:
        raise EventFormatError(f"unknown schema version {version!r}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise EventFormatError(f"unknown kind {kind!r}")
    common = {
        "id": _str(data, "id"),
        "ts": _timestamp(data),
        "kind": kind,
        "user": _str(data, "user"),
        "prompt_id": _str(data, "prompt_id"),
    }
    if kind == "translation":
        return Event(
            **common,
            text=_str(data, "text"),
            qa=_findings(data.get("qa", [])),
            suggestion_unchanged=bool(data.get("suggestion_unchanged", False)),
        )
    if kind == "review":
        verdict = data.get("verdict")
        if verdict not in VERDICTS:
            raise EventFormatError(f"unknown verdict {verdict!r}")
        edited = data.get("edited_text")
        if edited is not None and not isinstance(edited, str):
            raise EventFormatError("'edited_text' must be a string or null")
        return Event(
            **common,
            translation_id=_str(data, "translation_id"),
            verdict=verdict,
            comment=_str(data, "comment", required=False),
            edited_text=edited or None,
        )
    if kind == "flag":
        return Event(**common, reason=_str(data, "reason", required=False))
    if kind == "import":
        origin = _str(data, "origin", required=False)
        return Event(**common, text=_str(data, "text"), origin=origin)
    return Event(**common)


@dataclass(frozen=True)
class Problem:
    """A line that was skipped, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class LogReadResult:
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: int = 0
    # Where each kept event was first read: event id -> (file, line), so a reader
    # can point at the line of an event that the rules later ignore.
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)


def event_files(events_dir: Path) -> list[Path]:
    """The log files of a data dir's ``events/`` folder, in a stable order."""
    return sorted(p for p in events_dir.glob("*.jsonl") if p.is_file())


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, "\x00"  # parse_event reports it as corrupt


def read_logs(files: Iterable[Path]) -> LogReadResult:
    """Read every event of ``files``, deduplicated by id, sorted by (ts, id).

    Bad lines are reported in ``problems``; good lines next to them are kept.
    """
    result = LogReadResult()
    seen: dict[str, Event] = {}
    for path in files:
        for number, line in _lines(path):
            if not line.strip():
                continue
            try:
                event = parse_event(line)
            except EventFormatError as exc:
                result.problems.append(Problem(str(path), number, str(exc)))
                continue
            if event.id in seen:
                if seen[event.id] != event:  # a copy must be identical: this is a conflict
                    file, first = result.origins[event.id]
                    reason = f"event id {event.id} was read before with other content"
                    reason += f" ({file}:{first}); kept the first"
                    result.problems.append(Problem(str(path), number, reason))
                    continue
                result.duplicates += 1
                continue
            seen[event.id] = event
            result.events.append(event)
            result.origins[event.id] = (str(path), number)
    result.events.sort(key=lambda e: (e.ts, e.id))
    return result
