"""The collector's columnar reader gives exactly what the Space's per-line reader gives.

:func:`mpep_generator.columnar.parse_file_columns` reads a whole event file with
``orjson`` (one JSON array) and checks the columns; anything the columns cannot stand for
exactly goes to :func:`mpep_space.events.parse_lines`. These tests write random logs
-- valid events, and lines with every kind of damage the per-line reader reports --
and compare the two readers line by line, and through ``read_logs`` (dedup, conflicts,
order) and the Space's ``Ledger``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpep_generator.columnar import (
    TS_ASCII,
    TS_LENGTH,
    Unfit,
    parse_bytes,
    parse_file_columns,
    ts_shaped,
)
from mpep_space.events import FLAG_VERDICTS, KINDS, VERDICTS, Event, parse_lines, read_logs
from mpep_space.rules import Ledger, Rules

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
MISSING = object()  # the key is left out of the line
IDS = [f"{i:032x}" for i in range(6)]  # few ids: duplicates and conflicts happen
PROMPTS = ["1", "2", "3"]
USERS = ["alice", "bob", "rita", "Zoë", "用户"]
GOOD_TS = [
    "2026-11-27T06:30:00.123456Z",
    "2026-11-27T06:30:00.123456Z",
    "2026-11-28T07:00:01.000001Z",
    "2024-02-29T23:59:59.999999Z",
]
BAD_TS = [
    "2026-02-30T06:30:00.000000Z",  # the shape of a time, not a real one
    "2026-13-01T00:00:00.000000Z",
    "2026-11-27T24:00:00.000000Z",
    "2026-11-27T06:30:60.000000Z",
    "2099-01-01T00:00:00.000000Z",  # far ahead of the reader's clock
    "2026-11-27 06:30:00",
    "٢٠٢٦-11-27T06:30:00.000000Z",  # other digits: the Space's regex takes them
    "",
]
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
odd = st.sampled_from([None, 0, 5, -1, True, False, "", [], {}, ["x"], {"a": "b"}])


def maybe(strategy: st.SearchStrategy[Any], *, often: bool = True) -> st.SearchStrategy[Any]:
    """Mostly ``strategy``; sometimes missing, null, empty or of another type."""
    weird = st.one_of(st.just(MISSING), odd)
    return st.one_of(strategy, strategy, strategy, weird) if often else st.one_of(strategy, weird)


finding = st.dictionaries(
    st.sampled_from(["code", "severity", "message", "extra"]),
    st.one_of(text, text, odd),
    max_size=3,
)
findings = st.one_of(
    st.lists(
        st.fixed_dictionaries(
            {"code": st.sampled_from(["number_missing", "untranslated"]), "severity": text}
        ),
        max_size=2,
    ),
    st.lists(finding, max_size=2),
)


@st.composite
def raw_event(draw: st.DrawFn) -> dict[str, Any]:
    """A line's object: mostly a version-1 event, with any key possibly odd or missing."""
    fields = {
        "v": maybe(st.just(1)),
        "id": maybe(st.sampled_from(IDS)),
        "ts": maybe(st.sampled_from(GOOD_TS + BAD_TS)),
        "kind": maybe(st.sampled_from([*KINDS, "vote"])),
        "user": maybe(st.sampled_from(USERS)),
        "prompt_id": maybe(st.sampled_from([*PROMPTS, "404"])),
        "text": maybe(text),
        "qa": maybe(findings),
        "suggestion_unchanged": maybe(st.booleans()),
        "translation_id": maybe(st.sampled_from(IDS)),
        "verdict": maybe(st.sampled_from([*VERDICTS, *FLAG_VERDICTS, "maybe"])),
        "comment": maybe(text),
        "edited_text": maybe(st.one_of(st.none(), text)),
        "version": maybe(st.integers(min_value=-1, max_value=3)),
        "reason": maybe(text),
        "origin": maybe(text),
        "extra": maybe(text, often=False),
    }
    out = {}
    for key, strategy in fields.items():
        value = draw(strategy)
        if value is not MISSING:
            out[key] = value
    return out


@st.composite
def line(draw: st.DrawFn) -> bytes:
    """One line of a log file (with its line end), sometimes damaged."""
    data = draw(raw_event())
    body = json.dumps(data, ensure_ascii=draw(st.booleans()), separators=(",", ":"))
    damage = draw(
        st.sampled_from(
            ["none"] * 12
            + ["torn", "blank", "spaces", "crlf", "nan", "two", "bom", "list", "bad utf-8"]
            + ["big int", "float v", "surrogate", "dup key", "leading space"]
        )
    )
    raw = body.encode()
    if damage == "torn":
        raw = raw[: draw(st.integers(0, max(0, len(raw) - 1)))]
    elif damage == "blank":
        raw = b""
    elif damage == "spaces":
        raw = b" \t "
    elif damage == "crlf":
        raw += b"\r"
    elif damage == "nan":
        raw = raw[:-1] + b',"score":NaN}'
    elif damage == "two":
        raw += raw
    elif damage == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif damage == "list":
        raw = b"[" + raw + b"]"
    elif damage == "bad utf-8":
        raw = raw.replace(b'"', b'"\xff', 1)
    elif damage == "big int":
        raw = raw[:-1] + b',"n":123456789012345678901234567890}'
    elif damage == "float v":
        raw = raw.replace(b'"v":1', b'"v":1.0')
    elif damage == "surrogate":
        raw = raw[:-1] + b',"s":"\\ud800"}'
    elif damage == "dup key":
        raw = raw[:-1] + b',"kind":"skip"}'
    elif damage == "leading space":
        raw = b"  " + raw
    return raw + b"\n"


def valid_event(draw: st.DrawFn) -> Event:
    kind = draw(st.sampled_from(KINDS))
    common: dict[str, Any] = {
        "id": draw(st.sampled_from(IDS)),
        "ts": draw(st.sampled_from(GOOD_TS)),
        "kind": kind,
        "user": draw(st.sampled_from(USERS)),
        "prompt_id": draw(st.sampled_from(PROMPTS)),
    }
    nonempty = text.filter(bool)
    if kind == "translation":
        qa = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"code": st.sampled_from(["number_missing", "untranslated"]), "message": text}
                ),
                max_size=2,
            )
        )
        return Event(
            **common,
            text=draw(nonempty),
            qa=tuple(qa),
            suggestion_unchanged=draw(st.booleans()),
        )
    if kind == "review":
        return Event(
            **common,
            translation_id=draw(st.sampled_from(IDS)),
            verdict=draw(st.sampled_from(VERDICTS)),
            comment=draw(text),
            edited_text=draw(st.one_of(st.none(), nonempty)),
            version=draw(st.one_of(st.none(), st.integers(1, 3))),
        )
    if kind == "flag_review":
        return Event(**common, verdict=draw(st.sampled_from(FLAG_VERDICTS)), comment=draw(text))
    if kind == "flag":
        return Event(**common, reason=draw(text))
    if kind == "import":
        return Event(**common, text=draw(nonempty), origin=draw(text))
    return Event(**common)


valid_events = st.composite(lambda draw: valid_event(draw))()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


CHECKS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@CHECKS
@given(lines=st.lists(line(), max_size=12), ends_with_newline=st.booleans())
def test_any_log_reads_as_the_space_reads_it(
    tmp_path: Path, lines: list[bytes], ends_with_newline: bool
) -> None:
    data = b"".join(lines)
    if not ends_with_newline:
        data = data.removesuffix(b"\n")
    path = write(tmp_path, "events.jsonl", data)
    assert list(parse_file_columns(path, NOW)) == list(parse_lines(path, NOW))


@CHECKS
@given(events=st.lists(valid_events, max_size=15), ends_with_newline=st.booleans())
def test_a_log_the_space_wrote_is_read_by_columns(
    tmp_path: Path, events: list[Event], ends_with_newline: bool
) -> None:
    """Logs as Spaces write them never fall back to the per-line reader, and the events,
    read_logs' result and the Ledger fold are the same as the Space's."""
    data = "".join(f"{e.to_json()}\n" for e in events).encode()
    if not ends_with_newline:
        data = data.removesuffix(b"\n")
    path = write(tmp_path, "events.jsonl", data)
    by_columns = list(parse_bytes(data, NOW))  # Unfit would fail the test
    assert by_columns == list(parse_lines(path, NOW))
    assert [e for _, e in by_columns] == events
    assert all(type(e) is Event for _, e in by_columns)
    ours = read_logs([path], now=NOW, parse_file=parse_file_columns)
    theirs = read_logs([path], now=NOW)
    assert (ours.events, ours.problems, ours.origins) == (
        theirs.events,
        theirs.problems,
        theirs.origins,
    )
    rules = Rules(min_approvals=2, translations_per_prompt=2)
    folded = [Ledger.from_events(PROMPTS, rules, log.events) for log in (ours, theirs)]
    assert folded[0].progress() == folded[1].progress()
    for pid in PROMPTS:
        mine, space = folded[0].prompts[pid], folded[1].prompts[pid]
        assert (mine.status, mine.accepted, mine.translations) == (
            space.status,
            space.accepted,
            space.translations,
        )


KEYS = ["v", "id", "ts", "kind", "user", "prompt_id", "text", "qa", "suggestion_unchanged"]
KEYS += ["translation_id", "verdict", "comment", "edited_text", "version", "reason", "origin"]


@CHECKS
@given(
    events=st.lists(valid_events, min_size=1, max_size=12),
    changes=st.lists(
        st.tuples(
            st.integers(0, 11), st.sampled_from([*KEYS, "new"]), st.one_of(st.just(MISSING), odd)
        ),
        max_size=2,
    ),
)
def test_a_space_log_with_a_few_odd_values_reads_as_the_space_reads_it(
    tmp_path: Path, events: list[Event], changes: list[tuple[int, str, Any]]
) -> None:
    """Mostly valid logs, so the columns are tried: a key dropped, null, empty or of another
    type in one or two lines (a key a kind does not read, too) changes nothing between the
    two readers."""
    objects = [json.loads(e.to_json()) for e in events]
    for row, key, value in changes:
        target = objects[row % len(objects)]
        if value is MISSING:
            target.pop(key, None)
        else:
            target[key] = value
    data = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode()
    path = write(tmp_path, "events.jsonl", data)
    assert list(parse_file_columns(path, NOW)) == list(parse_lines(path, NOW))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n",
        b'{"v":1}\n\n{"v":1}\n',
        b"\xef\xbb\xbf{}\n",
        b'{"a":NaN}\n',
        b'{"a":"x"}{"a":"y"}\n',
        b'{"a":"\xff"}\n',
    ],
)
def test_files_the_columns_cannot_stand_for_are_read_line_by_line(
    tmp_path: Path, data: bytes
) -> None:
    path = write(tmp_path, "events.jsonl", data)
    if data:
        with pytest.raises(Unfit):
            parse_bytes(data, NOW)
    assert list(parse_file_columns(path, NOW)) == list(parse_lines(path, NOW))


GOOD_LINE = (
    Event(
        id=IDS[0],
        ts=GOOD_TS[0],
        kind="translation",
        user="u",
        prompt_id="1",
        text="hello",
        qa=({"code": "x", "severity": "warning", "message": "m"},),
    )
    .to_json()
    .encode()
)


@pytest.mark.parametrize(
    "damage",
    [
        (b'"hello"', b'"hel\xe2\x82lo"'),  # invalid UTF-8 in a value
        (b'"hello"', b'"hel\xed\xa0\x80lo"'),  # an encoded surrogate
        (b'"user"', b'"us\xffer"'),  # in a name
        (b'"code"', b'"co\xffde"'),  # in a nested name
        (b'"x"', b'"\xc0\xafx"'),  # in a nested value (an overlong encoding)
        (b"", b"\xef\xbb\xbf"),  # a byte order mark before the line
    ],
)
def test_a_good_line_with_bad_bytes_is_read_line_by_line(
    tmp_path: Path, damage: tuple[bytes, bytes]
) -> None:
    """A Space's line, damaged where pyarrow would read it anyway (it keeps invalid UTF-8
    in strings and names, and skips a byte order mark): the per-line reader decides."""
    old, new = damage
    data = (new + GOOD_LINE if not old else GOOD_LINE.replace(old, new, 1)) + b"\n"
    path = write(
        tmp_path, "events.jsonl", data + GOOD_LINE.replace(IDS[0].encode(), IDS[1].encode()) + b"\n"
    )
    with pytest.raises(Unfit):
        parse_bytes(path.read_bytes(), NOW)
    assert list(parse_file_columns(path, NOW)) == list(parse_lines(path, NOW))


@pytest.mark.parametrize(
    ("escape", "by_columns"),
    [
        ("\\ud800", False),  # a lone high surrogate
        ("\\udfff", False),  # a lone low one
        ("\\ude00\\ud83d", False),  # a pair in the wrong order
        ("x\\ud83d", False),  # a high one at the end of the text
        ("\\ud83d\\ude00", True),  # a pair: one character, read alike by both
        ("\\uD83D\\uDE00", True),
    ],
)
def test_surrogate_escapes_are_read_as_the_per_line_reader_reads_them(
    tmp_path: Path, escape: str, by_columns: bool
) -> None:
    """An escaped surrogate in a Space's line: one the per-line reader refuses never
    reaches the columns (this pyarrow refuses it too, or the file is sent line by line);
    a pair is read by columns, as the character it names."""
    line = GOOD_LINE.replace(b'"hello"', b'"hel' + escape.encode() + b'lo"', 1) + b"\n"
    data = line + GOOD_LINE.replace(IDS[0].encode(), IDS[1].encode()) + b"\n"
    path = write(tmp_path, "events.jsonl", data)
    if by_columns:
        assert [e.text for e in parse_bytes(data, NOW).events] == ["hel\U0001f600lo", "hello"]
    else:
        with pytest.raises(Unfit):
            parse_bytes(data, NOW)
    assert list(parse_file_columns(path, NOW)) == list(parse_lines(path, NOW))


def test_lines_that_are_json_only_together_are_read_line_by_line(tmp_path: Path) -> None:
    """A value split over two lines, next to a line holding two values: joined, the lines
    would be as many objects as lines, all valid events; alone, three are not JSON."""
    finding = {"code": "x", "severity": "warning", "message": "m"}
    a, b, c, d = (
        Event(
            id=IDS[i],
            ts=GOOD_TS[0],
            kind="translation",
            user="u",
            prompt_id="1",
            text="t",
            qa=(finding, finding),
        )
        .to_json()
        .encode()
        for i in range(4)
    )
    b_start, b_end = b.split(b'},{"code"', 1)  # b's findings apart: b_end starts a finding
    data = b"\n".join([a, b_start + b"}", b'{"code"' + b_end, c + b"," + d]) + b"\n"
    assert len(json.loads(b"[" + data.strip().replace(b"\n", b",") + b"]")) == 4  # as lines
    path = write(tmp_path, "events.jsonl", data)
    with pytest.raises(Unfit):
        parse_bytes(data, NOW)
    read = list(parse_file_columns(path, NOW))
    assert read == list(parse_lines(path, NOW))
    assert [type(parsed) for _, parsed in read] == [Event, str, str, str]


def test_events_made_from_columns_are_whole_immutable_events(tmp_path: Path) -> None:
    lines = [
        Event(id=IDS[0], ts=GOOD_TS[0], kind="skip", user="u", prompt_id="1"),
        Event(id=IDS[1], ts=GOOD_TS[0], kind="flag", user="u", prompt_id="1", reason="r"),
    ]
    path = write(tmp_path, "e.jsonl", "".join(f"{e.to_json()}\n" for e in lines).encode())
    made = [event for _, event in parse_file_columns(path, NOW)]
    assert made == lines and all(type(e) is Event for e in made)
    assert [e._asdict() for e in made] == [e._asdict() for e in lines]  # every field set
    assert made[0]._replace(text="t") == lines[0]._replace(text="t")
    with pytest.raises(AttributeError):
        made[0].user = "mallory"  # type: ignore[misc]  # immutable


def test_reading_by_columns_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow would import pandas (0.35 s) to ask whether a list is a pandas object."""
    import subprocess
    import sys

    event = Event(id=IDS[0], ts=GOOD_TS[0], kind="translation", user="a", prompt_id="1", text="x")
    path = write(tmp_path, "e.jsonl", f"{event.to_json()}\n".encode())
    script = (
        "import sys; from datetime import datetime, UTC; "
        "from mpep_generator.columnar import parse_bytes; "
        "from mpep_generator.arrow import pyarrow; "
        f"parse_bytes(open({str(path)!r}, 'rb').read(), datetime.now(UTC)); "
        "pyarrow().array([1, 2]); "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'huggingface_hub') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


@st.composite
def one_char_off(draw: st.DrawFn) -> str:
    """A timestamp of the right shape with one character replaced."""
    value = draw(st.from_regex(TS_ASCII, fullmatch=True))
    at = draw(st.integers(0, TS_LENGTH - 1))
    return value[:at] + draw(st.sampled_from("0-T:.Z x٣")) + value[at + 1 :]


near_ts = st.one_of(
    st.from_regex(TS_ASCII, fullmatch=True),
    one_char_off(),
    st.sampled_from(GOOD_TS + BAD_TS),
    st.text("0123456789-T:.Z", min_size=26, max_size=28),  # near misses of every length
    st.text(max_size=30),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(near_ts, max_size=6))
def test_timestamps_are_checked_as_one_match_per_value_would(values: list[str]) -> None:
    assert ts_shaped(values) == all(TS_ASCII.fullmatch(v) for v in values)


@given(st.from_regex(TS_ASCII, fullmatch=True))
def test_every_timestamp_shape_has_the_one_length(value: str) -> None:
    assert len(value) == TS_LENGTH


@CHECKS
@given(
    files=st.lists(
        st.tuples(st.lists(valid_events, max_size=8), st.booleans(), st.integers(0, 3)),
        min_size=1,
        max_size=4,
    )
)
def test_several_logs_are_read_as_the_space_reads_them(
    tmp_path: Path, files: list[tuple[list[Event], bool, int]]
) -> None:
    """read_logs over several files: a file whose ids are all new is taken at once
    (EventRun), one with an id read before (a copy, or a conflict) event by event; both
    give the Space's events, problems, duplicates and origins."""
    paths: list[Path] = []
    earlier: list[Event] = []
    for number, (events, unique, copies) in enumerate(files):
        if unique:  # ids no other file has: the whole file is taken at once
            events = [e._replace(id=f"{number:02d}{i:030x}") for i, e in enumerate(events)]
        events = [*events, *earlier[:copies]]  # copies of earlier files' events
        earlier.extend(events)
        data = "".join(f"{e.to_json()}\n" for e in events).encode()
        paths.append(write(tmp_path, f"{number}.jsonl", data))
    ours = read_logs(paths, now=NOW, parse_file=parse_file_columns)
    theirs = read_logs(paths, now=NOW)
    assert (ours.events, ours.problems, ours.duplicates, ours.origins) == (
        theirs.events,
        theirs.problems,
        theirs.duplicates,
        theirs.origins,
    )
