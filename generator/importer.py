"""Carry translations made elsewhere into a Space: ``generate-space --import SOURCE``.

The earlier Argilla Spaces left partial work as datasets in the published MPEP
schema (``source``, ``target`` = list of ``{user_id, value, status}``,
``external_id``, ...); ``collect-mpep`` writes the same schema. This module reads
such a dataset (a ``.parquet`` or ``.jsonl`` file, or a Hub dataset id through
:class:`mpep_generator.hub.Hub`), matches its rows to the Space's bundled prompts
-- by ``external_id`` (the prompt id), else by exact source text -- and writes
every ``submitted`` translation as one ``import`` event of the Space's log, under
the original ``user_id`` and with the dataset as its ``origin``. The Space's rules
(:mod:`mpep_space.rules`) make such a prompt done, so translators are only offered
what is left, and ``collect-mpep`` keeps the original translators in ``target``.

Rows that match no prompt, or whose ``source`` differs from the bundled prompt
with their id, are reported (file and row) and skipped; valid rows next to them
are imported. An event's id is derived from the prompt, the translator and the
text, so importing the same translations again adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mpep_space.config import load_config
from mpep_space.events import Event, event_files, read_logs
from mpep_space.text import REPO_ID, control_character

from .errors import ImportSourceError
from .files import write_text

if TYPE_CHECKING:
    from .hub import Hub

SUBMITTED = "submitted"  # the Argilla status of an accepted response
SUFFIXES = (".parquet", ".jsonl")
# Imported events go to a file of their own in the Space's events/ folder: the Space
# reads it like any log file, and --push uploads it to the sync repo it restores from.
FILE_PREFIX = "import-"


@dataclass(frozen=True)
class Skipped:
    """A row (or one of its translations) that was not imported, and why."""

    where: str  # FILE: row N
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ImportSummary:
    """What one ``--import`` did."""

    origin: str  # the dataset, as the events name it
    rows: int = 0
    matched_by_id: int = 0
    matched_by_text: int = 0
    imported: int = 0  # translations written as new events
    already: int = 0  # translations the Space's log already had (an earlier import)
    without_submitted: int = 0  # matched rows with no submitted translation
    skipped: list[Skipped] = field(default_factory=list)
    file: Path | None = None  # the events file written, if any

    @property
    def skipped_rows(self) -> int:
        return len({s.where.rsplit(" item ", 1)[0] for s in self.skipped})


# -- reading the dataset ------------------------------------------------------------------


def _jsonl_rows(path: Path, shown: str) -> Iterator[tuple[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ImportSourceError(f"{shown}: is not UTF-8 text; save it as UTF-8") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield f"{shown}: row {number}", json.loads(line)
        except ValueError:
            yield f"{shown}: row {number}", ValueError("not valid JSON")


def _parquet_rows(path: Path, shown: str) -> Iterator[tuple[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportSourceError(
            "--import of a .parquet file needs pyarrow: pip install 'mpep-generator[collect]'"
        ) from None
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ImportSourceError(f"{shown}: cannot be read as parquet ({first})") from None
    for number, row in enumerate(table.to_pylist(), start=1):
        yield f"{shown}: row {number}", row


def _file_rows(path: Path, shown: str) -> Iterator[tuple[str, Any]]:
    reader = _parquet_rows if path.suffix.lower() == ".parquet" else _jsonl_rows
    return reader(path, shown)


@dataclass(frozen=True)
class ImportSource:
    """An ``--import`` dataset, read: its name as the events' ``origin``, and its rows."""

    origin: str
    rows: list[tuple[str, Any]]  # (where: "FILE: row N", the row or why it is unreadable)


def read_import(source: str, hub: Hub | None = None) -> ImportSource:
    """Read an ``--import`` source (before anything is rendered, so a bad one writes nothing).

    Raises :class:`~mpep_generator.errors.ImportSourceError` (or a Hub error) in one line.
    """
    origin, rows = dataset_rows(source, hub)
    return ImportSource(origin, rows)


def dataset_rows(source: str, hub: Hub | None = None) -> tuple[str, list[tuple[str, Any]]]:
    """The origin label and the ``(where, row)`` pairs of an ``--import`` source."""
    if not source.strip():
        raise ImportSourceError("--import is empty; give a .parquet or .jsonl file or OWNER/NAME")
    path = Path(source).expanduser()
    if path.suffix.lower() in SUFFIXES or path.exists():
        if not path.is_file():
            raise ImportSourceError(
                f"--import file {source!r} not found; give a .parquet or .jsonl file in the "
                "MPEP schema, or a Hub dataset id"
            )
        if path.suffix.lower() not in SUFFIXES:
            raise ImportSourceError(
                f"--import {source!r}: unsupported file type {path.suffix or '(none)'!r}; "
                "use .parquet or .jsonl"
            )
        return path.name, list(_file_rows(path, source))
    if not REPO_ID.fullmatch(source):
        raise ImportSourceError(
            f"--import {source!r} is neither a .parquet or .jsonl file nor a Hub dataset id "
            "(OWNER/NAME)"
        )
    return source, _hub_rows(source, hub)


def _hub_rows(repo_id: str, hub: Hub | None) -> list[tuple[str, Any]]:
    from .hub import Hub

    folder = (hub or Hub()).download_dataset(
        repo_id,
        allow_patterns=["*.parquet", "*.jsonl", "**/*.parquet", "**/*.jsonl"],
        offline_hint="download it and give the file: --import FILE.parquet",
    )
    files = sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    if not files:
        raise ImportSourceError(f"the dataset {repo_id!r} has no .parquet or .jsonl file")
    rows: list[tuple[str, Any]] = []
    for file in files:
        rows.extend(_file_rows(file, f"hf://datasets/{repo_id}/{file.relative_to(folder)}"))
    return rows


# -- matching and checking ----------------------------------------------------------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _submitted(where: str, target: Any, summary: ImportSummary) -> list[tuple[str, str]]:
    """The ``(user_id, value)`` of the submitted entries of ``target``; bad ones are reported."""
    if target is None:
        return []
    if not isinstance(target, list):
        summary.skipped.append(Skipped(where, "'target' is not a list of {user_id, value, status}"))
        return []
    out = []
    for number, item in enumerate(target, start=1):
        if not isinstance(item, dict) or item.get("status") != SUBMITTED:
            continue
        user, value = _text(item.get("user_id")), _text(item.get("value"))
        problem = None
        if user is None or value is None:
            problem = "a submitted translation needs a user_id and a value"
        elif bad := control_character(value) or control_character(user):
            problem = f"contains the control character {bad}"
        if problem or user is None or value is None:
            summary.skipped.append(Skipped(f"{where} item {number}", problem or ""))
        else:
            out.append((user, value))
    return out


def _prompt_of(
    where: str, row: Any, ids: dict[str, str], texts: dict[str, str], summary: ImportSummary
) -> str | None:
    """The id of the bundled prompt ``row`` is a translation of, or None (reported)."""
    if isinstance(row, Exception) or not isinstance(row, dict):
        reason = str(row) if isinstance(row, Exception) else "not a JSON object"
        summary.skipped.append(Skipped(where, reason))
        return None
    source = row.get("source")
    if not isinstance(source, str):
        summary.skipped.append(Skipped(where, "no 'source' text (is it in the MPEP schema?)"))
        return None
    external = row.get("external_id")
    external = str(external) if isinstance(external, (str, int)) else None
    if external is not None and external in ids:
        if ids[external] != source:
            summary.skipped.append(
                Skipped(where, f"'source' differs from the bundled prompt {external!r}")
            )
            return None
        summary.matched_by_id += 1
        return external
    if source in texts:
        summary.matched_by_text += 1
        return texts[source]
    shown = f"external_id {external!r}" if external is not None else "no external_id"
    summary.skipped.append(Skipped(where, f"matches no bundled prompt ({shown}, nor its source)"))
    return None


def import_event_id(prompt_id: str, user: str, text: str) -> str:
    """The same translation always gets the same id, so a re-import adds nothing."""
    key = "\0".join(("mpep-import", prompt_id, user, text)).encode("utf-8")
    return hashlib.sha256(key).hexdigest()[:32]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def import_translations(
    space_dir: Path,
    source: str | ImportSource,
    *,
    hub: Hub | None = None,
    data_dir: Path | None = None,
) -> ImportSummary:
    """Import the submitted translations of ``source`` (a path or Hub id, or what
    :func:`read_import` read) into the Space at ``space_dir``.

    New events go to ``DATA_DIR/events/import-<digest>.jsonl`` (``DATA_DIR`` is the
    Space's ``data/`` folder unless given); translations already in the log are not
    written again. Raises :class:`~mpep_generator.errors.ImportSourceError` when the
    source cannot be read at all; bad rows are reported in the summary.
    """
    config = load_config(space_dir, env={})
    ids = {p.id: p.prompt for p in config.prompts}
    texts: dict[str, str] = {}
    for prompt in config.prompts:
        texts.setdefault(prompt.prompt, prompt.id)
    read = source if isinstance(source, ImportSource) else read_import(source, hub)
    origin, rows = read.origin, read.rows
    summary = ImportSummary(origin=origin, rows=len(rows))
    wanted: dict[str, Event] = {}
    ts = _now()
    for where, row in rows:
        prompt_id = _prompt_of(where, row, ids, texts, summary)
        if prompt_id is None:
            continue
        translations = _submitted(where, row.get("target"), summary)
        if not translations:
            summary.without_submitted += 1
        for user, text in translations:
            event_id = import_event_id(prompt_id, user, text)
            wanted.setdefault(
                event_id,
                Event(
                    id=event_id,
                    ts=ts,
                    kind="import",
                    user=user,
                    prompt_id=prompt_id,
                    text=text,
                    origin=origin,
                ),
            )
    events_dir = (data_dir or space_dir / "data") / "events"
    known = (
        {e.id for e in read_logs(event_files(events_dir)).events} if events_dir.is_dir() else set()
    )
    new = [event for event_id, event in wanted.items() if event_id not in known]
    summary.already = len(wanted) - len(new)
    summary.imported = len(new)
    if new:
        digest = hashlib.sha256("".join(e.id for e in new).encode()).hexdigest()[:16]
        summary.file = events_dir / f"{FILE_PREFIX}{digest}.jsonl"
        write_text(summary.file, "".join(e.to_json() + "\n" for e in new))
    return summary
