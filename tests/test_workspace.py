"""A translator's workspace without a UI: durable drafts, the prompt to open, My work (issue 12)."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeHfApi
from mpep_space import handlers as h
from mpep_space import work
from mpep_space.drafts import Drafts
from mpep_space.events import event_files, read_logs
from mpep_space.store import Store
from mpep_space.sync import SYNC_PATTERNS, SyncSettings, restore, start_sync
from test_space_rules import Clock, make_space, nl


@pytest.fixture
def space_dir(tmp_path: Path) -> Path:
    from conftest import render

    return render(tmp_path, "nl", name="space")


def restart(space: h.Space, space_dir: Path, clock: Clock | None = None) -> h.Space:
    """A new process on the same data dir: leases and passes gone, files kept."""
    return make_space(space_dir, space.store.data_dir, clock or Clock(), reviewers=("rita",))


@pytest.fixture
def space(space_dir: Path, tmp_path: Path) -> h.Space:
    return make_space(space_dir, tmp_path / "data", Clock(), reviewers=("rita",))


def test_a_draft_survives_a_restart_and_its_prompt_is_offered_first(
    space: h.Space, space_dir: Path
) -> None:
    first = work.open_prompt(space, "alice")
    assert first and first["text"] == ""
    other = work.show_another(space, "alice", first["prompt_id"])
    assert other and other["prompt_id"] != first["prompt_id"]
    draft = "Een half af concept,\nmet twee regels."
    assert work.save_draft(space, "alice", other["prompt_id"], draft)["saved"]

    again = restart(space, space_dir)  # leases are gone; the draft is on disk
    opened = work.open_prompt(again, "alice")
    assert opened and opened["prompt_id"] == other["prompt_id"]
    assert opened["draft"] == draft and opened["text"] == draft
    # bob is not offered alice's drafted prompt while she holds it again
    assert work.open_prompt(again, "bob")["prompt_id"] != other["prompt_id"]  # type: ignore[index]


def test_drafts_are_never_events(space: h.Space) -> None:
    prompt = work.open_prompt(space, "alice")
    assert prompt
    work.save_draft(space, "alice", prompt["prompt_id"], "concept")
    data = space.store.data_dir
    assert list((data / "drafts").glob("*.jsonl"))
    assert read_logs(event_files(data / "events")).events == []
    assert "drafts/*.jsonl" not in SYNC_PATTERNS  # the collector never downloads them


def test_the_same_text_is_written_once_and_discard_forgets(space: h.Space) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    assert work.save_draft(space, "alice", pid, "één")["saved"]
    assert not work.save_draft(space, "alice", pid, "één")["saved"]
    lines = [json.loads(x) for f in (space.store.data_dir / "drafts").glob("*") for x in f.open()]
    assert [x["text"] for x in lines] == ["één"]  # non-ASCII kept as written
    work.discard_draft(space, "alice", pid)
    assert Drafts(space.store.data_dir).get("alice", pid) == ""


def test_show_another_keeps_the_draft_and_frees_the_prompt(space: h.Space) -> None:
    first = work.open_prompt(space, "alice")
    assert first
    other = work.show_another(space, "alice", first["prompt_id"], "mijn concept")
    assert other and other["prompt_id"] != first["prompt_id"]
    assert work.drafts_of(space).get("alice", first["prompt_id"]) == "mijn concept"
    assert not space.store.holds_prompt(first["prompt_id"], "alice")
    # My work lists it and can open it again
    assert [d["prompt_id"] for d in work.my_work(space, "alice")["drafts"]] == [first["prompt_id"]]
    reopened = work.open_this(space, "alice", first["prompt_id"])
    assert reopened["text"] == "mijn concept"


def test_show_another_cycles_through_every_prompt(space: h.Space) -> None:
    seen = []
    current = work.open_prompt(space, "alice")
    for _ in range(len(space.prompts) + 1):
        assert current
        seen.append(current["prompt_id"])
        current = work.show_another(space, "alice", current["prompt_id"])
    assert set(seen) == set(space.prompts)


def test_submit_clears_the_draft(space: h.Space) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    work.save_draft(space, "alice", pid, "concept")
    work.submit(space, "alice", pid, nl("Een vertaling."), confirm=True)
    assert work.drafts_of(space).get("alice", pid) == ""
    assert work.my_work(space, "alice")["drafts"] == []


def test_a_full_disk_keeps_no_draft_and_says_so(space: h.Space) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    drafts = work.drafts_of(space)

    def refuse(line: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    drafts.appender.write_line = refuse  # type: ignore[method-assign]
    with pytest.raises(h.Refusal, match="Draft not saved"):
        work.save_draft(space, "alice", pid, "concept")
    assert drafts.get("alice", pid) == ""


def test_bad_draft_input_is_one_clear_refusal(space: h.Space) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    with pytest.raises(h.Refusal, match="log in"):
        work.save_draft(space, None, pid, "x")
    with pytest.raises(h.Refusal, match="Unknown prompt id"):
        work.save_draft(space, "alice", "nope", "x")
    with pytest.raises(h.Refusal, match="control character"):
        work.save_draft(space, "alice", pid, "a\x07b")
    assert list((space.store.data_dir / "drafts").glob("*.jsonl")) == [] or all(
        f.read_bytes() == b"" for f in (space.store.data_dir / "drafts").glob("*.jsonl")
    )


def test_unreadable_draft_lines_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    good = {"v": 1, "ts": "2026-11-27T06:30:00.000000Z", "user": "a", "prompt_id": "1"}
    (folder / "x.jsonl").write_text(
        json.dumps({**good, "text": "goed"}) + "\n{torn\n" + json.dumps({"v": 2}) + "\n"
    )
    assert Drafts(tmp_path).get("a", "1") == "goed"


def test_a_rejected_prompt_opens_with_the_rejected_text_and_comment(space: h.Space) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    text = nl("Mijn eerste poging.")
    t = work.submit(space, "alice", pid, text, confirm=True)
    h.submit_review(space, "rita", t["translation_id"], "reject", "Te letterlijk.")
    opened = work.open_prompt(space, "alice")
    assert opened and opened["prompt_id"] == pid
    assert opened["rejected_text"] == text and opened["text"] == text
    assert opened["rejection"]["comment"] == "Te letterlijk."
    row = work.my_work(space, "alice")["translations"][0]
    assert row["status"] == "rejected" and row["comment"] == "Te letterlijk."


def test_my_work_states(space: h.Space) -> None:
    a = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    ta = work.submit(space, "alice", a, nl("Eerste."), confirm=True)
    b = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    work.submit(space, "alice", b, nl("Tweede."), confirm=True)
    h.submit_review(space, "rita", ta["translation_id"], "approve")
    rows = {r["prompt_id"]: r for r in work.my_work(space, "alice")["translations"]}
    assert rows[a]["status"] == "approved" and not rows[a]["can_revise"]
    assert rows[b]["status"] == "awaiting review" and rows[b]["can_revise"]
    assert work.my_work(space, "bob") == {"translations": [], "drafts": [], "flags": []}


def test_drafts_are_pushed_and_restored_but_not_collected(
    space: h.Space, space_dir: Path, tmp_path: Path
) -> None:
    hub = FakeHfApi(tmp_path / "hub")
    settings = SyncSettings("org/sync", None, 5)
    scheduler: Any = start_sync(space.store, settings, hub)
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    work.save_draft(space, "alice", pid, "concept op de Hub")
    scheduler.push_to_hub()
    scheduler.stop()
    assert list((hub.repo_dir("org/sync") / "drafts").glob("*.jsonl"))

    fresh = make_space(space_dir, tmp_path / "fresh", Clock(), reviewers=("rita",))
    store: Store = fresh.store
    restore(store, settings, hub)
    fresh2 = make_space(space_dir, tmp_path / "fresh", Clock(), reviewers=("rita",))
    opened = work.open_prompt(fresh2, "alice")
    assert opened and opened["prompt_id"] == pid and opened["text"] == "concept op de Hub"


def test_opening_a_prompt_from_my_work_is_the_one_a_reload_shows(space: h.Space) -> None:
    first = work.open_prompt(space, "alice")
    assert first
    other = next(pid for pid in space.prompts if pid != first["prompt_id"])
    work.open_this(space, "alice", other)
    assert not space.store.holds_prompt(first["prompt_id"], "alice")
    assert work.open_prompt(space, "alice")["prompt_id"] == other  # type: ignore[index]


def test_a_reviewer_with_only_own_work_is_told_why(space: h.Space) -> None:
    pid = work.open_prompt(space, "rita")["prompt_id"]  # type: ignore[index]
    work.submit(space, "rita", pid, nl("Mijn eigen vertaling."), confirm=True)
    assert h.next_review(space, "rita") is None
    assert "your own work" in work.nothing_to_review_reason(space, "rita")
    assert "self-review is off" in work.nothing_to_review_reason(space, "rita")


def test_local_mode_allows_self_review_and_says_so(space_dir: Path, tmp_path: Path) -> None:
    from mpep_space.server import prepare

    local = prepare(space_dir, {"MPEP_DATA_DIR": str(tmp_path / "local")})
    assert local.mode.kind == "local" and local.space.config.allow_self_review
    assert "self-review is on" in local.mode.banner
    users = tmp_path / "users.txt"
    users.write_text("alice:pw\n")
    env = {"MPEP_DATA_DIR": str(tmp_path / "pw"), "MPEP_USERS": str(users)}
    assert not prepare(space_dir, env).space.config.allow_self_review


def test_a_pending_translation_can_be_replaced_before_review(
    space: h.Space, space_dir: Path
) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    t = work.submit(space, "alice", pid, nl("Eerste versie."), confirm=True)
    opened = work.open_this(space, "alice", pid)
    assert opened["revising"] == t["translation_id"] and opened["text"] == nl("Eerste versie.")
    handed = h.next_review(space, "rita")  # rita loads the old text
    assert handed
    work.revise(space, "alice", pid, nl("Tweede versie."), confirm=True)
    with pytest.raises(h.Refusal, match="text changed"):
        h.submit_review(space, "rita", t["translation_id"], "approve")
    again = h.next_review(space, "rita")
    assert again and again["text"] == nl("Tweede versie.")
    h.submit_review(space, "rita", t["translation_id"], "approve")
    # one translation, approved with the new text, also after a restart (the fold)
    fresh = restart(space, space_dir)
    (state,) = fresh.store.ledger.prompts[pid].translations
    assert state.status == "approved" and state.final_text == nl("Tweede versie.")
    assert fresh.store.ledger.progress().as_dict()["translated"] == 1
    with pytest.raises(h.Refusal, match="no longer awaiting"):
        work.revise(space, "alice", pid, nl("Derde versie."), confirm=True)


def test_a_flag_can_be_undone_by_its_author_until_a_reviewer_acts(
    space: h.Space, space_dir: Path
) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    h.flag(space, "alice", pid, "offensive")
    assert space.store.ledger.prompts[pid].flagged
    with pytest.raises(h.Refusal, match="no open flag"):
        work.withdraw_flag(space, "bob", pid)
    assert work.my_work(space, "alice")["flags"][0]["reason"] == "offensive"
    work.withdraw_flag(space, "alice", pid)
    assert not space.store.ledger.prompts[pid].flagged
    assert not restart(space, space_dir).store.ledger.prompts[pid].flagged  # the fold agrees
    assert work.open_prompt(space, "bob")["prompt_id"] == pid  # type: ignore[index]
    h.flag(space, "alice", pid, "offensive")  # again; a reviewer confirms it
    h.review_flag(space, "rita", pid, "confirm")
    with pytest.raises(h.Refusal, match="no open flag"):
        work.withdraw_flag(space, "alice", pid)
    assert work.my_work(space, "alice")["flags"][0]["answered"]


def test_skips_are_counted_in_progress(space: h.Space) -> None:
    pid = work.open_prompt(space, "alice")["prompt_id"]  # type: ignore[index]
    assert work.progress(space)["skipped"] == 0
    h.skip(space, "alice", pid)
    h.skip(space, "bob", pid)
    assert work.progress(space)["skipped"] == 2


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        ("3x + 2y = 16\n5x - y = 18", ["16</span><br />\n", "18</span>"]),
        ("<div>one</div>\n<div>two</div>", ["&lt;div&gt;one&lt;/div&gt;<br />\n&lt;div&gt;two"]),
        ("```\nif x:\n    y\n```", ["<pre><code>if x:\n    y\n</code></pre>"]),
        ("Say {{ name }} or {name} at https://x.org/a.", ["data-insert='{{ name }}'"]),
    ],
)
def test_the_source_keeps_its_line_breaks_and_marks_placeables(
    source: str, kept: list[str]
) -> None:
    from mpep_space.ui_render import has_code, render_source

    shown = render_source(source)
    for part in kept:
        assert part in shown, shown
    assert "data-insert='https://x.org/a'" in render_source("See https://x.org/a.")
    assert has_code("```\nx\n```") and has_code("use `x`") and not has_code("plain words")
