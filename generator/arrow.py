"""pyarrow for the collector, without the imports it does not use.

The first ``pyarrow.array`` of a Python list asks whether pandas is installed, and
answers by importing it: 0.35 s, a third of a whole collect (bench/collect.py). The
collector never hands pyarrow a pandas object, so it lets pyarrow's probe find no
pandas, once per process. Nothing else changes: ``Table.to_pandas()`` still imports
pandas when someone asks for it.

``import pyarrow`` also imports numpy when it is installed (``datasets`` brings it):
about 0.13 s of CPU, more than the rest of pyarrow's import, in every process of a
collect, none of which uses an array of numpy. :func:`without_numpy` lets a process
that owns its imports (the ``collect-mpep`` command, and the workers it forks) load
pyarrow without it; a library caller's process keeps pyarrow as it comes.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

_settled = False
_hidden: tuple[str, ...] = ("pandas",)


class _Hidden:
    """A finder that says a module is missing, only while pyarrow's import or probe runs."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"{name} is not loaded by the collector")


def without_numpy() -> None:
    """Load pyarrow without numpy in this process (and its forks), unless it is loaded
    already; for processes whose code never asks pyarrow for numpy arrays."""
    global _hidden
    if "pyarrow" not in sys.modules and "numpy" not in sys.modules:
        _hidden = ("pandas", "numpy")


def pyarrow() -> ModuleType:
    """``pyarrow``, with its pandas probe settled (no pandas import unless pandas is
    already imported), and without numpy after :func:`without_numpy`."""
    global _settled
    if _settled:
        import pyarrow as pa

        return pa
    hidden = tuple(name for name in _hidden if name not in sys.modules)
    finder = _Hidden(hidden)
    sys.meta_path.insert(0, finder)
    try:
        import pyarrow as pa

        pa.array([0])  # the pandas probe runs once per process and remembers its answer
    finally:
        sys.meta_path.remove(finder)
    _settled = True
    return pa
