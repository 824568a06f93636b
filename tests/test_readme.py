"""The README is the front door: its commands exist, and CI runs its test command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, render
from mpep_generator import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
SCRIPTS = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_the_quick_start_is_exactly_two_command_lines() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "generate-space --lang nl --prompts sample" in commands[0]
    assert commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert quick_start_commands()[1].replace(" -q", "") in ci.replace(" -q", "")


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_every_command_has_help_and_is_documented(
    script: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command = getattr(cli, SCRIPTS[script].split(":")[1] + "_command")
    assert cli.run_command(command, ["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Usage: {script} ") and "Examples:" in out
    assert f"$ {script} " in README


# -- the README's examples run ---------------------------------------------------------------
# A fenced block right after `<!-- readme-test: KIND [in-space] -->` is executed and its output
# compared: `shell`: a block of `$ command` lines, each followed by the output it prints (stdout
# and stderr), run in order in one scratch folder (`in-space`: in a freshly rendered Dutch Space
# of the sample prompts); `python`: a code block whose stdout is the next fenced block
# (`in-space`: with that Space running in password mode, alice, bob, carol and rita, rita
# reviewing; the example's URL is replaced by the Space's). Values that differ from run to run
# are masked on both sides.

_DIRECTIVE = re.compile(
    r"<!-- readme-test: (\w+)( in-space| in-demo)? -->\n```\w*\n(.*?)\n```", re.S
)
_EXAMPLE_URL = "http://127.0.0.1:7870/"
_NEXT_BLOCK = re.compile(r"\A\s*```\w*\n(.*?)\n```", re.S)
_VOLATILE = [
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"), "<time>"),
    # The Hub client's own words for "no network" depend on the machine's settings.
    (re.compile(r"\((?:Got: |Cannot find ).*?\); use --prompts"), "(<no network>); use --prompts"),
]


# Digests change with every run's timestamps; numbering them in order of appearance still
# checks which ones are equal (a re-collect gives the same file, named after its digest).
_DIGESTS = re.compile(r"\b[0-9a-f]{64}\b|\b[0-9a-f]{16}\b")


class _Masker:
    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def _number(self, match: re.Match[str]) -> str:
        return self.seen.setdefault(match.group(), f"<digest{len(self.seen) + 1}>")

    def __call__(self, text: str) -> str:
        for pattern, replacement in _VOLATILE:
            text = pattern.sub(replacement, text)
        return _DIGESTS.sub(self._number, text).rstrip()


def _mask(text: str) -> str:
    return _Masker()(text)


def _examples(kind: str, where: str = "") -> list[tuple[str, str, bool]]:
    """(block, expected output, in a Space) for every README example of ``kind`` (and of
    ``where``: "in-demo" examples are run together by test_readme_demo_transcripts)."""
    found = []
    for match in _DIRECTIVE.finditer(README):
        place = (match.group(2) or "").strip()
        if match.group(1) != kind or (place == "in-demo") != (where == "in-demo"):
            continue
        following = _NEXT_BLOCK.match(README[match.end() :])
        expected = following.group(1) if following else ""
        found.append((match.group(3), expected, place == "in-space"))
    return found


def _shell_steps(block: str) -> list[tuple[str, str]]:
    """Split a console block into (command, expected output) pairs."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return [(command, "\n".join(lines)) for command, lines in steps]


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def test_the_readme_has_runnable_examples_of_each_kind() -> None:
    assert len(_examples("shell")) >= 1 and len(_examples("python")) >= 1


def _indices(kind: str) -> list[Any]:
    """One test per example; those that start a Space are `slow`."""
    return [
        pytest.param(i, marks=pytest.mark.slow) if in_space else i
        for i, (_, _, in_space) in enumerate(_examples(kind))
    ]


def _run_transcript(block: str, cwd: Path, expected_mask: _Masker, actual_mask: _Masker) -> None:
    """Run each `$ command` of ``block`` in ``cwd`` and compare what it prints. A `$ cat FILE`
    whose FILE is not there shows a file the reader writes: it is written from the README.
    `$ echo $?` shows the exit code of the command before it (each runs in its own shell)."""
    last_code = 0
    for command, expected in _shell_steps(block):
        if command == "echo $?":
            assert str(last_code) == expected.strip(), f"exit code of the command before {command}"
            continue
        shown = re.fullmatch(r"cat (\S+)", command)
        if shown and not (cwd / shown.group(1)).exists():
            (cwd / shown.group(1)).write_text(expected + "\n", encoding="utf-8")
        done = subprocess.run(  # one stream, unbuffered: the order a terminal shows
            ["bash", "-c", command],
            cwd=cwd,
            env={**_env(), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=180,
        )
        last_code = done.returncode
        actual = actual_mask(done.stdout)
        assert actual == expected_mask(expected), f"$ {command}"


@pytest.mark.parametrize("index", _indices("shell"))
def test_readme_shell_example(index: int, tmp_path: Path) -> None:
    block, _, in_space = _examples("shell")[index]
    cwd = render(tmp_path, "nl") if in_space else tmp_path
    _run_transcript(block, cwd, _Masker(), _Masker())


@pytest.mark.slow
def test_readme_demo_transcripts(tmp_path: Path) -> None:
    """The `in-demo` transcripts (--import, collect-mpep), in README order, in one folder
    made as the README tells (tests/readme_demo.py)."""
    from readme_demo import build

    blocks = _examples("shell", "in-demo")
    assert len(blocks) >= 5
    demo = build(tmp_path)
    expected_mask, actual_mask = _Masker(), _Masker()
    for block, _, _ in blocks:
        _run_transcript(block, demo, expected_mask, actual_mask)


@pytest.mark.parametrize("index", _indices("python"))
def test_readme_python_example(
    index: int, tmp_path: Path, start_space: Any, space_env: dict[str, str]
) -> None:
    code, expected, in_space = _examples("python")[index]
    if in_space:
        assert _EXAMPLE_URL in code
        running = start_space(render(tmp_path, "nl"), space_env)
        code = code.replace(_EXAMPLE_URL, running.url)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _mask(done.stdout) == _mask(expected)
