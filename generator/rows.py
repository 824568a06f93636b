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
from mpep_space.events import EVENT_ORDER
from mpep_space.rules import PromptState, TranslationState

from .folding import Folded

# ``target`` holds what the published MPEP sets hold: the accepted text, with the
# Argilla status of an accepted response. Consumers join its values (DIBT's
# multilingual-prompt-engine notebook: " ".join(d["value"] for d in row["target"])),
# so nothing else may be in it: the full story is in ``history``.
SUBMITTED = "submitted"


def _targets(state: PromptState) -> list[dict[str, str]]:
    """The accepted translation of a prompt as the one ``target`` entry; empty when not done.

    When the approving reviewer corrected the text, the text and ``user_id`` are theirs
    (the translator's version is in ``history``).
    """
    accepted = state.accepted
    if accepted is None:
        return []
    user = accepted.edited_by or accepted.user
    return [{"user_id": user, "value": accepted.final_text, "status": SUBMITTED}]


def _reviews(translations: Iterable[TranslationState]) -> list[dict[str, str]]:
    reviews = sorted((r for t in translations for r in t.reviews), key=EVENT_ORDER)
    return [{"user_id": r.user, "verdict": r.verdict, "comment": r.comment} for r in reviews]


def _history_entry(translation: TranslationState) -> dict[str, Any]:
    reviews = sorted(translation.reviews, key=EVENT_ORDER)
    return {
        "translation_id": translation.id,
        "user_id": translation.user,
        "value": translation.text,
        "status": translation.status,
        "submitted_at": translation.ts,
        "origin": translation.origin or None,
        "reviews": [
            {
                "user_id": r.user,
                "verdict": r.verdict,
                "comment": r.comment,
                "edited_value": r.edited_text,
                "reviewed_at": r.ts,
            }
            for r in reviews
        ],
    }


def history(state: PromptState) -> list[dict[str, Any]]:
    """Every translation of a prompt in the order it was made, each with all its reviews."""
    return [_history_entry(t) for t in state.translations]


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
        "target-suggestion": suggestion.text if suggestion else None,
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
        "history": history(state),
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


def imported_counts(folded: Folded) -> tuple[tuple[str, int], ...]:
    """Accepted translations carried over with ``generate-space --import``, per origin."""
    origins: Counter[str] = Counter()
    for state in folded.ledger.prompts.values():
        if state.accepted is not None and state.accepted.origin:
            origins[state.accepted.origin] += 1
    return tuple(sorted(origins.items()))
