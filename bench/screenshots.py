"""Screenshots of the translation Space for the README: Translate, Review, My work and
Progress, at 1280 px (desktop) and 390 px (phone), into ``docs/screenshots/``.

Renders the Dutch Space from the sample prompts plus one long prompt with code, starts
it with ``python app.py`` in password mode (alice translates, rita reviews) on a free
loopback port with a hermetic environment, puts a little work in through the API (a
translation to review, a rejected one, a draft), and drives Debian's Chromium.

    .venv/bin/python bench/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import Server, hermetic_env  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
LONG = (
    "Read this function and explain, step by step, what it computes.\n"
    "Then suggest one improvement and show the improved code.\n\n"
    "```python\ndef basket_total(basket):\n    total = 0\n"
    "    for price, count in basket:\n        total += price * count\n    return total\n```\n\n"
    "Use the example basket [(2.35, 12), (1.80, 4)] and give the total in {{ currency }}."
)
DUTCH = (
    "Een bakkerij verkoopt croissants voor $2,35 per stuk. Laat je berekening zien, stap voor stap."
)


def render(root: Path) -> Path:
    from mpep_generator.languages import get_language
    from mpep_generator.prompts import load_prompts
    from mpep_generator.render import render_space

    sample = list(load_prompts("sample"))[:6]
    source = root / "prompts.jsonl"
    lines = [{"prompt": LONG, "row_idx": 1}] + [
        {"prompt": p.text, "row_idx": 100 + i} for i, p in enumerate(sample)
    ]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return render_space(get_language("nl"), load_prompts(source), root / "space")


def seed(url: str) -> None:
    """A translation awaiting review, a rejected one, a draft: something on every tab."""
    from gradio_client import Client

    def as_(user: str) -> Client:
        return Client(url, auth=(user, f"{user}-pw"), verbose=False)

    bob, rita = as_("bob"), as_("rita")
    for _ in range(2):
        prompt = bob.predict(api_name="/next_prompt")
        bob.predict(prompt["prompt_id"], DUTCH, api_name="/submit_translation")
    review = rita.predict(api_name="/next_review")
    rita.predict(
        review["translation_id"], "reject", "Zie de getallen.", "", api_name="/submit_review"
    )
    alice = as_("alice")
    first = alice.predict(api_name="/open_prompt")
    alice.predict(
        first["prompt_id"], "Lees deze functie en leg stap voor stap uit", api_name="/save_draft"
    )


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    made: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for label, (width, height) in WIDTHS.items():
            for user, tabs in (
                ("alice", ("Translate", "My work", "Progress")),
                ("rita", ("Review",)),
            ):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.set_default_timeout(20_000)
                page = context.new_page()
                page.goto(url)
                page.get_by_label("username").fill(user)
                page.get_by_label("password").fill(f"{user}-pw")
                page.get_by_role("button", name="Login").click()
                expect(page.locator("#prompt-header")).to_contain_text("Prompt")
                for tab in tabs:
                    page.get_by_role("tab", name=tab).click()
                    if tab == "Review":
                        expect(page.locator("#review-header")).to_contain_text("translated by")
                    if tab == "My work":
                        expect(page.locator("#my-work")).to_contain_text("Drafts")
                    if tab == "Progress":
                        expect(page.locator("#count-total")).to_be_visible()
                    page.wait_for_timeout(300)  # let the tab's fade-in finish
                    path = out / f"{tab.lower().replace(' ', '-')}-{label}.png"
                    page.screenshot(path=str(path))
                    made.append(path)
                context.close()
        browser.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mpep-shots-") as tmp:
        root = Path(tmp)
        users = root / "users.txt"
        users.write_text("".join(f"{u}:{u}-pw\n" for u in ("alice", "bob", "rita")))
        env = hermetic_env(
            root, MPEP_USERS=str(users), MPEP_REVIEWERS="rita", MPEP_DATA_DIR=str(root / "data")
        )
        space_dir = render(root)
        server = Server([sys.executable, "app.py"], space_dir, env, root / "space.log")
        server.start()
        try:
            seed(server.url)
            for path in shoot(server.url, args.out):
                print(
                    f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
                    f"{path.stat().st_size // 1024} KiB"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
