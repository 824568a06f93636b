"""The Review tab: the next translation to review, approve / reject / edit, and the
flagged prompts panel."""

from __future__ import annotations

import html
from collections.abc import Callable

import gradio as gr

from . import handlers as h
from . import work
from .ui_render import (
    render_findings,
    render_flags,
    render_message,
    render_review_header,
    render_source,
)
from .ui_wiring import PRIVATE, Update, Wiring


def review_tab(w: Wiring, tab: gr.Tab) -> None:
    rtl = w.space.config.language.is_rtl
    current = gr.State(None)
    with gr.Row(equal_height=True, elem_id="review-top"):
        header = gr.HTML(elem_id="review-header")
        load_btn = gr.Button(
            "Load a translation to review",
            size="md",
            scale=0,
            min_width=260,
            elem_id="review-next",
        )
    status = gr.HTML(elem_id="review-status")
    with gr.Column(visible=False) as panel:
        with gr.Row(equal_height=False):
            with gr.Column():
                gr.Markdown("**English source**")
                source = gr.HTML(elem_id="review-source")
            with gr.Column():
                text = gr.Textbox(
                    label="Translation (the current text)",
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
                label="Edited text (a new version: other reviewers approve it too)",
                lines=6,
                max_lines=40,
                max_length=w.space.config.max_translation,
                rtl=rtl,
                elem_id="review-edited",
            )
            edit_btn = gr.Button("Edit & approve", elem_id="edit-approve")
    outputs = [current, header, source, text, notes, comment, edited, status, panel]

    def say(message: str, *, strong: bool = True) -> Update:
        return {status: render_message(message, strong=strong)}

    def show(
        payload: dict | None, message: str = "", *, heading: str = "", why: str = ""
    ) -> Update:
        if payload is None:
            heading = heading or "Nothing to review right now."
            message = " ".join(part for part in (message, why) if part)
            return {
                current: None,
                header: f"<h3>{html.escape(heading)}</h3>",
                source: "",
                text: "",
                notes: "",
                comment: "",
                edited: "",
                panel: gr.update(visible=False),
                **say(message, strong=False),
            }
        unchanged = (
            "<p><b>⚠ This is the machine suggestion, unchanged.</b> Read it closely.</p>"
            if payload["suggestion_unchanged"]
            else ""
        )
        return {
            current: payload,
            header: render_review_header(payload),
            source: render_source(payload["source"]),
            text: payload["text"],
            notes: unchanged + render_findings(payload["qa"]),
            comment: "",
            edited: payload["text"],
            panel: gr.update(visible=True),
            **say(message, strong=False),
        }

    def load(message: str, request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
        user = w.user(request, profile)
        try:
            payload = h.next_review(w.space, user)
            why = "" if payload else work.nothing_to_review_reason(w.space, user)
            return show(payload, message, why=why)
        except h.Refusal as refusal:
            return {**show(None, heading="Reviewing is for reviewers"), **say(str(refusal))}

    def on_load(request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
        return load("", request, profile)

    def on_open(
        payload: dict | None, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> Update:
        """Opening the tab loads a translation, unless one is already on screen."""
        if payload:
            return {}
        return load("", request, profile)

    def decide(verdict: str, use_edit: bool) -> Callable[..., Update]:
        def on_click(
            payload: dict | None,
            note: str,
            edit: str,
            request: gr.Request,
            profile: gr.OAuthProfile | None,
        ) -> Update:
            if not payload:
                return {**show(None), **say("Load a translation first.", strong=False)}
            try:
                result = h.submit_review(
                    w.space,
                    w.user(request, profile),
                    payload["translation_id"],
                    verdict,
                    note,
                    edit if use_edit else "",
                )
            except h.Refusal as refusal:  # comment and edit are left out: they stay
                return say(str(refusal))
            done = "Approved" if verdict == "approve" else "Rejected"
            if result["translation_status"] == "pending":
                done += " (it now needs other reviewers' approval too)"
            return load(
                f"{done} the translation of prompt {payload['prompt_id']}.", request, profile
            )

        return on_click

    def on_pass(
        payload: dict | None, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> Update:
        if payload:
            try:
                h.skip_review(w.space, w.user(request, profile), payload["translation_id"])
            except h.Refusal as refusal:
                return say(str(refusal))
        return load("Skipped: another reviewer will get it.", request, profile)

    pass_btn.click(on_pass, [current], outputs, **PRIVATE)
    tab.select(on_open, [current], outputs, **PRIVATE)
    load_btn.click(on_load, None, outputs, **PRIVATE)
    approve_btn.click(decide("approve", False), [current, comment, edited], outputs, **PRIVATE)
    edit_btn.click(decide("approve", True), [current, comment, edited], outputs, **PRIVATE)
    reject_btn.click(decide("reject", False), [current, comment, edited], outputs, **PRIVATE)


def flags_panel(w: Wiring, tab: gr.Tab) -> None:
    """Reviewers see flagged prompts and restore one to the queue or confirm the flag."""
    with gr.Accordion("Flagged prompts", open=False):
        listing = gr.HTML(elem_id="flagged")
        with gr.Row():
            prompt_id = gr.Textbox(label="Prompt id", scale=1, elem_id="flag-prompt-id")
            restore_btn = gr.Button("Restore to the queue", elem_id="flag-restore")
            confirm_btn = gr.Button("Confirm the flag", variant="stop", elem_id="flag-confirm")
        flag_status = gr.HTML(elem_id="flag-status")

    def refresh(request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
        user = w.user(request, profile)
        if not w.space.is_reviewer(user):
            return {listing: ""}
        return {listing: render_flags(h.flagged_prompts(w.space, user))}

    def answer(verdict: str) -> Callable[..., Update]:
        def on_click(pid: str, request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
            user = w.user(request, profile)
            try:
                h.review_flag(w.space, user, pid.strip(), verdict)
            except h.Refusal as refusal:
                return {flag_status: render_message(str(refusal), strong=True)}
            done = "Restored" if verdict == "restore" else "Confirmed the flag of"
            return {
                **refresh(request, profile),
                prompt_id: "",
                flag_status: render_message(f"{done} prompt {pid.strip()}."),
            }

        return on_click

    outputs = [listing, prompt_id, flag_status]
    tab.select(refresh, None, outputs, **PRIVATE)
    restore_btn.click(answer("restore"), [prompt_id], outputs, **PRIVATE)
    confirm_btn.click(answer("confirm"), [prompt_id], outputs, **PRIVATE)
