"""What a Space loads once its page serves, so that no call pays for it on Gradio's event
loop: matplotlib (Gradio switches its backend around every call; the first switch
imports it) while calls wait for the fold, the language model after the fold."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from mpep_space import server


def test_matplotlib_loads_before_the_fold_ends_and_the_model_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folded, warm = threading.Event(), threading.Event()
    seen: list[tuple[str, bool, bool]] = []

    def note(what: str) -> None:
        seen.append((what, folded.is_set(), warm.is_set()))

    monkeypatch.setattr(server, "load_matplotlib", lambda: note("mpl"))
    monkeypatch.setattr(server.qa, "warm_up", lambda: note("model"))
    fold = threading.Thread(target=folded.wait, args=(30,), daemon=True)
    fold.start()
    warming = threading.Thread(target=server._warm_up, args=(fold, warm), daemon=True)
    warming.start()
    assert warm.wait(timeout=30)  # the door opens once matplotlib is in, fold or not
    warming.join(timeout=0.3)
    assert seen == [("mpl", False, False)]  # the model waits for the fold
    folded.set()
    warming.join(timeout=30)
    assert seen == [("mpl", False, False), ("model", True, True)]


def test_a_failed_matplotlib_load_still_opens_the_door(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise OSError(28, "No space left on device")

    models: list[bool] = []
    monkeypatch.setattr(server, "load_matplotlib", broken)
    monkeypatch.setattr(server.qa, "warm_up", lambda: models.append(True))
    fold, warm = threading.Thread(target=lambda: None), threading.Event()
    fold.start()
    server._warm_up(fold, warm)
    assert warm.is_set() and models == [True]
    assert "could not load matplotlib ahead of the first call" in caplog.text


@pytest.mark.slow
def test_the_warm_up_does_what_gradios_first_call_would(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from mpep_space import server\n"
        "print('matplotlib' in sys.modules)\n"  # Gradio itself leaves it to the first call
        "server.load_matplotlib()\n"
        "import matplotlib\n"
        "print('matplotlib.pyplot' in sys.modules, matplotlib.get_backend().lower())\n"
    )
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "HOME": str(tmp_path)}
    env.pop("MPLBACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False", "True agg"]
    assert list((tmp_path / "mpl").glob("fontlist-*.json"))  # the font cache is built too
