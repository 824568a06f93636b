"""Reliability: hostile input and forged identities against one running Space, and fuzzing
of the generator's and collector's input readers.

One Space (``python app.py``, password mode, rita reviews) serves the whole module; every
call goes over Gradio's raw REST API, so the tests see exactly what a script or an
attacker sees: HTTP status, the server-sent event, and the bodies. Invariants for every
call: no 5xx, no stack trace in any body, a refusal carries our own message (never
Gradio's generic one), and a refused call writes nothing (event lines are counted before
and after). Crash, restore and Hub-outage tests live in test_space_app.py.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, render
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mpep_generator.errors import GeneratorError, PromptSourceError, UnknownLanguageError
from mpep_generator.languages import canonical_code, get_language
from mpep_generator.prompts import Prompt, load_prompt_file
from mpep_space.events import event_files, read_logs

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from bench.common import (  # noqa: E402
    PYTHON,
    Answer,
    GradioHTTP,
    Server,
    hermetic_env,
    write_prompt_file,
)

USERS = ("fuzz", "bob", "carol", "rita", "mallory")
# MPEP_FUZZ_EXAMPLES=500 digs deeper locally; CI keeps the small, fixed default.
FUZZ_EXAMPLES = int(os.environ.get("MPEP_FUZZ_EXAMPLES") or 30)
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GENERIC_ERRORS = ("upstream Gradio app has raised", "Traceback", "Error(", "Exception(")


@dataclass
class LiveSpace:
    url: str
    data_dir: Path
    prompt_ids: list[str]
    log: Path

    def as_user(self, user: str | None) -> GradioHTTP:
        api = GradioHTTP(self.url, timeout=30)
        if user:
            api.login(user, f"{user}-pw")
        return api

    def event_lines(self) -> int:
        return sum(len(p.read_bytes().splitlines()) for p in event_files(self.data_dir / "events"))

    def events(self) -> list[Any]:
        return read_logs(event_files(self.data_dir / "events")).events


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSpace]:
    root = tmp_path_factory.mktemp("reliability")
    prompts = write_prompt_file(root / "prompts.jsonl", 120, seed=7)
    space_dir = render(root, "nl", prompts=str(prompts))
    users = root / "users.txt"
    users.write_text("".join(f"{u}:{u}-pw\n" for u in USERS), encoding="utf-8")
    data_dir = root / "data"
    env = hermetic_env(
        root, MPEP_USERS=str(users), MPEP_REVIEWERS="rita", MPEP_DATA_DIR=str(data_dir)
    )
    server = Server([PYTHON, "app.py"], space_dir, env, root / "space.log")
    server.start(timeout=120)
    ids = [json.loads(line)["id"] for line in (space_dir / "prompts.jsonl").open()]
    try:
        yield LiveSpace(server.url, data_dir, ids, root / "space.log")
    finally:
        server.stop()


# -- what every answer must look like -------------------------------------------------------


def assert_sane(answer: Answer, what: str) -> None:
    assert answer.status < 500, f"{what}: HTTP {answer.status}: {answer.body[:300]}"
    assert "Traceback" not in answer.body, f"{what}: a stack trace: {answer.body[:500]}"
    if answer.status == 200:
        assert answer.event in ("complete", "error"), f"{what}: no final event: {answer.body}"
    if answer.event == "error":
        message = answer.data.get("error") if isinstance(answer.data, dict) else answer.data
        assert isinstance(message, str) and len(message) >= 10, f"{what}: no message: {answer}"
        assert not any(g in message for g in GENERIC_ERRORS), f"{what}: generic: {message}"


def call(api: GradioHTTP, endpoint: str, *args: Any) -> Answer:
    # json.dumps escapes lone surrogates as "\ud800": exactly what a JSON client sends.
    return api.call_raw(endpoint, json.dumps({"data": list(args)}))


def written(live: LiveSpace, before: int) -> int:
    return live.event_lines() - before


# -- hostile text ---------------------------------------------------------------------------

SPECIAL = (
    "",
    " ",
    "\n\t\r",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\x7f\x85",
    "\ud800",
    "x\udfffy",
    "\ufeff",
    "\u202eevil\u202c",
    "\u200f\u0645\u0631\u062d\u0628\u0627\u200e",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1)) **bold** `code` <!-- -->",
    "{{ cookiecutter.lang_code }} {% raw %}",
    "'; DROP TABLE events; --",
    "1 OR 1=1",
    "../../etc/passwd",
    "..\\..\\windows\\system32",
    "/dev/null",
    "events/../../space_config.json",
    "C:\\x",
    "null",
    "NaN",
    "x" * 25_000,
    "Een vertaling. " * 1_300,  # 19.5k characters: just under the limit
    "😀" * 100,
)


def _refused_char(ch: str) -> bool:
    return unicodedata.category(ch) == "Cs" or (
        unicodedata.category(ch) == "Cc" and ch not in "\n\t\r"
    )


_any_char = st.characters(codec=None, exclude_categories=())
hostile_text = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(_any_char, max_size=60),
    st.lists(st.sampled_from(SPECIAL[:25]) | st.text(_any_char, max_size=10), max_size=4).map(
        "".join
    ),
)


_PRINTABLE = [
    s for s in SPECIAL if s.strip() and len(s) < 1_000 and not any(_refused_char(c) for c in s)
]
# Valid but unusual translations: these are accepted and must be stored byte for byte.
plausible_text = st.builds(
    lambda n, extra: f"Vertaling {n}: {extra}", st.integers(0, 999), st.sampled_from(_PRINTABLE)
)


def prompt_ids(live: LiveSpace) -> st.SearchStrategy[str]:
    # The first 30 prompts are the fuzzer's; the authorisation tests take later ones.
    return st.one_of(st.sampled_from(live.prompt_ids[:30]), hostile_text)


# -- fuzzing every endpoint -----------------------------------------------------------------


@pytest.mark.slow
def test_fuzz_submit_translation(live: LiveSpace) -> None:
    api = live.as_user("fuzz")

    accepted = []

    @FUZZ
    @given(prompt_id=prompt_ids(live), text=st.one_of(hostile_text, plausible_text))
    # One call that must be accepted, however few valid pairs the fuzzer draws.
    @example(prompt_id=live.prompt_ids[0], text="Vertaling 1: een gewone zin van een mens.")
    def run(prompt_id: str, text: str) -> None:
        before = live.event_lines()
        answer = call(api, "submit_translation", prompt_id, text)
        assert_sane(answer, f"submit_translation({prompt_id!r:.40}, {text!r:.40})")
        if answer.event == "complete":
            assert prompt_id in live.prompt_ids and text.strip()
            assert written(live, before) in (0, 1)  # 0: a retry of the same text
            stored = {e.id: e for e in live.events()}[answer.data[0]["translation_id"]]
            assert (stored.user, stored.prompt_id, stored.text) == ("fuzz", prompt_id, text)
            accepted.append(text)
        else:
            assert written(live, before) == 0

    run()
    assert accepted, "the fuzzer never produced an acceptable translation"


@pytest.mark.slow
def test_fuzz_check_translation_writes_nothing(live: LiveSpace) -> None:
    api = live.as_user("fuzz")

    @FUZZ
    @given(prompt_id=prompt_ids(live), text=hostile_text)
    def run(prompt_id: str, text: str) -> None:
        before = live.event_lines()
        answer = call(api, "check_translation", prompt_id, text)
        assert_sane(answer, f"check_translation({prompt_id!r:.40}, {text!r:.40})")
        assert written(live, before) == 0
        if answer.event == "complete":
            assert isinstance(answer.data[0], list)

    run()


@pytest.mark.slow
def test_fuzz_skip_and_flag(live: LiveSpace) -> None:
    api = live.as_user("fuzz")

    @FUZZ
    @given(prompt_id=prompt_ids(live), reason=hostile_text, flag=st.booleans())
    def run(prompt_id: str, reason: str, flag: bool) -> None:
        before = live.event_lines()
        if flag:
            answer = call(api, "flag", prompt_id, reason)
        else:
            answer = call(api, "skip", prompt_id)
        assert_sane(answer, f"{'flag' if flag else 'skip'}({prompt_id!r:.40}, {reason!r:.40})")
        if answer.event == "complete":
            assert answer.data == [{"ok": True}]
            assert written(live, before) in ((1,) if flag else (0, 1))  # a repeated skip: 0
        else:
            assert written(live, before) == 0

    run()


@pytest.mark.slow
def test_fuzz_submit_review(live: LiveSpace) -> None:
    rita, fuzz = live.as_user("rita"), live.as_user("fuzz")
    # Real translation ids to aim at, beside hostile ones.
    pending = []
    for _ in range(4):
        prompt = fuzz.call("next_prompt")
        pending.append(
            fuzz.call("submit_translation", prompt["prompt_id"], "Een redelijke vertaling.")[
                "translation_id"
            ]
        )
    verdicts = st.one_of(st.sampled_from(["approve", "reject"]), hostile_text)

    @FUZZ
    @given(
        translation_id=st.one_of(st.sampled_from(pending), hostile_text),
        verdict=verdicts,
        comment=hostile_text,
        edited=hostile_text,
    )
    def run(translation_id: str, verdict: str, comment: str, edited: str) -> None:
        before = live.event_lines()
        answer = call(rita, "submit_review", translation_id, verdict, comment, edited)
        assert_sane(answer, f"submit_review({translation_id!r:.40}, {verdict!r:.20}, ...)")
        if answer.event == "complete":
            assert written(live, before) == 1
            assert translation_id in pending and verdict in ("approve", "reject")
            review = {e.id: e for e in live.events()}[answer.data[0]["review_id"]]
            assert (review.user, review.translation_id, review.verdict) == (
                "rita",
                translation_id,
                verdict,
            )
        else:
            assert written(live, before) == 0

    run()


@pytest.mark.parametrize(
    ("endpoint", "user"),
    [("next_prompt", "fuzz"), ("next_review", "rita"), ("progress", "fuzz"), ("noop", "fuzz")],
)
@pytest.mark.slow
def test_fuzz_reads_ignore_extra_items_and_write_nothing(
    live: LiveSpace, endpoint: str, user: str
) -> None:
    api = live.as_user(user)

    @settings(FUZZ, max_examples=max(8, FUZZ_EXAMPLES // 4))
    @given(extra=st.lists(hostile_text, max_size=3))
    def run(extra: list[str]) -> None:
        before = live.event_lines()
        answer = call(api, endpoint, *extra)
        assert_sane(answer, f"{endpoint}(*{extra!r:.60})")
        assert written(live, before) == 0

    run()


@pytest.mark.slow
def test_malformed_bodies_get_4xx_not_5xx(live: LiveSpace) -> None:
    api = live.as_user("fuzz")
    before = live.event_lines()
    bodies = [
        b"",
        b"not json",
        b'{"data": "not a list"}',
        b'{"data": {"prompt_id": "1", "text": "x"}}',
        b'{"data": [1, 2, 3, 4, 5, 6, 7, 8]}',
        b'{"data": [null, null]}',
        b'{"data": [[], {}]}',
        b'{"data": ["\\ud800", "\\udfff"]}',
        b'{"data": ["1000", "\\u0000"]}',
        b"\xff\xfe\x00",
        b"[" * 5_000,
    ]
    for body in bodies:
        for endpoint in ("submit_translation", "flag", "skip", "check_translation"):
            answer = api.call_raw(endpoint, body)
            assert answer.status < 500, f"{endpoint} {body[:40]!r}: {answer.status}"
            assert "Traceback" not in answer.body
    assert written(live, before) == 0


# -- authorisation ---------------------------------------------------------------------------

WRITES = {
    "next_prompt": [],
    "submit_translation": ["1000", "Een vertaling."],
    "check_translation": ["1000", "Een vertaling."],
    "skip": ["1000"],
    "flag": ["1000", "offensive: no"],
    "next_review": [],
    "submit_review": ["0" * 32, "approve", "", ""],
}


@pytest.mark.slow
def test_anonymous_and_forged_cookies_get_401_and_write_nothing(live: LiveSpace) -> None:
    before = live.event_lines()
    anonymous = live.as_user(None)
    forged = live.as_user(None)
    forged.cookie = "access-token-unsecure-abc=forged; access-token-abc=forged"
    for api in (anonymous, forged):
        for endpoint, args in WRITES.items():
            answer = call(api, endpoint, *args)
            assert answer.status == 401, f"{endpoint}: {answer.status} {answer.body[:200]}"
            assert "Traceback" not in answer.body
        response = api.request("GET", "/gradio_api/call/submit_translation/" + "0" * 32)
        assert response.status == 401
        response.read()
    assert written(live, before) == 0


@pytest.mark.slow
def test_a_translator_cannot_review(live: LiveSpace) -> None:
    carol, bob = live.as_user("carol"), live.as_user("bob")
    prompt = carol.call("next_prompt")
    tid = carol.call("submit_translation", prompt["prompt_id"], "Carols vertaling.")[
        "translation_id"
    ]
    before = live.event_lines()
    answer = call(bob, "next_review")
    assert_sane(answer, "next_review as bob")
    assert answer.event == "error"
    assert "bob is not a reviewer" in answer.data["error"]
    for verdict, comment in (("approve", ""), ("reject", "Slecht.")):
        answer = call(bob, "submit_review", tid, verdict, comment, "")
        assert_sane(answer, "submit_review as bob")
        assert answer.event == "error" and "bob is not a reviewer" in answer.data["error"]
        # A forged reviewer name among the data items changes nothing.
        answer = call(bob, "submit_review", tid, verdict, comment, "", "rita")
        assert_sane(answer, "submit_review as bob, claiming rita")
        assert answer.event == "error"
    assert written(live, before) == 0
    assert all(e.user != "bob" for e in live.events() if e.kind == "review")


@pytest.mark.slow
def test_self_review_is_refused(live: LiveSpace) -> None:
    rita = live.as_user("rita")
    prompt = rita.call("next_prompt")
    tid = rita.call("submit_translation", prompt["prompt_id"], "Rita's eigen vertaling.")[
        "translation_id"
    ]
    before = live.event_lines()
    for verdict, comment, edited in (
        ("approve", "", ""),
        ("approve", "", "Beter."),
        ("reject", "Nee.", ""),
    ):
        answer = call(rita, "submit_review", tid, verdict, comment, edited)
        assert_sane(answer, "self-review")
        assert answer.event == "error"
        assert answer.data["error"] == "You cannot review your own translation in this language."
    offered = call(rita, "next_review")
    assert_sane(offered, "next_review")
    assert offered.event == "complete"
    assert offered.data[0] is None or offered.data[0]["translator"] != "rita"
    assert written(live, before) == 0
    assert not [e for e in live.events() if e.kind == "review" and e.translation_id == tid]


FORGED_ITEMS = (
    ["mallory"],
    ["translator", "mallory"],
    [{"translator": "mallory", "user": "mallory", "username": "mallory"}],
)


@pytest.mark.slow
@pytest.mark.parametrize("extra", FORGED_ITEMS, ids=["name", "pair", "object"])
def test_forged_identity_in_data_items_is_ignored(live: LiveSpace, extra: list[Any]) -> None:
    bob = live.as_user("bob")
    prompt = bob.call("next_prompt")
    before = live.event_lines()
    answer = call(bob, "submit_translation", prompt["prompt_id"], "Bobs vertaling.", *extra)
    assert_sane(answer, f"submit_translation with {extra}")
    if answer.event == "complete":
        tid = answer.data[0]["translation_id"]
        assert written(live, before) == 1
        stored = {e.id: e for e in live.events()}
        assert stored[tid].user == "bob"
    else:
        assert written(live, before) == 0
    assert all(e.user != "mallory" for e in live.events())


@pytest.mark.slow
def test_forged_identity_in_the_body_is_ignored(live: LiveSpace) -> None:
    bob = live.as_user("bob")
    prompt = bob.call("next_prompt")
    before = live.event_lines()
    body = {
        "data": [prompt["prompt_id"], "Nog een vertaling van Bob."],
        "translator": "mallory",
        "user": "mallory",
        "username": "mallory",
        "request": {"username": "mallory"},
        "session_hash": "mallory",
    }
    answer = bob.call_raw("submit_translation", json.dumps(body))
    assert_sane(answer, "submit_translation with forged body keys")
    if answer.event == "complete":
        assert written(live, before) == 1
        tid = answer.data[0]["translation_id"]
        assert {e.id: e.user for e in live.events()}[tid] == "bob"
    else:
        assert written(live, before) == 0
    # mallory has a password, never logged in: nothing may carry her name.
    assert all(e.user != "mallory" for e in live.events())
    progress = bob.call("progress")
    assert "mallory" not in {c["user"] for c in progress["contributors"]}


@pytest.fixture(autouse=True)
def no_crash_in_the_server_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test that used the live Space: the part of its log written during the
    test shows no crash (so the check does not depend on which tests ran, or their order).

    Gradio prints a traceback for every ``gr.Error`` unless it is raised with
    ``print_exception=False``; those end in ``gradio.exceptions.Error: <our message>``
    and are refusals, not crashes. Any other exception type is a bug.
    """
    if "live" not in request.fixturenames:
        yield
        return
    live: LiveSpace = request.getfixturevalue("live")
    start = live.log.stat().st_size
    yield
    with live.log.open("rb") as handle:
        handle.seek(start)
        log = handle.read().decode("utf-8", errors="replace")
    crashes = [
        exception
        for exception in _logged_exceptions(log)
        if not exception.startswith("gradio.exceptions.Error: ")
    ]
    assert not crashes, crashes[:5]


def _logged_exceptions(log: str) -> list[str]:
    """The final ``Type: message`` line of every traceback in ``log``."""
    found = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        lines = block.splitlines()[1:]
        found.append(next((ln for ln in lines if ln and not ln.startswith(" ")), "?"))
    return found


# -- the generator's and the collector's input readers --------------------------------------

_row_values = st.one_of(
    hostile_text, st.integers(), st.floats(), st.booleans(), st.none(), st.just([]), st.just({})
)
_rows = st.dictionaries(
    st.sampled_from(["prompt", "metadata", "row_idx", "id", "extra"]) | hostile_text,
    _row_values,
    max_size=4,
)


def _jsonl(rows: list[dict[str, Any]], junk: list[str]) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + junk
    return "\n".join(lines).encode("utf-8", "surrogatepass")


prompt_file_bytes = st.one_of(
    st.binary(max_size=300),
    st.builds(_jsonl, st.lists(_rows, max_size=4), st.lists(hostile_text, max_size=2)),
    st.lists(st.text(_any_char, max_size=30), max_size=5).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
    ),
    st.builds(
        lambda header, rows: (header + "\n" + "\n".join(rows)).encode("utf-8", "surrogatepass"),
        st.sampled_from(["prompt", "prompt,row_idx", "prompt,metadata,id", "id", ""]),
        st.lists(hostile_text, max_size=4),
    ),
)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_fuzz_load_prompt_file_raises_only_prompt_source_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"prompts{suffix}"

    @settings(FUZZ, max_examples=150 * max(1, FUZZ_EXAMPLES // 30))
    @given(data=prompt_file_bytes)
    def run(data: bytes) -> None:
        path.write_bytes(data)
        try:
            prompts = load_prompt_file(path)
        except PromptSourceError as exc:
            assert str(exc)
            return
        assert prompts and all(isinstance(p, Prompt) for p in prompts)
        assert len({p.id for p in prompts}) == len(prompts)

    run()


@settings(FUZZ, max_examples=300 * max(1, FUZZ_EXAMPLES // 30))
@given(code=st.one_of(hostile_text, st.from_regex(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}")))
def test_fuzz_canonical_code_raises_only_unknown_language_error(code: str) -> None:
    try:
        canonical = canonical_code(code)
    except UnknownLanguageError as exc:
        assert str(exc)
        return
    assert canonical == canonical_code(canonical)  # idempotent


@settings(FUZZ, max_examples=150 * max(1, FUZZ_EXAMPLES // 30))
@given(code=st.from_regex(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,2}", fullmatch=True))
def test_fuzz_get_language_raises_only_generator_errors(code: str) -> None:
    try:
        spec = get_language(code)
    except GeneratorError:
        return
    assert spec.code == canonical_code(code) and spec.name and spec.direction in ("ltr", "rtl")


@settings(FUZZ, max_examples=150 * max(1, FUZZ_EXAMPLES // 30))
@given(
    data=st.lists(
        st.one_of(
            st.binary(max_size=80), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass"))
        ),
        max_size=6,
    )
)
def test_fuzz_event_log_reader_never_raises(tmp_path: Path, data: list[bytes]) -> None:
    events = tmp_path / "events"
    events.mkdir(exist_ok=True)
    path = events / "log.jsonl"
    path.write_bytes(b"\n".join(data))
    result = read_logs(event_files(events))
    assert len(result.events) + len(result.problems) <= max(1, len(path.read_bytes().split(b"\n")))
    assert all(p.file == str(path) for p in result.problems)
