"""``collect-mpep --push`` sends only what changed, in one commit, and removes its own old files.

The recording fake Hub (tests/conftest.py) lists a repo like ``HfApi.list_repo_tree``:
``*.parquet`` files come back as LFS files (sha256 of the content, blob id of the
pointer), as the Hub's default ``.gitattributes`` makes them, other files with git's
blob id; so both ways of telling a changed file are exercised. Not checked against a
real Hub (unreachable from here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeHfApi
from huggingface_hub import CommitOperationAdd, CommitOperationDelete
from mpep_generator.collect import collect_language
from mpep_generator.errors import HubUnreachableError
from mpep_generator.hub import DatasetPush, Hub, HubError
from mpep_generator.results import CollectResult
from test_collect import Log, cli, data_dir, data_file

DATASET = "DIBT/MPEP_DUTCH"
URL = f"https://huggingface.co/datasets/{DATASET}"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def commits(fake_hub: FakeHfApi) -> list[tuple[list[str], list[str]]]:
    """(paths added, paths deleted) of every commit the fake received."""
    found = []
    for name, _, kwargs in fake_hub.calls:
        if name == "create_commit":
            ops = kwargs["operations"]
            added = [op.path_in_repo for op in ops if isinstance(op, CommitOperationAdd)]
            deleted = [op.path_in_repo for op in ops if isinstance(op, CommitOperationDelete)]
            found.append((added, deleted))
    return found


def pushed(result: CollectResult) -> DatasetPush:
    assert isinstance(result.pushed, DatasetPush)
    return result.pushed


@pytest.fixture
def log() -> Log:
    log = Log()
    log.review("rita", log.translate("alice", "1", "Definieer entropie."))
    return log


def collect(tmp_path: Path, fake_hub: FakeHfApi, log: Log, **kwargs: Any) -> CollectResult:
    source = data_dir(tmp_path / "nl-data", log)
    return collect_language(
        "nl", [str(source)], tmp_path / "out", hub=Hub(fake_hub), push_org="DIBT", **kwargs
    )


def test_the_first_push_sends_every_file_in_one_commit(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log
) -> None:
    result = collect(tmp_path, fake_hub, log)
    local = files_of(result.folder)
    assert fake_hub.names() == ["create_repo", "repo_info", "list_repo_tree", "create_commit"]
    assert commits(fake_hub) == [(sorted(local), [])]
    # Compared with the repo's head, and committed on top of that very commit.
    (_, _, listing), (_, _, commit) = fake_hub.calls[2:]
    assert listing["revision"] == commit["parent_commit"] == f"{0:040x}"
    assert pushed(result) == DatasetPush(URL, uploaded=tuple(sorted(local)))
    assert files_of(fake_hub.repo_dir(DATASET)) == local
    (_, _, commit) = fake_hub.calls[-1]
    assert (commit["repo_type"], commit["commit_message"]) == (
        "dataset",
        "Collected by collect-mpep",
    )


def test_a_collect_with_nothing_new_makes_no_commit(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log
) -> None:
    collect(tmp_path, fake_hub, log)
    fake_hub.calls.clear()
    result = collect(tmp_path, fake_hub, log)
    assert fake_hub.names() == ["create_repo", "repo_info", "list_repo_tree"]
    assert pushed(result) == DatasetPush(URL)
    assert pushed(result).unchanged


def test_new_events_send_only_the_changed_files_and_remove_the_old_data_file(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log
) -> None:
    first = collect(tmp_path, fake_hub, log)
    old = data_file(first.folder).relative_to(first.folder).as_posix()
    repo = fake_hub.repo_dir(DATASET)
    maintainers = {  # files a maintainer added on the Hub: never the collector's to remove
        "NOTES.md": b"Hand-written notes.\n",
        ".gitattributes": b"*.parquet filter=lfs diff=lfs merge=lfs -text\n",
        "alpaca_eval_notes.json": b"[]\n",
        "data/validation-00000-of-00001.parquet": b"PAR1 not ours",
        "extra/alpaca_eval.json": b"[]\n",
    }
    for name, data in maintainers.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    fake_hub.calls.clear()

    log.review("rita", log.translate("bob", "7", "Leg `ls -la` uit."))
    result = collect(tmp_path, fake_hub, log)
    new = data_file(result.folder).relative_to(result.folder).as_posix()
    assert new != old
    (commit,) = commits(fake_hub)
    assert commit == (sorted(["README.md", "alpaca_eval.json", new]), [old])
    assert pushed(result) == DatasetPush(URL, uploaded=tuple(commit[0]), deleted=(old,))
    assert files_of(repo) == {**files_of(result.folder), **maintainers}


def test_only_a_changed_card_is_sent(tmp_path: Path, fake_hub: FakeHfApi, log: Log) -> None:
    """A translation awaiting review changes the card's progress, not the data or the
    AlpacaEval set: those are not sent again."""
    first = collect(tmp_path, fake_hub, log)
    before = files_of(first.folder)
    fake_hub.calls.clear()
    log.translate("bob", "7", "Leg `ls -la` uit.")
    result = collect(tmp_path, fake_hub, log)
    after = files_of(result.folder)
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert changed == ["README.md"]
    assert commits(fake_hub) == [(["README.md"], [])]


def test_model_outputs_no_longer_merged_are_removed_alone(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log
) -> None:
    outputs = tmp_path / "model.json"
    outputs.write_text(
        json.dumps(
            [{"instruction": "Definieer entropie.", "output": "Entropie is ...", "generator": "m1"}]
        )
    )
    first = collect(tmp_path, fake_hub, log, outputs=[outputs])
    assert "alpaca_eval-m1.json" in files_of(first.folder)
    fake_hub.calls.clear()
    result = collect(tmp_path, fake_hub, log)
    assert commits(fake_hub) == [([], ["alpaca_eval-m1.json"])]
    assert pushed(result) == DatasetPush(URL, deleted=("alpaca_eval-m1.json",))
    assert files_of(fake_hub.repo_dir(DATASET)) == files_of(result.folder)


def test_a_file_changed_on_the_hub_is_sent_again(tmp_path: Path, fake_hub: FakeHfApi) -> None:
    """Same size, other bytes: the LFS file by its sha256, the other by its git blob id."""
    folder = tmp_path / "MPEP_DUTCH"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "train-00000-of-00001-0123456789abcdef.parquet").write_bytes(b"PAR1 rows")
    (folder / "README.md").write_text("# card\n")
    hub = Hub(fake_hub)
    hub.push_dataset(folder, repo_id=DATASET)
    assert hub.push_dataset(folder, repo_id=DATASET).unchanged
    repo = fake_hub.repo_dir(DATASET)
    (repo / "data" / "train-00000-of-00001-0123456789abcdef.parquet").write_bytes(b"PAR1 xxxx")
    (repo / "README.md").write_text("# CARD\n")
    again = hub.push_dataset(folder, repo_id=DATASET)
    assert again.uploaded == ("README.md", "data/train-00000-of-00001-0123456789abcdef.parquet")
    assert files_of(repo) == files_of(folder)


@pytest.mark.parametrize(
    ("name", "removed"),
    [
        ("data/train-00000-of-00001-feedfacecafebeef.parquet", True),
        ("data/train-00000-of-00001.parquet", True),  # push_to_hub's name
        ("alpaca_eval.json", True),
        ("alpaca_eval-gpt-4o.json", True),
        ("data/train-00000-of-00001-notes.csv", False),
        ("data/train-00000-of-00002.parquet", False),
        ("data/old/train-00000-of-00001.parquet", False),
        ("alpaca_eval_notes.json", False),
        ("alpaca_eval-x.json.bak", False),
        ("extra/alpaca_eval.json", False),
        ("README.md", False),
    ],
)
def test_only_names_the_collector_writes_are_removed(
    tmp_path: Path, fake_hub: FakeHfApi, name: str, removed: bool
) -> None:
    folder = tmp_path / "MPEP_DUTCH"
    folder.mkdir()
    (folder / "kept.txt").write_text("x\n")
    remote = fake_hub.repo_dir(DATASET) / name
    remote.parent.mkdir(parents=True, exist_ok=True)
    remote.write_bytes(b"an earlier file")
    result = Hub(fake_hub).push_dataset(folder, repo_id=DATASET)
    assert result.deleted == ((name,) if removed else ())
    assert remote.exists() is not removed


def test_a_repo_that_cannot_be_listed_gets_every_file(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing the Hub refuses (a repo just created, an odd permission) is an empty
    repo: everything is sent, nothing removed."""

    def refuse(repo_id: str, **kwargs: Any) -> Any:
        raise ValueError(f"404 Client Error: {repo_id} not found")

    monkeypatch.setattr(fake_hub, "list_repo_tree", refuse)
    result = collect(tmp_path, fake_hub, log)
    assert commits(fake_hub) == [(sorted(files_of(result.folder)), [])]


def test_hub_down_is_one_clear_error_and_the_next_collect_pushes(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log
) -> None:
    fake_hub.fail_uploads = True
    with pytest.raises(HubUnreachableError) as info:
        collect(tmp_path, fake_hub, log)
    assert str(info.value) == (
        f"cannot reach the Hugging Face Hub to push the dataset {DATASET} (the Hub is down (fake))"
    )
    assert files_of(fake_hub.repo_dir(DATASET)) == {}  # one commit: all or nothing
    local = files_of(tmp_path / "out" / "MPEP_DUTCH")
    assert "README.md" in local and "alpaca_eval.json" in local  # the local set is whole
    fake_hub.fail_uploads = False
    result = collect(tmp_path, fake_hub, log)
    assert pushed(result).uploaded == tuple(sorted(local))
    assert files_of(fake_hub.repo_dir(DATASET)) == local


@pytest.mark.parametrize("down", ["create_repo", "list_repo_tree"])
def test_a_hub_down_before_the_commit_is_one_clear_error(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log, monkeypatch: pytest.MonkeyPatch, down: str
) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("[Errno -2] Name or service not known")

    monkeypatch.setattr(fake_hub, down, unreachable)
    with pytest.raises(HubUnreachableError) as info:
        collect(tmp_path, fake_hub, log)
    what = "create" if down == "create_repo" else "list"
    assert str(info.value) == (
        f"cannot reach the Hugging Face Hub to {what} the dataset {DATASET} "
        "([Errno -2] Name or service not known)"
    )
    assert "create_commit" not in fake_hub.names()
    assert "README.md" in files_of(tmp_path / "out" / "MPEP_DUTCH")


def test_a_refused_commit_is_one_line(tmp_path: Path, fake_hub: FakeHfApi, log: Log) -> None:
    def refuse(repo_id: str, operations: Any, **kwargs: Any) -> Any:
        raise PermissionError("403 Forbidden: you cannot write to DIBT\nmore details")

    fake_hub.create_commit = refuse  # type: ignore[method-assign]
    with pytest.raises(HubError) as info:
        collect(tmp_path, fake_hub, log)
    assert str(info.value) == (
        f"the Hugging Face Hub refused to push the dataset {DATASET}: "
        "403 Forbidden: you cannot write to DIBT"
    )


def test_a_push_that_lands_between_the_listing_and_the_commit_fails_this_one_whole(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two collects pushing the same dataset at once: the second compared the files with
    a commit the first has moved past, so its commit (based on that commit) is refused,
    changes nothing, and says what to do; the next collect compares afresh and pushes."""
    collect(tmp_path, fake_hub, log)
    repo = fake_hub.repo_dir(DATASET)
    real_listing = fake_hub.list_repo_tree
    theirs = {"NOTES.md": b"pushed by someone else meanwhile\n"}

    def listing_then_another_push(repo_id: str, **kwargs: Any) -> Any:
        items = list(real_listing(repo_id, **kwargs))
        fake_hub.create_commit(  # the other collect's commit lands now
            repo_id, [CommitOperationAdd("NOTES.md", theirs["NOTES.md"])], repo_type="dataset"
        )
        return iter(items)

    monkeypatch.setattr(fake_hub, "list_repo_tree", listing_then_another_push)
    log.review("rita", log.translate("bob", "7", "Leg `ls -la` uit."))
    before = files_of(repo)
    with pytest.raises(HubError) as info:
        collect(tmp_path, fake_hub, log)
    assert str(info.value) == (
        f"{DATASET} changed on the Hub while this push compared it with "
        f"{tmp_path / 'out' / 'MPEP_DUTCH'} (another push at the same time?); nothing was "
        "pushed: run the collect again"
    )
    assert files_of(repo) == {**before, **theirs}  # theirs kept, nothing of ours half-done
    monkeypatch.setattr(fake_hub, "list_repo_tree", real_listing)
    result = collect(tmp_path, fake_hub, log)
    assert files_of(repo) == {**files_of(result.folder), **theirs}


@pytest.mark.parametrize("answer", ["missing", "refused"])
def test_without_the_head_commit_the_push_goes_unguarded(
    tmp_path: Path, fake_hub: FakeHfApi, log: Log, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    """A client without ``repo_info``, or a Hub refusing it: the files are compared with
    the current listing and committed without ``parent_commit``, as before the check."""
    if answer == "missing":
        monkeypatch.delattr(FakeHfApi, "repo_info")
    else:

        def refuse(repo_id: str, **kwargs: Any) -> Any:
            raise PermissionError("403 Forbidden")

        monkeypatch.setattr(fake_hub, "repo_info", refuse)
    result = collect(tmp_path, fake_hub, log)
    (_, _, commit) = fake_hub.calls[-1]
    assert "parent_commit" not in commit
    assert files_of(fake_hub.repo_dir(DATASET)) == files_of(result.folder)


# -- the CLI -------------------------------------------------------------------------------


def test_the_cli_says_what_each_push_did(
    tmp_path: Path, hub_login: Any, capsys: pytest.CaptureFixture[str], log: Log
) -> None:
    fake_hub = hub_login("hf_test")
    source = data_dir(tmp_path / "nl-data", log)
    args = ("--lang", "nl", "--from", source, "--out", tmp_path / "out", "--push", "DIBT")

    def pushes() -> list[str]:
        code, out, err = cli(capsys, *args)
        assert (code, err) == (0, "")
        return [line for line in out.splitlines() if line.startswith("MPEP_DUTCH: ")]

    assert pushes() == [f"MPEP_DUTCH: pushed 3 files ({URL})"]
    assert pushes() == [f"MPEP_DUTCH: unchanged on the Hub ({URL})"]
    log.review("rita", log.translate("bob", "7", "Leg `ls -la` uit."))
    data_dir(tmp_path / "nl-data", log)
    assert pushes() == [f"MPEP_DUTCH: pushed 3 files, removed 1 old file ({URL})"]
    assert len(commits(fake_hub)) == 2

    fake_hub.fail_uploads = True
    log.translate("bob", "2", "Zeg hoi.")
    data_dir(tmp_path / "nl-data", log)
    code, out, err = cli(capsys, *args)
    assert code == 1
    assert err == (
        f"Error: cannot reach the Hugging Face Hub to push the dataset {DATASET} "
        "(the Hub is down (fake))\n"
    )
    assert "MPEP_DUTCH: " not in out
    fake_hub.fail_uploads = False
    assert pushes() == [f"MPEP_DUTCH: pushed 1 file ({URL})"]  # the card: a translation to review
