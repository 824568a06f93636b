"""Request limits in front of the Gradio app (an ASGI middleware).

- A body over ``max_body`` bytes gets HTTP 413 before it is read: by its
  ``Content-Length``, or, for a chunked body, as soon as the bytes read pass it.
- ``/gradio_api/upload`` is off: the Space has no upload component, so an upload
  can only be someone filling the disk.
- ``/logout`` ends the session on the server too: Gradio 6's ``all_session=false``
  deletes only the cookie's copy of a token sent over https, so a copied cookie
  stayed valid after "Log out".
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY = 4 * 1024 * 1024


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

    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
