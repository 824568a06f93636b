"""Where a Space's output lives in a folder, and folding it: shared by every reader.

A folder is either a rendered Space (``space_config.json`` beside ``data/events/``)
or a Space's data dir / a copy of its sync repo (``events/`` and ``space/``,
see :func:`mpep_space.sync.stage_bundle`). The collector and the dashboard both
locate and fold sources through here, with the rules of :mod:`mpep_space.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .config import BUNDLE_DIR, CONFIG_FILE, PROMPTS_FILE, SpaceConfig, load_config
from .events import LogReadResult, ParsedLine, Problem, event_files, parse_lines, read_logs
from .rules import Ledger


@dataclass(frozen=True)
class Layout:
    """The event folder of a source and, if it has one, the folder of its bundle.

    A link inside a source that leads out of it (to another Space's log, say) is
    never read: a source is what its folder holds. ``follow_links`` is for folders
    whose links we made ourselves (the Hub client's download cache).
    """

    root: Path
    events_dir: Path
    bundle_dir: Path | None
    follow_links: bool = False

    def _all_files(self) -> list[Path]:
        return event_files(self.events_dir) if self.events_dir.is_dir() else []

    def _inside(self, path: Path) -> bool:
        return self.follow_links or path.resolve().is_relative_to(self.root.resolve())

    def files(self) -> list[Path]:
        """The event files of this source (not those reached through a link out of it)."""
        return [path for path in self._all_files() if self._inside(path)]

    def outside_links(self) -> list[Path]:
        """Event files that are links out of the source: reported, never read."""
        return [path for path in self._all_files() if not self._inside(path)]


def language_mismatch(config: SpaceConfig, code: str) -> str | None:
    """Why a source whose bundle is ``config`` cannot be read as language ``code`` (None if
    it can): a Dutch Space listed under ``fr`` is refused, by the collector and the dashboard
    alike. Tags compare as BCP-47 says, ignoring case (``pt-br`` is ``pt-BR``)."""
    bundled = config.language.code
    if bundled.casefold() == code.casefold():
        return None
    return f"is a Space for {bundled!r}, not {code!r}"


def locate(path: Path) -> Layout | None:
    """The layout of ``path``, or None when it holds no Space output."""
    if not path.is_dir():
        return None
    if (path / CONFIG_FILE).is_file():  # a rendered Space: events in its data/ folder
        return Layout(path, path / "data" / "events", path)
    bundle = path / BUNDLE_DIR
    has_bundle = (bundle / CONFIG_FILE).is_file() and (bundle / PROMPTS_FILE).is_file()
    if (path / "events").is_dir() or has_bundle:
        return Layout(path, path / "events", bundle if has_bundle else None)
    return None


@dataclass
class FoldResult:
    config: SpaceConfig
    ledger: Ledger
    log: LogReadResult


def fold_layouts(
    layouts: Sequence[Layout],
    config: SpaceConfig | None = None,
    *,
    parse_file: Callable[[Path, datetime], Iterable[ParsedLine]] = parse_lines,
) -> FoldResult:
    """Fold the events of ``layouts`` with the rules of ``config``, by default those of the
    first bundle among them. ``parse_file`` reads one event file (see
    :func:`mpep_space.events.read_logs`)."""
    if config is None:
        bundles = [layout.bundle_dir for layout in layouts if layout.bundle_dir is not None]
        if not bundles:
            raise ValueError("no source has the Space's space_config.json and prompts.jsonl")
        config = load_config(bundles[0], env={})
    log = read_logs((f for layout in layouts for f in layout.files()), parse_file=parse_file)
    for layout in layouts:
        for link in layout.outside_links():
            reason = f"a link out of the source (to {link.resolve()}): not read"
            log.problems.append(Problem(str(link), 0, reason))
    ledger = Ledger.from_events(config.prompt_ids, config.rules, log.events)
    return FoldResult(config, ledger, log)
