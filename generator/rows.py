"""Rows of an ``MPEP_<NAME>`` dataset from a language's folded state, and what they add up to.

One row per prompt, in the order the prompts were bundled; the accepted
translations also become ``alpaca_eval.json`` records, and their QA findings the
quality counts of the card and the progress report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from mpep_space.config import BundledPrompt
from mpep_space.rules import PromptState, TranslationState

from .folding import Folded

# How a translation's state (mpep_space.rules) shows in the published ``target``
# list; ``submitted`` and ``discarded`` are the values of the Argilla-era MPEP sets.
TARGET_STATUS = {"approved": "submitted", "rejected": "discarded", "pending": "pending"}
SUPERSEDED = "superseded"  # a translator's text that the approving reviewer edited


def _target(user: str, value: str, status: str) -> dict[str, str]:
    return {"user_id": user, "value": value, "status": status}


def _targets(state: PromptState) -> list[dict[str, str]]:
    """Every translation of a prompt: the accepted one first, then the others in time order."""
    out = []
    accepted = state.accepted
    if accepted is not None:
        out.append(_target(accepted.edited_by or accepted.user, accepted.final_text, "submitted"))
        if accepted.edited_by:
            out.append(_target(accepted.user, accepted.text, SUPERSEDED))
    for translation in state.translations:
        if translation is not accepted:
            status = TARGET_STATUS.get(translation.status, translation.status)
            out.append(_target(translation.user, translation.final_text, status))
    return out


def _reviews(translations: Iterable[TranslationState]) -> list[dict[str, str]]:
    reviews = sorted((r for t in translations for r in t.reviews), key=lambda r: (r.ts, r.id))
    return [{"user_id": r.user, "verdict": r.verdict, "comment": r.comment} for r in reviews]


def qa_codes(translation: TranslationState) -> list[str]:
    """The finding codes stored on a translation event, in stored order."""
    return [str(f.get("code") or "unknown") for f in translation.qa]


def is_suggestion_unchanged(translation: TranslationState) -> bool:
    """Accepted as the machine suggestion, unchanged (a reviewer's edit changes it)."""
    return translation.suggestion_unchanged and translation.edited_by is None


def row_for(prompt: BundledPrompt, state: PromptState) -> dict[str, Any]:
    """One dataset row for a prompt and its folded state."""
    suggestion = prompt.suggestion
    accepted = state.accepted
    return {
        "source": prompt.prompt,
        "target": _targets(state),
        "target-suggestion": suggestion.text if suggestion else "",
        "target-suggestion-metadata": {
            "type": suggestion.type if suggestion else None,
            "score": suggestion.score if suggestion else None,
            "agent": suggestion.agent if suggestion else None,
        },
        "external_id": prompt.id,
        "metadata": prompt.metadata,
        "translation": accepted.final_text if accepted else None,
        "reviews": _reviews([accepted] if accepted else state.translations),
        "qa_warnings": qa_codes(accepted) if accepted else [],
        "suggestion_unchanged": is_suggestion_unchanged(accepted) if accepted else False,
        "status": state.status,
    }


def build_rows(folded: Folded, *, include_pending: bool = False) -> list[dict[str, Any]]:
    """One row per done prompt (per prompt with ``include_pending``), in bundled order."""
    rows = []
    for prompt in folded.config.prompts:
        state = folded.ledger.prompts[prompt.id]
        if include_pending or state.accepted is not None:
            rows.append(row_for(prompt, state))
    return rows


def id_order_key(prompt_id: str) -> tuple[int, int, str]:
    """Prompt ids in natural order: numbers by value (2 < 10), then the rest as text."""
    return (0, int(prompt_id), prompt_id) if prompt_id.isdigit() else (1, 0, prompt_id)


def alpaca_eval_records(folded: Folded, dataset: str) -> list[dict[str, str]]:
    """``{"instruction", "dataset"}`` for every accepted translation, in prompt-id order."""
    accepted = [
        (prompt_id, state.accepted.final_text)
        for prompt_id, state in folded.ledger.prompts.items()
        if state.accepted is not None
    ]
    accepted.sort(key=lambda item: id_order_key(item[0]))
    return [{"instruction": text, "dataset": dataset} for _, text in accepted]


def quality_of(folded: Folded) -> tuple[dict[str, int], int]:
    """Counts of each finding code among accepted translations, and unchanged suggestions."""
    codes: Counter[str] = Counter()
    unchanged = 0
    for state in folded.ledger.prompts.values():
        if state.accepted is not None:
            codes.update(set(qa_codes(state.accepted)))
            unchanged += is_suggestion_unchanged(state.accepted)
    return dict(sorted(codes.items())), unchanged
