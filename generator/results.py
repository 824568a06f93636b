"""What a collect run produced: one :class:`CollectResult` per language, and the run.

Plain data with no behaviour, so the card, the report and the CLI can read it
without importing the collector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mpep_space.events import Problem
from mpep_space.rules import Progress

if TYPE_CHECKING:
    from .hub import DatasetPush


@dataclass(frozen=True)
class CollectResult:
    """What collecting one language produced."""

    code: str
    name: str
    native_name: str
    dataset: str
    folder: Path
    rows: int
    progress: Progress
    quality: dict[str, int]  # finding code -> accepted translations with it
    unchanged_suggestions: int  # accepted translations equal to the machine suggestion
    events: int
    duplicates: int
    problems: tuple[Problem, ...]
    sources: tuple[str, ...]
    data_file: Path | None = None  # the parquet file written
    alpaca_outputs: tuple[Path, ...] = ()  # model outputs merged with --outputs
    imported: tuple[tuple[str, int], ...] = ()  # origin -> accepted translations imported
    pushed: DatasetPush | None = None  # what --push did: the URL, files sent and removed
    notes: tuple[str, ...] = ()


@dataclass
class CollectRun:
    """Every language of one run: what was collected, what failed, and the report files."""

    out: Path
    results: list[CollectResult] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # code -> one-line message
    report: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures
