"""Collect what the translation Spaces gathered into one ``MPEP_<NAME>`` dataset per language.

The collector owns no rules and no schema. It finds a language's sources (a
Space folder, a Space's data dir or a downloaded copy of its sync repo, or that
sync repo on the Hub) with :func:`mpep_space.sources.locate`, and folds them
with :func:`mpep_space.sources.fold_layouts` -- :func:`mpep_space.events.read_logs`
(which skips bad lines and deduplicates events by id across files) and
:class:`mpep_space.rules.Ledger` under the rules bundled in the Space's own
``space_config.json``: the code and the settings the Space itself used (and the
dashboard uses). It then turns the folded state into one row
per prompt, in the order the prompts were bundled, and writes:

``DIR/MPEP_<NAME>/data/train-00000-of-00001.parquet``
    the rows, with explicit ``datasets.Features`` (stable types, even when empty);
``DIR/MPEP_<NAME>/README.md``
    the dataset card (:mod:`mpep_generator.card`);
``DIR/MPEP_<NAME>/alpaca_eval.json``
    the accepted translations as AlpacaEval instructions;
``DIR/progress.md`` and ``DIR/progress.png``
    the progress report across languages (:mod:`mpep_generator.report`).

Nothing in the output depends on when or where the collector ran, so the same
inputs give byte-identical files. ``datasets``, ``pyarrow`` and ``matplotlib``
are imported only inside the functions that need them.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mpep_space.config import CONFIG_FILE, PROMPTS_FILE, BundledPrompt, SpaceConfig, load_config
from mpep_space.events import Problem
from mpep_space.rules import Ledger, Progress, PromptState, TranslationState
from mpep_space.sources import Layout, fold_layouts, locate
from mpep_space.sync import BUNDLE_DIR, SYNC_PATTERNS
from mpep_space.text import OWNER, REPO_ID

from .errors import CollectError, ConfigError, GeneratorError, UnknownLanguageError
from .languages import canonical_code, get_language

if TYPE_CHECKING:
    import pyarrow as pa
    from datasets import Features

    from .hub import Hub

PARQUET_FILE = "data/train-00000-of-00001.parquet"
CARD_FILE = "README.md"
ALPACA_FILE = "alpaca_eval.json"


# How a translation's state (mpep_space.rules) shows in the published ``target``
# list; ``submitted`` and ``discarded`` are the values of the Argilla-era MPEP sets.
TARGET_STATUS = {"approved": "submitted", "rejected": "discarded", "pending": "pending"}
SUPERSEDED = "superseded"  # a translator's text that the approving reviewer edited


# -- the dataset's columns ----------------------------------------------------------------


# The columns of every ``MPEP_<NAME>`` set, written once: the published MPEP ones, then
# ours. A string is a ``datasets.Value`` dtype, a dict a struct, a one-item list a List.
COLUMNS: dict[str, Any] = {
    "source": "string",
    "target": [{"user_id": "string", "value": "string", "status": "string"}],
    "target-suggestion": "string",
    "target-suggestion-metadata": {"type": "string", "score": "float32", "agent": "string"},
    "external_id": "string",
    "metadata": "string",
    "translation": "string",
    "reviews": [{"user_id": "string", "verdict": "string", "comment": "string"}],
    "qa_warnings": ["string"],
    "suggestion_unchanged": "bool",
    "status": "string",
}


def features() -> Features:
    """The columns of every ``MPEP_<NAME>`` set as ``datasets.Features``."""
    from datasets import Features, List, Value

    def feature(spec: Any) -> Any:
        if isinstance(spec, str):
            return Value(spec)
        if isinstance(spec, list):
            return List(feature(spec[0]))
        return {name: feature(item) for name, item in spec.items()}

    return Features(feature(COLUMNS))


def arrow_schema() -> pa.Schema:
    """``features().arrow_schema`` -- the Arrow types with the ``huggingface`` metadata that
    ``datasets`` reads back -- built with pyarrow alone: importing ``datasets`` would add
    about 0.3 s and 15 MiB of peak memory to every collect (bench/collect.py)."""
    import pyarrow as pa

    def arrow(spec: Any) -> pa.DataType:
        if isinstance(spec, str):
            return {"string": pa.string(), "float32": pa.float32(), "bool": pa.bool_()}[spec]
        if isinstance(spec, list):
            return pa.list_(arrow(spec[0]))
        return pa.struct([(name, arrow(item)) for name, item in spec.items()])

    def as_dict(spec: Any) -> Any:  # the shape of datasets.Features.to_dict()
        if isinstance(spec, str):
            return {"dtype": spec, "_type": "Value"}
        if isinstance(spec, list):
            return {"feature": as_dict(spec[0]), "_type": "List"}
        return {name: as_dict(item) for name, item in spec.items()}

    metadata = json.dumps({"info": {"features": as_dict(COLUMNS)}})
    schema = pa.schema([(name, arrow(spec)) for name, spec in COLUMNS.items()])
    return schema.with_metadata({"huggingface": metadata})


# -- sources ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One ``--from``: where it came from, and its layout (:func:`mpep_space.sources.locate`)."""

    spec: str  # as the user gave it
    label: str  # how messages name it: the path, or hf://datasets/OWNER/NAME
    layout: Layout

    @property
    def bundle_dir(self) -> Path | None:
        return self.layout.bundle_dir

    def shown(self, file: str) -> str:
        """``file`` as messages show it: under the source's label."""
        try:
            return f"{self.label}/{Path(file).relative_to(self.layout.root).as_posix()}"
        except ValueError:
            return file


def _local_source(spec: str, label: str, path: Path) -> Source:
    layout = locate(path)
    if layout is not None:
        return Source(spec, label, layout)
    if not path.is_dir():
        raise CollectError(
            f"--from {label!r} is a file; give a Space folder, its data dir or a copy of its "
            "sync repo"
        )
    raise CollectError(
        f"--from {label!r} is not a Space folder (no {CONFIG_FILE}), nor a Space data dir or "
        f"sync repo copy (no events/ or {BUNDLE_DIR}/)"
    )


def resolve_source(spec: str, hub: Callable[[], Hub]) -> Source:
    """A local folder if ``spec`` names one, else the Hub dataset repo ``spec`` (downloaded)."""
    if not spec.strip():
        raise CollectError("--from is empty; give a folder or a Hub dataset id (OWNER/NAME)")
    path = Path(spec).expanduser()
    if path.exists():
        return _local_source(spec, spec, path)
    if not REPO_ID.fullmatch(spec):
        raise CollectError(
            f"--from {spec!r} is not a folder, and not a Hub dataset id (OWNER/NAME)"
        )
    folder = hub().download_dataset(
        spec,
        allow_patterns=list(SYNC_PATTERNS),
        offline_hint=f"there is no local folder {spec!r} either",
    )
    label = f"hf://datasets/{spec}"
    try:
        return _local_source(spec, label, folder)
    except CollectError:
        raise CollectError(
            f"the dataset {spec!r} has no events/ or {BUNDLE_DIR}/ folder; is it a Space's "
            "sync repo (MPEP_SYNC_REPO)?"
        ) from None


def load_sources_config(path: Path) -> dict[str, list[str]]:
    """Read a ``--from-config`` file: a YAML or JSON mapping language code -> source(s).

    A language's value is a path or repo id, a list of them, or a mapping
    ``{sources: [...], space: OWNER/NAME}`` (the Space the dashboard links to).
    Relative paths are taken from the file's folder; anything else shaped like
    OWNER/NAME that is not a folder there is a Hub dataset id.
    """
    return {code: sources for code, (sources, _) in _read_sources_file(path).items()}


def load_space_links(path: Path) -> dict[str, str]:
    """The ``space:`` of each language in a ``--from-config`` file, where given."""
    return {code: space for code, (_, space) in _read_sources_file(path).items() if space}


def _read_sources_file(path: Path) -> dict[str, tuple[list[str], str]]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise ConfigError(f"{path}: cannot be read as {kind} ({first})") from None
    if not isinstance(data, dict) or not data:
        raise ConfigError(
            f"{path}: expected a mapping of language code to sources, like 'nl: [spaces/mpep-nl]'"
        )
    out: dict[str, tuple[list[str], str]] = {}
    for key, value in data.items():
        try:
            code = canonical_code(str(key))
        except UnknownLanguageError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if code in out:
            raise ConfigError(f"{path}: language {code!r} is listed twice")
        space = ""
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"sources", "space"})
            if unknown:
                raise ConfigError(
                    f"{path}: {code}: unknown key {unknown[0]!r} (use sources, space)"
                )
            space = value.get("space") or ""
            if not isinstance(space, str) or (space and not REPO_ID.fullmatch(space)):
                raise ConfigError(f"{path}: {code}: space must look like OWNER/NAME")
            value = value.get("sources")
        values = [value] if isinstance(value, str) else value
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v.strip() for v in values)
        ):
            raise ConfigError(
                f"{path}: the sources of {code!r} must be a path or repo id, or a list of them"
            )
        out[code] = ([_config_relative(v.strip(), path.parent) for v in values], space)
    return out


def _config_relative(spec: str, base: Path) -> str:
    candidate = Path(spec).expanduser()
    if candidate.is_absolute():
        return spec
    if (base / candidate).exists() or not REPO_ID.fullmatch(spec):
        return str(base / candidate)
    return spec


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
        try:
            bundled = canonical_code(config.language.code)
        except UnknownLanguageError:
            bundled = config.language.code
        if bundled != code:
            raise CollectError(f"--from {source.label!r} is a Space for {bundled!r}, not {code!r}")
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


def fold(code: str, sources: Sequence[Source]) -> Folded:
    """Read every source's events (deduplicated by id) and fold them with the Space's rules."""
    config = bundle_of(code, sources)  # checks the bundles agree before folding
    folded = fold_layouts([source.layout for source in sources], config)
    log, ledger = folded.log, folded.ledger
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


# -- rows ---------------------------------------------------------------------------------


def _target(user: str, value: str, status: str) -> dict[str, str]:
    return {"user_id": user, "value": value, "status": status}


def _targets(state: PromptState) -> list[dict[str, str]]:
    """Every translation of a prompt: the accepted one first, then the others in time order."""
    out = []
    accepted = state.accepted
    if accepted is not None:
        out.append(_target(accepted.edited_by or accepted.user, accepted.final_text, "submitted"))
        if accepted.edited_by:
            out.append(_target(accepted.user, accepted.text, SUPERSEDED))
    for translation in state.translations:
        if translation is not accepted:
            status = TARGET_STATUS.get(translation.status, translation.status)
            out.append(_target(translation.user, translation.final_text, status))
    return out


def _reviews(translations: Iterable[TranslationState]) -> list[dict[str, str]]:
    reviews = sorted((r for t in translations for r in t.reviews), key=lambda r: (r.ts, r.id))
    return [{"user_id": r.user, "verdict": r.verdict, "comment": r.comment} for r in reviews]


def qa_codes(translation: TranslationState) -> list[str]:
    """The finding codes stored on a translation event, in stored order."""
    return [str(f.get("code") or "unknown") for f in translation.qa]


def is_suggestion_unchanged(translation: TranslationState) -> bool:
    """Accepted as the machine suggestion, unchanged (a reviewer's edit changes it)."""
    return translation.suggestion_unchanged and translation.edited_by is None


def row_for(prompt: BundledPrompt, state: PromptState) -> dict[str, Any]:
    """One dataset row for a prompt and its folded state."""
    suggestion = prompt.suggestion
    accepted = state.accepted
    return {
        "source": prompt.prompt,
        "target": _targets(state),
        "target-suggestion": suggestion.text if suggestion else "",
        "target-suggestion-metadata": {
            "type": suggestion.type if suggestion else None,
            "score": suggestion.score if suggestion else None,
            "agent": suggestion.agent if suggestion else None,
        },
        "external_id": prompt.id,
        "metadata": prompt.metadata,
        "translation": accepted.final_text if accepted else None,
        "reviews": _reviews([accepted] if accepted else state.translations),
        "qa_warnings": qa_codes(accepted) if accepted else [],
        "suggestion_unchanged": is_suggestion_unchanged(accepted) if accepted else False,
        "status": state.status,
    }


def build_rows(folded: Folded, *, include_pending: bool = False) -> list[dict[str, Any]]:
    """One row per done prompt (per prompt with ``include_pending``), in bundled order."""
    rows = []
    for prompt in folded.config.prompts:
        state = folded.ledger.prompts[prompt.id]
        if include_pending or state.accepted is not None:
            rows.append(row_for(prompt, state))
    return rows


def id_order_key(prompt_id: str) -> tuple[int, int, str]:
    """Prompt ids in natural order: numbers by value (2 < 10), then the rest as text."""
    return (0, int(prompt_id), prompt_id) if prompt_id.isdigit() else (1, 0, prompt_id)


# -- writing ------------------------------------------------------------------------------


def replace_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary sibling, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    replace_file(path, write)


def write_parquet(rows: list[dict[str, Any]], path: Path) -> None:
    """Write ``rows`` with the fixed schema and fixed writer options (deterministic bytes).

    An empty set is written without row groups: ``datasets`` cannot read a
    zero-row row group.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()  # carries the datasets Features as metadata
    options: dict[str, Any] = {
        "compression": "zstd",
        "compression_level": 3,
        "use_dictionary": True,
        "write_statistics": True,
        "version": "2.6",
    }

    def write(tmp: Path) -> None:
        if not rows:
            pq.ParquetWriter(tmp, schema, **options).close()
            return
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, tmp, row_group_size=10_000, **options)

    replace_file(path, write)


def alpaca_eval_records(folded: Folded, dataset: str) -> list[dict[str, str]]:
    """``{"instruction", "dataset"}`` for every accepted translation, in prompt-id order."""
    accepted = [
        (prompt_id, state.accepted.final_text)
        for prompt_id, state in folded.ledger.prompts.items()
        if state.accepted is not None
    ]
    accepted.sort(key=lambda item: id_order_key(item[0]))
    return [{"instruction": text, "dataset": dataset} for _, text in accepted]


# -- one language -------------------------------------------------------------------------


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
    pushed: str | None = None  # the dataset URL, after --push
    notes: tuple[str, ...] = ()


def quality_of(folded: Folded) -> tuple[dict[str, int], int]:
    """Counts of each finding code among accepted translations, and unchanged suggestions."""
    codes: Counter[str] = Counter()
    unchanged = 0
    for state in folded.ledger.prompts.values():
        if state.accepted is not None:
            codes.update(set(qa_codes(state.accepted)))
            unchanged += is_suggestion_unchanged(state.accepted)
    return dict(sorted(codes.items())), unchanged


class _LazyHub:
    """Build the Hub client only when a source or ``--push`` needs it."""

    def __init__(self, hub: Hub | None) -> None:
        self._hub = hub

    def __call__(self) -> Hub:
        if self._hub is None:
            from .hub import Hub

            self._hub = Hub()
        return self._hub


def collect_language(
    code: str,
    sources: Sequence[str],
    out: Path,
    *,
    include_pending: bool = False,
    hub: Hub | None = None,
    push_org: str | None = None,
) -> CollectResult:
    """Collect one language from ``sources`` into ``out/MPEP_<NAME>/``; push it with ``push_org``.

    Raises :class:`~mpep_generator.errors.CollectError` (or another
    :class:`~mpep_generator.errors.GeneratorError`) with a one-line message.
    """
    spec = get_language(code)
    if not sources:
        raise CollectError(f"no --from given for {spec.code!r}")
    if push_org is not None:
        check_org(push_org)
    lazy = _LazyHub(hub)
    resolved = [resolve_source(s, lazy) for s in sources]
    folded = fold(spec.code, resolved)
    rows = build_rows(folded, include_pending=include_pending)
    quality, unchanged = quality_of(folded)
    folder = out / spec.dataset
    progress = folded.ledger.progress()
    result = CollectResult(
        code=spec.code,
        name=spec.name,
        native_name=spec.native_name,
        dataset=spec.dataset,
        folder=folder,
        rows=len(rows),
        progress=progress,
        quality=quality,
        unchanged_suggestions=unchanged,
        events=folded.events,
        duplicates=folded.duplicates,
        problems=tuple(folded.problems),
        sources=tuple(s.label for s in resolved),
    )
    from .card import dataset_card

    write_parquet(rows, folder / PARQUET_FILE)
    card = dataset_card(result, folded.config, include_pending=include_pending, org=push_org)
    write_text(folder / CARD_FILE, card)
    alpaca = alpaca_eval_records(folded, spec.dataset)
    write_text(folder / ALPACA_FILE, json.dumps(alpaca, ensure_ascii=False, indent=2) + "\n")
    if push_org is None:
        return result
    if progress.done == 0:
        note = f"{spec.dataset} has no done prompts yet: not pushed"
        return _with(result, notes=(*result.notes, note))
    url = lazy().push_dataset(folder, repo_id=f"{push_org}/{spec.dataset}")
    return _with(result, pushed=url)


def _with(result: CollectResult, **changes: Any) -> CollectResult:
    from dataclasses import replace

    return replace(result, **changes)


def check_org(org: str) -> str:
    if not OWNER.fullmatch(org):
        raise CollectError(f"--push takes an organisation or user name (ORG), not {org!r}")
    return org


# -- several languages --------------------------------------------------------------------


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


def collect_many(
    sources: Mapping[str, Sequence[str]],
    out: Path,
    *,
    include_pending: bool = False,
    hub: Hub | None = None,
    push_org: str | None = None,
    show_progress: bool | None = None,
) -> CollectRun:
    """Collect every language of ``sources``; one language's failure does not stop the others.

    Writes ``out/progress.md`` and ``out/progress.png`` for the languages collected.
    A progress bar goes to stderr when it is a terminal and there are several languages.
    """
    from tqdm.auto import tqdm

    from .report import write_report

    if push_org is not None:
        check_org(push_org)
    run = CollectRun(out)
    codes = sorted(sources, key=lambda c: c.lower())
    if show_progress is None:
        show_progress = len(codes) > 1 and sys.stderr.isatty()
    bar = tqdm(codes, unit="language", disable=not show_progress, file=sys.stderr, leave=False)
    for code in bar:
        bar.set_postfix_str(code)
        try:
            run.results.append(
                collect_language(
                    code,
                    sources[code],
                    out,
                    include_pending=include_pending,
                    hub=hub,
                    push_org=push_org,
                )
            )
        except GeneratorError as exc:
            run.failures[code] = str(exc)
    bar.close()
    run.report = write_report(run.results, run.failures, out)
    return run


def collect_all(
    config_file: Path,
    out: Path,
    *,
    include_pending: bool = False,
    hub: Hub | None = None,
    push_org: str | None = None,
    show_progress: bool | None = None,
) -> CollectRun:
    """Collect every language listed in a ``--from-config`` file."""
    return collect_many(
        load_sources_config(config_file),
        out,
        include_pending=include_pending,
        hub=hub,
        push_org=push_org,
        show_progress=show_progress,
    )
