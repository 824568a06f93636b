"""The Gradio wiring: one function lays out the tabs and connects them to :mod:`handlers`.

Every rule lives in :mod:`handlers` and :mod:`rules`; the callbacks here only call
a handler and say which components change, as ``{component: value}`` dicts (a
component left out keeps its value, so a refused submit keeps the person's text).
The same handlers are exposed as named API endpoints (``/next_prompt``,
``/submit_translation``, ...) by :mod:`ui_api`; the Review tab is :mod:`ui_review`;
what they share is :mod:`ui_wiring`. Rendering is in :mod:`ui_render`; starting the
server is in :mod:`server`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from . import handlers as h
from . import ui_review, work
from .auth import AuthMode
from .events import epoch_ts
from .ui_api import add_api_endpoints
from .ui_render import (
    has_code,
    render_draft_saved,
    render_draft_status,
    render_findings,
    render_glossary,
    render_guidelines,
    render_hall_of_fame,
    render_identity,
    render_message,
    render_my_work,
    render_progress,
    render_prompt_header,
    render_rejection,
    render_source,
)
from .ui_wiring import PRIVATE, Update, Wiring

FLAG_REASONS = ("untranslatable", "offensive", "broken source")
SHORTCUTS_HELP = (
    "<small>Keys: <kbd>Ctrl</kbd>+<kbd>Enter</kbd> submit · <kbd>Alt</kbd>+<kbd>Shift</kbd>+"
    "<kbd>C</kbd> check · <kbd>Alt</kbd>+<kbd>Shift</kbd>+<kbd>S</kbd> skip · <kbd>Alt</kbd>+"
    "<kbd>Shift</kbd>+<kbd>I</kbd> insert the next highlighted item of the source. Your draft "
    "is saved as you type.</small>"
)
# The page's own behaviour, installed once at load: the debounced draft save (a hidden
# button clicked 2 s after the last keystroke; blur saves at once on the server side),
# the keyboard shortcuts, a click on a highlighted placeable inserting it at the cursor,
# and times shown in the viewer's time zone.
PAGE_JS = """
() => {
  if (window.__mpep) return;
  window.__mpep = true;
  let timer = null;
  let nextHl = 0;
  const $ = (sel) => document.querySelector(sel);
  const click = (id) => { const b = document.getElementById(id); if (b) b.click(); };
  const box = () => $('#translation textarea');
  const onTranslate = () => !!box() && box().offsetParent !== null;
  const insert = (value) => {
    const ta = box();
    if (!ta) return;
    const start = ta.selectionStart ?? ta.value.length;
    const end = ta.selectionEnd ?? start;
    ta.focus();
    ta.setRangeText(value, start, end, 'end');
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  };
  document.addEventListener('input', (e) => {
    if (e.target.closest && e.target.closest('#translation')) {
      clearTimeout(timer);
      const note = $('#draft-status');
      if (note) note.dataset.unsaved = '1';
      timer = setTimeout(() => click('draft-save'), 2000);
    }
  }, true);
  document.addEventListener('click', (e) => {
    const hl = e.target.closest && e.target.closest('#source .mpep-hl');
    if (hl) { e.preventDefault(); insert(hl.dataset.insert); }
  }, true);
  document.addEventListener('keydown', (e) => {
    if (!onTranslate()) return;
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault(); clearTimeout(timer); click('submit'); return;
    }
    if (!(e.altKey && e.shiftKey)) return;
    const key = e.code;
    if (key === 'KeyC') { e.preventDefault(); click('check'); }
    else if (key === 'KeyS') { e.preventDefault(); click('skip'); }
    else if (key === 'KeyI') {
      const all = document.querySelectorAll('#source .mpep-hl');
      if (!all.length) return;
      e.preventDefault();
      insert(all[nextHl % all.length].dataset.insert);
      nextHl += 1;
    }
  }, true);
  const localTimes = () => {
    document.querySelectorAll('time.mpep-time:not([data-local])').forEach((t) => {
      const d = new Date(t.getAttribute('datetime'));
      if (isNaN(d)) return;
      t.dataset.local = '1';
      const opts = t.dataset.date ? { dateStyle: 'medium', timeStyle: 'short' }
                                  : { hour: '2-digit', minute: '2-digit' };
      t.textContent = d.toLocaleString([], opts);
      t.title = d.toISOString().replace('.000Z', 'Z') + ' (UTC)';
    });
  };
  let shownSource = '';
  const onChange = () => {
    localTimes();
    const src = $('#source');
    const now = src ? src.textContent : '';
    if (now !== shownSource) { shownSource = now; nextHl = 0; }
  };
  // Leaving the page (reload, close) before the debounce fired: send the text anyway.
  // A repeat of the saved draft writes nothing on the server.
  window.addEventListener('pagehide', () => {
    const ta = box();
    const m = (($('#prompt-header h3') || {}).textContent || '').match(/Prompt (\\S+?)(:|\\s|$)/);
    if (!ta || !m || !ta.value.trim()) return;
    const body = new Blob([JSON.stringify({ data: [m[1], ta.value] })],
                          { type: 'application/json' });
    navigator.sendBeacon(new URL('gradio_api/call/save_draft', document.baseURI), body);
  });
  new MutationObserver(onChange).observe(document.body, { childList: true, subtree: true });
  localTimes();
}
"""


@dataclass
class Translate:
    """What other tabs need of the Translate tab: to open a prompt in it."""

    current: Any
    outputs: list[Any]
    show: Callable[..., Update]
    text: Any


def build_demo(space: h.Space, mode: AuthMode, notes: list[str] | None = None) -> gr.Blocks:
    """Lay out the Translate, Review and Progress tabs and connect them to the handlers."""
    w = Wiring(space, mode)
    work.drafts_of(space)  # read now (after any restore from the Hub), not on first use
    config = space.config
    lang = config.language
    title = f"MPEP · {lang.name} ({lang.native_name})"
    with gr.Blocks(title=title) as demo:
        with gr.Row(equal_height=False, elem_id="top"):
            gr.Markdown(
                f"# {html.escape(title)}\nTranslate English prompts into {lang.name} "
                "for the Multilingual Prompt Evaluation Project.",
                elem_id="title",
            )
            if mode.kind == "oauth":
                gr.LoginButton(size="md", scale=0, min_width=240)
            elif mode.kind == "password":
                with gr.Column(scale=0, min_width=200, elem_id="account"):
                    whoami = gr.HTML(elem_id="whoami")
                    # /logout ends this browser's session (see limits.RequestLimits).
                    gr.Button(
                        "Log out", link="logout?all_session=false", size="sm", elem_id="logout"
                    )

                def signed_in_as(request: gr.Request) -> str:
                    return render_identity(w.user(request, None))

                demo.load(signed_in_as, None, whoami, **PRIVATE)
        banner = " ".join([mode.banner, *(notes or [])]).strip()
        gr.Markdown(banner, visible=bool(banner), elem_id="banner")
        with gr.Tabs() as tabs:
            with gr.Tab("Translate", id="translate"):
                translate = _translate_tab(w, demo)
            with gr.Tab("My work", id="work") as work_tab:
                _work_tab(w, work_tab, tabs, translate)
            with gr.Tab("Review", id="review") as review_tab:
                ui_review.review_tab(w, review_tab)
                ui_review.flags_panel(w, review_tab)
            with gr.Tab("Progress", id="progress") as progress_tab:
                _progress_tab(w, demo, progress_tab)
            with gr.Tab("Guidelines", id="guidelines"):
                gr.Markdown(render_guidelines(config), elem_id="guidelines")
        add_api_endpoints(w)
        demo.load(None, None, None, js=PAGE_JS, **PRIVATE)
    return demo


def _work_tab(w: Wiring, tab: gr.Tab, tabs: gr.Tabs, translate: Translate) -> None:
    """My drafts, translations (with their state and reviewers' comments) and flags."""
    with gr.Row(equal_height=True):
        gr.Markdown("### My work")
        refresh = gr.Button("Refresh", size="sm", scale=0, min_width=100, elem_id="work-refresh")
    listing = gr.HTML(elem_id="my-work")
    with gr.Row(equal_height=True):
        prompt_id = gr.Textbox(
            label="Prompt id (a draft, a translation awaiting review to edit, or a "
            "rejected prompt to try again)",
            scale=2,
            elem_id="work-prompt",
        )
        open_btn = gr.Button("Open in Translate", scale=1, min_width=160, elem_id="work-open")
        unflag_btn = gr.Button("Undo my flag", scale=1, min_width=140, elem_id="work-unflag")
    status = gr.HTML(elem_id="work-status")

    def on_refresh(request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
        try:
            data = work.my_work(w.space, w.user(request, profile))
        except h.Refusal as refusal:
            return {listing: "", status: render_message(str(refusal), strong=True)}
        return {listing: render_my_work(data), status: ""}

    def on_open(pid: str, request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
        try:
            payload = work.open_this(w.space, w.user(request, profile), pid.strip())
        except h.Refusal as refusal:
            return {status: render_message(str(refusal), strong=True)}
        return {
            **translate.show(payload, f"Opened prompt {payload['prompt_id']}."),
            tabs: gr.Tabs(selected="translate"),
            status: "",
            prompt_id: "",
        }

    def on_unflag(pid: str, request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
        try:
            work.withdraw_flag(w.space, w.user(request, profile), pid.strip())
        except h.Refusal as refusal:
            return {status: render_message(str(refusal), strong=True)}
        done = render_message(f"Your flag of prompt {pid.strip()} is withdrawn.")
        return {**on_refresh(request, profile), status: done, prompt_id: ""}

    outputs = [listing, status]
    unflag_btn.click(on_unflag, [prompt_id], [*outputs, prompt_id], **PRIVATE)
    tab.select(on_refresh, None, outputs, **PRIVATE)
    refresh.click(on_refresh, None, outputs, **PRIVATE)
    open_btn.click(on_open, [prompt_id], [*translate.outputs, tabs, status, prompt_id], **PRIVATE)


def _translate_tab(w: Wiring, demo: gr.Blocks) -> Translate:
    config = w.space.config
    rtl = config.language.is_rtl
    current = gr.State(None)
    warned_for = gr.State("")  # the draft whose warnings were shown: a second click confirms
    flag_armed = gr.State("")  # the prompt whose flag awaits its confirming click
    discard_armed = gr.State("")  # the prompt whose draft awaits the confirming click
    header = gr.HTML(elem_id="prompt-header")
    with gr.Row(equal_height=False):
        with gr.Column(min_width=300):
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
            rejection = gr.HTML(elem_id="rejection")
            glossary = gr.Markdown(elem_id="glossary-matches")
            with gr.Accordion("Guidelines and glossary", open=False):
                gr.Markdown(render_guidelines(config))
        with gr.Column(min_width=300):
            text = gr.Textbox(
                label=f"Translation ({config.language.name})",
                lines=10,
                max_lines=40,
                max_length=config.max_translation,
                rtl=rtl,
                elem_id="translation",
            )
            with gr.Row(equal_height=True):
                draft_status = gr.HTML(elem_id="draft-status")
                mono = gr.Checkbox(
                    label="Monospace editor", value=False, scale=0, min_width=180, elem_id="mono"
                )
            findings = gr.HTML(elem_id="qa")
            with gr.Row():
                submit_btn = gr.Button(
                    "Submit", variant="primary", size="md", min_width=100, elem_id="submit"
                )
                check_btn = gr.Button("Check", size="md", min_width=100, elem_id="check")
                skip_btn = gr.Button("Skip", size="md", min_width=100, elem_id="skip")
            with gr.Row():
                another_btn = gr.Button(
                    "Save draft and show another", size="sm", min_width=160, elem_id="another"
                )
                discard_btn = gr.Button(
                    "Discard draft", size="sm", min_width=120, elem_id="discard"
                )
            # Clicked by the page's script ~2 s after the last keystroke and on blur.
            autosave_btn = gr.Button("Save draft", visible="hidden", elem_id="draft-save")
            status = gr.HTML(elem_id="status")
            gr.Markdown(SHORTCUTS_HELP, elem_id="shortcuts")
            with gr.Accordion("Flag this prompt", open=False) as flag_box:
                flag_kind = gr.Radio(
                    list(FLAG_REASONS), value=None, label="Why (choose one)", elem_id="flag-kind"
                )
                flag_detail = gr.Textbox(label="Details (optional)", elem_id="flag-detail")
                flag_btn = gr.Button("Flag", variant="stop", elem_id="flag")
                flag_status = gr.HTML(elem_id="flag-status")
    outputs = [
        current,
        warned_for,
        flag_armed,
        discard_armed,
        header,
        source,
        raw,
        sugg_box,
        suggestion,
        rejection,
        glossary,
        text,
        findings,
        status,
        draft_status,
        mono,
        flag_box,
        flag_kind,
        flag_detail,
        flag_status,
    ]

    def say(message: str, *, strong: bool = True) -> Update:
        return {status: render_message(message, strong=strong)}

    def fresh_flag_form() -> Update:
        """Every prompt starts with a closed, empty flag form: no reason carries over."""
        return {
            flag_armed: "",
            discard_armed: "",
            flag_box: gr.update(open=False),
            flag_kind: None,
            flag_detail: "",
            flag_status: "",
        }

    def show(payload: dict | None, message: str = "") -> Update:
        """A new prompt on screen (or none left): every part of the tab changes."""
        if payload is None:
            done = "Nothing left for you to translate right now. Thank you!"
            return {
                current: None,
                warned_for: "",
                header: f"<h3>{done}</h3>",
                source: "",
                raw: "",
                sugg_box: gr.update(visible=False),
                suggestion: "",
                rejection: "",
                glossary: "",
                text: "",
                findings: "",
                draft_status: "",
                **fresh_flag_form(),
                **say(message, strong=False),
            }
        agent = payload["suggestion_agent"] or "model"
        return {
            current: payload,
            warned_for: "",
            header: render_prompt_header(payload),
            source: render_source(payload["source"]),
            raw: payload["source"],
            sugg_box: gr.update(
                visible=payload["suggestion"] is not None,
                label=f"Machine suggestion ({agent}): a starting point, check every word",
            ),
            suggestion: payload["suggestion"] or "",
            rejection: render_rejection(payload["rejection"], payload.get("rejected_text")),
            glossary: render_glossary(payload["glossary"]),
            text: payload.get("text", ""),
            findings: "",
            draft_status: render_draft_status(payload),
            mono: has_code(payload["source"]),
            **fresh_flag_form(),
            **say(message, strong=False),
        }

    def shown(fn: Callable[..., dict | None], message: str, *args: Any) -> Update:
        try:
            return show(fn(w.space, *args), message)
        except h.Refusal as refusal:
            return {**show(None), **say(str(refusal))}

    def on_load(request: gr.Request, profile: gr.OAuthProfile | None) -> Update:
        return shown(work.open_prompt, "", w.user(request, profile))

    def save(payload: dict | None, draft: str, user: str | None) -> str:
        """Keep the draft; the message to show ("" when saved or nothing to save)."""
        if not payload or not draft.strip():
            return ""
        try:
            work.save_draft(w.space, user, payload["prompt_id"], draft)
        except h.Refusal as refusal:
            return str(refusal)
        return ""

    def on_autosave(
        payload: dict | None, draft: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> Update:
        if not payload or not draft.strip():
            return {}
        problem = save(payload, draft, w.user(request, profile))
        if problem:
            return {draft_status: render_message(problem, strong=True)}
        return {draft_status: render_draft_saved(epoch_ts(w.space.store.clock()))}

    def on_another(
        payload: dict | None, draft: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> Update:
        user = w.user(request, profile)
        if not payload:
            return shown(work.open_prompt, "", user)
        kept = f"Your draft of prompt {payload['prompt_id']} is kept (see My work)."
        return shown(
            work.show_another, kept if draft.strip() else "", user, payload["prompt_id"], draft
        )

    def on_discard(
        payload: dict | None,
        armed: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> Update:
        if not payload:
            return say("Load a prompt first.", strong=False)
        if armed != payload["prompt_id"]:  # nothing typed goes without a second, explicit click
            return {
                discard_armed: payload["prompt_id"],
                **say("Click “Discard draft” again to delete your text of this prompt."),
            }
        try:
            work.discard_draft(w.space, w.user(request, profile), payload["prompt_id"])
        except h.Refusal as refusal:
            return say(str(refusal))
        return {
            text: "",
            warned_for: "",
            discard_armed: "",
            findings: "",
            draft_status: "",
            **say("Draft discarded.", strong=False),
        }

    def on_check(
        payload: dict | None, draft: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> Update:
        if not payload:
            return say("Load a prompt first.", strong=False)
        try:
            found = h.check_translation(
                w.space, w.user(request, profile), payload["prompt_id"], draft
            )
        except h.Refusal as refusal:
            return {findings: "", **say(str(refusal))}
        return {findings: render_findings(found), **say("", strong=False)}

    def on_submit(
        payload: dict | None,
        draft: str,
        warned: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> Update:
        if not payload:
            return {**show(None), **say("Load a prompt first.", strong=False)}
        user = w.user(request, profile)
        try:
            (work.revise if payload.get("revising") else work.submit)(
                w.space,
                user,
                payload["prompt_id"],
                draft,
                confirm=bool(warned) and warned == draft,
            )
        except h.NeedsConfirmation as refusal:
            found = render_findings(refusal.findings)
            save(payload, draft, user)
            return {warned_for: draft, findings: found, **say(str(refusal))}
        except h.Refusal as refusal:  # the text box is left out: the draft stays
            save(payload, draft, user)
            if refusal.findings:  # QA errors: the draft must change
                return {
                    warned_for: "",
                    findings: render_findings(refusal.findings),
                    **say(str(refusal)),
                }
            return say(str(refusal))  # e.g. "Not saved": a retry needs no second confirmation
        done = "Saved the new version of" if payload.get("revising") else "Saved"
        return shown(
            work.open_prompt,
            f"{done} your translation of prompt {payload['prompt_id']}. Thank you!",
            user,
        )

    def on_skip(
        payload: dict | None, draft: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> Update:
        user = w.user(request, profile)
        message = "Skipped."
        if payload:
            if save(payload, draft, user):
                return say("Not skipped: your draft could not be saved; try again.")
            try:
                h.skip(w.space, user, payload["prompt_id"])
            except h.Refusal as refusal:
                return say(str(refusal))
            if draft.strip():
                message = "Skipped; your draft is kept in My work."
        return shown(work.open_prompt, message, user)

    def on_flag(
        payload: dict | None,
        kind: str | None,
        detail: str,
        armed: str,
        draft: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> Update:
        def tell(message: str) -> Update:
            return {flag_status: render_message(message, strong=True)}

        if not payload:
            return tell("Load a prompt first.")
        if not kind:
            return {flag_armed: "", **tell("Choose why this prompt should be flagged.")}
        pid = payload["prompt_id"]
        reason = f"{kind}: {detail.strip()}" if detail.strip() else kind
        if armed != f"{pid}\n{reason}":  # the first click asks; the second one flags
            return {
                flag_armed: f"{pid}\n{reason}",
                **tell(f"Flag prompt {pid} as “{kind}”? Click Flag again to confirm."),
            }
        user = w.user(request, profile)
        save(payload, draft, user)
        try:
            h.flag(w.space, user, pid, reason)
        except h.Refusal as refusal:
            return {flag_armed: "", **tell(str(refusal))}
        return shown(
            work.open_prompt,
            f"Flagged prompt {pid} ({kind}). You can undo it in My work until a reviewer acts.",
            user,
        )

    another_btn.click(on_another, [current, text], outputs, **PRIVATE)
    discard_btn.click(on_discard, [current, discard_armed], outputs, **PRIVATE)
    # Saving is quiet: no progress overlay, nothing on the page moves under the cursor.
    quiet: dict[str, Any] = {"trigger_mode": "always_last", "show_progress": "hidden", **PRIVATE}
    autosave_btn.click(on_autosave, [current, text], [draft_status], **quiet)
    text.blur(on_autosave, [current, text], [draft_status], **quiet)
    check_btn.click(on_check, [current, text], [findings, status], **PRIVATE)
    submit_btn.click(on_submit, [current, text, warned_for], outputs, **PRIVATE)
    skip_btn.click(on_skip, [current, text], outputs, **PRIVATE)
    flag_btn.click(on_flag, [current, flag_kind, flag_detail, flag_armed, text], outputs, **PRIVATE)
    flag_kind.change(lambda: ("", ""), None, [flag_armed, flag_status], **PRIVATE)
    mono.change(
        lambda on: gr.update(elem_classes=["mpep-mono"] if on else []), [mono], [text], **PRIVATE
    )
    use_suggestion.click(start_from_suggestion, [suggestion, text], [text, status], **PRIVATE)
    demo.load(on_load, None, outputs, **PRIVATE)
    return Translate(current, outputs, show, text)


def start_from_suggestion(suggestion: str, draft: str) -> tuple[str, str]:
    """Copy the suggestion into an empty box; never overwrite a draft."""
    if draft.strip() and draft != suggestion:
        return draft, render_message(
            "Your draft is kept: clear the box first to start from the suggestion."
        )
    return suggestion, render_message(
        "Started from the machine suggestion: check every word before submitting."
    )


def _progress_tab(w: Wiring, demo: gr.Blocks, tab: gr.Tab) -> None:
    with gr.Row(equal_height=True):
        gr.Markdown("### Progress")
        refresh = gr.Button("Refresh", size="sm", scale=0, min_width=100, elem_id="refresh")
    summary = gr.HTML(elem_id="progress-summary")
    gr.Markdown("### Hall of fame")
    fame = gr.HTML(elem_id="hall-of-fame-box")
    timer = gr.Timer(15)

    def on_refresh() -> tuple[str, str]:
        data = work.progress(w.space)
        return render_progress(data), render_hall_of_fame(data)

    for event in (refresh.click, timer.tick, demo.load, tab.select):
        event(on_refresh, None, [summary, fame], **PRIVATE)
