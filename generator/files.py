"""Writing the collector's output files atomically: a reader never sees half a file.

Every file goes through a temporary sibling that replaces the target in one
``os.replace``; the parquet writer uses fixed options, so the same rows give the
same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .schema import arrow_schema


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


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    """Write ``rows`` with the fixed schema and fixed writer options (deterministic bytes).

    An empty set is written without row groups: ``datasets`` cannot read a
    zero-row row group.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()  # carries the datasets Features as metadata
    options: dict[str, Any] = {
        "compression": "zstd",
        "compression_level": 3,
        "use_dictionary": True,
        "write_statistics": True,
        "version": "2.6",
    }

    def write(tmp: Path) -> None:
        if not rows:
            pq.ParquetWriter(tmp, schema, **options).close()
            return
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, tmp, row_group_size=10_000, **options)

    replace_file(path, write)
