"""Incremental collects: only event files that changed since the last collect are read.

Local files are known by size and modification time, Hub files by size and etag (the
recording fake Hub lists them like ``HfApi.list_repo_tree``); a rerun with nothing
changed reads (and downloads) no event file and writes byte-identical output, one
changed file is the only one read again, and the output always equals a collect from
scratch.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeHfApi
from mpep_generator import incremental
from mpep_generator.collect import collect_language, collect_many
from mpep_generator.errors import CollectError
from mpep_generator.hub import Hub
from mpep_generator.incremental import STATE_DIR
from test_collect import Log, data_dir

REPO = "DIBT-Dutch/mpep-nl-responses"


def replace(kept: Path, data: bytes) -> None:
    """Damage a kept reading: a new file in its place (a kept reading may be a hard link
    to its source, which writing into it would change too)."""
    kept.unlink()
    kept.write_bytes(data)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every output file but the collector's own state."""
    found = sorted(p for p in folder.rglob("*") if p.is_file())
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in found
        if STATE_DIR not in p.relative_to(folder).parts
    }


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], list[str]]]:
    """(keys read from their file, keys folded from the state) of each language collected."""
    seen: list[tuple[list[str], list[str]]] = []
    save = incremental.ReadCache.save

    def spy(self: incremental.ReadCache) -> None:
        seen.append((list(self.read), list(self.reused)))
        save(self)

    monkeypatch.setattr(incremental.ReadCache, "save", spy)
    return seen


def two_files(root: Path) -> tuple[Path, Log, Log]:
    """A data dir whose log is split over two files (two Space processes), one torn."""
    a, b = Log(prefix="a"), Log(prefix="b")
    t = a.translate("alice", "1", "Definieer entropie.")
    b.review("rita", t)
    b.review("rita", b.translate("bob", "10", "Schrijf over de vergadering."))
    source = data_dir(root, a, tail='{"v": 1, "torn')  # this file needs the per-line reader
    (source / "events" / "b.jsonl").write_text(b.text(), encoding="utf-8")
    return source, a, b


def scratch(sources: list[str], out: Path, **kwargs: Any) -> dict[str, bytes]:
    collect_language("nl", sources, out, incremental=False, **kwargs)
    return files_of(out)


def test_a_rerun_reads_no_local_event_file_and_one_change_is_the_only_read(
    tmp_path: Path, reads: list[tuple[list[str], list[str]]]
) -> None:
    source, _, b = two_files(tmp_path / "d")
    files = sorted(str((source / "events" / n).resolve()) for n in ("a.jsonl", "b.jsonl"))
    out = tmp_path / "out"
    first = collect_language("nl", [str(source)], out)
    assert sorted(reads[-1][0]) == files and reads[-1][1] == []
    before = files_of(out)
    assert before == scratch([str(source)], tmp_path / "scratch")
    assert [str(p).split("/")[-1] for p in first.problems] == [
        "a.jsonl:2: not valid JSON (a torn or corrupt line)"
    ]

    again = collect_language("nl", [str(source)], out)
    assert reads[-1] == ([], files)  # nothing read: both readings were kept
    assert files_of(out) == before
    assert again.problems == first.problems

    b.review("carol", b.translate("dave", "2", "Zeg hoi."))  # the b process wrote more
    (source / "events" / "b.jsonl").write_text(b.text(), encoding="utf-8")
    collect_many({"nl": [str(source)]}, out)  # and through collect_many
    assert reads[-1] == ([files[1]], [files[0]])
    assert {"progress.md", "progress.svg"} <= set(files_of(out))
    (out / "progress.md").unlink()
    (out / "progress.svg").unlink()
    assert files_of(out) == scratch([str(source)], tmp_path / "scratch2")
    assert files_of(out) != before


def test_a_kept_reading_is_the_bytes_read_and_a_changed_byte_means_reading_again(
    tmp_path: Path, reads: list[tuple[list[str], list[str]]]
) -> None:
    """The state keeps each file's bytes as they were read (a hard link to the file), with
    their CRC-32: a kept reading with one byte changed (same length, still JSON) is not
    folded; its file is read again."""
    a, b = Log(prefix="a"), Log(prefix="b")
    b.review("rita", a.translate("alice", "1", "Definieer entropie."))
    source = data_dir(tmp_path / "d", a)
    (source / "events" / "b.jsonl").write_text(b.text(), encoding="utf-8")
    out = tmp_path / "out"
    first = collect_language("nl", [str(source)], out)
    kept = sorted((out / STATE_DIR / "nl").glob("*.jsonl"))
    originals = sorted((source / "events").glob("*.jsonl"))
    assert sorted(k.read_bytes() for k in kept) == sorted(o.read_bytes() for o in originals)
    # hard links, not copies: nothing more to write (on one file system, as here)
    assert {k.stat().st_ino for k in kept} == {o.stat().st_ino for o in originals}
    flipped = next(k for k in kept if b'"rita"' in k.read_bytes())
    replace(flipped, flipped.read_bytes().replace(b'"rita"', b'"rito"'))
    again = collect_language("nl", [str(source)], out)
    assert reads[-1] == (
        [str((source / "events" / "b.jsonl").resolve())],
        [str((source / "events" / "a.jsonl").resolve())],
    )
    assert again.progress == first.progress
    assert files_of(out) == scratch([str(source)], tmp_path / "scratch")
    assert b'"rita"' in flipped.read_bytes()  # kept again, as read


def test_where_no_link_can_be_made_a_kept_reading_is_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[tuple[list[str], list[str]]]
) -> None:
    """Another file system (or one without hard links): the bytes read are written out,
    and the next collect folds them as it folds a link."""

    def no_links(*args: Any, **kwargs: Any) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(incremental.os, "link", no_links)
    source, _, _ = two_files(tmp_path / "d")
    out = tmp_path / "out"
    collect_language("nl", [str(source)], out)
    kept = sorted((out / STATE_DIR / "nl").glob("*.jsonl"))
    originals = sorted((source / "events").glob("*.jsonl"))
    assert sorted(k.read_bytes() for k in kept) == sorted(o.read_bytes() for o in originals)
    assert not {k.stat().st_ino for k in kept} & {o.stat().st_ino for o in originals}
    collect_language("nl", [str(source)], out)
    assert reads[-1][0] == [] and len(reads[-1][1]) == 2
    assert files_of(out) == scratch([str(source)], tmp_path / "scratch")


def test_a_damaged_or_foreign_state_means_reading_everything_again(
    tmp_path: Path, reads: list[tuple[list[str], list[str]]]
) -> None:
    source, _, _ = two_files(tmp_path / "d")
    out = tmp_path / "out"
    collect_language("nl", [str(source)], out)
    expected = files_of(out)
    state = out / STATE_DIR / "nl" / "state.json"
    for damage in ("{not json", json.dumps({"version": "0/old", "files": {}}), "[]"):
        state.write_text(damage)
        collect_language("nl", [str(source)], out)
        assert len(reads[-1][0]) == 2 and files_of(out) == expected
    kept = sorted((out / STATE_DIR / "nl").glob("*.jsonl"))
    replace(kept[0], b"{}\n")  # a kept reading that is not the one kept is read again
    collect_language("nl", [str(source)], out)
    assert len(reads[-1][0]) == 1 and files_of(out) == expected


def test_a_rerun_downloads_no_hub_event_file_and_one_change_is_the_only_download(
    tmp_path: Path, fake_hub: FakeHfApi, reads: list[tuple[list[str], list[str]]]
) -> None:
    repo = fake_hub.repo_dir(REPO)
    _, _, b = two_files(repo)
    out, hub = tmp_path / "out", Hub(fake_hub)
    label = f"hf://datasets/{REPO}/events"

    def downloads() -> list[Any]:
        return [
            kw["allow_patterns"] for name, _, kw in fake_hub.calls if name == "snapshot_download"
        ]

    collect_language("nl", [REPO], out, hub=hub)
    assert downloads()[-1] == ["space/*", "events/a.jsonl", "events/b.jsonl"]
    before = files_of(out)
    assert before == scratch([REPO], tmp_path / "scratch", hub=hub)

    collect_language("nl", [REPO], out, hub=hub)
    assert downloads()[-1] == ["space/*"]  # the bundle only: every event file is known
    assert reads[-1] == ([], [f"{label}/a.jsonl", f"{label}/b.jsonl"])
    assert files_of(out) == before

    b.translate("erin", "2", "Nog een vertaling.")
    (repo / "events" / "b.jsonl").write_text(b.text(), encoding="utf-8")
    collect_language("nl", [REPO], out, hub=hub)
    assert downloads()[-1] == ["space/*", "events/b.jsonl"]
    assert reads[-1] == ([f"{label}/b.jsonl"], [f"{label}/a.jsonl"])
    assert files_of(out) == scratch([REPO], tmp_path / "scratch2", hub=hub)


def test_the_state_is_never_part_of_a_pushed_dataset(tmp_path: Path, fake_hub: FakeHfApi) -> None:
    source, _, _ = two_files(tmp_path / "d")
    collect_language("nl", [str(source)], tmp_path / "out", hub=Hub(fake_hub), push_org="DIBT")
    (commit,) = [kw for name, _, kw in fake_hub.calls if name == "create_commit"]
    sent = [op.path_in_repo for op in commit["operations"]]
    assert "README.md" in sent and not [name for name in sent if STATE_DIR in name]
    assert (tmp_path / "out" / STATE_DIR / "nl" / "state.json").is_file()
    shutil.rmtree(tmp_path / "out" / STATE_DIR)  # a missing state is a first collect
    collect_language("nl", [str(source)], tmp_path / "out")


def test_a_damaged_kept_reading_of_a_file_not_downloaded_says_to_collect_again(
    tmp_path: Path, fake_hub: FakeHfApi
) -> None:
    """The fake Hub hands out the whole repo; a real download of only the changed files
    leaves the known ones out, as removing them from the snapshot does here."""
    repo = fake_hub.repo_dir(REPO)
    two_files(repo)
    out, hub = tmp_path / "out", Hub(fake_hub)
    collect_language("nl", [REPO], out, hub=hub)
    expected = files_of(out)
    snapshot = tmp_path / "snapshot"
    shutil.copytree(repo / "space", snapshot / "space")
    real = fake_hub.snapshot_download
    fake_hub.snapshot_download = lambda repo_id, **kw: (real(repo_id, **kw), str(snapshot))[1]
    for kept in (out / STATE_DIR / "nl").glob("*.jsonl"):
        replace(kept, kept.read_bytes()[:-9])  # torn: it would fold fewer events
    with pytest.raises(CollectError) as info:
        collect_language("nl", [REPO], out, hub=hub)
    assert str(info.value).startswith(f"the kept reading of hf://datasets/{REPO}/events/")
    assert str(info.value).endswith("run collect-mpep again: it will download the file")
    fake_hub.snapshot_download = real
    collect_language("nl", [REPO], out, hub=hub)  # downloads what the state no longer knows
    assert files_of(out) == expected
