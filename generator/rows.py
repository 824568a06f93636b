"""Rows of an ``MPEP_<NAME>`` dataset from a language's folded state, and what they add up to.

One row per prompt, in the order the prompts were bundled; the accepted
translations also become ``alpaca_eval.json`` records, and their QA findings the
quality counts of the card and the progress report.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress, count
from operator import attrgetter, ge, itemgetter
from typing import TYPE_CHECKING, Any

from mpep_space.config import BundledPrompt, Suggestion
from mpep_space.events import EVENT_ORDER, Event
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
    states = [state for _, state in pairs]
    accepted = [state.accepted for state in states]
    suggestions = [prompt.suggestion for prompt, _ in pairs]
    translation = pa.array([t.final_text if t else None for t in accepted], pa.string())
    story = _Story(states)
    columns: dict[str, Any] = {
        "source": [prompt.prompt for prompt, _ in pairs],
        "target": _targets(accepted, translation),
        "target-suggestion": [s.text if s else None for s in suggestions],
        "target-suggestion-metadata": _suggestion_metadata(suggestions),
        "external_id": [prompt.id for prompt, _ in pairs],
        "metadata": [prompt.metadata for prompt, _ in pairs],
        "translation": translation,
        "reviews": _reviews(states, story),
        "qa_warnings": [qa_codes(t) if t else [] for t in accepted],
        "suggestion_unchanged": [is_suggestion_unchanged(t) if t else False for t in accepted],
        "status": [state.status for state in states],
        "history": _history(story),
    }
    arrays = [_array(columns[field.name], field.type) for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _array(values: Any, type_: pa.DataType) -> pa.Array:
    pa = pyarrow()
    return values if isinstance(values, pa.Array) else pa.array(values, type_)


# The fields of a translation (TranslationState) and of a review (an Event) the table
# holds, by their names in the ``history`` struct.
_MADE = {
    "translation_id": "id",
    "user_id": "user",
    "value": "text",  # as submitted; corrections are in the reviews
    "status": "status",
    "submitted_at": "ts",
    "origin": "origin",
    "reviews": "reviews",  # made into the nested list
}
_REVIEWED = {
    "user_id": "user",
    "verdict": "verdict",
    "comment": "comment",
    "edited_value": "edited_text",
    "reviewed_at": "ts",
}
_made_values = attrgetter(*_MADE.values())
_reviewed_values = itemgetter(*(Event._fields.index(name) for name in _REVIEWED.values()))


class _Story:
    """Every translation of the chosen prompts, flat in bundled order, and every review
    of them, flat, each translation's in the order they were made (EVENT_ORDER); the
    values of each field as a column (``made``, ``reviews``), and where each list ends.

    Each translation and review is read once for all its fields, and the values are
    turned into columns by ``zip`` (in C): a list per field, or a sort per translation,
    cost more than the rest of the table.
    """

    def __init__(self, states: list[PromptState]) -> None:
        translations = list(map(attrgetter("translations"), states))
        made = list(chain.from_iterable(translations))
        self.made_offsets = [0, *accumulate(map(len, translations))]
        self.made = _columns(_MADE, map(_made_values, made))
        # Where each translation is in ``made``, by identity (== compares every field).
        self.position = dict(zip(map(id, made), count()))
        reviews = self.made.pop("reviews")
        self.events = list(chain.from_iterable(reviews))
        self.offsets = [0, *accumulate(map(len, reviews))]
        self.reviews = _columns(_REVIEWED, map(_reviewed_values, self.events))
        self._put_in_order()

    def _put_in_order(self) -> None:
        """Sort each translation's reviews. A fold appends them in the order they were
        made, so this only looks for a list whose timestamps do not grow (equal ones
        are ordered by id): only such a list is sorted."""
        ts, offsets = self.reviews["reviewed_at"], self.offsets
        starts = set(offsets)
        stuck = [i for i in compress(count(), map(ge, ts, ts[1:])) if i + 1 not in starts]
        if not stuck:
            return
        order = list(range(len(ts)))
        for i in stuck:
            n = bisect_right(offsets, i) - 1
            order[offsets[n] : offsets[n + 1]] = self._by_event_order(
                range(offsets[n], offsets[n + 1])
            )
        self.events = [self.events[j] for j in order]
        self.reviews = {name: [values[j] for j in order] for name, values in self.reviews.items()}

    def _by_event_order(self, positions: Sequence[int]) -> list[int]:
        events = self.events
        return sorted(positions, key=lambda j: EVENT_ORDER(events[j]))

    def reviews_of(self, first: int, end: int | None = None) -> Sequence[int]:
        """The positions of the reviews of translations ``first`` to ``end - 1``, in the
        order they were made."""
        end = first + 1 if end is None else end
        positions = range(self.offsets[first], self.offsets[end])
        return positions if end - first < 2 else self._by_event_order(positions)


def _columns(names: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> dict[str, Sequence[Any]]:
    """Rows of values as one column per name (no rows: empty columns)."""
    names = list(names)
    return dict(zip(names, list(zip(*rows, strict=True)) or [()] * len(names), strict=True))


def _lists(type_: pa.DataType, offsets: list[int], fields: dict[str, Any]) -> pa.Array:
    """A list<struct> column from each field's flat values and where each list ends."""
    pa = pyarrow()
    item = type_.value_type
    children = [_array(fields[field.name], field.type) for field in item]
    structs = pa.StructArray.from_arrays(children, fields=list(item))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), structs, type=type_)


def _targets(accepted: list[TranslationState | None], translation: pa.Array) -> pa.Array:
    done = [t for t in accepted if t is not None]
    # Without pending rows the values are the translation column itself.
    values = translation if len(done) == len(accepted) else [t.final_text for t in done]
    fields = {
        "user_id": [t.author for t in done],
        "value": values,
        "status": [SUBMITTED] * len(done),
    }
    offsets = [0, *accumulate(0 if t is None else 1 for t in accepted)]
    return _lists(arrow_schema().field("target").type, offsets, fields)


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


def _reviews(states: list[PromptState], story: _Story) -> pa.Array:
    """The accepted translation's reviews (every translation's when none is), per row."""
    bounds = story.made_offsets
    per_row = [
        story.reviews_of(bounds[n], bounds[n + 1])
        if state.accepted is None
        else story.reviews_of(story.position[id(state.accepted)])
        for n, state in enumerate(states)
    ]
    picked = list(chain.from_iterable(per_row))
    fields = {
        name: list(map(story.reviews[name].__getitem__, picked))
        for name in ("user_id", "verdict", "comment")
    }
    offsets = [0, *accumulate(map(len, per_row))]
    return _lists(arrow_schema().field("reviews").type, offsets, fields)


def _history(story: _Story) -> pa.Array:
    type_ = arrow_schema().field("history").type
    reviews_type = type_.value_type.field("reviews").type
    fields: dict[str, Any] = {
        **story.made,
        "origin": [origin or None for origin in story.made["origin"]],
        "reviews": _lists(reviews_type, story.offsets, story.reviews),
    }
    return _lists(type_, story.made_offsets, fields)


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
    accepted = [s.accepted for s in folded.ledger.prompts.values() if s.accepted is not None]
    # One Counter over all codes: an update per translation checked its argument's type.
    codes = Counter(chain.from_iterable(set(qa_codes(t)) for t in accepted if t.qa))
    unchanged = sum(map(is_suggestion_unchanged, accepted))
    return dict(sorted(codes.items())), unchanged


def imported_counts(folded: Folded) -> tuple[tuple[str, int], ...]:
    """Accepted translations carried over with ``generate-space --import``, per origin."""
    origins: Counter[str] = Counter()
    for state in folded.ledger.prompts.values():
        if state.accepted is not None and state.accepted.origin:
            origins[state.accepted.origin] += 1
    return tuple(sorted(origins.items()))
