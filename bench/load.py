"""Load: N translators at once against a generated Space, over Gradio's raw REST API.

Renders the Dutch Space from a synthetic prompt file (500 prompts by default), starts
``python app.py`` in password mode with one user per simulated translator, logs every
translator in through Gradio's ``/login`` form, then runs all of them at once: each
iteration is one ``/next_prompt``, one ``/noop`` (the baseline, measured under the same
load in the same run) and one ``/submit_translation``. It reports throughput and
p50/p95/p99 latency per endpoint (and each endpoint's p95 per iteration) and the ratio
to ``/noop``, stops the Space, and checks the events on disk.

The baseline is measured exactly as the endpoints are. All translators make their first
call in the same instant (the crowd's burst), and in a burst every call waits behind
the others whatever its endpoint: with every translator starting on ``/next_prompt``
(as this bench did until 2026-11-30), ``/next_prompt`` alone took the burst's tail and
the no-op never did, and swapping the order moved the tail to the no-op. So each
translator goes round the cycle (next_prompt, noop, submit) from its own starting
point: a third start with ``/next_prompt``, a third with ``/noop`` and a third with
``/submit_translation``. Those whose cycle has submit before next_prompt take the prompt
they submit first while logging in; their last prompt stays leased, unsubmitted. Every
endpoint then has the same share of its calls in the burst and in every later position.

The events on disk:

- lost: every acknowledged submission is a stored translation event, and nothing else is;
- duplicates: no event id is written twice;
- double assignment: no prompt was handed to two translators. With one translation per
  prompt, no reviews in the run and 20-minute leases (longer than the bounded run), a
  prompt that reached a second translator was handed out while the first one's lease
  (or its pending translation) still held it. On disk, likewise, no prompt may have two
  stored translations.

Target: every endpoint's p95 (next_prompt, submit) <= 2x noop p95, 0 lost, 0 duplicates,
0 double assignment.

    .venv/bin/python bench/load.py [--users 50] [--iterations 8] [--prompts 500]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    MACHINE,
    PYTHON,
    CallError,
    GradioHTTP,
    Server,
    cpu_seconds,
    hermetic_env,
    millis,
    percentile,
    table,
    verdict,
    write_prompt_file,
)

ENDPOINTS = ("next_prompt", "noop", "submit_translation")
JOIN = "login + first call"
TARGET_RATIO = 2.0
GATED = ("next_prompt", "submit_translation")  # each p95 <= TARGET_RATIO x noop's


@dataclass
class Record:
    """What the translators saw, shared by all threads under :attr:`lock`."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    handed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    acknowledged: dict[str, str] = field(default_factory=dict)  # translation id -> user
    exhausted: int = 0
    server_cpu: float = 0.0  # CPU seconds of the Space process during the run
    client_cpu: float = 0.0  # CPU seconds of this load generator during the run
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timing(self, endpoint: str, elapsed: float) -> None:
        with self.lock:
            self.latencies[endpoint].append(elapsed)

    def took(self, prompt: dict | None, user: str) -> None:
        if prompt is not None:
            with self.lock:
                self.handed[prompt["prompt_id"]].add(user)

    def failure(self, endpoint: str, exc: Exception) -> None:
        with self.lock:
            self.errors[endpoint] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{endpoint}: {exc}")


@dataclass(frozen=True)
class DiskCheck:
    acknowledged: int
    stored: int
    lost: int
    unacknowledged_stored: int
    duplicate_ids: int
    wrong_user: int
    unreadable_lines: int
    double_assigned: int
    translated_twice: int


def cycle_of(index: int) -> tuple[str, ...]:
    """Translator ``index``'s order of calls: the cycle (next_prompt, noop, submit) from
    a third of the way in for every third translator, so that each endpoint, the no-op
    baseline included, is the first call of the crowd's burst for a third of them."""
    shift = index % len(ENDPOINTS)
    return ENDPOINTS[shift:] + ENDPOINTS[:shift]


def submits_first(cycle: tuple[str, ...]) -> bool:
    return cycle.index("submit_translation") < cycle.index("next_prompt")


def translator(
    url: str,
    index: int,
    iterations: int,
    record: Record,
    barriers: tuple[threading.Barrier, threading.Barrier],
    deadline: float,
    session: bool,
) -> None:
    user = f"t{index:03d}"
    join, start = barriers
    cycle = cycle_of(index)
    api = GradioHTTP(url, session_hash=f"bench-{user}" if session else None)
    prompt: dict | None = None
    try:
        join.wait()  # everyone logs in at once, as after an announcement
        began = time.perf_counter()
        api.login(user, f"{user}-pw")
        # The first call of a session builds its state. A translator whose cycle has
        # submit before next_prompt takes the prompt it will submit first here.
        if submits_first(cycle):
            prompt = api.call("next_prompt")
            record.took(prompt, user)
        else:
            api.call("noop")
        record.timing(JOIN, time.perf_counter() - began)
        start.wait()
        for iteration in range(1, iterations + 1):
            for endpoint in cycle:
                if time.monotonic() > deadline:
                    return
                if endpoint == "next_prompt":
                    prompt = call(api, record, endpoint, iteration)
                    if prompt is None:
                        return
                    record.took(prompt, user)
                elif endpoint == "noop":
                    call(api, record, endpoint, iteration)
                elif prompt is not None:
                    pid = prompt["prompt_id"]
                    text = f"Vertaling van prompt {pid} door {user}: leg het kort en duidelijk uit."
                    result = call(api, record, endpoint, iteration, pid, text)
                    if result is not None:
                        with record.lock:
                            record.acknowledged[result["translation_id"]] = user
                    prompt = None
    except _Failed:
        return
    except Exception as exc:  # a login or barrier failure: count it, never hang the run
        record.failure(JOIN, exc)
        join.abort()
        start.abort()
    finally:
        api.close()


class _Failed(Exception):
    """A call failed (counted); this translator stops."""


def call(api: GradioHTTP, record: Record, endpoint: str, iteration: int, *args: Any) -> Any:
    """One timed call; a failure is counted and ends this translator's run."""
    began = time.perf_counter()
    try:
        answer = api.call(endpoint, *args)
    except (CallError, OSError) as exc:
        record.failure(endpoint, exc)
        raise _Failed from exc
    elapsed = time.perf_counter() - began
    record.timing(endpoint, elapsed)
    record.timing(f"{endpoint}#{iteration}", elapsed)
    if answer is None and endpoint == "next_prompt":
        with record.lock:
            record.exhausted += 1
    return answer


def check_disk(events_dir: Path, record: Record) -> DiskCheck:
    """Compare what the translators were told with what the Space wrote."""
    from mpep_space.events import event_files, read_logs

    files = event_files(events_dir)
    ids: Counter[str] = Counter()
    for path in files:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                ids[json.loads(line)["id"]] += 1
            except (ValueError, KeyError, TypeError):
                pass
    logs = read_logs(files)
    stored = {e.id: e.user for e in logs.events if e.kind == "translation"}
    per_prompt = Counter(e.prompt_id for e in logs.events if e.kind == "translation")
    acked = record.acknowledged
    return DiskCheck(
        acknowledged=len(acked),
        stored=len(stored),
        lost=len(set(acked) - set(stored)),
        unacknowledged_stored=len(set(stored) - set(acked)),
        duplicate_ids=sum(n - 1 for n in ids.values() if n > 1),
        wrong_user=sum(1 for tid, user in acked.items() if tid in stored and stored[tid] != user),
        unreadable_lines=len(logs.problems),
        double_assigned=sum(1 for users in record.handed.values() if len(users) > 1),
        translated_twice=sum(n - 1 for n in per_prompt.values() if n > 1),
    )


def run(args: argparse.Namespace, workdir: Path) -> tuple[Record, DiskCheck, float]:
    from mpep_generator.languages import get_language
    from mpep_generator.prompts import load_prompts
    from mpep_generator.render import render_space

    users, iterations = args.users, args.iterations
    prompt_file = write_prompt_file(workdir / "prompts.jsonl", args.prompts, args.seed)
    space_dir = render_space(get_language("nl"), load_prompts(str(prompt_file)), workdir / "nl")
    names = [f"t{i:03d}" for i in range(users)]
    users_file = workdir / "users.txt"
    users_file.write_text("".join(f"{u}:{u}-pw\n" for u in names) + "rita:rita-pw\n")
    data_dir = workdir / "data"
    env = hermetic_env(
        workdir, MPEP_USERS=str(users_file), MPEP_REVIEWERS="rita", MPEP_DATA_DIR=str(data_dir)
    )
    env.update(args.server_env)
    record = Record()
    with Server([PYTHON, "app.py"], space_dir, env, workdir / "space.log") as server:
        server.start()
        # Steady state: one call first pays the lazy imports and the language model load.
        warm = GradioHTTP(server.url)
        warm.login("rita", "rita-pw")
        warm.call("noop")
        warm.call("progress")
        warm.call("check_translation", "1000", "Een zin in het Nederlands om op te warmen.")
        warm.close()
        barriers = (threading.Barrier(users + 1), threading.Barrier(users + 1))
        deadline = time.monotonic() + args.max_seconds
        threads = [
            threading.Thread(
                target=translator,
                args=(server.url, i, iterations, record, barriers, deadline, args.session),
                daemon=True,
            )
            for i in range(users)
        ]
        for thread in threads:
            thread.start()
        barriers[0].wait(timeout=120)
        barriers[1].wait(timeout=300)
        began = time.perf_counter()
        server_cpu, client_cpu = cpu_seconds(server.pid), cpu_seconds()
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic() + 60))
        wall = time.perf_counter() - began
        record.server_cpu = cpu_seconds(server.pid) - server_cpu
        record.client_cpu = cpu_seconds() - client_cpu
    return record, check_disk(data_dir / "events", record), wall


def report(record: Record, disk: DiskCheck, wall: float, args: argparse.Namespace) -> bool:
    noop_p95 = percentile(record.latencies["noop"], 95)
    rows = []
    for endpoint in (*ENDPOINTS, JOIN):
        lat = record.latencies[endpoint]
        p95 = percentile(lat, 95)
        ratio = p95 / noop_p95 if noop_p95 else float("nan")
        target, ok = "", ""
        if endpoint in GATED:
            target, ok = f"<= {TARGET_RATIO:.1f}x", verdict(ratio <= TARGET_RATIO)
        rows.append(
            [
                f"/{endpoint}" if endpoint in ENDPOINTS else f"({endpoint})",
                len(lat),
                record.errors[endpoint],
                f"{len(lat) / wall:.1f}/s" if endpoint in ENDPOINTS else "",
                millis(percentile(lat, 50)),
                millis(p95),
                millis(percentile(lat, 99)),
                f"{ratio:.2f}x",
                target,
                ok,
            ]
        )
    session = "one session each" if args.session else "no session hash"
    extra = "".join(f", {k}={v}" for k, v in args.server_env.items())
    print(
        f"Load: {args.users} translators x {args.iterations} iterations (next_prompt, noop, "
        f"submit) over raw HTTP ({session}{extra}), {wall:.1f} s wall; {MACHINE}"
    )
    print(
        table(
            [
                "endpoint",
                "calls",
                "errors",
                "throughput",
                "p50",
                "p95",
                "p99",
                "p95 / noop p95",
                "target",
                "result",
            ],
            rows,
        )
    )
    checks = [
        ("acknowledged submissions", disk.acknowledged, "", ""),
        (
            "stored translation events",
            disk.stored,
            "== acknowledged",
            verdict(disk.stored == disk.acknowledged),
        ),
        ("lost (acknowledged, not stored)", disk.lost, "0", verdict(disk.lost == 0)),
        (
            "stored, never acknowledged",
            disk.unacknowledged_stored,
            "0",
            verdict(disk.unacknowledged_stored == 0),
        ),
        ("duplicate event ids", disk.duplicate_ids, "0", verdict(disk.duplicate_ids == 0)),
        ("recorded under another user", disk.wrong_user, "0", verdict(disk.wrong_user == 0)),
        ("unreadable event lines", disk.unreadable_lines, "0", verdict(disk.unreadable_lines == 0)),
        (
            "prompts handed to two translators",
            disk.double_assigned,
            "0",
            verdict(disk.double_assigned == 0),
        ),
        (
            "prompts translated twice (one slot each)",
            disk.translated_twice,
            "0",
            verdict(disk.translated_twice == 0),
        ),
    ]
    for endpoint in ENDPOINTS:
        by_iteration = [
            f"{i}: {millis(percentile(record.latencies[f'{endpoint}#{i}'], 95))}"
            for i in range(1, args.iterations + 1)
            if record.latencies[f"{endpoint}#{i}"]
        ]
        print(f"/{endpoint} p95 by iteration: {', '.join(by_iteration)}")
    calls = sum(len(record.latencies[e]) for e in ENDPOINTS)
    if calls:
        print(
            f"CPU per call: Space {record.server_cpu / calls * 1000:.1f} ms, load generator "
            f"{record.client_cpu / calls * 1000:.1f} ms; the Space used "
            f"{record.server_cpu / wall:.2f} of the {os.cpu_count()} cores"
        )
    print()
    print(table(["events on disk", "count", "target", "result"], checks))
    if record.error_samples:
        print("\nfirst errors:\n  " + "\n  ".join(record.error_samples))
    if record.exhausted:
        print(f"\n{record.exhausted} translators ran out of prompts (use more --prompts).")
    fast = all(
        record.latencies[e] and percentile(record.latencies[e], 95) <= TARGET_RATIO * noop_p95
        for e in GATED
    )
    correct = all(result != "FAIL" for *_, result in checks) and not sum(record.errors.values())
    return correct and fast


def prompts_needed(users: int, iterations: int) -> int:
    """Every translator takes one prompt per iteration; those whose cycle has submit
    before next_prompt take one more (their last one stays leased, unsubmitted)."""
    extra = sum(1 for i in range(users) if submits_first(cycle_of(i)))
    return users * iterations + extra


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated translators [50]")
    parser.add_argument(
        "--iterations", type=int, default=8, help="translate loops per translator [8]"
    )
    parser.add_argument("--prompts", type=int, default=500, help="prompts in the Space [500]")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the prompt file")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300,
        help="stop starting new iterations after this long [300]",
    )
    parser.add_argument(
        "--no-session",
        dest="session",
        action="store_false",
        help="send no session_hash: Gradio then builds a new session state for every call "
        "(by default each translator keeps one, as a browser tab or gradio_client does)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the Space process (repeatable), to try a setting",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the Space, its log and its data here (default: a temp dir)",
    )
    args = parser.parse_args(argv)
    if args.users < 1 or args.iterations < 1:
        parser.error("--users and --iterations must be at least 1")
    if prompts_needed(args.users, args.iterations) > args.prompts:
        parser.error(
            f"--prompts must be at least {prompts_needed(args.users, args.iterations)} "
            "(--users x --iterations, and one more for two translators in three)"
        )
    pairs = [item.partition("=") for item in args.server_env]
    if any(not key or not sep for key, sep, _ in pairs):
        parser.error("--server-env takes KEY=VALUE")
    args.server_env = {key: value for key, _, value in pairs}
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mpep-load-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        record, disk, wall = run(args, workdir)
        ok = report(record, disk, wall, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
