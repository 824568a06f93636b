"""The Gradio app: one wiring function over :mod:`handlers`, and the entry point.

``build_demo`` only lays out components and connects them to handlers; every
rule lives in :mod:`handlers` and :mod:`rules`. The same handlers are exposed
as named API endpoints (``/next_prompt``, ``/submit_translation``, ...).
The ``render_*`` helpers turn handler results into HTML or Markdown; anything
that came from a person (prompt text, names, comments) is escaped there.
"""

from __future__ import annotations

import html
import logging
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import handlers as h
from . import qa
from .auth import AuthMode, detect
from .config import SPACE_DIR, SpaceConfig, load_config
from .store import Store
from .sync import SyncSettings, make_api, restore, stage_bundle, start_sync

log = logging.getLogger("mpep_space")


def _image_as_text(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A markdown image shows as text: the page loads nothing a prompt points at."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    shown = f"[image: {token.content} → {src}]"
    return f"<span class='mpep-image'>{html.escape(shown)}</span>"


def _link_in_new_tab(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Links in a prompt open elsewhere, so following one never loses a draft."""
    tokens[idx].attrSet("target", "_blank")
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    return str(self.renderToken(tokens, idx, options, env))


# Raw HTML in a prompt is shown as text: prompts are data, never markup that runs.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_MARKDOWN.add_render_rule("image", _image_as_text)
_MARKDOWN.add_render_rule("link_open", _link_in_new_tab)

CSS = """
#banner { background: var(--color-accent-soft); border: 1px solid var(--color-accent);
  border-radius: 8px; padding: 0.5em 1em; }
#whoami { text-align: right; }
#source, #review-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.75em 1em; max-height: 32em; overflow: auto; font-size: var(--text-lg);
  line-height: 1.5; }
#source pre, #review-source pre { white-space: pre-wrap; }
#rejection:has(.md:empty), #glossary-matches:has(.md:empty), #qa:has(.prose:empty),
#review-qa:has(.prose:empty) { display: none; }
.mpep-image { font-family: var(--font-mono); color: var(--body-text-color-subdued); }
.mpep-notice { border-left: 4px solid #f59e0b; padding: 0.25em 0.75em;
  background: var(--background-fill-secondary); }
.mpep-bar { display: flex; height: 1.6em; border-radius: 6px; overflow: hidden;
  background: var(--neutral-200); margin: 0.5em 0; }
.mpep-bar span { display: block; height: 100%; }
.mpep-counts { display: flex; flex-wrap: wrap; gap: 0.5em 1.5em; }
.mpep-counts b { font-size: 1.4em; }
.mpep-legend { display: flex; flex-wrap: wrap; gap: 0.25em 1.25em; font-size: var(--text-sm); }
.mpep-legend i { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
  margin-right: 0.35em; vertical-align: -0.05em; }
.mpep-qa li.error { color: #b91c1c; } .mpep-qa li.warning { color: #a16207; }
#hall-of-fame td, #hall-of-fame th { padding: 0.25em 1em 0.25em 0; text-align: left; }
"""
BAR_COLOURS = {
    "done": "#16a34a",
    "awaiting_review": "#f59e0b",
    "rejected": "#ef4444",
    "flagged": "#6b7280",
}


def render_markdown(text: str) -> str:
    """Prompt text as safe HTML: markdown rendered, raw HTML escaped, images as text."""
    return _MARKDOWN.render(text)


def render_source(text: str) -> str:
    """The English source panel: safe markdown, marked as English and left-to-right."""
    return f"<div lang='en' dir='ltr'>{render_markdown(text)}</div>"


def render_findings(findings: list[dict[str, str]]) -> str:
    if not findings:
        return "<p class='mpep-qa'>No problems found.</p>"
    items = "".join(
        f"<li class='{html.escape(f['severity'])}'><b>{html.escape(f['severity'])}</b>: "
        f"{html.escape(f['message'])}</li>"
        for f in findings
    )
    return f"<ul class='mpep-qa'>{items}</ul>"


def render_rejection(rejection: Mapping[str, str] | None) -> str:
    """The reviewer's comment on this user's earlier, rejected translation."""
    if not rejection:
        return ""
    return (
        "<div class='mpep-notice'><b>An earlier translation was rejected</b> by "
        f"{html.escape(rejection['reviewer'])}: {html.escape(rejection['comment'])}</div>"
    )


def render_identity(user: str | None) -> str:
    """Who is signed in (password mode)."""
    if not user:
        return ""
    return f"Signed in as **{html.escape(user)}**"


def render_progress(data: Mapping[str, Any]) -> str:
    total = max(int(data["total"]), 1)
    parts = "".join(
        f"<span title='{key.replace('_', ' ')}: {data[key]}' "
        f"style='width:{100 * int(data[key]) / total:.2f}%;background:{colour}'></span>"
        for key, colour in BAR_COLOURS.items()
    )
    legend = "".join(
        f"<span><i style='background:{colour}'></i>{key.replace('_', ' ')}</span>"
        for key, colour in BAR_COLOURS.items()
    )
    counts = "".join(
        f"<div><b id='count-{key}'>{data[key]}</b> {key.replace('_', ' ')}</div>"
        for key in ("total", "translated", "awaiting_review", "done", "flagged", "rejected")
    )
    pct = 100 * int(data["done"]) / total
    return (
        f"<div class='mpep-counts'>{counts}</div><div class='mpep-bar'>{parts}</div>"
        f"<div class='mpep-legend'>{legend}</div><p>{pct:.1f}% done</p>"
    )


def render_hall_of_fame(data: Mapping[str, Any], limit: int = 50) -> str:
    rows = "".join(
        f"<tr><td>{i}</td><td>{html.escape(c['user'])}</td><td>{c['translations']}</td>"
        f"<td>{c['reviews']}</td></tr>"
        for i, c in enumerate(data["contributors"][:limit], start=1)
    )
    if not rows:
        return "<p>No contributions yet: be the first!</p>"
    return (
        "<table id='hall-of-fame'><thead><tr><th>#</th><th>Contributor</th>"
        f"<th>Translations</th><th>Reviews</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render_glossary(entries: list[dict[str, str]], title: str = "Glossary for this prompt") -> str:
    if not entries:
        return ""
    rows = "".join(f"| {e['term']} | {e['translation']} | {e.get('note', '')} |\n" for e in entries)
    return f"**{title}**\n\n| English | Agreed translation | Note |\n|---|---|---|\n{rows}"


def render_guidelines(config: SpaceConfig) -> str:
    """The language's guidelines and its whole glossary, as Markdown."""
    glossary = render_glossary(
        [{"term": g.term, "translation": g.translation, "note": g.note} for g in config.glossary],
        title="Glossary",
    )
    return "\n\n".join(
        part for part in (config.guidelines or "No guidelines yet.", glossary) if part
    )


@dataclass
class Wiring:
    """What the UI callbacks share: the space and how to tell who is calling."""

    space: h.Space
    mode: AuthMode

    def user(self, request: gr.Request | None, profile: gr.OAuthProfile | None) -> str | None:
        return self.mode.identify(request, profile)


def _api(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a Refusal into gr.Error, the form API clients see as a clear message."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except h.Refusal as refusal:
            # A refusal is the caller's mistake, not ours: no traceback in the Space's log.
            raise gr.Error(str(refusal), print_exception=False) from None

    return call


def add_api_endpoints(w: Wiring) -> None:
    """The scriptable API, the contract tests and tools rely on."""
    space = w.space

    def next_prompt(request: gr.Request, profile: gr.OAuthProfile | None) -> dict | None:
        return _api(h.next_prompt)(space, w.user(request, profile))

    def submit_translation(
        prompt_id: str, text: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> dict:
        return _api(h.submit_translation)(space, w.user(request, profile), prompt_id, text)

    def check_translation(
        prompt_id: str, text: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> list:
        return _api(h.check_translation)(space, w.user(request, profile), prompt_id, text)

    def skip(prompt_id: str, request: gr.Request, profile: gr.OAuthProfile | None) -> dict:
        return _api(h.skip)(space, w.user(request, profile), prompt_id)

    def flag(
        prompt_id: str, reason: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> dict:
        return _api(h.flag)(space, w.user(request, profile), prompt_id, reason)

    def next_review(request: gr.Request, profile: gr.OAuthProfile | None) -> dict | None:
        return _api(h.next_review)(space, w.user(request, profile))

    def skip_review(
        translation_id: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> dict:
        return _api(h.skip_review)(space, w.user(request, profile), translation_id)

    def submit_review(
        translation_id: str,
        verdict: str,
        comment: str,
        edited_text: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> dict:
        return _api(h.submit_review)(
            space, w.user(request, profile), translation_id, verdict, comment, edited_text
        )

    def progress() -> dict:
        return h.progress(space)

    def noop() -> dict:
        return h.noop()

    for fn in (
        next_prompt,
        submit_translation,
        check_translation,
        skip,
        flag,
        next_review,
        skip_review,
        submit_review,
        progress,
        noop,
    ):
        gr.api(fn, api_name=fn.__name__)


def build_demo(space: h.Space, mode: AuthMode, notes: list[str] | None = None) -> gr.Blocks:
    """Lay out the Translate, Review and Progress tabs and connect them to the handlers."""
    w = Wiring(space, mode)
    config = space.config
    lang = config.language
    title = f"MPEP · {lang.name} ({lang.native_name})"
    with gr.Blocks(title=title) as demo:
        with gr.Row(equal_height=False):
            gr.Markdown(
                f"# {html.escape(title)}\nTranslate English prompts into {lang.name} "
                "for the Multilingual Prompt Evaluation Project.",
                elem_id="title",
            )
            if mode.kind == "oauth":
                gr.LoginButton(size="md", scale=0, min_width=240)
            elif mode.kind == "password":
                with gr.Column(scale=0, min_width=200, elem_id="account"):
                    whoami = gr.Markdown(elem_id="whoami")
                    # Gradio's /logout ends only this browser's session with all_session=false.
                    gr.Button(
                        "Log out", link="logout?all_session=false", size="sm", elem_id="logout"
                    )

                def signed_in_as(request: gr.Request) -> str:
                    return render_identity(w.user(request, None))

                demo.load(signed_in_as, None, whoami, api_visibility="private")
        banner = " ".join([mode.banner, *(notes or [])]).strip()
        gr.Markdown(banner, visible=bool(banner), elem_id="banner")
        with gr.Tabs():
            with gr.Tab("Translate", id="translate"):
                _translate_tab(w, demo)
            with gr.Tab("Review", id="review") as review_tab:
                _review_tab(w, review_tab)
            with gr.Tab("Progress", id="progress") as progress_tab:
                _progress_tab(w, demo, progress_tab)
            with gr.Tab("Guidelines", id="guidelines"):
                gr.Markdown(render_guidelines(config), elem_id="guidelines")
        add_api_endpoints(w)
    return demo


def _translate_tab(w: Wiring, demo: gr.Blocks) -> None:
    config = w.space.config
    rtl = config.language.is_rtl
    current = gr.State(None)
    shown_warnings = gr.State("")
    header = gr.Markdown(elem_id="prompt-header")
    with gr.Row(equal_height=False):
        with gr.Column():
            source = gr.HTML(elem_id="source")
            with gr.Accordion("Raw text (to copy markdown and code)", open=False):
                raw = gr.Textbox(
                    label="Exactly as written",
                    interactive=False,
                    lines=6,
                    max_lines=30,
                    buttons=["copy"],
                    elem_id="raw",
                )
            with gr.Accordion("Machine suggestion", open=True, visible=False) as sugg_box:
                suggestion = gr.Textbox(
                    show_label=False,
                    interactive=False,
                    lines=3,
                    max_lines=20,
                    rtl=rtl,
                    elem_id="suggestion",
                )
                use_suggestion = gr.Button(
                    "Start from the suggestion", size="sm", elem_id="use-suggestion"
                )
            rejection = gr.Markdown(elem_id="rejection")
            glossary = gr.Markdown(elem_id="glossary-matches")
            with gr.Accordion("Guidelines and glossary", open=False):
                gr.Markdown(render_guidelines(config))
        with gr.Column():
            text = gr.Textbox(
                label=f"Translation ({config.language.name})",
                lines=10,
                max_lines=40,
                rtl=rtl,
                elem_id="translation",
            )
            findings = gr.HTML(elem_id="qa")
            with gr.Row():
                submit_btn = gr.Button(
                    "Submit", variant="primary", size="md", min_width=100, elem_id="submit"
                )
                check_btn = gr.Button("Check", size="md", min_width=100, elem_id="check")
                skip_btn = gr.Button("Skip", size="md", min_width=100, elem_id="skip")
                next_btn = gr.Button("Next prompt", size="md", min_width=100, elem_id="next")
            status = gr.Markdown(elem_id="status")
            with gr.Accordion("Flag this prompt", open=False):
                flag_kind = gr.Dropdown(
                    ["untranslatable", "offensive", "broken source"],
                    value="untranslatable",
                    label="Why",
                )
                flag_detail = gr.Textbox(label="Details (optional)", elem_id="flag-detail")
                flag_btn = gr.Button("Flag", variant="stop", elem_id="flag")
    view = [
        current,
        shown_warnings,
        header,
        source,
        raw,
        sugg_box,
        suggestion,
        rejection,
        glossary,
        text,
        findings,
    ]

    def show(payload: dict | None, message: str = "") -> tuple:
        if payload is None:
            done = "Nothing left for you to translate right now. Thank you!"
            return (
                None,
                "",
                f"### {done}",
                "",
                "",
                gr.update(visible=False),
                "",
                "",
                "",
                "",
                "",
                message,
            )
        agent = payload["suggestion_agent"] or "model"
        return (
            payload,
            "",
            f"### Prompt {html.escape(payload['prompt_id'])}\nReserved for you until "
            f"{payload['lease_expires'][11:16]} UTC (renewed while you work).",
            render_source(payload["source"]),
            payload["source"],
            gr.update(
                visible=payload["suggestion"] is not None,
                label=f"Machine suggestion ({agent}): a starting point, check every word",
            ),
            payload["suggestion"] or "",
            render_rejection(payload["rejection"]),
            render_glossary(payload["glossary"]),
            "",
            "",
            message,
        )

    def load_next(message: str, request: gr.Request, profile: gr.OAuthProfile | None) -> tuple:
        try:
            return show(h.next_prompt(w.space, w.user(request, profile)), message)
        except h.Refusal as refusal:
            return show(None, f"**{refusal}**")

    def on_next(request: gr.Request, profile: gr.OAuthProfile | None) -> tuple:
        return load_next("", request, profile)

    def on_check(
        payload: dict | None, draft: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> tuple[str, str]:
        if not payload:
            return "", "Load a prompt first."
        try:
            found = h.check_translation(
                w.space, w.user(request, profile), payload["prompt_id"], draft
            )
        except h.Refusal as refusal:
            return "", f"**{refusal}**"
        return render_findings(found), ""

    def on_submit(
        payload: dict | None,
        draft: str,
        warned_for: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> tuple:
        user = w.user(request, profile)
        if not payload:
            return (*show(None, "Load a prompt first."),)
        try:
            found = h.check_translation(w.space, user, payload["prompt_id"], draft)
            blocking = [f for f in found if f["severity"] == "error"]
            warnings = [f for f in found if f["severity"] == "warning"]
            if blocking or (warnings and warned_for != draft):
                hint = (
                    "Fix the errors to submit."
                    if blocking
                    else "Check the warnings; click Submit again to submit as it is."
                )
                keep = list(show(payload, f"**{hint}**"))
                keep[1] = "" if blocking else draft
                keep[9] = draft
                keep[10] = render_findings(found)
                return tuple(keep)
            h.submit_translation(w.space, user, payload["prompt_id"], draft)
        except h.Refusal as refusal:
            keep = list(show(payload, f"**{refusal}**"))
            keep[9] = draft
            return tuple(keep)
        return load_next(
            f"Saved your translation of prompt {payload['prompt_id']}. Thank you!", request, profile
        )

    def on_skip(
        payload: dict | None, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> tuple:
        if payload:
            try:
                h.skip(w.space, w.user(request, profile), payload["prompt_id"])
            except h.Refusal as refusal:
                return show(payload, f"**{refusal}**")
        return load_next("Skipped.", request, profile)

    def on_flag(
        payload: dict | None,
        kind: str,
        detail: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> tuple:
        if not payload:
            return show(None, "Load a prompt first.")
        reason = f"{kind}: {detail.strip()}" if detail.strip() else kind
        try:
            h.flag(w.space, w.user(request, profile), payload["prompt_id"], reason)
        except h.Refusal as refusal:
            return show(payload, f"**{refusal}**")
        return load_next(f"Flagged prompt {payload['prompt_id']} ({kind}).", request, profile)

    outputs = [*view, status]
    private: dict[str, Any] = {"api_visibility": "private"}
    next_btn.click(on_next, None, outputs, **private)
    check_btn.click(on_check, [current, text], [findings, status], **private)
    submit_btn.click(on_submit, [current, text, shown_warnings], outputs, **private)
    skip_btn.click(on_skip, [current], outputs, **private)
    flag_btn.click(on_flag, [current, flag_kind, flag_detail], outputs, **private)
    use_suggestion.click(start_from_suggestion, [suggestion, text], [text, status], **private)
    demo.load(on_next, None, outputs, **private)


def start_from_suggestion(suggestion: str, draft: str) -> tuple[str, str]:
    """Copy the suggestion into an empty box; never overwrite a draft."""
    if draft.strip() and draft != suggestion:
        return draft, "Your draft is kept: clear the box first to start from the suggestion."
    return suggestion, "Started from the machine suggestion: check every word before submitting."


def _review_tab(w: Wiring, tab: gr.Tab) -> None:
    rtl = w.space.config.language.is_rtl
    current = gr.State(None)
    with gr.Row(equal_height=True):
        header = gr.Markdown(elem_id="review-header")
        load_btn = gr.Button(
            "Load a translation to review",
            size="md",
            scale=0,
            min_width=260,
            elem_id="review-next",
        )
    status = gr.Markdown(elem_id="review-status")
    with gr.Column(visible=False) as panel:
        with gr.Row(equal_height=False):
            with gr.Column():
                gr.Markdown("**English source**")
                source = gr.HTML(elem_id="review-source")
            with gr.Column():
                text = gr.Textbox(
                    label="Translation",
                    interactive=False,
                    lines=8,
                    max_lines=40,
                    rtl=rtl,
                    elem_id="review-text",
                )
                notes = gr.HTML(elem_id="review-qa")
        comment = gr.Textbox(
            label="Comment (required to reject; the translator sees it)",
            lines=2,
            elem_id="review-comment",
        )
        with gr.Row():
            approve_btn = gr.Button("Approve", variant="primary", elem_id="approve")
            reject_btn = gr.Button("Reject", variant="stop", elem_id="reject")
            pass_btn = gr.Button("Skip", elem_id="review-skip")
        with gr.Accordion("Edit, then approve", open=False):
            edited = gr.Textbox(
                label="Edited text (both texts are kept, with who wrote which)",
                lines=6,
                max_lines=40,
                rtl=rtl,
                elem_id="review-edited",
            )
            edit_btn = gr.Button("Edit & approve", elem_id="edit-approve")
    outputs = [current, header, source, text, notes, comment, edited, status, panel]

    def show(payload: dict | None, message: str = "", *, heading: str = "") -> tuple:
        if payload is None:
            heading = heading or "### Nothing to review right now."
            return (None, heading, "", "", "", "", "", message, gr.update(visible=False))
        unchanged = (
            "<p><b>⚠ This is the machine suggestion, unchanged.</b> Read it closely.</p>"
            if payload["suggestion_unchanged"]
            else ""
        )
        return (
            payload,
            f"### Prompt {html.escape(payload['prompt_id'])}, translated by "
            f"{html.escape(payload['translator'])}",
            render_source(payload["source"]),
            payload["text"],
            unchanged + render_findings(payload["qa"]),
            "",
            payload["text"],
            message,
            gr.update(visible=True),
        )

    def load(message: str, request: gr.Request, profile: gr.OAuthProfile | None) -> tuple:
        try:
            return show(h.next_review(w.space, w.user(request, profile)), message)
        except h.Refusal as refusal:
            return show(None, f"**{refusal}**", heading="### Reviewing is for reviewers")

    def on_load(request: gr.Request, profile: gr.OAuthProfile | None) -> tuple:
        return load("", request, profile)

    def on_open(
        payload: dict | None, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> tuple:
        """Opening the tab loads a translation, unless one is already on screen."""
        if payload:
            return tuple(gr.skip() for _ in outputs)
        return load("", request, profile)

    def decide(verdict: str, use_edit: bool) -> Callable[..., tuple]:
        def on_click(
            payload: dict | None,
            note: str,
            edit: str,
            request: gr.Request,
            profile: gr.OAuthProfile | None,
        ) -> tuple:
            if not payload:
                return show(None, "Load a translation first.")
            try:
                h.submit_review(
                    w.space,
                    w.user(request, profile),
                    payload["translation_id"],
                    verdict,
                    note,
                    edit if use_edit else "",
                )
            except h.Refusal as refusal:
                keep = list(show(payload, f"**{refusal}**"))
                keep[5], keep[6] = note, edit
                return tuple(keep)
            done = "Approved" if verdict == "approve" else "Rejected"
            return load(
                f"{done} the translation of prompt {payload['prompt_id']}.", request, profile
            )

        return on_click

    def on_pass(
        payload: dict | None, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> tuple:
        if payload:
            try:
                h.skip_review(w.space, w.user(request, profile), payload["translation_id"])
            except h.Refusal as refusal:
                return show(payload, f"**{refusal}**")
        return load("Skipped: another reviewer will get it.", request, profile)

    private: dict[str, Any] = {"api_visibility": "private"}
    pass_btn.click(on_pass, [current], outputs, **private)
    tab.select(on_open, [current], outputs, **private)
    load_btn.click(on_load, None, outputs, **private)
    approve_btn.click(decide("approve", False), [current, comment, edited], outputs, **private)
    edit_btn.click(decide("approve", True), [current, comment, edited], outputs, **private)
    reject_btn.click(decide("reject", False), [current, comment, edited], outputs, **private)


def _progress_tab(w: Wiring, demo: gr.Blocks, tab: gr.Tab) -> None:
    with gr.Row(equal_height=True):
        gr.Markdown("### Progress")
        refresh = gr.Button("Refresh", size="sm", scale=0, min_width=100, elem_id="refresh")
    summary = gr.HTML(elem_id="progress-summary")
    gr.Markdown("### Hall of fame")
    fame = gr.HTML(elem_id="hall-of-fame-box")
    timer = gr.Timer(15)

    def on_refresh() -> tuple[str, str]:
        data = h.progress(w.space)
        return render_progress(data), render_hall_of_fame(data)

    private: dict[str, Any] = {"api_visibility": "private"}
    for event in (refresh.click, timer.tick, demo.load, tab.select):
        event(on_refresh, None, [summary, fame], **private)


# -- entry point -----------------------------------------------------------------------


@dataclass
class Running:
    demo: gr.Blocks
    space: h.Space
    url: str
    scheduler: Any = None


def prepare(
    space_dir: Path = SPACE_DIR, env: Mapping[str, str] | None = None, hf_api: Any = None
) -> tuple[h.Space, AuthMode, list[str], Any]:
    """Load config, open the store, restore from the Hub and start syncing."""
    env = os.environ if env is None else env
    config: SpaceConfig = load_config(space_dir, env)
    mode = detect(env)
    data_dir = Path(env.get("MPEP_DATA_DIR") or space_dir / "data")
    store = Store(
        data_dir, config.prompt_ids, config.rules, lease_seconds=config.lease_minutes * 60
    )
    stage_bundle(space_dir, data_dir)
    log.info(
        "%s: %d prompts, %d events from %s (%d unreadable lines skipped), %s login",
        config.language.name,
        len(config.prompts),
        store.event_count,
        store.events_dir,
        len(store.problems),
        mode.kind,
    )
    notes: list[str] = []
    scheduler = None
    settings = SyncSettings.from_env(config.sync_repo, env)
    if settings is not None and (settings.token or hf_api is not None):
        api = hf_api if hf_api is not None else make_api(settings)
        try:
            restore(store, settings, api)
        except Exception as exc:  # the Hub may be down: serve anyway, say so
            log.error("restore from %s failed: %s", settings.repo_id, exc)
            notes.append(
                f"Could not restore from {settings.repo_id} ({exc}); "
                "progress may be incomplete until it is reachable."
            )
        scheduler = start_sync(store, settings, api)
    elif settings is not None:
        notes.append(
            f"MPEP_SYNC_REPO is {settings.repo_id} but there is no HF_TOKEN: "
            "work is only kept on this machine."
        )
    return h.Space(config, store), mode, notes, scheduler


def run(
    space_dir: Path = SPACE_DIR,
    env: Mapping[str, str] | None = None,
    hf_api: Any = None,
    *,
    block: bool = True,
) -> Running:
    """Start the Space. ``block=False`` returns once it serves (for tests)."""
    env = os.environ if env is None else env
    # Gradio rebuilds a pandas summary of recent events after every call by default;
    # under 50 translators that was a third of the Space's CPU (bench/load.py).
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    space, mode, notes, scheduler = prepare(space_dir, env, hf_api)
    demo = build_demo(space, mode, notes)
    demo.queue(default_concurrency_limit=int(env.get("MPEP_CONCURRENCY") or 64))
    lang = space.config.language
    _, url, _ = demo.launch(
        auth=list(mode.users) or None,
        auth_message=(
            f"MPEP · {html.escape(lang.name)} ({html.escape(lang.native_name)}): log in with "
            "the user name and password your language leader gave you."
        ),
        prevent_thread_lock=True,
        max_threads=int(env.get("MPEP_MAX_THREADS") or 100),
        css=CSS,
        footer_links=["api"],
        ssr_mode=False,
    )
    # Load the language-identification model once the page already serves, so the
    # first "Check" is fast and start-up is not slower for it.
    threading.Thread(target=qa.warm_up, name="qa-warm-up", daemon=True).start()
    if block:
        demo.block_thread()
    return Running(demo, space, url or "", scheduler)


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    """Spaces stop a Space with SIGTERM; exiting normally runs the final sync (atexit)."""
    log.info("SIGTERM: stopping; the final sync pushes events not yet on the Hub")
    raise SystemExit(0)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from .config import ConfigError

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        run()
    except ConfigError as exc:
        raise SystemExit(f"Error: {exc}") from None
