"""Collect what the translation Spaces gathered into one ``MPEP_<NAME>`` dataset per language.

The collector owns no rules and no schema: :mod:`mpep_generator.folding` finds a
language's sources and folds their events with the Space's own rules,
:mod:`mpep_generator.rows` turns the folded state into one row per prompt, and this
module writes, per language:

``DIR/MPEP_<NAME>/data/train-00000-of-00001-<digest>.parquet``
    the rows, with the columns of :mod:`mpep_generator.schema` (named by content);
``DIR/MPEP_<NAME>/README.md``
    the dataset card (:mod:`mpep_generator.card`);
``DIR/MPEP_<NAME>/alpaca_eval.json``
    the accepted translations as AlpacaEval instructions;

and, for the run, ``DIR/progress.md`` and ``DIR/progress.svg``
(:mod:`mpep_generator.report`). Nothing in the output depends on when or where the
collector ran, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mpep_space.text import OWNER

from .alpaca import merge_outputs, outputs_file_name
from .card import dataset_card
from .errors import CollectError, GeneratorError, MissingExtraError
from .files import write_data_file, write_text
from .folding import fold, resolve_source
from .incremental import cache_for
from .languages import get_language
from .report import write_report
from .results import CollectResult, CollectRun
from .rows import alpaca_eval_records, build_table, imported_counts, quality_of
from .schema import ALPACA_FILE, CARD_FILE

if TYPE_CHECKING:
    from .hub import Hub

# The collector's own imports beyond the base install: the ``collect`` extra.
EXTRA_MODULES = ("pyarrow", "pyarrow.parquet", "orjson")


def require_collect_extra() -> None:
    """Fail in one line, before anything is written, when the ``collect`` extra is missing."""
    missing = _missing_extra()
    if missing:
        raise MissingExtraError(
            f"collect-mpep needs {missing}, which is not installed: "
            "pip install 'mpep-generator[collect]'"
        )


@cache  # asked per language; searching the import path is not free, and an install stays
def _missing_extra() -> str | None:
    for name in EXTRA_MODULES:
        if not _installed(name):
            return name.split(".")[0]
    return None


def _installed(name: str) -> bool:
    """Whether module ``name`` can be imported, without importing it (nor its package:
    the collector's workers are forked from a process that has not loaded pyarrow)."""
    import importlib.machinery
    import importlib.util

    package, _, module = name.partition(".")
    try:
        spec = importlib.util.find_spec(package)
        if spec is None or not module:
            return spec is not None
        locations = spec.submodule_search_locations or []
        return importlib.machinery.PathFinder.find_spec(name, list(locations)) is not None
    except ImportError:
        return False


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
    outputs: Sequence[Path] = (),
    incremental: bool = True,
) -> CollectResult:
    """Collect one language from ``sources`` into ``out/MPEP_<NAME>/``; push it with ``push_org``.

    ``incremental``: event files read by an earlier collect into ``out`` and unchanged
    since are not read (nor downloaded) again (:mod:`mpep_generator.incremental`).

    ``outputs`` are files of a model's AlpacaEval outputs for the accepted instructions,
    checked and written beside ``alpaca_eval.json`` (:mod:`mpep_generator.alpaca`).

    Raises :class:`~mpep_generator.errors.CollectError` (or another
    :class:`~mpep_generator.errors.GeneratorError`) with a one-line message.
    """
    require_collect_extra()
    with _cyclic_gc_paused():
        return _collect_language(
            code, sources, out, include_pending, hub, push_org, outputs, incremental
        )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector: a language's fold allocates one object per event
    and builds no cycles (reference counting frees it all), yet the collector would
    walk the growing heap over and over -- a fifth of a collect's CPU (bench/collect.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _collect_language(
    code: str,
    sources: Sequence[str],
    out: Path,
    include_pending: bool,
    hub: Hub | None,
    push_org: str | None,
    outputs: Sequence[Path],
    incremental: bool,
) -> CollectResult:
    spec = get_language(code)
    if not sources:
        raise CollectError(f"no --from given for {spec.code!r}")
    if push_org is not None:
        check_org(push_org)
    lazy = _LazyHub(hub)
    cache = cache_for(out, spec.code) if incremental else None
    resolved = [resolve_source(s, lazy, cache) for s in sources]
    folded = fold(spec.code, resolved, cache)
    table = build_table(folded, include_pending=include_pending)
    quality, unchanged = quality_of(folded)
    folder = out / spec.dataset
    progress = folded.ledger.progress()
    result = CollectResult(
        code=spec.code,
        name=spec.name,
        native_name=spec.native_name,
        dataset=spec.dataset,
        folder=folder,
        rows=table.num_rows,
        progress=progress,
        quality=quality,
        unchanged_suggestions=unchanged,
        events=folded.events,
        duplicates=folded.duplicates,
        problems=tuple(folded.problems),
        sources=tuple(s.label for s in resolved),
        imported=imported_counts(folded),
    )
    alpaca = alpaca_eval_records(folded, spec.dataset)
    merged = _merged_outputs(outputs, [a["instruction"] for a in alpaca], spec.dataset)
    if not table.num_rows:
        # datasets (3.x and current) cannot load a parquet file without rows: write nothing.
        note = f"{spec.dataset} has no done prompts yet: no dataset written"
        return _with(result, notes=(note,))
    data_file = write_data_file(table, folder)
    result = _with(result, data_file=data_file.path)
    card = dataset_card(
        result, folded.config, data_file, include_pending=include_pending, org=push_org
    )
    write_text(folder / CARD_FILE, card)
    write_text(folder / ALPACA_FILE, _json(alpaca))
    for name, records in merged.items():
        write_text(folder / name, _json(records))
    for stale in folder.glob("alpaca_eval-*.json"):  # outputs merged by an earlier collect
        if stale.name not in merged:
            stale.unlink()
    result = _with(result, alpaca_outputs=tuple(folder / name for name in merged))
    if push_org is None:
        return result
    if progress.done == 0:
        note = f"{spec.dataset} has no done prompts yet: not pushed"
        return _with(result, notes=(*result.notes, note))
    url = lazy().push_dataset(folder, repo_id=f"{push_org}/{spec.dataset}")
    return _with(result, pushed=url)


def _json(records: list[dict[str, str]]) -> str:
    """``json.dumps(records, ensure_ascii=False, indent=2)`` and a newline, with each
    value encoded by json's C encoder (``indent`` sends every character of a whole dump
    through the pure-Python one); tests/test_collect_fast.py checks the two agree."""
    if not records or not all(isinstance(v, FLAT) for r in records for v in r.values()):
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    dump = json.JSONEncoder(ensure_ascii=False).encode
    keys = list(records[0])
    if keys and all(map(keys.__eq__, map(list, records))):  # one shape: fill a template
        lines = (f"    {dump(key).replace('%', '%%')}: %s" for key in keys)
        template = "  {\n" + ",\n".join(lines) + "\n  }"
        columns = (_dumped(list(map(itemgetter(key), records)), dump) for key in keys)
        items: Iterable[str] = map(template.__mod__, zip(*columns, strict=True))
    else:
        items = (
            "  {\n" + ",\n".join(f"    {dump(k)}: {dump(v)}" for k, v in r.items()) + "\n  }"
            if r
            else "  {}"
            for r in records
        )
    return "[\n" + ",\n".join(items) + "\n]\n"


FLAT = (str, int, float, bool, type(None))  # values json writes on one line


def _dumped(values: list[Any], dump: Callable[[Any], str]) -> Iterable[str]:
    """Each value as json writes it; strings straight through json's C string encoder
    (what ``dump`` does for a string, after a Python call and a type test of its own)."""
    if set(map(type, values)) == {str}:
        return map(encode_basestring, values)
    return map(dump, values)


def _merged_outputs(
    outputs: Sequence[Path], instructions: list[str], dataset: str
) -> dict[str, list[dict[str, str]]]:
    """File name -> records of every ``--outputs`` file, all checked before anything is
    written."""
    merged: dict[str, list[dict[str, str]]] = {}
    for path in outputs:
        generator, records = merge_outputs(path, instructions, dataset)
        name = outputs_file_name(generator)
        if name in merged:
            raise CollectError(f"{path}: another --outputs file is also from {generator!r}")
        merged[name] = records
    return merged


def _with(result: CollectResult, **changes: Any) -> CollectResult:
    return replace(result, **changes)


def check_org(org: str) -> str:
    if not OWNER.fullmatch(org):
        raise CollectError(f"--push takes an organisation or user name (ORG), not {org!r}")
    return org


# -- several languages --------------------------------------------------------------------


def _progress_bar(codes: Sequence[str]) -> Any:
    from tqdm.auto import tqdm  # imported only when a terminal shows it

    return tqdm(total=len(codes), unit="language", file=sys.stderr, leave=False)


def collect_many(
    sources: Mapping[str, Sequence[str]],
    out: Path,
    *,
    include_pending: bool = False,
    hub: Hub | None = None,
    push_org: str | None = None,
    show_progress: bool | None = None,
    outputs: Sequence[Path] = (),
    incremental: bool = True,
) -> CollectRun:
    """Collect every language of ``sources``; one language's failure does not stop the others.

    Languages are independent, so they are collected by one process per core
    (:func:`workers`); results and messages are the same as one after the other.
    Writes ``out/progress.md`` and ``out/progress.svg`` for the languages collected.
    A progress bar goes to stderr when it is a terminal and there are several languages.
    """
    require_collect_extra()
    if push_org is not None:
        check_org(push_org)
    run = CollectRun(out)
    codes = sorted(sources, key=lambda c: c.lower())
    if show_progress is None:
        show_progress = len(codes) > 1 and sys.stderr.isatty()
    bar = _progress_bar(codes) if show_progress else None
    job = _Job(dict(sources), out, include_pending, hub, push_org, tuple(outputs), incremental)
    for code, outcome in _outcomes(job, codes, workers(codes, hub=hub, push_org=push_org)):
        if bar is not None:
            bar.set_postfix_str(code)
            bar.update()
        if isinstance(outcome, str):
            run.failures[code] = outcome
        else:
            run.results.append(outcome)
    if bar is not None:
        bar.close()
    run.report = write_report(run.results, run.failures, out)
    return run


MAX_WORKERS = 8


def workers(codes: Sequence[str], *, hub: Hub | None, push_org: str | None) -> int:
    """How many processes collect ``codes``: one per usable core (at most
    :data:`MAX_WORKERS`), or just this one -- for a single language, on a system without
    ``fork``, in a process that has loaded pyarrow or runs threads, when a Hub client was
    handed in (a caller's client, or a test's recording fake, lives in this process), when
    pushing (uploads stay in order), and when two codes write the same dataset folder
    (the later one wins, as one after the other)."""
    if len(codes) < 2 or hub is not None or push_org is not None:
        return 1
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return 1
    # Forking copies one thread: safe only before pyarrow (which starts threads of its
    # own) is loaded, and while this process runs no other thread.
    if "pyarrow" in sys.modules or threading.active_count() > 1:
        return 1
    folders = set()
    for code in codes:
        try:
            folders.add(get_language(code).dataset)
        except GeneratorError:
            folders.add(f"?{code}")  # reported by its own collect
    if len(folders) < len(codes):
        return 1
    return max(1, min(len(codes), len(os.sched_getaffinity(0)), MAX_WORKERS))


@dataclass(frozen=True)
class _Job:
    """What every language of a run is collected with."""

    sources: dict[str, Sequence[str]]
    out: Path
    include_pending: bool
    hub: Hub | None
    push_org: str | None
    outputs: tuple[Path, ...]
    incremental: bool

    def __call__(self, code: str) -> tuple[str, CollectResult | str]:
        """The result of collecting ``code``, or its one-line error."""
        try:
            return code, collect_language(
                code,
                self.sources[code],
                self.out,
                include_pending=self.include_pending,
                hub=self.hub,
                push_org=self.push_org,
                outputs=self.outputs,
                incremental=self.incremental,
            )
        except GeneratorError as exc:
            return code, str(exc)


def _outcomes(
    job: _Job, codes: Sequence[str], processes: int
) -> Iterator[tuple[str, CollectResult | str]]:
    """Each code's outcome, in the order of ``codes``."""
    if processes <= 1:
        yield from map(job, codes)
        return
    from .forkpool import fork_map

    # The workers start with this process's modules and the job; the parent imports no
    # pyarrow (and starts no threads) before forking.
    yield from fork_map(job, codes, processes)
