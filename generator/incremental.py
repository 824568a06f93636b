"""Reading only the event files that changed since the last collect.

A Space's log only grows, and a language's sources may hold thousands of files: a
collect keeps, per language, a small state file (``OUT/.mpep-collect/<code>/state.json``)
that names each event file it read by a key (its path, or ``hf://`` path on the Hub)
with a fingerprint -- size and modification time for a local file, size and etag
(blob id) for a Hub file -- and beside it what the reading gave: the file's Arrow table
(``*.arrow``), or for a file only the per-line reader can read, a copy of its bytes.
The next collect reads a file again only when its fingerprint changed; otherwise it
folds the kept table, checked again against the current clock exactly as a fresh read
is (:func:`mpep_generator.columnar.events_of`), so the output is byte-identical. A
Hub file whose etag is known is not even downloaded (:mod:`mpep_generator.folding`).

The state lives beside the datasets, never inside a dataset folder (``--push`` uploads
those), and a damaged or foreign state is ignored (everything is read again).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mpep_space.events import EventRun, ParsedLine, parse_lines

from . import __version__
from .arrow import pyarrow
from .columnar import Unfit, events_of, read_table
from .errors import CollectError
from .files import replace_file, write_text

STATE_DIR = ".mpep-collect"
STATE_FILE = "state.json"
# A state written by another version of the reader is not trusted.
STATE_VERSION = f"1/{__version__}"
COMPRESS_FROM = 1 << 20  # bytes of Arrow data: kept readings from this size are compressed


@dataclass(frozen=True)
class Fingerprint:
    """How a file is known: ``key`` names it across collects, ``mark`` changes with it."""

    key: str
    mark: str


def local_fingerprint(path: Path) -> Fingerprint:
    stat = path.stat()
    return Fingerprint(str(path.resolve()), f"{stat.st_size}:{stat.st_mtime_ns}")


@dataclass
class ReadCache:
    """The kept readings of one language's event files (see the module docstring)."""

    folder: Path
    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)  # keys read from their file this run
    reused: list[str] = field(default_factory=list)  # keys folded from the state
    _seen: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, folder: Path) -> ReadCache:
        cache = cls(folder)
        try:
            state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
            if state.get("version") == STATE_VERSION and isinstance(state.get("files"), dict):
                cache.entries = state["files"]
        except (OSError, ValueError, AttributeError):
            pass  # no state, or not ours: read everything
        return cache

    def knows(self, fingerprint: Fingerprint) -> bool:
        """Whether the file was read before as it is now (and its reading is kept)."""
        entry = self.entries.get(fingerprint.key)
        return (
            isinstance(entry, dict)
            and entry.get("mark") == fingerprint.mark
            and (self.folder / str(entry.get("file"))).is_file()
        )

    def parse(
        self, path: Path, now: datetime, fingerprint: Fingerprint
    ) -> EventRun | list[ParsedLine]:
        """What :func:`mpep_space.events.parse_lines` gives for ``path``: from the kept
        reading when the fingerprint matches, else read (and kept for the next collect)."""
        self._seen.add(fingerprint.key)
        if self.knows(fingerprint):
            entry = self.entries[fingerprint.key]
            kept = self.folder / entry["file"]
            try:
                parsed = self._from_kept(kept, entry["form"], now)
            except (OSError, ValueError, KeyError, Unfit):
                parsed = None  # damaged: read the file
            if parsed is not None:
                self.reused.append(fingerprint.key)
                return parsed
            if not path.is_file():  # a Hub file left out of the download for this reading
                del self.entries[fingerprint.key]
                self._write_state(self.entries)  # the next collect downloads it
                raise CollectError(
                    f"the kept reading of {fingerprint.key} in {self.folder} is damaged; "
                    "run collect-mpep again: it will download the file"
                )
        self.read.append(fingerprint.key)
        data = path.read_bytes()
        name = hashlib.sha256(fingerprint.key.encode()).hexdigest()[:32]
        try:
            table = read_table(data)
            parsed = events_of(table, now)
        except Unfit:
            self._keep(name + ".jsonl", "lines", fingerprint, data)
            return list(parse_lines(path, now))
        self._keep(name + ".arrow", "table", fingerprint, _table_bytes(table))
        return parsed

    def _from_kept(
        self, kept: Path, form: str, now: datetime
    ) -> EventRun | list[ParsedLine] | None:
        if form == "lines":
            return list(parse_lines(kept, now))
        if form == "table":
            return events_of(_read_table(kept), now)
        return None

    def _keep(self, name: str, form: str, fingerprint: Fingerprint, data: Any) -> None:
        """Keep ``data`` (bytes, or a buffer) as the reading of the file."""

        def write(tmp: Path) -> None:
            with tmp.open("wb") as file:
                file.write(data)

        old = self.entries.get(fingerprint.key)
        # Encoded before: the first write of a language also makes its folder (and
        # writes again), which must not encode the table twice.
        replace_file(self.folder / name, write)
        if isinstance(old, dict) and old.get("file") not in (None, name):
            (self.folder / str(old["file"])).unlink(missing_ok=True)
        self.entries[fingerprint.key] = {"mark": fingerprint.mark, "file": name, "form": form}

    def save(self) -> None:
        """Write the state of the files seen this collect; drop the readings of the others."""
        kept = {key: entry for key, entry in self.entries.items() if key in self._seen}
        for key, entry in self.entries.items():
            if key not in kept and isinstance(entry, dict):
                (self.folder / str(entry.get("file"))).unlink(missing_ok=True)
        self.entries = kept
        self._write_state(kept)

    def _write_state(self, entries: dict[str, dict[str, str]]) -> None:
        text = json.dumps({"version": STATE_VERSION, "files": entries}, indent=1, sort_keys=True)
        write_text(self.folder / STATE_FILE, text + "\n")


def _table_bytes(table: Any) -> Any:
    """``table`` as an Arrow IPC file, in memory (a buffer)."""
    pa = pyarrow()
    import pyarrow.ipc as ipc

    if table is None:  # an empty file: an empty stream of no columns
        table = pa.table({})
    # lz4 halves a big reading for a few ms per MiB; a small one it would slow down (a
    # fixed cost per column buffer) for no space worth keeping.
    compression = "lz4" if table.nbytes >= COMPRESS_FROM else None
    options = ipc.IpcWriteOptions(compression=compression)
    # Into memory, then one write: straight into a file, pyarrow makes a system call per
    # buffer (about 80 for a Space's table), which costs twice the whole encoding.
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return memoryview(sink.getvalue())


def _read_table(path: Path) -> Any:
    pa = pyarrow()
    import pyarrow.ipc as ipc

    with pa.OSFile(os.fspath(path), "rb") as source:
        table = ipc.open_file(source).read_all()
    return None if table.num_columns == 0 and table.num_rows == 0 else table


def cache_for(out: Path, code: str) -> ReadCache:
    return ReadCache.load(out / STATE_DIR / code)


def reader(
    cache: ReadCache, fingerprints: Mapping[str, Fingerprint]
) -> Any:  # Callable[[Path, datetime], EventRun | list[ParsedLine]]
    """A ``parse_file`` for :func:`mpep_space.events.read_logs` through ``cache``; files
    without a known fingerprint (a local file) are fingerprinted when read."""

    def parse(path: Path, now: datetime) -> EventRun | list[ParsedLine]:
        fingerprint = fingerprints.get(str(path)) or local_fingerprint(path)
        return cache.parse(path, now, fingerprint)

    return parse
