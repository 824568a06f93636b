"""What a check reports: :class:`Finding`, its codes and severities, and message wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")

#: Every finding code, with a short description for reports and the README.
CODES: dict[str, str] = {
    "empty": ("The translation is empty, or has (almost) no words where the source has some."),
    "identical": "The translation is the same as the English source.",
    "untranslated_english": (
        "The translation, or a paragraph or sentence of it, is still in English."
    ),
    "wrong_language": "The translation looks like another language than the target language.",
    "code_block_count": "The number of fenced code blocks differs from the source.",
    "code_changed": "Code inside a fenced block was changed (only comments may be translated).",
    "inline_code_missing": "An inline code span (`...`) of the source is missing or was changed.",
    "placeholder_missing": (
        "A placeholder ({name}, {{x}}, %s, %(x)s, $VAR, ${VAR}, <tag>, a link target) "
        "is missing or was changed."
    ),
    "url_missing": "A URL of the source is missing or was changed.",
    "email_missing": "An e-mail address of the source is missing or was changed.",
    "number_missing": "A number of the source is missing or was changed.",
    "number_order": (
        "A number is in another table cell or list item than in the source (swapped numbers)."
    ),
    "markdown_structure": (
        "The number of list items, headings or table rows differs from the source."
    ),
    "length_ratio": (
        "The translation is much shorter or longer than expected for the language "
        "(cut off, or an answer instead of a translation?)."
    ),
    "glossary": "A glossary term of the source is not translated as the glossary says.",
    "suggestion_unchanged": "The translation is the machine suggestion, unchanged.",
}

_SEVERITY_OF: dict[str, str] = {code: "warning" for code in CODES}
_SEVERITY_OF["empty"] = "error"
# Pasting the English source is never a translation of a source with prose (issue 12): blocked.
_SEVERITY_OF["identical"] = "error"
_SEVERITY_OF["suggestion_unchanged"] = "info"


@dataclass(frozen=True)
class Finding:
    code: str  # stable snake_case identifier, a key of CODES
    severity: str  # "error" blocks submission, "warning" needs a second click, "info"
    message: str  # one sentence for the translator, naming the concrete item

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


def has_errors(findings: Iterable[Finding]) -> bool:
    """True if any finding blocks submission."""
    return any(f.severity == "error" for f in findings)


MAX_ITEMS_NAMED = 4

# --------------------------------------------------------------------------------------
# Messages


def one_line(item: str, limit: int = 60) -> str:
    """An item as a message can show it: one line, no lone surrogates, not too long."""
    item = item.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    item = "".join(ch if ch.isprintable() else " " for ch in item)
    item = " ".join(item.split())
    return item if len(item) <= limit else item[: limit - 1] + "\u2026"


def _and_list(items: Sequence[str], sep: str = ", ") -> str:
    named = list(items[:MAX_ITEMS_NAMED])
    if len(items) > MAX_ITEMS_NAMED:
        named.append(f"{len(items) - MAX_ITEMS_NAMED} more")
    if len(named) == 1:
        return named[0]
    return sep.join(named[:-1]) + " and " + named[-1]


def missing_items(source_items: Iterable[str], translation_items: Iterable[str]) -> list[str]:
    """Items (in source order, with repeats) that the translation has fewer copies of."""
    have = Counter(translation_items)
    missing = []
    for item in source_items:
        if have[item] > 0:
            have[item] -= 1
        else:
            missing.append(item)
    return missing


def missing_message(
    noun: str, plural: str, shown: Sequence[str], instead: Sequence[str] = (), sep: str = ", "
) -> str:
    """ "The placeholder {name} is missing from the translation (it has {naam} instead?)." """
    unique = list(dict.fromkeys(shown))
    counts = Counter(shown)
    parts = [s if counts[s] == 1 else f"{s} ({counts[s]} times)" for s in unique]
    if len(shown) == 1:
        message = f"The {noun} {parts[0]} is missing from the translation"
    else:
        message = f"The {plural} {_and_list(parts, sep)} are missing from the translation"
    if instead:
        others = list(dict.fromkeys(instead))
        message += f" (the translation has {_and_list(others, sep)} instead?)"
    return message + "."


def finding(code: str, message: str) -> Finding:
    return Finding(code, _SEVERITY_OF[code], message)


def count_noun(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
