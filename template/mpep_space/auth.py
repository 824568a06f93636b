"""Who is calling: Hugging Face OAuth on Spaces, password users, or one local user.

- ``SPACE_ID`` set (on Spaces): OAuth via ``gr.LoginButton``; identity from
  ``gr.OAuthProfile``.
- ``MPEP_USERS=<file>`` (self-hosting, tests): Gradio's password login with the
  ``user:password`` lines of that file; identity from ``gr.Request.username``.
- neither: a single local user named after the OS account, with a banner.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigError


@dataclass(frozen=True)
class AuthMode:
    kind: str  # "oauth" | "password" | "local"
    users: tuple[tuple[str, str], ...] = ()
    local_user: str = ""

    def identify(self, request: Any, profile: Any) -> str | None:
        """The caller's user name, or None when anonymous."""
        if self.kind == "oauth":
            return getattr(profile, "username", None) or None
        if self.kind == "password":
            return getattr(request, "username", None) or None
        return self.local_user

    @property
    def banner(self) -> str:
        if self.kind == "local":
            return (
                f"**Local single-user mode**: you are *{self.local_user}*, and you may review "
                "your own translations (self-review is on), so a prompt can be finished. Set "
                "`MPEP_USERS` to a file of `user:password` lines for several people (then the "
                "language's review rule applies), or run on Spaces for Hugging Face login."
            )
        return ""


def load_users(path: Path) -> tuple[tuple[str, str], ...]:
    """Parse a ``user:password`` file; comments (#) and blank lines are ignored."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # Notepad writes a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"MPEP_USERS: cannot read {path} ({exc})") from None
    users: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, password = line.partition(":")
        if not sep or not name.strip() or not password:
            raise ConfigError(f"{path}: line {number}: expected 'user:password'")
        if name.strip() in users:
            raise ConfigError(f"{path}: line {number}: user {name.strip()!r} is listed twice")
        users[name.strip()] = password
    if not users:
        raise ConfigError(f"{path}: no users; add lines like 'alice:secret'")
    return tuple(users.items())


def detect(env: Mapping[str, str] | None = None) -> AuthMode:
    env = os.environ if env is None else env
    if env.get("SPACE_ID"):
        return AuthMode("oauth")
    if env.get("MPEP_USERS"):
        return AuthMode("password", users=load_users(Path(env["MPEP_USERS"])))
    return AuthMode("local", local_user=_os_user())


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local-user"
