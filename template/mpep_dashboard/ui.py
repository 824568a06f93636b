"""The dashboard page: render helpers, one wiring function, and the entry point.

Everything shown comes from :class:`~mpep_dashboard.board.Board` snapshots; the
page itself never reads a source, so a slow or broken source cannot stall it.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from .board import Board, load_dashboard_config, refresh_seconds

log = logging.getLogger("mpep_dashboard")
DASHBOARD_DIR = Path(__file__).resolve().parent.parent
COLOURS = {"done": "#16a34a", "awaiting_review": "#f59e0b", "flagged": "#6b7280"}
CSS = """
.mpep-rows { display: grid; gap: 0.35em; }
.mpep-row { display: grid; grid-template-columns: minmax(7em, 12em) 1fr 4.5em; gap: 0.5em;
  align-items: center; }
.mpep-bar { display: flex; height: 1.1em; border-radius: 4px; overflow: hidden;
  background: var(--neutral-200); }
.mpep-bar span { display: block; height: 100%; }
.mpep-err { color: #b91c1c; font-size: 0.9em; }
@media (max-width: 640px) { .mpep-row { grid-template-columns: 1fr 3.5em; }
  .mpep-row .mpep-bar { grid-column: 1 / -1; } }
"""
OVERVIEW_COLUMNS = [
    "Language",
    "Done",
    "Awaiting review",
    "Translated",
    "Flagged",
    "Total",
    "% done",
    "Contributors",
    "Last read",
    "Problem",
]


def render_bars(rows: list[dict[str, Any]]) -> str:
    """One stacked bar per language, most done first; grows down, never sideways."""
    out = []
    for row in rows:
        total = max(int(row["total"]), 1)
        parts = "".join(
            f"<span title='{key.replace('_', ' ')}: {row[key]}' "
            f"style='width:{100 * int(row[key]) / total:.2f}%;background:{colour}'></span>"
            for key, colour in COLOURS.items()
        )
        name = html.escape(row["language"])
        if row["space"]:
            name = f"<a href='{html.escape(row['space'])}' target='_blank'>{name}</a>"
        error = f"<div class='mpep-err'>{html.escape(row['error'])}</div>" if row["error"] else ""
        out.append(
            f"<div class='mpep-row' data-code='{html.escape(row['code'])}'><div>{name}{error}"
            f"</div><div class='mpep-bar'>{parts}</div><div>{row['percent_done']}%</div></div>"
        )
    legend = " · ".join(
        f"<span style='color:{c}'>■</span> {k.replace('_', ' ')}" for k, c in COLOURS.items()
    )
    return f"<p>{legend}</p><div class='mpep-rows' id='bars'>{''.join(out)}</div>"


def overview_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            [
                r["language"],
                r["done"],
                r["awaiting_review"],
                r["translated"],
                r["flagged"],
                r["total"],
                r["percent_done"],
                r["contributors"],
                r["last_ok"] or "never",
                r["error"],
            ]
            for r in rows
        ],
        columns=OVERVIEW_COLUMNS,
    )


def contributors_frame(detail: dict[str, Any] | None) -> pd.DataFrame:
    people = (detail or {}).get("progress", {}).get("contributors", [])
    return pd.DataFrame(
        [[c["user"], c["translations"], c["reviews"]] for c in people],
        columns=["Contributor", "Translations", "Reviews"],
    )


def activity_frame(detail: dict[str, Any] | None) -> pd.DataFrame:
    """Cumulative prompts done per day."""
    days = (detail or {}).get("done_per_day", [])
    total = 0
    rows = []
    if days:  # start from zero the day before, so one day of work still draws a line
        rows.append([pd.Timestamp(days[0]["date"]) - pd.Timedelta(days=1), 0])
    for day in days:
        total += day["done"]
        rows.append([pd.Timestamp(day["date"]), total])
    return pd.DataFrame(rows, columns=["date", "done"])


def fame_frame(people: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        [[p["user"], p["translations"], p["reviews"], p["languages"]] for p in people],
        columns=["Contributor", "Translations", "Reviews", "Languages"],
    )


@dataclass
class Views:
    board: Board

    def page(self, code: str | None) -> tuple[Any, ...]:
        rows = self.board.overview()
        codes = [r["code"] for r in rows]
        chosen = code if code in codes else (codes[0] if codes else None)
        detail = self.board.language(chosen) if chosen else None
        summary = (
            f"{len(rows)} languages · {sum(r['done'] for r in rows)} prompts done · "
            f"refresh {self.board.refreshes}"
        )
        return (
            summary,
            render_bars(rows),
            overview_frame(rows),
            gr.update(
                choices=[(f"{r['language']} ({r['code']})", r["code"]) for r in rows], value=chosen
            ),
            contributors_frame(detail),
            activity_frame(detail),
            fame_frame(self.board.hall_of_fame()),
        )


def build_demo(board: Board) -> gr.Blocks:
    views = Views(board)
    with gr.Blocks(title=board.config.title) as demo:
        gr.Markdown(f"# {html.escape(board.config.title)}\nLive progress of every MPEP language.")
        summary = gr.Markdown(elem_id="summary")
        bars = gr.HTML(elem_id="bars-box")
        table = gr.Dataframe(headers=OVERVIEW_COLUMNS, interactive=False, elem_id="overview")
        with gr.Row():
            language = gr.Dropdown(label="Language", elem_id="language")
        with gr.Row(equal_height=False):
            people = gr.Dataframe(label="Contributors", interactive=False, elem_id="contributors")
            activity = gr.LinePlot(
                x="date", y="done", title="Prompts done over time", elem_id="activity"
            )
        gr.Markdown("## Hall of fame")
        fame = gr.Dataframe(interactive=False, elem_id="hall-of-fame")
        outputs = [summary, bars, table, language, people, activity, fame]
        timer = gr.Timer(30)
        private: dict[str, Any] = {"api_visibility": "private"}
        demo.load(views.page, [language], outputs, **private)
        timer.tick(views.page, [language], outputs, **private)
        language.change(views.page, [language], outputs, **private)

        def overview() -> list:
            return board.overview()

        def language_detail(code: str) -> dict | None:
            return board.language(code)

        def hall_of_fame() -> list:
            return board.hall_of_fame()

        gr.api(overview, api_name="overview")
        gr.api(language_detail, api_name="language")
        gr.api(hall_of_fame, api_name="hall_of_fame")
    return demo


@dataclass
class Running:
    demo: gr.Blocks
    board: Board
    url: str


def run(
    folder: Path = DASHBOARD_DIR,
    env: Mapping[str, str] | None = None,
    hf_api: Any = None,
    *,
    block: bool = True,
) -> Running:
    env = os.environ if env is None else env
    config = load_dashboard_config(folder)
    board = Board(config, cache_dir=folder / "cache", hf_api=hf_api)
    board.refresh()  # the first page already has numbers
    board.start(refresh_seconds(config, env))
    demo = build_demo(board)
    demo.queue(default_concurrency_limit=16)
    _, url, _ = demo.launch(
        prevent_thread_lock=not block, css=CSS, footer_links=["api"], ssr_mode=False
    )
    return Running(demo, board, url or "")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    run()
