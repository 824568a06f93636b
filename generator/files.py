"""Writing the collector's output files atomically: a reader never sees half a file.

Every file goes through a temporary sibling that replaces the target in one
``os.replace``; the parquet writer uses fixed options, so the same rows give the
same bytes (and the same data file name).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arrow import pyarrow
from .schema import DATA_FILE_STEM, data_file_name

if TYPE_CHECKING:
    import pyarrow as pa


def replace_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary sibling, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        try:
            write(tmp)
        except FileNotFoundError:  # the folder is new: made only then (a collect writes
            if path.parent.is_dir():  # seven files a language; asking first costs each)
                raise
            path.parent.mkdir(parents=True, exist_ok=True)
            write(tmp)
        os.replace(tmp, path)
    except BaseException:  # after a replace there is no tmp left to remove
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    replace_file(path, write)


@dataclass(frozen=True)
class DataFile:
    """The data file written for a dataset, with the sizes its card records."""

    path: Path
    num_examples: int
    num_bytes: int  # in memory (Arrow), as ``datasets`` counts a split's ``num_bytes``
    download_size: int  # the parquet file itself

    @property
    def relative_path(self) -> str:
        """The path inside the dataset folder, as the card's ``configs`` names it."""
        return f"{self.path.parent.name}/{self.path.name}"


# Chosen by measurement (20 languages x 480 rows of the bench corpus, CPU per table):
# zstd 3 with dictionaries 4.1 ms / 152 KiB; zstd 1 without 3.1 ms / 141 KiB; snappy
# without 2.1 ms / 228 KiB. Snappy is what ``datasets`` itself writes (push_to_hub,
# to_parquet), so what the published MPEP sets use, and every reader reads it; it saves
# a millisecond of the 35-40 a collect spends per language (bench/collect.py), and the
# 90 KiB more are nothing to the Hub. Dictionaries buy little (the codec
# finds the repeats) and cost most on big tables: 9,500 rows took 113 ms with them at
# zstd 3, 42 ms at zstd 1 without. Column statistics (min/max, null counts) cost 0.3 ms
# and help no reader here: they let a reader skip row groups, and a dataset of up to
# 10,000 prompts is one row group.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "snappy",
    "use_dictionary": False,
    "write_statistics": False,
    "version": "2.6",
}
ROW_GROUP_SIZE = 10_000

# What ``pyarrow.parquet.write_table`` hands pyarrow's native writer besides
# PARQUET_OPTIONS (its defaults, read in pyarrow 26's parquet/core.py; the native
# writer's own defaults differ, and it refuses ``writer_engine_version=None``): given
# here, the native writer writes write_table's bytes. tests/test_parquet_writer.py
# compares the two on the installed pyarrow; a release without one of these options
# gets the public writer.
_WRITE_TABLE_DEFAULTS: dict[str, Any] = {
    "use_deprecated_int96_timestamps": False,
    "coerce_timestamps": None,
    "allow_truncated_timestamps": False,
    "data_page_size": None,
    "use_byte_stream_split": False,
    "column_encoding": None,
    "writer_engine_version": "V2",
    "data_page_version": "1.0",
    "use_compliant_nested_type": True,
    "encryption_properties": None,
    "write_batch_size": None,
    "dictionary_pagesize_limit": None,
    "store_schema": True,
    "write_page_index": False,
    "write_page_checksum": False,
    "sorting_columns": None,
}


def parquet_bytes(table: pa.Table) -> bytes:
    """``table`` (:func:`mpep_generator.rows.build_table`) as parquet with fixed writer
    options: the same rows give the same bytes.

    An empty table is written without row groups: ``datasets`` cannot read a
    zero-row row group.
    """
    pa = pyarrow()  # without pyarrow's pandas probe (0.35 s)
    sink = pa.BufferOutputStream()
    writer = _native_writer(sink, table.schema)
    if writer is None:
        sink = pa.BufferOutputStream()
        writer = _public_writer(sink, table.schema)
    if table.num_rows:
        writer.write_table(table, row_group_size=ROW_GROUP_SIZE)
    writer.close()
    return bytes(sink.getvalue().to_pybytes())


def _native_writer(sink: pa.NativeFile, schema: pa.Schema) -> Any:
    """pyarrow's native parquet writer, the one ``pyarrow.parquet`` wraps, or None when
    this pyarrow has none with the same options. ``import pyarrow.parquet`` also imports
    ``pyarrow.fs`` and ``ssl`` (15-17 ms, in every collect process) for the file systems
    an in-memory sink never uses."""
    try:
        from pyarrow._parquet import ParquetWriter
    except ImportError:
        return None
    try:
        return ParquetWriter(sink, schema, **PARQUET_OPTIONS, **_WRITE_TABLE_DEFAULTS)
    except (TypeError, ValueError):  # a release that renamed or dropped an option
        return None


def _public_writer(sink: pa.NativeFile, schema: pa.Schema) -> Any:
    import pyarrow.parquet as pq

    return pq.ParquetWriter(sink, schema, **PARQUET_OPTIONS)


def write_data_file(table: pa.Table, folder: Path) -> DataFile:
    """Write ``table`` under ``folder/data/`` in a file named by its content, then remove the
    data files of earlier collects (only names this collector writes)."""
    data = parquet_bytes(table)
    path = folder / data_file_name(hashlib.sha256(data).hexdigest())
    if not path.is_file() or path.read_bytes() != data:

        def write(tmp: Path) -> None:
            tmp.write_bytes(data)

        replace_file(path, write)
    for old in path.parent.glob(f"{DATA_FILE_STEM}*.parquet"):
        if old != path:
            old.unlink()
    # num_bytes as datasets counts a split: the table in memory (0 without rows).
    return DataFile(path, table.num_rows, table.nbytes if table.num_rows else 0, len(data))
