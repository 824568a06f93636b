"""Benchmark of the translation QA checks (``mpep_space.qa``) on labelled data.

    .venv/bin/python bench/qa_eval.py            # the table; exit code 0 if the targets are met
    .venv/bin/python bench/qa_eval.py -v         # also every miss and false alarm
    .venv/bin/python bench/qa_eval.py --dump-defects /tmp/defects.jsonl

The labelled data are careful translations of the sample prompts
(``generator/data/sample_prompts.jsonl``) into all 20 MPEP languages in
``bench/qa_data/<lang>.jsonl``, written for this benchmark: they keep code, placeholders,
URLs and numbers as the guidelines ask, so any warning or error on one of them is a false
alarm. Lines marked ``"unsure": true`` are the ones their writer is least sure of (short
prompts in languages with little technical vocabulary, idioms); they are used all the same.
``bench/qa_data/handmade/defects.jsonl`` holds realistic hand-made defects: a close neighbour
language (Afrikaans in the Dutch Space, Indonesian or Malay in the Tagalog one, Czech in the
Slovak one, ...) and standard written Chinese (Mandarin) in the Cantonese Space. From every
good translation the script derives seeded defects of each kind that applies to it (a
dropped placeholder, an altered URL, a truncation, one sentence left in English, numbers
swapped between table rows, a near-empty text, ...), each labelled with the finding code
that must catch it. A defect counts as caught only when a finding with
*that* code is reported; another code does not count. The ``suggestion_unchanged`` info is
not a false alarm (it is informational, and no good translation has a suggestion).

The defects are generated here with their own simple text handling, independent of the
checks' parsers, and deterministically (seeded), so every run prints the same table.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mpep_space import qa

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "qa_data"
PROMPTS_FILE = ROOT / "generator" / "data" / "sample_prompts.jsonl"
LANGUAGES_DIR = ROOT / "languages"
SEED = 20261127

HANDMADE_FILE = DATA_DIR / "handmade" / "defects.jsonl"

#: Targets, for every language separately.
TARGET_CAUGHT = 0.97
TARGET_FALSE_ALARMS = 0.02
#: A check takes less than this at the median.
TARGET_MEDIAN_MS = 10.0


@dataclass(frozen=True)
class Good:
    lang: str
    row_idx: int
    source: str
    translation: str


@dataclass(frozen=True)
class Defect:
    kind: str  # what was done to the good translation
    expected: str  # the finding code that must catch it
    lang: str
    row_idx: int
    source: str
    translation: str
    suggestion: str | None = None


# --------------------------------------------------------------------------------------
# Loading


def load_prompts(path: Path = PROMPTS_FILE) -> dict[int, str]:
    prompts = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                prompts[int(row["row_idx"])] = row["prompt"]
    return prompts


GOOD_KEYS = {"lang", "row_idx", "translation", "unsure"}
HANDMADE_KEYS = {"lang", "row_idx", "kind", "expected", "actual_language", "translation", "unsure"}


def load_handmade(
    path: Path = HANDMADE_FILE, prompts: dict[int, str] | None = None
) -> list[Defect]:
    """The hand-made realistic defects (neighbour languages, Mandarin for Cantonese)."""
    prompts = prompts if prompts is not None else load_prompts()
    defects = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not set(row) <= HANDMADE_KEYS or not set(row) >= HANDMADE_KEYS - {"unsure"}:
                raise ValueError(f"{path}:{number}: expected keys {sorted(HANDMADE_KEYS)}")
            source = prompts[int(row["row_idx"])]
            defects.append(
                Defect(
                    row["kind"],
                    row["expected"],
                    row["lang"],
                    int(row["row_idx"]),
                    source,
                    row["translation"],
                )
            )
    return defects


def load_goods(data_dir: Path = DATA_DIR, prompts: dict[int, str] | None = None) -> list[Good]:
    prompts = prompts if prompts is not None else load_prompts()
    goods = []
    for path in sorted(data_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if not {"lang", "row_idx", "translation"} <= set(row) <= GOOD_KEYS:
                    raise ValueError(f"{path}:{number}: expected keys lang, row_idx, translation")
                source = prompts[int(row["row_idx"])]
                goods.append(Good(row["lang"], int(row["row_idx"]), source, row["translation"]))
    return goods


def load_glossary(lang: str) -> list[dict[str, str]]:
    path = LANGUAGES_DIR / f"{lang}.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("glossary") or [])


# --------------------------------------------------------------------------------------
# Simple text handling for seeding (deliberately independent of qa's parsers)

FENCE = re.compile(r"^```[^\n]*\n.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`[^`\n]+`")
URL = re.compile(r"https?://[^\s)\"'<>]+[^\s)\"'<>.,;:!?]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]*\}\}|\{%[^%\n]*%\}|\$\{\w+\}|\{\w+\}|%\(\w+\)[sd]|%[sd]\b|\$[A-Z]\w*"
    r"|<[A-Za-z/][^<>\n]*>|\]\((?!https?:)[^)\s]+\)"
)
DIGITS = re.compile(r"\d+")
LIST_LINE = re.compile(r"^(?:[-*] |\d+\. ).+$", re.MULTILINE)
TABLE_LINE = re.compile(r"^\|.*\|$", re.MULTILINE)
HEADING_LINE = re.compile(r"^#{1,6} .+$", re.MULTILINE)


def spans(regex: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in regex.finditer(text)]


def outside(span: tuple[int, int], blocked: Sequence[tuple[int, int]]) -> bool:
    return all(span[1] <= a or span[0] >= b for a, b in blocked)


def protected(text: str, *, inline: bool = True) -> list[tuple[int, int]]:
    """Regions a seeded prose defect must not touch: code, URLs, placeholders."""
    regions = spans(FENCE, text) + spans(URL, text) + spans(EMAIL, text)
    regions += spans(PLACEHOLDER, text)
    if inline:
        regions += spans(INLINE, text)
    return regions


def replace_span(text: str, span: tuple[int, int], new: str) -> str:
    return text[: span[0]] + new + text[span[1] :]


def delete_line(text: str, span: tuple[int, int]) -> str:
    end = span[1] + 1 if text[span[1] : span[1] + 1] == "\n" else span[1]
    return text[: span[0]] + text[end:]


def paragraphs(text: str) -> list[str]:
    """Prose paragraphs (fenced code removed), split on blank lines."""
    return [p for p in re.split(r"\n\s*\n", FENCE.sub("\n\n", text)) if p.strip()]


def squash(text: str) -> str:
    return "".join(text.split())


def letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def bump_digit(ch: str) -> str:
    value = unicodedata.decimal(ch)
    return chr(ord(ch) - value + (value + 1) % 10)


# --------------------------------------------------------------------------------------
# Defect generators: each returns the defective translation, or None if it does not apply

#: A good translation of the glossary term replaced by a wrong but plausible word.
GLOSSARY_SWAPS: dict[str, list[tuple[str, str, str]]] = {
    "nl": [
        ("email", r"e-mail", "mail"),
        ("function", r"functie", "methode"),
        ("string", r"string", "tekenreeks"),
        ("bullet point", r"opsommingstekens?", "punten"),
    ],
    "es": [
        ("email", r"correo(?: electrónico)?", "mensaje"),
        ("function", r"función|funciones", "rutina"),
        ("bullet point", r"viñetas?", "puntos"),
    ],
    "de": [
        ("email", r"E-Mail", "Nachricht"),
        ("function", r"Funktion(?:en)?", "Methode"),
        ("string", r"String", "Zeichenfolge"),
        ("bullet point", r"Aufzählungspunkt\w*", "Stichpunkten"),
    ],
    "ru": [
        ("email", r"электронн\w* письм\w*|письм\w*", "сообщение"),
        ("function", r"функци\w*", "метод"),
        ("string", r"строк\w*", "текст"),
        ("bullet point", r"пункт\w* списка", "тезисах"),
    ],
    "ar": [
        ("email", r"(?:رسالة )?(?:ال)?بريد (?:ال)?إلكتروني", "رسالة"),
        ("function", r"\w*دال\w*", "وظيفة"),
        ("list", r"\w*قائم\w*", "مجموعة"),
    ],
}


def d_empty(good: Good, rng: random.Random) -> str | None:
    return rng.choice(["", " ", "\n\n", "\t \n"])


def d_identical(good: Good, rng: random.Random) -> str | None:
    return good.source


def d_english(good: Good, rng: random.Random) -> str | None:
    # An English text that is not the source verbatim: the source, lightly edited.
    closing = rng.choice(["Thanks in advance!", "Thank you very much.", "Many thanks for helping."])
    return good.source.replace('"', "\u201c", 1).rstrip() + "\n\n" + closing


def d_partial_english(good: Good, rng: random.Random) -> str | None:
    src, tr = paragraphs(good.source), paragraphs(good.translation)
    if len(src) < 2 or len(src) != len(tr):
        return None
    longest = max(range(len(src)), key=lambda i: letters(src[i]))
    return good.translation.replace(tr[longest], src[longest], 1)


SENTENCE_END = re.compile(r"(?<=[.?!;\u061f\u0964\u037e])\s+|(?<=[\u3002\uff1f\uff01])")


def sentences(paragraph: str) -> list[str]:
    return [s for s in SENTENCE_END.split(paragraph.strip()) if s.strip()]


def d_half_translated(good: Good, rng: random.Random) -> str | None:
    """One sentence (not the first) of a paragraph left in English, the rest translated."""
    options = []
    for src, tr in zip(paragraphs(good.source), paragraphs(good.translation), strict=False):
        if "|" in src or re.match(r"\s*(?:[-*#]|\d+\.)", src):
            continue  # tables, lists, headings: not running prose
        src_s, tr_s = sentences(src), sentences(tr)
        if len(src_s) >= 2 and len(src_s) == len(tr_s):
            for i in range(1, len(src_s)):
                if len(src_s[i].split()) >= 4:  # shorter "sentences" are not in the benchmark
                    options.append((tr_s[i], src_s[i]))
    if not options:
        return None
    old, new = rng.choice(options)
    return good.translation.replace(old, new, 1)


def d_swapped_numbers(good: Good, rng: random.Random) -> str | None:
    """The numbers of two table rows or list items swapped (the set of numbers is the same)."""
    lines = good.translation.split("\n")
    places = [
        i
        for i, line in enumerate(lines)
        if (TABLE_LINE.fullmatch(line) or LIST_LINE.fullmatch(line))
        and len(DIGITS.findall(re.sub(r"^\d+\.", "", line))) == 1
    ]
    pairs = [
        (a, b)
        for a in places
        for b in places
        if a < b
        and DIGITS.findall(re.sub(r"^\d+\.", "", lines[a]))
        != DIGITS.findall(re.sub(r"^\d+\.", "", lines[b]))
    ]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    x = DIGITS.findall(re.sub(r"^\d+\.", "", lines[a]))[0]
    y = DIGITS.findall(re.sub(r"^\d+\.", "", lines[b]))[0]
    lines[a] = re.sub(rf"(?<!\d){x}(?!\d)(?!\.)", y, lines[a], count=1)
    lines[b] = re.sub(rf"(?<!\d){y}(?!\d)(?!\.)", x, lines[b], count=1)
    return "\n".join(lines)


def d_near_empty(good: Good, rng: random.Random) -> str | None:
    return rng.choice([".", "?", "...", "-", "x", "ok", "…", "。", "1.", "??"])


#: Close neighbours that are both MPEP languages: the translation of the same prompt into
#: the neighbour is a realistic wrong-language defect.
MPEP_NEIGHBOURS = {"cs": "sk", "sk": "cs", "es": "pt", "pt": "es", "nl": "de", "de": "nl"}


def d_mpep_neighbour(good: Good, rng: random.Random, others: list[Good]) -> str | None:
    neighbour = MPEP_NEIGHBOURS.get(good.lang)
    same_row = [g for g in others if g.lang == neighbour and g.row_idx == good.row_idx]
    return same_row[0].translation if same_row else None


#: Spaces of one language (Filipino is the standard based on Tagalog).
SAME_LANGUAGE = {"tl": {"fil"}, "fil": {"tl"}}


def d_wrong_language(good: Good, rng: random.Random, others: list[Good]) -> str | None:
    others = [g for g in others if g.lang not in SAME_LANGUAGE.get(good.lang, set())]
    same_row = [g for g in others if g.row_idx == good.row_idx]
    pool = same_row or others
    return rng.choice(pool).translation if pool else None


def d_code_block_dropped(good: Good, rng: random.Random) -> str | None:
    blocks = spans(FENCE, good.translation)
    if not blocks:
        return None
    a, b = rng.choice(blocks)
    return (good.translation[:a].rstrip("\n") + "\n\n" + good.translation[b:].lstrip("\n")).strip()


def d_code_changed(good: Good, rng: random.Random) -> str | None:
    choices = []
    for a, b in spans(FENCE, good.translation):
        body_start = good.translation.index("\n", a) + 1
        for m in re.finditer(r"^.*$", good.translation[body_start:b], re.MULTILINE):
            line = m.group(0)
            code = re.split(r"\s#|^\s*#|//|--", line)[0]
            for t in re.finditer(r"[A-Za-z_]{3,}", code):
                start = body_start + m.start() + t.start()
                choices.append((start, start + len(t.group(0))))
    if not choices:
        return None
    span = rng.choice(choices)
    word = good.translation[span[0] : span[1]]
    new = rng.choice([word + "en", word.capitalize() if word.islower() else word.lower(), "x"])
    if new == word:
        new = word + "s"
    return replace_span(good.translation, span, new)


def d_inline_code(good: Good, rng: random.Random) -> str | None:
    found = [
        s for s in spans(INLINE, good.translation) if outside(s, spans(FENCE, good.translation))
    ]
    if not found:
        return None
    span = rng.choice(found)
    inner = good.translation[span[0] + 1 : span[1] - 1]
    new = rng.choice([inner, "`" + inner.upper() + "`" if inner.upper() != inner else inner])
    return replace_span(good.translation, span, new)


def d_placeholder(good: Good, rng: random.Random) -> str | None:
    blocked = spans(FENCE, good.translation) + spans(INLINE, good.translation)
    blocked += spans(URL, good.translation)
    found = [s for s in spans(PLACEHOLDER, good.translation) if outside(s, blocked)]
    if not found:
        return None
    span = rng.choice(found)
    ph = good.translation[span[0] : span[1]]
    renamed = re.sub(r"[A-Za-z_]+", lambda m: m.group(0)[::-1] + "o", ph, count=1)
    return replace_span(good.translation, span, rng.choice(["", renamed]))


def d_url(good: Good, rng: random.Random) -> str | None:
    found = [s for s in spans(URL, good.translation) if outside(s, spans(FENCE, good.translation))]
    if not found:
        return None
    span = rng.choice(found)
    url = good.translation[span[0] : span[1]]
    new = rng.choice(
        ["", url.replace("https://", "http://"), url[:-1], url.replace("example", "exemple")]
    )
    return replace_span(good.translation, span, new)


def d_email(good: Good, rng: random.Random) -> str | None:
    found = spans(EMAIL, good.translation)
    if not found:
        return None
    span = rng.choice(found)
    address = good.translation[span[0] : span[1]]
    new = rng.choice(["", address.replace("someone", "iemand"), address.replace(".com", ".co")])
    return replace_span(good.translation, span, new)


def d_number(good: Good, rng: random.Random) -> str | None:
    blocked = protected(good.translation)
    found = [s for s in spans(DIGITS, good.translation) if outside(s, blocked)]
    if not found:
        return None
    a, b = rng.choice(found)
    position = rng.randrange(a, b)
    changed = bump_digit(good.translation[position])
    return replace_span(good.translation, (position, position + 1), changed)


def d_truncated(good: Good, rng: random.Random) -> str | None:
    return good.translation[: int(len(good.translation) * 0.4)]


def d_markdown(good: Good, rng: random.Random) -> str | None:
    blocked = spans(FENCE, good.translation)
    found = [
        s
        for regex in (LIST_LINE, TABLE_LINE, HEADING_LINE)
        for s in spans(regex, good.translation)
        if outside(s, blocked)
    ]
    if not found:
        return None
    return delete_line(good.translation, rng.choice(found))


def d_glossary(good: Good, rng: random.Random) -> str | None:
    source_prose = FENCE.sub(" ", INLINE.sub(" ", good.source))
    source_prose = PLACEHOLDER.sub(" ", source_prose)
    options = []
    for term, pattern, replacement in GLOSSARY_SWAPS.get(good.lang, []):
        if not re.search(rf"\b{term}(?:s|es)?\b", source_prose, re.IGNORECASE):
            continue
        if re.search(pattern, good.translation, re.IGNORECASE):
            options.append((pattern, replacement))
    if not options:
        return None
    pattern, replacement = rng.choice(options)
    return re.sub(pattern, replacement, good.translation, flags=re.IGNORECASE)


Generator = Callable[[Good, random.Random], "str | None"]

#: kind -> (generator, the code that must catch it)
KINDS: dict[str, tuple[Generator, str]] = {
    "empty": (d_empty, "empty"),
    "left in English (verbatim)": (d_identical, "identical"),
    "left in English (edited)": (d_english, "untranslated_english"),
    "one paragraph left in English": (d_partial_english, "untranslated_english"),
    "code block dropped": (d_code_block_dropped, "code_block_count"),
    "code changed": (d_code_changed, "code_changed"),
    "inline code changed": (d_inline_code, "inline_code_missing"),
    "placeholder dropped/renamed": (d_placeholder, "placeholder_missing"),
    "URL altered/dropped": (d_url, "url_missing"),
    "e-mail altered/dropped": (d_email, "email_missing"),
    "number altered": (d_number, "number_missing"),
    "truncated to 40%": (d_truncated, "length_ratio"),
    "list item/table row/heading dropped": (d_markdown, "markdown_structure"),
    "glossary term not used": (d_glossary, "glossary"),
    "one sentence left in English": (d_half_translated, "untranslated_english"),
    "numbers swapped between rows/items": (d_swapped_numbers, "number_order"),
    "near-empty (no words)": (d_near_empty, "empty"),
}
WRONG_LANGUAGE = "another language's translation"
MPEP_NEIGHBOUR = "the MPEP neighbour's translation"
HANDMADE_KINDS = {
    "neighbour language": "wrong_language",
    "Mandarin for Cantonese": "wrong_language",
}
SUGGESTION = "machine suggestion unchanged"


def make_defects(goods: Sequence[Good]) -> list[Defect]:
    defects = []
    for good in goods:
        for kind, (generator, code) in KINDS.items():
            rng = random.Random(f"{SEED}:{good.lang}:{good.row_idx}:{kind}")
            text = generator(good, rng)
            if text is None or text == good.translation:
                continue
            if code != "identical" and squash(text) == squash(good.source):
                continue  # e.g. the only paragraph left in English: that is the verbatim case
            if code == "length_ratio" and letters(text) <= 2:
                continue  # cut to almost nothing: that is the near-empty case
            defects.append(Defect(kind, code, good.lang, good.row_idx, good.source, text))
        others = [g for g in goods if g.lang != good.lang]
        rng = random.Random(f"{SEED}:{good.lang}:{good.row_idx}:{WRONG_LANGUAGE}")
        text = d_wrong_language(good, rng, others)
        if text is not None:
            defects.append(
                Defect(WRONG_LANGUAGE, "wrong_language", good.lang, good.row_idx, good.source, text)
            )
        text = d_mpep_neighbour(good, rng, others)
        if text is not None:
            defects.append(
                Defect(MPEP_NEIGHBOUR, "wrong_language", good.lang, good.row_idx, good.source, text)
            )
        defects.append(
            Defect(
                SUGGESTION,
                "suggestion_unchanged",
                good.lang,
                good.row_idx,
                good.source,
                good.translation,
                suggestion=good.translation,
            )
        )
    return defects


# --------------------------------------------------------------------------------------
# Evaluation


@dataclass
class Report:
    goods: int = 0
    false_alarms: list[tuple[Good, list[qa.Finding]]] = field(default_factory=list)
    false_alarm_codes: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[Defect, list[qa.Finding]]] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    durations: list[float] = field(default_factory=list)
    goods_by_lang: Counter[str] = field(default_factory=Counter)
    alarms_by_lang: Counter[str] = field(default_factory=Counter)
    total_by_lang: Counter[str] = field(default_factory=Counter)
    caught_by_lang: Counter[str] = field(default_factory=Counter)

    def language_ok(self, lang: str) -> tuple[bool, bool]:
        """(caught target met, false-alarm target met) for one language."""
        caught = self.caught_by_lang[lang] / max(self.total_by_lang[lang], 1)
        alarms = self.alarms_by_lang[lang] / max(self.goods_by_lang[lang], 1)
        return caught >= TARGET_CAUGHT, alarms <= TARGET_FALSE_ALARMS

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.durations) if self.durations else 0.0

    @property
    def caught_rate(self) -> float:
        return sum(self.caught.values()) / max(sum(self.total.values()), 1)

    @property
    def macro_caught_rate(self) -> float:
        rates = [self.caught[k] / self.total[k] for k in self.total if self.total[k]]
        return sum(rates) / max(len(rates), 1)

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / max(self.goods, 1)

    @property
    def passed(self) -> bool:
        every_language = all(all(self.language_ok(lang)) for lang in self.goods_by_lang)
        return (
            every_language
            and self.caught_rate >= TARGET_CAUGHT
            and self.false_alarm_rate <= TARGET_FALSE_ALARMS
            and self.median_ms < TARGET_MEDIAN_MS
        )


def evaluate(goods: Sequence[Good], defects: Sequence[Defect]) -> Report:
    report = Report(goods=len(goods))
    start = time.perf_counter()
    qa.warm_up()
    report.load_seconds = time.perf_counter() - start
    glossaries = {lang: load_glossary(lang) for lang in {g.lang for g in goods}}

    def run(source: str, text: str, lang: str, suggestion: str | None) -> list[qa.Finding]:
        t0 = time.perf_counter()
        findings = qa.check(source, text, lang, suggestion, glossaries.get(lang))
        elapsed = time.perf_counter() - t0
        report.seconds += elapsed
        report.durations.append(elapsed)
        report.calls += 1
        return findings

    for good in goods:
        findings = run(good.source, good.translation, good.lang, None)
        alarms = [f for f in findings if f.severity != "info"]
        report.goods_by_lang[good.lang] += 1
        if alarms:
            report.false_alarms.append((good, alarms))
            report.false_alarm_codes.update({f.code for f in alarms})
            report.alarms_by_lang[good.lang] += 1
    for defect in defects:
        findings = run(defect.source, defect.translation, defect.lang, defect.suggestion)
        report.total[defect.kind] += 1
        report.total_by_lang[defect.lang] += 1
        if any(f.code == defect.expected for f in findings):
            report.caught[defect.kind] += 1
            report.caught_by_lang[defect.lang] += 1
        else:
            report.misses.append((defect, findings))
    return report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(report: Report, expected_of: dict[str, str]) -> Iterator[str]:
    width = max(len(k) for k in expected_of) + 2
    yield f"{'seeded defect':<{width}}{'expected code':<23}{'caught':>10}{'%':>8}"
    for kind, code in expected_of.items():
        n, c = report.total[kind], report.caught[kind]
        pct = f"{100 * c / n:.1f}" if n else "-"
        yield f"{kind:<{width}}{code:<23}{f'{c}/{n}':>10}{pct:>8}"
    total, caught = sum(report.total.values()), sum(report.caught.values())
    yield (
        f"{'all defects':<{width}}{'':<23}{f'{caught}/{total}':>10}"
        f"{100 * report.caught_rate:>8.1f}  target >= {100 * TARGET_CAUGHT:.0f}%  "
        f"{verdict(report.caught_rate >= TARGET_CAUGHT)}"
    )
    yield (
        f"{'mean over defect kinds':<{width}}{'':<23}{'':>10}"
        f"{100 * report.macro_caught_rate:>8.1f}  target >= {100 * TARGET_CAUGHT:.0f}%  "
        f"{verdict(report.macro_caught_rate >= TARGET_CAUGHT)}"
    )
    yield ""
    yield f"{'false alarms on good translations, by code':<{width + 23}}{'goods':>10}{'%':>8}"
    for code in qa.CODES:
        if code in ("empty", "suggestion_unchanged"):
            continue
        n = report.false_alarm_codes[code]
        share = 100 * n / max(report.goods, 1)
        yield f"{'  ' + code:<{width + 23}}{f'{n}/{report.goods}':>10}{share:>8.1f}"
    n = len(report.false_alarms)
    yield (
        f"{'good translations with any warning/error':<{width + 23}}{f'{n}/{report.goods}':>10}"
        f"{100 * report.false_alarm_rate:>8.1f}  target <= {100 * TARGET_FALSE_ALARMS:.0f}%  "
        f"{verdict(report.false_alarm_rate <= TARGET_FALSE_ALARMS)}"
    )


def language_table(report: Report) -> Iterator[str]:
    """One row per language: its own caught and false-alarm rates against the targets."""
    yield "| language | good translations | false alarms | defects | caught | result |"
    yield "|---|---:|---:|---:|---:|---|"
    for lang in sorted(report.goods_by_lang):
        goods, alarms = report.goods_by_lang[lang], report.alarms_by_lang[lang]
        total, caught = report.total_by_lang[lang], report.caught_by_lang[lang]
        ok_caught, ok_alarms = report.language_ok(lang)
        yield (
            f"| {lang} | {goods} | {alarms} ({100 * alarms / max(goods, 1):.1f}%) | {total} "
            f"| {caught} ({100 * caught / max(total, 1):.1f}%) "
            f"| {verdict(ok_caught and ok_alarms)} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and alarms")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of <lang>.jsonl")
    parser.add_argument("--dump-defects", type=Path, help="write the seeded defects as JSONL")
    args = parser.parse_args(argv)

    goods = load_goods(args.data)
    handmade = args.data / "handmade" / "defects.jsonl"
    defects = make_defects(goods) + (load_handmade(handmade) if handmade.exists() else [])
    if args.dump_defects:
        with args.dump_defects.open("w", encoding="utf-8") as f:
            for d in defects:
                f.write(json.dumps(d.__dict__, ensure_ascii=False) + "\n")
    report = evaluate(goods, defects)

    by_lang = Counter(g.lang for g in goods)
    langs = ", ".join(f"{lang} {n}" for lang, n in sorted(by_lang.items()))
    print(f"QA benchmark: {len(goods)} good translations ({langs}); {len(defects)} seeded defects")
    print()
    expected_of = {kind: code for kind, (_, code) in KINDS.items()}
    expected_of[WRONG_LANGUAGE] = "wrong_language"
    expected_of[MPEP_NEIGHBOUR] = "wrong_language"
    expected_of.update(HANDMADE_KINDS)
    expected_of[SUGGESTION] = "suggestion_unchanged"
    for line in table(report, expected_of):
        print(line)
    print()
    print(
        f"Per language (targets: caught >= {100 * TARGET_CAUGHT:.0f}%, "
        f"false alarms <= {100 * TARGET_FALSE_ALARMS:.0f}%):"
    )
    for line in language_table(report):
        print(line)
    print()
    print(
        f"py3langid model load {report.load_seconds:.2f} s (once per process); "
        f"{report.calls} checks, median {report.median_ms:.2f} ms per check "
        f"(target < {TARGET_MEDIAN_MS:.0f} ms), mean "
        f"{1000 * report.seconds / max(report.calls, 1):.2f} ms"
    )
    print(f"Overall: {verdict(report.passed)}")
    if args.verbose:
        print_details(report)
    return 0 if report.passed else 1


def print_details(report: Report) -> None:
    print("\nFalse alarms:")
    for good, findings in report.false_alarms:
        for f in findings:
            print(f"  {good.lang} {good.row_idx}: {f.code}: {f.message}")
    print("\nMisses:")
    grouped: dict[str, list[tuple[Defect, list[qa.Finding]]]] = defaultdict(list)
    for defect, findings in report.misses:
        grouped[defect.kind].append((defect, findings))
    for kind, items in grouped.items():
        print(f"  {kind}:")
        for defect, findings in items:
            codes = ", ".join(f.code for f in findings) or "no finding"
            print(f"    {defect.lang} {defect.row_idx}: got {codes}: {defect.translation[:90]!r}")


if __name__ == "__main__":
    sys.exit(main())
