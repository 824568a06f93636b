"""Reading only the event files that changed since the last collect.

A Space's log only grows, and a language's sources may hold thousands of files: a
collect keeps, per language, a small state file (``OUT/.mpep-collect/<code>/state.json``)
that names each event file it read by a key (its path, or ``hf://`` path on the Hub)
with a fingerprint -- size and modification time for a local file, size and etag
(blob id) for a Hub file -- and beside it the bytes it read (``*.jsonl``: a hard link
to the file where one can be made, else a copy; their CRC-32 in the state). The next
collect reads a file again only when its fingerprint changed; otherwise it parses the
kept bytes, checked against the current clock exactly as a fresh read is, so the
output is byte-identical. A Hub file whose etag is known is not even downloaded
(:mod:`mpep_generator.folding`). (The bytes, not a parsed form: ``orjson`` parses them
as fast as pyarrow read back the Arrow table this state kept before; and a link costs
no writing -- a log is only appended to, and a file that changed after it was read no
longer matches its CRC.)

The state lives beside the datasets, never inside a dataset folder (``--push`` uploads
those), and a damaged or foreign state is ignored (everything is read again).
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mpep_space.events import EventRun, ParsedLine, parse_lines

from . import __version__
from .columnar import Unfit, parse_bytes
from .errors import CollectError
from .files import replace_file, write_text

STATE_DIR = ".mpep-collect"
STATE_FILE = "state.json"
# A state written by another version of the reader is not trusted.
STATE_VERSION = f"2/{__version__}"
FORM = "bytes"  # a kept reading is the file's bytes as they were read


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
                parsed = self._from_kept(kept, entry, now)
            except OSError:
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
        self._keep(name + ".jsonl", fingerprint, data, path)
        try:
            return parse_bytes(data, now)
        except Unfit:
            return list(parse_lines(path, now))

    def _from_kept(
        self, kept: Path, entry: dict[str, str], now: datetime
    ) -> EventRun | list[ParsedLine] | None:
        """The reading kept in ``kept``; None when it is not the one the state names."""
        data = kept.read_bytes()
        if entry.get("form") != FORM or entry.get("crc32") != _crc32(data):
            return None
        try:
            return parse_bytes(data, now)
        except Unfit:
            return list(parse_lines(kept, now))

    def _keep(self, name: str, fingerprint: Fingerprint, data: bytes, source: Path) -> None:
        """Keep ``data``, the bytes read from ``source``, as its reading: a hard link to the
        file when one can be made (no copy to write: a log is only ever appended to, and
        a file that changes after this reading no longer matches its CRC), else a copy."""

        def write(tmp: Path) -> None:
            tmp.unlink(missing_ok=True)  # a tmp left by a collect that was stopped
            try:
                os.link(source, tmp)
            except OSError:  # another file system, or one without links
                tmp.write_bytes(data)

        old = self.entries.get(fingerprint.key)
        replace_file(self.folder / name, write)
        if isinstance(old, dict) and old.get("file") not in (None, name):
            (self.folder / str(old["file"])).unlink(missing_ok=True)
        entry = {"mark": fingerprint.mark, "file": name, "form": FORM, "crc32": _crc32(data)}
        self.entries[fingerprint.key] = entry

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


def _crc32(data: bytes) -> str:
    """A check of a kept reading's bytes (a damaged copy is read again, not folded)."""
    return f"{zlib.crc32(data):08x}"


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
