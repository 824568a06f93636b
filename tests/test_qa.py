"""Tests of the translation QA checks (mpep_space.qa) and a smoke run of their benchmark."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import threading
import time
from dataclasses import FrozenInstanceError, dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpep_space import qa
from mpep_space.qa import checks, identifier

ROOT = Path(__file__).resolve().parent.parent


def codes(source: str, translation: str, lang: str = "nl", **kwargs: Any) -> list[str]:
    return [f.code for f in qa.check(source, translation, lang, **kwargs)]


def messages(source: str, translation: str, lang: str = "nl", **kwargs: Any) -> dict[str, str]:
    return {f.code: f.message for f in qa.check(source, translation, lang, **kwargs)}


# --------------------------------------------------------------------------------------
# The interface


def test_finding_is_frozen_and_serialises() -> None:
    finding = qa.Finding("empty", "error", "The translation is empty.")
    assert finding.as_dict() == {
        "code": "empty",
        "severity": "error",
        "message": "The translation is empty.",
    }
    with pytest.raises(FrozenInstanceError):
        finding.code = "other"  # type: ignore[misc]


def test_codes_and_severities_are_documented() -> None:
    assert qa.SEVERITIES == ("error", "warning", "info")
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in qa.CODES)
    assert all(text.endswith(".") for text in qa.CODES.values())


def test_qa_imports_only_the_standard_library_py3langid_and_mpep_space_text() -> None:
    imported: set[str] = set()
    relative: set[str] = set()
    for path in Path(qa.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module or "")
            elif isinstance(node, ast.ImportFrom) and node.level == 2:
                relative.add(node.module or "")
    top = {name.split(".")[0] for name in imported}
    assert top - sys.stdlib_module_names - {"__future__"} == {"py3langid"}
    assert relative == {"text"}  # the one shared module outside the package


def test_qa_modules_import_each_other_without_cycles() -> None:
    package = Path(qa.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1
            # "from .x import y" imports x; "from . import x" imports x too
            for name in ([node.module] if node.module else [a.name for a in node.names])
        }
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name not in done:
            for other in graph.get(name, ()):
                visit(other, (*path, name))
            done.add(name)

    for name in graph:
        visit(name, ())
    assert len(graph) >= 8  # a package split by concern, not one module


def test_has_errors() -> None:
    assert qa.has_errors(qa.check("Hello there.", "  ", "nl"))
    assert not qa.has_errors(qa.check("Hello there.", "Hallo daar.", "nl"))
    assert not qa.has_errors([])


def test_findings_are_ordered_errors_warnings_info() -> None:
    source = "Write to {name} about the plan."
    text = "Schrijf over het plan."
    findings = qa.check(source, text, "nl", suggestion=text)
    assert [f.code for f in findings] == ["placeholder_missing", "suggestion_unchanged"]
    assert [f.severity for f in findings] == ["warning", "info"]
    assert findings == qa.check(source, text, "nl", suggestion=text)  # deterministic


# --------------------------------------------------------------------------------------
# empty / identical / suggestion_unchanged


@pytest.mark.parametrize("text", ["", " ", "\n\t \r\n", "\u3000"])
def test_empty_is_an_error(text: str) -> None:
    findings = qa.check("Define entropy.", text, "nl")
    assert [(f.code, f.severity) for f in findings] == [("empty", "error")]


@pytest.mark.parametrize("lang", ["nl", "ru", "ar", "ta", "yue"])
def test_identical_to_the_source(lang: str) -> None:
    source = "Explain photosynthesis briefly, please."
    assert codes(source, source + "\n", lang) == ["identical"]
    (finding,) = qa.check(source, source, lang)
    assert finding.severity == "error"  # blocked, not a warning a second click passes
    assert codes(source, "  Explain   photosynthesis briefly,\nplease.", lang) == ["identical"]


@pytest.mark.parametrize(
    "source",
    [
        "```python\nprint(sum([1, 2, 3]))\n```",
        "https://example.org/docs",
        "{{username}} {order_id} 42",
        "`git status`",
    ],
)
def test_identical_is_fine_without_prose(source: str) -> None:
    assert codes(source, source) == []


def test_suggestion_unchanged_is_info() -> None:
    source = "What is a black hole?"
    suggestion = "Wat is een zwart gat?"
    findings = qa.check(source, " Wat is een\nzwart gat? ", "nl", suggestion=suggestion)
    assert [(f.code, f.severity) for f in findings] == [("suggestion_unchanged", "info")]
    assert codes(source, "Wat is eigenlijk een zwart gat?", "nl", suggestion=suggestion) == []
    assert codes(source, "Wat is een zwart gat?", "nl", suggestion="") == []


# --------------------------------------------------------------------------------------
# Code


PY_SOURCE = """Why does this fail?

```python
def add_item(item, items=[]):
    # append the new item and return the list
    items.append(item)
    return items  # the same list every time
```
"""


@pytest.mark.parametrize(
    ("lang", "comment", "trailing", "question"),
    [
        ("nl", "# voeg het item toe", "# steeds dezelfde lijst", "Waarom gaat dit mis?"),
        ("ru", "# добавляем элемент", "# каждый раз тот же список", "Почему это не работает?"),
        ("ar", "# أضف العنصر", "# القائمة نفسها كل مرة", "لماذا يفشل هذا الكود؟"),
        ("yue", "# 加入新項目", "# 次次都係同一個列表", "點解呢段程式會出錯？"),
    ],
)
def test_translated_comments_are_fine(
    lang: str, comment: str, trailing: str, question: str
) -> None:
    text = (
        f"{question}\n\n```python\ndef add_item(item, items=[]):\n    {comment}\n"
        f"    items.append(item)\n    return items  {trailing}\n```\n"
    )
    assert codes(PY_SOURCE, text, lang) == []


def test_changed_code_is_caught_and_named() -> None:
    text = PY_SOURCE.replace("Why does this fail?", "Waarom gaat dit mis?")
    text = text.replace("items.append(item)", "items.toevoegen(item)")
    message = messages(PY_SOURCE, text)["code_changed"]
    assert "items.append(item)" in message


@pytest.mark.parametrize(
    ("info", "source_code", "translated_code"),
    [
        ("js", "// load a user\nfetch(url);", "// laad een gebruiker\nfetch(url);"),
        ("sql", "-- total per customer\nSELECT 1;", "-- totaal per klant\nSELECT 1;"),
        ("c", "/* add one\n   to x */\nx++;", "/* tel één op\n   bij x */\nx++;"),
        ("", "x = 1  # set x", "x = 1  # zet x"),
    ],
)
def test_comment_styles(info: str, source_code: str, translated_code: str) -> None:
    source = f"Explain this code to me.\n\n```{info}\n{source_code}\n```"
    text = f"Leg deze code aan me uit.\n\n```{info}\n{translated_code}\n```"
    assert codes(source, text) == []
    broken = text.replace("x", "y").replace("SELECT 1", "SELECT 2").replace("url", "uri")
    assert codes(source, broken) == ["code_changed"]


def test_hash_inside_a_string_is_code_not_a_comment() -> None:
    source = 'Explain this line of code.\n\n```python\ncolour = "#ffffff"\n```'
    text = 'Leg deze regel code uit.\n\n```python\ncolour = "#000000"\n```'
    assert codes(source, text) == ["code_changed"]


def test_code_block_count() -> None:
    text = "Waarom gaat dit mis?\n\nDe code staat hierboven."
    message = messages(PY_SOURCE, text)["code_block_count"]
    assert "1 code block" in message and "has 0" in message
    unclosed = PY_SOURCE.replace("Why does this fail?", "Waarom gaat dit mis?").rstrip()[:-3]
    assert "code_block_count" not in codes(PY_SOURCE, unclosed)


def test_indented_and_long_fenced_code_is_code() -> None:
    indented = "What does this print?\n\n    for word in words:\n        print(word)\n\nExplain it."
    kept = "Wat drukt dit af?\n\n    for word in words:\n        print(word)\n\nLeg het uit."
    assert codes(indented, kept) == []
    translated = kept.replace("for word in words", "voor woord in woorden")
    assert codes(indented, translated) == ["code_changed"]
    fenced = "Explain this:\n\n````md\nSome *emphasis* here.\n```\n````\n\nThanks."
    changed = "Leg dit uit:\n\n````md\nWat *nadruk* hier.\n```\n````\n\nBedankt."
    assert codes(fenced, changed) == ["code_changed"]


def test_inline_code() -> None:
    source = "When should I use `dict.get()` instead of `dict[key]` in Python code?"
    good = "Wanneer gebruik ik `dict.get()` in plaats van `dict[key]` in Python-code?"
    assert codes(source, good) == []
    bad = "Wanneer gebruik ik dict.get() in plaats van `dict[sleutel]` in Python-code?"
    message = messages(source, bad)["inline_code_missing"]
    assert "`dict.get()`" in message and "`dict[key]`" in message


# --------------------------------------------------------------------------------------
# Placeholders, URLs, e-mail addresses


@pytest.mark.parametrize(
    "placeholder",
    [
        "{name}",
        "{0}",
        "{{username}}",
        "{% raw %}",
        "%s",
        "%d",
        "%(count)d",
        "$HOME",
        "${USER}",
        "<tag>",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_each_placeholder_kind_is_checked(placeholder: str) -> None:
    source = f"Write a short note that uses {placeholder} exactly once, please."
    kept = f"Schrijf een korte notitie die {placeholder} precies één keer gebruikt."
    dropped = "Schrijf een korte notitie die dit precies één keer gebruikt."
    assert codes(source, kept) == []
    message = messages(source, dropped)["placeholder_missing"]
    assert placeholder in message


def test_placeholder_message_matches_the_issue() -> None:
    source = 'Start with "Hi {name}," and mention their plan, {plan_name}, in the message.'
    text = 'Begin met "Hoi {name}," en noem hun abonnement in het bericht.'
    assert messages(source, text)["placeholder_missing"] == (
        "The placeholder {plan_name} is missing from the translation."
    )


def test_placeholders_are_counted() -> None:
    source = "Greet {name} first, and then thank {name} again at the end."
    text = "Begroet eerst {name} en bedank {naam} aan het eind nog een keer."
    message = messages(source, text)["placeholder_missing"]
    assert "{name}" in message and "{naam}" in message  # the translated one is named


def test_placeholders_in_right_to_left_and_han_text() -> None:
    source = "Hi {name}, your plan {plan_name} is ready."
    assert codes(source, "مرحبًا {name}، خطتك {plan_name} جاهزة.", "ar") == []
    assert codes(source, "你好 {name}，你嘅計劃 {plan_name} 已經準備好。", "yue") == []
    assert codes(source, "வணக்கம் {name}, உங்கள் திட்டம் {plan_name} தயாராக உள்ளது.", "ta") == []
    assert codes(source, "你好 {name}，你嘅計劃已經準備好。", "yue") == ["placeholder_missing"]


def test_link_targets_may_keep_translated_text() -> None:
    source = "See the [setup guide](docs/setup.md) before you start."
    assert codes(source, "Lees de [installatiegids](docs/setup.md) voordat je begint.") == []
    message = messages(source, "Lees de [installatiegids](docs/installatie.md) eerst.")
    assert "docs/setup.md" in message["placeholder_missing"]


def test_not_placeholders() -> None:
    source = "The rate is 3.2% interest, 50% off, and it costs $2.35 when x<y."
    assert codes(source, "De rente is 3,2% en 50% korting, en het kost 2,35 $ als x<y.") == []
    assert codes(source, "Faiz oranı %3,2, indirim %50 ve x<y olduğunda 2,35 $ tutar.", "tr") == []


def test_placeholders_inside_code_are_left_to_the_code_check() -> None:
    source = "Explain this template code.\n\n```\nHello {name}, %s\n```"
    text = "Leg deze templatecode uit.\n\n```\nHello {name}, %s\n```"
    assert codes(source, text) == []


def test_urls_and_emails() -> None:
    source = (
        "Point someone@example.com to https://example.org/account/reset?x=1#top. "
        "It expires after a day."
    )
    good = (
        "Verwijs someone@example.com naar https://example.org/account/reset?x=1#top. "
        "Hij verloopt na een dag."
    )
    assert codes(source, good) == []
    bad = good.replace("reset?x=1", "reset?x=2").replace("someone@", "iemand@")
    found = messages(source, bad)
    assert "https://example.org/account/reset?x=1#top" in found["url_missing"]
    assert "someone@example.com" in found["email_missing"]


def test_urls_next_to_non_latin_punctuation() -> None:
    source = "Go to https://example.org/account/reset and reset your password."
    assert codes(source, "請去 https://example.org/account/reset，然後重設密碼。", "yue") == []
    assert (
        codes(
            source, "انتقل إلى https://example.org/account/reset، ثم أعد تعيين كلمة المرور.", "ar"
        )
        == []
    )


def test_markdown_link_url_is_kept_by_the_url_check() -> None:
    source = "Our README says: see the [docs](https://example.com/docs) for the setup."
    text = "Onze README zegt: zie de [uitleg](https://example.com/uitleg) voor de installatie."
    assert codes(source, text) == ["url_missing"]


# --------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("lang", "written"),
    [
        ("nl", "1.250,75"),
        ("es", "1250,75"),
        ("de", "1250.75"),
        ("ru", "1 250,75"),
        ("ru", "1\u00a0250,75"),
        ("fr", "1\u202f250,75"),
        ("ar", "١٬٢٥٠٫٧٥"),
        ("ar", "۱۲۵۰٫۷۵"),
    ],
)
def test_numbers_may_follow_the_locale(lang: str, written: str) -> None:
    source = "I deposited 1,250.75 euros."
    assert "number_missing" not in codes(source, f"{written} ~ deposit", lang)
    assert "number_missing" in codes(source, f"{written[:-1]}9 ~ deposit", lang)


def test_altered_number_is_named() -> None:
    source = "It sold 412 croissants and 275 muffins at 08:15 on Saturday."
    good = "Ze verkocht om 8.15 uur op zaterdag 412 croissants en 275 muffins."
    assert codes(source, good) == []
    message = messages(source, good.replace("412", "421"))["number_missing"]
    assert "412" in message and "421" in message


def test_single_digits_may_be_words_but_not_other_numbers() -> None:
    source = "How much will I have after 5 years?"
    assert codes(source, "Hoeveel heb ik na vijf jaar?") == []
    assert codes(source, "Hoeveel heb ik na 6 jaar?") == ["number_missing"]
    assert codes(
        "Name 3 noble gases and 12 metals.", "Noem drie edelgassen en twaalf metalen."
    ) == ["number_missing"]


def test_numbers_in_cyrillic_and_arabic_text() -> None:
    source = "The train covers 3,420 km at 96.5 km/h."
    assert codes(source, "Поезд проходит 3 420 км со скоростью 96,5 км/ч.", "ru") == []
    assert codes(source, "يقطع القطار ٣٤٢٠ كم بسرعة ٩٦٫٥ كم/ساعة.", "ar") == []
    assert codes(source, "يقطع القطار ٣٤٢٠ كم بسرعة ٩٥٫٥ كم/ساعة.", "ar") == ["number_missing"]


# --------------------------------------------------------------------------------------
# Markdown structure

MD_SOURCE = """## Weekend trip checklist

1. Book accommodation
2. Check the weather forecast
3. Pack a first-aid kit

| Item | Cost |
|------|------|
| Tent | 120 |
"""


def test_markdown_structure_kept() -> None:
    text = """## Чек-лист для поездки на выходные

1. Забронировать жильё
2. Проверить прогноз погоды
3. Собрать аптечку

| Вещь | Цена |
|------|------|
| Палатка | 120 |
"""
    assert codes(MD_SOURCE, text, "ru") == []
    dropped = text.replace("2. Проверить прогноз погоды\n", "")
    message = messages(MD_SOURCE, dropped, "ru")["markdown_structure"]
    assert "3 list items" in message and "has 2" in message
    flattened = text.replace("## ", "").replace("| Палатка | 120 |\n", "Палатка: 120\n")
    message = messages(MD_SOURCE, flattened, "ru")["markdown_structure"]
    assert "heading" in message and "table row" in message


# --------------------------------------------------------------------------------------
# Length

LONG_SOURCE = (
    "My best friend of ten years has stopped replying to my messages, and I don't know "
    "whether I did something wrong. How can I reach out without sounding needy?"
)


def test_truncation_is_caught() -> None:
    text = (
        "Mi mejor amigo desde hace diez años ha dejado de responder a mis mensajes y no sé "
        "si hice algo mal. ¿Cómo puedo contactarlo sin parecer necesitado?"
    )
    assert codes(LONG_SOURCE, text, "es") == []
    assert codes(LONG_SOURCE, text[: len(text) * 2 // 5], "es") == ["length_ratio"]


def test_length_depends_on_the_language() -> None:
    cantonese = (
        "我識咗十年嘅好朋友冇再覆我訊息，我唔知係咪自己做錯咗啲咩。"
        "我可以點樣主動搵佢，又唔會顯得好黐身？"
    )
    assert codes(LONG_SOURCE, cantonese, "yue") == []
    assert codes(LONG_SOURCE, cantonese[:12], "yue") == ["length_ratio"]


def test_an_answer_instead_of_a_translation_is_too_long() -> None:
    answer = (
        "Het is begrijpelijk dat je je zorgen maakt. Stuur een kort, vriendelijk bericht "
        "zonder verwijten. " * 6
    )
    assert "length_ratio" in codes(LONG_SOURCE, answer)


def test_short_texts_only_when_cut_off() -> None:
    assert codes("Name three noble gases.", "Noem drie edelgassen.") == []
    assert codes("Name three noble gases.", "Noem dr") == ["length_ratio"]
    assert codes("Tips for better sleep?", "Slaaptips?") == []


# --------------------------------------------------------------------------------------
# Language

QUESTION = "Why is the sky blue during the day but red and orange at sunset? Explain it simply."


def test_untranslated_english_message() -> None:
    text = "Why is the sky blue in the daytime but red and orange at sunset? Explain simply."
    assert messages(QUESTION, text)["untranslated_english"] == (
        "The translation looks like English, not Dutch."
    )


@pytest.mark.parametrize(
    ("lang", "text", "named"),
    [
        ("nl", "¿Por qué el cielo es azul durante el día pero rojo al atardecer?", "Spanish"),
        ("ar", "Почему небо днём голубое, а на закате красное и оранжевое?", "Russian"),
        ("ru", "لماذا تكون السماء زرقاء في النهار وحمراء عند الغروب؟", "Arabic"),
        ("ta", "Waarom is de lucht overdag blauw maar bij zonsondergang rood en oranje?", "Dutch"),
        ("de", "點解日頭嘅天空係藍色？", "Cantonese"),
    ],
)
def test_wrong_language(lang: str, text: str, named: str) -> None:
    message = messages(QUESTION, text, lang)["wrong_language"]
    assert named in message


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nl", "Waarom is de lucht overdag blauw, maar bij zonsondergang rood en oranje?"),
        ("pt-BR", "Por que o céu é azul durante o dia, mas vermelho e laranja ao pôr do sol?"),
        ("fil", "Bakit asul ang langit sa araw pero pula at kahel kapag lumulubog ang araw?"),
        ("ru", "Почему днём небо голубое, а на закате красное и оранжевое?"),
        ("ar", "لماذا تكون السماء زرقاء خلال النهار، لكنها حمراء وبرتقالية عند الغروب؟"),
        ("ta", ("பகலில் வானம் ஏன் நீலமாகவும், சூரியன் மறையும்போது சிவப்பு மற்றும் ஆரஞ்சு நிறமாகவும் இருக்கிறது?")),
        ("yue", "點解日頭嘅天空係藍色，但係日落嗰陣會變成紅色同橙色？"),
        ("zh-Hant", "為什麼白天的天空是藍色的，日落時卻是紅色和橙色的？"),
    ],
)
def test_right_language_in_every_script(lang: str, text: str) -> None:
    assert codes(QUESTION, text + " Leg/Explain: Rayleigh.", lang) == []


def test_short_text_is_not_judged_on_language() -> None:
    assert codes("Define entropy.", "Definieer entropie.", "nl") == []
    assert codes("Define entropy.", "Definiere Entropie.", "es") == []  # a known limit


def test_english_terms_inside_code_and_placeholders_are_ignored() -> None:
    code = "```js\n// load the user and the posts\nload(user);\n```"
    source = f"Rewrite this using `async`/`await`:\n\n{code}"
    text = f"Herschrijf dit met `async`/`await`:\n\n{code}"
    assert codes(source, text) == []


def test_a_paragraph_left_in_english() -> None:
    source = (
        "I run a small library and need a volunteer rota for the coming year.\n\n"
        "Please keep the tone friendly and realistic, because we have almost no budget."
    )
    text = (
        "Ik run een kleine bibliotheek en heb een rooster voor vrijwilligers nodig.\n\n"
        "Please keep the tone friendly and realistic, because we have almost no budget."
    )
    assert "untranslated_english" in codes(source, text)


# --------------------------------------------------------------------------------------
# Glossary


@dataclass(frozen=True)
class Entry:
    term: str
    translation: str
    note: str = ""


RU_GLOSSARY = [
    Entry("function", "функция"),
    Entry("email", "электронное письмо", "письмо alone is fine"),
    {"term": "bullet point", "translation": "пункт списка", "note": ""},
]


# --------------------------------------------------------------------------------------
# Issue 14: the hard languages

FRIENDS = (
    "I'm moving to a new city for work and I don't know anyone there. What are some "
    "practical ways for an introvert to make friends as an adult?"
)
MRNA = "How do mRNA vaccines work, and why don't they change a person's DNA?"
BAKERY = (
    "A bakery sells croissants for $2.35 each and muffins for $1.80 each. On Saturday it sold "
    "412 croissants and 275 muffins. What was the total revenue, and what percentage of it "
    "came from croissants? Show your working."
)


@pytest.mark.parametrize(
    ("source", "text", "script"),
    [
        (
            FRIENDS,
            "我因為工作要搬到一個新城市，在那裡我一個人都不認識。對於內向的人來說，"
            "成年後有哪些實際的交朋友方法？",
            "Traditional",
        ),
        (
            BAKERY,
            "一家面包店以每个 $2.35 的价格出售牛角包，以每个 $1.80 的价格出售松饼。星期六它卖出了 "
            "412 个牛角包和 275 个松饼。总收入是多少？其中有百分之几来自牛角包？请写出计算过程。",
            "Simplified",
        ),
        (MRNA, "mRNA 疫苗是怎麼運作的？為什麼它們不會改變人的 DNA？", "Traditional"),
    ],
)
def test_standard_written_chinese_in_the_cantonese_space(
    source: str, text: str, script: str
) -> None:
    message = messages(source, text, "yue")["wrong_language"]
    assert "standard written Chinese (Mandarin), not Cantonese" in message
    assert "no Cantonese ones" in message
    assert ("Simplified" in message) == (script == "Simplified")


def test_cantonese_is_not_mistaken_for_mandarin() -> None:
    cantonese = (
        "我因為工作要搬去一個新城市，喺嗰度一個人都唔識。對於內向嘅人嚟講，"
        "大個咗之後有咩實際嘅方法可以識到朋友？"
    )
    assert codes(FRIENDS, cantonese, "yue") == []
    simplified = (
        "我因为工作要搬去一个新城市，喺嗰度一个人都唔识。对于内向嘅人嚟讲，有咩方法识朋友？"
    )
    message = messages(FRIENDS, simplified, "yue")["wrong_language"]
    assert "Simplified characters" in message and "Traditional" in message


def test_cantonese_keeping_english_code_and_a_quotation_is_fine() -> None:
    source = (
        "My grandmother always said, \"Don't count your chickens before they're hatched.\" "
        "What does this proverb mean? Use `dict.get()` in the example:\n\n```python\n"
        'print(sayings.get("chickens", "unknown proverb in this list"))\n```'
    )
    text = (
        "我嫲嫲成日都講：\"Don't count your chickens before they're hatched.\" "
        "呢句諺語係咩意思？喺例子入面用 `dict.get()`：\n\n```python\n"
        'print(sayings.get("chickens", "unknown proverb in this list"))\n```'
    )
    assert codes(source, text, "yue") == []
    curly = text.replace("Don't", "Don\u2019t").replace("they're", "they\u2019re")
    assert codes(source, curly.replace('"D', "\u300cD").replace('." ', ".\u300d "), "yue") == []


NEIGHBOUR_TEXTS = [
    (
        "tl",
        "id",
        "Indonesian or Malay",
        MRNA,
        "Bagaimana vaksin mRNA bekerja, dan mengapa vaksin itu tidak mengubah DNA seseorang?",
    ),
    (
        "tl",
        "ms",
        "Indonesian or Malay",
        FRIENDS,
        (
            "Saya akan berpindah ke bandar baharu kerana kerja dan saya tidak mengenali "
            "sesiapa pun di sana. Apakah beberapa cara praktikal untuk seorang introvert "
            "berkawan apabila sudah dewasa?"
        ),
    ),
    (
        "fil",
        "id",
        "Indonesian or Malay",
        FRIENDS,
        (
            "Saya pindah ke kota baru karena pekerjaan dan saya tidak mengenal siapa pun di "
            "sana. Apa saja cara praktis bagi seorang introvert untuk berteman saat dewasa?"
        ),
    ),
    (
        "nl",
        "af",
        "Afrikaans",
        FRIENDS,
        (
            "Ek trek vir werk na 'n nuwe stad en ek ken niemand daar nie. Wat is 'n paar "
            "praktiese maniere vir 'n introvert om as volwassene vriende te maak?"
        ),
    ),
    (
        "es",
        "ca",
        "Catalan",
        FRIENDS,
        (
            "Em trasllado a una ciutat nova per feina i no hi conec ningú. Quines són algunes"
            " maneres pràctiques perquè una persona introvertida faci amics en l'edat adulta?"
        ),
    ),
    (
        "es",
        "gl",
        "Galician",
        FRIENDS,
        (
            "Mudo a unha cidade nova por traballo e non coñezo a ninguén alí. Cales son "
            "algunhas formas prácticas de que unha persoa introvertida faga amizades na idade"
            " adulta?"
        ),
    ),
    (
        "pt",
        "gl",
        "Galician",
        MRNA,
        "Como funcionan as vacinas de ARNm, e por que non cambian o ADN dunha persoa?",
    ),
    (
        "ru",
        "uk",
        "Ukrainian",
        FRIENDS,
        (
            "Я переїжджаю до нового міста через роботу і нікого там не знаю. Які є практичні "
            "способи для інтроверта знайти друзів у дорослому віці?"
        ),
    ),
    (
        "ru",
        "bg",
        "Bulgarian",
        FRIENDS,
        (
            "Премествам се в нов град заради работа и не познавам никого там. Какви са някои "
            "практични начини един интроверт да си намери приятели като възрастен?"
        ),
    ),
    (
        "sk",
        "cs",
        "Czech",
        FRIENDS,
        (
            "Stěhuji se kvůli práci do nového města a nikoho tam neznám. Jaké jsou praktické "
            "způsoby, jak si introvert může v dospělosti najít přátele?"
        ),
    ),
    (
        "cs",
        "sk",
        "Slovak",
        FRIENDS,
        (
            "Sťahujem sa kvôli práci do nového mesta a nikoho tam nepoznám. Aké sú praktické "
            "spôsoby, ako si introvert môže v dospelosti nájsť priateľov?"
        ),
    ),
    ("sk", "cs", "Czech", "Name three noble gases.", "Vyjmenujte tři vzácné plyny."),
    (
        "ar",
        "fa",
        "Persian",
        MRNA,
        "واکسن‌های mRNA چگونه کار می‌کنند و چرا DNA انسان را تغییر نمی‌دهند؟",
    ),
    (
        "tr",
        "az",
        "Azerbaijani",
        FRIENDS,
        (
            "İş üçün yeni bir şəhərə köçürəm və orada heç kimi tanımıram. İntrovert bir "
            "insanın yetkin yaşda dost qazanması üçün hansı praktik yollar var?"
        ),
    ),
    (
        "ta",
        "ml",
        "Malayalam",
        MRNA,
        "mRNA വാക്സിനുകൾ എങ്ങനെ പ്രവർത്തിക്കുന്നു, അവ ഒരു വ്യക്തിയുടെ DNA മാറ്റാത്തത് എന്തുകൊണ്ട്?",
    ),
    (
        "te",
        "kn",
        "Kannada",
        MRNA,
        "mRNA ಲಸಿಕೆಗಳು ಹೇಗೆ ಕೆಲಸ ಮಾಡುತ್ತವೆ, ಮತ್ತು ಅವು ವ್ಯಕ್ತಿಯ DNA ಅನ್ನು ಏಕೆ ಬದಲಾಯಿಸುವುದಿಲ್ಲ?",
    ),
    (
        "hu",
        "fi",
        "Finnish",
        FRIENDS,
        (
            "Muutan töiden takia uuteen kaupunkiin enkä tunne sieltä ketään. Millä käytännön "
            "tavoilla introvertti voi saada ystäviä aikuisena?"
        ),
    ),
    (
        "de",
        "lb",
        "Luxembourgish",
        FRIENDS,
        (
            "Ech plënneren fir d'Aarbecht an eng nei Stad an ech kennen do keen. Wat sinn e "
            "puer praktesch Méiglechkeeten fir en introvertéierte Mënsch, fir als Erwuessenen"
            " Frënn ze maachen?"
        ),
    ),
]


@pytest.mark.parametrize(("lang", "label", "name", "source", "text"), NEIGHBOUR_TEXTS)
def test_a_close_neighbour_outside_mpep_is_found(
    lang: str, label: str, name: str, source: str, text: str
) -> None:
    from mpep_space.qa.languages import target_of

    assert label in target_of(lang).neighbours  # it is a candidate because of the table
    assert f"looks like {name}, not" in messages(source, text, lang)["wrong_language"]


def test_every_mpep_language_has_its_neighbours_stated_with_reasons() -> None:
    from mpep_space.qa.languages import NEIGHBOURS

    languages = {path.stem for path in (ROOT / "languages").glob("*.yaml")}
    assert set(NEIGHBOURS) == languages
    for pairs in NEIGHBOURS.values():
        assert all(label and len(reason) > 10 for label, reason in pairs)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "tl",
            (
                "Paano gumagana ang mga bakunang mRNA, at bakit hindi nito binabago ang DNA ng "
                "isang tao?"
            ),
        ),
        ("nl", "Hoe werken mRNA-vaccins, en waarom veranderen ze het DNA van een mens niet?"),
        ("es", "¿Cómo funcionan las vacunas de ARNm y por qué no cambian el ADN de una persona?"),
        ("pt", "Como funcionam as vacinas de mRNA e por que elas não alteram o DNA de uma pessoa?"),
        ("ru", "Как работают мРНК-вакцины и почему они не меняют ДНК человека?"),
        ("cs", "Jak fungují mRNA vakcíny a proč nemění lidskou DNA?"),
        ("sk", "Ako fungujú mRNA vakcíny a prečo nemenia ľudskú DNA?"),
    ],
)
def test_neighbours_keep_good_translations_quiet(lang: str, text: str) -> None:
    assert codes(MRNA, text, lang) == []


@pytest.mark.parametrize(
    ("lang", "source", "text", "name"),
    [
        ("pt", "Define entropy.", "Define la entropía.", "Spanish"),
        ("es", "Name three noble gases.", "Cite três gases nobres.", "Portuguese"),
        ("cs", "Name three noble gases.", "Vymenujte tri vzácne plyny.", "Slovak"),
        ("sk", "What is a black hole?", "Co je černá díra?", "Czech"),
        ("nl", "Tips for better sleep?", "Wenke vir beter slaap?", "Afrikaans"),
        ("de", "What is a black hole?", "Wat is een zwart gat?", "Dutch"),
        ("tl", "What is a black hole?", "Apa itu lubang hitam?", "Indonesian or Malay"),
        ("fil", "What is a black hole?", "Apakah lubang hitam?", "Indonesian or Malay"),
        ("ar", "What is a black hole?", "سیاهچاله چیست؟", "Persian"),
        ("tr", "What is a black hole?", "Qara dəlik nədir?", "Azerbaijani"),
        ("ru", "What is a black hole?", "Що таке чорна діра?", "Ukrainian"),
        ("ru", "What is a black hole?", "Какво е черна дупка?", "Bulgarian"),
    ],
)
def test_a_short_text_in_a_close_neighbour(lang: str, source: str, text: str, name: str) -> None:
    assert f"looks like {name}, not" in messages(source, text, lang)["wrong_language"]


@pytest.mark.parametrize(
    ("lang", "source", "text"),
    [
        ("pt", "Define entropy.", "Defina entropia."),
        ("cs", "Name three noble gases.", "Vyjmenujte tři vzácné plyny."),
        ("sk", "What is a black hole?", "Čo je čierna diera?"),
        ("nl", "Tips for better sleep?", "Tips voor beter slapen?"),
        ("de", "What is a black hole?", "Was ist ein Schwarzes Loch?"),
        ("tl", "What is a black hole?", "Ano ang black hole?"),
        ("es", "Name three noble gases.", "Nombra tres gases nobles."),
        ("ar", "What is a black hole?", "ما هو الثقب الأسود؟"),
        ("ru", "What is a black hole?", "Что такое чёрная дыра?"),
        ("tr", "What is a black hole?", "Kara delik nedir?"),
        ("nl", "What is such a black hole?", "Wat is zo'n zwart gat?"),
        ("sk", "Are there such black holes?", "Existujú také čierne diery?"),
    ],
)
def test_short_good_translations_stay_quiet(lang: str, source: str, text: str) -> None:
    assert codes(source, text, lang) == []


def test_short_standard_written_chinese_in_the_cantonese_space() -> None:
    assert "Mandarin" in messages("What is a black hole?", "黑洞是什麼？", "yue")["wrong_language"]
    assert codes("What is a black hole?", "黑洞係咩？", "yue") == []
    assert codes("Explain photosynthesis briefly.", "簡單解釋下光合作用。", "yue") == []


def test_a_short_text_with_letters_the_language_lacks() -> None:
    message = messages("Name three noble gases.", "Üç soy gaz say.", "es")["wrong_language"]
    assert "does not look like Spanish" in message and "ç" in message
    assert codes("Who was Gödel?", "¿Quién fue Gödel?", "es") == []  # the source has the ö


@pytest.mark.parametrize(
    ("lang", "source", "text"),
    [
        (
            "nl",
            BAKERY,
            "Een bakkerij verkoopt croissants voor $2,35 per stuk en muffins voor $1,80 per stuk. "
            "On Saturday the bakery sold 412 croissants and 275 muffins in total. "
            "Wat was de totale omzet, en welk percentage daarvan kwam van de croissants? "
            "Laat je berekening zien.",
        ),
        (
            "es",
            FRIENDS,
            "Me mudo a una ciudad nueva por trabajo y no conozco a nadie allí. What are some "
            "practical ways for an introvert to make friends as an adult?",
        ),
        (
            "ru",
            FRIENDS,
            "Я переезжаю в новый город по работе и никого там не знаю, даже соседей по дому, "
            "и мне немного страшно. What are some good ways for a shy person to find friends?",
        ),
    ],
)
def test_an_english_sentence_inside_a_paragraph(lang: str, source: str, text: str) -> None:
    message = messages(source, text, lang)["untranslated_english"]
    assert message.startswith("This sentence is still in English:")


def test_a_short_english_sentence_at_the_end() -> None:
    source = "A bakery sold 412 croissants. What was the revenue? Show your working."
    text = "Een bakkerij verkocht 412 croissants. Wat was de omzet? Show your working."
    assert "Show your working" in messages(source, text)["untranslated_english"]
    good = "Een bakkerij verkocht 412 croissants. Wat was de omzet? Laat je berekening zien."
    assert codes(source, good) == []


def test_no_words_is_an_error_at_any_length() -> None:
    for text in (".", "?", "...", "x", "。"):
        findings = qa.check("Define entropy.", text, "nl")
        assert [f.code for f in findings] == ["empty"] and qa.has_errors(findings)
    assert "has no words" in messages("Define entropy.", ".")["empty"]
    assert codes("Define entropy.", "熵嘅定義。", "yue") == []
    assert codes("Define entropy.", "Defineer entropie.") == []
    assert codes("3x + 2y = 16", "3x + 2y = 16") == []  # no prose in the source: nothing lost
    assert "almost empty" in messages(FRIENDS, "TODO")["empty"]  # 4 letters for 110


BUDGET = (
    "Here is my monthly budget.\n\n| Category | Amount |\n|----------|--------|\n"
    "| Rent | 950 |\n| Groceries | 420 |"
)


def test_numbers_swapped_between_table_rows() -> None:
    good = (
        "Dit is mijn maandbudget.\n\n| Categorie | Bedrag |\n|----------|--------|\n"
        "| Huur | 950 |\n| Boodschappen | 420 |"
    )
    assert codes(BUDGET, good) == []
    swapped = good.replace("950", "X").replace("420", "950").replace("X", "420")
    message = messages(BUDGET, swapped)["number_order"]
    assert "table row 2" in message and "950" in message and "420" in message


def test_numbers_swapped_inside_a_table_row() -> None:
    source = "Fill in the table.\n\n| City | Low | High |\n|---|---|---|\n| Oslo | -3 | 12 |"
    good = "Vul de tabel in.\n\n| Stad | Laag | Hoog |\n|---|---|---|\n| Oslo | -3 | 12 |"
    assert codes(source, good) == []
    assert codes(
        source, good.replace("-3 | 12", "-12 | 3").replace("-12", "12").replace("| 3", "| -3")
    ) == ["number_order"]


def test_numbers_moved_between_list_items_but_not_within_one() -> None:
    source = "Plan:\n\n- Walk 5 km on day 1\n- Rest for 2 hours"
    moved = "Plan:\n\n- Loop 2 km op dag 1\n- Rust 5 uur"
    assert "number_order" in codes(source, moved)
    reordered = "Plan:\n\n- Op dag 1 loop je 5 km\n- Rust 2 uur"
    assert codes(source, reordered) == []


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("The meeting starts at 3pm sharp.", "De vergadering begint om 15.00 uur precies."),
        ("The meeting starts at 3 p.m. sharp.", "De vergadering begint precies om 15:00."),
        ("Call me at 8:30 PM tonight.", "Bel me vanavond om 20.30 uur."),
        ("I paid 1,250.75 euros.", "Ik heb 1.250,75 euro betaald."),
    ],
)
def test_time_of_day_and_decimal_localisation_is_not_an_alarm(source: str, text: str) -> None:
    assert codes(source, text) == []


def test_a_wrong_hour_is_still_caught() -> None:
    assert codes(
        "The meeting starts at 3pm sharp.", "De vergadering begint om 16.00 uur precies."
    ) == ["number_missing"]


def test_glossary_accepts_inflected_forms() -> None:
    source = "Call the function twice, then write an email in five bullet points."
    text = "Вызови функцию дважды, затем напиши письмо из пяти пунктов списка."
    assert codes(source, text, "ru", glossary=RU_GLOSSARY) == []


def test_glossary_term_not_used() -> None:
    source = "Call the function twice, then write two emails."
    text = "Вызови этот метод дважды, затем напиши два сообщения."
    found = [f.message for f in qa.check(source, text, "ru", glossary=RU_GLOSSARY)]
    assert found == [
        "The glossary says \u201cfunction\u201d is translated as \u201cфункция\u201d, "
        "but the translation does not use it.",
        "The glossary says \u201cemail\u201d is translated as \u201cэлектронное письмо\u201d, "
        "but the translation does not use it.",
    ]


def test_glossary_in_arabic_and_latin_scripts() -> None:
    glossary = [{"term": "function", "translation": "دالة"}]
    source = "Why does this function return the wrong result?"
    assert codes(source, "لماذا تُرجع هذه الدالة نتيجة خاطئة؟", "ar", glossary=glossary) == []
    assert codes(source, "لماذا تُرجع هذه الوظيفة نتيجة خاطئة؟", "ar", glossary=glossary) == [
        "glossary"
    ]
    es = [Entry("function", "función")]
    assert codes(source, "¿Por qué devuelven mal resultado las funciones?", "es", glossary=es) == []


def test_glossary_matches() -> None:
    glossary = [Entry("email", "e-mail"), Entry("function", "functie"), Entry("file", "bestand")]
    source = "Write two Emails; the `function` and {function} do not count, nor does profile."
    assert qa.glossary_matches(source, glossary) == [glossary[0]]
    as_dicts = [{"term": "email", "translation": "e-mail"}, {"translation": "no term"}]
    assert qa.glossary_matches("An EMAIL.", as_dicts) == [as_dicts[0]]
    assert qa.glossary_matches("An email.", None) == []


# --------------------------------------------------------------------------------------
# Robustness


TRICKY = st.sampled_from(
    [
        "```",
        "```python\n",
        "\n```\n",
        "`",
        "{",
        "}",
        "{{",
        "}}",
        "{name}",
        "%s",
        "%(x)d",
        "$VAR",
        "${V}",
        "<b>",
        "</b>",
        "[a](b)",
        "https://example.org/a?b=c",
        "a@b.co",
        "1,250.75",
        "1 250,75",
        "٣٫٥",
        "08:15",
        "\n\n",
        "\n- ",
        "\n1. ",
        "| a |",
        "# ",
        "/*",
        "*/",
        "--",
        "//",
        "\ud800",
        "\udfff",
        "\x00",
        "\u202e",
        "點解",
        "لماذا",
        "தமிழ்",
        "Привет",
    ]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=20)), max_size=30).map("".join)
LANGS = st.sampled_from(["nl", "pt-BR", "ar", "yue", "ta", "zh-Hant", "fil", "xx", "", "en"])


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(source=TEXT, translation=TEXT, lang=LANGS, suggestion=st.none() | TEXT)
def test_check_never_raises(
    source: str, translation: str, lang: str, suggestion: str | None
) -> None:
    glossary = [Entry("a", "b"), {"term": source[:5], "translation": translation[:5]}]
    # strict=True lets a bug in a single check surface instead of being logged and skipped.
    findings = checks.run_checks(source, translation, lang, suggestion, glossary, strict=True)
    assert findings == qa.check(source, translation, lang, suggestion, glossary)
    for f in findings:
        assert f.code in qa.CODES and f.severity in qa.SEVERITIES and f.message
        f.message.encode("utf-8")  # lone surrogates never reach a message
    ranks = [qa.SEVERITIES.index(f.severity) for f in findings]
    assert ranks == sorted(ranks)


ADVERSARIAL = {
    "backticks": "`" * 20_000,
    "unclosed inline code": "``a`" * 5_000,
    "fences": "```\n" * 5_000,
    "braces": "{{" * 10_000,
    "printf": "%(" * 10_000,
    "tags": "<a " * 6_600,
    "links": "[a](" * 5_000,
    "e-mail-like": "a." * 10_000,
    "digits": "1," * 10_000,
    "digit groups": "1\u00a0" * 10_000,
    "block comments": "```\n" + "/*" * 10_000 + "\n```",
    "strings": "```\n" + '"' * 20_000 + "\n```",
    "table": "| a " * 5_000,
    "han": "點" * 20_000,
    "surrogates": "\ud800" * 20_000,
    "sentences": "Explain this thing to me now, please. " * 3_000,
    "quotes": '"a b c d e" ' * 5_000,
    "mandarin markers": "我們的了是這" * 5_000,
    "table cells": "| 1 | 2 |\n" * 3_000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_huge_adversarial_input_is_fast(name: str) -> None:
    text = ADVERSARIAL[name]
    start = time.perf_counter()
    checks.run_checks(text, text[: len(text) // 2], "nl", text, None, strict=True)
    checks.run_checks("Explain this, please. " * 5, text, "ar", None, None, strict=True)
    assert time.perf_counter() - start < 1.0


def test_model_is_loaded_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    loads = []

    def slow_loader() -> object:
        loads.append(1)
        time.sleep(0.05)
        return object()

    monkeypatch.setattr(identifier, "_IDENTIFIER", None)
    monkeypatch.setattr(identifier, "_load_identifier", slow_loader)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(identifier.get_identifier()))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len({id(r) for r in results}) == 1


def test_checks_still_work_without_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_loader() -> object:
        raise ImportError("no py3langid")

    monkeypatch.setattr(identifier, "_IDENTIFIER", None)
    monkeypatch.setattr(identifier, "_IDENTIFIER_FAILED", False)
    monkeypatch.setattr(identifier, "_load_identifier", broken_loader)
    identifier.model_labels.cache_clear()
    try:
        assert codes(QUESTION, "Waarom is de lucht blauw maar rood bij zonsondergang?") == []
        message = messages(QUESTION, "Waarom is de lucht blauw maar rood bij zonsondergang?", "ar")
        assert "Latin script" in message["wrong_language"]
    finally:
        identifier.model_labels.cache_clear()


def test_a_failing_check_is_skipped_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(ctx: object) -> list[qa.Finding]:
        raise RuntimeError("bug")

    monkeypatch.setattr(checks, "CONTENT_CHECKS", (boom, *checks.CONTENT_CHECKS))
    assert codes("Hi {name}, welcome.", "Hoi, welkom.") == ["placeholder_missing"]


# --------------------------------------------------------------------------------------
# The benchmark


def load_benchmark() -> Any:
    path = ROOT / "bench" / "qa_eval.py"
    spec = importlib.util.spec_from_file_location("qa_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["qa_eval"] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_meets_its_targets_for_every_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = load_benchmark()
    assert bench.main([]) == 0
    out = capsys.readouterr().out
    assert "Overall: PASS" in out and "FAIL" not in out
    goods = bench.load_goods()
    languages = {path.stem for path in (ROOT / "languages").glob("*.yaml")}
    assert len(languages) == 20 and {g.lang for g in goods} == languages
    assert all(sum(1 for g in goods if g.lang == lang) >= 10 for lang in languages)
    for lang in languages:
        assert f"| {lang} |" in out  # the per-language table has a row for it
    handmade = bench.load_handmade()
    assert {d.kind for d in handmade} == set(bench.HANDMADE_KINDS)
    report = bench.evaluate(goods, bench.make_defects(goods) + handmade)
    assert report.caught_rate >= 0.97 and report.false_alarm_rate <= 0.02
    assert all(all(report.language_ok(lang)) for lang in languages)
    expected = set(bench.KINDS) | set(bench.HANDMADE_KINDS)
    expected |= {bench.WRONG_LANGUAGE, bench.MPEP_NEIGHBOUR, bench.SUGGESTION}
    assert set(report.total) == expected
