"""What made collect-mpep fast must not change what it writes.

The card is rendered without ``huggingface_hub`` (libyaml, a template compiled once):
it must be the text ``DatasetCard.from_template`` gives. A collect imports no plotting
or dataframe library and no Hub client when its sources are local folders.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpep_generator import collect
from mpep_generator.card import card_inputs, render_card
from mpep_generator.collect import collect_many
from test_collect import PROMPTS, SUGGESTION, Log, data_dir


def test_the_card_is_the_text_huggingface_hub_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import DatasetCard, DatasetCardData

    calls: list[tuple[tuple[Any, ...], dict[str, Any], str]] = []
    real = collect.dataset_card

    def spy(*args: Any, **kwargs: Any) -> str:
        text = real(*args, **kwargs)
        calls.append((args, kwargs, text))
        return text

    monkeypatch.setattr(collect, "dataset_card", spy)
    log = Log()
    findings = ({"code": "<b>x</b>|y", "severity": "warning", "message": "m"},)
    for pid, user in (("10", "Zoë `a|b`"), ("1", "用户"), ("2", "**bold**\u202e")):
        log.review("rita", log.translate(user, pid, f"Vertaling {pid}: ü ß", qa=findings))
    prompts = [dict(p, suggestion=SUGGESTION) if p["id"] == "1" else p for p in PROMPTS]
    source = str(data_dir(tmp_path / "d", log, prompts=prompts))
    for include_pending, org in ((False, None), (True, "DIBT")):
        collect_many({"nl": [source]}, tmp_path / f"out-{org}", include_pending=include_pending)
        args, kwargs, text = calls[-1]
        data, template_kwargs = card_inputs(
            *args, include_pending=include_pending, org=kwargs.get("org")
        )
        reference = DatasetCard.from_template(
            DatasetCardData(**data), template_path=str(JINJA_CARD), **template_kwargs
        )
        assert text == str(reference).rstrip("\n") + "\n"
    assert len(calls) == 2 and "Zoë" in calls[0][2]


JINJA_CARD = Path(__file__).parent / "data" / "dataset_card.jinja.md"


@pytest.mark.parametrize("pending", [False, True])
@pytest.mark.parametrize("pushed", [False, True])
@pytest.mark.parametrize("people", [0, 1, 3])
def test_every_branch_of_the_card_is_the_jinja_template_s_text(
    pending: bool, pushed: bool, people: int
) -> None:
    """The card's text (str.format) against the same card as a jinja template, rendered
    by jinja2 as ``DatasetCard.from_template`` renders it, with each block empty, with one
    entry and with several; braces, markdown and non-ASCII text pass through unchanged."""
    import jinja2
    from mpep_space.rules import Progress

    kwargs = {
        "pretty_name": "MPEP Dutch {x}",
        "language": "Dutch",
        "native_name": "Nederlands",
        "include_pending": pending,
        "source_dataset": "DIBT/prompts" if people % 2 else "the MPEP prompt set",
        "source_link": "https://huggingface.co/datasets/DIBT/prompts" if people % 2 else "",
        "approvals": "2 reviewers",
        "self_review": "never by the translator themselves",
        "version": "0.1.0",
        "p": Progress(500, 300, 20, 250, 3, 27, ()),
        "percent": "50.0%",
        "contributors": [
            {"user": f"`user{i} {{}}`", "translations": i, "reviews": 2 * i} for i in range(people)
        ],
        "quality": [(f"`code{i}`", f"Text {i} &lt;b&gt;", i) for i in range(people)],
        "unchanged": people,
        "imported": [(f"`DIBT/MPEP_{i}`", i) for i in range(1, people + 1)],
        "repo_id": "DIBT/MPEP_DUTCH" if pushed else "ORG/MPEP_DUTCH",
        "pushed": pushed,
        "alpaca_file": "alpaca_eval.json",
        "dataset": "MPEP_DUTCH",
    }
    header = "language:\n- en\n- nl\npretty_name: MPEP Dutch {x} ü"
    template = jinja2.Template(JINJA_CARD.read_text(encoding="utf-8"))
    expected = template.render(card_data=header, **kwargs).rstrip("\n") + "\n"
    assert render_card(header, kwargs) == expected


@pytest.mark.slow
def test_a_local_collect_imports_no_plotting_dataframe_hub_or_qa_library(tmp_path: Path) -> None:
    log = Log()
    finding = {"code": "number_missing", "severity": "warning", "message": "m"}
    log.review("rita", log.translate("alice", "1", "Definieer entropie.", qa=(finding,)))
    source = data_dir(tmp_path / "d", log)
    script = (
        "import sys\n"
        "from mpep_generator.collect import collect_many\n"
        f"run = collect_many({{'nl': [{str(source)!r}]}}, __import__('pathlib').Path("
        f"{str(tmp_path / 'out')!r}))\n"
        "assert run.ok and run.results[0].rows == 1, run.failures\n"
        "heavy = ('pandas', 'matplotlib', 'huggingface_hub', 'datasets', 'tqdm', 'mpep_space.qa',"
        " 'pyarrow.compute', 'jinja2')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "from mpep_generator.report import qa_codes\n"
        "codes = dict(qa_codes())\n"
        "from mpep_space.qa import CODES\n"
        "print(list(codes.items()) == list(CODES.items()) and len(codes) > 5)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "[]\nTrue\n"), done.stderr
    card = (tmp_path / "out" / "MPEP_DUTCH" / "README.md").read_text()
    assert "| `number_missing` | A number of the source is missing" in card


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.slow
def test_languages_collected_by_several_processes_give_the_same_files(tmp_path: Path) -> None:
    """collect-mpep --all forks one worker per core (this pytest process has loaded pyarrow,
    so collect_many here runs one language after the other): same files, same messages."""
    sources = {}
    for i, lang in enumerate(("nl", "de", "fr", "yue")):
        log = Log(prefix=lang)
        t = log.translate("alice", "1", f"Vertaling {lang}")
        log.review("rita", t)
        if i % 2:
            log.review("bob", log.translate("carol", "10", "Nog een"), "reject", "Nee.")
        sources[lang] = [str(data_dir(tmp_path / f"{lang}-data", log, lang=lang))]
    sources["es"] = [str(tmp_path / "missing")]
    config = tmp_path / "sources.yaml"
    config.write_text("".join(f"{code}: {paths}\n" for code, paths in sources.items()))
    serial = collect_many(sources, tmp_path / "serial")
    assert collect.workers(list(sources), hub=None, push_org=None) == 1  # pyarrow is loaded
    script = "from mpep_generator.cli import collect_mpep; collect_mpep()"
    args = ["--all", "--from-config", str(config), "--out", str(tmp_path / "forked")]
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True)
    assert done.returncode == 1  # es could not be collected
    assert "es" in serial.failures and len(serial.results) == 4, done.stderr
    assert tree(tmp_path / "forked") == tree(tmp_path / "serial"), done.stderr
    probe = (
        "import os; from mpep_generator import cli; from mpep_generator.collect import workers; "
        "print(workers(['nl', 'de', 'fr', 'yue'], hub=None, push_org=None), "
        "min(4, len(os.sched_getaffinity(0))))"
    )
    counts = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    forked, cores = counts.stdout.split()
    assert forked == cores  # the CLI's process forks one worker per core


json_values = st.one_of(
    st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()
)


@settings(max_examples=300, deadline=None)
@given(records=st.lists(st.dictionaries(st.text(max_size=5), json_values, max_size=3), max_size=4))
def test_records_are_written_as_json_dumps_writes_them(records: list[dict[str, Any]]) -> None:
    import json

    assert collect._json(records) == json.dumps(records, ensure_ascii=False, indent=2) + "\n"


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.text('ab%s"\\ü{', max_size=4), unique=True, max_size=3),
    values=st.lists(st.lists(json_values, min_size=3, max_size=3), max_size=5),
)
def test_records_of_one_shape_are_written_as_json_dumps_writes_them(
    keys: list[str], values: list[list[Any]]
) -> None:
    """alpaca_eval.json's records all have the same keys: written through one template
    (keys with % and quotes included), they give json.dumps's text."""
    import json

    records = [dict(zip(keys, row, strict=False)) for row in values]
    assert collect._json(records) == json.dumps(records, ensure_ascii=False, indent=2) + "\n"


EXIT_SCRIPT = """
import atexit, sys
from mpep_generator.cli import exit_now

atexit.register(lambda: print("exit handler ran", file=sys.stderr))
sys.stdout.write("x" * 70000)  # more than a pipe's buffer, and no newline at the end
sys.stdout.write("end")
exit_now(3)
print("after exit_now")
"""


@pytest.mark.slow
def test_a_command_s_fast_exit_keeps_its_code_output_and_exit_handlers() -> None:
    """The console scripts skip the interpreter's teardown (exit_now): what they print,
    their exit code and the exit handlers are kept; nothing runs after it."""
    done = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert done.stdout == "x" * 70000 + "end"
    assert done.stderr == "exit handler ran\n"


card_values = st.one_of(
    st.text(max_size=30), st.integers(0, 10**12), st.sampled_from(["features:", "- name: x", ""])
)


@settings(max_examples=200, deadline=None)
@given(
    top=st.dictionaries(st.text(min_size=1, max_size=12), card_values, max_size=4),
    splits=st.lists(st.dictionaries(st.sampled_from(["name", "num_bytes"]), card_values)),
    size=st.integers(0, 10**12),
)
def test_the_card_yaml_is_one_whole_dump(
    top: dict[str, Any], splits: list[dict[str, Any]], size: int
) -> None:
    """The features are dumped once and put in place of a mark: the text is what one
    yaml.dump of the whole card data gives, whatever the other values are."""
    from mpep_generator.card import _dump, _yaml
    from mpep_generator.schema import card_features

    data = {
        **top,
        "dataset_info": {"features": card_features(), "splits": splits, "download_size": size},
        "configs": [{"config_name": "default"}],
    }
    assert _yaml(data) == _dump(data).strip()
