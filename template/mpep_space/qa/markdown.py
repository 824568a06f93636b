"""Parsing a prompt or translation: what is prose, what is code, what must be kept verbatim."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..text import CodeBlock, code_blocks

# --------------------------------------------------------------------------------------
# Parsing: what is prose, what is code, what must be kept

_INLINE_CODE = re.compile(r"(?<!`)``(?!`)((?:[^`\n]|`(?!`))+)``(?!`)|(?<!`)`(?!`)([^`\n]+)`(?!`)")
_URL = re.compile(
    r"(?:https?://|ftp://|www\.)"
    r"[^\s<>\"'`\[\]{}|\\^\u00ab\u00bb\u201c\u201d\u2018\u2019\u060c\u061b\u061f"
    r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?*_~'\")"
_EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9][A-Za-z0-9-]{0,62}"
    r"(?:\.[A-Za-z0-9-]{1,63})+"
)
_PLACEHOLDER = re.compile(
    r"(?P<dollar_brace>\$\{[A-Za-z_][A-Za-z0-9_]{0,63}\})"
    r"|(?P<double_brace>\{\{[^{}\n]{0,200}\}\})"
    r"|(?P<brace_percent>\{%[^{}\n]{0,200}%\})"
    r"|(?P<brace>\{[\w.\[\]:!^=+#-]{0,64}\})"
    r"|(?P<printf_named>%\([A-Za-z_][A-Za-z0-9_]{0,63}\)[-+#0 ]{0,4}\d{0,3}(?:\.\d{1,3})?"
    r"[sdifeEgGxXocr])"
    r"|(?P<printf>(?<![%\w])%[-+#0]{0,4}\d{0,3}(?:\.\d{1,3})?[sdifeEgGxXoc](?![A-Za-z0-9]))"
    r"|(?P<dollar>(?<![\w$])\$[A-Za-z_][A-Za-z0-9_]{0,63})"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>\n]{0,300})?/?>)"
    r"|(?P<link>\[[^\[\]\n]{0,500}\]\([^()\s]{1,1000}\))"
)
_TAG_NAME = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*")
_LINK_TARGET = re.compile(r"\]\(([^()\s]+)\)\Z")
LIST_MARKER = re.compile(r"[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+")
LIST_ITEM = re.compile(r"[ \t]{0,12}(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+\S")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+\S")
TABLE_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*\Z")


@dataclass(frozen=True)
class _Placeholder:
    key: str  # what is compared (whitespace-insensitive, tags by name)
    shown: str  # what a message names


@dataclass(frozen=True)
class Parsed:
    text: str
    blocks: tuple[CodeBlock, ...]
    prose: str  # the text without fenced code
    inline_code: tuple[str, ...]
    urls: tuple[str, ...]
    emails: tuple[str, ...]
    placeholders: tuple[_Placeholder, ...]
    plain: str  # prose without inline code, URLs, e-mails and placeholders
    verbatim_chars: int  # non-space characters that a translation copies unchanged


def _split_fences(text: str) -> tuple[list[CodeBlock], str]:
    """The code blocks, and the text with each block replaced by an empty line."""
    blocks = code_blocks(text)
    prose: list[str] = []
    pos = 0
    for block in blocks:
        # The block becomes an empty line: it still ends a paragraph.
        prose.append(text[pos : block.start] + "\n")
        pos = block.end
    prose.append(text[pos:])
    return blocks, "".join(prose)


def _clean_url(url: str) -> str:
    while url and url[-1] in _URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _placeholder(m: re.Match[str]) -> _Placeholder:
    kind = m.lastgroup or ""
    raw = m.group(0)
    if kind == "tag":
        name = _TAG_NAME.match(raw)
        return _Placeholder((name.group(0) if name else raw).lower() + ">", raw)
    if kind == "link":
        target = _LINK_TARGET.search(raw)
        shown = target.group(1) if target else raw
        return _Placeholder("](" + shown + ")", f"link target {shown}")
    return _Placeholder("".join(raw.split()), raw)


def parse(text: str) -> Parsed:
    blocks, prose = _split_fences(text)
    verbatim = sum(non_space(b.body) for b in blocks)

    inline: list[str] = []

    def take_inline(m: re.Match[str]) -> str:
        inline.append((m.group(1) if m.group(1) is not None else m.group(2)).strip())
        return " "

    rest = _INLINE_CODE.sub(take_inline, prose)

    urls: list[str] = []

    def take_url(m: re.Match[str]) -> str:
        url = _clean_url(m.group(0))
        urls.append(url.rstrip("/"))
        return " " + m.group(0)[len(url) :]

    rest = _URL.sub(take_url, rest)
    emails: list[str] = []

    def take_email(m: re.Match[str]) -> str:
        emails.append(m.group(0).lower())
        return " "

    rest = _EMAIL.sub(take_email, rest)
    placeholders: list[_Placeholder] = []

    def take_placeholder(m: re.Match[str]) -> str:
        placeholders.append(_placeholder(m))
        return " "

    rest = _PLACEHOLDER.sub(take_placeholder, rest)
    verbatim += sum(non_space(s) for s in inline) + sum(non_space(s) for s in urls)
    verbatim += sum(non_space(s) for s in emails) + sum(non_space(p.key) for p in placeholders)
    return Parsed(
        text=text,
        blocks=tuple(blocks),
        prose=prose,
        inline_code=tuple(inline),
        urls=tuple(urls),
        emails=tuple(emails),
        placeholders=tuple(placeholders),
        plain=rest,
        verbatim_chars=verbatim,
    )


def non_space(text: str) -> int:
    return len(text) - sum(1 for ch in text if ch.isspace())


# Markdown ------------------------------------------------------------------------------


def structure_counts(prose: str) -> dict[str, int]:
    counts = {"list item": 0, "heading": 0, "table row": 0}
    for line in prose.split("\n"):
        if TABLE_ROW.match(line):
            counts["table row"] += 1
        elif _HEADING.match(line):
            counts["heading"] += 1
        elif LIST_ITEM.match(line):
            counts["list item"] += 1
    return counts


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    return "".join(text.split())


def has_prose(parsed: Parsed) -> bool:
    return re.search(r"[^\W\d_]{2}", parsed.plain) is not None


# Quotations, in the quotation marks of the MPEP languages (one line, bounded for speed).
_QUOTED = re.compile(
    r'"([^"\n]{1,500})"|\u201c([^\u201d\n]{1,500})\u201d|\u201e([^\u201c\u201d\n]{1,500})[\u201c\u201d]'
    r"|\u00ab([^\u00bb\n]{1,500})\u00bb|\u300c([^\u300d\n]{1,500})\u300d"
    r"|\u300e([^\u300f\n]{1,500})\u300f|\u2018([^\u2019\n]{1,500})\u2019"
    # Straight single quotes only around whole words: the apostrophe in don't is no quote.
    r"|(?<!\w)'([^'\n]{1,500})'(?!\w)"
)


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _comparable(text: str) -> str:
    """Without spaces, with curly apostrophes made straight (Don't and Don’t are one quote)."""
    return squash(text.translate(_APOSTROPHES))


def without_kept_quotes(text: str, source: str | None) -> str:
    """``text`` without the quotations it keeps verbatim from ``source`` (None: without any).

    The guidelines ask translators to keep quoted English (a README line, a proverb under
    discussion) as it is; such quotes say nothing about the language the translator wrote in.
    """
    kept = _comparable(source) if source is not None else None

    def blank(m: re.Match[str]) -> str:
        inner = _comparable(next(g for g in m.groups() if g is not None))
        if kept is None or (inner and inner in kept):
            return " "
        return m.group(0)

    return _QUOTED.sub(blank, text)


def strip_markup(prose: str) -> str:
    """Prose without inline code, URLs, e-mail addresses and placeholders, lines kept."""
    rest = _INLINE_CODE.sub(" ", prose)
    rest = _URL.sub(" ", rest)
    rest = _EMAIL.sub(" ", rest)
    return _PLACEHOLDER.sub(" ", rest)
