"""The generated translation Space in a real browser (issue 3).

Playwright for Python drives Debian's Chromium (``/usr/bin/chromium``; no
``playwright install``) against Spaces rendered into tmp dirs and started with
``python app.py`` in password mode (``MPEP_USERS``; rita reviews). Each Space
starts once per module; tests that share one read the counts they change from
the API first, so they do not depend on running in order.

Every wait is an ``expect(...)`` with a bounded timeout; nothing sleeps.
Set ``MPEP_SCREENSHOTS=<dir>`` to keep screenshots of the tabs.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import SpaceProcess, client, render
from mpep_generator.languages import get_language
from mpep_generator.prompts import load_prompts
from mpep_generator.render import render_space
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FRESH_MS = 10_000  # shorter than the Progress tab's 15 s timer: opening the tab must refresh it
USERS = ("alice", "bob", "carol", "rita")
SUGGESTION_AGENT = "nllb-test"
XSS_PROMPT = (
    "# Greeting card\n\n"
    'Write a **short** note for a card with <img src=x onerror="window.__xss=1"> and '
    "<script>window.__xss=2</script> left exactly as they are.\n\n"
    "- Address it to {{ user.name }}\n"
    "- Keep ${window.__xss=3} and `code` unchanged\n"
    "- See [the docs](javascript:window.__xss=4) and ![logo](http://203.0.113.9/logo.png)\n"
)


# -- browser -----------------------------------------------------------------------------


def log_in(context: BrowserContext, url: str, user: str) -> Page:
    """Open the Space and log in through Gradio's login page; wait for the Translate tab."""
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_text("log in with the user name and password")).to_be_visible()
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(f"{user}-pw")
    page.get_by_role("button", name="Login").click()
    expect(page.locator("#prompt-header")).to_contain_text(re.compile(r"Prompt \S|Nothing left"))
    return page


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name, selected=True)).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("MPEP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def shown_prompt_id(page: Page) -> str:
    match = re.search(r"Prompt (\S+)", page.locator("#prompt-header").inner_text())
    assert match, page.locator("#prompt-header").inner_text()
    return match.group(1)


def submit(page: Page, text: str) -> str:
    """Type a translation and submit it, confirming once if the UI shows warnings."""
    prompt_id = shown_prompt_id(page)
    page.locator("#translation textarea").fill(text)
    page.locator("#submit").click()
    status = page.locator("#status")
    saved = f"Saved your translation of prompt {prompt_id}"
    expect(status).to_contain_text(re.compile(f"{re.escape(saved)}|Submit again"))
    if "Submit again" in status.inner_text():
        page.locator("#submit").click()
    expect(status).to_contain_text(saved)
    return prompt_id


# -- Spaces ------------------------------------------------------------------------------


def space_env(root: Path) -> dict[str, str]:
    """Password mode with alice/bob/carol/rita, hermetic like conftest's ``hermetic_env``."""
    home = root / "home"
    users = root / "users.txt"
    users.write_text("".join(f"{user}:{user}-pw\n" for user in USERS), encoding="utf-8")
    env = dict(os.environ)
    for name in ("SPACE_ID", "SYSTEM", "MPEP_SYNC_REPO", "MPEP_REVIEWERS", "MPEP_DATA_DIR"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        HF_HOME=str(home / "hf"),
        GRADIO_TEMP_DIR=str(home / "gradio"),
        HF_TOKEN="",
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
        MPEP_USERS=str(users),
        MPEP_REVIEWERS="rita",
        MPEP_DATA_DIR=str(root / "data"),
    )
    return env


def serve(space_dir: Path, root: Path) -> Iterator[SpaceProcess]:
    space = SpaceProcess(space_dir, space_env(root), root / "space.log")
    try:
        space.start(timeout=90)
    except Exception:
        space.kill()
        pytest.fail(f"the Space did not start:\n{space.output()[-3000:]}", pytrace=False)
    yield space
    space.kill()


@pytest.fixture(scope="module")
def dutch_space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpaceProcess]:
    root = tmp_path_factory.mktemp("browser-nl")
    yield from serve(render(root, "nl"), root)


@pytest.fixture(scope="module")
def arabic_space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpaceProcess]:
    """Arabic, every prompt with a machine suggestion."""
    root = tmp_path_factory.mktemp("browser-ar")
    prompts = load_prompts("sample")
    suggestions = {
        p.id: {
            "text": f"اقتراح آلي للنص {p.id}",
            "agent": SUGGESTION_AGENT,
            "score": 0.9,
            "type": "model",
        }
        for p in prompts
    }
    space_dir = render_space(
        get_language("ar"), prompts, root / "space-ar", suggestions=suggestions
    )
    yield from serve(space_dir, root)


@pytest.fixture(scope="module")
def hostile_space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpaceProcess]:
    """One prompt full of markup that must show as text."""
    root = tmp_path_factory.mktemp("browser-xss")
    source = root / "hostile.jsonl"
    source.write_text(json.dumps({"prompt": XSS_PROMPT, "row_idx": 7}) + "\n", encoding="utf-8")
    space_dir = render_space(get_language("nl"), load_prompts(source), root / "space-xss")
    yield from serve(space_dir, root)


def event_lines(space: SpaceProcess) -> int:
    events = Path(space.env["MPEP_DATA_DIR"]) / "events"
    return sum(len(f.read_bytes().splitlines()) for f in events.glob("*.jsonl"))


def record_requests(context: BrowserContext) -> list[str]:
    """Every URL any page of ``context`` requests from now on."""
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    return urls


def outside(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"
    ]


# -- tests -------------------------------------------------------------------------------


def test_translator_logs_in_translates_and_sees_progress(
    dutch_space: SpaceProcess, new_context: Callable[[], BrowserContext]
) -> None:
    before = client(dutch_space.url, "alice").predict(api_name="/progress")
    context = new_context()
    requests = record_requests(context)
    page = log_in(context, dutch_space.url, "alice")

    expect(page.locator("#source")).not_to_be_empty()
    expect(page.locator("#translation textarea")).to_have_value("")
    screenshot(page, "translate")
    submit(page, "Een bakkerij verkoopt croissants voor $2,35 per stuk. Laat je berekening zien.")
    expect(page.locator("#prompt-header")).to_contain_text("Prompt")  # the next one is served

    open_tab(page, "Progress")
    translated = page.locator("#count-translated")
    expect(translated).to_have_text(str(before["translated"] + 1), timeout=FRESH_MS)
    expect(page.locator("#count-total")).to_have_text(str(before["total"]))
    expect(page.locator("#hall-of-fame")).to_contain_text("alice")
    screenshot(page, "progress")

    assert requests, "no requests were recorded"
    assert outside(requests) == []


def test_reviewer_refuses_an_empty_rejection_then_approves(
    dutch_space: SpaceProcess, new_context: Callable[[], BrowserContext]
) -> None:
    bob = client(dutch_space.url, "bob")
    prompt = bob.predict(api_name="/next_prompt")
    bob.predict(prompt["prompt_id"], "Een vertaling door Bob.", api_name="/submit_translation")
    before = bob.predict(api_name="/progress")
    assert before["awaiting_review"] >= 1

    page = log_in(new_context(), dutch_space.url, "rita")
    open_tab(page, "Review")
    page.locator("#review-next").click()
    header = page.locator("#review-header")
    expect(header).to_contain_text("translated by")
    expect(page.locator("#review-source")).not_to_be_empty()
    expect(page.locator("#review-text textarea")).not_to_have_value("")
    screenshot(page, "review")

    lines = event_lines(dutch_space)
    page.locator("#reject").click()
    expect(page.locator("#review-status")).to_contain_text("The comment is empty")
    assert event_lines(dutch_space) == lines
    assert bob.predict(api_name="/progress") == before
    expect(header).to_contain_text("translated by")  # still on the same translation

    reviewed = re.search(r"Prompt (\S+),", header.inner_text())
    assert reviewed
    page.locator("#approve").click()
    expect(page.locator("#review-status")).to_contain_text(
        f"Approved the translation of prompt {reviewed.group(1)}"
    )
    assert event_lines(dutch_space) == lines + 1

    open_tab(page, "Progress")
    expect(page.locator("#count-done")).to_have_text(str(before["done"] + 1), timeout=FRESH_MS)
    expect(page.locator("#hall-of-fame")).to_contain_text("rita")


def test_a_translator_cannot_use_the_review_tab_and_can_log_out(
    dutch_space: SpaceProcess, new_context: Callable[[], BrowserContext]
) -> None:
    page = log_in(new_context(), dutch_space.url, "carol")
    open_tab(page, "Review")
    page.locator("#review-next").click()
    expect(page.locator("#review-status")).to_contain_text("carol is not a reviewer")
    expect(page.locator("#approve")).to_be_hidden()

    expect(page.locator("#whoami")).to_contain_text("Signed in as carol")
    page.locator("#logout").click()
    expect(page.get_by_role("button", name="Login")).to_be_visible()


def test_arabic_translation_box_is_right_to_left(
    arabic_space: SpaceProcess, new_context: Callable[[], BrowserContext]
) -> None:
    page = log_in(new_context(), arabic_space.url, "alice")
    expect(page.locator("#translation textarea")).to_have_css("direction", "rtl")
    expect(page.locator("#suggestion textarea")).to_have_css("direction", "rtl")
    expect(page.locator("#source")).to_have_css("direction", "ltr")  # the English source
    screenshot(page, "translate-ar")


def test_machine_suggestion_is_shown_but_not_prefilled(
    arabic_space: SpaceProcess, new_context: Callable[[], BrowserContext]
) -> None:
    page = log_in(new_context(), arabic_space.url, "bob")
    expected = f"اقتراح آلي للنص {shown_prompt_id(page)}"
    expect(page.locator("#suggestion textarea")).to_have_value(expected)
    expect(page.get_by_text(f"Machine suggestion ({SUGGESTION_AGENT})")).to_be_visible()
    expect(page.locator("#translation textarea")).to_have_value("")

    page.get_by_role("button", name="Start from the suggestion").click()
    expect(page.locator("#translation textarea")).to_have_value(expected)


def test_prompt_markup_shows_as_text_and_runs_nothing(
    hostile_space: SpaceProcess, new_context: Callable[[], BrowserContext]
) -> None:
    context = new_context()
    requests = record_requests(context)
    page = log_in(context, hostile_space.url, "alice")
    source = page.locator("#source")
    for visible in (
        '<img src=x onerror="window.__xss=1">',
        "<script>window.__xss=2</script>",
        "{{ user.name }}",
        "${window.__xss=3}",
    ):
        expect(source).to_contain_text(visible)
    expect(source.locator("strong")).to_have_text("short")  # markdown is still rendered
    expect(source.locator("h1")).to_have_text("Greeting card")
    expect(source.locator("img")).to_have_count(0)
    expect(source.locator("script")).to_have_count(0)
    expect(source.locator("a[href^='javascript']")).to_have_count(0)
    assert page.evaluate("typeof window.__xss") == "undefined"
    screenshot(page, "translate-xss")

    alice = client(hostile_space.url, "alice")
    alice.predict(
        "7", "Schrijf een **kort** briefje voor een kaart.", api_name="/submit_translation"
    )
    review = log_in(new_context(), hostile_space.url, "rita")
    open_tab(review, "Review")
    review.locator("#review-next").click()
    expect(review.locator("#review-source")).to_contain_text("<script>window.__xss=2</script>")
    expect(review.locator("#review-source img")).to_have_count(0)
    assert review.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert outside(requests) == []


class PixelHits:
    """A loopback pixel server: every request to it is one hit."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        hits: list[str] = []
        self.hits = hits

        class Pixel(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()


MARKDOWN_NAME = "**mal**_[x](y)"
# Long enough for QA's length checks: the markup is what matters here.
FILLER = "Een volledige vertaling van de opdracht, met alle zinnen erin zodat niets ontbreekt. " * 3


def test_what_people_type_is_plain_text_and_loads_nothing(
    tmp_path: Path, new_context: Callable[[], BrowserContext]
) -> None:
    """Comments, flag reasons, user names and translations: shown as typed, nothing loads."""
    pixel = PixelHits()
    space_dir = render(tmp_path, "nl")
    space = SpaceProcess(space_dir, space_env(tmp_path), tmp_path / "space.log")
    users = Path(space.env["MPEP_USERS"])
    users.write_text(users.read_text() + f"{MARKDOWN_NAME}:{MARKDOWN_NAME}-pw\n")
    space.start(timeout=90)
    try:
        comment = (
            f"![pixel]({pixel.base}/comment.png) <img src='{pixel.base}/raw.png'> "
            f"[click]({pixel.base}/link) {pixel.base}/bare"
        )
        alice, rita = client(space.url, "alice"), client(space.url, "rita")
        mal = client(space.url, MARKDOWN_NAME)
        first = alice.predict(api_name="/next_prompt")["prompt_id"]
        t = alice.predict(
            first, FILLER + f"![x]({pixel.base}/translation.png)", api_name="/submit_translation"
        )
        other = mal.predict(api_name="/next_prompt")["prompt_id"]
        typed = FILLER + f"**vet** ![x]({pixel.base}/t2.png)"
        mal.predict(other, typed, api_name="/submit_translation")
        flagged = mal.predict(api_name="/next_prompt")["prompt_id"]
        mal.predict(flagged, f"offensive: ![x]({pixel.base}/flag.png)", api_name="/flag")
        rita.predict(t["translation_id"], "reject", comment, "", api_name="/submit_review")

        page = log_in(new_context(), space.url, "alice")  # alice gets her prompt back
        rejection = page.locator("#rejection")
        expect(rejection).to_contain_text(f"![pixel]({pixel.base}/comment.png)")
        expect(rejection).to_contain_text("<img src=")
        expect(rejection.locator("img, a")).to_have_count(0)

        review = log_in(new_context(), space.url, "rita")
        open_tab(review, "Review")
        review.locator("#review-next").click()
        header = review.locator("#review-header")
        expect(header).to_contain_text(f"translated by {MARKDOWN_NAME}")
        expect(header.locator("strong, em, a")).to_have_count(0)
        expect(review.locator("#review-text textarea")).to_have_value(typed)
        review.get_by_text("Flagged prompts").click()
        flags = review.locator("#flagged")
        expect(flags).to_contain_text(f"![x]({pixel.base}/flag.png)")
        expect(flags.locator("img, a")).to_have_count(0)
        open_tab(review, "Progress")
        expect(review.locator("#hall-of-fame")).to_contain_text(MARKDOWN_NAME)

        who = log_in(new_context(), space.url, MARKDOWN_NAME)
        expect(who.locator("#whoami")).to_contain_text(f"Signed in as {MARKDOWN_NAME}")
        expect(who.locator("#whoami em, #whoami a")).to_have_count(0)
        assert pixel.hits == []
    finally:
        space.kill()
        pixel.close()


def test_a_full_disk_keeps_the_text_in_the_box(
    tmp_path: Path, new_context: Callable[[], BrowserContext]
) -> None:
    from test_space_app import _fill, _mount_tmpfs, _umount

    disk = tmp_path / "disk"
    _mount_tmpfs(disk)
    space = SpaceProcess(render(tmp_path, "nl"), space_env(tmp_path), tmp_path / "space.log")
    space.env["MPEP_DATA_DIR"] = str(disk)
    space.start(timeout=90)
    try:
        page = log_in(new_context(), space.url, "alice")
        prompt_id = shown_prompt_id(page)
        text = "Een bakkerij verkoopt croissants voor $2,35 per stuk. Laat je berekening zien."
        filler = _fill(disk)
        page.locator("#translation textarea").fill(text)
        page.locator("#submit").click()
        status = page.locator("#status")
        expect(status).to_contain_text(re.compile("Not saved|Submit again"))
        if "Submit again" in status.inner_text():
            page.locator("#submit").click()
        expect(status).to_contain_text("Not saved: the Space's disk is full")
        expect(page.locator("#translation textarea")).to_have_value(text)
        filler.unlink()
        page.locator("#submit").click()
        expect(status).to_contain_text(f"Saved your translation of prompt {prompt_id}")
    finally:
        space.kill()
        _umount(disk)
