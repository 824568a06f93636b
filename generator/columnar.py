"""Reading a Space's event files by columns, at C speed.

``pyarrow.json`` parses a whole file into columns; the checks of
:func:`mpep_space.events.parse_event` then run on the columns (vectorised where they
can), and the events are made from the columns' values. Whatever the columns cannot
stand for exactly -- a bad line (pyarrow fails the whole file), a blank line (line
numbers would shift), a value that is missing in one line and ``null`` in another, a
number where the parser would see ``NaN`` -- sends the file to the Space's own
per-line reader (:func:`mpep_space.events.parse_lines`), so problems are worded and
numbered as the Space words them. Either way the result is what ``parse_lines``
gives; ``tests/test_columnar.py`` checks that on random logs.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache, partial
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

from .arrow import pyarrow

if TYPE_CHECKING:
    import pyarrow as pa

# A line the per-line reader skips as blank (pyarrow skips it too, shifting line numbers).
BLANK_LINE = re.compile(rb"\n[ \t\r\f\v]*\n")
# pyarrow reads a byte order mark or an unpaired surrogate escape where orjson refuses.
BOM = b"\xef\xbb\xbf"
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# The Space's TS_SHAPE on ASCII digits only (its \d takes other digits, which
# fromisoformat refuses: such a line goes to the per-line reader).
TS_ASCII = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
TS_LENGTH = 27  # every match of TS_ASCII is this long
# Where TS_ASCII has its separators; every other place holds an ASCII digit.
TS_SEPARATORS = ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "Z"))
DIGITS = b"0123456789"


Column = Any  # a checked pyarrow column, or None when no line has the key


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
    return events_of(read_table(data), now)


def read_table(data: bytes) -> pa.Table | None:
    """A whole file's lines as one table, one row a line (None: the file is empty);
    :class:`Unfit` when the rows would not be the lines, or pyarrow cannot read them."""
    pa = pyarrow()  # first: it decides what pyarrow's own import loads
    import pyarrow.json as pj

    if not data:
        return None
    end = data.find(b"\n")
    if not (data if end < 0 else data[:end]).strip() or BLANK_LINE.search(data):
        raise Unfit  # a blank first line, or one further on
    if BOM[0] in data and BOM in data:
        raise Unfit  # (one byte is looked for at memchr's speed; most files have none)
    if not _refuses_lone_surrogates() and SURROGATE_ESCAPE.search(data):
        raise Unfit  # (a scan of the whole file: only for a pyarrow that would read one)
    try:
        # One thread: a collect runs one process per core already.
        table = pj.read_json(pa.py_buffer(data), read_options=pj.ReadOptions(use_threads=False))
        # pyarrow keeps invalid UTF-8 inside strings, where the per-line reader reports the
        # line: checked in C++ for every string value, and for every name, nested ones too
        # (decoding the whole file instead would build a string of it, 2-4x its size).
        table.validate(full=True)
        _decode_names(table.schema)
    except (pa.ArrowException, UnicodeDecodeError):
        raise Unfit from None
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if table.num_rows != lines or _has_floats(table.schema):
        raise Unfit  # two objects on a line; NaN or a number json would not parse alike
    return table


@cache
def _refuses_lone_surrogates() -> bool:
    """Whether this pyarrow refuses an unpaired surrogate escape (``"\\ud800"``) as the
    per-line reader does -- pyarrow 26 does. Then a file with one fails to read (the
    per-line reader takes it), and a pair reads as the character it names, as the
    per-line reader reads it; otherwise every file with a surrogate escape goes to the
    per-line reader."""
    pa = pyarrow()
    import pyarrow.json as pj

    for escape in (b"\\ud800", b"\\udc00", b"\\ude00\\ud83d"):
        try:
            pj.read_json(pa.py_buffer(b'{"s":"' + escape + b'"}\n'))
        except pa.ArrowInvalid:
            continue
        return False
    return True


def events_of(table: pa.Table | None, now: datetime) -> EventRun:
    """The events of a table from :func:`read_table`, checked against the clock ``now``
    (:class:`Unfit` when a line needs the per-line reader's words)."""
    if table is None:
        return EventRun([])
    return _events(table, format_ts(now + MAX_AHEAD))


def _decode_names(schema: pa.Schema) -> None:
    """Every field name, as Python decodes it (UnicodeDecodeError: not UTF-8)."""
    import pyarrow as pa

    def names(t: pa.DataType) -> None:
        if pa.types.is_list(t):
            names(t.value_type)
        elif pa.types.is_struct(t):
            for i in range(t.num_fields):
                field = t.field(i)
                field.name  # noqa: B018 (decoded when read)
                names(field.type)

    for field in schema:
        field.name  # noqa: B018 (decoded when read)
        names(field.type)


def _has_floats(schema: pa.Schema) -> bool:
    import pyarrow as pa

    def floating(t: pa.DataType) -> bool:
        if pa.types.is_floating(t):
            return True
        if pa.types.is_list(t):
            return floating(t.value_type)
        if pa.types.is_struct(t):
            return any(floating(t.field(i).type) for i in range(t.num_fields))
        return False

    return any(floating(field.type) for field in schema)


def _check(ok: Any) -> None:
    if not ok:
        raise Unfit


class _Columns:
    """A file's table: each column's Arrow type, and its values as a Python list (converted
    once, in C), checked here in plain Python -- importing ``pyarrow.compute`` would cost
    each collect process more than the checks do."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.rows = table.num_rows
        # by name, once: each table.column_names builds a new list
        self._columns = dict(zip(table.column_names, table.columns, strict=True))
        self._values: dict[str, list[Any]] = {}

    def arrow(self, name: str) -> pa.ChunkedArray | None:
        return self._columns.get(name)

    def values(self, name: str) -> list[Any]:
        if name not in self._values:
            self._values[name] = self._columns[name].to_pylist()
        return self._values[name]


def _strings(cols: _Columns, name: str, rows: list[int] | None, *, required: bool) -> Column:
    """The values of a string key (checked on ``rows``; None: all); None when the key
    is absent.

    ``required``: every one a non-empty string (``_str``); otherwise a string, where
    absent means "" -- and since a column cannot tell absent from null, a null sends
    the file to the per-line reader.
    """
    import pyarrow as pa

    column = cols.arrow(name)
    any_row = cols.rows > 0 if rows is None else bool(rows)
    if column is None:
        _check(not required or not any_row)
        return None
    if pa.types.is_null(column.type):
        _check(not any_row)
        return cols.values(name)
    _check(pa.types.is_string(column.type))
    values = cols.values(name)
    chosen = values if rows is None else _gather(values, rows)
    _check(all(chosen) if required else None not in chosen)  # "" and None are falsy
    return values


def _one_of(cols: _Columns, name: str, rows: list[int] | None, allowed: tuple[str, ...]) -> Column:
    values = _strings(cols, name, rows, required=True)
    if values is not None:
        chosen = values if rows is None else _gather(values, rows)
        _check(set(chosen) <= set(allowed))
    return values


def _timestamps(cols: _Columns, latest: str) -> list[str]:
    """``ts`` of every row: our shape, a real instant, at most a day ahead."""
    import pyarrow as pa

    column = cols.arrow("ts")
    _check(column is not None and pa.types.is_string(column.type) and column.null_count == 0)
    values: list[str] = cols.values("ts")
    _check(ts_shaped(values))
    try:  # month 13 or day 45 have the shape; datetime refuses them
        deque(map(datetime.fromisoformat, values), maxlen=0)
    except ValueError:
        raise Unfit from None
    _check(max(values) <= latest)  # one shape, so text order is time order
    return values


def ts_shaped(values: list[str]) -> bool:
    """Whether every value fully matches TS_ASCII, checked on their concatenation by a
    few C loops instead of a match per value: each TS_LENGTH long, each separator in its
    place, and digits in all the other places."""
    if set(map(len, values)) - {TS_LENGTH}:
        return False
    joined = "".join(values)
    if not joined.isascii():  # then every character is one byte
        return False
    count = len(values)
    if any(joined[at::TS_LENGTH] != char * count for at, char in TS_SEPARATORS):
        return False
    return len(joined.encode("ascii").translate(None, DIGITS)) == len(TS_SEPARATORS) * count


def _findings(cols: _Columns, rows: list[int]) -> Column:
    """``qa`` as lists of string dicts; None when the key is absent (every value ``()``)."""
    import pyarrow as pa

    column = cols.arrow("qa")
    if column is None:
        return None
    _check(pa.types.is_list(column.type))
    item = column.type.value_type
    _check(
        pa.types.is_null(item)
        or (
            pa.types.is_struct(item)
            and item.num_fields > 0
            and all(pa.types.is_string(item.field(i).type) for i in range(item.num_fields))
        )
    )
    values = cols.values("qa")
    chosen = _gather(values, rows)
    _check(None not in chosen)  # "qa": null is an error, absent is []: ask the lines
    for findings in filter(None, chosen):  # a key absent from one finding and set in another
        _check(None not in findings and all(None not in f.values() for f in findings))
    return values


def _flags(cols: _Columns, name: str) -> Column:
    import pyarrow as pa

    column = cols.arrow(name)
    if column is None:
        return None
    _check(pa.types.is_boolean(column.type) or pa.types.is_null(column.type))
    return cols.values(name)


def _versions(cols: _Columns, rows: list[int]) -> Column:
    import pyarrow as pa

    column = cols.arrow("version")
    if column is None or pa.types.is_null(column.type):
        return None
    _check(pa.types.is_int64(column.type))
    values = cols.values("version")
    _check(all(values[i] is None or values[i] >= 1 for i in rows))
    return values


def _events(table: pa.Table, latest: str) -> EventRun:
    import pyarrow as pa

    cols = _Columns(table)
    version = cols.arrow("v")
    _check(version is not None and pa.types.is_int64(version.type) and version.null_count == 0)
    _check(set(cols.values("v")) == {SCHEMA_VERSION})
    kinds = _one_of(cols, "kind", None, KINDS)
    assert kinds is not None
    rows_of = _rows_of(kinds)

    def of(*names: str) -> list[int]:
        return sorted(chain.from_iterable(rows_of.get(name, ()) for name in names))

    columns: dict[str, Column] = {
        name: _strings(cols, name, None, required=True) for name in ("id", "user", "prompt_id")
    }
    columns["ts"] = _timestamps(cols, latest)
    columns["text"] = _strings(cols, "text", of("translation", "import"), required=True)
    columns["qa"] = _findings(cols, of("translation"))
    columns["suggestion_unchanged"] = _flags(cols, "suggestion_unchanged")
    columns["translation_id"] = _strings(cols, "translation_id", of("review"), required=True)
    _one_of(cols, "verdict", of("review"), VERDICTS)
    _one_of(cols, "verdict", of("flag_review"), FLAG_VERDICTS)
    columns["verdict"] = _strings(cols, "verdict", of("review", "flag_review"), required=True)
    columns["comment"] = _strings(cols, "comment", of("review", "flag_review"), required=False)
    columns["edited_text"] = _strings(cols, "edited_text", [], required=False)
    columns["version"] = _versions(cols, of("review"))
    columns["reason"] = _strings(cols, "reason", of("flag"), required=False)
    columns["origin"] = _strings(cols, "origin", of("import"), required=False)
    return EventRun(_make(table.num_rows, rows_of, columns))


def _rows_of(kinds: list[str]) -> dict[str, list[int]]:
    """The rows of each kind, in order (a plain loop: faster than a C pass per kind)."""
    rows_of: dict[str, list[int]] = {}
    for row, kind in enumerate(kinds):
        rows_of.setdefault(kind, []).append(row)
    return rows_of


def _make(rows: int, rows_of: dict[str, list[int]], columns: dict[str, Column]) -> list[Event]:
    """The events, made from the checked columns: kind by kind, only the keys it has
    (the other fields keep their defaults), each made in one step."""
    if len(rows_of) == 1:  # one kind: its events are the file's, in order
        ((kind, _),) = rows_of.items()
        return list(_made(kind, None, columns))
    events: list[Event | None] = [None] * rows
    for kind, kind_rows in rows_of.items():
        for row, event in zip(kind_rows, _made(kind, kind_rows, columns), strict=True):
            events[row] = event
    return events  # type: ignore[return-value]  # every row has a kind: none is left None


def _made(kind: str, rows: list[int] | None, columns: dict[str, Column]) -> Iterator[Event]:
    """The events of ``kind`` at ``rows`` (None: every row), in row order."""
    values: dict[str, Any] = {name: repeat(value) for name, value in DEFAULTS.items()}
    values["kind"] = repeat(kind)
    for name in COMMON:
        values[name] = _gather(columns[name], rows)
    for name, convert in KIND_FIELDS[kind]:
        column = columns.get(name)
        if column is not None:  # absent keys keep the default
            kept = _gather(column, rows)
            values[name] = kept if convert is None else convert(kept)
    records = zip(*(values[name] for name in Event._fields), strict=False)  # repeat(): endless
    return map(NEW_EVENT, records)


def _gather(column: list[Any], rows: list[int] | None) -> list[Any]:
    """``column``'s values at ``rows`` (None: all; C speed)."""
    if rows is None or len(rows) == len(column):
        return column  # one kind: every row, in order
    if not rows:
        return []
    got = itemgetter(*rows)(column)
    return [got] if len(rows) == 1 else list(got)


def _as_findings(values: list[Any]) -> Iterator[Any]:
    return map(tuple, values)  # the dicts are fresh ones, string keys to string values (checked)


def _as_flags(values: list[Any]) -> Iterator[bool]:
    return map(bool, values)


def _as_edits(values: list[Any]) -> Iterable[Any]:
    """An empty edit is no edit (None); most reviews have none, so the scan is in C."""
    return [value or None for value in values] if "" in values else values


COMMON = ("id", "ts", "user", "prompt_id")
DEFAULTS: dict[str, Any] = Event._field_defaults
# Event._make without its length check (the records have every field): one C call.
NEW_EVENT = partial(tuple.__new__, Event)
# Per kind, the keys parse_event reads, and how the checked values become the fields
# (None: as they are; the checks already refused what parse_event would refuse).
KIND_FIELDS: dict[str, tuple[tuple[str, Callable[[list[Any]], Iterable[Any]] | None], ...]] = {
    "translation": (("text", None), ("qa", _as_findings), ("suggestion_unchanged", _as_flags)),
    "review": (
        ("translation_id", None),
        ("verdict", None),
        ("comment", None),
        ("edited_text", _as_edits),
        ("version", None),
    ),
    "flag_review": (("verdict", None), ("comment", None)),
    "flag": (("reason", None),),
    "import": (("text", None), ("origin", None)),
    "skip": (),
}
