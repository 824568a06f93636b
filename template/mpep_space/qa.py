"""Quality checks on a translation, run before a volunteer submits it.

:func:`check` compares an English source prompt with its translation and returns
:class:`Finding` objects: an ``error`` blocks submission, a ``warning`` needs a second
click, an ``info`` is only shown. Every check and its code is listed in :data:`CODES`.

What the checks rely on, and why:

- Things that must be copied verbatim (fenced code, inline code, placeholders, URLs,
  e-mail addresses, numbers) are extracted from both texts and compared as multisets,
  so a duplicated ``{name}`` that lost one copy is still caught. Placeholders, URLs and
  numbers are only looked for outside fenced code: changes there are the code check's job.
  Comments inside code may be translated, so the code check compares code with comments
  removed (``#``, ``//``, ``--``, ``/* */``, ``<!-- -->``, chosen by the fence's language).
- Numbers may follow the target locale: ``1,250.75``, ``1.250,75``, ``1 250,75`` and
  ``1250.75`` are equal; Arabic-Indic digits count as digits. A missing single-digit number
  is reported only when the translation has a different number instead (``5`` -> ``6``),
  because small numbers are often written as words.
- The language check uses py3langid (its model ships inside the wheel; 4.6 MB, loaded once,
  lazily, in about 0.6 s; a call takes well under a millisecond). lingua was rejected: 100 MB
  and 1.3 GB of memory for all languages is too much for a free Space. Scores are restricted
  to the target, English and the other MPEP languages: a wrong language is almost always
  English or another Space's language. The script is checked first, which works on even a few
  letters (a Tamil translation must be mostly Tamil letters); telling apart two languages of
  one script needs 20 letters. English gets its own code, ``untranslated_english`` (text left
  untranslated, in whole or in one paragraph, is the commonest failure and the report counts it
  apart); any other language is ``wrong_language``. Cantonese, Mandarin and Wu all count as
  Chinese: the model cannot tell written Cantonese from Standard Chinese reliably.
- The length check allows for how long each language is: expected length = verbatim parts
  (code, URLs, placeholders) + prose length x a per-language expansion factor.

This module imports only the standard library and py3langid, so the Space and the
collector can use it without anything else. :func:`check` never raises.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CODES",
    "SEVERITIES",
    "Finding",
    "check",
    "glossary_matches",
    "has_errors",
    "warm_up",
]

LOGGER = logging.getLogger(__name__)

SEVERITIES = ("error", "warning", "info")

#: Every finding code, with a short description for reports and the README.
CODES: dict[str, str] = {
    "empty": "The translation is empty or only whitespace.",
    "identical": "The translation is the same as the English source.",
    "untranslated_english": "The translation, or a whole paragraph of it, is still in English.",
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


# --------------------------------------------------------------------------------------
# Tunable thresholds, measured on bench/qa_data (122 good translations in nl, es, de, ru, ar,
# yue and the defects bench/qa_eval.py derives from them; the numbers quoted are from there).

#: A translation mostly in another script than the target's is flagged from this many letters
#: (of prose: code, URLs, placeholders and numbers removed). Scripts are unambiguous.
MIN_LETTERS_FOR_SCRIPT = 3
#: Telling apart languages of one script (Dutch from German) needs this many letters: below
#: it good translations scored as low as 0.34 for their own language.
MIN_LETTERS_FOR_LANGUAGE = 20
#: Flag another language only if the target (and its accepted variants) get less than this
#: share of the probability among the candidate languages (from 20 letters on, good
#: translations got >= 0.56, wrong-language and English ones <= 0.06) ...
MAX_TARGET_PROBABILITY = 0.15
#: ... and the best other language at least this much.
MIN_OTHER_PROBABILITY = 0.5
#: A paragraph of at least this many letters that is English with this probability makes the
#: translation "partly in English" even when the text as a whole looks right (good
#: paragraphs: p(English) <= 0.006; paragraphs left in English: >= 0.9999).
MIN_LETTERS_FOR_PARAGRAPH = 50
MIN_ENGLISH_PARAGRAPH_PROBABILITY = 0.9
#: For a non-Latin target script, at least this share of the letters must be in it.
MIN_SCRIPT_SHARE = 0.5
#: The length check needs this many letters of prose in the source (shorter texts vary too
#: much) ...
MIN_LETTERS_FOR_LENGTH = 40
#: Allowed range of actual / expected length (good translations: 0.80-1.38; cut to 40%: <= 0.51).
MIN_LENGTH_RATIO = 0.6
MAX_LENGTH_RATIO = 2.2
#: ... except when the translation also stops mid-sentence where the source ends a sentence:
#: then from this many letters, and below this ratio (short texts cut to 40%: <= 0.61).
MIN_LETTERS_FOR_CUT_OFF = 8
MAX_CUT_OFF_RATIO = 0.75
#: Only so much text is given to the language identifier (speed; more does not help).
MAX_CHARS_FOR_LANGUAGE = 3000
#: How many items a message names before it says "and N more".
MAX_ITEMS_NAMED = 4


# --------------------------------------------------------------------------------------
# Languages

_LANGUAGE_NAMES: dict[str, str] = {
    "af": "Afrikaans",
    "am": "Amharic",
    "ar": "Arabic",
    "arz": "Egyptian Arabic",
    "ary": "Moroccan Arabic",
    "az": "Azerbaijani",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "bs": "Bosnian",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fil": "Filipino",
    "fr": "French",
    "fy": "Frisian",
    "ga": "Irish",
    "gl": "Galician",
    "gu": "Gujarati",
    "ha": "Hausa",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "ig": "Igbo",
    "is": "Icelandic",
    "it": "Italian",
    "ja": "Japanese",
    "jv": "Javanese",
    "ka": "Georgian",
    "kk": "Kazakh",
    "km": "Khmer",
    "kn": "Kannada",
    "ko": "Korean",
    "ky": "Kyrgyz",
    "la": "Latin",
    "lb": "Luxembourgish",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mg": "Malagasy",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "mn": "Mongolian",
    "mr": "Marathi",
    "ms": "Malay",
    "mt": "Maltese",
    "my": "Burmese",
    "nb": "Norwegian",
    "ne": "Nepali",
    "nl": "Dutch",
    "nn": "Norwegian",
    "no": "Norwegian",
    "pa": "Punjabi",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "si": "Sinhala",
    "sk": "Slovak",
    "sl": "Slovenian",
    "so": "Somali",
    "sq": "Albanian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "vi": "Vietnamese",
    "wuu": "Wu Chinese",
    "xh": "Xhosa",
    "yo": "Yoruba",
    "yue": "Cantonese",
    "zh": "Chinese",
    "zu": "Zulu",
}

#: BCP-47 primary subtags whose py3langid label differs.
_LABEL_ALIASES: dict[str, str] = {
    "fil": "tl",
    "nb": "no",
    "iw": "he",
    "in": "id",
    "cmn": "zh",
    "zsm": "ms",
    "arb": "ar",
    "pes": "fa",
    "swh": "sw",
    "plt": "mg",
}

#: Labels that all count as the target language (dialects, variants the model splits).
_ACCEPTED_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"ar", "arz", "ary"}),
    frozenset({"zh", "yue", "wuu"}),
    frozenset({"no", "nn"}),
    frozenset({"id", "ms"}),
    frozenset({"sr", "hr", "bs"}),
)

#: The MPEP languages (as py3langid labels) plus English: the usual candidates. A wrong
#: language is almost always English or the language of another MPEP Space.
_MPEP_LABELS: frozenset[str] = frozenset(
    "en ar yue zh cs nl tl fr de el hu mg pt ru sk es sw ta te tr vi".split()
)

#: The script every letter of a language is written in, by BCP-47 primary subtag.
_LANGUAGE_SCRIPTS: dict[str, str] = {
    **dict.fromkeys("ar arz ary fa ur ps ug sd ckb".split(), "Arab"),
    **dict.fromkeys("ru uk bg be mk kk ky mn tg tt ba".split(), "Cyrl"),
    "el": "Grek",
    **dict.fromkeys("he yi".split(), "Hebr"),
    **dict.fromkeys("hi mr ne sa".split(), "Deva"),
    **dict.fromkeys("bn as".split(), "Beng"),
    "ta": "Taml",
    "te": "Telu",
    "kn": "Knda",
    "ml": "Mlym",
    "gu": "Gujr",
    "pa": "Guru",
    "or": "Orya",
    "si": "Sinh",
    "th": "Thai",
    "lo": "Laoo",
    "km": "Khmr",
    "my": "Mymr",
    "ka": "Geor",
    "hy": "Armn",
    "am": "Ethi",
    **dict.fromkeys("zh yue wuu cmn".split(), "Hani"),
    "ja": "Jpan",
    "ko": "Hang",
}

#: Languages commonly written in more than one script: no script check unless the code says
#: which (sr-Latn, sr-Cyrl).
_MIXED_SCRIPT = frozenset("sr bs uz az kk pa ku tt ha ms".split())

#: Characters of the translation per character of English prose, by language. Checked for ar,
#: de, es, nl, ru and yue on bench/qa_data (mean actual/expected 1.00-1.13 with these
#: factors); the others are estimates from typical expansion. Unknown languages use 1.05.
_EXPANSION: dict[str, float] = {
    "ar": 0.85,
    "cs": 0.95,
    "de": 1.15,
    "el": 1.1,
    "es": 1.12,
    "fr": 1.15,
    "hu": 1.05,
    "mg": 1.2,
    "nl": 1.1,
    "pt": 1.1,
    "ru": 1.05,
    "sk": 0.95,
    "sw": 1.1,
    "ta": 1.3,
    "te": 1.1,
    "tl": 1.25,
    "tr": 1.0,
    "vi": 1.1,
    "zh": 0.32,
    "yue": 0.35,
    "wuu": 0.35,
    "ja": 0.45,
    "ko": 0.5,
}


@dataclass(frozen=True)
class _Target:
    """What the checks need to know about the target language."""

    code: str  # as given, e.g. "pt-BR"
    label: str  # py3langid label, e.g. "pt"; the primary subtag if unknown
    name: str  # English name, e.g. "Portuguese"
    script: str | None  # ISO 15924 code, None if not known
    accepted: frozenset[str]  # labels that count as the target


@functools.lru_cache(maxsize=64)
def _target(lang: str) -> _Target:
    subtags = [s for s in re.split(r"[-_]", lang.strip()) if s]
    primary = subtags[0].lower() if subtags else ""
    label = _LABEL_ALIASES.get(primary, primary)
    script = _LANGUAGE_SCRIPTS.get(primary) or _LANGUAGE_SCRIPTS.get(label)
    for sub in subtags[1:]:
        if len(sub) == 4 and sub.isalpha():
            explicit = sub.title()
            script = "Hani" if explicit in ("Hant", "Hans") else explicit
    if script is None and label in _LANGUAGE_NAMES and label not in _MIXED_SCRIPT:
        script = "Latn"
    accepted = {label}
    for group in _ACCEPTED_GROUPS:
        if label in group:
            accepted |= group
    name = _LANGUAGE_NAMES.get(primary) or _LANGUAGE_NAMES.get(label) or (lang.strip() or "?")
    return _Target(lang, label, name, script, frozenset(accepted))


def _language_name(label: str) -> str:
    return _LANGUAGE_NAMES.get(label, label)


# --------------------------------------------------------------------------------------
# The language identifier, loaded lazily once per process

_IDENTIFIER_LOCK = threading.Lock()
_IDENTIFIER: Any = None
_IDENTIFIER_FAILED = False


def _load_identifier() -> Any:
    from py3langid import langid

    cls = langid.LanguageIdentifier
    # py3langid >= 0.4 calls it from_model_file; 0.2-0.3 from_pickled_model.
    loader = getattr(cls, "from_model_file", None) or cls.from_pickled_model
    return loader(langid.MODEL_FILE, norm_probs=True)


def _identifier() -> Any | None:
    """The shared py3langid identifier (thread-safe; None if it cannot be loaded)."""
    global _IDENTIFIER, _IDENTIFIER_FAILED
    if _IDENTIFIER is None and not _IDENTIFIER_FAILED:
        with _IDENTIFIER_LOCK:
            if _IDENTIFIER is None and not _IDENTIFIER_FAILED:
                try:
                    _IDENTIFIER = _load_identifier()
                except Exception:  # a broken install must not break submitting
                    LOGGER.exception("py3langid could not be loaded; language checks are off")
                    _IDENTIFIER_FAILED = True
    return _IDENTIFIER


def warm_up() -> None:
    """Load the language model now (e.g. at Space start) instead of on the first check."""
    _identifier()


@functools.lru_cache(maxsize=1)
def _model_labels() -> frozenset[str]:
    ident = _identifier()
    return frozenset(ident.nb_classes) if ident is not None else frozenset()


def _language_probabilities(
    text: str, candidates: frozenset[str] | None
) -> list[tuple[str, float]]:
    """Languages by probability, best first, renormalised over ``candidates`` (None: all)."""
    ident = _identifier()
    if ident is None:
        return []
    ranked = ident.rank(text[:MAX_CHARS_FOR_LANGUAGE])
    if candidates is not None:
        ranked = [(lab, p) for lab, p in ranked if lab in candidates]
    total = sum(p for _, p in ranked)
    if not total > 0:
        return []
    return [(str(lab), float(p) / total) for lab, p in ranked]


# --------------------------------------------------------------------------------------
# Scripts

# (start, end, script) of the letters the checks care about; everything else is "Zyyy".
_SCRIPT_RANGES: list[tuple[int, int, str]] = sorted(
    [
        (0x0041, 0x005A, "Latn"),
        (0x0061, 0x007A, "Latn"),
        (0x00C0, 0x024F, "Latn"),
        (0x1E00, 0x1EFF, "Latn"),
        (0x0370, 0x03FF, "Grek"),
        (0x1F00, 0x1FFF, "Grek"),
        (0x0400, 0x052F, "Cyrl"),
        (0x0530, 0x058F, "Armn"),
        (0x0590, 0x05FF, "Hebr"),
        (0x0600, 0x06FF, "Arab"),
        (0x0750, 0x077F, "Arab"),
        (0x08A0, 0x08FF, "Arab"),
        (0xFB50, 0xFDFF, "Arab"),
        (0xFE70, 0xFEFF, "Arab"),
        (0x0900, 0x097F, "Deva"),
        (0x0980, 0x09FF, "Beng"),
        (0x0A00, 0x0A7F, "Guru"),
        (0x0A80, 0x0AFF, "Gujr"),
        (0x0B00, 0x0B7F, "Orya"),
        (0x0B80, 0x0BFF, "Taml"),
        (0x0C00, 0x0C7F, "Telu"),
        (0x0C80, 0x0CFF, "Knda"),
        (0x0D00, 0x0D7F, "Mlym"),
        (0x0D80, 0x0DFF, "Sinh"),
        (0x0E00, 0x0E7F, "Thai"),
        (0x0E80, 0x0EFF, "Laoo"),
        (0x1000, 0x109F, "Mymr"),
        (0x10A0, 0x10FF, "Geor"),
        (0x1100, 0x11FF, "Hang"),
        (0x1200, 0x139F, "Ethi"),
        (0x1780, 0x17FF, "Khmr"),
        (0x3040, 0x30FF, "Kana"),
        (0x3130, 0x318F, "Hang"),
        (0x3400, 0x4DBF, "Hani"),
        (0x4E00, 0x9FFF, "Hani"),
        (0xAC00, 0xD7AF, "Hang"),
        (0xF900, 0xFAFF, "Hani"),
        (0x20000, 0x2FA1F, "Hani"),
    ]
)
_SCRIPT_STARTS = [r[0] for r in _SCRIPT_RANGES]


_SCRIPT_NAMES = {
    "Latn": "Latin",
    "Cyrl": "Cyrillic",
    "Grek": "Greek",
    "Arab": "Arabic",
    "Hebr": "Hebrew",
    "Hani": "Chinese",
    "Jpan": "Japanese",
    "Kana": "Japanese kana",
    "Hang": "Korean",
    "Deva": "Devanagari",
    "Taml": "Tamil",
    "Telu": "Telugu",
}


def _script_name(script: str) -> str:
    return _SCRIPT_NAMES.get(script, script)


def _script_of(ch: str) -> str:
    cp = ord(ch)
    i = bisect.bisect_right(_SCRIPT_STARTS, cp) - 1
    if i >= 0 and cp <= _SCRIPT_RANGES[i][1]:
        return _SCRIPT_RANGES[i][2]
    return "Zyyy"


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _letters(text: str) -> list[str]:
    return [ch for ch in text if _is_letter(ch)]


def _script_share(letters: Sequence[str], script: str) -> float:
    if not letters:
        return 0.0
    wanted = {"Jpan": {"Hani", "Kana"}, "Hang": {"Hang", "Hani"}}.get(script, {script})
    return sum(1 for ch in letters if _script_of(ch) in wanted) / len(letters)


# --------------------------------------------------------------------------------------
# Parsing: what is prose, what is code, what must be kept

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*([^`\n]*)\Z")
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
_LIST_ITEM = re.compile(r"[ \t]{0,12}(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+\S")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+\S")
_TABLE_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*\Z")


@dataclass(frozen=True)
class _CodeBlock:
    info: str  # the fence's language tag, lower-case ("" if none)
    body: str


@dataclass(frozen=True)
class _Placeholder:
    key: str  # what is compared (whitespace-insensitive, tags by name)
    shown: str  # what a message names


@dataclass(frozen=True)
class _Parsed:
    text: str
    blocks: tuple[_CodeBlock, ...]
    prose: str  # the text without fenced code
    inline_code: tuple[str, ...]
    urls: tuple[str, ...]
    emails: tuple[str, ...]
    placeholders: tuple[_Placeholder, ...]
    plain: str  # prose without inline code, URLs, e-mails and placeholders
    verbatim_chars: int  # non-space characters that a translation copies unchanged


def _split_fences(text: str) -> tuple[list[_CodeBlock], str]:
    """Fenced code blocks, and the text with each block replaced by an empty line."""
    blocks: list[_CodeBlock] = []
    prose: list[str] = []
    fence = ""
    info = ""
    body: list[str] = []
    for line in text.split("\n"):
        if not fence:
            m = _FENCE_OPEN.match(line)
            if m:
                fence, info = m.group(1), (m.group(2).split() or [""])[0].lower()
                body = []
                prose.append("")
            else:
                prose.append(line)
            continue
        stripped = line.strip()
        if len(stripped) >= len(fence) and stripped == fence[0] * len(stripped):
            blocks.append(_CodeBlock(info, "\n".join(body)))
            fence = ""
            prose.append("")
        else:
            body.append(line)
    if fence:  # an unclosed fence runs to the end, as in CommonMark
        blocks.append(_CodeBlock(info, "\n".join(body)))
    return blocks, "\n".join(prose)


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


def _parse(text: str) -> _Parsed:
    blocks, prose = _split_fences(text)
    verbatim = sum(_non_space(b.body) for b in blocks)

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
    verbatim += sum(_non_space(s) for s in inline) + sum(_non_space(s) for s in urls)
    verbatim += sum(_non_space(s) for s in emails) + sum(_non_space(p.key) for p in placeholders)
    return _Parsed(
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


def _non_space(text: str) -> int:
    return len(text) - sum(1 for ch in text if ch.isspace())


# --------------------------------------------------------------------------------------
# Messages


def _shown(item: str, limit: int = 60) -> str:
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


def _missing(source_items: Iterable[str], translation_items: Iterable[str]) -> list[str]:
    """Items (in source order, with repeats) that the translation has fewer copies of."""
    have = Counter(translation_items)
    missing = []
    for item in source_items:
        if have[item] > 0:
            have[item] -= 1
        else:
            missing.append(item)
    return missing


def _missing_message(
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


# --------------------------------------------------------------------------------------
# The checks. Each takes a _Context and returns findings; check() runs them in order.


@dataclass(frozen=True)
class _Context:
    source: _Parsed
    translation: _Parsed
    target: _Target
    suggestion: str | None
    glossary: Sequence[Any]


def _finding(code: str, message: str) -> Finding:
    return Finding(code, _SEVERITY_OF[code], message)


def _squash(text: str) -> str:
    return "".join(text.split())


def _has_prose(parsed: _Parsed) -> bool:
    return re.search(r"[^\W\d_]{2}", parsed.plain) is not None


def _check_identical(ctx: _Context) -> list[Finding]:
    if _squash(ctx.source.text) != _squash(ctx.translation.text) or not _has_prose(ctx.source):
        return []
    return [_finding("identical", "The translation is the same as the English source.")]


def _check_language(ctx: _Context) -> list[Finding]:
    target = ctx.target
    if target.label == "en":
        return []
    text = _strip_numbers(ctx.translation.plain)
    letters = _letters(text)
    # Letters of a script the source itself quotes (say, Chinese in an English prompt)
    # say nothing about the translation's language.
    quoted = {_script_of(ch) for ch in set(ctx.source.plain) if _is_letter(ch)} - {"Latn"}
    counted = [ch for ch in letters if _script_of(ch) not in quoted]
    if target.script is not None and len(counted) >= MIN_LETTERS_FOR_SCRIPT:
        if _script_share(counted, target.script) < MIN_SCRIPT_SHARE:
            return [_wrong_script(text, counted, target)]
    if len(letters) < MIN_LETTERS_FOR_LANGUAGE:
        return []
    if target.script not in (None, "Latn"):
        # The right script; the model adds little to that (and some of these languages
        # share a script with no other candidate), except to find English paragraphs.
        return _check_english_paragraphs(ctx, text)
    if target.label in _model_labels():
        ranked = _language_probabilities(text, _candidates(target))
        if not ranked:
            return []
        p_target = sum(p for lab, p in ranked if lab in target.accepted)
        best, p_best = ranked[0]
        if (
            best not in target.accepted
            and p_target < MAX_TARGET_PROBABILITY
            and p_best >= MIN_OTHER_PROBABILITY
        ):
            return [_wrong_language(best, target)]
        return _check_english_paragraphs(ctx, text)
    # A Latin-script language the model does not know: only ask "is it English?".
    ranked = _language_probabilities(text, None)
    if ranked and ranked[0][0] == "en" and ranked[0][1] >= MIN_OTHER_PROBABILITY:
        return [_wrong_language("en", target)]
    return _check_english_paragraphs(ctx, text)


def _wrong_script(text: str, letters: Sequence[str], target: _Target) -> Finding:
    """A finding for a translation written mostly in another script than the target's."""
    dominant = Counter(_script_of(ch) for ch in letters).most_common(1)[0][0]
    ranked = _language_probabilities(text, _candidates(target) - target.accepted)
    if ranked and ranked[0][1] >= MIN_OTHER_PROBABILITY:
        best = ranked[0][0]
        if _LANGUAGE_SCRIPTS.get(best, "Latn") == dominant:
            return _wrong_language(best, target)
    wanted = _script_name(target.script or "")
    return _finding(
        "wrong_language",
        f"The translation is written in {_script_name(dominant)} script, not {wanted}; "
        f"is it {target.name}?",
    )


def _candidates(target: _Target) -> frozenset[str]:
    labels = _model_labels()
    return (_MPEP_LABELS | target.accepted) & labels


def _wrong_language(label: str, target: _Target) -> Finding:
    if label == "en":
        return _finding(
            "untranslated_english", f"The translation looks like English, not {target.name}."
        )
    return _finding(
        "wrong_language",
        f"The translation looks like {_language_name(label)}, not {target.name}.",
    )


def _check_english_paragraphs(ctx: _Context, text: str) -> list[Finding]:
    """A paragraph left in English inside an otherwise translated text."""
    if "en" not in _model_labels():
        return []
    candidates = _candidates(ctx.target)
    for paragraph in re.split(r"\n[ \t]*\n", text):
        if len(_letters(paragraph)) < MIN_LETTERS_FOR_PARAGRAPH:
            continue
        ranked = _language_probabilities(paragraph, candidates)
        if ranked and ranked[0][0] == "en" and ranked[0][1] >= MIN_ENGLISH_PARAGRAPH_PROBABILITY:
            return [
                _finding(
                    "untranslated_english",
                    f"This paragraph is still in English: \u201c{_shown(paragraph, 50)}\u201d.",
                )
            ]
    return []


# Code blocks -------------------------------------------------------------------------

_HASH_LANGS = frozenset(
    "python py python3 sh bash shell zsh console ruby rb r perl pl yaml yml toml ini conf "
    "dockerfile makefile make powershell ps1 julia jl elixir ex nim coffee tcl cmake "
    "nginx gitignore".split()
)
_SLASH_LANGS = frozenset(
    "js javascript ts typescript jsx tsx mjs java c cpp c++ cc h hpp cs csharp go golang "
    "rust rs swift kotlin kt scala dart php json5 jsonc scss less groovy objc objective-c "
    "zig sol solidity".split()
)
_DASH_LANGS = frozenset(
    "sql lua haskell hs elm ada vhdl plsql postgres postgresql psql mysql sqlite tsql".split()
)
_MARKUP_LANGS = frozenset("html xml svg vue markdown md".split())

_STRING_PATTERNS = (
    r'"(?:[^"\\\n]|\\.)*"?',
    r"'(?:[^'\\\n]|\\.)*'?",
)
_COMMENT_PATTERNS = {
    "hash": r"\#[^\n]*",
    "slash": r"//[^\n]*",
    "dash": r"--[^\n]*",
    "block": r"/\*(?:[^*]|\*(?!/))*(?:\*/)?",
    "markup": r"<!--(?:[^-]|-(?!->))*(?:-->)?",
}


@functools.lru_cache(maxsize=16)
def _comment_regex(styles: tuple[str, ...], backtick_strings: bool) -> re.Pattern[str]:
    strings = list(_STRING_PATTERNS)
    if backtick_strings:
        strings.append(r"`(?:[^`\\]|\\.)*`?")
    comments = [_COMMENT_PATTERNS[s] for s in styles]
    return re.compile(
        "(?P<string>" + "|".join(strings) + ")|(?P<comment>" + "|".join(comments) + ")",
        re.DOTALL,
    )


def _comment_styles(info: str) -> tuple[tuple[str, ...], bool]:
    if info in _HASH_LANGS:
        return ("hash",) + (("slash", "block") if info == "php" else ()), False
    if info in _SLASH_LANGS:
        return ("slash", "block") + (("hash",) if info == "php" else ()), True
    if info in _DASH_LANGS:
        return ("dash", "block"), False
    if info == "css":
        return ("block",), False
    if info in _MARKUP_LANGS:
        return ("markup",), False
    return ("hash", "slash", "dash", "block", "markup"), True


def _code_lines(block: _CodeBlock) -> list[str]:
    """The block's code without comments, one normalised entry per non-empty line."""
    styles, backticks = _comment_styles(block.info)
    regex = _comment_regex(styles, backticks)
    code = regex.sub(lambda m: m.group(0) if m.lastgroup == "string" else " ", block.body)
    lines = (" ".join(line.split()) for line in code.split("\n"))
    return [line for line in lines if line]


def _check_code_blocks(ctx: _Context) -> list[Finding]:
    src, tr = ctx.source.blocks, ctx.translation.blocks
    if len(src) != len(tr):
        return [
            _finding(
                "code_block_count",
                f"The source has {_count(len(src), 'code block')} but the translation has "
                f"{len(tr)}; keep every fenced code block (```) exactly as it is.",
            )
        ]
    findings = []
    for number, (a, b) in enumerate(zip(src, tr, strict=True), start=1):
        a_lines, b_lines = _code_lines(a), _code_lines(b)
        if a_lines == b_lines:
            continue
        which = f"Code block {number}" if len(src) > 1 else "The code block"
        lost = _missing(a_lines, b_lines)
        if lost:
            detail = f"the line \u201c{_shown(lost[0])}\u201d is not in the translation"
        else:
            added = _missing(b_lines, a_lines)
            detail = (
                f"the translation has the line \u201c{_shown(added[0])}\u201d"
                if added
                else "its lines are in a different order"
            )
        findings.append(
            _finding(
                "code_changed",
                f"{which} was changed ({detail}); only comments may be translated.",
            )
        )
    return findings


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _check_inline_code(ctx: _Context) -> list[Finding]:
    lost = _missing(ctx.source.inline_code, ctx.translation.inline_code)
    if not lost:
        return []
    shown = ["`" + _shown(s, 40) + "`" for s in lost]
    return [
        _finding(
            "inline_code_missing",
            _missing_message("inline code", "inline code spans", shown)[:-1]
            + "; keep it unchanged, with its backticks.",
        )
    ]


def _check_placeholders(ctx: _Context) -> list[Finding]:
    src_keys = [p.key for p in ctx.source.placeholders]
    tr_keys = [p.key for p in ctx.translation.placeholders]
    lost = _missing(src_keys, tr_keys)
    if not lost:
        return []
    shown_of = {p.key: p.shown for p in ctx.translation.placeholders}
    shown_of.update({p.key: p.shown for p in ctx.source.placeholders})
    extra = _missing(tr_keys, src_keys)  # often the same placeholder, translated: {naam}
    return [
        _finding(
            "placeholder_missing",
            _missing_message(
                "placeholder",
                "placeholders",
                [_shown(shown_of[k]) for k in lost],
                [_shown(shown_of[k]) for k in extra],
            ),
        )
    ]


def _check_urls(ctx: _Context) -> list[Finding]:
    findings = []
    lost = _missing(ctx.source.urls, ctx.translation.urls)
    if lost:
        shown = [_shown(u, 80) for u in lost]
        findings.append(_finding("url_missing", _missing_message("URL", "URLs", shown)))
    lost = _missing(ctx.source.emails, ctx.translation.emails)
    if lost:
        shown = [_shown(e, 80) for e in lost]
        findings.append(
            _finding("email_missing", _missing_message("e-mail address", "e-mail addresses", shown))
        )
    return findings


# Numbers -------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<!\d)\d+(?:(?:[.,:'\u066b\u066c]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*"
)
_THOUSANDS_ONLY = " \u00a0\u202f\u2009'\u066c"


@dataclass(frozen=True)
class _Number:
    text: str  # as written
    values: frozenset[str]  # every reading of it, canonical ("1250.75", "t8:15", "L1.2.3")
    significant: bool  # two or more digits, or a fraction: never written as a word


def _canonical(integer: str, fraction: str = "") -> str:
    integer = integer.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{integer}.{fraction}" if fraction else integer


def _read_number(token: str) -> _Number:
    digits_only = "".join(str(unicodedata.decimal(ch, 0)) if ch.isdecimal() else ch for ch in token)
    groups = re.split(r"[^0-9]", digits_only)
    seps = re.findall(r"[^0-9]", digits_only)
    values: set[str] = set()
    if not seps:
        values.add(_canonical(groups[0]))
    elif seps == [":"]:
        if len(groups[0]) <= 2 and len(groups[1]) == 2:
            values.add(f"t{int(groups[0])}:{groups[1]}")
    elif ":" not in seps:
        last = seps[-1]
        head, tail = groups[:-1], groups[-1]
        thousands_groups = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
        if len(set(seps)) == 1:
            if thousands_groups and (len(seps) > 1 or last in _THOUSANDS_ONLY or last in ".,"):
                values.add(_canonical("".join(groups)))
            if len(seps) == 1 and last not in _THOUSANDS_ONLY:
                values.add(_canonical(head[0], tail))
                if (
                    last in ".,"
                    and len(head[0]) <= 2
                    and int(head[0]) <= 24
                    and len(tail) == 2
                    and int(tail) < 60
                ):
                    values.add(f"t{int(head[0])}:{tail}")  # 8.15 may be a time (08:15)
        elif last not in _THOUSANDS_ONLY and last not in seps[:-1]:
            inner = set(seps[:-1])
            if len(inner) == 1 and len(head[0]) <= 3 and all(len(g) == 3 for g in head[1:]):
                values.add(_canonical("".join(head), tail))
    if not values:
        values.add("L" + digits_only)
    n_digits = sum(len(g) for g in groups)
    significant = n_digits >= 2 or len(seps) > 0
    return _Number(token, frozenset(values), significant)


def _numbers(text: str) -> list[_Number]:
    return [_read_number(m.group(0)) for m in _NUMBER.finditer(text)]


def _strip_numbers(text: str) -> str:
    return _NUMBER.sub(" ", text)


def _match_numbers(
    source: list[_Number], translation: list[_Number]
) -> tuple[list[_Number], list[_Number]]:
    """Pair numbers with a common reading; returns the unpaired ones of each side."""
    index: dict[str, list[int]] = {}
    for i, num in enumerate(translation):
        for value in num.values:
            index.setdefault(value, []).append(i)
    used = [False] * len(translation)
    unmatched = []
    # Numbers with one reading first, so that ambiguous ones take what is left.
    for num in sorted(source, key=lambda n: len(n.values)):
        for value in sorted(num.values):
            bucket = index.get(value, [])
            while bucket and used[bucket[-1]]:
                bucket.pop()
            if bucket:
                used[bucket.pop()] = True
                break
        else:
            unmatched.append(num)
    order = {id(n): i for i, n in enumerate(source)}
    unmatched.sort(key=lambda n: order[id(n)])
    extra = [n for n, u in zip(translation, used, strict=True) if not u]
    return unmatched, extra


def _check_numbers(ctx: _Context) -> list[Finding]:
    unmatched, extra = _match_numbers(_numbers(ctx.source.plain), _numbers(ctx.translation.plain))
    lost = [n for n in unmatched if n.significant or extra]
    if not lost:
        return []
    shown = [_shown(n.text, 30) for n in lost]
    instead = [_shown(n.text, 30) for n in extra]
    # Numbers may contain commas, so the list is separated by semicolons.
    return [_finding("number_missing", _missing_message("number", "numbers", shown, instead, "; "))]


# Markdown ------------------------------------------------------------------------------


def _structure(prose: str) -> dict[str, int]:
    counts = {"list item": 0, "heading": 0, "table row": 0}
    for line in prose.split("\n"):
        if _TABLE_ROW.match(line):
            counts["table row"] += 1
        elif _HEADING.match(line):
            counts["heading"] += 1
        elif _LIST_ITEM.match(line):
            counts["list item"] += 1
    return counts


def _check_markdown(ctx: _Context) -> list[Finding]:
    src, tr = _structure(ctx.source.prose), _structure(ctx.translation.prose)
    diffs = [
        f"the source has {_count(src[k], k)} but the translation has {tr[k]}"
        for k in src
        if src[k] != tr[k]
    ]
    if not diffs:
        return []
    text = "; ".join(diffs)
    return [
        _finding(
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


def _check_length(ctx: _Context) -> list[Finding]:
    src = ctx.source
    n_letters = len(_letters(_strip_numbers(src.plain)))
    cut_off = n_letters >= MIN_LETTERS_FOR_CUT_OFF and _cut_off(src.text, ctx.translation.text)
    if n_letters < MIN_LETTERS_FOR_LENGTH and not cut_off:
        return []
    factor = _EXPANSION.get(ctx.target.label, 1.05)
    prose_chars = max(_non_space(src.text) - src.verbatim_chars, 0)
    expected = src.verbatim_chars + factor * prose_chars
    actual = _non_space(ctx.translation.text)
    if expected <= 0:
        return []
    ratio = actual / expected
    too_short = ratio < MIN_LENGTH_RATIO and n_letters >= MIN_LETTERS_FOR_LENGTH
    if too_short or (cut_off and ratio < MAX_CUT_OFF_RATIO):
        return [
            _finding(
                "length_ratio",
                f"The translation is much shorter than expected for {ctx.target.name} "
                f"({round(100 * ratio)}% of the usual length); is part of it missing?",
            )
        ]
    if ratio > MAX_LENGTH_RATIO and n_letters >= MIN_LETTERS_FOR_LENGTH:
        return [
            _finding(
                "length_ratio",
                f"The translation is much longer than expected for {ctx.target.name} "
                f"({ratio:.1f} times the usual length); translate the prompt, do not answer it.",
            )
        ]
    return []


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


def _glossary_terms_in(text: str, glossary: Sequence[Any] | None) -> list[Any]:
    found = []
    for entry in glossary or ():
        regex = _term_regex(_entry_field(entry, "term"))
        if regex is not None and regex.search(text):
            found.append(entry)
    return found


def glossary_matches(source: str, glossary: Sequence[Any] | None) -> list[Any]:
    """The glossary entries whose term occurs in the source's prose.

    Case-insensitive, whole words (an English plural -s/-es counts); code, URLs and
    placeholders are ignored. Entries are objects with ``.term`` or dicts with "term".
    """
    try:
        return _glossary_terms_in(_parse(_normalise(source)).plain, glossary)
    except Exception:  # never break the UI over a glossary
        LOGGER.exception("glossary_matches failed")
        return []


def _uses_translation(translation_folded: str, agreed: str) -> bool:
    words = _fold(agreed).split()
    content = [w for w in words if len(w) >= 4] or words
    return any(_stem(w) in translation_folded for w in content)


def _check_glossary(ctx: _Context) -> list[Finding]:
    folded = _fold(ctx.translation.text)
    findings = []
    for entry in _glossary_terms_in(ctx.source.plain, ctx.glossary):
        agreed = _entry_field(entry, "translation").strip()
        if agreed and not _uses_translation(folded, agreed):
            term = _shown(_entry_field(entry, "term"), 40)
            findings.append(
                _finding(
                    "glossary",
                    f"The glossary says \u201c{term}\u201d is translated as "
                    f"\u201c{_shown(agreed, 40)}\u201d, but the translation does not use it.",
                )
            )
    return findings


# Suggestion ----------------------------------------------------------------------------


def _check_suggestion(ctx: _Context) -> list[Finding]:
    suggestion = _squash(ctx.suggestion or "")
    if suggestion and suggestion == _squash(ctx.translation.text):
        return [
            _finding(
                "suggestion_unchanged",
                "The translation is the machine suggestion, unchanged; please check it carefully.",
            )
        ]
    return []


# --------------------------------------------------------------------------------------
# Running the checks

_Check = Callable[[_Context], list[Finding]]

#: Checks that only make sense on a real attempt at a translation.
_CONTENT_CHECKS: tuple[_Check, ...] = (
    _check_code_blocks,
    _check_inline_code,
    _check_placeholders,
    _check_urls,
    _check_numbers,
    _check_markdown,
    _check_length,
)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _run(check_fn: _Check, ctx: _Context, strict: bool) -> list[Finding]:
    if strict:
        return check_fn(ctx)
    try:
        return check_fn(ctx)
    except Exception:  # a bug in one check must not block a volunteer
        LOGGER.exception("QA check %s failed", check_fn.__name__)
        return []


def _run_checks(
    source: str,
    translation: str,
    lang: str,
    suggestion: str | None,
    glossary: Sequence[Any] | None,
    *,
    strict: bool,
) -> list[Finding]:
    source, translation = _normalise(str(source)), _normalise(str(translation))
    if not translation.strip():
        return [_finding("empty", "The translation is empty.")]
    ctx = _Context(
        source=_parse(source),
        translation=_parse(translation),
        target=_target(str(lang)),
        suggestion=suggestion if isinstance(suggestion, str) else None,
        glossary=glossary if glossary is not None else (),
    )
    findings = _run(_check_identical, ctx, strict)
    if not findings:
        language = _run(_check_language, ctx, strict)
        findings += language
        for check_fn in _CONTENT_CHECKS:
            findings += _run(check_fn, ctx, strict)
        if not language:  # a glossary is moot while the language is wrong
            findings += _run(_check_glossary, ctx, strict)
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
        return _run_checks(source, translation, lang, suggestion, glossary, strict=False)
    except Exception:  # the last line of defence: never block a volunteer on a QA bug
        LOGGER.exception("QA failed")
        return []
