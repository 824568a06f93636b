"""The checks, and :func:`check`, which runs them in order and never raises."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from .code import code_lines
from .context import Context
from .findings import (
    SEVERITIES,
    Finding,
    count_noun,
    finding,
    missing_items,
    missing_message,
    one_line,
)
from .glossary import check_glossary
from .language_checks import check_language
from .languages import EXPANSION, target_of
from .markdown import (
    LIST_ITEM,
    LIST_MARKER,
    TABLE_ROW,
    has_prose,
    non_space,
    normalise,
    parse,
    squash,
    strip_markup,
    structure_counts,
)
from .numbers import match_numbers, numbers_in, strip_numbers
from .scripts import letters_of

LOGGER = logging.getLogger(__name__)

#: A translation with at most this many letters (after code, URLs, placeholders and numbers
#: are set aside) ...
MAX_LETTERS_OF_NO_WORDS = 2
#: ... of a source with at least this many is empty in all but form ("Define entropy." has
#: 13; its shortest good translation, Cantonese 熵嘅定義, has 4).
MIN_SOURCE_LETTERS_FOR_NO_WORDS = 6
#: So is a translation with less than this share of the letters expected for the language
#: ("TODO" for a 200-letter prompt); a text cut short keeps far more and is length_ratio's.
MAX_SHARE_OF_NO_WORDS = 0.1

#: much) ...
MIN_LETTERS_FOR_LENGTH = 40
#: Allowed range of actual / expected length (good translations: 0.80-1.38; cut to 40%: <= 0.51).
MIN_LENGTH_RATIO = 0.6
MAX_LENGTH_RATIO = 2.2
#: ... except when the translation also stops mid-sentence where the source ends a sentence:
#: then from this many letters, and below this ratio (short texts cut to 40%: <= 0.61).
MIN_LETTERS_FOR_CUT_OFF = 8
MAX_CUT_OFF_RATIO = 0.75


def _check_no_words(ctx: Context) -> list[Finding]:
    """A translation without words (".", "?", "x") of a source with words is never right."""
    source_letters = len(letters_of(strip_numbers(ctx.source.plain)))
    if source_letters < MIN_SOURCE_LETTERS_FOR_NO_WORDS:
        return []
    text = ctx.translation.text
    letters = letters_of(strip_numbers(ctx.translation.plain))
    expected = source_letters * EXPANSION.get(ctx.target.label, 1.05)
    if len(letters) > max(MAX_LETTERS_OF_NO_WORDS, MAX_SHARE_OF_NO_WORDS * expected):
        return []
    what = "has no words" if not letters else "is almost empty"
    return [
        finding(
            "empty",
            f"The translation {what} (\u201c{one_line(text, 30)}\u201d) but the source has "
            f"{source_letters} letters of text; translate the whole prompt.",
        )
    ]


def _check_identical(ctx: Context) -> list[Finding]:
    if squash(ctx.source.text) != squash(ctx.translation.text) or not has_prose(ctx.source):
        return []
    return [finding("identical", "The translation is the same as the English source.")]


def _check_code_blocks(ctx: Context) -> list[Finding]:
    src, tr = ctx.source.blocks, ctx.translation.blocks
    if len(src) != len(tr):
        return [
            finding(
                "code_block_count",
                f"The source has {count_noun(len(src), 'code block')} but the translation has "
                f"{len(tr)}; keep every fenced code block (```) exactly as it is.",
            )
        ]
    findings = []
    for number, (a, b) in enumerate(zip(src, tr, strict=True), start=1):
        a_lines, b_lines = code_lines(a), code_lines(b)
        if a_lines == b_lines:
            continue
        which = f"Code block {number}" if len(src) > 1 else "The code block"
        lost = missing_items(a_lines, b_lines)
        if lost:
            detail = f"the line \u201c{one_line(lost[0])}\u201d is not in the translation"
        else:
            added = missing_items(b_lines, a_lines)
            detail = (
                f"the translation has the line \u201c{one_line(added[0])}\u201d"
                if added
                else "its lines are in a different order"
            )
        findings.append(
            finding(
                "code_changed",
                f"{which} was changed ({detail}); only comments may be translated.",
            )
        )
    return findings


def _check_inline_code(ctx: Context) -> list[Finding]:
    lost = missing_items(ctx.source.inline_code, ctx.translation.inline_code)
    if not lost:
        return []
    shown = ["`" + one_line(s, 40) + "`" for s in lost]
    return [
        finding(
            "inline_code_missing",
            missing_message("inline code", "inline code spans", shown)[:-1]
            + "; keep it unchanged, with its backticks.",
        )
    ]


def _check_placeholders(ctx: Context) -> list[Finding]:
    src_keys = [p.key for p in ctx.source.placeholders]
    tr_keys = [p.key for p in ctx.translation.placeholders]
    lost = missing_items(src_keys, tr_keys)
    if not lost:
        return []
    shown_of = {p.key: p.shown for p in ctx.translation.placeholders}
    shown_of.update({p.key: p.shown for p in ctx.source.placeholders})
    extra = missing_items(tr_keys, src_keys)  # often the same placeholder, translated: {naam}
    return [
        finding(
            "placeholder_missing",
            missing_message(
                "placeholder",
                "placeholders",
                [one_line(shown_of[k]) for k in lost],
                [one_line(shown_of[k]) for k in extra],
            ),
        )
    ]


def _check_urls(ctx: Context) -> list[Finding]:
    findings = []
    lost = missing_items(ctx.source.urls, ctx.translation.urls)
    if lost:
        shown = [one_line(u, 80) for u in lost]
        findings.append(finding("url_missing", missing_message("URL", "URLs", shown)))
    lost = missing_items(ctx.source.emails, ctx.translation.emails)
    if lost:
        shown = [one_line(e, 80) for e in lost]
        findings.append(
            finding("email_missing", missing_message("e-mail address", "e-mail addresses", shown))
        )
    return findings


def _cells(line: str) -> list[str]:
    return line.strip().strip("|").split("|")


def _places(prose: str) -> tuple[list[list[str]], list[str]]:
    """The cells of every table row (separator rows left out) and the text of every list item."""
    rows, items = [], []
    for line in prose.split("\n"):
        if TABLE_ROW.match(line):
            if not re.fullmatch(r"[\s|:-]*", line):
                rows.append(_cells(line))
        elif LIST_ITEM.match(line):
            items.append(LIST_MARKER.sub("", line, count=1))
    return rows, items


def _same_numbers(source: str, translation: str) -> bool:
    unmatched, extra = match_numbers(numbers_in(source), numbers_in(translation))
    return not unmatched and not extra


def _check_number_places(ctx: Context) -> list[Finding]:
    """Numbers in the right table cell and list item (a swap keeps the set the same).

    Table cells must match one by one, so order counts; a list item only as a whole, since
    the word order inside a sentence (and with it the order of its numbers) may change.
    """
    src_rows, src_items = _places(strip_markup(ctx.source.prose))
    tr_rows, tr_items = _places(strip_markup(ctx.translation.prose))
    if len(src_rows) == len(tr_rows):
        for number, (a, b) in enumerate(zip(src_rows, tr_rows, strict=True), start=1):
            if len(a) == len(b) and not all(_same_numbers(x, y) for x, y in zip(a, b, strict=True)):
                return [_misplaced("table row", number, " | ".join(a), " | ".join(b))]
    if len(src_items) == len(tr_items):
        for number, (item, other) in enumerate(zip(src_items, tr_items, strict=True), start=1):
            if not _same_numbers(item, other):
                return [_misplaced("list item", number, item, other)]
    return []


def _misplaced(place: str, number: int, source: str, translation: str) -> Finding:
    def listed(text: str) -> str:
        return ", ".join(n.text for n in numbers_in(text)) or "none"

    return finding(
        "number_order",
        f"The numbers of {place} {number} are {listed(source)} in the source but "
        f"{listed(translation)} in the translation; keep each number in its place.",
    )


def _check_numbers(ctx: Context) -> list[Finding]:
    unmatched, extra = match_numbers(
        numbers_in(ctx.source.plain), numbers_in(ctx.translation.plain)
    )
    lost = [n for n in unmatched if n.significant or extra]
    if not lost:
        return []
    shown = [one_line(n.text, 30) for n in lost]
    instead = [one_line(n.text, 30) for n in extra]
    # Numbers may contain commas, so the list is separated by semicolons.
    return [finding("number_missing", missing_message("number", "numbers", shown, instead, "; "))]


def _check_markdown(ctx: Context) -> list[Finding]:
    src, tr = structure_counts(ctx.source.prose), structure_counts(ctx.translation.prose)
    diffs = [
        f"the source has {count_noun(src[k], k)} but the translation has {tr[k]}"
        for k in src
        if src[k] != tr[k]
    ]
    if not diffs:
        return []
    text = "; ".join(diffs)
    return [
        finding(
            "markdown_structure",
            text[0].upper() + text[1:] + "; keep the markdown lists, headings and tables.",
        )
    ]


# Length --------------------------------------------------------------------------------


_SENTENCE_END = ".?!:)\u3002\uff1f\uff01\u061f"


def _cut_off(source: str, translation: str) -> bool:
    """The source ends a sentence, the translation stops in the middle of a word."""
    src, tr = source.rstrip(), translation.rstrip()
    return (
        bool(src and tr) and src[-1] in _SENTENCE_END and unicodedata.category(tr[-1])[0] in "LNM"
    )


def _check_length(ctx: Context) -> list[Finding]:
    src = ctx.source
    n_letters = len(letters_of(strip_numbers(src.plain)))
    cut_off = n_letters >= MIN_LETTERS_FOR_CUT_OFF and _cut_off(src.text, ctx.translation.text)
    if n_letters < MIN_LETTERS_FOR_LENGTH and not cut_off:
        return []
    factor = EXPANSION.get(ctx.target.label, 1.05)
    prose_chars = max(non_space(src.text) - src.verbatim_chars, 0)
    expected = src.verbatim_chars + factor * prose_chars
    actual = non_space(ctx.translation.text)
    if expected <= 0:
        return []
    ratio = actual / expected
    too_short = ratio < MIN_LENGTH_RATIO and n_letters >= MIN_LETTERS_FOR_LENGTH
    if too_short or (cut_off and ratio < MAX_CUT_OFF_RATIO):
        return [
            finding(
                "length_ratio",
                f"The translation is much shorter than expected for {ctx.target.name} "
                f"({round(100 * ratio)}% of the usual length); is part of it missing?",
            )
        ]
    if ratio > MAX_LENGTH_RATIO and n_letters >= MIN_LETTERS_FOR_LENGTH:
        return [
            finding(
                "length_ratio",
                f"The translation is much longer than expected for {ctx.target.name} "
                f"({ratio:.1f} times the usual length); translate the prompt, do not answer it.",
            )
        ]
    return []


# Suggestion ----------------------------------------------------------------------------


def _check_suggestion(ctx: Context) -> list[Finding]:
    suggestion = squash(ctx.suggestion or "")
    if suggestion and suggestion == squash(ctx.translation.text):
        return [
            finding(
                "suggestion_unchanged",
                "The translation is the machine suggestion, unchanged; please check it carefully.",
            )
        ]
    return []


# --------------------------------------------------------------------------------------
# Running the checks

_Check = Callable[[Context], list[Finding]]

#: Checks that only make sense on a real attempt at a translation.
CONTENT_CHECKS: tuple[_Check, ...] = (
    _check_code_blocks,
    _check_inline_code,
    _check_placeholders,
    _check_urls,
    _check_numbers,
    _check_markdown,
    _check_number_places,
    _check_length,
)


def _run(check_fn: _Check, ctx: Context, strict: bool) -> list[Finding]:
    if strict:
        return check_fn(ctx)
    try:
        return check_fn(ctx)
    except Exception:  # a bug in one check must not block a volunteer
        LOGGER.exception("QA check %s failed", check_fn.__name__)
        return []


def run_checks(
    source: str,
    translation: str,
    lang: str,
    suggestion: str | None,
    glossary: Sequence[Any] | None,
    *,
    strict: bool,
) -> list[Finding]:
    source, translation = normalise(str(source)), normalise(str(translation))
    if not translation.strip():
        return [finding("empty", "The translation is empty.")]
    ctx = Context(
        source=parse(source),
        translation=parse(translation),
        target=target_of(str(lang)),
        suggestion=suggestion if isinstance(suggestion, str) else None,
        glossary=glossary if glossary is not None else (),
    )
    findings = _run(_check_no_words, ctx, strict)
    if findings:
        return findings
    findings = _run(_check_identical, ctx, strict)
    if not findings:
        language = _run(check_language, ctx, strict)
        findings += language
        for check_fn in CONTENT_CHECKS:
            findings += _run(check_fn, ctx, strict)
        if not language:  # a glossary is moot while the language is wrong
            findings += _run(check_glossary, ctx, strict)
    findings += _run(_check_suggestion, ctx, strict)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: rank[f.severity])


def check(
    source: str,
    translation: str,
    lang: str,
    suggestion: str | None = None,
    glossary: Sequence[Any] | None = None,
) -> list[Finding]:
    """Findings for a translation of ``source`` into ``lang`` (BCP-47), errors first.

    ``suggestion`` is the machine suggestion shown to the translator, if any; ``glossary``
    holds objects with ``.term`` and ``.translation`` (or dicts with those keys). The order
    is deterministic: by severity, then in the order of :data:`CODES`' checks.
    """
    try:
        return run_checks(source, translation, lang, suggestion, glossary, strict=False)
    except Exception:  # the last line of defence: never block a volunteer on a QA bug
        LOGGER.exception("QA failed")
        return []
