"""The README is the front door: its commands exist, and CI runs its test command."""

from __future__ import annotations

import re
import tomllib

import pytest
from conftest import REPO
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
