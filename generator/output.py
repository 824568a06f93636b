"""Putting a rendered folder at ``--out`` without ever losing what is already there.

A new folder is moved into place whole (rendered beside it, then renamed). An existing
one is updated file by file: only the files generate-space writes are replaced (each
atomically), files of an earlier render that the new one no longer has are removed, and
nothing else is touched: not the Space's ``data/`` (its event log, which a running Space
keeps appending to), not files somebody else put there. ``.mpep-generated.json`` lists
what a render wrote, so the next one knows what is its own.

Refused before anything is written: an ``--out`` that exists and is not a folder (a file,
FIFO, device, socket or symlink), a path through a file, and, unless the person says so
with ``--allow-other-files``, the current folder, a parent of it, or a folder holding files
that generate-space did not write.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputExistsError

MANIFEST = ".mpep-generated.json"
DATA_DIR = "data"  # the Space's own data (MPEP_DATA_DIR's default): never touched
RUNTIME_DIRS = ("mpep_space", "mpep_dashboard")  # whole folders owned by the render
_OTHER_FILES_HINT = "move them away, or pass --allow-other-files to leave them in place"


@dataclass(frozen=True)
class OutputPolicy:
    """What the person allowed for an ``--out`` that already holds something."""

    force: bool = False  # update a folder that an earlier render wrote
    allow_other_files: bool = False  # ... even if it holds other files, or is the current folder


DEFAULT_POLICY = OutputPolicy()  # a new or empty folder only


def check_target(out: Path, policy: OutputPolicy) -> None:
    """Refuse an ``--out`` we must not write to, before anything is rendered."""
    _refuse_non_folder(out)
    here = Path.cwd().resolve()
    resolved = out.resolve()
    if (resolved == here or resolved in here.parents) and not policy.allow_other_files:
        where = "the current folder" if resolved == here else "a parent of the current folder"
        raise OutputExistsError(
            f'--out "{out}" is {where}; choose a new folder, or pass --allow-other-files '
            "to render into it (files generate-space did not write are left as they are)"
        )
    if _is_non_empty_dir(out) and not policy.force:
        raise OutputExistsError(
            f'"{out}" already exists and is not empty; use --force to replace it'
        )


def install(rendered: Path, out: Path, policy: OutputPolicy) -> None:
    """Put the ``rendered`` folder (a sibling of ``out``) at ``out``."""
    written = _files_under(rendered)
    _write_manifest(rendered, written)
    if not out.exists():
        rendered.rename(out)
        return
    _refuse_non_folder(out)  # checked again: it may have changed while we rendered
    _update_in_place(rendered, out, written, policy)


def _refuse_non_folder(out: Path) -> None:
    try:
        mode = os.lstat(out).st_mode
    except FileNotFoundError:
        return
    except NotADirectoryError:
        blocking = next(
            p for p in reversed(out.absolute().parents) if p.exists() and not p.is_dir()
        )
        raise OutputExistsError(
            f'"{blocking}" is not a folder, so --out "{out}" cannot be made'
        ) from None
    if stat.S_ISLNK(mode):
        raise OutputExistsError(
            f'"{out}" is a symbolic link; give the folder itself (or a new path) as --out'
        )
    if not stat.S_ISDIR(mode):
        kind = "a file" if stat.S_ISREG(mode) else "a special file (FIFO, device or socket)"
        raise OutputExistsError(f'"{out}" is {kind}; choose a folder for --out')


def _is_non_empty_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and any(path.iterdir())


def _files_under(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    }


def _write_manifest(folder: Path, files: set[str]) -> None:
    text = json.dumps({"files": sorted(files)}, indent=1) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def _previous_files(out: Path) -> set[str]:
    """What an earlier render wrote, by its manifest (none for a folder without one)."""
    try:
        files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {f for f in files if isinstance(f, str)}


def _is_ours(relative: str, ours: set[str]) -> bool:
    top = relative.split("/", 1)[0]
    return relative in ours or relative == MANIFEST or top in RUNTIME_DIRS


def _update_in_place(rendered: Path, out: Path, written: set[str], policy: OutputPolicy) -> None:
    previous = _previous_files(out)
    ours = written | previous
    present = {r for r in _files_under(out) if r.split("/", 1)[0] != DATA_DIR}
    others = sorted(r for r in present if not _is_ours(r, ours))
    if others and not policy.allow_other_files:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise OutputExistsError(
            f'"{out}" holds files generate-space did not write ({shown}); {_OTHER_FILES_HINT}'
        )
    for relative in sorted(written | {MANIFEST}):
        _replace_file(rendered / relative, out / relative)
    for relative in sorted(present - written - {MANIFEST}):
        if _is_ours(relative, previous) and relative.split("/", 1)[0] != DATA_DIR:
            (out / relative).unlink()  # ours, and the new render no longer has it
    shutil.rmtree(rendered)


def _replace_file(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` atomically (a temporary file beside it, renamed)."""
    if target.is_dir() and not target.is_symlink():
        raise OutputExistsError(f'"{target}" is a folder where generate-space writes a file')
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
