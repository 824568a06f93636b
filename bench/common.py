"""Shared helpers for the bench scripts: synthetic prompts, a hermetic environment,
starting a server and waiting for it, a raw Gradio REST client, statistics and tables.

Nothing here needs the network: servers bind to free 127.0.0.1 ports and every
HOME-like directory lives in a temporary folder. Only the standard library is
imported at module level, so the scripts start fast and measure what they claim.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
MACHINE = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}"

# -- synthetic prompts -------------------------------------------------------------------

_TOPICS = (
    "photosynthesis",
    "compound interest",
    "the French Revolution",
    "binary search",
    "climate change",
    "the water cycle",
    "supply and demand",
    "neural networks",
    "the Roman Empire",
    "plate tectonics",
    "vaccines",
    "the stock market",
    "black holes",
    "recycling",
    "the printing press",
    "electric cars",
    "sleep",
    "volcanoes",
    "jazz",
    "public transport",
    "bread baking",
    "chess openings",
    "honey bees",
    "solar panels",
)
_AUDIENCES = (
    "a ten-year-old",
    "a busy manager",
    "a first-year student",
    "my grandmother",
    "a software engineer",
    "a nurse",
    "a tourist",
    "a farmer",
)
_TEMPLATES = (
    "Explain {topic} to {audience} in {n} sentences.",
    "Write a short, friendly e-mail to {audience} about {topic}. Keep it under {n} words.",
    "List {n} surprising facts about {topic}, with one sentence each.",
    "Compare {topic} and {other}: give {n} similarities and {m} differences.",
    "A shop sells {n} items for ${price} each and {m} items for ${price2} each. "
    "What is the total revenue? Show your working.",
    "Summarise the history of {topic} for {audience}.\n\n- Start with the origins\n"
    "- End with today",
    "What does this code print?\n\n```python\nprint(sum(range({n})))  # adds numbers\n```",
    "Write a haiku about {topic}, then explain the image it uses to {audience}.",
    "Give {audience} a {n}-step plan to learn about {topic} in {m} weeks.",
    "Translate the idea of {topic} into a metaphor that {audience} would understand.",
)


def synth_prompts(n: int, seed: int = 2026) -> list[dict[str, Any]]:
    """``n`` distinct English prompts in the MPEP source shape (``prompt``, ``metadata``,
    ``row_idx``); the same ``seed`` always gives the same list."""
    rng = random.Random(seed)
    seen: set[str] = set()
    rows: list[dict[str, Any]] = []
    while len(rows) < n:
        topic, other = rng.sample(_TOPICS, 2)
        text = rng.choice(_TEMPLATES).format(
            topic=topic,
            other=other,
            audience=rng.choice(_AUDIENCES),
            n=rng.randint(2, 999),
            m=rng.randint(2, 99),
            price=f"{rng.randint(1, 99)}.{rng.randint(0, 99):02d}",
            price2=f"{rng.randint(1, 99)}.{rng.randint(0, 99):02d}",
        )
        if text in seen:
            continue
        seen.add(text)
        category = "math" if "$" in text else "code" if "```" in text else "general"
        rows.append(
            {
                "prompt": text,
                "metadata": json.dumps({"category": category, "source": "bench-synthetic"}),
                "row_idx": 1000 + len(rows),
            }
        )
    return rows


def write_prompt_file(path: Path, n: int, seed: int = 2026) -> Path:
    """Write :func:`synth_prompts` as a ``.jsonl`` prompt file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in synth_prompts(n, seed):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


# -- processes ---------------------------------------------------------------------------


# Settings that must not leak from the caller's environment into a test or bench process.
LEAKY_SETTINGS = (
    "SPACE_ID",
    "SYSTEM",
    "MPEP_USERS",
    "MPEP_REVIEWERS",
    "MPEP_SYNC_REPO",
    "MPEP_DATA_DIR",
    "GRADIO_SERVER_PORT",
    "GRADIO_SERVER_NAME",
)


def hermetic_settings(root: Path) -> dict[str, str]:
    """HOME, HF_HOME and GRADIO_TEMP_DIR under ``root``, no Hub token, no telemetry: the one
    definition of a hermetic environment, for tests (conftest) and bench processes alike."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "HF_HOME": str(home / "hf"),
        "GRADIO_TEMP_DIR": str(home / "gradio"),
        "HF_TOKEN": "",
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def hermetic_env(root: Path, **extra: str) -> dict[str, str]:
    """The current environment made hermetic (:func:`hermetic_settings`), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_SETTINGS}
    env.update(hermetic_settings(root))
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(
    url: str, timeout: float = 90.0, proc: subprocess.Popen | None = None, interval: float = 0.02
) -> None:
    """Poll ``url`` until it answers 200; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(interval)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f}s")


@dataclass
class Server:
    """A server subprocess on a free loopback port (``GRADIO_SERVER_PORT``)."""

    argv: list[str]
    cwd: Path
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self, timeout: float = 90.0) -> float:
        """Start the process and return the seconds until its first HTTP 200."""
        env = {**self.env, "GRADIO_SERVER_PORT": str(self.port), "GRADIO_SERVER_NAME": "127.0.0.1"}
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_http(self.url, timeout, self.proc)
        except BaseException:
            self.stop()
            raise
        return time.perf_counter() - started

    def stop(self) -> None:
        """Stop the process group we started (SIGTERM, then SIGKILL)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) used so far by process ``pid`` (Linux ``/proc``), or by
    this process when ``pid`` is None; NaN where it cannot be read."""
    if pid is None:
        usage = os.times()
        return usage.user + usage.system
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return math.nan


def run_timed(argv: Sequence[str], *, cwd: Path, env: dict[str, str]) -> float:
    """Run a whole process to completion; return its wall time, fail if it fails."""
    started = time.perf_counter()
    done = subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return elapsed


# -- a raw Gradio REST client ------------------------------------------------------------


class CallError(Exception):
    """An HTTP error answer (``status`` set) or a Gradio error event (``status`` 200)."""

    def __init__(self, status: int, message: str, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body


@dataclass
class Answer:
    """What one raw API call returned: HTTP status of the POST, SSE event name, data, bodies."""

    status: int
    event: str  # "complete", "error", or "" when the POST itself failed
    data: Any
    body: str  # the POST body and the SSE stream, for checks like "no Traceback"


class GradioHTTP:
    """The raw REST protocol of Gradio 6 over one keep-alive connection.

    ``POST /gradio_api/call/<api>`` with ``{"data": [...]}`` answers an ``event_id``;
    ``GET /gradio_api/call/<api>/<event_id>`` streams server-sent events until
    ``complete`` or ``error``. Log in with :meth:`login` (Gradio's ``/login`` form, as
    ``gradio_client`` does) to send the access-token cookie. One instance per thread.
    """

    def __init__(self, url: str, timeout: float = 60.0, session_hash: str | None = None) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self.cookie = ""
        # Browsers and gradio_client send one session hash per tab/client; without one,
        # Gradio builds a fresh session state (a config of every component) per call.
        self.session_hash = session_hash
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> http.client.HTTPResponse:
        headers = dict(headers or {})
        if self.cookie:
            headers.setdefault("Cookie", self.cookie)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                return conn.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()  # a stale keep-alive connection: retry once on a new one
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def login(self, user: str, password: str) -> None:
        form = urllib.parse.urlencode({"username": user, "password": password}).encode()
        response = self.request(
            "POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        text = response.read().decode("utf-8", "replace")
        if response.status != 200:
            raise CallError(response.status, f"login as {user!r} failed: {text}", text)
        cookies = [
            value.split(";", 1)[0]
            for name, value in response.getheaders()
            if name.lower() == "set-cookie" and value.startswith("access-token-unsecure-")
        ]
        if not cookies:
            raise CallError(response.status, f"login as {user!r} set no access-token cookie")
        self.cookie = "; ".join(cookies)

    def call_raw(self, api_name: str, payload: bytes | str) -> Answer:
        """POST a raw JSON body (exactly as given), then read the SSE answer."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        response = self.request(
            "POST",
            f"/gradio_api/call/{api_name}",
            payload,
            {"Content-Type": "application/json"},
        )
        post_body = response.read().decode("utf-8", "replace")
        if response.status != 200:
            return Answer(response.status, "", None, post_body)
        event_id = json.loads(post_body)["event_id"]
        response = self.request("GET", f"/gradio_api/call/{api_name}/{event_id}")
        if response.status != 200:
            body = response.read().decode("utf-8", "replace")
            return Answer(response.status, "", None, post_body + body)
        event, data, lines = "", None, []
        while True:
            raw = response.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lines.append(line)
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                text = line[5:].strip()
                try:
                    data = json.loads(text)
                except ValueError:
                    data = text
                break
        response.read()  # drain the rest so the connection can be reused
        return Answer(200, event, data, post_body + "\n".join(lines))

    def call(self, api_name: str, *args: Any) -> Any:
        """Call ``/api_name`` with ``args``; return its output or raise :class:`CallError`."""
        body: dict[str, Any] = {"data": list(args)}
        if self.session_hash:
            body["session_hash"] = self.session_hash
        answer = self.call_raw(api_name, json.dumps(body))
        if answer.status != 200:
            raise CallError(answer.status, f"HTTP {answer.status}", answer.body)
        if answer.event != "complete":
            raise CallError(200, error_message(answer.data), answer.body)
        data = answer.data
        return data[0] if isinstance(data, list) and len(data) == 1 else data


def error_message(data: Any) -> str:
    """The text of a Gradio error event (``{"error": ...}`` or a bare string)."""
    if isinstance(data, dict):
        return str(data.get("error") or data.get("message") or data)
    return "" if data is None else str(data)


# -- statistics and tables ---------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Iterable[float]) -> float:
    data = list(values)
    return statistics.median(data) if data else math.nan


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (readable as text, pastes into the README as is)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def seconds(value: float) -> str:
    return f"{value:.3f} s"


def millis(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def ratio_rows(
    baseline: tuple[str, Sequence[float]], measured: tuple[str, Sequence[float]], target: float
) -> tuple[list[list[str]], float]:
    """Table rows (median, min, max, ratio, target, result) of a measurement vs its baseline."""
    (base_label, base_times), (label, times) = baseline, measured
    ratio = median(times) / median(base_times)
    rows = [
        [
            base_label,
            seconds(median(base_times)),
            seconds(min(base_times)),
            seconds(max(base_times)),
            "1.00x",
            "",
            "",
        ],
        [
            label,
            seconds(median(times)),
            seconds(min(times)),
            seconds(max(times)),
            f"{ratio:.2f}x",
            f"<= {target:.2f}x",
            verdict(ratio <= target),
        ],
    ]
    return rows, ratio


def compile_packages(*packages: str) -> None:
    """Write the bytecode of ``packages`` (their ``__pycache__``), as pip does when it
    installs a wheel: the measured processes run with ``PYTHONDONTWRITEBYTECODE`` (kept
    from the tests' hermetic settings), so without this an editable checkout would
    compile its sources again in every measured run, which no installed copy does."""
    import compileall
    import importlib.util

    for name in packages:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=2)
