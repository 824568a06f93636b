"""A big Space serves its page before its log is folded: calls wait for the fold, restored
files are folded with the rest, and a log that cannot be read fails calls instead of
hanging them."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeHfApi, render
from mpep_space import handlers as h
from mpep_space.config import SpaceConfig, load_config
from mpep_space.store import Store
from mpep_space.sync import SyncSettings, restore


@pytest.fixture
def config(tmp_path: Path) -> SpaceConfig:
    return load_config(render(tmp_path, "nl", name="space"), env={})


def write_log(config: SpaceConfig, data_dir: Path) -> list[str]:
    """Two prompts done by imports, one translated: the ids of the done ones."""
    store = Store(data_dir, config.prompt_ids, config.rules)
    done = config.prompt_ids[:2]
    with store.transaction():
        for pid in done:
            store.append(store.new_event("import", "ann", pid, text="klaar"))
        store.append(store.new_event("translation", "bob", config.prompt_ids[2], text="vert"))
    store.close()
    return done


def call_in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    return thread, out


def test_calls_wait_for_the_fold_and_then_see_every_event(
    config: SpaceConfig, tmp_path: Path
) -> None:
    done = write_log(config, tmp_path / "data")
    store = Store(tmp_path / "data", config.prompt_ids, config.rules, load=False)
    space = h.Space(config, store)
    waiting, progress = call_in_thread(lambda: h.progress(space))
    taking, prompt = call_in_thread(lambda: h.next_prompt(space, "cas"))
    waiting.join(timeout=0.5)
    assert waiting.is_alive() and not progress  # nothing answered from an empty ledger
    store.load_in_background().join(timeout=30)
    waiting.join(timeout=30)
    taking.join(timeout=30)
    assert progress[0]["done"] == 2 and progress[0]["translated"] == 3
    assert prompt[0]["prompt_id"] not in done
    assert prompt[0]["prompt_id"] == config.prompt_ids[3]  # the third has its translation


def test_restored_files_are_folded_by_the_later_fold(config: SpaceConfig, tmp_path: Path) -> None:
    hub = FakeHfApi(tmp_path / "hub")
    done = write_log(config, hub.repo_dir("org/sync"))  # the repo holds events/*.jsonl
    store = Store(tmp_path / "data", config.prompt_ids, config.rules, load=False)
    assert restore(store, SyncSettings("org/sync", None, 5), hub) == 1
    assert not store.loaded.is_set()  # restore copied; it did not fold on its own
    store.load_in_background().join(timeout=30)
    assert store.event_count == 3
    assert {p.id for p in store.ledger.open_prompts()}.isdisjoint(done)


def test_a_log_that_cannot_be_read_fails_calls_instead_of_hanging(
    config: SpaceConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "data", config.prompt_ids, config.rules, load=False)

    def unreadable(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("mpep_space.store.read_logs", unreadable)
    store.load_in_background().join(timeout=30)
    with pytest.raises(RuntimeError, match="event log could not be read.*Permission denied"):
        h.next_prompt(h.Space(config, store), "ann")


def test_the_startup_bench_writes_a_log_of_exactly_n_readable_events(tmp_path: Path) -> None:
    from conftest import REPO

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from mpep_space.events import event_files, read_logs

    from bench import startup

    space_dir, _ = startup.prepare(tmp_path, prompts=20, seed=1, events=250)
    data = Path(startup.seed_data(tmp_path, "data"))
    logs = read_logs(event_files(data / "events"))
    assert (len(logs.events), logs.problems, len(event_files(data / "events"))) == (250, [], 3)
    config = load_config(space_dir, env={})
    store = Store(data, config.prompt_ids, config.rules)
    assert store.event_count == 250 and not store.ledger.ignored
