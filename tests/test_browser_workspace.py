"""A translator's workspace in a real browser (issue 12): drafts survive a reload and a
restart, the source is shown as written, flags reset and confirm, keys and placeables.

Same machinery as test_browser.py: rendered Spaces started with ``python app.py`` in
password mode, Debian's Chromium through Playwright, every wait an ``expect``.
Each test works as its own user, on a prompt it opens from My work, so tests that
share the module's Space do not depend on their order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import SpaceProcess, client
from mpep_generator.languages import get_language
from mpep_generator.prompts import load_prompts
from mpep_generator.render import render_space
from playwright.sync_api import BrowserContext, Page, expect
from test_browser import log_in, open_tab, space_env

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivy", "jack", "rita")
BREAKS = "Solve the system:\n3x + 2y = 16\n5x - y = 18\nShow your working."
PLACEHOLDER = "Write a short greeting for {{ user.name }} that mentions the date."
CODE_LINE = "    total = sum(price * count for price, count in basket) # " + "x" * 60
LONG = (
    "# A long task\n\n"
    + "Explain, step by step, what the following program does and why. " * 12
    + "\n\n```python\ndef basket_total(basket):\n"
    + (CODE_LINE + "\n") * 8
    + "    return total\n```\n\n"
    + "Then rewrite it so that a beginner can follow every line of it. " * 12
)
PROMPTS = {
    "1": "Write a haiku about the sea in autumn, with a season word.",
    "2": BREAKS,
    "3": PLACEHOLDER,
    "4": LONG,
    "5": "Describe your favourite kind of bread and how it is baked.",
    "6": "List three ways to save water at home, with one sentence each.",
    "7": "Explain why the sky is blue to a child of eight.",
    "8": "Write a polite email asking a neighbour to lower their music.",
    "9": "Summarise the plot of a fairy tale you know in five sentences.",
    "10": LONG.replace("A long task", "Another long task"),
    "11": "Write a haiku about the sea in spring, with a season word.",
    "12": "Write a haiku about the sea in winter, with a season word.",
    "13": "Write a haiku about the sea in summer, with a season word.",
}
# Long enough for QA's length checks, Dutch enough for its language check.
DUTCH = "Schrijf een korte tekst over de zee in de herfst, met een woord voor het seizoen erin."


def render_workspace_space(root: Path) -> Path:
    source = root / "prompts.jsonl"
    source.write_text(
        "".join(json.dumps({"prompt": p, "row_idx": int(i)}) + "\n" for i, p in PROMPTS.items()),
        encoding="utf-8",
    )
    return render_space(get_language("nl"), load_prompts(source), root / "space-ws")


def start(space_dir: Path, root: Path, env: dict[str, str] | None = None) -> SpaceProcess:
    if env is None:
        env = space_env(root)
        Path(env["MPEP_USERS"]).write_text("".join(f"{u}:{u}-pw\n" for u in PEOPLE))
    space = SpaceProcess(space_dir, env, root / f"space-{len(list(root.glob('*.log')))}.log")
    try:
        space.start(timeout=90)
    except Exception:
        space.kill()
        pytest.fail(f"the Space did not start:\n{space.output()[-3000:]}", pytrace=False)
    return space


@pytest.fixture(scope="module")
def ws_space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpaceProcess]:
    root = tmp_path_factory.mktemp("browser-ws")
    space = start(render_workspace_space(root), root)
    yield space
    space.kill()


def open_prompt(page: Page, prompt_id: str) -> None:
    """Open ``prompt_id`` through My work, as a person picking a prompt up again would."""
    open_tab(page, "My work")
    page.locator("#work-prompt textarea, #work-prompt input").first.fill(prompt_id)
    page.locator("#work-open").click()
    expect(page.locator("#prompt-header")).to_contain_text(f"Prompt {prompt_id}")
    expect(page.get_by_role("tab", name="Translate", selected=True)).to_be_visible()


def type_draft(page: Page, text: str) -> None:
    box = page.locator("#translation textarea")
    box.click()
    box.press_sequentially(text[:12])
    box.fill(text)  # the rest at once: the debounce saves after the last keystroke
    expect(page.locator("#draft-status")).to_contain_text("Draft saved", timeout=10_000)


# -- drafts ------------------------------------------------------------------------------


def test_a_draft_comes_back_after_a_reload(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "bob")
    open_prompt(page, "5")
    draft = "Mijn favoriete brood is\nzuurdesem, langzaam gerezen."
    type_draft(page, draft)
    page.reload()
    expect(page.locator("#prompt-header")).to_contain_text("Prompt 5")
    expect(page.locator("#translation textarea")).to_have_value(draft)
    expect(page.locator("#draft-status")).to_contain_text("saved draft is back")


def test_a_draft_typed_just_before_a_reload_is_not_lost(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "gina")
    open_prompt(page, "13")
    page.locator("#translation textarea").fill("Net getypt, meteen herladen")
    page.reload()  # no debounce, no blur: the page sends the text as it goes
    expect(page.locator("#prompt-header")).to_contain_text("Prompt 13")
    expect(page.locator("#translation textarea")).to_have_value("Net getypt, meteen herladen")


def test_save_draft_and_show_another_keeps_the_text(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "carol")
    open_prompt(page, "6")
    page.locator("#translation textarea").fill("Drie manieren om water te sparen")
    page.locator("#another").click()  # saves without waiting for the debounce
    expect(page.locator("#status")).to_contain_text("Your draft of prompt 6 is kept")
    expect(page.locator("#prompt-header")).not_to_contain_text("Prompt 6")
    expect(page.locator("#translation textarea")).to_have_value("")
    open_tab(page, "My work")
    expect(page.locator("#my-work")).to_contain_text("Drie manieren om water te sparen")
    open_prompt(page, "6")
    expect(page.locator("#translation textarea")).to_have_value("Drie manieren om water te sparen")
    page.locator("#discard").click()
    expect(page.locator("#status")).to_contain_text("again to delete")
    expect(page.locator("#translation textarea")).to_have_value("Drie manieren om water te sparen")
    page.locator("#discard").click()
    expect(page.locator("#translation textarea")).to_have_value("")
    assert client(ws_space.url, "carol").predict(api_name="/my_work")["drafts"] == []


def test_a_draft_comes_back_after_a_restart_first(
    tmp_path: Path, new_context: Callable[..., BrowserContext]
) -> None:
    space_dir = render_workspace_space(tmp_path)
    space = start(space_dir, tmp_path)
    try:
        page = log_in(new_context(), space.url, "alice")
        open_prompt(page, "7")  # not the first in the queue: the restart must find it
        draft = "De lucht is blauw omdat"
        type_draft(page, draft)
        page.close()
    finally:
        space.kill()  # SIGKILL: no clean shutdown
    again = start(space_dir, tmp_path, space.env)
    try:
        page = log_in(new_context(), again.url, "alice")
        expect(page.locator("#prompt-header")).to_contain_text("Prompt 7")
        expect(page.locator("#translation textarea")).to_have_value(draft)
    finally:
        again.kill()


# -- the source as written ---------------------------------------------------------------


def test_line_breaks_are_kept_in_the_source(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "dave")
    open_prompt(page, "2")
    shown = page.locator("#source").inner_text()
    assert "3x + 2y = 16\n5x - y = 18\nShow your working." in shown, shown


OVERLAPS_JS = """
() => {
  const box = document.querySelector('#source').getBoundingClientRect();
  const hit = (r) => r.width > 0 && r.height > 0 && r.left < box.right && box.left < r.right
    && r.top < box.bottom && box.top < r.bottom;
  const others = document.querySelectorAll(
    'button, textarea, input, .accordion, [class*="accordion"], #raw, #translation');
  const bad = [];
  for (const el of others) {
    if (el.closest('#source')) continue;
    const r = el.getBoundingClientRect();
    if (hit(r)) bad.push((el.id || el.className || el.tagName) + ' ' + JSON.stringify(r));
  }
  const src = document.querySelector('#source');
  return {bad, scrolls: src.scrollHeight > src.clientHeight,
          pageWidth: document.documentElement.scrollWidth, view: window.innerWidth};
}
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_source_scrolls_in_its_box_and_overlaps_nothing(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext], width: int
) -> None:
    user, prompt_id = ("erin", "4") if width == 1280 else ("frank", "10")
    page = log_in(new_context(width), ws_space.url, user)
    assert len(PROMPTS[prompt_id]) >= 2500
    open_prompt(page, prompt_id)
    expect(page.locator("#source pre")).to_have_css("font-family", re.compile("mono", re.I))
    result = page.evaluate(OVERLAPS_JS)
    assert result["bad"] == [], result
    assert result["scrolls"], result
    assert result["pageWidth"] <= result["view"], result
    expect(page.locator("#mono input")).to_be_checked()  # the prompt has code


def test_a_click_on_a_placeholder_inserts_it_at_the_cursor(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "gina")
    open_prompt(page, "3")
    box = page.locator("#translation textarea")
    box.fill("Hallo !")
    box.evaluate("(ta) => ta.setSelectionRange(6, 6)")
    page.locator("#source .mpep-hl", has_text="{{ user.name }}").click()
    expect(box).to_have_value("Hallo {{ user.name }}!")


# -- flags and keys ----------------------------------------------------------------------


def test_the_flag_form_is_empty_on_the_next_prompt_and_asks_first(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "hank")
    open_prompt(page, "8")
    page.get_by_text("Flag this prompt").click()
    page.locator("#flag").click()
    expect(page.locator("#flag-status")).to_contain_text("Choose why")
    page.get_by_label("offensive").check()
    page.locator("#flag-detail textarea, #flag-detail input").first.fill("rude words")
    page.locator("#flag").click()
    expect(page.locator("#flag-status")).to_contain_text("Click Flag again to confirm")
    page.locator("#skip").click()  # changed their mind: nothing flagged
    expect(page.locator("#prompt-header")).not_to_contain_text("Prompt 8")
    page.get_by_text("Flag this prompt").click()
    expect(page.locator("#flag-kind input:checked")).to_have_count(0)
    expect(page.locator("#flag-detail textarea, #flag-detail input").first).to_have_value("")
    expect(page.locator("#flag-status")).to_be_empty()


def test_ctrl_enter_submits(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "ivy")
    open_prompt(page, "11")
    box = page.locator("#translation textarea")
    box.fill(DUTCH)
    box.press("Control+Enter")
    status = page.locator("#status")
    expect(status).to_contain_text(re.compile("Saved your translation of prompt 11|Submit again"))
    if "Submit again" in status.inner_text():
        box.press("Control+Enter")
    expect(status).to_contain_text("Saved your translation of prompt 11")


def test_a_rejected_prompt_opens_with_the_rejected_text(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    alice = client(ws_space.url, "alice")
    alice.predict("9", "Initial", api_name="/save_draft")  # leases nothing; checks the API
    text = "Er was eens een meisje met een rode kap die door het bos naar haar oma liep."
    t = alice.predict("9", text, api_name="/submit_translation")
    client(ws_space.url, "rita").predict(
        t["translation_id"], "reject", "Vijf zinnen, graag.", "", api_name="/submit_review"
    )
    page = log_in(new_context(), ws_space.url, "alice")
    open_prompt(page, "9")
    expect(page.locator("#translation textarea")).to_have_value(text)
    expect(page.locator("#rejection")).to_contain_text("Vijf zinnen, graag.")
    open_tab(page, "My work")
    expect(page.locator("#my-work")).to_contain_text("rejected")


def test_local_mode_translates_and_reviews_to_done(
    tmp_path: Path, new_context: Callable[..., BrowserContext]
) -> None:
    env = space_env(tmp_path)
    del env["MPEP_USERS"], env["MPEP_REVIEWERS"]  # one local user, no login
    space = start(render_workspace_space(tmp_path), tmp_path, env)
    try:
        page = new_context().new_page()
        page.goto(space.url)
        expect(page.locator("#banner")).to_contain_text("self-review is on")
        expect(page.locator("#prompt-header")).to_contain_text("Prompt 1")
        page.locator("#translation textarea").fill(DUTCH)
        page.locator("#submit").click()
        status = page.locator("#status")
        expect(status).to_contain_text(re.compile("Saved your translation of prompt 1|again"))
        if "again" in status.inner_text():
            page.locator("#submit").click()
        expect(status).to_contain_text("Saved your translation of prompt 1")
        open_tab(page, "Review")
        expect(page.locator("#review-header")).to_contain_text("Prompt 1, translated by")
        page.locator("#approve").click()
        expect(page.locator("#review-status")).to_contain_text("Approved the translation")
        open_tab(page, "Progress")
        expect(page.locator("#count-done")).to_have_text("1", timeout=10_000)
    finally:
        space.kill()


def test_a_translation_awaiting_review_can_be_edited_from_my_work(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "jack")
    open_prompt(page, "12")
    box = page.locator("#translation textarea")
    box.fill(DUTCH)
    box.press("Control+Enter")
    status = page.locator("#status")
    expect(status).to_contain_text(re.compile("Saved your translation of prompt 12|again"))
    if "again" in status.inner_text():
        page.locator("#submit").click()
    expect(status).to_contain_text("Saved your translation of prompt 12")
    open_tab(page, "My work")
    expect(page.locator("#my-work")).to_contain_text("awaiting review")
    open_prompt(page, "12")
    expect(page.locator("#prompt-header")).to_contain_text("editing your translation")
    expect(box).to_have_value(DUTCH)
    edited = DUTCH.replace("korte", "heel korte")
    box.fill(edited)
    page.locator("#submit").click()
    expect(status).to_contain_text(re.compile("Saved the new version|again"))
    if "again" in status.inner_text():
        page.locator("#submit").click()
    expect(status).to_contain_text("Saved the new version of your translation of prompt 12")
    rows = client(ws_space.url, "jack").predict(api_name="/my_work")["translations"]
    assert [(r["prompt_id"], r["text"]) for r in rows] == [("12", edited)]


def test_a_confirmed_flag_can_be_undone_from_my_work(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(), ws_space.url, "dave")
    open_prompt(page, "2")
    page.get_by_text("Flag this prompt").click()
    page.get_by_label("broken source").check()
    page.locator("#flag").click()
    expect(page.locator("#flag-status")).to_contain_text("Click Flag again to confirm")
    page.locator("#flag").click()
    expect(page.locator("#status")).to_contain_text("Flagged prompt 2 (broken source)")
    open_tab(page, "My work")
    expect(page.locator("#my-work")).to_contain_text("broken source")
    page.locator("#work-prompt textarea, #work-prompt input").first.fill("2")
    page.locator("#work-unflag").click()
    expect(page.locator("#work-status")).to_contain_text("Your flag of prompt 2 is withdrawn")
    assert client(ws_space.url, "dave").predict(api_name="/progress")["flagged"] == 0


def test_on_a_phone_every_tab_has_a_visible_label(
    ws_space: SpaceProcess, new_context: Callable[..., BrowserContext]
) -> None:
    page = log_in(new_context(390), ws_space.url, "rita")
    for name in ("Translate", "My work", "Review", "Progress", "Guidelines"):
        expect(page.get_by_role("tab", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="More tabs")).to_be_hidden()
    open_tab(page, "Progress")
    expect(page.locator("#count-skipped")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
