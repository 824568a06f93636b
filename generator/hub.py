"""The generator's only door to the Hugging Face Hub.

Everything here goes through one ``HfApi``-like object given to :class:`Hub`
(a real ``huggingface_hub.HfApi`` by default, a recording fake in tests), so
the rest of the package never imports ``HfApi`` and tests never touch the
network. Failures become one-line :mod:`mpep_generator.errors` messages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from .errors import GeneratorError, HubUnreachableError
from .schema import ALPACA_FILE, DATA_DIR, DATA_FILE_STEM

PROMPTS_OFFLINE_HINT = "use --prompts FILE (.jsonl, .csv or .parquet) or --prompts sample"


class HfApiLike(Protocol):
    """The part of ``huggingface_hub.HfApi`` that the generator uses."""

    def snapshot_download(self, repo_id: str, **kwargs: Any) -> Any: ...
    def create_repo(self, repo_id: str, **kwargs: Any) -> Any: ...
    def upload_folder(self, **kwargs: Any) -> Any: ...
    def create_commit(self, repo_id: str, operations: Any, **kwargs: Any) -> Any: ...
    def add_space_secret(self, repo_id: str, key: str, value: str, **kwargs: Any) -> Any: ...
    def add_space_variable(self, repo_id: str, key: str, value: str, **kwargs: Any) -> Any: ...


class HubError(GeneratorError, RuntimeError):
    """The Hub answered, but refused or failed the request."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


HTTP_PRECONDITION_FAILED = 412  # the Hub's answer to a commit whose parent_commit is stale


def _status(exc: BaseException) -> int | None:
    """The HTTP status of a Hub client error (``HfHubHTTPError.response``), if any."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def _is_network_failure(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(
        names & {"ConnectError", "ConnectionError", "TimeoutException", "LocalEntryNotFoundError"}
    ) or isinstance(exc, (ConnectionError, TimeoutError))


@dataclass(frozen=True)
class RemoteFile:
    """A file of a Hub repo, as its listing describes it."""

    path: str
    size: int
    etag: str


# The names collect-mpep writes into a dataset repo, so the only ones a push may remove
# when a collect no longer writes them: the data file of an earlier collect (its name
# carries the digest of its bytes; push_to_hub's undigested name too) and AlpacaEval
# sets. Everything else (README.md is always written) may be a maintainer's file.
_ALPACA_STEM = re.escape(ALPACA_FILE.removesuffix(".json"))
COLLECTED_FILES = re.compile(
    rf"{re.escape(DATA_DIR)}/{re.escape(DATA_FILE_STEM)}(-[0-9a-f]+)?\.parquet"
    rf"|{_ALPACA_STEM}(-[A-Za-z0-9._-]+)?\.json"
)
COLLECT_COMMIT_MESSAGE = "Collected by collect-mpep"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DatasetPush:
    """What one ``push_dataset`` did: files sent and removed (none of either: no commit)."""

    url: str
    uploaded: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        return not (self.uploaded or self.deleted)


def _file_ids(path: Path) -> tuple[str, str]:
    """(sha256 of the bytes, git's blob sha1): the two ways the Hub names a file's content,
    read in chunks so a large data file is never held whole."""
    size = path.stat().st_size
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(b"blob %d\0" % size)
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            sha256.update(chunk)
            sha1.update(chunk)
    return sha256.hexdigest(), sha1.hexdigest()


def _same_on_hub(path: Path, remote: Any) -> bool:
    """Whether the Hub's file (an item of ``list_repo_tree``) has the bytes of ``path``.

    An LFS file's ``blob_id`` is its pointer's, so its content is known by
    ``lfs.sha256``; a plain git file's ``blob_id`` is git's sha1 of its bytes.
    """
    size = getattr(remote, "size", None)
    if size is not None and int(size) != path.stat().st_size:  # no need to hash
        return False
    sha256, blob_id = _file_ids(path)
    lfs_sha256 = getattr(getattr(remote, "lfs", None), "sha256", None)
    if lfs_sha256:
        return bool(lfs_sha256 == sha256)
    return bool(remote.blob_id == blob_id)


def _local_files(folder: Path) -> dict[str, Path]:
    """Repo path -> file of the folder; hidden files are left out, as ``upload_folder``
    leaves ``.git/`` and ``.cache/huggingface/`` out (the collector writes none)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found[rel.as_posix()] = path
    return found


@dataclass(frozen=True)
class PushResult:
    space_url: str
    sync_repo: str


class Hub:
    """Hub operations the generator and the collector need, over an injected client."""

    def __init__(self, api: HfApiLike | None = None, *, token: str | None = None) -> None:
        if api is None:
            from huggingface_hub import HfApi  # the one place the real client is built

            api = cast(HfApiLike, HfApi(token=token))
        self.api: HfApiLike = api
        self.token = token

    def _call(
        self, what: str, fn: Any, *args: Any, conflict: str | None = None, **kwargs: Any
    ) -> Any:
        """``fn(*args, **kwargs)``, its failures as one-line errors; ``conflict`` is the
        message for the Hub's 412 (the repo moved past the commit a request was based on)."""
        try:
            return fn(*args, **kwargs)
        except GeneratorError:
            raise
        except Exception as exc:  # the Hub client raises many unrelated types
            if conflict and _status(exc) == HTTP_PRECONDITION_FAILED:
                raise HubError(conflict) from None
            if _is_network_failure(exc):
                raise HubUnreachableError(
                    f"cannot reach the Hugging Face Hub to {what} ({_first_line(exc)})"
                ) from None
            raise HubError(f"the Hugging Face Hub refused to {what}: {_first_line(exc)}") from None

    def download_dataset(
        self,
        repo_id: str,
        *,
        allow_patterns: list[str] | None = None,
        offline_hint: str = PROMPTS_OFFLINE_HINT,
    ) -> Path:
        """Download a dataset repo (cached) and return its local folder.

        ``offline_hint`` ends the message when the Hub cannot be reached: what
        the user can do instead.
        """
        try:
            path = self._call(
                f"download {repo_id}",
                self.api.snapshot_download,
                repo_id,
                repo_type="dataset",
                allow_patterns=allow_patterns,
            )
        except HubUnreachableError as exc:
            message = f"{exc}; {offline_hint}" if offline_hint else str(exc)
            raise HubUnreachableError(message) from None
        return Path(path)

    def list_dataset_files(
        self, repo_id: str, *, offline_hint: str = PROMPTS_OFFLINE_HINT
    ) -> list[RemoteFile] | None:
        """Every file of a dataset repo with its size and etag (blob id), or None when the
        client cannot list (then the caller downloads as before)."""
        list_tree = getattr(self.api, "list_repo_tree", None)
        if list_tree is None:
            return None
        try:
            items = self._call(
                f"download {repo_id}", list_tree, repo_id, repo_type="dataset", recursive=True
            )
            items = self._call(f"download {repo_id}", list, items)  # the listing is lazy
        except HubUnreachableError as exc:
            message = f"{exc}; {offline_hint}" if offline_hint else str(exc)
            raise HubUnreachableError(message) from None
        files = []
        for item in items:
            blob_id = getattr(item, "blob_id", None)
            if blob_id is not None:  # folders have none
                lfs = getattr(item, "lfs", None)
                etag = getattr(lfs, "sha256", None) or blob_id  # as the Hub's ETag header
                files.append(RemoteFile(str(item.path), int(item.size or 0), str(etag)))
        return files

    def push_space(
        self, folder: Path, *, space_id: str, sync_repo: str, hf_token: str | None
    ) -> PushResult:
        """Create the Space and its private sync dataset, upload, and set secrets.

        Order matters: the dataset and the secrets exist before the Space's
        files arrive, so its first boot already syncs.
        """
        self._call(
            f"create the dataset {sync_repo}",
            self.api.create_repo,
            sync_repo,
            repo_type="dataset",
            private=True,
            exist_ok=True,
        )
        self._upload_imports(folder, sync_repo)
        self._create_space(space_id, hf_token, {"MPEP_SYNC_REPO": sync_repo})
        self._upload_space(folder, space_id, "Generated by generate-space", "data/**")
        return PushResult(f"https://huggingface.co/spaces/{space_id}", sync_repo)

    def _upload_imports(self, folder: Path, sync_repo: str) -> None:
        """Put the translations of ``--import`` where the Space restores its log from.

        They are event files in ``data/events/``, which the Space's own upload leaves
        out (``data/`` belongs to the running Space); at boot the Space copies the sync
        repo's event files it lacks, so the imported ones go to the sync repo.
        """
        import shutil
        import tempfile

        files = sorted((folder / "data" / "events").glob("import-*.jsonl"))
        if not files:
            return
        with tempfile.TemporaryDirectory(prefix="mpep-import-") as tmp:
            (Path(tmp) / "events").mkdir()
            for file in files:
                shutil.copyfile(file, Path(tmp) / "events" / file.name)
            self._call(
                f"upload the imported translations to {sync_repo}",
                self.api.upload_folder,
                repo_id=sync_repo,
                folder_path=tmp,
                repo_type="dataset",
                commit_message="Translations carried over by generate-space --import",
            )

    def push_dashboard(self, folder: Path, *, space_id: str, hf_token: str | None) -> str:
        """Create the dashboard Space (public, no OAuth) and upload it.

        The token becomes its ``HF_TOKEN`` secret so it can read private sync repos.
        """
        self._create_space(space_id, hf_token, {})
        self._upload_space(folder, space_id, "Generated by generate-space --dashboard", "cache/**")
        return f"https://huggingface.co/spaces/{space_id}"

    def _create_space(self, space_id: str, hf_token: str | None, variables: dict[str, str]) -> None:
        secrets = [{"key": "HF_TOKEN", "value": hf_token}] if hf_token else []
        extra: dict[str, Any] = (
            {"space_variables": [{"key": k, "value": v} for k, v in variables.items()]}
            if variables
            else {}
        )
        self._call(
            f"create the Space {space_id}",
            self.api.create_repo,
            space_id,
            repo_type="space",
            space_sdk="gradio",
            exist_ok=True,
            space_secrets=secrets,
            **extra,
        )
        # create_repo ignores secrets/variables when the Space already exists: set them again.
        if hf_token:
            self._call(
                f"set the HF_TOKEN secret of {space_id}",
                self.api.add_space_secret,
                space_id,
                "HF_TOKEN",
                hf_token,
            )
        for key, value in variables.items():
            self._call(
                f"set the {key} variable of {space_id}",
                self.api.add_space_variable,
                space_id,
                key,
                value,
            )

    def _upload_space(self, folder: Path, space_id: str, message: str, local_data: str) -> None:
        self._call(
            f"upload the Space {space_id}",
            self.api.upload_folder,
            repo_id=space_id,
            folder_path=str(folder),
            repo_type="space",
            commit_message=message,
            ignore_patterns=[local_data, "**/__pycache__/**"],
        )

    def push_dataset(self, folder: Path, *, repo_id: str, private: bool = False) -> DatasetPush:
        """Create (if needed) a dataset repo and make it hold ``folder``, in one commit.

        Only files whose bytes differ from the Hub's are sent; files the collector wrote
        earlier and no longer writes (:data:`COLLECTED_FILES`) are removed; a maintainer's
        other files stay. Nothing changed: no commit at all. One commit means a failure
        leaves the repo as it was, and the next push (comparing with the Hub, not with a
        record of earlier pushes) sends whatever is still missing.
        """
        self._call(
            f"create the dataset {repo_id}",
            self.api.create_repo,
            repo_id,
            repo_type="dataset",
            private=private,
            exist_ok=True,
        )
        url = f"https://huggingface.co/datasets/{repo_id}"
        local = _local_files(folder)
        # The files are compared with one commit of the repo, and the push's commit must
        # follow that one: a push that landed in between (another collect) makes this one
        # fail whole, rather than undo part of it.
        head = self._head(repo_id)
        remote = self._remote_files(repo_id, head)
        uploads = [name for name, path in local.items() if not _is_on_hub(path, remote.get(name))]
        deletes = sorted(
            name for name in remote if name not in local and COLLECTED_FILES.fullmatch(name)
        )
        if not uploads and not deletes:
            return DatasetPush(url)
        self._call(
            f"push the dataset {repo_id}",
            self.api.create_commit,
            repo_id,
            _operations(local, uploads, deletes),
            repo_type="dataset",
            commit_message=COLLECT_COMMIT_MESSAGE,
            conflict=(
                f"{repo_id} changed on the Hub while this push compared it with {folder} "
                "(another push at the same time?); nothing was pushed: run the collect again"
            ),
            **({"parent_commit": head} if head else {}),
        )
        return DatasetPush(url, tuple(uploads), tuple(deletes))

    def _head(self, repo_id: str) -> str | None:
        """The commit the dataset repo's main branch points at; None when the client
        cannot say (the push then goes without the check)."""
        repo_info = getattr(self.api, "repo_info", None)
        if repo_info is None:
            return None
        what = f"read the dataset {repo_id}"
        try:
            info = self._call(what, repo_info, repo_id, repo_type="dataset")
        except HubError:  # refused; an unreachable Hub (HubUnreachableError) goes up
            return None
        sha = getattr(info, "sha", None)
        return str(sha) if sha else None

    def _remote_files(self, repo_id: str, revision: str | None = None) -> dict[str, Any]:
        """Path -> listing item of every file of a dataset repo that exists (create_repo ran).

        A listing the Hub refuses (a repo that has just been created, a client without
        ``list_repo_tree``) counts as an empty repo: everything is sent, nothing removed.
        An unreachable Hub is an error: the commit would fail too.
        """
        list_tree = getattr(self.api, "list_repo_tree", None)
        if list_tree is None:
            return {}
        what = f"list the dataset {repo_id}"
        at = {"revision": revision} if revision else {}
        try:
            items = self._call(what, list_tree, repo_id, repo_type="dataset", recursive=True, **at)
            items = self._call(what, list, items)  # the listing is lazy
        except HubError:  # refused; an unreachable Hub (HubUnreachableError) goes up
            return {}
        # Folders have no blob id.
        return {str(i.path): i for i in items if getattr(i, "blob_id", None) is not None}


def _is_on_hub(path: Path, remote: Any) -> bool:
    return remote is not None and _same_on_hub(path, remote)


def _operations(
    local: dict[str, Path], uploads: Iterable[str], deletes: Iterable[str]
) -> list[Any]:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    adds = [
        CommitOperationAdd(path_in_repo=name, path_or_fileobj=str(local[name])) for name in uploads
    ]
    removes = [CommitOperationDelete(path_in_repo=name, is_folder=False) for name in deletes]
    return [*adds, *removes]
