"""Benchmark of the translation QA checks (``mpep_space.qa``) on labelled data.

    .venv/bin/python bench/qa_eval.py            # the table; exit code 0 if the targets are met
    .venv/bin/python bench/qa_eval.py -v         # also every miss and false alarm
    .venv/bin/python bench/qa_eval.py --dump-defects /tmp/defects.jsonl

The labelled data are careful human translations of the sample prompts
(``generator/data/sample_prompts.jsonl``) in ``bench/qa_data/<lang>.jsonl``: they keep code,
placeholders, URLs and numbers as the guidelines ask, so any warning or error on one of them
is a false alarm. From every good translation the script derives seeded defects of each kind
that applies to it (a dropped placeholder, an altered URL, a truncation, ...), each labelled
with the finding code that must catch it. A defect counts as caught only when a finding with
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

TARGET_CAUGHT = 0.95
TARGET_FALSE_ALARMS = 0.05


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


def load_goods(data_dir: Path = DATA_DIR, prompts: dict[int, str] | None = None) -> list[Good]:
    prompts = prompts if prompts is not None else load_prompts()
    goods = []
    for path in sorted(data_dir.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if set(row) != {"lang", "row_idx", "translation"}:
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


def d_wrong_language(good: Good, rng: random.Random, others: list[Good]) -> str | None:
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
}
WRONG_LANGUAGE = "another language's translation"
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
            defects.append(Defect(kind, code, good.lang, good.row_idx, good.source, text))
        others = [g for g in goods if g.lang != good.lang]
        rng = random.Random(f"{SEED}:{good.lang}:{good.row_idx}:{WRONG_LANGUAGE}")
        text = d_wrong_language(good, rng, others)
        if text is not None:
            defects.append(
                Defect(WRONG_LANGUAGE, "wrong_language", good.lang, good.row_idx, good.source, text)
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
        return (
            self.caught_rate >= TARGET_CAUGHT
            and self.macro_caught_rate >= TARGET_CAUGHT
            and self.false_alarm_rate <= TARGET_FALSE_ALARMS
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
        report.seconds += time.perf_counter() - t0
        report.calls += 1
        return findings

    for good in goods:
        findings = run(good.source, good.translation, good.lang, None)
        alarms = [f for f in findings if f.severity != "info"]
        if alarms:
            report.false_alarms.append((good, alarms))
            report.false_alarm_codes.update({f.code for f in alarms})
    for defect in defects:
        findings = run(defect.source, defect.translation, defect.lang, defect.suggestion)
        report.total[defect.kind] += 1
        if any(f.code == defect.expected for f in findings):
            report.caught[defect.kind] += 1
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and alarms")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of <lang>.jsonl")
    parser.add_argument("--dump-defects", type=Path, help="write the seeded defects as JSONL")
    args = parser.parse_args(argv)

    goods = load_goods(args.data)
    defects = make_defects(goods)
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
    expected_of[SUGGESTION] = "suggestion_unchanged"
    for line in table(report, expected_of):
        print(line)
    print()
    print(
        f"py3langid model load {report.load_seconds:.2f} s; {report.calls} checks, "
        f"{1000 * report.seconds / max(report.calls, 1):.2f} ms per check"
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
