"""The translation Space without a UI: store, leases, assignment and review rules."""

from __future__ import annotations

import errno
import json
import os
import re
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import render
from mpep_space import handlers as h
from mpep_space.config import load_config
from mpep_space.events import EVENT_ID, EVENT_ORDER, Event, parse_event, parse_ts, read_logs
from mpep_space.store import Store

# QA refuses a translation with under a tenth of the expected letters ("near-empty"), and
# two sample prompts have about 1,700 letters: test translations carry this tail.
PAD = (
    "Dit is de rest van de vertaling, zin voor zin en zonder iets weg te laten, zodat de "
    "lengte past bij de Engelse tekst en de controle van de Space tevreden is. "
) * 2


def nl(text: str) -> str:
    """A test translation long enough for QA's near-empty check."""
    return f"{text} {PAD}"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def space_dir(tmp_path: Path) -> Path:
    return render(tmp_path, "nl", name="space")


def make_space(
    space_dir: Path, data_dir: Path, clock: Clock | None = None, **overrides: object
) -> h.Space:
    config = replace(load_config(space_dir, env={}), **overrides)  # type: ignore[arg-type]
    store = Store(
        data_dir,
        config.prompt_ids,
        config.rules,
        lease_seconds=config.lease_minutes * 60,
        clock=clock or Clock(),
    )
    return h.Space(config, store)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def space(space_dir: Path, tmp_path: Path, clock: Clock) -> h.Space:
    return make_space(space_dir, tmp_path / "data", clock, reviewers=("rita",))


def translate(space: h.Space, user: str, text: str | None = None) -> dict:
    prompt = h.next_prompt(space, user)
    assert prompt is not None
    return {
        **prompt,
        **h.submit_translation(
            space,
            user,
            prompt["prompt_id"],
            nl(text or f"Vertaling door {user} van de prompt."),
            confirm=True,
        ),
    }


def stored_lines(space: h.Space) -> list[dict]:
    return [
        json.loads(line)
        for f in sorted((space.store.events_dir).glob("*.jsonl"))
        for line in f.read_text().splitlines()
    ]


# -- leases and assignment -----------------------------------------------------------------


def test_the_fold_order_is_time_then_id_read_by_position() -> None:
    """EVENT_ORDER and EVENT_ID read an event's fields by position (in C): they must stay
    the fields they name if Event's fields are ever reordered."""
    event = Event(id="i", ts="2026-11-27T06:30:00.000000Z", kind="skip", user="u", prompt_id="1")
    assert EVENT_ORDER(event) == (event.ts, event.id) and EVENT_ID(event) == event.id


def test_a_leased_prompt_is_not_handed_to_someone_else(space: h.Space) -> None:
    first = h.next_prompt(space, "alice")
    second = h.next_prompt(space, "bob")
    assert first and second and first["prompt_id"] != second["prompt_id"]
    assert h.next_prompt(space, "alice")["prompt_id"] == first["prompt_id"]  # type: ignore[index]


def test_an_expired_lease_returns_the_prompt_to_the_pool(space: h.Space, clock: Clock) -> None:
    first = h.next_prompt(space, "alice")
    clock.now += 21 * 60
    assert h.next_prompt(space, "bob")["prompt_id"] == first["prompt_id"]  # type: ignore[index]


def test_activity_renews_the_lease(space: h.Space, clock: Clock) -> None:
    first = h.next_prompt(space, "alice")
    clock.now += 15 * 60
    h.check_translation(space, "alice", first["prompt_id"], "concept")  # type: ignore[index]
    clock.now += 15 * 60
    assert h.next_prompt(space, "bob")["prompt_id"] != first["prompt_id"]  # type: ignore[index]


def test_a_submission_after_the_lease_expired_is_kept_while_the_slot_is_free(
    space: h.Space, clock: Clock
) -> None:
    first = h.next_prompt(space, "alice")
    assert first is not None
    clock.now += 60 * 60  # alice typed for an hour: her lease ran out, nobody took it
    result = h.submit_translation(
        space, "alice", first["prompt_id"], nl("Laat maar zo."), confirm=True
    )
    assert result["translation_id"] in space.store.ledger.translations


def test_a_submission_needs_the_lease_or_a_free_slot(space: h.Space, clock: Clock) -> None:
    first = h.next_prompt(space, "alice")
    assert first is not None
    clock.now += 60 * 60
    assert h.next_prompt(space, "bob")["prompt_id"] == first["prompt_id"]  # type: ignore[index]
    with pytest.raises(h.Refusal, match="being translated by someone else"):
        h.submit_translation(space, "alice", first["prompt_id"], nl("Laat maar zo."), confirm=True)
    h.submit_translation(space, "bob", first["prompt_id"], nl("Bobs vertaling."), confirm=True)
    with pytest.raises(h.Refusal, match="being translated by someone else"):
        h.submit_translation(
            space, "carol", first["prompt_id"], nl("Te laat."), confirm=True
        )  # no slot left
    assert [e["user"] for e in stored_lines(space)] == ["bob"]


def test_nobody_gets_a_prompt_twice(space: h.Space) -> None:
    done = translate(space, "alice")
    skipped = h.next_prompt(space, "alice")
    h.skip(space, "alice", skipped["prompt_id"])  # type: ignore[index]
    seen = set()
    while (prompt := h.next_prompt(space, "alice")) is not None:
        assert prompt["prompt_id"] not in (done["prompt_id"], skipped["prompt_id"])  # type: ignore[index]
        seen.add(prompt["prompt_id"])
        h.skip(space, "alice", prompt["prompt_id"])
        assert len(seen) < 100
    assert len(seen) == 46


def test_overlap_collects_independent_translations(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(space_dir, tmp_path / "d", translations_per_prompt=2, reviewers=("rita",))
    a = translate(space, "alice")
    b = h.next_prompt(space, "bob")
    assert b["prompt_id"] == a["prompt_id"]  # type: ignore[index]
    h.submit_translation(space, "bob", b["prompt_id"], nl("Tweede vertaling."), confirm=True)  # type: ignore[index]
    assert h.next_prompt(space, "carol")["prompt_id"] != a["prompt_id"]  # type: ignore[index]


def test_a_rejection_puts_the_prompt_back_with_the_comment(space: h.Space) -> None:
    t = translate(space, "alice")
    h.submit_review(space, "rita", t["translation_id"], "reject", "Te letterlijk vertaald.", "")
    again = h.next_prompt(space, "bob")
    assert again["prompt_id"] == t["prompt_id"]  # type: ignore[index]
    assert again["rejection"] == {"reviewer": "rita", "comment": "Te letterlijk vertaald."}  # type: ignore[index]
    assert space.store.ledger.prompts[t["prompt_id"]].status == "rejected"


# -- reviews -----------------------------------------------------------------------------


def test_review_flow_and_progress(space: h.Space) -> None:
    a = translate(space, "alice")
    b = translate(space, "bob")
    review = h.next_review(space, "rita")
    assert review["translation_id"] == a["translation_id"]  # type: ignore[index]
    assert review["translator"] == "alice" and review["source"]  # type: ignore[index]
    h.submit_review(space, "rita", a["translation_id"], "approve", "", "")
    h.submit_review(space, "rita", b["translation_id"], "approve", "", "Beter: een nieuwe tekst.")
    progress = h.progress(space)
    assert (progress["total"], progress["translated"], progress["done"]) == (48, 2, 2)
    assert progress["awaiting_review"] == 0
    edited = space.store.ledger.translations[b["translation_id"]]
    assert (edited.text, edited.final_text, edited.edited_by) == (
        nl("Vertaling door bob van de prompt."),
        "Beter: een nieuwe tekst.",
        "rita",
    )
    assert progress["contributors"][0] == {"user": "rita", "translations": 0, "reviews": 2}


def test_only_reviewers_review_and_never_their_own_work(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(space_dir, tmp_path / "d", reviewers=("rita", "alice"))
    t = translate(space, "alice")
    with pytest.raises(h.Refusal, match="bob is not a reviewer"):
        h.submit_review(space, "bob", t["translation_id"], "approve", "", "")
    with pytest.raises(h.Refusal, match="cannot review your own translation"):
        h.submit_review(space, "alice", t["translation_id"], "approve", "", "")
    assert h.next_review(space, "alice") is None
    assert len(stored_lines(space)) == 1


def test_self_review_when_the_language_allows_it(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(space_dir, tmp_path / "d", reviewers=("alice",), allow_self_review=True)
    t = translate(space, "alice")
    assert h.next_review(space, "alice")["translation_id"] == t["translation_id"]  # type: ignore[index]
    h.submit_review(space, "alice", t["translation_id"], "approve", "", "")
    assert h.progress(space)["done"] == 1


def test_min_approvals_needs_distinct_reviewers(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(space_dir, tmp_path / "d", reviewers=("rita", "ruth"), min_approvals=2)
    t = translate(space, "alice")
    h.submit_review(space, "rita", t["translation_id"], "approve", "", "")
    assert h.progress(space)["done"] == 0
    with pytest.raises(h.Refusal, match="already reviewed"):
        h.submit_review(space, "rita", t["translation_id"], "approve", "", "")
    assert h.next_review(space, "rita") is None
    h.submit_review(space, "ruth", t["translation_id"], "approve", "", "")
    assert h.progress(space)["done"] == 1


def test_two_reviewers_are_not_handed_the_same_translation(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(space_dir, tmp_path / "d", reviewers=("rita", "ruth"))
    translate(space, "alice")
    translate(space, "bob")
    first = h.next_review(space, "rita")
    second = h.next_review(space, "ruth")
    assert first["translation_id"] != second["translation_id"]  # type: ignore[index]


def test_open_review_when_no_reviewers_are_configured(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(space_dir, tmp_path / "d", reviewers=())
    t = translate(space, "alice")
    assert h.next_review(space, "bob")["translation_id"] == t["translation_id"]  # type: ignore[index]


# -- refusals write nothing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s, p: h.submit_translation(s, None, p, "tekst", confirm=True),
            "Please log in first",
        ),
        (lambda s, p: h.submit_translation(s, "", p, "tekst", confirm=True), "Please log in first"),
        (
            lambda s, p: h.submit_translation(s, "alice", "nope", "tekst", confirm=True),
            "Unknown prompt id 'nope'",
        ),
        (
            lambda s, p: h.submit_translation(s, "alice", p, "   ", confirm=True),
            "The translation is empty",
        ),
        (
            lambda s, p: h.submit_translation(s, "alice", p, "x" * 20_001, confirm=True),
            "too long: 20,001",
        ),
        (
            lambda s, p: h.submit_translation(s, "alice", p, "a\x00b", confirm=True),
            "control character (U+0000)",
        ),
        (
            lambda s, p: h.submit_translation(s, "alice", p, "a\ud800b", confirm=True),
            "lone surrogate",
        ),
        (lambda s, p: h.flag(s, "alice", p, " "), "The reason is empty"),
        (lambda s, p: h.skip(s, None, p), "Please log in first"),
        (lambda s, p: h.next_prompt(s, None), "Please log in first"),
        (lambda s, p: h.next_review(s, "alice"), "alice is not a reviewer"),
        (lambda s, p: h.submit_review(s, "rita", "nope", "approve", "", ""), "Unknown translation"),
        (lambda s, p: h.submit_review(s, "rita", "x", "maybe", "", ""), "must be 'approve' or"),
    ],
)
def test_bad_calls_are_refused_and_write_nothing(
    space: h.Space, call: object, message: str
) -> None:
    prompt_id = space.config.prompts[0].id
    with pytest.raises(h.Refusal, match=re.escape(message)):
        call(space, prompt_id)  # type: ignore[operator]
    assert stored_lines(space) == []


def test_reject_needs_a_comment_and_edits_go_with_approve(space: h.Space) -> None:
    t = translate(space, "alice")
    with pytest.raises(h.Refusal, match="comment is empty"):
        h.submit_review(space, "rita", t["translation_id"], "reject", " ", "")
    with pytest.raises(h.Refusal, match="edited text goes with approve"):
        h.submit_review(space, "rita", t["translation_id"], "reject", "nee", "andere tekst")
    assert len(stored_lines(space)) == 1


def test_a_retried_submission_is_stored_once(space: h.Space) -> None:
    t = translate(space, "alice", "Dezelfde tekst twee keer.")
    again = h.submit_translation(
        space, "alice", t["prompt_id"], nl("Dezelfde tekst twee keer."), confirm=True
    )
    assert again["translation_id"] == t["translation_id"]
    with pytest.raises(h.Refusal, match="already submitted a translation"):
        h.submit_translation(space, "alice", t["prompt_id"], nl("Iets anders."), confirm=True)
    assert len(stored_lines(space)) == 1


# -- storage -------------------------------------------------------------------------------


def test_events_are_versioned_json_lines_and_survive_a_reload(
    space_dir: Path, space: h.Space, tmp_path: Path
) -> None:
    t = translate(space, "alice")
    h.flag(space, "bob", space.config.prompts[5].id, "broken source: half a sentence")
    lines = stored_lines(space)
    assert [line["kind"] for line in lines] == ["translation", "flag"]
    assert all(line["v"] == 1 and len(line["id"]) == 32 for line in lines)
    assert lines[0]["prompt_id"] == t["prompt_id"] and lines[0]["user"] == "alice"
    reopened = make_space(space_dir, tmp_path / "data")
    assert h.progress(reopened) == h.progress(space)
    assert h.progress(reopened)["flagged"] == 1


def test_a_torn_last_line_is_skipped_and_reported(
    space_dir: Path, space: h.Space, tmp_path: Path
) -> None:
    translate(space, "alice")
    log_file = next(space.store.events_dir.glob("*.jsonl"))
    with log_file.open("a") as handle:
        handle.write('{"v": 1, "id": "abc", "kind": "transl')
    reopened = make_space(space_dir, tmp_path / "data")
    assert h.progress(reopened)["translated"] == 1
    assert [p.line for p in reopened.store.problems] == [2]
    assert "torn" in reopened.store.problems[0].reason


def test_twenty_threads_writing_lose_nothing(space: h.Space) -> None:
    users = [f"user{i}" for i in range(20)]
    results: dict[str, list[str]] = {u: [] for u in users}
    errors: list[BaseException] = []

    def work(user: str) -> None:
        try:
            for _ in range(5):
                prompt = h.next_prompt(space, user)
                if prompt is None:
                    return
                out = h.submit_translation(
                    space, user, prompt["prompt_id"], nl(f"Tekst van {user}."), confirm=True
                )
                results[user].append(prompt["prompt_id"])
                assert out["translation_id"]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    acknowledged = [pid for pids in results.values() for pid in pids]
    assert len(acknowledged) == 48  # every prompt once: 20 users x up to 5, 48 prompts
    assert len(set(acknowledged)) == 48  # no prompt handed to two translators
    lines = [
        line for f in space.store.events_dir.glob("*.jsonl") for line in f.read_text().splitlines()
    ]
    assert len(lines) == 48
    assert all(parse_event(line).kind == "translation" for line in lines)
    assert len(read_logs(space.store.events_dir.glob("*.jsonl")).events) == 48


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: (d / "prompts.jsonl").unlink(), "invalid space_config.json or prompts.jsonl"),
        (lambda d: (d / "space_config.json").write_text('{"schema": 1}'), "missing key 'language'"),
        (
            lambda d: (d / "space_config.json").write_text('{"schema": 1, "colour": 1}'),
            "unknown key 'colour'",
        ),
        (
            lambda d: (d / "prompts.jsonl").write_text('{"id": "1", "prompt": "x", "extra": 1}\n'),
            "prompts.jsonl: line 1: unknown key 'extra'",
        ),
    ],
)
def test_a_broken_bundle_is_one_clear_config_error(
    space_dir: Path, change: object, message: str
) -> None:
    from mpep_space.config import ConfigError

    change(space_dir)  # type: ignore[operator]
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(space_dir, env={})


def test_a_reviewer_can_pass_on_a_translation(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(space_dir, tmp_path / "d", reviewers=("rita", "ruth"))
    t = translate(space, "alice")
    assert h.next_review(space, "rita")["translation_id"] == t["translation_id"]  # type: ignore[index]
    assert h.skip_review(space, "rita", t["translation_id"]) == {"ok": True}
    assert h.next_review(space, "rita") is None
    assert h.next_review(space, "ruth")["translation_id"] == t["translation_id"]  # type: ignore[index]
    with pytest.raises(h.Refusal, match="Unknown translation id"):
        h.skip_review(space, "rita", "nope")
    assert len(stored_lines(space)) == 1  # passing is not an event


def test_starting_from_the_suggestion_never_overwrites_a_draft() -> None:
    from mpep_space.ui import start_from_suggestion

    assert start_from_suggestion("Voorstel.", "")[0] == "Voorstel."
    kept, message = start_from_suggestion("Voorstel.", "Mijn eigen begin")
    assert kept == "Mijn eigen begin" and "draft is kept" in message


# -- issue 11: nothing lost, nothing forged --------------------------------------------------


class FailingFile:
    """A log file on a failing disk: the first write takes half the line (a full disk)
    or nothing (a read-only one), then raises ``error``."""

    def __init__(self, path: Path, error: int, fail_writes: int = 1) -> None:
        import io

        self.real = io.FileIO(path, "ab")
        self.fail_writes = fail_writes
        self.error = error

    def write(self, data: bytes) -> int:
        if self.fail_writes:
            self.fail_writes -= 1
            if self.error == errno.ENOSPC:
                self.real.write(bytes(data[: len(data) // 2]))  # the disk took part of it
            raise OSError(self.error, os.strerror(self.error))
        return self.real.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS, errno.EIO])
def test_a_failed_write_leaves_no_phantom_and_says_not_saved(
    space_dir: Path, tmp_path: Path, error: int
) -> None:
    config = load_config(space_dir, env={})
    files: list[FailingFile] = []

    def opener(path: Path) -> FailingFile:
        files.append(FailingFile(path, error))
        return files[-1]

    store = Store(tmp_path / "data", config.prompt_ids, config.rules, opener=opener)  # type: ignore[arg-type]
    space = h.Space(config, store)
    prompt = h.next_prompt(space, "alice")
    assert prompt is not None
    text = nl("Een vertaling die eerst niet past.")
    with pytest.raises(h.Refusal, match=re.escape(h.NOT_SAVED)):
        h.submit_translation(space, "alice", prompt["prompt_id"], text, confirm=True)
    assert store.path.read_bytes() == b""  # the half line was cut back
    assert store.ledger.translations == {}  # memory agrees with the disk
    retry = h.submit_translation(space, "alice", prompt["prompt_id"], text, confirm=True)
    stored = read_logs(store.events_dir.glob("*.jsonl"))
    assert [e.id for e in stored.events] == [retry["translation_id"]]  # once, no phantom
    assert stored.problems == []


def test_edit_and_approve_is_a_new_version_that_others_approve(
    space_dir: Path, tmp_path: Path
) -> None:
    space = make_space(
        space_dir, tmp_path / "d", reviewers=("rev1", "rev2", "rev3"), min_approvals=2
    )
    t = translate(space, "alice", "Alices vertaling van de prompt.")
    assert h.next_review(space, "rev1")["text"] == nl("Alices vertaling van de prompt.")  # type: ignore[index]
    h.submit_review(space, "rev1", t["translation_id"], "approve", "", "Rev1's eigen tekst.")
    shown = h.next_review(space, "rev2")
    assert shown is not None and shown["text"] == "Rev1's eigen tekst."
    assert shown["edited_by"] == "rev1" and shown["version"] == 2
    assert h.next_review(space, "rev1") is None  # the editor cannot approve their own text
    with pytest.raises(h.Refusal, match="own translation"):
        h.submit_review(space, "rev1", t["translation_id"], "approve", "", "")
    assert h.progress(space)["done"] == 0
    h.submit_review(space, "rev2", t["translation_id"], "approve", "", "")
    state = space.store.ledger.translations[t["translation_id"]]
    assert (state.status, state.final_text, state.edited_by) == (
        "approved",
        "Rev1's eigen tekst.",
        "rev1",
    )
    assert state.approvals == ["rev1", "rev2"] and state.text == nl(
        "Alices vertaling van de prompt."
    )


def test_an_approval_of_an_older_version_counts_nothing(space_dir: Path, tmp_path: Path) -> None:
    space = make_space(
        space_dir, tmp_path / "d", reviewers=("rev1", "rev2", "rev3"), min_approvals=3
    )
    t = translate(space, "alice")
    assert h.next_review(space, "rev2") is not None  # rev2 is handed version 1 ...
    space.store.release_review(t["translation_id"])
    h.submit_review(space, "rev1", t["translation_id"], "approve", "", "Versie twee.")
    with pytest.raises(h.Refusal, match="The text changed since you loaded it"):
        h.submit_review(space, "rev2", t["translation_id"], "approve", "", "")  # ... not 2
    assert space.store.ledger.translations[t["translation_id"]].approvals == ["rev1"]


def test_with_one_approval_edit_and_approve_is_final_and_recorded(space: h.Space) -> None:
    t = translate(space, "alice")
    result = h.submit_review(space, "rita", t["translation_id"], "approve", "", "Rita's tekst.")
    assert result["translation_status"] == "approved" and result["prompt_status"] == "done"
    accepted = space.store.ledger.prompts[t["prompt_id"]].accepted
    assert accepted is not None
    assert (accepted.final_text, accepted.edited_by, accepted.user) == (
        "Rita's tekst.",
        "rita",
        "alice",
    )
    assert stored_lines(space)[-1]["edited_text"] == "Rita's tekst."


def test_one_flag_per_person_and_reviewers_restore_or_confirm(space: h.Space) -> None:
    first = h.next_prompt(space, "alice")
    assert first is not None
    pid = first["prompt_id"]
    h.flag(space, "alice", pid, "offensive")
    with pytest.raises(h.Refusal, match="already flagged"):
        h.flag(space, "alice", pid, "offensive again")
    assert all(p["prompt_id"] != pid for p in _all_prompts(space, "bob"))
    with pytest.raises(h.Refusal, match="not a reviewer"):
        h.review_flag(space, "bob", pid, "restore")
    listed = h.flagged_prompts(space, "rita")
    assert [(p["prompt_id"], [f["user"] for f in p["flags"]]) for p in listed] == [(pid, ["alice"])]
    h.review_flag(space, "rita", pid, "restore", "Niets mis mee.")
    assert h.flagged_prompts(space, "rita") == []
    assert h.next_prompt(space, "bob")["prompt_id"] == pid  # type: ignore[index]
    with pytest.raises(h.Refusal, match="already flagged"):
        h.flag(space, "alice", pid, "once more")  # one flag per person, also after a restore
    h.flag(space, "carol", pid, "broken source")
    h.review_flag(space, "rita", pid, "confirm")
    assert h.progress(space)["flagged"] == 1 and h.flagged_prompts(space, "rita") == []
    kinds = [line["kind"] for line in stored_lines(space)]
    assert kinds == ["flag", "flag_review", "flag", "flag_review"]


def _all_prompts(space: h.Space, user: str) -> list[dict]:
    """Every prompt ``user`` is offered, skipping each (then forgetting the skips)."""
    seen: list[dict] = []
    while (prompt := h.next_prompt(space, user)) is not None and len(seen) < 60:
        seen.append(prompt)
        space.store.release_prompt(prompt["prompt_id"], user)
        space.store.ledger.prompts[prompt["prompt_id"]].skipped_by.add(user)
    for prompt in seen:
        space.store.ledger.prompts[prompt["prompt_id"]].skipped_by.discard(user)
    return seen


def test_flags_to_hide_sets_how_many_flags_take_a_prompt_out(
    space_dir: Path, tmp_path: Path
) -> None:
    space = make_space(space_dir, tmp_path / "d", reviewers=("rita",), flags_to_hide=2)
    pid = space.config.prompts[0].id
    h.flag(space, "alice", pid, "untranslatable")
    assert h.progress(space)["flagged"] == 0
    h.flag(space, "bob", pid, "untranslatable")
    assert h.progress(space)["flagged"] == 1


@pytest.mark.parametrize(
    ("ts", "reason"),
    [
        ("9999-12-31T23:59:59.999999Z", "more than a day in the future"),
        ("2100-01-01T00:00:00.000000Z", "more than a day in the future"),
        ("2026-13-45T10:00:00.000000Z", "not a real date and time"),
        ("2026-02-30T10:00:00.000000Z", "not a real date and time"),
        ("2026-11-30T25:00:00.000000Z", "not a real date and time"),
        ("yesterday", "is not a UTC time"),
    ],
)
def test_a_bad_timestamp_is_skipped_reported_and_never_stamps_new_events(
    space_dir: Path, tmp_path: Path, ts: str, reason: str
) -> None:
    data = tmp_path / "data"
    (data / "events").mkdir(parents=True)
    bad = {"v": 1, "id": "f" * 32, "ts": ts, "kind": "skip", "user": "x", "prompt_id": "571"}
    (data / "events" / "old.jsonl").write_text(json.dumps(bad) + "\n")
    space = make_space(space_dir, data, reviewers=("rita",))
    space.store.clock = time.time
    assert len(space.store.problems) == 1 and reason in space.store.problems[0].reason
    t = translate(space, "alice")  # writing still works
    stamped = next(e for e in read_logs([space.store.path]).events if e.id == t["translation_id"])
    assert abs(parse_ts(stamped.ts).timestamp() - time.time()) < 60  # now, not from the bad line


def test_the_translation_cap_makes_room_for_the_longest_prompt(
    space_dir: Path, tmp_path: Path
) -> None:
    config = load_config(space_dir, env={})
    long_prompt = replace(config.prompts[0], prompt="Lorem ipsum dolor sit amet. " * 400)
    space = make_space(space_dir, tmp_path / "d", prompts=(long_prompt, *config.prompts[1:]))
    assert space.config.max_translation == 3 * len(long_prompt.prompt) > 20_000
    text = "Een lange vertaling van de tekst. " * 700  # 23,800 characters
    h.next_prompt(space, "alice")
    done = h.submit_translation(space, "alice", long_prompt.id, text, confirm=True)
    assert done["translation_id"] in space.store.ledger.translations
    with pytest.raises(h.Refusal, match="too long"):
        h.check_translation(
            space, "alice", long_prompt.id, "x" * (space.config.max_translation + 1)
        )


def test_warnings_need_confirmation_and_qa_runs_once_per_submit(
    space: h.Space, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_check = h.qa.check

    def counting_check(*args: object, **kwargs: object) -> object:
        calls.append("check")
        return real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(h.qa, "check", counting_check)
    prompt = h.next_prompt(space, "alice")
    assert prompt is not None
    short = nl("Een croissant kost iets.")  # numbers of the source are missing: a warning
    with pytest.raises(h.NeedsConfirmation) as info:
        h.submit_translation(space, "alice", prompt["prompt_id"], short)
    assert any(f["severity"] == "warning" for f in info.value.findings)
    assert calls == ["check"] and stored_lines(space) == []
    saved = h.submit_translation(space, "alice", prompt["prompt_id"], short, confirm=True)
    assert calls == ["check", "check"]  # once per submit, not a check and then a submit
    assert [line["id"] for line in stored_lines(space)] == [saved["translation_id"]]
