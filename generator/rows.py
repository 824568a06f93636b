"""Rows of an ``MPEP_<NAME>`` dataset from a language's folded state, and what they add up to.

One row per prompt, in the order the prompts were bundled; the accepted
translations also become ``alpaca_eval.json`` records, and their QA findings the
quality counts of the card and the progress report.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from mpep_space.config import BundledPrompt, Suggestion
from mpep_space.events import EVENT_ORDER
from mpep_space.rules import PromptState, TranslationState

from .arrow import pyarrow
from .folding import Folded
from .schema import arrow_schema

if TYPE_CHECKING:
    import pyarrow as pa

# ``target`` holds what the published MPEP sets hold: the accepted text, with the
# Argilla status of an accepted response. Consumers join its values (DIBT's
# multilingual-prompt-engine notebook: " ".join(d["value"] for d in row["target"])),
# so nothing else may be in it: the full story is in ``history``.
SUBMITTED = "submitted"


def qa_codes(translation: TranslationState) -> list[str]:
    """The finding codes stored on a translation event, in stored order."""
    return [str(f.get("code") or "unknown") for f in translation.qa]


def is_suggestion_unchanged(translation: TranslationState) -> bool:
    """Accepted as the machine suggestion, unchanged (a reviewer's edit changes it)."""
    return translation.suggestion_unchanged and translation.edited_by is None


def chosen_prompts(
    folded: Folded, *, include_pending: bool = False
) -> list[tuple[BundledPrompt, PromptState]]:
    """The prompts that get a row, in bundled order: the done ones (every one with
    ``include_pending``), each with its folded state."""
    states = folded.ledger.prompts
    pairs = ((prompt, states[prompt.id]) for prompt in folded.config.prompts)
    return [(p, s) for p, s in pairs if include_pending or s.accepted is not None]


def build_table(folded: Folded, *, include_pending: bool = False) -> pa.Table:
    """One row per done prompt (per prompt with ``include_pending``), in bundled order,
    with the columns of :mod:`mpep_generator.schema`. Per prompt:

    - ``target``: the accepted translation as the one entry (``user_id`` the approving
      reviewer's when they corrected the text); empty when the prompt is not done;
    - ``translation``, ``qa_warnings``, ``suggestion_unchanged``: of the accepted one;
    - ``reviews``: the accepted translation's reviews (of every translation when the
      prompt is not done), in the order they were made;
    - ``history``: every translation in the order it was made, with all its reviews.

    Built column by column, nested lists from flat values and offsets: a dict per row,
    translation and review (then converted by pyarrow) cost a collect twice as much.
    ``tests/test_rows.py`` checks the table against rows written out as dicts.
    """
    pa = pyarrow()
    schema = arrow_schema()
    pairs = chosen_prompts(folded, include_pending=include_pending)
    accepted = [state.accepted for _, state in pairs]
    suggestions = [prompt.suggestion for prompt, _ in pairs]
    columns: dict[str, Any] = {
        "source": [prompt.prompt for prompt, _ in pairs],
        "target": _targets(accepted),
        "target-suggestion": [s.text if s else None for s in suggestions],
        "target-suggestion-metadata": _suggestion_metadata(suggestions),
        "external_id": [prompt.id for prompt, _ in pairs],
        "metadata": [prompt.metadata for prompt, _ in pairs],
        "translation": [t.final_text if t else None for t in accepted],
        "reviews": _reviews(pairs),
        "qa_warnings": [qa_codes(t) if t else [] for t in accepted],
        "suggestion_unchanged": [is_suggestion_unchanged(t) if t else False for t in accepted],
        "status": [state.status for _, state in pairs],
        "history": _history([state for _, state in pairs]),
    }
    arrays = [_array(columns[field.name], field.type) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _array(values: Any, type_: pa.DataType) -> pa.Array:
    pa = pyarrow()
    return values if isinstance(values, pa.Array) else pa.array(values, type_)


class _Lists:
    """A list<struct> column written flat: each field's values, and where each list ends."""

    def __init__(self, *names: str) -> None:
        self.values: dict[str, list[Any]] = {name: [] for name in names}
        self.offsets = [0]
        self._length = 0

    def end_list(self, length: int) -> None:
        self._length += length
        self.offsets.append(self._length)

    def array(self, type_: pa.DataType, children: dict[str, pa.Array] | None = None) -> pa.Array:
        pa = pyarrow()
        item = type_.value_type
        children = children or {}
        arrays = [
            children[f.name] if f.name in children else pa.array(self.values[f.name], f.type)
            for f in item
        ]
        items = pa.StructArray.from_arrays(arrays, fields=list(item))
        return pa.ListArray.from_arrays(pa.array(self.offsets, pa.int32()), items, type=type_)


def _targets(accepted: list[TranslationState | None]) -> pa.Array:
    lists = _Lists("user_id", "value", "status")
    user, value, status = lists.values.values()
    for translation in accepted:
        if translation is not None:
            user.append(translation.author)
            value.append(translation.final_text)
            status.append(SUBMITTED)
        lists.end_list(translation is not None)
    return lists.array(arrow_schema().field("target").type)


def _suggestion_metadata(suggestions: list[Suggestion | None]) -> pa.Array:
    pa = pyarrow()
    type_ = arrow_schema().field("target-suggestion-metadata").type
    values = {
        "type": [s.type if s else None for s in suggestions],
        "score": [s.score if s else None for s in suggestions],
        "agent": [s.agent if s else None for s in suggestions],
    }
    arrays = [pa.array(values[f.name], f.type) for f in type_]
    return pa.StructArray.from_arrays(arrays, fields=list(type_))


def _reviews(pairs: list[tuple[BundledPrompt, PromptState]]) -> pa.Array:
    lists = _Lists("user_id", "verdict", "comment")
    user, verdict, comment = lists.values.values()
    for _, state in pairs:
        translations = [state.accepted] if state.accepted else state.translations
        reviews = sorted((r for t in translations for r in t.reviews), key=EVENT_ORDER)
        for review in reviews:
            user.append(review.user)
            verdict.append(review.verdict)
            comment.append(review.comment)
        lists.end_list(len(reviews))
    return lists.array(arrow_schema().field("reviews").type)


def _history(states: list[PromptState]) -> pa.Array:
    made = _Lists("translation_id", "user_id", "value", "status", "submitted_at", "origin")
    reviewed = _Lists("user_id", "verdict", "comment", "edited_value", "reviewed_at")
    t_id, t_user, t_value, t_status, t_at, t_origin = made.values.values()
    r_user, r_verdict, r_comment, r_edited, r_at = reviewed.values.values()
    for state in states:
        for translation in state.translations:
            t_id.append(translation.id)
            t_user.append(translation.user)
            t_value.append(translation.text)  # as submitted; corrections are in reviews
            t_status.append(translation.status)
            t_at.append(translation.ts)
            t_origin.append(translation.origin or None)
            reviews = sorted(translation.reviews, key=EVENT_ORDER)
            for review in reviews:
                r_user.append(review.user)
                r_verdict.append(review.verdict)
                r_comment.append(review.comment)
                r_edited.append(review.edited_text)
                r_at.append(review.ts)
            reviewed.end_list(len(reviews))
        made.end_list(len(state.translations))
    type_ = arrow_schema().field("history").type
    reviews_type = type_.value_type.field("reviews").type
    return made.array(type_, {"reviews": reviewed.array(reviews_type)})


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
