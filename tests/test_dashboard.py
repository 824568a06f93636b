"""The multilingual dashboard: rendered, started, refreshed, and robust to broken sources."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, FakeHfApi, render
from mpep_generator.dashboard import render_dashboard
from mpep_space.events import Event, make_event

pytestmark = pytest.mark.slow


def write_events(space_dir: Path, events: list[Event], name: str = "log.jsonl") -> None:
    folder = space_dir / "data" / "events"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("a", encoding="utf-8") as handle:
        handle.writelines(e.to_json() + "\n" for e in events)


def translated_and_approved(
    prompt_ids: list[str], translator: str = "ann", reviewer: str = "rev"
) -> list[Event]:
    events = []
    for pid in prompt_ids:
        t = make_event("translation", translator, pid, text=f"vertaling {pid}")
        events.append(t)
        events.append(make_event("review", reviewer, pid, translation_id=t.id, verdict="approve"))
    return events


def prompt_ids(space_dir: Path) -> list[str]:
    from mpep_space.config import load_config

    return load_config(space_dir, env={}).prompt_ids


@pytest.fixture
def three_languages(tmp_path: Path) -> dict[str, Path]:
    spaces = {code: render(tmp_path, code) for code in ("nl", "de", "ar")}
    nl_ids = prompt_ids(spaces["nl"])
    write_events(spaces["nl"], translated_and_approved(nl_ids[:5]))
    write_events(
        spaces["de"], translated_and_approved(prompt_ids(spaces["de"])[:2], "hans", "greta")
    )
    ar_ids = prompt_ids(spaces["ar"])
    write_events(
        spaces["ar"],
        [
            make_event("translation", "amira", ar_ids[0], text="ترجمة"),
            make_event("flag", "omar", ar_ids[1], reason="broken source"),
        ],
    )
    return spaces


def sources_file(tmp_path: Path, spaces: dict[str, Path]) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text("".join(f"{code}: {folder}\n" for code, folder in spaces.items()))
    return path


def wait_until(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_the_dashboard_renders_self_contained(
    tmp_path: Path, three_languages: dict[str, Path]
) -> None:
    out = render_dashboard(
        sources_file(tmp_path, three_languages),
        tmp_path / "dash",
        spaces={"nl": "DIBT-Dutch/mpep-nl"},
    )
    # The same hook as every Space's copies both runtime packages whole.
    for package in ("mpep_space", "mpep_dashboard"):
        runtime = REPO / "template" / package
        expected = sorted(p.name for p in runtime.iterdir() if p.name != "__pycache__")
        assert sorted(p.name for p in (out / package).iterdir()) == expected
    from huggingface_hub import SpaceCard

    front = SpaceCard.load(out / "README.md").data.to_dict()
    assert front["sdk"] == "gradio" and "hf_oauth" not in front


def test_numbers_refresh_and_a_broken_source_keeps_its_last_numbers(
    tmp_path: Path, three_languages: dict[str, Path], start_space: Any
) -> None:
    from gradio_client import Client

    out = render_dashboard(
        sources_file(tmp_path, three_languages),
        tmp_path / "dash",
        spaces={"nl": "DIBT-Dutch/mpep-nl"},
    )
    env = {**os.environ, "MPEP_DASHBOARD_REFRESH_SECONDS": "1"}
    running = start_space(out, env)
    api = Client(running.url, verbose=False)
    rows = {r["code"]: r for r in api.predict(api_name="/overview")}
    assert (rows["nl"]["done"], rows["de"]["done"], rows["ar"]["done"]) == (5, 2, 0)
    assert rows["ar"]["awaiting_review"] == 1 and rows["ar"]["flagged"] == 1
    assert rows["nl"]["space"] == "https://huggingface.co/spaces/DIBT-Dutch/mpep-nl"
    assert [r["code"] for r in api.predict(api_name="/overview")] == ["nl", "de", "ar"]
    fame = api.predict(api_name="/hall_of_fame")
    assert fame[0] == {"user": "ann", "translations": 5, "reviews": 0, "languages": 1}

    nl_ids = prompt_ids(three_languages["nl"])
    write_events(three_languages["nl"], translated_and_approved(nl_ids[5:8]), "later.jsonl")
    shutil.rmtree(three_languages["de"])  # a source that disappears
    (three_languages["ar"] / "data" / "events" / "log.jsonl").write_bytes(b"\xff\xfe{torn")

    def refreshed() -> dict[str, Any] | None:
        now = {r["code"]: r for r in api.predict(api_name="/overview")}
        return now if now["nl"]["done"] == 8 and now["de"]["error"] else None

    now = wait_until(refreshed)
    assert now["de"]["done"] == 2  # last good numbers
    assert "no Space output there" in now["de"]["error"]
    assert now["ar"]["error"] == "" and now["ar"]["awaiting_review"] == 0  # corrupt line skipped
    detail = api.predict("nl", api_name="/language")
    assert sum(d["done"] for d in detail["done_per_day"]) == 8


def test_hub_sources_are_read_through_the_injected_client(
    tmp_path: Path, three_languages: dict[str, Path], fake_hub: FakeHfApi
) -> None:
    from mpep_dashboard.board import Board, DashboardConfig, LanguageEntry

    repo = fake_hub.repo_dir("DIBT-Dutch/mpep-nl-responses")
    shutil.copytree(three_languages["nl"] / "data" / "events", repo / "events")
    shutil.copytree(
        three_languages["nl"],
        repo / "space",
        ignore=shutil.ignore_patterns("data", "mpep_space", "*.py", "*.md", "*.txt"),
    )
    entry = LanguageEntry("nl", "Dutch", "Nederlands", ("DIBT-Dutch/mpep-nl-responses",))
    board = Board(DashboardConfig("t", 10, (entry,)), cache_dir=tmp_path / "cache", hf_api=fake_hub)
    board.refresh()
    assert board.overview()[0]["done"] == 5
    assert fake_hub.calls[0][0] == "snapshot_download"
    assert fake_hub.calls[0][2]["repo_type"] == "dataset"


@pytest.mark.browser
def test_the_page_shows_every_language_in_chromium(
    tmp_path: Path, three_languages: dict[str, Path], start_space: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    out = render_dashboard(sources_file(tmp_path, three_languages), tmp_path / "dash")
    running = start_space(out, dict(os.environ))
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    try:
        page = context.new_page()
        page.goto(running.url)
        bars = page.locator("#bars")
        expect(bars).to_contain_text("Dutch", timeout=30_000)
        expect(bars).to_contain_text("German")
        expect(bars).to_contain_text("Arabic")
        expect(page.locator("#overview")).to_contain_text("Dutch")
        expect(page.locator("#summary")).to_contain_text("3 languages · 7 prompts done")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    finally:
        context.close()


def test_generate_space_dashboard_cli_and_push(
    tmp_path: Path,
    three_languages: dict[str, Path],
    fake_hub: FakeHfApi,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    import huggingface_hub
    from mpep_generator.cli import generate_space_command, run_command

    config = tmp_path / "sources.yaml"
    config.write_text(
        f"nl:\n  sources: [{three_languages['nl']}]\n  space: DIBT-Dutch/mpep-nl\n"
        f"de: {three_languages['de']}\n"
    )
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda **_: fake_hub)
    monkeypatch.setenv("HF_TOKEN", "hf_read")
    code = run_command(
        generate_space_command,
        [
            "--dashboard",
            "--from-config",
            str(config),
            "--out",
            str(tmp_path / "dash"),
            "--refresh-minutes",
            "5",
            "--push",
            "--space-id",
            "DIBT/mpep-dashboard",
        ],
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Rendered the dashboard of 2 languages" in out
    assert "Pushed https://huggingface.co/spaces/DIBT/mpep-dashboard" in out
    rendered = json.loads((tmp_path / "dash" / "dashboard_config.json").read_text())
    assert rendered["refresh_minutes"] == 5
    assert [(entry["code"], entry["space"]) for entry in rendered["languages"]] == [
        ("nl", "DIBT-Dutch/mpep-nl"),
        ("de", ""),
    ]
    assert fake_hub.names() == ["create_repo", "add_space_secret", "upload_folder"]
    assert fake_hub.calls[0][2]["space_sdk"] == "gradio"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dashboard"], "--dashboard needs --from-config FILE (language -> sources)"),
        (
            ["--dashboard", "--lang", "nl", "--from-config", "x.yaml"],
            "--dashboard takes --from-config, not --lang, --prompts or suggestions",
        ),
        ([], "give --lang CODE (or --dashboard --from-config FILE)"),
    ],
)
def test_dashboard_usage_errors(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mpep_generator.cli import generate_space_command, run_command

    monkeypatch.chdir(tmp_path)
    assert run_command(generate_space_command, args) == 2
    assert capsys.readouterr().err == f"Error: {message}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.browser
def test_user_names_on_the_dashboard_are_plain_text(
    tmp_path: Path, start_space: Any, browser: Any
) -> None:
    """A user name full of Markdown and HTML pointing at a loopback pixel server loads nothing."""
    from playwright.sync_api import expect
    from test_browser import PixelHits

    pixel = PixelHits()
    name = f"![p]({pixel.base}/name.png)<img src='{pixel.base}/raw.png'>"
    space = render(tmp_path, "nl")
    write_events(space, translated_and_approved(prompt_ids(space)[:2], name, "rev"))
    out = render_dashboard(sources_file(tmp_path, {"nl": space}), tmp_path / "dash")
    running = start_space(out, dict(os.environ))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(running.url)
        expect(page.locator("#hall-of-fame")).to_contain_text(name, timeout=30_000)
        expect(page.locator("#contributors")).to_contain_text(name)
        expect(page.locator("#hall-of-fame img, #contributors img")).to_have_count(0)
        assert pixel.hits == []
    finally:
        context.close()
        pixel.close()


def test_a_source_listed_under_another_language_is_refused(tmp_path: Path) -> None:
    """A Dutch Space listed under fr: is an error on the French row, not French numbers."""
    from mpep_dashboard.board import Board, load_dashboard_config

    dutch = render(tmp_path, "nl")
    write_events(dutch, translated_and_approved(prompt_ids(dutch)[:3]))
    out = render_dashboard(sources_file(tmp_path, {"fr": dutch}), tmp_path / "dash")
    board = Board(load_dashboard_config(out), cache_dir=tmp_path / "cache")
    board.refresh()
    [row] = board.overview()
    assert row["code"] == "fr" and row["done"] == 0
    assert f"{dutch} is a Space for 'nl', not 'fr'" in row["error"]
