"""Shared fixtures: a hermetic environment, rendered Spaces, running Spaces, a fake Hub.

Nothing here touches the network: HOME, HF_HOME and GRADIO_TEMP_DIR live in
tmp dirs, the Hub is a recording fake, servers bind to free 127.0.0.1 ports.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mpep_generator.languages import get_language
from mpep_generator.prompts import load_prompts
from mpep_generator.render import SpaceOptions, render_space

# One implementation of loopback ports and readiness polling, shared with bench/.
from bench.common import LEAKY_SETTINGS, Server, hermetic_settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("MPEP_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 20_000  # the longest any single expect() waits

PYTHON = sys.executable


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LEAKY_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in hermetic_settings(tmp_path_factory.mktemp("env")).items():
        monkeypatch.setenv(name, value)


def render(
    tmp_path: Path,
    lang: str = "nl",
    prompts: str = "sample",
    name: str | None = None,
    **options: Any,
) -> Path:
    """Render a Space with the library, as generate-space does."""
    out = tmp_path / (name or f"space-{lang}")
    return render_space(
        get_language(lang), load_prompts(prompts), out, options=SpaceOptions(**options)
    )


class SpaceProcess(Server):
    """``python app.py`` of a rendered Space, on a free loopback port (see bench.common.Server)."""

    def __init__(self, space_dir: Path, env: dict[str, str], log: Path) -> None:
        super().__init__([PYTHON, "app.py"], space_dir, env, log)
        self.space_dir = space_dir

    def serve(self, timeout: float = 90.0) -> SpaceProcess:
        """Start it and wait for its first HTTP 200."""
        self.start(timeout)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.txt"
    path.write_text("alice:alice-pw\nbob:bob-pw\ncarol:carol-pw\nrita:rita-pw\n")
    return path


@pytest.fixture
def space_env(tmp_path: Path, users_file: Path) -> dict[str, str]:
    """Environment for a Space subprocess in password mode; rita reviews."""
    env = dict(os.environ)
    env.update(
        MPEP_USERS=str(users_file), MPEP_REVIEWERS="rita", MPEP_DATA_DIR=str(tmp_path / "data")
    )
    return env


@pytest.fixture
def start_space(tmp_path: Path) -> Iterator[Any]:
    """Factory: start_space(space_dir, env) -> running SpaceProcess, killed at teardown."""
    started: list[SpaceProcess] = []

    def start(space_dir: Path, env: dict[str, str]) -> SpaceProcess:
        proc = SpaceProcess(space_dir, env, tmp_path / f"space-{len(started)}.log")
        started.append(proc)
        return proc.serve()

    yield start
    for proc in started:
        proc.kill()


def client(url: str, user: str) -> Any:
    from gradio_client import Client

    return Client(url, auth=(user, f"{user}-pw"), verbose=False)


LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n"


def _content(fileobj: Any) -> bytes:
    """The bytes of a ``CommitOperationAdd``'s ``path_or_fileobj``: bytes, a file or a path."""
    if isinstance(fileobj, bytes):
        return fileobj
    if hasattr(fileobj, "read"):
        return bytes(fileobj.read())
    return Path(fileobj).read_bytes()


class FakeHubHTTPError(Exception):
    """An HTTP error as ``HfHubHTTPError`` carries it: the status on ``response``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.response = SimpleNamespace(status_code=status)


class FakeHfApi:
    """A recording stand-in for ``huggingface_hub.HfApi``: repos are local folders.

    ``calls`` lists (method, args, kwargs); ``fail_uploads`` makes create_commit
    and upload_folder raise, as a Hub outage would.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.fail_uploads = False
        self.commits: dict[str, int] = {}  # repo -> commits made: its head is their count

    def head(self, repo_id: str) -> str:
        return f"{self.commits.get(repo_id, 0):040x}"

    def repo_info(self, repo_id: str, **kwargs: Any) -> Any:
        """The repo's head commit (``sha``), as ``HfApi.repo_info``."""
        self._record("repo_info", repo_id, **kwargs)
        return SimpleNamespace(id=repo_id, sha=self.head(repo_id))

    def repo_dir(self, repo_id: str) -> Path:
        path = self.root / repo_id.replace("/", "__")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _record(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))

    def create_repo(self, repo_id: str, **kwargs: Any) -> Any:
        self._record("create_repo", repo_id, **kwargs)
        self.repo_dir(repo_id)
        return SimpleNamespace(repo_id=repo_id, url=f"https://huggingface.co/{repo_id}")

    def create_commit(self, repo_id: str, operations: Any, **kwargs: Any) -> Any:
        """Adds and deletes in one step, as the Hub's commit: a failure changes nothing."""
        operations = list(operations)
        self._record("create_commit", repo_id, operations=operations, **kwargs)
        if self.fail_uploads:
            raise ConnectionError("the Hub is down (fake)")
        parent = kwargs.get("parent_commit")
        if parent is not None and parent != self.head(repo_id):
            raise FakeHubHTTPError(  # what the Hub answers a commit based on an old head
                412,
                f"412 Client Error: Precondition Failed for url: .../{repo_id}/commit/main "
                "(A commit has happened since. Please refresh and try again.)",
            )
        self.commits[repo_id] = self.commits.get(repo_id, 0) + 1
        from huggingface_hub import CommitOperationDelete

        target = self.repo_dir(repo_id)
        for op in operations:
            dest = target / op.path_in_repo
            if isinstance(op, CommitOperationDelete):
                if not dest.exists():  # as the Hub, which refuses to delete a missing file
                    raise ValueError(f"404: {op.path_in_repo} does not exist in {repo_id}")
                if op.is_folder:
                    shutil.rmtree(dest)
                else:
                    dest.unlink()
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(_content(op.path_or_fileobj))
        return SimpleNamespace(oid="fake")

    def upload_folder(self, *, repo_id: str, folder_path: str, **kwargs: Any) -> Any:
        self._record("upload_folder", repo_id=repo_id, folder_path=folder_path, **kwargs)
        if self.fail_uploads:
            raise ConnectionError("the Hub is down (fake)")
        self.commits[repo_id] = self.commits.get(repo_id, 0) + 1
        shutil.copytree(folder_path, self.repo_dir(repo_id), dirs_exist_ok=True)
        return SimpleNamespace(oid="fake")

    def snapshot_download(self, repo_id: str, **kwargs: Any) -> str:
        self._record("snapshot_download", repo_id, **kwargs)
        source = self.root / repo_id.replace("/", "__")
        if not source.is_dir():
            raise ConnectionError(f"no such fake repo {repo_id}")
        local_dir = kwargs.get("local_dir")
        if local_dir:
            shutil.copytree(source, local_dir, dirs_exist_ok=True)
            return str(local_dir)
        return str(source)

    def list_repo_tree(self, repo_id: str, **kwargs: Any) -> Iterator[Any]:
        """Every folder and file of the repo, a file with its size and blob id (git's sha1 of
        the bytes), lazily as the Hub's listing; a missing repo fails like an unreachable Hub.

        ``*.parquet`` files are LFS files, as the Hub's default ``.gitattributes`` makes
        them: ``lfs.sha256`` is the content's, ``blob_id`` the LFS pointer's."""
        self._record("list_repo_tree", repo_id, **kwargs)
        source = self.root / repo_id.replace("/", "__")
        if not source.is_dir():
            raise ConnectionError(f"no such fake repo {repo_id}")
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source).as_posix()
            if path.is_dir():  # a RepoFolder: a tree id, no blob id
                yield SimpleNamespace(path=rel, tree_id="fake")
                continue
            data = path.read_bytes()
            lfs = None
            if path.suffix == ".parquet":
                sha256 = hashlib.sha256(data).hexdigest()
                pointer = LFS_POINTER.format(sha256=sha256, size=len(data)).encode()
                lfs = SimpleNamespace(size=len(data), sha256=sha256, pointer_size=len(pointer))
                data = pointer
            blob_id = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            yield SimpleNamespace(
                path=rel, size=lfs.size if lfs else len(data), blob_id=blob_id, lfs=lfs
            )

    def add_space_secret(self, repo_id: str, key: str, value: str, **kwargs: Any) -> None:
        self._record("add_space_secret", repo_id, key, value, **kwargs)

    def add_space_variable(self, repo_id: str, key: str, value: str, **kwargs: Any) -> dict:
        self._record("add_space_variable", repo_id, key, value, **kwargs)
        return {}

    def run_as_future(self, fn: Any, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # mirror HfApi: the error travels in the future
            future.set_exception(exc)
        return future

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]


@pytest.fixture
def fake_hub(tmp_path: Path) -> FakeHfApi:
    return FakeHfApi(tmp_path / "fake-hub")


@pytest.fixture
def hub_login(fake_hub: FakeHfApi, monkeypatch: pytest.MonkeyPatch) -> Any:
    """login(token) -> the fake: the CLIs' ``HfApi`` is ``fake_hub``, ``HF_TOKEN`` is ``token``."""

    def login(token: str = "hf_test") -> FakeHfApi:
        import huggingface_hub

        monkeypatch.setattr(huggingface_hub, "HfApi", lambda **_: fake_hub)
        monkeypatch.setenv("HF_TOKEN", token)
        return fake_hub

    return login


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless; a missing browser fails the tests, never skips them."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: install it with `apt-get install -y chromium` "
            "(`playwright install` is neither possible nor needed here)",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # for every expect() in the browser tests
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, timeout=60_000
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """Factory of fresh browser contexts (one per person; ``width`` 390 for a phone), closed
    after the test."""
    contexts: list[Any] = []

    def make(width: int = 1280) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
