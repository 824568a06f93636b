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
from typing import Any

from .arrow import pyarrow
from .schema import DATA_FILE_STEM, arrow_schema, data_file_name


def replace_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary sibling, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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


PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
}


def parquet_bytes(rows: list[dict[str, Any]]) -> tuple[bytes, int]:
    """``rows`` as parquet with the fixed schema and writer options (deterministic bytes),
    and their size in memory.

    An empty set is written without row groups: ``datasets`` cannot read a
    zero-row row group.
    """
    import pyarrow.parquet as pq

    pa = pyarrow()  # without pyarrow's pandas probe (0.35 s)
    schema = arrow_schema()  # carries the datasets Features as metadata
    sink = pa.BufferOutputStream()
    if not rows:
        pq.ParquetWriter(sink, schema, **PARQUET_OPTIONS).close()
        return sink.getvalue().to_pybytes(), 0
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, sink, row_group_size=10_000, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes(), table.nbytes


def write_data_file(rows: list[dict[str, Any]], folder: Path) -> DataFile:
    """Write ``rows`` under ``folder/data/`` in a file named by its content, then remove the
    data files of earlier collects (only names this collector writes)."""
    data, num_bytes = parquet_bytes(rows)
    path = folder / data_file_name(hashlib.sha256(data).hexdigest())
    if not path.is_file() or path.read_bytes() != data:

        def write(tmp: Path) -> None:
            tmp.write_bytes(data)

        replace_file(path, write)
    for old in path.parent.glob(f"{DATA_FILE_STEM}*.parquet"):
        if old != path:
            old.unlink()
    return DataFile(path, len(rows), num_bytes, len(data))
