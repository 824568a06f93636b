"""Generate: ``generate-space --lang nl`` from a local 500-prompt file against plain
``cookiecutter --no-input`` of the same template, as whole processes, alternating runs,
medians and their ratio. Target: generate-space / cookiecutter <= 1.2x.

It also checks that the generate-space process imports neither gradio, datasets nor
transformers: it runs the installed console script once under ``python -X importtime``
and lists every module the process imported.

    .venv/bin/python bench/generate.py [--runs 5] [--prompts 500]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    MACHINE,
    PYTHON,
    REPO,
    VENV_BIN,
    compile_packages,
    hermetic_env,
    ratio_rows,
    run_timed,
    table,
    verdict,
    write_prompt_file,
)

TARGET_RATIO = 1.2
FORBIDDEN = ("gradio", "datasets", "transformers")


def commands(prompt_file: Path, workdir: Path) -> dict[str, list[str]]:
    return {
        "generate-space": [
            str(VENV_BIN / "generate-space"),
            "--lang",
            "nl",
            "--prompts",
            str(prompt_file),
            "--out",
            str(workdir / "out-generate" / "mpep-nl"),
            "--force",
        ],
        "cookiecutter": [
            str(VENV_BIN / "cookiecutter"),
            "--no-input",
            str(REPO / "template"),
            "-o",
            str(workdir / "out-cookiecutter"),
            "-f",
        ],
    }


def measure(cmds: dict[str, list[str]], workdir: Path, runs: int) -> dict[str, list[float]]:
    env = hermetic_env(workdir)
    for argv in cmds.values():  # warm the OS file cache; not counted
        run_timed(argv, cwd=workdir, env=env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    names = list(cmds)
    for run in range(runs):
        order = names if run % 2 == 0 else names[::-1]  # alternate who goes first
        for name in order:
            times[name].append(run_timed(cmds[name], cwd=workdir, env=env))
    return times


def imported_modules(argv: Sequence[str], workdir: Path) -> set[str]:
    """Every module the command's process imported (``python -X importtime SCRIPT ...``)."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", *argv],
        cwd=workdir,
        env=hermetic_env(workdir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def forbidden_imports(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in FORBIDDEN)


def report(times: dict[str, list[float]], modules: set[str], prompts: int) -> bool:
    rows, ratio = ratio_rows(
        ("cookiecutter --no-input template (baseline)", times["cookiecutter"]),
        (f"generate-space --lang nl ({prompts} prompts)", times["generate-space"]),
        TARGET_RATIO,
    )
    bad = forbidden_imports(modules)
    runs = len(times["generate-space"])
    print(f"Generate, whole processes, median of {runs} alternating runs each; {MACHINE}")
    print(table(["command", "median", "min", "max", "ratio", "target", "result"], rows))
    print()
    print(
        table(
            ["generate-space process imports", "found", "target", "result"],
            [
                [", ".join(FORBIDDEN), ", ".join(bad) or "none", "none", verdict(not bad)],
                ["modules imported in all", len(modules), "", ""],
            ],
        )
    )
    return ratio <= TARGET_RATIO and not bad


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command [5]")
    parser.add_argument("--prompts", type=int, default=500, help="prompts in the file [500]")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the prompt file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.prompts < 1:
        parser.error("--runs and --prompts must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mpep-generate-") as tmp:
        workdir = Path(tmp)
        prompt_file = write_prompt_file(workdir / "prompts.jsonl", args.prompts, args.seed)
        cmds = commands(prompt_file, workdir)
        # As pip does on install: the measured processes write no bytecode (hermetic), so
        # a checkout's edited modules would be compiled again in every run.
        compile_packages("mpep_generator", "mpep_space")
        times = measure(cmds, workdir, args.runs)
        modules = imported_modules(cmds["generate-space"], workdir)
        ok = report(times, modules, args.prompts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
