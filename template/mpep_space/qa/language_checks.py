"""Is the translation in the target language? Script first, then the identifier's scores."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .context import Context
from .findings import Finding, finding, one_line
from .identifier import language_probabilities, model_labels
from .languages import LANGUAGE_SCRIPTS, MPEP_LABELS, Target, language_name
from .numbers import strip_numbers
from .scripts import is_letter, letters_of, script_name, script_of, script_share

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


def check_language(ctx: Context) -> list[Finding]:
    target = ctx.target
    if target.label == "en":
        return []
    text = strip_numbers(ctx.translation.plain)
    letters = letters_of(text)
    # Letters of a script the source itself quotes (say, Chinese in an English prompt)
    # say nothing about the translation's language.
    quoted = {script_of(ch) for ch in set(ctx.source.plain) if is_letter(ch)} - {"Latn"}
    counted = [ch for ch in letters if script_of(ch) not in quoted]
    if target.script is not None and len(counted) >= MIN_LETTERS_FOR_SCRIPT:
        if script_share(counted, target.script) < MIN_SCRIPT_SHARE:
            return [_wrong_script(text, counted, target)]
    if len(letters) < MIN_LETTERS_FOR_LANGUAGE:
        return []
    if target.script not in (None, "Latn"):
        # The right script; the model adds little to that (and some of these languages
        # share a script with no other candidate), except to find English paragraphs.
        return _check_english_paragraphs(ctx, text)
    if target.label in model_labels():
        ranked = language_probabilities(text, _candidates(target))
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
    ranked = language_probabilities(text, None)
    if ranked and ranked[0][0] == "en" and ranked[0][1] >= MIN_OTHER_PROBABILITY:
        return [_wrong_language("en", target)]
    return _check_english_paragraphs(ctx, text)


def _wrong_script(text: str, letters: Sequence[str], target: Target) -> Finding:
    """A finding for a translation written mostly in another script than the target's."""
    dominant = Counter(script_of(ch) for ch in letters).most_common(1)[0][0]
    ranked = language_probabilities(text, _candidates(target) - target.accepted)
    if ranked and ranked[0][1] >= MIN_OTHER_PROBABILITY:
        best = ranked[0][0]
        if LANGUAGE_SCRIPTS.get(best, "Latn") == dominant:
            return _wrong_language(best, target)
    wanted = script_name(target.script or "")
    return finding(
        "wrong_language",
        f"The translation is written in {script_name(dominant)} script, not {wanted}; "
        f"is it {target.name}?",
    )


def _candidates(target: Target) -> frozenset[str]:
    labels = model_labels()
    return (MPEP_LABELS | target.accepted) & labels


def _wrong_language(label: str, target: Target) -> Finding:
    if label == "en":
        return finding(
            "untranslated_english", f"The translation looks like English, not {target.name}."
        )
    return finding(
        "wrong_language",
        f"The translation looks like {language_name(label)}, not {target.name}.",
    )


def _check_english_paragraphs(ctx: Context, text: str) -> list[Finding]:
    """A paragraph left in English inside an otherwise translated text."""
    if "en" not in model_labels():
        return []
    candidates = _candidates(ctx.target)
    for paragraph in re.split(r"\n[ \t]*\n", text):
        if len(letters_of(paragraph)) < MIN_LETTERS_FOR_PARAGRAPH:
            continue
        ranked = language_probabilities(paragraph, candidates)
        if ranked and ranked[0][0] == "en" and ranked[0][1] >= MIN_ENGLISH_PARAGRAPH_PROBABILITY:
            return [
                finding(
                    "untranslated_english",
                    f"This paragraph is still in English: \u201c{one_line(paragraph, 50)}\u201d.",
                )
            ]
    return []
