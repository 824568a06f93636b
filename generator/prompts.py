"""Load and validate the English prompts a Space will serve.

Sources: ``sample`` (the bundled sample), a local ``.jsonl`` / ``.csv`` /
``.parquet`` file, or a Hub dataset id (the default is the curated MPEP set).
Every problem is reported with the file and the line or row it is on.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mpep_space.text import REPO_ID, control_character

from .errors import PromptSourceError
from .jsonlines import json_object

if TYPE_CHECKING:
    from .hub import Hub

DEFAULT_DATASET = "data-is-better-together/prompts_ranked_multilingual_benchmark"
SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "sample_prompts.jsonl"
SUFFIXES = (".jsonl", ".csv", ".parquet")

_ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


@dataclass(frozen=True)
class Prompt:
    """One English prompt, as bundled into a Space."""

    id: str
    text: str
    metadata: str  # a JSON document, kept as the source wrote it

    def to_record(self) -> dict[str, Any]:
        return {"id": self.id, "prompt": self.text, "metadata": self.metadata}


def content_id(text: str) -> str:
    """A short, stable id for a prompt that has no ``row_idx``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# MPEP prompts run to ~2,100 characters; a Space sizes its translation limit from the
# longest prompt it bundles, so an absurd one would open the door to absurd submissions.
MAX_PROMPT_CHARS = 12_000


def _prompt_text(where: str, row: dict[str, Any]) -> str:
    text = row.get("prompt")
    if text is None or (isinstance(text, float) and text != text):  # missing or NaN
        raise PromptSourceError(f"{where}: empty prompt")
    if not isinstance(text, str):
        raise PromptSourceError(f"{where}: 'prompt' must be text, not {type(text).__name__}")
    if not text.strip():
        raise PromptSourceError(f"{where}: empty prompt")
    if len(text) > MAX_PROMPT_CHARS:
        raise PromptSourceError(
            f"{where}: prompt is {len(text):,} characters long (at most {MAX_PROMPT_CHARS:,}, "
            "so that translators can work on it); shorten it or leave it out"
        )
    bad = control_character(text)
    if bad:
        what = bad if bad.startswith("a ") else f"the control character {bad}"
        raise PromptSourceError(f"{where}: prompt contains {what}")
    return text


def _prompt_id(where: str, row: dict[str, Any], text: str) -> str:
    raw = row.get("row_idx")
    if raw is None or raw == "":
        raw = row.get("id")
    if raw is None or raw == "" or (isinstance(raw, float) and raw != raw):
        return content_id(text)
    if isinstance(raw, bool):
        raise PromptSourceError(f"{where}: row_idx must be a number or text, not {raw!r}")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    ident = str(raw).strip()
    if not _ID_SHAPE.fullmatch(ident):
        raise PromptSourceError(
            f"{where}: id {ident[:40]!r} is not usable; ids are 1-64 letters, digits, '.', '_', "
            "':' or '-'"
        )
    return ident


def _metadata(where: str, row: dict[str, Any]) -> str:
    raw = row.get("metadata")
    if raw is None or raw == "" or (isinstance(raw, float) and raw != raw):
        return "{}"
    if isinstance(raw, str):
        try:
            json.loads(raw)
        except ValueError:
            raise PromptSourceError(f"{where}: metadata is not valid JSON") from None
        return raw
    try:
        return json.dumps(raw, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        raise PromptSourceError(f"{where}: metadata cannot be stored as JSON") from None


def validate_rows(rows: Iterable[tuple[str, dict[str, Any]]], source: str) -> list[Prompt]:
    """Turn raw rows (with their location) into prompts, or fail on the first bad row."""
    prompts: list[Prompt] = []
    id_seen: dict[str, str] = {}
    text_seen: dict[str, str] = {}
    for where, row in rows:
        text = _prompt_text(where, row)
        ident = _prompt_id(where, row, text)
        if ident in id_seen:
            raise PromptSourceError(f"{where}: duplicate id {ident!r} (first on {id_seen[ident]})")
        key = text.strip()
        if key in text_seen:
            raise PromptSourceError(f"{where}: duplicate prompt text (same as {text_seen[key]})")
        id_seen[ident] = where.rsplit(": ", 1)[-1]
        text_seen[key] = where.rsplit(": ", 1)[-1]
        prompts.append(Prompt(ident, text, _metadata(where, row)))
    if not prompts:
        raise PromptSourceError(f"{source}: no prompts found")
    return prompts


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PromptSourceError(
            f"{path}: line {line} is not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as "
            "UTF-8"
        ) from None


def _require_prompt_column(path: Path, columns: Iterable[str]) -> None:
    columns = list(columns)
    if "prompt" not in columns:
        found = ", ".join(map(str, columns)) or "none"
        raise PromptSourceError(
            f"{path}: no 'prompt' column (found: {found}); a prompt file needs at least 'prompt'"
        )


def _jsonl_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(_decode(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        row = json_object(where, line, PromptSourceError)
        _require_prompt_column(path, row.keys())
        yield where, row


def _csv_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    _require_prompt_column(path, reader.fieldnames or [])
    for number, row in enumerate(reader, start=1):
        yield f"{path}: row {number}", row


def _parquet_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    import pyarrow.parquet as pq  # only this source needs pyarrow

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise PromptSourceError(f"{path}: cannot be read as parquet ({exc})") from None
    _require_prompt_column(path, table.column_names)
    for number, row in enumerate(table.to_pylist(), start=1):
        yield f"{path}: row {number}", row


_READERS = {".jsonl": _jsonl_rows, ".csv": _csv_rows, ".parquet": _parquet_rows}


def load_prompt_file(path: Path) -> list[Prompt]:
    """Read and validate a local prompt file."""
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise PromptSourceError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; use .jsonl, .csv or .parquet"
        )
    if not path.is_file():
        raise PromptSourceError(
            f"prompt file {str(path)!r} not found; give a .jsonl, .csv or .parquet file, "
            "or --prompts sample"
        )
    try:
        return validate_rows(_READERS[suffix](path), str(path))
    except UnicodeEncodeError:
        raise PromptSourceError(f"{path}: contains text that is not valid Unicode") from None


def _load_hub_dataset(repo_id: str, hub: Hub | None) -> list[Prompt]:
    from .hub import Hub

    folder = (hub or Hub()).download_dataset(
        repo_id, allow_patterns=["*.parquet", "*.jsonl", "*.csv"]
    )
    files = sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    if not files:
        raise PromptSourceError(f"dataset {repo_id!r} has no .parquet, .jsonl or .csv file")
    rows: list[tuple[str, dict[str, Any]]] = []
    for file in files:
        rows.extend(_READERS[file.suffix](file))
    return validate_rows(rows, repo_id)


def load_prompts(source: str | Path = DEFAULT_DATASET, *, hub: Hub | None = None) -> list[Prompt]:
    """Load prompts from ``sample``, a local file, or a Hub dataset id."""
    text = str(source)
    if text == "sample":
        return load_prompt_file(SAMPLE_FILE)
    path = Path(text)
    if path.suffix.lower() in SUFFIXES or path.exists():
        return load_prompt_file(path)
    if REPO_ID.fullmatch(text):
        return _load_hub_dataset(text, hub)
    raise PromptSourceError(
        f"--prompts {text!r} is neither a file nor a Hub dataset id; use 'sample', a .jsonl, "
        ".csv or .parquet file, or OWNER/NAME"
    )
