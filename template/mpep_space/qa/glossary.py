"""The glossary: which agreed terms a source uses, and whether the translation uses them."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from .context import Context
from .findings import Finding, finding, one_line
from .markdown import normalise, parse

LOGGER = logging.getLogger(__name__)

# Glossary ------------------------------------------------------------------------------


def _entry_field(entry: Any, name: str) -> str:
    value = entry.get(name) if isinstance(entry, Mapping) else getattr(entry, name, None)
    return value if isinstance(value, str) else ""


@functools.lru_cache(maxsize=512)
def _term_regex(term: str) -> re.Pattern[str] | None:
    words = term.split()
    if not words:
        return None
    body = r"[\s-]+".join(re.escape(w) for w in words)
    return re.compile(r"(?<!\w)" + body + r"(?:s|es)?(?!\w)", re.IGNORECASE)


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for finding a glossary translation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(word: str) -> str:
    """Enough of a word to recognise its inflected forms (functie -> functies)."""
    n = len(word)
    return word if n <= 3 else word[: n - 1] if n <= 5 else word[: n - 2]


#: Glossary terms are nouns; one followed by a determiner or an object pronoun is the verb
#: ("list a few countries", "email them"), which the glossary's translation does not fit.
_VERB_OBJECT = re.compile(
    r"\s+(?:a|an|the|some|few|all|any|each|every|my|your|our|their|his|her|its|them|it|me"
    r"|us|him|these|those|two|three|four|five|ten)\b",
    re.IGNORECASE,
)


def _used_as_noun(regex: re.Pattern[str], text: str) -> bool:
    return any(not _VERB_OBJECT.match(text, m.end()) for m in regex.finditer(text))


def _glossary_terms_in(text: str, glossary: Sequence[Any] | None) -> list[Any]:
    found = []
    for entry in glossary or ():
        regex = _term_regex(_entry_field(entry, "term"))
        if regex is not None and _used_as_noun(regex, text):
            found.append(entry)
    return found


def glossary_matches(source: str, glossary: Sequence[Any] | None) -> list[Any]:
    """The glossary entries whose term occurs in the source's prose.

    Case-insensitive, whole words (an English plural -s/-es counts); code, URLs and
    placeholders are ignored. Entries are objects with ``.term`` or dicts with "term".
    """
    try:
        return _glossary_terms_in(parse(normalise(source)).plain, glossary)
    except Exception:  # never break the UI over a glossary
        LOGGER.exception("glossary_matches failed")
        return []


def _uses_translation(translation_folded: str, agreed: str) -> bool:
    words = _fold(agreed).split()
    content = [w for w in words if len(w) >= 4] or words
    return any(_stem(w) in translation_folded for w in content)


def check_glossary(ctx: Context) -> list[Finding]:
    folded = _fold(ctx.translation.text)
    findings = []
    for entry in _glossary_terms_in(ctx.source.plain, ctx.glossary):
        agreed = _entry_field(entry, "translation").strip()
        if agreed and not _uses_translation(folded, agreed):
            term = one_line(_entry_field(entry, "term"), 40)
            findings.append(
                finding(
                    "glossary",
                    f"The glossary says \u201c{term}\u201d is translated as "
                    f"\u201c{one_line(agreed, 40)}\u201d, but the translation does not use it.",
                )
            )
    return findings
