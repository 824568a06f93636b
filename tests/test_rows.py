"""The dataset's table, built column by column, is the rows the folded state implies.

:func:`mpep_generator.rows.build_table` writes nested columns from flat values and
offsets (for speed). These tests write the same rows the plain way -- a dict per row,
translation and review, as the dataset card describes the columns -- and check that the
two tables, and their parquet files, are equal on random logs folded by the Space's
rules.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpep_generator.files import parquet_bytes
from mpep_generator.folding import Folded
from mpep_generator.rows import SUBMITTED, build_table, quality_of
from mpep_generator.schema import arrow_schema
from mpep_space.config import BundledPrompt, LanguageInfo, SpaceConfig, Suggestion
from mpep_space.events import EVENT_ORDER, Event
from mpep_space.rules import Ledger, PromptState, Rules, TranslationState
from test_columnar import GOOD_TS, PROMPTS, USERS, valid_events


def reference_rows(folded: Folded, include_pending: bool) -> list[dict[str, Any]]:
    """One dict per row, as the card's column table describes them."""
    rows = []
    for prompt in folded.config.prompts:
        state = folded.ledger.prompts[prompt.id]
        if include_pending or state.accepted is not None:
            rows.append(_row(prompt, state))
    return rows


def _row(prompt: BundledPrompt, state: PromptState) -> dict[str, Any]:
    accepted, suggestion = state.accepted, prompt.suggestion
    target = []
    if accepted is not None:
        user = accepted.edited_by or accepted.user
        target = [{"user_id": user, "value": accepted.final_text, "status": SUBMITTED}]
    reviewed = [accepted] if accepted else state.translations
    reviews = sorted((r for t in reviewed for r in t.reviews), key=EVENT_ORDER)
    return {
        "source": prompt.prompt,
        "target": target,
        "target-suggestion": suggestion.text if suggestion else None,
        "target-suggestion-metadata": {
            "type": suggestion.type if suggestion else None,
            "score": suggestion.score if suggestion else None,
            "agent": suggestion.agent if suggestion else None,
        },
        "external_id": prompt.id,
        "metadata": prompt.metadata,
        "translation": accepted.final_text if accepted else None,
        "reviews": [
            {"user_id": r.user, "verdict": r.verdict, "comment": r.comment} for r in reviews
        ],
        "qa_warnings": [str(f.get("code") or "unknown") for f in accepted.qa] if accepted else [],
        "suggestion_unchanged": bool(
            accepted and accepted.suggestion_unchanged and accepted.edited_by is None
        ),
        "status": state.status,
        "history": [_made(t) for t in state.translations],
    }


def _made(translation: TranslationState) -> dict[str, Any]:
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
            for r in sorted(translation.reviews, key=EVENT_ORDER)
        ],
    }


suggestions = st.one_of(
    st.none(),
    st.builds(
        Suggestion,
        text=st.text(max_size=8),
        type=st.sampled_from(["model", "human"]),
        score=st.one_of(st.none(), st.floats(0, 1, width=32)),
        agent=st.sampled_from(["nllb", "gpt"]),
    ),
)


def folded_state(events: list[Event], rules: Rules, hints: list[Suggestion | None]) -> Folded:
    prompts = tuple(
        BundledPrompt(pid, f"Prompt {pid}", '{"n": 1}', hint)
        for pid, hint in zip(PROMPTS, hints, strict=True)
    )
    language = LanguageInfo("nl", "Dutch", "Nederlands", "ltr", "Latn", "MPEP_DUTCH")
    config = SpaceConfig(language, prompts=prompts)
    ordered = sorted({e.id: e for e in events}.values(), key=EVENT_ORDER)  # as read_logs
    return Folded(config, Ledger.from_events(PROMPTS, rules, ordered), len(ordered), 0, [])


# QA findings as stored on a translation: none, one, a code twice, a finding without a code.
FINDINGS: list[tuple[dict[str, str], ...]] = [
    (),
    ({"code": "untranslated"},),
    ({"code": "number_missing"}, {"code": "number_missing"}, {"code": "untranslated"}),
    ({"code": ""}, {"severity": "warning"}),
]


@st.composite
def working_log(draw: st.DrawFn) -> list[Event]:
    """A log of a Space at work: translations, then reviews (often with a corrected text)
    of those translations, some flags and imports; arbitrary events mixed in."""
    users, when = st.sampled_from(USERS), st.sampled_from(GOOD_TS)
    events = []
    count = draw(st.integers(0, 6))
    for n in range(count):
        events.append(
            Event(
                f"t{n}", draw(when), draw(st.sampled_from(["translation", "import"])),
                draw(users), draw(st.sampled_from(PROMPTS)), text=f"Tekst {n}",
                qa=draw(st.sampled_from(FINDINGS)),
                suggestion_unchanged=draw(st.booleans()), origin=draw(st.sampled_from(["", "o"])),
            )
        )  # fmt: skip
    for n in range(draw(st.integers(0, 10)) if count else 0):
        target = draw(st.sampled_from(events[:count]))
        events.append(
            Event(
                f"r{n}", draw(when), "review", draw(users), target.prompt_id,
                translation_id=target.id, verdict=draw(st.sampled_from(["approve", "reject"])),
                comment=draw(st.sampled_from(["", "ok", "nee"])),
                edited_text=draw(st.sampled_from([None, "Beter", "Tekst 0"])),
            )
        )  # fmt: skip
    return events + draw(st.lists(valid_events, max_size=4))


@settings(max_examples=300, deadline=None)
@given(
    events=working_log(),
    hints=st.lists(suggestions, min_size=len(PROMPTS), max_size=len(PROMPTS)),
    include_pending=st.booleans(),
    min_approvals=st.integers(1, 2),
    self_review=st.booleans(),
    disorder=st.one_of(st.none(), st.randoms(use_true_random=False)),
)
def test_the_table_is_the_rows_the_folded_state_implies(
    events: list[Event],
    hints: list[Suggestion | None],
    include_pending: bool,
    min_approvals: int,
    self_review: bool,
    disorder: random.Random | None,
) -> None:
    """``disorder``: each translation's reviews shuffled after the fold (a fold appends
    them in order; the table must put any list in order, by time, then id)."""
    import pyarrow as pa

    rules = Rules(min_approvals, 2, self_review)
    folded = folded_state(events, rules, hints)
    if disorder is not None:
        for state in folded.ledger.prompts.values():
            for translation in state.translations:
                disorder.shuffle(translation.reviews)
    table = build_table(folded, include_pending=include_pending)
    rows = reference_rows(folded, include_pending)
    expected = pa.Table.from_pylist(rows, schema=arrow_schema())
    assert table.schema == expected.schema and table.schema.metadata == expected.schema.metadata
    assert table.to_pylist() == expected.to_pylist()
    assert table.equals(expected)
    assert parquet_bytes(table) == parquet_bytes(expected)


@settings(max_examples=200, deadline=None)
@given(events=working_log(), min_approvals=st.integers(1, 2))
def test_the_quality_counts_are_each_code_once_per_accepted_translation(
    events: list[Event], min_approvals: int
) -> None:
    folded = folded_state(events, Rules(min_approvals, 2), [None] * len(PROMPTS))
    accepted = [s.accepted for s in folded.ledger.prompts.values() if s.accepted is not None]
    expected: dict[str, int] = {}
    for translation in accepted:
        for code in {str(f.get("code") or "unknown") for f in translation.qa}:
            expected[code] = expected.get(code, 0) + 1
    unchanged = sum(t.suggestion_unchanged and t.edited_by is None for t in accepted)
    codes, counted = quality_of(folded)
    assert (codes, counted) == (dict(sorted(expected.items())), unchanged)
    assert list(codes) == sorted(codes)


def test_a_done_prompt_s_row_holds_the_accepted_text_and_its_story() -> None:
    ts = "2026-11-27T06:30:00.00000{}Z"
    events = [
        Event("t1", ts.format(1), "translation", "alice", "1", text="Hallo"),
        Event("r1", ts.format(2), "review", "bob", "1", translation_id="t1", verdict="reject"),
        Event("t2", ts.format(3), "translation", "carol", "1", text="Hoi"),
        Event(
            "r2", ts.format(4), "review", "rita", "1",
            translation_id="t2", verdict="approve", edited_text="Hoi!",
        ),
    ]  # fmt: skip
    folded = folded_state(events, Rules(min_approvals=1, translations_per_prompt=2), [None] * 3)
    (row,) = build_table(folded).to_pylist()
    assert row["target"] == [{"user_id": "rita", "value": "Hoi!", "status": "submitted"}]
    assert row["translation"] == "Hoi!" and row["status"] == "done"
    assert [h["value"] for h in row["history"]] == ["Hallo", "Hoi"]
    assert [[r["verdict"] for r in h["reviews"]] for h in row["history"]] == [
        ["reject"],
        ["approve"],
    ]
    assert row["reviews"] == [{"user_id": "rita", "verdict": "approve", "comment": ""}]


def test_a_pending_prompt_s_reviews_are_merged_in_the_order_they_were_made() -> None:
    """Both translations rejected, the later one first: the row's ``reviews`` are in time
    order, not translation by translation; each ``history`` entry keeps its own."""
    ts = "2026-11-27T06:30:00.00000{}Z"
    events = [
        Event("t1", ts.format(1), "translation", "alice", "1", text="Hallo"),
        Event("t2", ts.format(2), "translation", "carol", "1", text="Hoi"),
        Event("r1", ts.format(3), "review", "rita", "1", translation_id="t2", verdict="reject"),
        Event("r2", ts.format(4), "review", "bob", "1", translation_id="t1", verdict="reject"),
        Event("r3", ts.format(4), "review", "rita", "1", translation_id="t1", verdict="reject"),
    ]  # fmt: skip
    folded = folded_state(events, Rules(translations_per_prompt=2), [None] * 3)
    row = build_table(folded, include_pending=True).to_pylist()[0]
    assert row["status"] == "rejected" and row["target"] == []
    assert [r["user_id"] for r in row["reviews"]] == ["rita", "bob", "rita"]
    assert [[r["user_id"] for r in h["reviews"]] for h in row["history"]] == [
        ["bob", "rita"],
        ["rita"],
    ]


@pytest.mark.parametrize("include_pending", [False, True])
def test_no_events_gives_no_rows_or_every_prompt_untranslated(include_pending: bool) -> None:
    folded = folded_state([], Rules(), [None] * 3)
    table = build_table(folded, include_pending=include_pending)
    assert table.num_rows == (len(PROMPTS) if include_pending else 0)
    assert set(table.column("status").to_pylist()) <= {"untranslated"}
