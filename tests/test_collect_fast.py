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
from mpep_generator import collect
from mpep_generator.card import CARD_TEMPLATE, card_inputs
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
            DatasetCardData(**data), template_path=str(CARD_TEMPLATE), **template_kwargs
        )
        assert text == str(reference).rstrip("\n") + "\n"
    assert len(calls) == 2 and "Zoë" in calls[0][2]


@pytest.mark.slow
def test_a_local_collect_imports_no_plotting_dataframe_or_hub_library(tmp_path: Path) -> None:
    log = Log()
    log.review("rita", log.translate("alice", "1", "Definieer entropie."))
    source = data_dir(tmp_path / "d", log)
    script = (
        "import sys\n"
        "from mpep_generator.collect import collect_many\n"
        f"run = collect_many({{'nl': [{str(source)!r}]}}, __import__('pathlib').Path("
        f"{str(tmp_path / 'out')!r}))\n"
        "assert run.ok and run.results[0].rows == 1, run.failures\n"
        "heavy = ('pandas', 'matplotlib', 'huggingface_hub', 'datasets', 'tqdm')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr
