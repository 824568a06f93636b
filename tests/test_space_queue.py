"""The queue of open prompts: handing out a prompt walks the ledger's index of prompts
with an open slot instead of every prompt. Hypothesis drives random event sequences,
leases, clock jumps and next_prompt calls, and checks after every step that the index
holds exactly the prompts a full scan finds open, and that next_prompt hands out what
the old full scan (every bundled prompt, in bundle order) would have."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import render
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpep_space import handlers as h
from mpep_space.config import SpaceConfig, load_config
from mpep_space.events import Event
from mpep_space.store import Store

PROMPTS = 5
USERS = ("ann", "bob", "cas")
LEASE = 100.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def base_config(tmp_path_factory: pytest.TempPathFactory) -> SpaceConfig:
    config = load_config(render(tmp_path_factory.mktemp("queue"), "nl", name="space"), env={})
    return replace(config, prompts=config.prompts[:PROMPTS])


def old_eligible(space: h.Space, pid: str, user: str) -> bool:
    """The rule as the full scan applied it, written out from the rules themselves."""
    ledger, store = space.store.ledger, space.store
    prompt = ledger.prompts[pid]
    if prompt.accepted is not None or prompt.flagged:
        return False
    slots = ledger.rules.translations_per_prompt - len(prompt.live_translations)
    if slots <= 0 or user in prompt.skipped_by:
        return False
    if any(t.user == user for t in prompt.live_translations):
        return False
    others = {u for u, until in store.prompt_leases.get(pid, {}).items() if until > store.clock()}
    others.discard(user)
    return len(others) < slots


def old_choice(space: h.Space, user: str) -> str | None:
    """next_prompt before the queue: a held prompt, else the first eligible of all prompts."""
    held = [p for p in space.store.leased_prompts(user) if old_eligible(space, p, user)]
    scan = [p.id for p in space.config.prompts if old_eligible(space, p.id, user)]
    candidates = held or scan
    return candidates[0] if candidates else None


def open_by_scan(space: h.Space) -> list[str]:
    ledger = space.store.ledger
    return [p.id for p in space.config.prompts if ledger.open_slots(ledger.prompts[p.id]) > 0]


pids = st.integers(0, PROMPTS - 1)
users = st.sampled_from(USERS)
steps = st.one_of(
    st.tuples(st.just("translation"), pids, users),
    st.tuples(st.just("import"), pids, users),
    st.tuples(st.just("review"), st.integers(0, 30), users, st.booleans(), st.booleans()),
    st.tuples(st.just("flag"), pids, users),
    st.tuples(st.just("flag_review"), pids, users, st.booleans()),
    st.tuples(st.just("skip"), pids, users),
    st.tuples(st.just("lease"), pids, users),
    st.tuples(st.just("release"), pids, users),
    st.tuples(st.just("wait"), st.sampled_from((1.0, LEASE / 2, LEASE * 2))),
    st.tuples(st.just("next"), users),
)


def event_for(step: tuple[Any, ...], space: h.Space, serial: int) -> Event | None:
    kind = step[0]
    ledger = space.store.ledger
    ids = [p.id for p in space.config.prompts]
    common: dict[str, Any] = {"id": f"{serial:032x}", "ts": f"2026-11-01T00:00:00.{serial:06d}Z"}
    if kind == "review":
        _, which, user, approve, edit = step
        translations = list(ledger.translations.values())
        if not translations:
            return None
        target = translations[which % len(translations)]
        return Event(
            **common,
            kind="review",
            user=user,
            prompt_id=target.prompt_id,
            translation_id=target.id if which < 25 else "f" * 32,  # some name nothing yet
            verdict="approve" if approve else "reject",
            edited_text=f"edit {serial}" if edit and approve else None,
        )
    pid, user = ids[step[1]], step[2]
    if kind in ("translation", "import"):
        return Event(**common, kind=kind, user=user, prompt_id=pid, text=f"t{serial}")
    if kind == "flag_review":
        verdict = "restore" if step[3] else "confirm"
        return Event(**common, kind="flag_review", user=user, prompt_id=pid, verdict=verdict)
    return Event(**common, kind=kind, user=user, prompt_id=pid)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    per_prompt=st.integers(0, 3),
    min_approvals=st.integers(1, 2),
    flags_to_hide=st.integers(1, 2),
    self_review=st.booleans(),
    script=st.lists(steps, max_size=60),
)
def test_the_queue_never_diverges_from_a_full_scan(
    base_config: SpaceConfig,
    per_prompt: int,
    min_approvals: int,
    flags_to_hide: int,
    self_review: bool,
    script: list[tuple[Any, ...]],
) -> None:
    config = replace(
        base_config,
        translations_per_prompt=per_prompt,
        min_approvals=min_approvals,
        flags_to_hide=flags_to_hide,
        allow_self_review=self_review,
    )
    clock = Clock()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp), config.prompt_ids, config.rules, lease_seconds=LEASE, clock=clock)
        space = h.Space(config, store)
        ids = config.prompt_ids
        for serial, step in enumerate(script):
            kind = step[0]
            if kind == "lease":
                store.lease_prompt(ids[step[1]], step[2])
            elif kind == "release":
                store.release_prompt(ids[step[1]], step[2])
            elif kind == "wait":
                clock.now += step[1]
            elif kind == "next":
                expected = old_choice(space, step[1])
                got = h.next_prompt(space, step[1])
                assert (got["prompt_id"] if got else None) == expected
            else:
                event = event_for(step, space, serial)
                if event is not None:
                    store.ledger.apply(event)
            assert [p.id for p in store.ledger.open_prompts()] == open_by_scan(space)
            for user in USERS:
                first = h._first_open_prompt(space, user)
                scan = [p for p in ids if old_eligible(space, p, user)]
                assert (first.id if first else None) == (scan[0] if scan else None)


def test_a_reloaded_ledger_has_the_same_queue(base_config: SpaceConfig, tmp_path: Path) -> None:
    """Folding the log again at start-up rebuilds the queue: done prompts stay out."""
    store = Store(tmp_path, base_config.prompt_ids, base_config.rules, clock=Clock())
    space = h.Space(base_config, store)
    first = h.next_prompt(space, "ann")
    assert first is not None
    with store.transaction():
        store.append(store.new_event("import", "ann", first["prompt_id"], text="klaar"))
    before = [p.id for p in store.ledger.open_prompts()]
    assert first["prompt_id"] not in before
    store.reload()
    assert [p.id for p in store.ledger.open_prompts()] == before == open_by_scan(space)
