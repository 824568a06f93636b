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
