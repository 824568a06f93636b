"""The bench scripts keep working: each ``main()`` with tiny sizes prints its table.

The benchmarks themselves stay out of the suite (their numbers need a quiet machine);
this only checks that every script runs end to end, prints the ratio and the target,
and that the load script's correctness checks (nothing lost, nothing handed out twice)
hold. Timings at tiny sizes on a shared machine are noise, so no verdict is expected;
what is asserted is that each verdict follows from its ratio and target, and the exit
code from the verdicts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PYTHON, REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from bench import common, generate, load, startup  # noqa: E402

SCRIPTS = ("generate", "startup", "load")


def _row(output: str, label: str) -> list[str]:
    """The cells of the table row whose first cell starts with ``label``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].startswith(label):
            return cells
    raise AssertionError(f"no row {label!r} in:\n{output}")


def _assert_verdict_follows(row: list[str], ratio: int, target: int, verdict: int) -> None:
    """``PASS`` exactly when the ratio is within the ``<= N.NNx`` target."""
    measured = float(row[ratio].rstrip("x"))
    limit = float(row[target].removeprefix("<= ").rstrip("x"))
    if measured == limit:  # shown rounded: the unrounded ratio may fall on either side
        assert row[verdict] in ("PASS", "FAIL"), row
    else:
        assert row[verdict] == ("PASS" if measured < limit else "FAIL"), row


def _assert_exit_code_follows(code: int, output: str) -> None:
    assert code == (1 if re.search(r"\|\s*FAIL\s*\|", output) else 0), output


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_runs_as_a_file(script: str) -> None:
    done = subprocess.run(
        [PYTHON, str(REPO / "bench" / f"{script}.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout and "--" in done.stdout


def test_synthetic_prompts_are_deterministic_distinct_and_valid(tmp_path: Path) -> None:
    from mpep_generator.prompts import load_prompt_file

    first = common.synth_prompts(500, seed=3)
    assert first == common.synth_prompts(500, seed=3) != common.synth_prompts(500, seed=4)
    assert len({row["prompt"] for row in first}) == 500
    prompts = load_prompt_file(common.write_prompt_file(tmp_path / "p.jsonl", 500, seed=3))
    assert [p.id for p in prompts] == [str(r["row_idx"]) for r in first]


def test_table_and_percentiles() -> None:
    assert common.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert common.percentile([5.0], 99) == 5.0
    text = common.table(["a", "bb"], [["x", 1], ["yyy", 22]])
    assert text.splitlines() == ["| a   | bb |", "|-----|----|", "| x   | 1  |", "| yyy | 22 |"]


@pytest.mark.slow
def test_generate_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    code = generate.main(["--runs", "2", "--prompts", "20"])
    out = capsys.readouterr().out
    _assert_exit_code_follows(code, out)
    row = _row(out, "generate-space --lang nl (20 prompts)")
    assert re.fullmatch(r"\d+\.\d\dx", row[4]) and row[5] == "<= 1.20x"
    _assert_verdict_follows(row, 4, 5, 6)
    assert _row(out, "gradio, datasets, transformers")[1:] == ["none", "none", "PASS"]


@pytest.mark.slow
def test_startup_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    code = startup.main(["--runs", "1", "--prompts", "20", "--no-warmup"])
    out = capsys.readouterr().out
    _assert_exit_code_follows(code, out)
    assert _row(out, "hello-world gr.Blocks (baseline)")[4] == "1.00x"
    row = _row(out, "generated Dutch Space")
    assert re.fullmatch(r"\d+\.\d\dx", row[4]) and row[5] == "<= 1.15x"
    _assert_verdict_follows(row, 4, 5, 6)


@pytest.mark.slow
def test_load_smoke_loses_nothing_and_hands_out_nothing_twice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = load.main(["--users", "3", "--iterations", "3", "--prompts", "20"])
    out = capsys.readouterr().out
    _assert_exit_code_follows(code, out)
    for endpoint in ("/next_prompt", "/noop", "/submit_translation"):
        row = _row(out, endpoint)
        assert row[1:3] == ["9", "0"], row  # 9 calls, 0 errors
    assert _row(out, "/submit_translation")[8] == "<= 2.0x"
    assert _row(out, "acknowledged submissions")[1] == "9"
    for check in (
        "stored translation events",
        "lost (acknowledged, not stored)",
        "stored, never acknowledged",
        "duplicate event ids",
        "recorded under another user",
        "unreadable event lines",
        "prompts handed to two translators",
        "prompts translated twice",
    ):
        assert _row(out, check)[-1] == "PASS", out


@pytest.mark.slow
def test_startup_profile_phases_still_match_the_runtime(tmp_path: Path) -> None:
    space_dir, _ = startup.prepare(tmp_path, prompts=20, seed=1)
    phases = startup.phases(space_dir, startup.SPACE_PHASES, tmp_path, repeats=1)
    assert len(phases) == len(startup.PHASE_NAMES) and all(t >= 0 for t in phases)
    assert phases[0] > 0.1  # importing gradio is never free
    imports = startup.import_self_times(space_dir, tmp_path)
    assert imports["gradio"] > 0 and imports["mpep_space"] > 0


@pytest.mark.slow
def test_collect_smoke_lists_both_timings_and_reads_every_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench import collect

    code = collect.main(["--languages", "2", "--prompts", "20", "--runs", "1", "--no-warmup"])
    out = capsys.readouterr().out
    _assert_exit_code_follows(code, out)
    seconds = r"\d+\.\d{3} s"
    baseline = _row(out, "pyarrow.json.read_json of the same")
    assert re.fullmatch(seconds, baseline[1]) and baseline[6] == "1.00x"
    row = _row(out, "collect-mpep --all --from-config (2 languages)")
    assert re.fullmatch(seconds, row[1]) and re.fullmatch(r"\d+ MiB", row[5])
    assert re.fullmatch(r"\d+\.\d\dx", row[6]) and row[7] == "<= 2.00x"
    _assert_verdict_follows(row, 6, 7, 8)
    for check in (
        "languages collected",
        "events read by collect-mpep",
        "events read by pyarrow.json",
        "rows written (done prompts)",
    ):
        assert _row(out, check)[-1] == "PASS", out
    assert _row(out, "events read by collect-mpep")[1] == "360"  # 2 x 20 x (3 + 6)
    assert "Peak memory" in out
