"""The dashboard's data: every language's sources read and folded on a schedule.

Each language's sources are local folders or Hub dataset repos (a Space's sync
repo). A refresh reads them, folds them with :mod:`mpep_space.sources` (the
Spaces' own rules) and replaces that language's snapshot. A source that fails
keeps the last good snapshot and records the error; it never stops the others.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mpep_space.sources import Layout, fold_layouts, language_mismatch, locate
from mpep_space.sync import SYNC_PATTERNS

log = logging.getLogger("mpep_dashboard")

CONFIG_FILE = "dashboard_config.json"
_REPO_ID = re.compile(r"[\w.-]+/[\w.-]+")


@dataclass(frozen=True)
class LanguageEntry:
    code: str
    name: str
    native_name: str
    sources: tuple[str, ...]
    space: str = ""

    @property
    def space_url(self) -> str:
        return f"https://huggingface.co/spaces/{self.space}" if self.space else ""


@dataclass(frozen=True)
class DashboardConfig:
    title: str
    refresh_minutes: float
    languages: tuple[LanguageEntry, ...]


def load_dashboard_config(folder: Path) -> DashboardConfig:
    data = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    unknown = set(data) - {"schema", "title", "refresh_minutes", "languages"}
    if unknown or data.get("schema") != 1:
        raise ValueError(f"{CONFIG_FILE}: unknown keys {sorted(unknown)} or schema")
    return DashboardConfig(
        title=str(data.get("title", "MPEP progress")),
        refresh_minutes=float(data.get("refresh_minutes", 10)),
        languages=tuple(
            LanguageEntry(
                code=str(entry["code"]),
                name=str(entry["name"]),
                native_name=str(entry.get("native_name", "")),
                sources=tuple(entry["sources"]),
                space=str(entry.get("space", "")),
            )
            for entry in data["languages"]
        ),
    )


@dataclass
class Snapshot:
    """What the page shows for one language: the last good numbers and the last error."""

    entry: LanguageEntry
    progress: dict[str, Any] = field(default_factory=dict)
    done_per_day: list[tuple[str, int]] = field(default_factory=list)
    last_ok: str = ""
    error: str = ""
    skipped_lines: int = 0

    @property
    def percent_done(self) -> float:
        total = int(self.progress.get("total", 0))
        return 100.0 * int(self.progress.get("done", 0)) / total if total else 0.0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class Board:
    """Reads every language's sources; thread-safe snapshots for the UI."""

    def __init__(self, config: DashboardConfig, *, cache_dir: Path, hf_api: Any = None) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self.hf_api = hf_api
        self.lock = threading.Lock()
        self.snapshots: dict[str, Snapshot] = {e.code: Snapshot(e) for e in config.languages}
        self.refreshes = 0
        self._stop = threading.Event()

    # -- reading ----------------------------------------------------------------------------

    def _api(self) -> Any:
        if self.hf_api is None:
            from huggingface_hub import HfApi  # the dashboard's one door to the Hub

            self.hf_api = HfApi()
        return self.hf_api

    def _layout(self, code: str, source: str) -> Layout:
        path = Path(source).expanduser()
        if not path.exists() and _REPO_ID.fullmatch(source):
            target = self.cache_dir / code / source.replace("/", "__")
            path = Path(
                self._api().snapshot_download(
                    source,
                    repo_type="dataset",
                    allow_patterns=list(SYNC_PATTERNS),
                    local_dir=str(target),
                )
            )
        layout = locate(path)
        if layout is None:
            raise FileNotFoundError(f"{source}: no Space output there (no events/ or space/)")
        return layout

    def read_language(self, entry: LanguageEntry) -> Snapshot:
        """Fold one language's sources into a fresh snapshot (raises on failure)."""
        layouts = [self._layout(entry.code, s) for s in entry.sources]
        folded = fold_layouts(layouts)
        mismatch = language_mismatch(folded.config, entry.code)
        if mismatch:  # a Dutch Space listed under fr: refused, as collect-mpep refuses it
            source = next(
                s for s, lay in zip(entry.sources, layouts, strict=True) if lay.bundle_dir
            )
            raise ValueError(f"{source} {mismatch}; list it under its own language")
        ledger = folded.ledger
        per_day = Counter(
            state.accepted.decided_ts[:10]
            for state in ledger.prompts.values()
            if state.accepted is not None and state.accepted.decided_ts
        )
        return Snapshot(
            entry=entry,
            progress=ledger.progress().as_dict(),
            done_per_day=sorted(per_day.items()),
            last_ok=_now(),
            skipped_lines=len(folded.log.problems),
        )

    def refresh(self) -> None:
        """Read every language once; a failure keeps that language's last good numbers."""
        for entry in self.config.languages:
            try:
                fresh = self.read_language(entry)
            except Exception as exc:  # any source failure is shown, never fatal
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                log.warning("reading %s failed: %s", entry.code, message)
                with self.lock:
                    old = self.snapshots[entry.code]
                    self.snapshots[entry.code] = replace(old, error=f"{_now()}: {message}")
                continue
            with self.lock:
                self.snapshots[entry.code] = fresh
        with self.lock:
            self.refreshes += 1

    def start(self, interval_seconds: float) -> threading.Thread:
        """Refresh every ``interval_seconds`` in a daemon thread, until :meth:`stop`."""

        def loop() -> None:
            while not self._stop.wait(interval_seconds):
                self.refresh()

        thread = threading.Thread(target=loop, name="mpep-dashboard-refresh", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    # -- what the page and the API show ------------------------------------------------------

    def overview(self) -> list[dict[str, Any]]:
        with self.lock:
            snapshots = list(self.snapshots.values())
        rows = []
        for snap in snapshots:
            p = snap.progress
            rows.append(
                {
                    "code": snap.entry.code,
                    "language": snap.entry.name,
                    "native_name": snap.entry.native_name,
                    "total": p.get("total", 0),
                    "done": p.get("done", 0),
                    "awaiting_review": p.get("awaiting_review", 0),
                    "translated": p.get("translated", 0),
                    "flagged": p.get("flagged", 0),
                    "percent_done": round(snap.percent_done, 1),
                    "contributors": len(p.get("contributors", [])),
                    "space": snap.entry.space_url,
                    "last_ok": snap.last_ok,
                    "error": snap.error,
                }
            )
        return sorted(rows, key=lambda r: (-r["percent_done"], r["language"]))

    def language(self, code: str) -> dict[str, Any] | None:
        with self.lock:
            snap = self.snapshots.get(code)
        if snap is None:
            return None
        return {
            "code": code,
            "language": snap.entry.name,
            "progress": snap.progress,
            "done_per_day": [{"date": d, "done": n} for d, n in snap.done_per_day],
            "last_ok": snap.last_ok,
            "error": snap.error,
        }

    def hall_of_fame(self, limit: int = 50) -> list[dict[str, Any]]:
        totals: dict[str, Counter[str]] = {}
        with self.lock:
            snapshots = list(self.snapshots.values())
        for snap in snapshots:
            for c in snap.progress.get("contributors", []):
                counts = totals.setdefault(c["user"], Counter())
                counts["translations"] += c["translations"]
                counts["reviews"] += c["reviews"]
                counts["languages"] += 1
        ranked = sorted(
            totals.items(), key=lambda kv: (-(kv[1]["translations"] + kv[1]["reviews"]), kv[0])
        )
        return [{"user": user, **dict(counts)} for user, counts in ranked[:limit]]


def refresh_seconds(config: DashboardConfig, env: Mapping[str, str]) -> float:
    override = env.get("MPEP_DASHBOARD_REFRESH_SECONDS")
    return float(override) if override else config.refresh_minutes * 60
