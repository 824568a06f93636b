"""Who is calling: the three identity modes of a Space."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mpep_space.auth import AuthMode, detect, load_users
from mpep_space.config import ConfigError


def test_on_spaces_identity_comes_from_the_oauth_profile() -> None:
    mode = detect({"SPACE_ID": "DIBT/mpep-nl"})
    assert mode.kind == "oauth"
    assert mode.identify(None, SimpleNamespace(username="ann")) == "ann"
    assert mode.identify(SimpleNamespace(username="forged"), None) is None  # logged out


def test_password_mode_reads_the_users_file(tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    users.write_text("# team\nann:pw:with:colons\n\nben:secret\n")
    mode = detect({"MPEP_USERS": str(users)})
    assert mode.users == (("ann", "pw:with:colons"), ("ben", "secret"))
    assert mode.identify(SimpleNamespace(username="ben"), None) == "ben"
    assert mode.identify(SimpleNamespace(username=None), None) is None
    assert mode.banner == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ann\n", "line 1: expected 'user:password'"),
        ("ann:a\nann:b\n", "line 2: user 'ann' is listed twice"),
        ("# nobody\n", "no users"),
    ],
)
def test_a_bad_users_file_is_named(tmp_path: Path, content: str, message: str) -> None:
    users = tmp_path / "users.txt"
    users.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_users(users)


def test_local_mode_names_the_os_user_and_says_so() -> None:
    mode = detect({})
    assert mode.kind == "local" and mode.local_user
    assert mode.identify(None, None) == mode.local_user
    assert "Local single-user mode" in mode.banner


def test_the_login_button_appears_only_on_spaces(tmp_path: Path) -> None:
    import gradio as gr
    from conftest import render
    from mpep_space.config import load_config
    from mpep_space.handlers import Space
    from mpep_space.store import Store
    from mpep_space.ui import build_demo

    config = load_config(render(tmp_path, "nl"), env={})
    space = Space(config, Store(tmp_path / "d", config.prompt_ids, config.rules))
    demo = build_demo(space, AuthMode("local", local_user="me"))
    assert not any(isinstance(b, gr.LoginButton) for b in demo.blocks.values())


class WhoAmI(BaseHTTPRequestHandler):
    """A loopback stand-in for the Hub's whoami, which Gradio's mocked OAuth calls."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.dumps(
            {"type": "user", "name": "ann", "fullname": "Ann", "avatarUrl": ""}
        ).encode()
        self.send_response(200 if self.path.startswith("/api/whoami") else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.slow
def test_oauth_mode_serves_a_login_button_and_refuses_anonymous_writes(
    tmp_path: Path, start_space: Any
) -> None:
    from conftest import render
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    hub = ThreadingHTTPServer(("127.0.0.1", 0), WhoAmI)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    try:
        env = {
            **os.environ,
            "SPACE_ID": "DIBT-Dutch/mpep-nl",
            "HF_TOKEN": "hf_fake",
            "HF_ENDPOINT": f"http://127.0.0.1:{hub.server_port}",
            "MPEP_DATA_DIR": str(tmp_path / "data"),
        }
        env.pop("HF_HUB_OFFLINE", None)
        running = start_space(render(tmp_path, "nl"), env)
        with urllib.request.urlopen(running.url + "config", timeout=10) as response:
            config = json.loads(response.read())
        assert "Sign in with Hugging Face" in json.dumps(config)
        api = Client(running.url, verbose=False)
        with pytest.raises(AppError, match="Please log in first"):
            api.predict(
                "571",
                "Een vertaling door Ann, lang genoeg voor de controle van de Space: " * 3,
                api_name="/submit_translation",
            )
        assert not (tmp_path / "data" / "events").exists() or not any(
            (tmp_path / "data" / "events").iterdir()
        )

        cookie = _mocked_oauth_login(running.url)
        prompt = _call(running.url, "next_prompt", [], cookie)
        text = "Een vertaling door Ann, lang genoeg voor de controle van de Space. " * 3
        _call(running.url, "submit_translation", [prompt["prompt_id"], text], cookie)
        lines = next((tmp_path / "data" / "events").glob("*.jsonl")).read_text().splitlines()
        assert [json.loads(line)["user"] for line in lines] == ["ann"]
    finally:
        hub.shutdown()


def _mocked_oauth_login(url: str) -> str:
    """Gradio's mocked OAuth outside Spaces: /login/huggingface -> callback -> session cookie."""
    import httpx

    first = httpx.get(url + "login/huggingface", follow_redirects=False, timeout=10)
    callback = httpx.get(
        url.rstrip("/") + first.headers["location"], follow_redirects=False, timeout=10
    )
    # The cookie is marked Secure (as on Spaces); send it by hand over loopback http.
    return str(callback.headers["set-cookie"].split(";")[0])


def _call(url: str, api_name: str, data: list[Any], cookie: str) -> Any:
    """The raw two-step Gradio REST call: POST the inputs, then read the SSE result."""
    import httpx

    headers = {"Cookie": cookie}
    posted = httpx.post(
        f"{url}gradio_api/call/{api_name}", json={"data": data}, headers=headers, timeout=10
    )
    event_id = posted.json()["event_id"]
    stream = httpx.get(f"{url}gradio_api/call/{api_name}/{event_id}", headers=headers, timeout=10)
    lines = stream.text.splitlines()
    assert "event: complete" in lines, stream.text
    return json.loads(lines[lines.index("event: complete") + 1].removeprefix("data: "))[0]
