"""Start-up: ``python app.py`` of the generated Dutch Space to its first HTTP 200, against a
hello-world ``gr.Blocks`` app on the same gradio, alternating runs, medians and their ratio.

The Space is rendered from a synthetic 500-prompt file and runs in local mode (no
``MPEP_USERS``) with its data dir in a temp folder; both apps bind to free loopback ports
with the same hermetic environment. Target: Space / hello-world <= 1.15x.

A big Space: ``--events N`` puts N events in its log before each start (translations
and reviews as ``bench/collect.py`` makes them, in three files as three processes
would leave them), so the start-up reads and folds them before it serves.
Target then: <= 1.3x (``--prompts 10000 --events 100000``).

    .venv/bin/python bench/startup.py [--runs 7] [--prompts 500] [--events 0] [--profile]

With ``--profile`` it also prints where the start-up goes, Space next to hello-world: the
phases in one process (importing gradio, importing the app's own modules, loading config
and events and building the Blocks, ``queue()`` + ``launch()`` until it serves, the first
GET /) and the import self time per package (``python -X importtime``). Machines here are
shared: compare the min column too, and rerun when min and max are far apart.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    MACHINE,
    PYTHON,
    GradioHTTP,
    Server,
    free_port,
    hermetic_env,
    median,
    ratio_rows,
    seconds,
    table,
    write_prompt_file,
)

TARGET_RATIO = 1.15
TARGET_RATIO_WITH_EVENTS = 1.3
HELLO_APP = '''"""A hello-world Gradio app: the start-up baseline."""
import gradio as gr

with gr.Blocks(title="Hello") as demo:
    gr.Markdown("# Hello, world")
    name = gr.Textbox(label="Name")
    greeting = gr.Textbox(label="Greeting")
    name.submit(lambda n: f"Hello {n}!", name, greeting)

if __name__ == "__main__":
    demo.launch(ssr_mode=False)
'''


def prepare(workdir: Path, prompts: int, seed: int, events: int = 0) -> tuple[Path, Path]:
    """Render the Dutch Space and write the hello-world app; return both folders.

    With ``events``, also write that many events into ``workdir/log`` (see :func:`seed_data`).
    """
    from mpep_generator.languages import get_language
    from mpep_generator.prompts import load_prompt_file, load_prompts
    from mpep_generator.render import render_space

    prompt_file = write_prompt_file(workdir / "prompts.jsonl", prompts, seed)
    space_dir = render_space(get_language("nl"), load_prompts(str(prompt_file)), workdir / "nl")
    hello_dir = workdir / "hello"
    hello_dir.mkdir(exist_ok=True)
    (hello_dir / "app.py").write_text(HELLO_APP, encoding="utf-8")
    if events:
        pairs = [(p.id, p.text) for p in load_prompt_file(prompt_file)]
        write_log(workdir / "log", pairs, events, seed)
    return space_dir, hello_dir


def write_log(folder: Path, prompts: Sequence[tuple[str, str]], count: int, seed: int) -> None:
    """``count`` events of the prompts, as :func:`bench.collect.language_events` makes them
    (3 translations and 6 reviews a prompt, over and over with new ids when ``count`` needs
    more), spread over three files the way three Space processes would leave them."""
    import random

    from bench.collect import language_events

    rng = random.Random(seed)
    lines: list[tuple[str, str, str]] = []
    while len(lines) < count:
        lines += language_events("nl", prompts, rng)[0]
    lines = sorted(lines[:count])
    folder.mkdir(parents=True)
    files = [folder / f"{rng.getrandbits(128):032x}.jsonl" for _ in range(3)]
    chunks: list[list[str]] = [[] for _ in files]
    for _, _, line in lines:
        chunks[rng.randrange(len(files))].append(line + "\n")
    for path, chunk in zip(files, chunks, strict=True):
        path.write_text("".join(chunk), encoding="utf-8", newline="\n")


def seed_data(workdir: Path, name: str) -> str:
    """A fresh data dir for one start, holding a copy of the generated log (if any)."""
    data = workdir / name
    shutil.rmtree(data, ignore_errors=True)
    if (workdir / "log").is_dir():
        shutil.copytree(workdir / "log", data / "events")
    return str(data)


def time_start(app_dir: Path, workdir: Path, run: int, **env: str) -> float:
    """Seconds from spawning ``python app.py`` to the first 200 on ``/``."""
    return time_start_and_answer(app_dir, workdir, run, None, **env)[0]


def time_start_and_answer(
    app_dir: Path, workdir: Path, run: int, api_name: str | None, **env: str
) -> tuple[float, float]:
    """Seconds from spawning ``python app.py`` to the first 200 on ``/``, and to the
    first answer of ``/api_name`` asked right then (the Space answers calls once its log
    is folded, which it does after the page serves)."""
    server = Server(
        [PYTHON, "app.py"],
        app_dir,
        hermetic_env(workdir, **env),
        workdir / f"{app_dir.name}-{run}.log",
    )
    with server:
        first = server.start(timeout=120)
        if api_name is None:
            return first, first
        began = time.perf_counter()
        api = GradioHTTP(server.url, timeout=120)
        try:
            api.call(api_name)
        finally:
            api.close()
        return first, first + time.perf_counter() - began


def measure(
    space_dir: Path, hello_dir: Path, workdir: Path, runs: int, warmup: bool = True
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"space": [], "hello": [], "answer": []}
    if warmup:  # warm the OS file cache (and the shared font cache) for both: not counted
        time_start(hello_dir, workdir, -1)
        time_start(space_dir, workdir, -1, MPEP_DATA_DIR=seed_data(workdir, "data-warm"))
    for run in range(runs):
        # Alternate, and swap which goes first, so drift hits both the same way.
        order = ("hello", "space") if run % 2 == 0 else ("space", "hello")
        for which in order:
            if which == "space":
                data = seed_data(workdir, f"data-{run}")
                elapsed, answered = time_start_and_answer(
                    space_dir, workdir, run, "progress", MPEP_DATA_DIR=data
                )
                times["answer"].append(answered)
            else:
                elapsed = time_start(hello_dir, workdir, run)
            times[which].append(elapsed)
    return times


def report(times: dict[str, list[float]], prompts: int, events: int = 0) -> bool:
    target = TARGET_RATIO_WITH_EVENTS if events else TARGET_RATIO
    what = f"{prompts} prompts" + (f", {events} events" if events else "")
    rows, ratio = ratio_rows(
        ("hello-world gr.Blocks (baseline)", times["hello"]),
        (f"generated Dutch Space ({what})", times["space"]),
        target,
    )
    ok = ratio <= target
    runs = len(times["space"])
    print(f"Start-up to first HTTP 200, median of {runs} alternating runs each; {MACHINE}")
    print(table(["app", "median", "min", "max", "ratio", "target", "result"], rows))
    if times.get("answer"):
        answer = times["answer"]
        print(
            f"The Space's first answer to /progress (asked at its first 200; calls wait for "
            f"the log's fold): median {seconds(median(answer))} (min {seconds(min(answer))}, "
            f"max {seconds(max(answer))}); not a target"
        )
    return ok


_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s*(\S+)")

# Each app's start-up in phases, in one process (printed as "PHASES <json>"): the same
# steps as ``python app.py`` up to serving, then one GET /.
SPACE_PHASES = """
import json, os, time, urllib.request
t0 = time.perf_counter()
import gradio
t1 = time.perf_counter()
from mpep_space import server as ui
t2 = time.perf_counter()
built = 0.0
def timed(fn):
    def wrapper(*args, **kwargs):
        global built
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            built += time.perf_counter() - began
    return wrapper
ui.prepare, ui.build_demo = timed(ui.prepare), timed(ui.build_demo)
running = ui.run(block=False)
t4 = time.perf_counter()
urllib.request.urlopen(running.url, timeout=30).read()
t5 = time.perf_counter()
print("PHASES", json.dumps([t1 - t0, t2 - t1, built, t4 - t2 - built, t5 - t4]))
running.demo.close()
os._exit(0)
"""
HELLO_PHASES = """
import json, os, time, urllib.request
t0 = time.perf_counter()
import gradio
t1 = time.perf_counter()
import app
t3 = time.perf_counter()
_, url, _ = app.demo.launch(prevent_thread_lock=True, ssr_mode=False)
t4 = time.perf_counter()
urllib.request.urlopen(url, timeout=30).read()
t5 = time.perf_counter()
print("PHASES", json.dumps([t1 - t0, 0.0, t3 - t1, t4 - t3, t5 - t4]))
app.demo.close()
os._exit(0)
"""
PHASE_NAMES = (
    "import gradio",
    "import the app's own modules",
    "load config, prompts, events; build the Blocks",
    "queue() + launch() until it serves",
    "first GET /",
)


def import_self_times(app_dir: Path, workdir: Path) -> dict[str, float]:
    """Seconds of import-time *self* cost per top-level package (``python -X importtime``)."""
    env = hermetic_env(workdir, MPEP_DATA_DIR=seed_data(workdir, "data-profile"))
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import app"],
        cwd=app_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    per_package: dict[str, float] = {}
    for line in done.stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            package = m.group(3).split(".")[0]
            per_package[package] = per_package.get(package, 0.0) + int(m.group(1)) / 1e6
    return per_package


def phases(app_dir: Path, script: str, workdir: Path, repeats: int = 3) -> list[float]:
    """Median seconds of each of :data:`PHASE_NAMES` over ``repeats`` fresh processes."""
    runs = []
    for run in range(repeats):
        env = hermetic_env(
            workdir,
            MPEP_DATA_DIR=seed_data(workdir, f"data-phases-{run}"),
            GRADIO_SERVER_PORT=str(free_port()),
            GRADIO_SERVER_NAME="127.0.0.1",
        )
        done = subprocess.run(
            [PYTHON, "-c", script],
            cwd=app_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise RuntimeError(f"phase profile failed:\n{done.stdout}{done.stderr}")
        line = next(ln for ln in done.stdout.splitlines() if ln.startswith("PHASES "))
        runs.append(json.loads(line.split(" ", 1)[1]))
    return [median(run[i] for run in runs) for i in range(len(PHASE_NAMES))]


def print_profile(space_dir: Path, hello_dir: Path, workdir: Path, top: int = 12) -> None:
    space_phases = phases(space_dir, SPACE_PHASES, workdir)
    hello_phases = phases(hello_dir, HELLO_PHASES, workdir)
    print("\nWhere start-up goes, in-process phases (median of 3 processes each):")
    rows = [
        [name, seconds(s), seconds(h), f"{s - h:+.3f} s"]
        for name, s, h in zip(PHASE_NAMES, space_phases, hello_phases, strict=True)
    ]
    total_s, total_h = sum(space_phases), sum(hello_phases)
    rows.append(["(all)", seconds(total_s), seconds(total_h), f"{total_s - total_h:+.3f} s"])
    print(table(["phase", "Space", "hello-world", "difference"], rows))
    space = import_self_times(space_dir, workdir)
    hello = import_self_times(hello_dir, workdir)
    extra = sorted(
        ((name, space.get(name, 0.0), hello.get(name, 0.0)) for name in set(space) | set(hello)),
        key=lambda row: -(row[1] - row[2]),
    )
    print(f"\nImport self time per package, Space vs hello-world (top {top} by difference):")
    rows = [[name, seconds(s), seconds(h), f"{s - h:+.3f} s"] for name, s, h in extra[:top]]
    rows.append(
        [
            "(all)",
            seconds(sum(space.values())),
            seconds(sum(hello.values())),
            f"{sum(space.values()) - sum(hello.values()):+.3f} s",
        ]
    )
    print(table(["package", "Space", "hello-world", "difference"], rows))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each app [7]")
    parser.add_argument("--prompts", type=int, default=500, help="prompts in the Space [500]")
    parser.add_argument(
        "--events", type=int, default=0, help="events in the Space's log at start [0]"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the prompt file")
    parser.add_argument(
        "--no-warmup",
        dest="warmup",
        action="store_false",
        help="skip the untimed first start of each app (for smoke tests)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print where the start-up time goes (phases, imports)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.events < 0:
        parser.error("--events must be 0 or more")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mpep-startup-") as tmp:
        workdir = Path(tmp)
        space_dir, hello_dir = prepare(workdir, args.prompts, args.seed, args.events)
        times = measure(space_dir, hello_dir, workdir, args.runs, args.warmup)
        ok = report(times, args.prompts, args.events)
        if args.profile:
            print_profile(space_dir, hello_dir, workdir)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
