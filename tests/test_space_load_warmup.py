"""What a Space loads ahead of Gradio's first call, so that no call pays for it on the
event loop: matplotlib (Gradio switches its backend around every call; the first switch
imports it), in a thread started by the first API call while calls wait at the door."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from mpep_space.limits import Preload


def test_a_preload_runs_once_in_a_thread_when_first_started() -> None:
    runs: list[str] = []
    go = threading.Event()

    def load() -> None:
        go.wait(30)
        runs.append(threading.current_thread().name)

    preload = Preload(load, "thing")
    assert not preload.is_set() and runs == []  # nothing before the first call
    for _ in range(5):
        preload.start()
    assert not preload.is_set()
    go.set()
    assert preload.done.wait(30)
    assert runs == ["preload-thing"]


def test_a_failed_preload_still_opens_the_door(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise OSError(28, "No space left on device")

    preload = Preload(broken, "matplotlib")
    preload.start()
    assert preload.done.wait(30)
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
