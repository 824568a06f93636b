"""Reading a Space's event files a whole file at a time, at C speed.

The file's lines are parsed by ``orjson`` -- the parser the Space's own per-line reader
uses -- one C call each, with no Python step between them, so each line gives the very
object that reader would see. The checks of :func:`mpep_space.events.parse_event` then
run kind by kind on whole columns of values (sets, ``map`` and slices in C, not a
Python step per line), and the events are made from the columns. A file that is not one
object per line (a torn or blank line, two values on a line, bytes that are not UTF-8
...), or whose values the checks cannot vouch for, goes to the Space's per-line reader
(:func:`mpep_space.events.parse_lines`), so problems are worded and numbered as the
Space words them. Either way the result is what ``parse_lines`` gives;
``tests/test_columnar.py`` checks that on random logs.

(``pyarrow.json`` read these files before: parsing into Arrow and converting back to
Python values cost twice what ``orjson`` does, and pyarrow reads what the Space refuses
-- invalid UTF-8 in strings, a byte order mark -- which needed scans of its own.)
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from mpep_space.events import (
    FLAG_VERDICTS,
    KINDS,
    MAX_AHEAD,
    SCHEMA_VERSION,
    VERDICTS,
    Event,
    EventRun,
    ParsedLine,
    format_ts,
    parse_lines,
)

_loads: Callable[[bytes], Any] | None
try:  # the collect extra brings it (gradio does too)
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - without it, every file is read line by line
    _loads = None

# The Space's TS_SHAPE on ASCII digits only (its \d takes other digits, which
# fromisoformat refuses: such a line goes to the per-line reader).
TS_ASCII = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
TS_LENGTH = 27  # every match of TS_ASCII is this long
# Where TS_ASCII has its separators; every other place holds an ASCII digit.
TS_SEPARATORS = ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "Z"))
DIGITS = b"0123456789"

Line = dict[str, Any]  # one line's JSON object
Column = tuple[Any, ...]  # one key's values, in line order


class Unfit(Exception):
    """The columns cannot stand for this file exactly: read it line by line."""


def parse_file_columns(path: Path, now: datetime) -> EventRun | list[ParsedLine]:
    """What :func:`mpep_space.events.parse_lines` gives for ``path``, read by columns."""
    data = path.read_bytes()
    try:
        return parse_bytes(data, now)
    except Unfit:
        return list(parse_lines(path, now))


def parse_bytes(data: bytes, now: datetime) -> EventRun:
    """The events of a whole file's bytes; :class:`Unfit` when only the per-line reader
    can say exactly what is wrong with it."""
    return events_of(read_lines(data), now)


def read_lines(data: bytes) -> list[Line]:
    """A whole file's lines, one JSON object each; :class:`Unfit` when the file is not
    exactly one object per line."""
    if not data:
        return []
    if _loads is None:
        raise Unfit
    try:
        # Each line by itself, as the per-line reader parses it (a blank or torn line, or
        # two values on one, fail here): one array of the joined lines would save 10%, and
        # read lines that are not JSON alone -- a value split over two lines, next to a
        # line holding two -- as objects.
        lines = list(map(_loads, (data[:-1] if data.endswith(b"\n") else data).split(b"\n")))
    except ValueError:  # orjson.JSONDecodeError
        raise Unfit from None
    if set(map(type, lines)) != {dict}:
        raise Unfit
    return lines


def events_of(lines: list[Line], now: datetime) -> EventRun:
    """The events of the lines from :func:`read_lines`, checked against the clock ``now``
    (:class:`Unfit` when a line needs the per-line reader's words)."""
    latest = format_ts(now + MAX_AHEAD)
    try:
        return EventRun(_events(lines, latest))
    except (TypeError, KeyError):  # an unhashable value, a key a kind must have is missing
        raise Unfit from None


def _check(ok: Any) -> None:
    if not ok:
        raise Unfit


def _events(lines: list[Line], latest: str) -> list[Event]:
    if not lines:
        return []
    rows_of: dict[str, list[int]] = {}
    for row, kind in enumerate(map(itemgetter(*_own_keys(lines[0], ("kind",))), lines)):
        rows_of.setdefault(kind, []).append(row)
    _check(set(rows_of) <= set(KINDS))
    if len(rows_of) == 1:  # one kind: its events are the file's, in order
        ((kind, _),) = rows_of.items()
        return list(_kind_events(kind, lines, latest))
    events: list[Event | None] = [None] * len(lines)
    for kind, rows in rows_of.items():
        chosen = [lines[rows[0]]] if len(rows) == 1 else list(itemgetter(*rows)(lines))
        for row, event in zip(rows, _kind_events(kind, chosen, latest), strict=True):
            events[row] = event
    return events  # type: ignore[return-value]  # every row has a kind: none is left None


def _kind_events(kind: str, lines: list[Line], latest: str) -> Iterator[Event]:
    """The events of ``lines``, all of ``kind``: what parse_event makes of each, checked
    key by key on whole columns."""
    keys = KEYS[kind]
    values_of = itemgetter(*_own_keys(lines[0], keys))
    columns = dict(zip(keys, zip(*map(values_of, lines), strict=True), strict=True))
    _check(set(columns.pop("v")) <= {SCHEMA_VERSION})  # == as parse_event: 1.0 and true too
    for name in ("id", "user", "prompt_id"):
        _text(columns[name], required=True)
    _timestamps(columns["ts"], latest)
    values: dict[str, Any] = {name: repeat(value) for name, value in DEFAULTS.items()}
    values.update(columns)
    values["kind"] = repeat(kind)
    for name, default in OPTIONAL.get(kind, ()):
        values[name] = [line.get(name, default) for line in lines]
    for name, check in CHECKS[kind]:
        values[name] = check(values[name])
    records = zip(*(values[name] for name in Event._fields), strict=False)  # repeat(): endless
    return map(NEW_EVENT, records)


def _own_keys(line: Line, keys: tuple[str, ...]) -> tuple[str, ...]:
    """``keys`` as the parser's own key objects, where ``line`` has them: orjson makes one
    object per key for a whole file, and a dict finds the very object by identity, where
    an equal string costs a comparison of the text -- in every line."""
    own = {key: key for key in line}
    return tuple(own.get(key, key) for key in keys)


def _text(values: Column, *, required: bool) -> Column:
    """Strings, each non-empty when ``required`` (``_str`` of parse_event)."""
    "".join(values)  # TypeError (the per-line reader's words, then) unless all are strings
    _check(not required or all(values))
    return values


def _required(values: Column) -> Column:
    return _text(values, required=True)


def _optional(values: Column) -> Column:
    return _text(values, required=False)


def _timestamps(values: Column, latest: str) -> None:
    """``ts`` of every line: our shape, a real instant, at most a day ahead."""
    _check(ts_shaped(values))  # (TypeError for a value that is not a string)
    try:  # month 13 or day 45 have the shape; datetime does not
        deque(map(datetime.fromisoformat, values), maxlen=0)
    except ValueError:
        raise Unfit from None
    _check(max(values) <= latest)  # one shape, so text order is time order


def ts_shaped(values: Iterable[str]) -> bool:
    """Whether every value fully matches TS_ASCII, checked on their concatenation by a
    few C loops instead of a match per value: each TS_LENGTH long, each separator in its
    place, and digits in all the other places."""
    values = list(values)
    if set(map(len, values)) - {TS_LENGTH}:
        return False
    joined = "".join(values)
    if not joined.isascii():  # then every character is one byte
        return False
    count = len(values)
    if any(joined[at::TS_LENGTH] != char * count for at, char in TS_SEPARATORS):
        return False
    return len(joined.encode("ascii").translate(None, DIGITS)) == len(TS_SEPARATORS) * count


def _findings(values: Column) -> Iterator[tuple[dict[str, str], ...]]:
    """``qa``: lists of objects of strings, each made a tuple (the objects are the
    line's own, fresh from the parser, as parse_event's copies are)."""
    _check(set(map(type, values)) <= {list})
    for findings in filter(None, values):
        _check(
            set(map(type, findings)) == {dict}
            and all(set(map(type, f.values())) <= {str} for f in findings)
        )
    return map(tuple, values)


def _flags(values: Column) -> Iterator[bool]:
    return map(bool, values)  # as parse_event: any value, by its truth


def _one_of(allowed: tuple[str, ...]) -> Callable[[Column], Column]:
    def check(values: Column) -> Column:
        _check(set(values) <= set(allowed))
        return values

    return check


def _edits(values: Column) -> Iterable[str | None]:
    """``edited_text``: a string or null; an empty edit is no edit (None)."""
    _check(set(map(type, values)) <= {str, type(None)})
    return [value or None for value in values] if "" in values else values


def _versions(values: list[Any]) -> list[Any]:
    """``version``: absent or null, or a positive integer (not true or false)."""
    _check(set(map(type, values)) <= {int, type(None)})
    _check(all(value >= 1 for value in values if value is not None))
    return values


COMMON = ("v", "id", "ts", "user", "prompt_id")
# The keys each kind must have -- every Space writes them: a line without one goes to
# the per-line reader, which has words for it (a missing optional key too).
KEYS: dict[str, tuple[str, ...]] = {
    "translation": (*COMMON, "text", "qa", "suggestion_unchanged"),
    "review": (*COMMON, "translation_id", "verdict", "comment", "edited_text"),
    "flag_review": (*COMMON, "verdict", "comment"),
    "flag": (*COMMON, "reason"),
    "import": (*COMMON, "text", "origin"),
    "skip": COMMON,
}
# Keys a kind reads that a Space may leave out, with parse_event's value for them.
OPTIONAL: dict[str, tuple[tuple[str, Any], ...]] = {"review": (("version", None),)}
# Per kind, the checks of its own keys, each giving the field's values.
CHECKS: dict[str, tuple[tuple[str, Callable[[Any], Iterable[Any]]], ...]] = {
    "translation": (("text", _required), ("qa", _findings), ("suggestion_unchanged", _flags)),
    "review": (
        ("translation_id", _required),
        ("verdict", _one_of(VERDICTS)),
        ("comment", _optional),
        ("edited_text", _edits),
        ("version", _versions),
    ),
    "flag_review": (("verdict", _one_of(FLAG_VERDICTS)), ("comment", _optional)),
    "flag": (("reason", _optional),),
    "import": (("text", _required), ("origin", _optional)),
    "skip": (),
}
DEFAULTS: dict[str, Any] = Event._field_defaults
# Event._make without its length check (the records have every field): one C call.
NEW_EVENT = partial(tuple.__new__, Event)
