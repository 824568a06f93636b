"""Rendering: handler results as HTML or Markdown for the Space's components.

Two kinds of text reach the page. Prompts (and the leader's guidelines and
glossary) are markdown: rendered safely, raw HTML shown as text, images shown as
text. Everything a *person* typed in the Space (comments, flag reasons, user
names, translations) is plain text: HTML-escaped into ``gr.HTML`` components,
never passed through a markdown renderer, so it can load nothing and link nowhere.
"""

from __future__ import annotations

import html
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


def render_rejection(rejection: Mapping[str, str] | None) -> str:
    """The reviewer's comment on this user's earlier, rejected translation (plain text)."""
    if not rejection:
        return ""
    return (
        "<div class='mpep-notice'><b>An earlier translation was rejected</b> by "
        f"<b>{plain(rejection['reviewer'])}</b>: {plain(rejection['comment'])}</div>"
    )


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
