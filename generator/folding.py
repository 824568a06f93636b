"""A language's sources (``--from``) and folding their events with the Space's rules.

A source is a local folder or a Hub dataset id (downloaded through
:class:`mpep_generator.hub.Hub`), located with :func:`mpep_space.sources.locate`.
The sources of one language must bundle the same prompts; their events are read
(by columns, :mod:`mpep_generator.columnar`; deduplicated by id, bad lines skipped
and reported) and folded by
:func:`mpep_space.sources.fold_layouts` under the rules bundled in the Space's own
``space_config.json``: the code and the settings the Space itself used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

from mpep_space.config import (
    BUNDLE_DIR,
    CONFIG_FILE,
    EVENTS_PATTERN,
    PROMPTS_FILE,
    SYNC_PATTERNS,
    BundledPrompt,
    SpaceConfig,
    load_config,
)
from mpep_space.events import Problem, read_logs
from mpep_space.rules import Ledger
from mpep_space.sources import Layout, language_mismatch, locate
from mpep_space.text import REPO_ID

from .columnar import parse_file_columns
from .errors import CollectError
from .incremental import Fingerprint, ReadCache, reader

if TYPE_CHECKING:
    from .hub import Hub


@dataclass(frozen=True)
class Source:
    """One ``--from``: where it came from, and its layout (:func:`mpep_space.sources.locate`)."""

    spec: str  # as the user gave it
    label: str  # how messages name it: the path, or hf://datasets/OWNER/NAME
    layout: Layout
    # A Hub source: every event file of the repo (downloaded or not) and its fingerprint.
    remote: tuple[tuple[Path, Fingerprint], ...] | None = None

    def event_files(self) -> list[Path]:
        """The event files to fold: all the Hub repo's (a file not downloaded because its
        reading is kept is read from the kept state), or the local folder's."""
        if self.remote is not None:
            return [path for path, _ in self.remote]
        return self.layout.files()

    @property
    def bundle_dir(self) -> Path | None:
        return self.layout.bundle_dir

    def shown(self, file: str) -> str:
        """``file`` as messages show it: under the source's label."""
        try:
            return f"{self.label}/{Path(file).relative_to(self.layout.root).as_posix()}"
        except ValueError:
            return file


def _local_source(
    spec: str,
    label: str,
    path: Path,
    *,
    downloaded: bool = False,
    remote: tuple[tuple[Path, Fingerprint], ...] | None = None,
) -> Source:
    layout = locate(path)
    if layout is not None:
        # The Hub client's cache links each file to a blob beside the snapshot: our links.
        return Source(spec, label, replace(layout, follow_links=downloaded), remote)
    if not path.is_dir():
        raise CollectError(
            f"--from {label!r} is a file; give a Space folder, its data dir or a copy of its "
            "sync repo"
        )
    raise CollectError(
        f"--from {label!r} is not a Space folder (no {CONFIG_FILE}), nor a Space data dir or "
        f"sync repo copy (no events/ or {BUNDLE_DIR}/)"
    )


def resolve_source(spec: str, hub: Callable[[], Hub], cache: ReadCache | None = None) -> Source:
    """A local folder if ``spec`` names one, else the Hub dataset repo ``spec``: its bundle
    and the event files whose reading ``cache`` does not keep are downloaded."""
    if not spec.strip():
        raise CollectError("--from is empty; give a folder or a Hub dataset id (OWNER/NAME)")
    path = Path(spec).expanduser()
    if path.exists():
        return _local_source(spec, spec, path)
    if not REPO_ID.fullmatch(spec):
        raise CollectError(
            f"--from {spec!r} is not a folder, and not a Hub dataset id (OWNER/NAME)"
        )
    hint = f"there is no local folder {spec!r} either"
    label = f"hf://datasets/{spec}"
    listing = hub().list_dataset_files(spec, offline_hint=hint)
    patterns, events = list(SYNC_PATTERNS), None
    if listing is not None:
        events = {
            f.path: Fingerprint(f"{label}/{f.path}", f"{f.size}:{f.etag}")
            for f in listing
            if fnmatch(f.path, EVENTS_PATTERN) and f.path.count("/") == 1
        }
        unknown = [path for path, f in events.items() if cache is None or not cache.knows(f)]
        bundle = [p for p in SYNC_PATTERNS if p != EVENTS_PATTERN]
        patterns = [*bundle, *unknown]
    folder = hub().download_dataset(spec, allow_patterns=patterns, offline_hint=hint)
    remote = None
    if events is not None:
        remote = tuple((folder / path, f) for path, f in sorted(events.items()))
    try:
        return _local_source(spec, label, folder, downloaded=True, remote=remote)
    except CollectError:
        raise CollectError(
            f"the dataset {spec!r} has no events/ or {BUNDLE_DIR}/ folder; is it a Space's "
            "sync repo (MPEP_SYNC_REPO)?"
        ) from None


# -- the bundle: config + prompts ---------------------------------------------------------


def _load_bundle(source: Source) -> SpaceConfig:
    assert source.bundle_dir is not None
    if not (source.bundle_dir / PROMPTS_FILE).is_file():
        raise CollectError(f"--from {source.label!r} has {CONFIG_FILE} but no {PROMPTS_FILE}")
    try:
        # env={}: the collector's environment must not change the Space's settings.
        config = load_config(source.bundle_dir, env={})
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise CollectError(
            f"--from {source.label!r}: its {CONFIG_FILE} or {PROMPTS_FILE} is invalid ({exc})"
        ) from None
    seen: set[str] = set()
    for prompt in config.prompts:
        if prompt.id in seen:
            raise CollectError(
                f"--from {source.label!r}: {PROMPTS_FILE} has the prompt id {prompt.id!r} twice"
            )
        seen.add(prompt.id)
    return config


def _first_difference(a: Sequence[BundledPrompt], b: Sequence[BundledPrompt]) -> str:
    for left, right in zip(a, b, strict=False):
        if left != right:
            return f"prompt id {left.id!r}"
    return f"{len(a)} vs {len(b)} prompts"


def bundle_of(code: str, sources: Sequence[Source]) -> SpaceConfig:
    """The config and prompts of the first source that has them; all others must agree."""
    chosen: tuple[Source, SpaceConfig] | None = None
    for source in sources:
        if source.bundle_dir is None:
            continue
        config = _load_bundle(source)
        mismatch = language_mismatch(config, code)  # the dashboard's check too
        if mismatch:
            raise CollectError(f"--from {source.label!r} {mismatch}")
        if chosen is None:
            chosen = (source, config)
        elif config.prompts != chosen[1].prompts:
            where = _first_difference(chosen[1].prompts, config.prompts)
            raise CollectError(
                f"--from {chosen[0].label!r} and --from {source.label!r} bundle different "
                f"prompts (first difference: {where}); collect the sources of one Space together"
            )
    if chosen is None:
        labels = ", ".join(repr(s.label) for s in sources)
        raise CollectError(
            f"no --from of {code!r} has the Space's {CONFIG_FILE} and {PROMPTS_FILE} "
            f"({labels}); add the Space folder, or a data dir written by a current Space"
        )
    return chosen[1]


# -- folding ------------------------------------------------------------------------------


@dataclass
class Folded:
    """A language's events folded under its Space's rules, with what was skipped."""

    config: SpaceConfig
    ledger: Ledger
    events: int
    duplicates: int
    problems: list[Problem]


def fold(code: str, sources: Sequence[Source], cache: ReadCache | None = None) -> Folded:
    """Read every source's events (deduplicated by id) and fold them with the Space's rules,
    as :func:`mpep_space.sources.fold_layouts` does; files whose reading ``cache`` keeps are
    not read again (:mod:`mpep_generator.incremental`)."""
    config = bundle_of(code, sources)  # checks the bundles agree before folding
    parse = parse_file_columns
    if cache is not None:
        fingerprints = {str(p): f for s in sources for p, f in s.remote or ()}
        parse = reader(cache, fingerprints)
    log = read_logs((f for s in sources for f in s.event_files()), parse_file=parse)
    for source in sources:
        for link in source.layout.outside_links() if source.remote is None else ():
            reason = f"a link out of the source (to {link.resolve()}): not read"
            log.problems.append(Problem(str(link), 0, reason))
    ledger = Ledger.from_events(config.prompt_ids, config.rules, log.events)
    if cache is not None:
        cache.save()
    shown = _shower(sources)
    problems = [Problem(shown(p.file), p.line, p.reason) for p in log.problems]
    for event, reason in ledger.ignored:
        file, line = log.origins[event.id]
        problems.append(Problem(shown(file), line, f"{event.kind} ignored: {reason}"))
    problems.sort(key=lambda p: (p.file, p.line))
    return Folded(config, ledger, len(log.events), log.duplicates, problems)


def _shower(sources: Sequence[Source]) -> Callable[[str], str]:
    def shown(file: str) -> str:
        for source in sources:
            named = source.shown(file)
            if named != file:
                return named
        return file

    return shown
