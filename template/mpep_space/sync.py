"""The Space's only door to the Hugging Face Hub: restore on boot, sync while running.

With ``MPEP_SYNC_REPO`` set and a token available, :func:`restore` downloads
the event files of that private dataset repo that are missing locally (before
the app serves), and :func:`start_sync` pushes ``events/`` there every
``MPEP_SYNC_MINUTES`` with ``huggingface_hub.CommitScheduler`` and once more at
exit. The Hub client is injected (``hf_api``), so tests pass a fake that stores
into a local folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import BUNDLE_DIR, EVENTS_PATTERN, SYNC_PATTERNS, env_number

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)

# Translators' unsubmitted drafts: pushed and restored by the Space like its events,
# never downloaded by the collector or the dashboard (they read SYNC_PATTERNS).
DRAFTS_PATTERN = "drafts/*.jsonl"
UPLOAD_PATTERNS = [*SYNC_PATTERNS, DRAFTS_PATTERN]
BUNDLE_FILES = ("space_config.json", "prompts.jsonl")


def stage_bundle(space_dir: Path, data_dir: Path) -> None:
    """Keep a copy of the Space's config and prompts beside its events.

    The sync repo then describes itself: the collector finds there the exact
    prompts translators saw, without needing the Space's files.
    """
    target = data_dir / BUNDLE_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in BUNDLE_FILES:
        src, dst = space_dir / name, target / name
        if src.is_file() and (not dst.is_file() or dst.read_bytes() != src.read_bytes()):
            tmp = dst.with_suffix(dst.suffix + ".tmp")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)


@dataclass(frozen=True)
class SyncSettings:
    repo_id: str
    token: str | None
    minutes: float

    @classmethod
    def from_env(cls, repo_id: str, env: Mapping[str, str] | None = None) -> SyncSettings | None:
        """Sync settings, or None when syncing is off (no repo or no token)."""
        env = os.environ if env is None else env
        if not repo_id:
            return None
        token = env.get("HF_TOKEN") or None
        minutes = env_number(env, "MPEP_SYNC_MINUTES", 5)
        return cls(repo_id=repo_id, token=token, minutes=minutes)


def make_api(settings: SyncSettings) -> Any:
    from huggingface_hub import HfApi  # the one place the real client is built

    return HfApi(token=settings.token)


def restore(store: Store, settings: SyncSettings, hf_api: Any) -> int:
    """Copy event (and draft) files that exist in the sync repo but not locally; return
    how many event files.

    Files are uuid-named per process and only appended to, so a file we already
    have locally is ours and at least as new: it is never overwritten.
    """
    with tempfile.TemporaryDirectory(prefix="mpep-restore-") as tmp:
        folder = Path(
            hf_api.snapshot_download(
                settings.repo_id,
                repo_type="dataset",
                allow_patterns=[EVENTS_PATTERN, DRAFTS_PATTERN],
                local_dir=tmp,
            )
        )
        copied = _copy_missing(folder / "events", store.events_dir)
        # Drafts are read when the Space's drafts open (after this restore).
        _copy_missing(folder / "drafts", store.data_dir / "drafts")
    if copied and store.loaded.is_set():  # else the store's first fold reads them
        store.reload()
    log.info("restored %d event file(s) from %s", copied, settings.repo_id)
    return copied


def _copy_missing(remote_dir: Path, local_dir: Path) -> int:
    """Copy the ``*.jsonl`` files of ``remote_dir`` that ``local_dir`` lacks; how many."""
    copied = 0
    for remote in sorted(remote_dir.glob("*.jsonl")):
        local = local_dir / remote.name
        if not local.exists():
            local_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(remote, local)
            copied += 1
    return copied


def start_sync(store: Store, settings: SyncSettings, hf_api: Any) -> Any:
    """Start a CommitScheduler on the data dir that reads it under the store's I/O lock."""
    from huggingface_hub import CommitScheduler

    class StoreScheduler(CommitScheduler):
        """A CommitScheduler whose ``lock`` is the store's I/O lock, from its first push
        on (``CommitScheduler.__init__`` makes its own lock and pushes at once)."""

        @property  # type: ignore[override]
        def lock(self) -> Any:
            return store.io_lock

        @lock.setter
        def lock(self, value: Any) -> None:
            pass  # one lock for writer and uploader: the store's

    scheduler = StoreScheduler(
        repo_id=settings.repo_id,
        repo_type="dataset",
        folder_path=store.data_dir,
        every=settings.minutes,
        private=True,
        token=settings.token,
        allow_patterns=UPLOAD_PATTERNS,
        hf_api=hf_api,
    )
    return scheduler
