"""pyarrow for the collector, without its pandas probe.

The first ``pyarrow.array`` of a Python list asks whether pandas is installed, and
answers by importing it: 0.35 s, a third of a whole collect (bench/collect.py). The
collector never hands pyarrow a pandas object, so it lets pyarrow's probe find no
pandas, once per process. Nothing else changes: ``Table.to_pandas()`` still imports
pandas when someone asks for it.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

_settled = False


class _NoPandasProbe:
    """A finder that says pandas is missing, only while pyarrow's probe runs."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not probed by the collector")


def pyarrow() -> ModuleType:
    """``pyarrow``, with its pandas probe settled (no pandas import unless pandas is
    already imported)."""
    global _settled
    import pyarrow as pa

    if not _settled and "pandas" not in sys.modules:
        finder = _NoPandasProbe()
        sys.meta_path.insert(0, finder)
        try:
            pa.array([0])  # the probe runs once per process and remembers its answer
        finally:
            sys.meta_path.remove(finder)
    _settled = True
    return pa
