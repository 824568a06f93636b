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


STUB_MATPLOTLIB = """
calls = []
_backend = "tkagg"
def get_backend():
    return _backend
def use(name):
    global _backend
    calls.append(name)
    _backend = name
"""


def run_warm_up(tmp_path: Path, setup: str) -> subprocess.CompletedProcess[str]:
    script = (
        f"import sys\n{setup}\n"
        "from mpep_space import server\n"
        "print(sys.modules.get('matplotlib') is not None)\n"  # Gradio leaves it to its first call
        "server.load_matplotlib()\n"
        "mpl = sys.modules.get('matplotlib')\n"
        "print(getattr(mpl, 'calls', mpl))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "lib"), *sys.path])}
    return subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_the_warm_up_does_what_gradios_first_call_would(tmp_path: Path) -> None:
    """Gradio's first call imports matplotlib (when it is installed: it is not a dependency
    of Gradio nor of the Space) and switches it to agg and back; the warm-up does just that,
    here against a stand-in that records the switches."""
    (tmp_path / "lib" / "matplotlib").mkdir(parents=True)
    (tmp_path / "lib" / "matplotlib" / "__init__.py").write_text(STUB_MATPLOTLIB)
    done = run_warm_up(tmp_path, "")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False", "['agg', 'tkagg']"]


@pytest.mark.slow
def test_without_matplotlib_the_warm_up_is_a_no_op(tmp_path: Path) -> None:
    done = run_warm_up(tmp_path, "sys.modules['matplotlib'] = None  # not installed")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["False", "None"]
