"""Rendering: handler results as HTML or Markdown for the Space's components.

Two kinds of text reach the page. Prompts (and the leader's guidelines and
glossary) are markdown: rendered safely, raw HTML shown as text, images shown as
text. Everything a *person* typed in the Space (comments, flag reasons, user
names, translations) is plain text: HTML-escaped into ``gr.HTML`` components,
never passed through a markdown renderer, so it can load nothing and link nowhere.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .config import SpaceConfig


def plain(text: str) -> str:
    """Text a person typed, as inert HTML (line breaks kept by the CSS)."""
    return f"<span class='mpep-plain'>{html.escape(text)}</span>"


def render_message(message: str, *, strong: bool = False) -> str:
    """A status line: our message, which may quote what a person typed."""
    if not message:
        return ""
    inner = plain(message)
    return f"<p class='mpep-status'>{'<b>' + inner + '</b>' if strong else inner}</p>"


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


# What a translator copies into the translation unchanged (as Pontoon's and Weblate's
# "placeables"): placeholders of the common template syntaxes, URLs, numbers.
PLACEABLE = re.compile(
    r"\{\{[^{}\n]{0,80}\}\}"  # {{ name }}
    r"|\$\{[^{}\n]{0,80}\}"  # ${name}
    r"|\{[A-Za-z_][\w.]{0,40}\}"  # {name}
    r"|%\(\w{1,40}\)[sdif]|%[sdif]"  # %(name)s, %s
    r"|https?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]]"  # a URL, without its closing stop
    r"|(?<![\w.])\d+(?:[.,:]\d+)*%?"  # 16, 2.35, 12:30, 50%
)


def _placeable(value: str, shown: str | None = None) -> str:
    """A highlighted span; a click inserts ``value`` at the cursor (see ui.SHORTCUTS_JS)."""
    return (
        f"<span class='mpep-hl' data-insert='{html.escape(value, quote=True)}' "
        f"title='Click to insert'>{html.escape(value if shown is None else shown)}</span>"
    )


def highlight(text: str) -> str:
    """Plain text as HTML with its placeables highlighted."""
    parts: list[str] = []
    last = 0
    for match in PLACEABLE.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        parts.append(_placeable(match.group()))
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def _text_with_placeables(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return highlight(tokens[idx].content)


def _inline_code(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """Inline code is a placeable too; it is inserted with its backticks (still markdown)."""
    token = tokens[idx]
    fence = token.markup or "`"
    code = f"<code>{html.escape(token.content)}</code>"
    value = html.escape(f"{fence}{token.content}{fence}", quote=True)
    return f"<span class='mpep-hl' data-insert='{value}' title='Click to insert'>{code}</span>"


# Raw HTML in a prompt is shown as text: prompts are data, never markup that runs.
# "breaks": a single line break in a prompt stays a line break (the source as written).
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)
_MARKDOWN.add_render_rule("image", _image_as_text)
_MARKDOWN.add_render_rule("link_open", _link_in_new_tab)
_MARKDOWN.add_render_rule("text", _text_with_placeables)
_MARKDOWN.add_render_rule("code_inline", _inline_code)

CSS = """
#banner { background: var(--color-accent-soft); border: 1px solid var(--color-accent);
  border-radius: 8px; padding: 0.5em 1em; }
#whoami { text-align: right; }
#source, #review-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.75em 1em; max-height: 32em; overflow: auto; font-size: var(--text-lg);
  line-height: 1.5; overflow-wrap: anywhere; contain: paint; }
#source pre, #review-source pre { white-space: pre; overflow-x: auto; max-width: 100%;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);
  border-radius: 6px; padding: 0.5em 0.75em; font-family: var(--font-mono);
  font-size: var(--text-md); line-height: 1.4; }
#source code, #review-source code { font-family: var(--font-mono);
  background: var(--background-fill-secondary); border-radius: 4px; padding: 0 0.2em; }
#source pre code, #review-source pre code { background: none; padding: 0; }
#source table, #review-source table { display: block; overflow-x: auto; max-width: 100%; }
.mpep-hl { background: #fef3c7; color: #78350f; border-radius: 3px; padding: 0 0.1em;
  cursor: pointer; }
.mpep-hl:hover { outline: 1px solid #d97706; }
#review-source .mpep-hl { cursor: text; }
.mpep-mono textarea { font-family: var(--font-mono) !important; tab-size: 4; }
#draft-status { font-size: var(--text-sm); color: var(--body-text-color-subdued); }
#my-work table, #hall-of-fame, #glossary-matches table { display: block; overflow-x: auto;
  max-width: 100%; }
#my-work th, #hall-of-fame th, #glossary-matches th, #guidelines th { word-break: keep-all;
  overflow-wrap: normal; white-space: nowrap; }
#my-work td { vertical-align: top; padding: 0.25em 0.75em 0.25em 0; }
#my-work .mpep-plain { display: block; max-height: 8em; overflow: auto; }
.tab-container button, [role=tablist] button { white-space: nowrap; }
/* On a phone every tab keeps a visible label: narrower tabs all fit, none goes into the
   unlabelled overflow menu (Gradio measures these same buttons to decide). */
@media (max-width: 640px) {
  .tab-container button { padding: 0 0.45em !important; font-size: 0.85rem !important; }
  #source, #review-source { font-size: var(--text-md); padding: 0.5em 0.6em; }
  #top, #review-top { flex-direction: column; gap: 0.25em; }
  #review-next { min-width: 0 !important; }
  #title h1 { font-size: 1.5rem; word-break: normal; overflow-wrap: normal; hyphens: none; }
  #whoami { text-align: left; }
}
#rejection:has(.prose:empty), #glossary-matches:has(.md:empty), #qa:has(.prose:empty),
#review-qa:has(.prose:empty) { display: none; }
.mpep-plain { white-space: pre-wrap; overflow-wrap: anywhere; }
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


def render_rejection(rejection: Mapping[str, str] | None, rejected_text: str | None = None) -> str:
    """The reviewer's comment on an earlier, rejected translation (plain text); when it was
    this user's, their text is back in the box and the notice says so."""
    if not rejection:
        return ""
    yours = (
        " Your rejected text is in the box: change it and submit again." if rejected_text else ""
    )
    return (
        "<div class='mpep-notice'><b>An earlier translation was rejected</b> by "
        f"<b>{plain(rejection['reviewer'])}</b>: {plain(rejection['comment'])}{yours}</div>"
    )


def render_time(ts: str, *, date: bool = False) -> str:
    """A UTC timestamp; the page's script shows it in the viewer's time zone."""
    shown = f"{ts[:10]} {ts[11:16]} UTC" if date else f"{ts[11:16]} UTC"
    flag = " data-date='1'" if date else ""
    return f"<time class='mpep-time' datetime='{html.escape(ts)}'{flag}>{shown}</time>"


def render_prompt_header(payload: Mapping[str, Any]) -> str:
    if payload.get("revising"):
        return (
            f"<h3>Prompt {plain(payload['prompt_id'])}: editing your translation</h3><p>It "
            "awaits review; what you submit now replaces it.</p>"
        )
    return (
        f"<h3>Prompt {plain(payload['prompt_id'])}</h3><p>Reserved for you until "
        f"{render_time(payload['lease_expires'])} (renewed while you work).</p>"
    )


def render_draft_saved(ts: str) -> str:
    return f"<span id='draft-saved'>Draft saved at {render_time(ts)}.</span>"


def render_draft_status(payload: Mapping[str, Any]) -> str:
    """Where the text in the box came from, when it is not empty."""
    if payload.get("draft"):
        return "<span id='draft-saved'>Your saved draft is back in the box.</span>"
    return ""


_CODE = re.compile(r"^(```|~~~|    \S)|`[^`\n]+`", re.MULTILINE)


def has_code(source: str) -> bool:
    """Does the prompt hold code (a fence, an indented block, inline code)?"""
    return bool(_CODE.search(source))


WORK_STATUS = {
    "awaiting review": "⏳ awaiting review (open it to edit)",
    "approved": "✅ approved",
    "rejected": "❌ rejected",
    "superseded": "another translation was accepted",
}


def render_my_work(data: Mapping[str, Any]) -> str:
    """The person's drafts and translations: their own text, as plain text."""
    parts: list[str] = []
    if data["drafts"]:
        rows = "".join(
            f"<tr><td>{plain(d['prompt_id'])}</td><td>{render_time(d['ts'], date=True)}</td>"
            f"<td>{plain(d['text'])}</td></tr>"
            for d in data["drafts"]
        )
        parts.append(
            "<h4>Drafts</h4><table class='mpep-drafts'><thead><tr><th>Prompt</th>"
            f"<th>Saved</th><th>Draft</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    if data["translations"]:
        rows = "".join(
            f"<tr class='mpep-work-row' data-prompt='{html.escape(t['prompt_id'], quote=True)}'>"
            f"<td>{plain(t['prompt_id'])}</td>"
            f"<td>{WORK_STATUS.get(t['status'], html.escape(t['status']))}"
            + (
                f"<br>by {plain(t['rejected_by'])}: “{plain(t['comment'])}”"
                if t["status"] == "rejected"
                else ""
            )
            + f"</td><td>{render_time(t['ts'], date=True)}</td><td>{plain(t['text'])}</td></tr>"
            for t in data["translations"]
        )
        parts.append(
            "<h4>Translations</h4><table class='mpep-translations'><thead><tr><th>Prompt</th>"
            f"<th>State</th><th>Submitted</th><th>Text</th></tr></thead><tbody>{rows}</tbody>"
            "</table>"
        )
    if data.get("flags"):
        items = "".join(
            f"<li>Prompt {plain(f['prompt_id'])}: {plain(f['reason'])}"
            f"{' (a reviewer has answered it)' if f['answered'] else ''}</li>"
            for f in data["flags"]
        )
        parts.append(f"<h4>Flags</h4><ul class='mpep-flags'>{items}</ul>")
    return "".join(parts) or "<p>Nothing yet: your drafts and translations will show here.</p>"


def render_identity(user: str | None) -> str:
    """Who is signed in (password mode); the name is plain text."""
    if not user:
        return ""
    return f"<p>Signed in as <b>{plain(user)}</b></p>"


def render_review_header(payload: Mapping[str, Any]) -> str:
    """Which prompt, who translated it and who edited it: names as plain text."""
    edited = (
        f", edited by <b>{plain(payload['edited_by'])}</b> (version {payload['version']})"
        if payload.get("edited_by")
        else ""
    )
    return (
        f"<h3>Prompt {plain(payload['prompt_id'])}, translated by "
        f"<b>{plain(payload['translator'])}</b>{edited}</h3>"
    )


def render_flags(flagged: Sequence[Mapping[str, Any]]) -> str:
    """Flagged prompts for reviewers: who flagged and why, as plain text."""
    if not flagged:
        return "<p>No flagged prompts.</p>"
    items = "".join(
        f"<li><b>Prompt {plain(p['prompt_id'])}</b>: "
        + "; ".join(f"{plain(f['user'])}: “{plain(f['reason'])}”" for f in p["flags"])
        + "</li>"
        for p in flagged
    )
    return f"<ul id='flag-list'>{items}</ul>"


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
    keys = ("total", "translated", "awaiting_review", "done", "flagged", "rejected", "skipped")
    counts = "".join(
        f"<div><b id='count-{key}'>{data[key]}</b> {key.replace('_', ' ')}</div>"
        for key in keys
        if key in data
    )
    pct = 100 * int(data["done"]) / total
    return (
        f"<div class='mpep-counts'>{counts}</div><div class='mpep-bar'>{parts}</div>"
        f"<div class='mpep-legend'>{legend}</div><p>{pct:.1f}% done</p>"
    )


def render_hall_of_fame(data: Mapping[str, Any], limit: int = 50) -> str:
    rows = "".join(
        f"<tr><td>{i}</td><td>{plain(c['user'])}</td><td>{c['translations']}</td>"
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
