"""Request limits in front of the Gradio app (an ASGI middleware).

- A body over ``max_body`` bytes gets HTTP 413 before it is read: by its
  ``Content-Length``, or, for a chunked body, as soon as the bytes read pass it.
- ``/gradio_api/upload`` is off: the Space has no upload component, so an upload
  can only be someone filling the disk.
- ``/logout`` ends the session on the server too: Gradio 6's ``all_session=false``
  deletes only the cookie's copy of a token sent over https, so a copied cookie
  stayed valid after "Log out".
- At most ``max_active`` calls (``POST``/``GET /gradio_api/call/...`` and the UI's
  ``POST /gradio_api/queue/join``) are inside Gradio at once; the others wait at the
  door and go in in arrival order (:class:`FifoGate`). Why: Gradio serves every call
  it has taken in on one event loop, a few steps each in turn, so 200 calls arriving
  in the same instant (bench/load.py, a class told "start now") each waited behind
  all the others and behind every later call: the burst's slowest answers came after
  4-5 s where its last call needs ~1 s of the Space's CPU. In arrival order the n-th
  call of a burst waits for the n-1 before it, no longer, and the Space spends less
  CPU per call (fewer coroutines to switch between). A ``GET`` (the answer's event
  stream) holds its place only until its first bytes go out, so a stream that stays
  open (a heartbeat every 15 s) never keeps others waiting.
- ``ready`` (:class:`Preload`): the first of those calls starts loading, in a thread,
  what Gradio's first call would otherwise load on the event loop; until it is loaded
  the calls wait at the door, and pages, static files and logins are served meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY = 4 * 1024 * 1024
# Calls inside Gradio at once (MPEP_MAX_ACTIVE_CALLS). 4-16 all served a burst of 200
# in arrival order on 2 cores (bench/load.py); 8 leaves room for a slow call or two.
DEFAULT_MAX_ACTIVE = 8


class FifoGate:
    """At most ``limit`` holders at once; the others wait and enter in arrival order.

    (asyncio.Semaphore documents no order and let a newcomer take a slot freed while
    others still waited before Python 3.11.1; the order is the point here, so it is
    written out and tested.)
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self.limit = limit
        self.active = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for future in self._waiting if not future.done())

    async def acquire(self) -> None:
        if self.active < self.limit and not self._waiting:
            self.active += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        try:
            await future  # release() hands its slot straight to us: active is unchanged
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # given the slot as we were cancelled: pass it on
            else:
                self._waiting.remove(future)
            raise

    def release(self) -> None:
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(None)
                return
        self.active -= 1


class Preload:
    """``load`` run once, in a thread, when :meth:`start` is first called; :meth:`is_set`
    once it has run (also when it failed: then the first call pays, as without it)."""

    def __init__(self, load: Callable[[], None], name: str) -> None:
        self._load = load
        self._name = name
        self._lock = threading.Lock()
        self._started = False
        self.done = threading.Event()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name=f"preload-{self._name}", daemon=True).start()

    def is_set(self) -> bool:
        return self.done.is_set()

    def _run(self) -> None:
        try:
            self._load()
        except Exception as exc:  # never keep the door shut
            log.warning("could not load %s ahead of the first call: %s", self._name, exc)
        finally:
            self.done.set()


def _gated(scope: Scope) -> bool:
    """The short calls that go through the gate (never a long-lived stream)."""
    path, method = str(scope.get("path", "")), scope.get("method")
    if "/gradio_api/call/" in path:
        return method in ("POST", "GET")
    return method == "POST" and path.rstrip("/").endswith("/gradio_api/queue/join")


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class RequestLimits:
    """See the module docstring. ``max_body`` is in bytes."""

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = DEFAULT_MAX_BODY,
        max_active: int | None = DEFAULT_MAX_ACTIVE,
        ready: Preload | None = None,
    ) -> None:
        """``max_active=None``: no gate (every call goes straight in). ``ready``: calls
        start it and wait until it is set (None: no wait)."""
        self.app = app
        self.max_body = max_body
        self.gate = FifoGate(max_active) if max_active else None
        self.ready = ready

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _gated(scope):
            await self._limited(scope, receive, send)
            return
        if self.gate is None:
            await self._until_ready()
            await self._limited(scope, receive, send)
            return
        gate = self.gate
        await gate.acquire()
        inside = True

        def leave() -> None:
            nonlocal inside
            if inside:
                inside = False
                gate.release()

        async def send_and_leave(message: Message) -> None:
            # An event stream's first bytes are its answer (or a heartbeat): done.
            if message["type"] == "http.response.body" and message.get("body"):
                leave()
            await send(message)

        try:
            await self._until_ready()
            await self._limited(scope, receive, send_and_leave)
        finally:
            leave()

    async def _until_ready(self) -> None:
        if self.ready is None or self.ready.is_set():
            return
        self.ready.start()
        # Set by another thread, once, about a second later: a short poll, by the first
        # few callers only (the rest wait in line behind them).
        while not self.ready.is_set():
            await asyncio.sleep(0.02)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The body limits and the closed routes."""
        path = str(scope.get("path", ""))
        if path.rstrip("/").endswith("/upload"):
            await _answer(send, 403, "Uploads are off in this Space.")
            return
        if path.rstrip("/").endswith("/logout"):
            _end_session(scope)
        length = _header(scope, b"content-length")
        too_large = f"Request body over {self.max_body:,} bytes."
        if length is not None and not length.strip().isdigit():
            await _answer(send, 400, "Content-Length must be a number of bytes.")
            return
        if length is not None and int(length) > self.max_body:
            await _answer(send, 413, too_large)
            return
        started = answered = False
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen, answered
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    # Answer now and tell the app the client left: it stops reading,
                    # and whatever it still sends is dropped below.
                    if not started and not answered:
                        answered = True
                        await _answer(send, 413, too_large)
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, watched_send)


def _end_session(scope: Scope) -> None:
    """Forget the server-side tokens of the cookies this logout request carries."""
    app = scope.get("app")
    tokens = getattr(app, "tokens", None)
    cookie_id = getattr(app, "cookie_id", None)
    raw = _header(scope, b"cookie")
    if not isinstance(tokens, dict) or cookie_id is None or not raw:
        return
    try:
        cookies = SimpleCookie(raw)
    except CookieError:
        return
    for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        if name in cookies:
            tokens.pop(cookies[name].value, None)
