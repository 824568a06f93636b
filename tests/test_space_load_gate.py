"""The Space's door for a crowd (limits.FifoGate in RequestLimits): at most N API calls are
inside Gradio at once, the others go in in arrival order; a call's event stream holds
its place only until its first bytes; streams that stay open are never held up; the
setting is checked at boot; and a real Space under the gate answers every call of a
burst correctly, also while its log is still being folded."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, render
from mpep_space.config import ConfigError
from mpep_space.limits import DEFAULT_MAX_ACTIVE, FifoGate, Preload, RequestLimits
from mpep_space.server import ServerSettings
from test_space_rules import nl

Message = MutableMapping[str, Any]


# -- the gate --------------------------------------------------------------------------


def run_async(coroutine: Any) -> Any:
    """``asyncio.run`` in a thread of its own: Playwright's sync API (the browser tests run
    in the same process) leaves an event loop running in this thread."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def main() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the scenario did not finish in 60 s"
    if errors:
        raise errors[0]
    return result[0]


def test_the_gate_lets_in_at_most_its_limit_in_arrival_order() -> None:
    async def scenario() -> tuple[list[int], int]:
        gate = FifoGate(2)
        order: list[int] = []
        inside = most = 0

        async def visitor(n: int) -> None:
            nonlocal inside, most
            await gate.acquire()
            inside += 1
            most = max(most, inside)
            order.append(n)
            await asyncio.sleep(0)  # let the others queue up behind
            inside -= 1
            gate.release()

        await asyncio.gather(*(visitor(n) for n in range(12)))
        return order, most

    order, most = run_async(scenario())
    assert order == list(range(12)) and most == 2


def test_a_newcomer_does_not_jump_the_line_when_a_slot_frees() -> None:
    async def scenario() -> list[str]:
        gate = FifoGate(1)
        order: list[str] = []
        await gate.acquire()  # held by "first"
        waiting = asyncio.create_task(enter(gate, "waiting", order))
        await asyncio.sleep(0)
        gate.release()  # the slot goes to "waiting", not to whoever asks next
        newcomer = asyncio.create_task(enter(gate, "newcomer", order))
        await asyncio.gather(waiting, newcomer)
        return order

    assert run_async(scenario()) == ["waiting", "newcomer"]


async def enter(gate: FifoGate, name: str, order: list[str]) -> None:
    await gate.acquire()
    order.append(name)
    gate.release()


def test_a_caller_that_gives_up_waiting_leaves_no_slot_taken() -> None:
    async def scenario() -> tuple[int, int, list[str]]:
        gate = FifoGate(1)
        order: list[str] = []
        await gate.acquire()
        quitter = asyncio.create_task(enter(gate, "quitter", order))
        patient = asyncio.create_task(enter(gate, "patient", order))
        await asyncio.sleep(0)
        quitter.cancel()
        await asyncio.sleep(0)
        gate.release()
        await patient
        with pytest.raises(asyncio.CancelledError):
            await quitter
        return gate.active, gate.waiting, order

    assert run_async(scenario()) == (0, 0, ["patient"])


def test_a_slot_given_to_a_caller_cancelled_at_that_moment_passes_on() -> None:
    async def scenario() -> tuple[int, list[str]]:
        gate = FifoGate(1)
        order: list[str] = []
        await gate.acquire()
        unlucky = asyncio.create_task(enter(gate, "unlucky", order))
        patient = asyncio.create_task(enter(gate, "patient", order))
        await asyncio.sleep(0)
        gate.release()  # handed to "unlucky", which is cancelled before it runs
        unlucky.cancel()
        await patient
        with pytest.raises(asyncio.CancelledError):
            await unlucky
        return gate.active, order

    assert run_async(scenario()) == (0, ["patient"])


def test_a_gate_needs_room_for_one() -> None:
    with pytest.raises(ValueError, match="at least 1, not 0"):
        FifoGate(0)


# -- the middleware --------------------------------------------------------------------


class FakeApp:
    """An ASGI app whose answers the test releases one by one.

    A path ending in ``/stream`` answers its first bytes when released, then stays open
    until ``finish`` is set (an event stream with a heartbeat); every other path
    answers all at once when released.
    """

    def __init__(self) -> None:
        self.entered: list[str] = []
        self.release: dict[str, asyncio.Event] = {}
        self.finish = asyncio.Event()

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        path = scope["path"]
        self.entered.append(path)
        await self.release.setdefault(path, asyncio.Event()).wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        if path.endswith("/stream"):
            await self.finish.wait()
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def request(method: str, path: str, body: bytes = b"") -> tuple[Message, Any, Any]:
    scope = {"type": "http", "method": method, "path": path, "headers": []}
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    return scope, receive, send


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def run_middleware(scenario: Callable[[FakeApp, RequestLimits], Any]) -> Any:
    async def main() -> Any:
        app = FakeApp()
        return await scenario(app, RequestLimits(app, max_active=1))

    return run_async(main())


def test_calls_beyond_the_limit_enter_in_arrival_order() -> None:
    async def scenario(app: FakeApp, limits: RequestLimits) -> list[str]:
        paths = [f"/gradio_api/call/api{n}" for n in range(5)]
        tasks = [asyncio.create_task(limits(*request("POST", p))) for p in paths]
        await settle()
        assert app.entered == paths[:1]  # one inside, four at the door
        for path in reversed(paths):  # answers released in reverse: order still kept
            app.release.setdefault(path, asyncio.Event()).set()
        await asyncio.gather(*tasks)
        return app.entered

    assert run_middleware(scenario) == [f"/gradio_api/call/api{n}" for n in range(5)]


def test_an_event_stream_holds_its_place_only_until_its_first_bytes() -> None:
    async def scenario(app: FakeApp, limits: RequestLimits) -> list[str]:
        stream = asyncio.create_task(limits(*request("GET", "/gradio_api/call/x/stream")))
        await settle()
        after = asyncio.create_task(limits(*request("POST", "/gradio_api/call/y")))
        await settle()
        assert app.entered == ["/gradio_api/call/x/stream"]
        app.release["/gradio_api/call/x/stream"].set()  # its first bytes go out
        app.release.setdefault("/gradio_api/call/y", asyncio.Event()).set()
        await asyncio.wait_for(after, 5)  # in and answered while the stream stays open
        assert not stream.done()
        app.finish.set()
        await stream
        return app.entered

    assert run_middleware(scenario) == ["/gradio_api/call/x/stream", "/gradio_api/call/y"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/gradio_api/heartbeat/abc"),
        ("GET", "/gradio_api/queue/data"),
        ("GET", "/"),
        ("POST", "/login/"),
        ("GET", "/gradio_api/info"),
    ],
)
def test_pages_and_long_lived_streams_never_wait_at_the_door(method: str, path: str) -> None:
    async def scenario(app: FakeApp, limits: RequestLimits) -> list[str]:
        busy = asyncio.create_task(limits(*request("POST", "/gradio_api/call/busy")))
        await settle()
        other = asyncio.create_task(limits(*request(method, path)))
        await settle()
        entered = list(app.entered)
        for key in ("/gradio_api/call/busy", path):
            app.release.setdefault(key, asyncio.Event()).set()
        app.finish.set()
        await asyncio.gather(busy, other)
        return entered

    assert run_middleware(scenario) == ["/gradio_api/call/busy", path]


def test_the_ui_joining_the_queue_waits_at_the_door_too() -> None:
    async def scenario(app: FakeApp, limits: RequestLimits) -> list[str]:
        busy = asyncio.create_task(limits(*request("POST", "/gradio_api/call/busy")))
        await settle()
        join = asyncio.create_task(limits(*request("POST", "/gradio_api/queue/join")))
        await settle()
        entered = list(app.entered)
        for key in ("/gradio_api/call/busy", "/gradio_api/queue/join"):
            app.release.setdefault(key, asyncio.Event()).set()
        await asyncio.gather(busy, join)
        return entered

    assert run_middleware(scenario) == ["/gradio_api/call/busy"]


def test_a_refused_body_frees_its_place() -> None:
    async def scenario(app: FakeApp, limits: RequestLimits) -> tuple[int, int]:
        limits.max_body = 10
        scope, receive, send = request("POST", "/gradio_api/call/big")
        scope["headers"] = [(b"content-length", b"1000")]
        sent: list[Message] = []

        async def record(message: Message) -> None:
            sent.append(message)

        await limits(scope, receive, record)
        assert limits.gate is not None
        return sent[0]["status"], limits.gate.active

    assert run_middleware(scenario) == (413, 0)


def test_without_a_limit_every_call_goes_straight_in() -> None:
    async def main() -> list[str]:
        app = FakeApp()
        limits = RequestLimits(app, max_active=None)
        tasks = [
            asyncio.create_task(limits(*request("POST", f"/gradio_api/call/a{n}")))
            for n in range(3)
        ]
        await settle()
        entered = list(app.entered)
        for path in list(app.release):
            app.release[path].set()
        await asyncio.gather(*tasks)
        return entered

    assert len(run_async(main())) == 3


@pytest.mark.parametrize("max_active", [1, None])
def test_calls_wait_at_the_door_until_the_preload_is_in(max_active: int | None) -> None:
    loads: list[int] = []
    go = threading.Event()

    def load() -> None:
        loads.append(1)
        go.wait(30)

    async def main() -> tuple[list[str], list[str]]:
        app = FakeApp()
        limits = RequestLimits(app, max_active=max_active, ready=Preload(load, "thing"))
        page = asyncio.create_task(limits(*request("GET", "/")))
        await asyncio.sleep(0.05)
        assert loads == []  # a page does not start the preload
        calls = [
            asyncio.create_task(limits(*request("POST", f"/gradio_api/call/c{n}")))
            for n in range(3)
        ]
        login = asyncio.create_task(limits(*request("POST", "/login/")))
        await asyncio.sleep(0.1)
        before = sorted(app.entered)  # the page and the login, no call
        for path in ("/", "/login/", *(f"/gradio_api/call/c{n}" for n in range(3))):
            app.release.setdefault(path, asyncio.Event()).set()
        await asyncio.gather(page, login)
        go.set()  # the preload is in: the calls go in
        await asyncio.wait_for(asyncio.gather(*calls), 10)
        return before, app.entered

    before, after = run_async(main())
    assert before == ["/", "/login/"] and loads == [1]
    assert sorted(after[2:]) == [f"/gradio_api/call/c{n}" for n in range(3)]


# -- the setting -----------------------------------------------------------------------


def test_the_setting_defaults_to_8_and_0_turns_the_gate_off() -> None:
    assert ServerSettings.from_env({}).max_active == DEFAULT_MAX_ACTIVE == 8
    assert ServerSettings.from_env({"MPEP_MAX_ACTIVE_CALLS": "3"}).max_active == 3
    assert ServerSettings.from_env({"MPEP_MAX_ACTIVE_CALLS": "0"}).max_active == 0


@pytest.mark.parametrize("value", ["-1", "x", "2.5"])
def test_a_bad_setting_is_one_line_naming_it(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ServerSettings.from_env({"MPEP_MAX_ACTIVE_CALLS": value})
    assert str(caught.value) == (
        "MPEP_MAX_ACTIVE_CALLS must be a whole number of at least 1 "
        f"(0 turns the gate off), not {value!r}"
    )


# -- a real Space ----------------------------------------------------------------------


def burst(url: str, users: list[str], calls: Callable[[Any, str], Any]) -> list[Any]:
    """Every user logs in, then all call at the same instant; their answers in order."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from bench.common import GradioHTTP

    ready = threading.Barrier(len(users))
    answers: list[Any] = [None] * len(users)

    def one(i: int, user: str) -> None:
        api = GradioHTTP(url, session_hash=f"s-{user}")
        try:
            api.login(user, f"{user}-pw")
            ready.wait(timeout=60)
            answers[i] = calls(api, user)
        except Exception as exc:  # shown in the assertion, never a hang
            answers[i] = exc
        finally:
            api.close()

    threads = [threading.Thread(target=one, args=(i, u), daemon=True) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def crowd_env(tmp_path: Path, space_env: dict[str, str], users: list[str]) -> dict[str, str]:
    users_file = tmp_path / "crowd.txt"
    users_file.write_text("".join(f"{u}:{u}-pw\n" for u in users))
    return {**space_env, "MPEP_USERS": str(users_file), "MPEP_MAX_ACTIVE_CALLS": "2"}


def translate(api: Any, user: str) -> tuple[str, str]:
    prompt = api.call("next_prompt")
    text = nl(f"Vertaling door {user}.")
    done = api.call("submit_translation", prompt["prompt_id"], text)
    return prompt["prompt_id"], done["translation_id"]


@pytest.mark.slow
def test_a_burst_through_a_narrow_door_is_answered_whole_and_right(
    tmp_path: Path, start_space: Any, space_env: dict[str, str]
) -> None:
    users = [f"u{i:02d}" for i in range(24)]
    running = start_space(render(tmp_path, "nl"), crowd_env(tmp_path, space_env, users))
    answers = burst(running.url, users, translate)
    assert not [a for a in answers if not isinstance(a, tuple)], answers
    assert len({pid for pid, _ in answers}) == len(users)  # no prompt handed out twice
    assert len({tid for _, tid in answers}) == len(users)
    from bench.common import GradioHTTP

    api = GradioHTTP(running.url)
    api.login(users[0], f"{users[0]}-pw")
    # A heartbeat stream (open for the page's whole life) is not held up by the door,
    # and does not hold it: a call made while it is open is answered.
    beat = api.request("GET", "/gradio_api/heartbeat/s-open")
    assert beat.status == 200
    other = GradioHTTP(running.url)
    other.login(users[1], f"{users[1]}-pw")
    assert other.call("progress")["translated"] == len(users)
    other.close()
    api.close()


@pytest.mark.slow
def test_a_burst_while_the_log_is_still_folding_is_answered_on_the_whole_log(
    tmp_path: Path, start_space: Any, space_env: dict[str, str]
) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from mpep_space.config import load_config
    from mpep_space.store import Store

    from bench import startup

    # 3,333 of 4,000 prompts done by the log: a call decided on a half-read log would
    # see fewer done and hand out a prompt the log has finished.
    space_dir, _ = startup.prepare(tmp_path, prompts=4000, seed=3, events=30_000)
    config = load_config(space_dir, env={})
    folded = Store(Path(startup.seed_data(tmp_path, "expected")), config.prompt_ids, config.rules)
    done = folded.ledger.progress().done
    still_open = {p.id for p in folded.ledger.open_prompts()}
    assert 0 < done < 4000 and still_open
    users = [f"u{i:02d}" for i in range(12)]
    env = {**crowd_env(tmp_path, space_env, users)}
    env["MPEP_DATA_DIR"] = startup.seed_data(tmp_path, "data")
    running = start_space(space_dir, env)

    def progress_then_translate(api: Any, user: str) -> tuple[int, str, str]:
        seen = api.call("progress")["done"]
        return (seen, *translate(api, user))

    answers = burst(running.url, users, progress_then_translate)
    assert not [a for a in answers if not isinstance(a, tuple)], answers
    assert "folded 30000 events" in running.output()
    assert {seen for seen, _, _ in answers} == {done}
    handed = [pid for _, pid, _ in answers]
    assert len(set(handed)) == len(users) and set(handed) <= still_open
