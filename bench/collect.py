"""Collect: ``collect-mpep --all --from-config FILE`` over synthetic event logs of 20
languages against one process that only reads the same JSONL files with
``pyarrow.json.read_json``, as whole processes, alternating runs, medians and their
ratio, and the peak memory (RSS) of each process. Targets: collect-mpep / pyarrow <= 2x
for all the languages, and <= 1.5x for one language (against the reader of that language's
files alone: the fixed cost of a collect).

The logs are generated with a fixed seed: per language, 500 prompts, each with 3
translations by distinct translators and 2 reviews per translation (6 per prompt) by
distinct reviewers, ``min_approvals`` 2, so a translation is approved when both of
its reviews approve; some reviews reject, some approvals edit the text, some
translations carry QA findings. Each language is a Space data dir -- ``events/*.jsonl``
split over 2-3 files (as several Space processes write them) and ``space/`` with the
``space_config.json`` and ``prompts.jsonl`` rendered by the generator -- listed in a
sources YAML. Peak memory is each child's own ``ru_maxrss`` (``os.wait4``). The packages'
bytecode is compiled before measuring, as ``pip install`` compiles it: the measured
processes run with ``PYTHONDONTWRITEBYTECODE`` (the tests' hermetic setting).

With ``--scale`` it measures how a collect grows instead: collect-mpep once on a
quarter, a half and all of the languages, printing the seconds per 100k events at
each size (linear growth keeps it flat) and the peak memory of the largest process
(languages are folded one at a time in each worker, so it follows the largest
language, not the run). Beyond the 20 MPEP languages, ``--languages`` takes more
valid BCP-47 codes (IANA registry order), each a Space with CLDR defaults.

    .venv/bin/python bench/collect.py [--runs 3] [--languages 20] [--prompts 500]
    .venv/bin/python bench/collect.py --scale --prompts 10000
    .venv/bin/python bench/collect.py --scale --languages 200
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    MACHINE,
    PYTHON,
    REPO,
    VENV_BIN,
    compile_packages,
    hermetic_env,
    median,
    seconds,
    table,
    verdict,
    write_prompt_file,
)

TARGET_RATIO = 2.0
TARGET_ONE = 1.5  # one language against the reader of its files alone
TRANSLATIONS = 3  # per prompt
REVIEWS = 2  # per translation: 6 per prompt
MIN_APPROVALS = 2
TRANSLATORS = tuple(f"translator{i:02d}" for i in range(1, 13))
REVIEWERS = tuple(f"reviewer{i:02d}" for i in range(1, 9))
# Events span up to 35 days from START; readers skip events more than a day in the future.
START = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
QA_FINDINGS = tuple(
    {"code": code, "severity": "warning", "message": message}
    for code, message in (
        ("number_missing", "a number of the prompt is missing"),
        ("placeholder_missing", "a placeholder is missing"),
        ("untranslated", "the text looks untranslated"),
    )
)
REJECT_COMMENTS = (
    "Meaning changed in the second sentence.",
    "The numbers do not match the source.",
    "Too literal; please rephrase.",
    "The code block was translated.",
)
# The baseline: one process that only parses every event file into Arrow tables.
BASELINE = """\
import sys
from pathlib import Path
import pyarrow.json as pj

rows = files = 0
for path in sorted(Path(sys.argv[1]).glob(sys.argv[2] + "/events/*.jsonl")):
    rows += pj.read_json(path).num_rows
    files += 1
print(f"{rows} events in {files} files")
"""
COLLECTED = re.compile(r"^Collected (\S+) into .*: (\d+) rows? from (\d+) events?", re.M)


def mpep_codes() -> list[str]:
    """The language codes of the registered MPEP languages (``languages/*.yaml``)."""
    return sorted(p.stem for p in (REPO / "languages").glob("*.yaml"))


def bench_codes(n: int) -> list[str]:
    """``n`` language codes: the MPEP ones, then valid codes of the IANA registry (two
    letters, then three) that name a dataset of their own."""
    import language_data
    from mpep_generator.errors import GeneratorError
    from mpep_generator.languages import get_language

    codes = mpep_codes()[:n]
    datasets = {get_language(code).dataset for code in codes}
    registry = Path(language_data.__file__).parent / "data" / "language-subtag-registry.txt"
    subtags = re.findall(
        r"Type: language\nSubtag: ([a-z]{2,3})\n(?:(?!%%)[^\n]*\n)*?Added", registry.read_text()
    )
    for subtag in sorted(set(subtags), key=lambda s: (len(s), s)):
        if len(codes) >= n:
            break
        try:
            spec = get_language(subtag)
        except GeneratorError:
            continue
        if spec.dataset not in datasets and spec.code not in codes:
            datasets.add(spec.dataset)
            codes.append(spec.code)
    if len(codes) < n:
        raise SystemExit(f"only {len(codes)} language codes are usable, not {n}")
    return codes


# -- synthetic event logs ------------------------------------------------------------------


@dataclass
class Corpus:
    """What was generated: where, and what a correct collector must find in it."""

    root: Path  # one data dir per language below it
    config: Path  # the sources YAML
    config_one: Path  # the sources YAML of the first language alone (memory reference)
    languages: list[str]
    events: int = 0
    files: int = 0
    bytes: int = 0
    done: dict[str, int] = field(default_factory=dict)  # dataset -> prompts expected done
    per_language: dict[str, int] = field(default_factory=dict)  # code -> events


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _translate(text: str, code: str, rng: random.Random) -> str:
    """A stand-in translation: the words of the prompt, lightly shuffled, tagged."""
    words = text.split(" ")
    for _ in range(max(1, len(words) // 6)):
        i, j = rng.randrange(len(words)), rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    return f"[{code}] " + " ".join(words)


def _approved(verdicts: list[tuple[str, bool, bool]]) -> bool:
    """Whether a translation ends approved under mpep_space.rules: every review approves,
    and the text did not change at the last review. An edit is a new version whose
    editor's approval is only its first of ``MIN_APPROVALS``; every edit here writes the
    same text, so only the first edit makes a new version."""
    ordered = sorted(verdicts)
    edits = [i for i, (_, _, edited) in enumerate(ordered) if edited]
    new_version_last = bool(edits) and edits[0] == len(ordered) - 1
    return all(approve for _, approve, _ in ordered) and not new_version_last


def language_events(
    code: str, prompts: Sequence[tuple[str, str]], rng: random.Random
) -> tuple[list[tuple[str, str, str]], int]:
    """The ``(ts, id, line)`` of every event of one language, and the prompts that end done.

    Per prompt: 3 translations, then 2 reviews of each by distinct reviewers; a
    translation is approved when both approve (``min_approvals`` 2) and the later one
    does not edit it (see :func:`_approved`), a prompt is done when one of its
    translations is.
    """
    from mpep_space.events import Event

    approve_rate = rng.uniform(0.75, 0.9)  # languages differ in how strict reviewers are
    events: list[tuple[str, str, str]] = []
    done = 0
    for prompt_id, text in prompts:
        base = START + timedelta(seconds=rng.uniform(0, 30 * 86400))
        prompt_done = False
        for translator in rng.sample(TRANSLATORS, TRANSLATIONS):
            at = base + timedelta(seconds=rng.uniform(30, 2 * 86400))
            translation = Event(
                id=f"{rng.getrandbits(128):032x}",
                ts=_ts(at),
                kind="translation",
                user=translator,
                prompt_id=prompt_id,
                text=_translate(text, code, rng),
                qa=(rng.choice(QA_FINDINGS),) if rng.random() < 0.1 else (),
                suggestion_unchanged=rng.random() < 0.1,
            )
            events.append((translation.ts, translation.id, translation.to_json()))
            verdicts: list[tuple[str, bool, bool]] = []  # (ts, approves, edits)
            for reviewer in rng.sample(REVIEWERS, REVIEWS):
                approve = rng.random() < approve_rate
                edited = approve and rng.random() < 0.05
                review = Event(
                    id=f"{rng.getrandbits(128):032x}",
                    ts=_ts(at + timedelta(seconds=rng.uniform(60, 3 * 86400))),
                    kind="review",
                    user=reviewer,
                    prompt_id=prompt_id,
                    translation_id=translation.id,
                    verdict="approve" if approve else "reject",
                    comment="" if approve else rng.choice(REJECT_COMMENTS),
                    edited_text=translation.text + " (edited)" if edited else None,
                )
                events.append((review.ts, review.id, review.to_json()))
                verdicts.append((review.ts, approve, edited))
            prompt_done = prompt_done or _approved(verdicts)
        done += prompt_done
    events.sort()
    return events, done


def make_corpus(root: Path, languages: int, prompts: int, seed: int) -> Corpus:
    """Write the data dirs of ``languages`` MPEP languages and the sources YAML."""
    import json

    from mpep_generator.languages import get_language
    from mpep_generator.prompts import load_prompt_file
    from mpep_generator.render import SpaceOptions, render_space, space_config

    codes = bench_codes(languages)
    bundled = load_prompt_file(write_prompt_file(root / "prompts.jsonl", prompts, seed))
    pairs = [(p.id, p.text) for p in bundled]
    options = SpaceOptions(
        translations_per_prompt=TRANSLATIONS, min_approvals=MIN_APPROVALS, reviewers=REVIEWERS
    )
    corpus = Corpus(root / "data", root / "sources.yaml", root / "sources-one.yaml", codes)
    config_lines = []
    for code in codes:
        spec = get_language(code)
        rng = random.Random(f"{seed}:{code}")
        data_dir = corpus.root / code
        (data_dir / "space").mkdir(parents=True)
        if code == codes[0]:  # one real render; the others bundle the same prompts
            rendered = render_space(spec, bundled, root / "render" / code, options=options)
            prompts_file = shutil.copyfile(
                rendered / "prompts.jsonl", root / "render" / "prompts.jsonl"
            )
            shutil.copyfile(
                rendered / "space_config.json", data_dir / "space" / "space_config.json"
            )
        else:
            config = json.dumps(space_config(spec, options), ensure_ascii=False, indent=2)
            (data_dir / "space" / "space_config.json").write_text(config, encoding="utf-8")
        shutil.copyfile(prompts_file, data_dir / "space" / "prompts.jsonl")
        events, done = language_events(spec.code, pairs, rng)
        # Several Space processes (restarts, replicas) each append to a file of their own.
        names = [f"{rng.getrandbits(128):032x}.jsonl" for _ in range(rng.choice((2, 3)))]
        handles = [(data_dir / "events" / n) for n in names]
        handles[0].parent.mkdir(parents=True)
        chunks: list[list[str]] = [[] for _ in names]
        for _, _, line in events:
            chunks[rng.randrange(len(names))].append(line + "\n")
        for path, lines in zip(handles, chunks, strict=True):
            path.write_text("".join(lines), encoding="utf-8", newline="\n")
            corpus.bytes += path.stat().st_size
        corpus.events += len(events)
        corpus.per_language[code] = len(events)
        corpus.files += len(names)
        corpus.done[spec.dataset] = done
        config_lines.append(f"'{code}': [data/{code}]\n")  # quoted: YAML reads no: as False
    shutil.rmtree(root / "render", ignore_errors=True)
    corpus.config.write_text("".join(config_lines), encoding="utf-8")
    corpus.config_one.write_text(config_lines[0], encoding="utf-8")
    return corpus


# -- measuring whole processes -------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process (and any children it waited for)
    rss: float  # peak resident set size, MiB
    stdout: str


def run_measured(argv: Sequence[str], *, cwd: Path, env: dict[str, str]) -> Run:
    """Run a whole process; its wall time and its own peak RSS (``wait4`` rusage)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {proc.returncode}:\n{stdout}{stderr}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss / 1024, stdout)  # ru_maxrss is in KiB on Linux


COLLECT = "collect-mpep"
COLLECT_ONE = "collect-mpep, 1 language"
READ = "pyarrow.json"
READ_ONE = "pyarrow.json, 1 language"


def commands(corpus: Corpus, out: Path) -> dict[str, list[str]]:
    return {
        COLLECT: [
            str(VENV_BIN / "collect-mpep"),
            "--all",
            "--from-config",
            str(corpus.config),
            "--out",
            str(out),
        ],
        READ: [PYTHON, "-c", BASELINE, str(corpus.root), "*"],
        READ_ONE: [PYTHON, "-c", BASELINE, str(corpus.root), corpus.languages[0]],
        COLLECT_ONE: [
            str(VENV_BIN / "collect-mpep"),
            "--all",
            "--from-config",
            str(corpus.config_one),
            "--out",
            str(out),
        ],
    }


def measure(corpus: Corpus, workdir: Path, runs: int, warmup: bool) -> dict[str, list[Run]]:
    env = hermetic_env(workdir)
    out = workdir / "out"
    cmds = commands(corpus, out)
    results: dict[str, list[Run]] = {name: [] for name in cmds}
    names = list(cmds)
    for run in range(-1 if warmup else 0, runs):  # run -1 warms the OS file cache
        order = names if run % 2 == 0 else names[::-1]  # alternate who goes first
        for name in order:
            shutil.rmtree(out, ignore_errors=True)  # every collect writes a fresh folder
            measured = run_measured(cmds[name], cwd=workdir, env=env)
            if run >= 0:
                results[name].append(measured)
    return results


# -- the report ----------------------------------------------------------------------------


def checks(corpus: Corpus, results: dict[str, list[Run]]) -> list[list[str]]:
    """Both processes saw every event; collect-mpep found the done prompts it should."""
    stdout = results[COLLECT][0].stdout
    collected = {m[1]: (int(m[2]), int(m[3])) for m in COLLECTED.finditer(stdout)}
    read = re.match(r"(\d+) events", results[READ][0].stdout)
    rows: list[list[Any]] = [
        ["languages collected", len(collected), len(corpus.languages)],
        ["events read by collect-mpep", sum(e for _, e in collected.values()), corpus.events],
        ["events read by pyarrow.json", int(read[1]) if read else 0, corpus.events],
        [
            "rows written (done prompts)",
            sum(r for r, _ in collected.values()),
            sum(corpus.done.values()),
        ],
    ]
    return [[name, str(found), str(want), verdict(found == want)] for name, found, want in rows]


def report(corpus: Corpus, results: dict[str, list[Run]], prompts: int) -> bool:
    collect, baseline, one = results[COLLECT], results[READ], results[COLLECT_ONE]
    baseline_one = results[READ_ONE]
    wall_b = median(r.wall for r in baseline)
    wall_b1 = median(r.wall for r in baseline_one)
    ratio = median(r.wall for r in collect) / wall_b
    ratio_one = median(r.wall for r in one) / wall_b1
    rss_c, rss_b, rss_one = (max(r.rss for r in runs) for runs in (collect, baseline, one))
    n = len(corpus.languages)
    print(
        f"Collect, whole processes, median of {len(collect)} alternating runs each; "
        f"{n} languages x {prompts} prompts x ({TRANSLATIONS} translations + "
        f"{TRANSLATIONS * REVIEWS} reviews) = {corpus.events} events in {corpus.files} files "
        f"({corpus.bytes / 2**20:.1f} MiB); {MACHINE}"
    )

    def cells(runs: list[Run], rss: float, against: float = wall_b) -> list[str]:
        walls = [r.wall for r in runs]
        cpu = median(r.cpu for r in runs)
        return [
            seconds(median(walls)),
            seconds(min(walls)),
            seconds(max(walls)),
            seconds(cpu),
            f"{rss:.0f} MiB",
            f"{median(walls) / against:.2f}x",
        ]

    print(
        table(
            ["command", "median", "min", "max", "CPU", "peak RSS", "ratio", "target", "result"],
            [
                [
                    f"pyarrow.json.read_json of the same {corpus.files} files (baseline)",
                    *cells(baseline, rss_b),
                    "",
                    "",
                ],
                [
                    f"collect-mpep --all --from-config ({n} languages)",
                    *cells(collect, rss_c),
                    f"<= {TARGET_RATIO:.2f}x",
                    verdict(ratio <= TARGET_RATIO),
                ],
                [
                    f"pyarrow.json.read_json of 1 language's files ({corpus.languages[0]}, "
                    "baseline of the next row)",
                    *cells(baseline_one, max(r.rss for r in baseline_one), wall_b1),
                    "",
                    "",
                ],
                [
                    f"collect-mpep --all --from-config (1 language: {corpus.languages[0]})",
                    *cells(one, rss_one, wall_b1),
                    f"<= {TARGET_ONE:.2f}x",
                    verdict(ratio_one <= TARGET_ONE),
                ],
            ],
        )
    )
    print()
    rows = checks(corpus, results)
    print(table(["check", "found", "expected", "result"], rows))
    print()
    print(
        f"Peak memory (largest ru_maxrss of the runs): collect-mpep {rss_c:.0f} MiB for "
        f"{n} languages, {rss_one:.0f} MiB for 1 language ({rss_c - rss_one:+.0f} MiB for "
        f"{n - 1} more: languages are folded one at a time); the pyarrow.json reader "
        f"{rss_b:.0f} MiB for all {corpus.events} events ({corpus.bytes / 2**20:.1f} MiB of JSONL)."
    )
    ok = ratio <= TARGET_RATIO and ratio_one <= TARGET_ONE
    return ok and all(row[-1] == "PASS" for row in rows)


# -- how a collect grows ---------------------------------------------------------------------


def scale(corpus: Corpus, workdir: Path) -> bool:
    """collect-mpep once on a quarter, a half and all of the languages: seconds per 100k
    events between sizes (flat = linear), and the peak memory of the largest process."""
    env = hermetic_env(workdir)
    n = len(corpus.languages)
    sizes = sorted({max(1, n // 4), max(1, n // 2), n})
    lines = corpus.config.read_text(encoding="utf-8").splitlines(keepends=True)
    rows: list[tuple[int, int, Run]] = []
    for size in sizes:
        config = workdir / f"sources-{size}.yaml"
        config.write_text("".join(lines[:size]), encoding="utf-8")
        out = workdir / f"out-{size}"
        argv = [str(VENV_BIN / "collect-mpep"), "--all", "--from-config", str(config)]
        run = run_measured([*argv, "--out", str(out)], cwd=workdir, env=env)
        shutil.rmtree(out)
        events = sum(corpus.per_language[code] for code in corpus.languages[:size])
        rows.append((size, events, run))
    read = run_measured([PYTHON, "-c", BASELINE, str(corpus.root), "*"], cwd=workdir, env=env)
    largest = max(corpus.per_language.values())
    print(
        f"Collect at scale, whole processes, one run each: {n} languages, "
        f"{corpus.events} events ({corpus.bytes / 2**20:.0f} MiB of JSONL); {MACHINE}"
    )
    # The slope is taken on CPU time (the processes' own work): on a shared machine the
    # wall time of one run moves with whatever else runs; both are printed.
    slopes, wall_slopes = [], []
    table_rows = []
    for i, (size, events, run) in enumerate(rows):
        marginal = ""
        if i:
            _, events0, run0 = rows[i - 1]
            slope = (run.cpu - run0.cpu) / max(1, events - events0) * 1e5
            wall_slope = (run.wall - run0.wall) / max(1, events - events0) * 1e5
            slopes.append(slope)
            wall_slopes.append(wall_slope)
            marginal = f"{slope:.3f} s CPU, {wall_slope:.3f} s wall"
        table_rows.append(
            [
                f"collect-mpep --all, {size} languages",
                str(events),
                seconds(run.wall),
                seconds(run.cpu),
                f"{run.cpu / events * 1e5:.3f} s",
                marginal,
                f"{run.rss:.0f} MiB",
            ]
        )
    table_rows.append(
        [
            f"pyarrow.json.read_json, {n} languages (baseline)",
            str(corpus.events),
            seconds(read.wall),
            seconds(read.cpu),
            f"{read.cpu / corpus.events * 1e5:.3f} s",
            "",
            f"{read.rss:.0f} MiB",
        ]
    )
    headers = ["command", "events", "wall", "CPU", "CPU per 100k", "slope per 100k", "peak RSS"]
    print(table(headers, table_rows))
    linear = not slopes or max(slopes) <= 1.5 * max(min(slopes), 1e-9)
    bounded = rows[-1][2].rss <= 1.25 * rows[0][2].rss + 16
    print()
    print(
        f"Slope: {slopes[-1] if slopes else 0:.3f} s of CPU per 100k events between the two "
        f"largest sizes ({wall_slopes[-1] if wall_slopes else 0:.3f} s wall); the CPU slopes "
        f"differ by at most 1.5x (linear): {verdict(linear)}."
    )
    print(
        f"Peak memory: {rows[0][2].rss:.0f} MiB for {rows[0][0]} languages, "
        f"{rows[-1][2].rss:.0f} MiB for {rows[-1][0]} (largest process; the largest language "
        f"has {largest} events and each worker folds one language at a time): bounded per "
        f"language: {verdict(bounded)}."
    )
    return linear and bounded


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command [3]")
    parser.add_argument(
        "--languages", type=int, default=20, help="languages: the MPEP ones first [20]"
    )
    parser.add_argument("--prompts", type=int, default=500, help="prompts per language [500]")
    parser.add_argument("--seed", type=int, default=2026, help="seed of prompts and events")
    parser.add_argument(
        "--scale", action="store_true", help="measure growth (slope, memory) instead of ratios"
    )
    parser.add_argument(
        "--no-warmup", action="store_true", help="skip the uncounted first run of each command"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.prompts < 1 or args.languages < 1:
        parser.error("--runs, --languages and --prompts must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mpep-collect-") as tmp:
        workdir = Path(tmp)
        corpus = make_corpus(workdir, args.languages, args.prompts, args.seed)
        compile_packages("mpep_generator", "mpep_space")
        if args.scale:
            return 0 if scale(corpus, workdir) else 1
        results = measure(corpus, workdir, args.runs, warmup=not args.no_warmup)
        ok = report(corpus, results, args.prompts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
