"""The collector's files are replaced in one step: a reader sees the old file or the new one."""

from __future__ import annotations

from pathlib import Path

import pytest
from mpep_generator.files import replace_file, write_text


def test_a_written_file_replaces_the_old_one_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "README.md"
    write_text(path, "first\n")
    write_text(path, "zweite Fassung: ü\n")
    assert path.read_bytes() == "zweite Fassung: ü\n".encode()
    assert sorted(p.name for p in path.parent.iterdir()) == ["README.md"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_half_written_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "alpaca_eval.json"
    write_text(path, "[]\n")

    def fail_halfway(tmp: Path) -> None:
        tmp.write_text("[{")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_file(path, fail_halfway)
    assert path.read_text() == "[]\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alpaca_eval.json"]


def test_a_write_s_own_missing_file_is_not_mistaken_for_a_missing_folder(tmp_path: Path) -> None:
    """A folder is made when it is missing; a FileNotFoundError of the write itself (its
    folder exists) is the write's, and goes to the caller."""

    def copy_missing(tmp: Path) -> None:
        tmp.write_bytes((tmp_path / "no such source").read_bytes())

    with pytest.raises(FileNotFoundError, match="no such source"):
        replace_file(tmp_path / "out.bin", copy_missing)
    assert list(tmp_path.iterdir()) == []
