"""Starting the Space: settings, store, restore from and sync to the Hub, launch, stop.

``main`` is what ``python app.py`` runs. Every setting is read and checked
before anything serves: a bad one is one line naming it (exit code 1, no
traceback). The Hub client is injectable (``hf_api``) so tests use a fake.
"""

from __future__ import annotations

import html
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from . import handlers as h
from . import qa
from .auth import AuthMode, detect
from .config import SPACE_DIR, ConfigError, SpaceConfig, env_number, load_config
from .limits import DEFAULT_MAX_ACTIVE, DEFAULT_MAX_BODY, Preload, RequestLimits
from .store import Store
from .sync import SyncSettings, make_api, restore, stage_bundle, start_sync
from .ui import build_demo
from .ui_render import CSS

log = logging.getLogger("mpep_space")


@dataclass(frozen=True)
class ServerSettings:
    """How the server runs, from the environment."""

    # Calls run at once per endpoint. Beyond it Gradio queues them and, each time one
    # starts, sends every waiting client a new estimate: quadratic in the queue. 200
    # translators calling at once (bench/load.py) queued at 64: that made part of
    # /next_prompt's p95 tail. Room for all of them removes that part.
    concurrency: int = 256
    # Worker threads: every running call holds one, and Gradio's own bookkeeping after
    # each call needs one too, so there are more threads than calls.
    max_threads: int = 256 + 64
    max_body: int = DEFAULT_MAX_BODY
    # Calls inside Gradio at once; the rest wait in arrival order (limits.FifoGate:
    # a burst of 200 is then answered in ~1 s, not 4-5 s). 0: no gate.
    max_active: int = DEFAULT_MAX_ACTIVE

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServerSettings:
        concurrency = int(env_number(env, "MPEP_CONCURRENCY", cls.concurrency, whole=True))
        threads = env_number(env, "MPEP_MAX_THREADS", concurrency + 64, whole=True)
        return cls(
            concurrency=concurrency,
            max_threads=int(threads),
            max_body=int(env_number(env, "MPEP_MAX_BODY_BYTES", DEFAULT_MAX_BODY, whole=True)),
            max_active=_max_active(env),
        )


def _max_active(env: Mapping[str, str]) -> int:
    """MPEP_MAX_ACTIVE_CALLS: a whole number of at least 1, or 0 for no gate."""
    try:
        return int(
            env_number(env, "MPEP_MAX_ACTIVE_CALLS", DEFAULT_MAX_ACTIVE, whole=True, minimum=-1)
        )
    except ConfigError:
        raw = env.get("MPEP_MAX_ACTIVE_CALLS", "").strip()
        raise ConfigError(
            "MPEP_MAX_ACTIVE_CALLS must be a whole number of at least 1 "
            f"(0 turns the gate off), not {raw!r}"
        ) from None


@dataclass
class Running:
    demo: gr.Blocks
    space: h.Space
    url: str
    scheduler: Any = None


@dataclass
class Prepared:
    space: h.Space
    mode: AuthMode
    notes: list[str]
    scheduler: Any
    server: ServerSettings


def open_store(config: SpaceConfig, data_dir: Path, *, load: bool = True) -> Store:
    """The store of ``data_dir``; a folder that cannot take writes is a ConfigError.

    ``load=False`` leaves the log to fold later (:meth:`Store.load_in_background`).
    """
    try:
        store = Store(
            data_dir,
            config.prompt_ids,
            config.rules,
            lease_seconds=config.lease_minutes * 60,
            load=load,
        )
        store.check_writable()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"MPEP_DATA_DIR: cannot write to {data_dir} ({reason}); "
            "point MPEP_DATA_DIR at a writable folder"
        ) from None
    return store


def prepare(
    space_dir: Path = SPACE_DIR,
    env: Mapping[str, str] | None = None,
    hf_api: Any = None,
    *,
    fold_later: bool = False,
) -> Prepared:
    """Check every setting, open the store, restore from the Hub and start syncing.

    ``fold_later``: the event log is not read yet (the caller starts
    :meth:`Store.load_in_background` once the page serves); restored files are in
    place before that, so the one fold reads them too.
    """
    env = os.environ if env is None else env
    config: SpaceConfig = load_config(space_dir, env)
    server = ServerSettings.from_env(env)
    settings = SyncSettings.from_env(config.sync_repo, env)
    mode = detect(env)
    if mode.kind == "local" and not config.allow_self_review:
        # One local person can finish a prompt only by reviewing their own work (issue 12).
        config = replace(config, allow_self_review=True)
    data_dir = Path(env.get("MPEP_DATA_DIR") or space_dir / "data")
    store = open_store(config, data_dir, load=not fold_later)
    stage_bundle(space_dir, data_dir)
    log.info("%s: %d prompts, %s login", config.language.name, len(config.prompts), mode.kind)
    notes: list[str] = []
    scheduler = None
    if settings is not None and (settings.token or hf_api is not None):
        api = hf_api if hf_api is not None else make_api(settings)
        try:
            restore(store, settings, api)
        except Exception as exc:  # the Hub may be down: serve anyway, say so
            log.error("restore from %s failed: %s", settings.repo_id, exc)
            notes.append(
                f"Could not restore from {settings.repo_id} ({exc}); "
                "progress may be incomplete until it is reachable."
            )
        scheduler = start_sync(store, settings, api)
    elif settings is not None:
        notes.append(
            f"MPEP_SYNC_REPO is {settings.repo_id} but there is no HF_TOKEN: "
            "work is only kept on this machine."
        )
    _STOP_MESSAGE[0] = _stop_message(scheduler is not None)
    return Prepared(h.Space(config, store), mode, notes, scheduler, server)


def run(
    space_dir: Path = SPACE_DIR,
    env: Mapping[str, str] | None = None,
    hf_api: Any = None,
    *,
    block: bool = True,
) -> Running:
    """Start the Space. ``block=False`` returns once it serves (for tests)."""
    env = os.environ if env is None else env
    # Gradio rebuilds a pandas summary of recent events after every call by default;
    # under 50 translators that was a third of the Space's CPU (bench/load.py).
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    # A big log (100,000 events) takes seconds to fold: it is folded once the page
    # serves, and every call waits for it (Store.transaction), so none decides early.
    ready = prepare(space_dir, env, hf_api, fold_later=True)
    # Gradio wraps every call in a switch of matplotlib's backend; the first switch
    # imports matplotlib and pyplot (0.8 s of CPU here; a fresh machine also builds
    # matplotlib's font cache) on the event loop, and every request in flight stalled
    # behind it. The first API call now has it loaded in a thread while calls wait at
    # the door (limits.RequestLimits); loaded at start it would slow the first page.
    preload = Preload(load_matplotlib, "matplotlib")
    demo = build_demo(ready.space, ready.mode, ready.notes)
    demo.queue(default_concurrency_limit=ready.server.concurrency)
    lang = ready.space.config.language
    _, url, _ = demo.launch(
        auth=list(ready.mode.users) or None,
        auth_message=(
            f"MPEP · {html.escape(lang.name)} ({html.escape(lang.native_name)}): log in with "
            "the user name and password your language leader gave you."
        ),
        prevent_thread_lock=True,
        max_threads=ready.server.max_threads,
        max_file_size=ready.server.max_body,
        app_kwargs={
            "middleware": [
                Middleware(
                    RequestLimits,
                    max_body=ready.server.max_body,
                    max_active=ready.server.max_active or None,
                    ready=preload,
                )
            ]
        },
        css=CSS,
        footer_links=["api"],
        ssr_mode=False,
    )
    fold = ready.space.store.load_in_background()
    # Load the language-identification model once the page already serves, so the
    # first "Check" is fast and start-up is not slower for it; after the fold, which
    # every call waits for, so the two do not share the one Python core.
    threading.Thread(target=_warm_up_after, args=(fold,), name="qa-warm-up", daemon=True).start()
    if block:
        demo.block_thread()
    return Running(demo, ready.space, url or "", ready.scheduler)


def _warm_up_after(fold: threading.Thread) -> None:
    fold.join()
    qa.warm_up()


def load_matplotlib() -> None:
    """Do now what Gradio's first call does: import matplotlib, pick its backend."""
    try:
        from gradio.utils import MatplotlibBackendMananger  # (sic) Gradio's spelling
    except ImportError:  # another Gradio: its first call pays, as before
        return
    with MatplotlibBackendMananger():
        pass


def _stop_message(syncing: bool) -> str:
    if syncing:
        return "SIGTERM: stopping; the final sync pushes events not yet on the Hub"
    return "SIGTERM: stopping; no sync repo is set, so the events stay in the data folder only"


_STOP_MESSAGE = [_stop_message(False)]


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    """Spaces stop a Space with SIGTERM; exiting normally runs the final sync (atexit)."""
    log.info(_STOP_MESSAGE[0])
    raise SystemExit(0)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        run()
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
