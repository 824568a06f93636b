"""The event log: the one definition of what a Space writes and the collector reads.

Every change of state is one JSON object on one line of a ``*.jsonl`` file in
``<data dir>/events/``. Lines are only ever appended. Schema version 1::

    {"v": 1, "id": "<32 hex>", "ts": "2026-11-27T06:30:00.123456Z",
     "kind": "translation" | "review" | "flag" | "flag_review" | "skip",
     "user": "<user name>", "prompt_id": "<prompt id>", ...}

Per kind, the extra keys are:

- ``translation``: ``text`` (str), ``qa`` (list of findings
  ``{"code", "severity", "message"}``), ``suggestion_unchanged`` (bool).
  Its ``id`` is the translation id.
- ``review``: ``translation_id``, ``verdict`` (``approve`` | ``reject``),
  ``comment`` (str), ``edited_text`` (str or null: the reviewer's corrected text),
  ``version`` (int, optional: which version of the text was reviewed; 1 is the
  translator's, each edit-and-approve makes the next; absent means "the current one").
- ``flag``: ``reason`` (str).
- ``flag_review``: ``verdict`` (``restore`` | ``confirm`` | ``withdraw``), ``comment``
  (str): a reviewer puts a flagged prompt back in the queue, or confirms the flag; or
  (``withdraw``) a flag's author takes back their own flag before a reviewer acts.
- ``skip``: nothing more.
- ``import``: ``text``, ``origin`` (str: the dataset it came from): a translation
  accepted elsewhere (an earlier MPEP Space), carried over by ``generate-space
  --import`` under its original translator's ``user``; it is accepted as it is.

``ts`` is when the line was written (UTC, microseconds). Readers must skip (and
report) lines they cannot use rather than fail: a torn last line after a crash, a
newer schema version, a malformed object, a ``ts`` that is not a real instant or is
more than a day ahead of the reader's clock.

Timestamps have one home here: :func:`format_ts`, :func:`parse_ts`, :func:`now_ts`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args

SCHEMA_VERSION = 1
Kind = Literal["translation", "review", "flag", "flag_review", "skip", "import"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Verdict = Literal["approve", "reject"]
FlagVerdict = Literal["restore", "confirm", "withdraw"]
# How far ahead of the reader's clock a line may be stamped (clocks of two machines
# differ a little; a line from the year 9999 or 2100 is damage, not skew).
MAX_AHEAD = timedelta(days=1)


def _json_loader() -> Callable[[str], Any]:
    try:  # orjson comes with gradio; it parses a log about twice as fast as json
        from orjson import loads
    except ImportError:  # pragma: no cover - the collector may run without it
        return json.loads
    return loads


_parse_json = _json_loader()
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
FLAG_VERDICTS: tuple[FlagVerdict, ...] = get_args(FlagVerdict)
TS_SHAPE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


# -- timestamps: one format, one parser, one clock ---------------------------------------


def format_ts(moment: datetime) -> str:
    """``2026-11-27T06:30:00.123456Z``: sortable as text, so file order can be checked."""
    return moment.astimezone(UTC).strftime(TS_FORMAT)


def parse_ts(ts: str) -> datetime:
    """The instant ``ts`` names; ValueError unless it has our shape and is a real time."""
    if not TS_SHAPE.fullmatch(ts):
        raise ValueError(f"{ts[:40]!r} is not a UTC time like 2026-11-27T06:30:00.000000Z")
    try:  # the shape lets through month 13 or day 45; datetime does not
        if ts.isascii():  # fromisoformat reads our shape 100x faster than strptime (same result)
            return datetime.fromisoformat(ts)
        return datetime.strptime(ts, TS_FORMAT).replace(tzinfo=UTC)  # \d took other digits
    except ValueError:
        raise ValueError(f"{ts!r} is not a real date and time") from None


def now_ts(clock: Callable[[], float] | None = None) -> str:
    """The current time (or ``clock()``, epoch seconds) as a timestamp."""
    if clock is None:
        return format_ts(datetime.now(UTC))
    return format_ts(datetime.fromtimestamp(clock(), UTC))


def epoch_ts(epoch: float) -> str:
    """Epoch seconds (a lease's expiry) as a timestamp."""
    return format_ts(datetime.fromtimestamp(epoch, UTC))


def after_ts(ts: str) -> str:
    """The timestamp one microsecond after ``ts``."""
    return format_ts(parse_ts(ts) + timedelta(microseconds=1))


class Event(NamedTuple):
    """One line of the log.

    A named tuple, not a dataclass: a log is read into one of these per line, and a
    tuple is made in one step where a frozen dataclass sets its 15 fields one by one
    (most of the cost of reading a log). Change one with ``event._replace(...)``.
    """

    id: str
    ts: str
    kind: Kind
    user: str
    prompt_id: str
    text: str = ""
    qa: tuple[dict[str, str], ...] = ()
    suggestion_unchanged: bool = False
    translation_id: str = ""
    verdict: str = ""  # a Verdict for reviews, a FlagVerdict for flag reviews
    comment: str = ""
    edited_text: str | None = None
    reason: str = ""
    origin: str = ""  # import: the dataset the translation came from
    version: int | None = None  # reviews: the version of the text reviewed

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
            if self.version is not None:
                data.update(version=self.version)
        elif self.kind == "flag":
            data.update(reason=self.reason)
        elif self.kind == "import":
            data.update(text=self.text, origin=self.origin)
        elif self.kind == "flag_review":
            data.update(verdict=self.verdict, comment=self.comment)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# The order events are folded in: by time, and by id for events of the same microsecond.
# (By position: a tuple's item is read in C, a named field through a descriptor; a
# log's fold reads these for every event. Event's first two fields are id and ts.)
EVENT_ORDER = itemgetter(1, 0)  # (ts, id)
EVENT_ID = itemgetter(0)


def new_event_id() -> str:
    return uuid.uuid4().hex


def make_event(kind: Kind, user: str, prompt_id: str, **fields: Any) -> Event:
    """A new event with a fresh id and the current time."""
    return Event(
        id=new_event_id(), ts=now_ts(), kind=kind, user=user, prompt_id=prompt_id, **fields
    )


class EventFormatError(ValueError):
    """A line that is not a valid version-1 event."""


def _str(data: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value):
        raise EventFormatError(f"'{key}' must be a non-empty string")
    return value


def _timestamp(data: dict[str, Any], latest: datetime | None) -> str:
    ts = data.get("ts")
    if not isinstance(ts, str):
        raise EventFormatError("'ts' must be a UTC time like 2026-11-27T06:30:00.000000Z")
    try:
        moment = parse_ts(ts)
    except ValueError as exc:
        raise EventFormatError(f"'ts' {exc}") from None
    if latest is not None and moment > latest:
        raise EventFormatError(f"'ts' {ts} is more than a day in the future")
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


def _version(data: dict[str, Any]) -> int | None:
    version = data.get("version")
    if version is None:
        return None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise EventFormatError("'version' must be a positive integer")
    return version


def parse_event(line: str, *, now: datetime | None = None) -> Event:
    """Parse one log line, raising EventFormatError with a short reason.

    ``ts`` may be at most :data:`MAX_AHEAD` after ``now`` (default: the current time).
    """
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
        "ts": _timestamp(data, (now or datetime.now(UTC)) + MAX_AHEAD),
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
            version=_version(data),
        )
    if kind == "flag_review":
        flag_verdict = data.get("verdict")
        if flag_verdict not in FLAG_VERDICTS:
            raise EventFormatError(f"unknown flag verdict {flag_verdict!r}")
        return Event(**common, verdict=flag_verdict, comment=_str(data, "comment", required=False))
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
    _origins: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)
    # Files taken whole (file, first line, ids): their origins are written out only
    # when asked for, as most reads never ask.
    _runs: list[tuple[str, int, list[str]]] = field(default_factory=list, repr=False)

    @property
    def origins(self) -> dict[str, tuple[str, int]]:
        """Where each kept event was first read: event id -> (file, line), so a reader
        can point at the line of an event that the rules later ignore."""
        for name, first, ids in self._runs:
            self._origins.update(zip(ids, zip(repeat(name), count(first)), strict=False))
        self._runs.clear()
        return self._origins


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


ParsedLine = tuple[int, Event | str]  # a line's number, and its event or why it was skipped


@dataclass(frozen=True)
class EventRun:
    """A file whose lines are all events, numbered from ``first``: what a reader that
    knows this (the collector's columnar one) gives instead of one ParsedLine per line.
    Iterating it gives those ParsedLines."""

    events: list[Event]
    first: int = 1

    def __iter__(self) -> Iterator[ParsedLine]:
        return enumerate(self.events, start=self.first)


def parse_lines(path: Path, now: datetime) -> Iterator[ParsedLine]:
    """Every non-blank line of ``path``, parsed: the event, or the reason it is skipped."""
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            yield number, parse_event(line, now=now)
        except EventFormatError as exc:
            yield number, str(exc)


def read_logs(
    files: Iterable[Path],
    *,
    now: datetime | None = None,
    parse_file: Callable[[Path, datetime], Iterable[ParsedLine]] = parse_lines,
) -> LogReadResult:
    """Read every event of ``files``, deduplicated by id, sorted by (ts, id).

    Bad lines are reported in ``problems``; good lines next to them are kept.
    ``parse_file`` may be another reader of a file's lines that gives what
    :func:`parse_lines` gives (the collector's columnar one, proved equal in its tests).
    """
    result = LogReadResult()
    seen: dict[str, Event] = {}
    now = now or datetime.now(UTC)
    for path in files:
        name = str(path)
        lines = parse_file(path, now)
        if isinstance(lines, EventRun) and _take_new(lines, name, seen, result):
            continue
        origins = result.origins
        for number, parsed in lines:
            if isinstance(parsed, str):
                result.problems.append(Problem(name, number, parsed))
                continue
            event_id = parsed.id
            first = seen.get(event_id)
            if first is None:
                seen[event_id] = parsed
                origins[event_id] = (name, number)
            elif first != parsed:  # a copy must be identical: this is a conflict
                file, line = origins[event_id]
                reason = f"event id {event_id} was read before with other content"
                reason += f" ({file}:{line}); kept the first"
                result.problems.append(Problem(name, number, reason))
            else:
                result.duplicates += 1
    result.events = sorted(seen.values(), key=EVENT_ORDER)
    return result


def _take_new(run: EventRun, name: str, seen: dict[str, Event], result: LogReadResult) -> bool:
    """Keep every event of ``run`` at once, if none has an id read before (nor twice in
    the run): what the loop of :func:`read_logs` would do, at C speed. False: the loop
    must decide, event by event."""
    ids = list(map(EVENT_ID, run.events))
    if len(set(ids)) < len(ids) or not seen.keys().isdisjoint(ids):
        return False
    seen.update(zip(ids, run.events, strict=True))
    result._runs.append((name, run.first, ids))
    return True
