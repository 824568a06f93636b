"""The collector writes parquet with pyarrow's native writer, not through ``pyarrow.parquet``.

``import pyarrow.parquet`` also imports ``pyarrow.fs`` and ``ssl`` (15-17 ms in every
collect process) for file systems an in-memory sink never uses. These tests check that
the native writer gives the bytes ``pyarrow.parquet.write_table`` gives with the same
options, that the fallback through ``pyarrow.parquet`` gives them too, and that a whole
``collect-mpep`` run never imports those modules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpep_generator import files
from mpep_generator.files import PARQUET_OPTIONS, ROW_GROUP_SIZE, parquet_bytes
from mpep_generator.rows import build_table
from mpep_generator.schema import arrow_schema
from mpep_space.config import Suggestion
from mpep_space.events import Event
from mpep_space.rules import Rules
from test_collect import Log, data_dir
from test_columnar import PROMPTS
from test_rows import folded_state, suggestions, working_log

NEVER_IMPORTED = ("pyarrow.parquet", "pyarrow.fs", "pyarrow._fs", "ssl")


def written_by_pyarrow_parquet(table: Any) -> bytes:
    """The reference: ``pyarrow.parquet.write_table`` with the collector's options (a
    table without rows as a writer closed without writing: no zero-row row group)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    if table.num_rows:
        pq.write_table(table, sink, row_group_size=ROW_GROUP_SIZE, **PARQUET_OPTIONS)
    else:
        pq.ParquetWriter(sink, table.schema, **PARQUET_OPTIONS).close()
    return bytes(sink.getvalue().to_pybytes())


@settings(max_examples=200, deadline=None)
@given(
    events=working_log(),
    hints=st.lists(suggestions, min_size=len(PROMPTS), max_size=len(PROMPTS)),
    include_pending=st.booleans(),
)
def test_the_native_writer_writes_the_bytes_pyarrow_parquet_writes(
    events: list[Event], hints: list[Suggestion | None], include_pending: bool
) -> None:
    table = build_table(folded_state(events, Rules(), hints), include_pending=include_pending)
    assert parquet_bytes(table) == written_by_pyarrow_parquet(table)


def test_the_empty_table_too() -> None:
    table = arrow_schema().empty_table()
    data = parquet_bytes(table)
    assert data == written_by_pyarrow_parquet(table)
    assert data.startswith(b"PAR1") and data.endswith(b"PAR1")


def test_a_big_table_is_written_in_row_groups_as_pyarrow_parquet_writes_them() -> None:
    import pyarrow as pa

    rows = build_table(folded_state([], Rules(), [None] * len(PROMPTS)), include_pending=True)
    table = pa.concat_tables([rows] * (ROW_GROUP_SIZE // rows.num_rows + 1))
    assert table.num_rows > ROW_GROUP_SIZE  # two row groups
    assert parquet_bytes(table) == written_by_pyarrow_parquet(table)


def test_the_native_writer_is_the_one_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without it (a pyarrow that has none with these options) the same bytes come
    through ``pyarrow.parquet``; with it, ``pyarrow.parquet`` is never asked."""
    table = build_table(folded_state([], Rules(), [None] * len(PROMPTS)), include_pending=True)
    native = parquet_bytes(table)
    public: list[Any] = []
    real_public = files._public_writer

    def spy(*args: Any) -> Any:
        public.append(args)
        return real_public(*args)

    monkeypatch.setattr(files, "_public_writer", spy)
    assert parquet_bytes(table) == native and public == []
    monkeypatch.setattr(files, "_native_writer", lambda sink, schema: None)
    assert parquet_bytes(table) == native and len(public) == 1


@pytest.mark.parametrize("error", [TypeError, ValueError])
def test_a_native_writer_that_refuses_the_options_falls_back(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """The first call (the collector's own) refuses; ``pyarrow.parquet`` then calls the
    same native class, as it always does, and gets the real one."""
    import pyarrow as pa
    import pyarrow._parquet

    table = build_table(folded_state([], Rules(), [None] * len(PROMPTS)), include_pending=True)
    expected = written_by_pyarrow_parquet(table)
    real = pyarrow._parquet.ParquetWriter
    calls: list[str] = []

    def refuse_once(*args: Any, **kwargs: Any) -> Any:
        calls.append("call")
        if len(calls) == 1:
            raise error("unexpected keyword argument 'writer_engine_version'")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyarrow._parquet, "ParquetWriter", refuse_once)
    assert parquet_bytes(table) == expected and len(calls) == 2
    calls.clear()
    assert files._native_writer(pa.BufferOutputStream(), table.schema) is None


# Every process of the run (forked workers too) reports, on stderr, each of these modules
# it imports: an audit hook is inherited by fork, where atexit handlers do not run.
IMPORT_SPY = """
import os, sys
NAMES = {names!r}

def spy(event, args):
    if event == "import" and args[0] in NAMES:
        os.write(2, f"IMPORTED {{args[0]}}\\n".encode())

sys.addaudithook(spy)
from mpep_generator.cli import collect_mpep
sys.argv[0] = "collect-mpep"
collect_mpep()
"""


@pytest.mark.slow
@pytest.mark.parametrize("languages", [("nl",), ("nl", "de", "fr")])
def test_a_collect_imports_no_pyarrow_parquet_fs_or_ssl(
    tmp_path: Path, languages: tuple[str, ...]
) -> None:
    sources = {}
    for lang in languages:
        log = Log(prefix=lang)
        log.review("rita", log.translate("alice", "1", f"Vertaling {lang}"))
        log.translate("carol", "10", "Nog een")
        sources[lang] = str(data_dir(tmp_path / f"{lang}-data", log, lang=lang))
    config = tmp_path / "sources.yaml"
    config.write_text("".join(f"{code}: [{path!r}]\n" for code, path in sources.items()))
    script = IMPORT_SPY.format(names=NEVER_IMPORTED + ("pyarrow",))
    out = tmp_path / "out"
    args = ["--all", "--from-config", str(config), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    imported = {line.split()[1] for line in done.stderr.splitlines() if line.startswith("IMPORTED")}
    assert imported == {"pyarrow"}, done.stderr  # the spy sees imports, and none of those
    written = sorted(out.glob("MPEP_*/data/*.parquet"))
    assert len(written) == len(languages)
    import pyarrow.parquet as pq

    assert all(pq.read_table(path).num_rows == 1 for path in written)
