"""The state rules: folding events into the state of every prompt.

The Space, the collector and the dashboard all call :class:`Ledger`; nothing
else decides when a prompt is done. Rules, in event order (``ts``, then id):

- A translation starts ``pending``. A ``reject`` review makes it ``rejected``;
  ``min_approvals`` approvals from distinct reviewers make it ``approved``.
  Both are final: later reviews are kept as history but change nothing.
- A review by the translator counts only when ``allow_self_review`` is set.
  A second review by the same reviewer of the same translation counts once.
- An approval with ``edited_text`` replaces the accepted text and records the
  editor; the translator's text is kept.
- An ``import`` (a translation accepted elsewhere) is approved at once.
- A prompt is ``done`` once one of its translations is approved (the first to
  get there is *the* accepted translation: a prompt never has two).
- Otherwise it is ``flagged`` if anyone flagged it, ``awaiting_review`` if a
  translation is pending, ``rejected`` if all its translations were rejected,
  and ``untranslated`` if it has none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .events import Event

STATUSES = ("untranslated", "awaiting_review", "rejected", "flagged", "done")


@dataclass(frozen=True)
class Rules:
    min_approvals: int = 1
    translations_per_prompt: int = 1
    allow_self_review: bool = False


@dataclass
class TranslationState:
    id: str
    prompt_id: str
    user: str
    text: str
    ts: str
    qa: tuple[dict[str, str], ...]
    suggestion_unchanged: bool
    status: str = "pending"
    approvals: list[str] = field(default_factory=list)
    reviews: list[Event] = field(default_factory=list)
    final_text: str = ""
    edited_by: str | None = None
    decided_ts: str | None = None
    origin: str = ""  # imported: the dataset it came from

    @property
    def reviewers(self) -> set[str]:
        return {r.user for r in self.reviews}


@dataclass
class PromptState:
    id: str
    translations: list[TranslationState] = field(default_factory=list)
    flags: list[Event] = field(default_factory=list)
    skipped_by: set[str] = field(default_factory=set)
    accepted: TranslationState | None = None

    @property
    def status(self) -> str:
        if self.accepted is not None:
            return "done"
        if self.flags:
            return "flagged"
        if any(t.status == "pending" for t in self.translations):
            return "awaiting_review"
        if self.translations:
            return "rejected"
        return "untranslated"

    @property
    def live_translations(self) -> list[TranslationState]:
        """Translations that still count: pending or approved."""
        return [t for t in self.translations if t.status != "rejected"]

    def last_rejection(self) -> Event | None:
        """The most recent reject review of this prompt, to show the next translator."""
        rejects = [r for t in self.translations for r in t.reviews if r.verdict == "reject"]
        return max(rejects, key=lambda r: (r.ts, r.id)) if rejects else None


@dataclass(frozen=True)
class Contributor:
    user: str
    translations: int
    reviews: int


@dataclass(frozen=True)
class Progress:
    total: int
    translated: int
    awaiting_review: int
    done: int
    flagged: int
    rejected: int
    contributors: tuple[Contributor, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "translated": self.translated,
            "awaiting_review": self.awaiting_review,
            "done": self.done,
            "flagged": self.flagged,
            "rejected": self.rejected,
            "contributors": [
                {"user": c.user, "translations": c.translations, "reviews": c.reviews}
                for c in self.contributors
            ],
        }


class Ledger:
    """The folded state of one language: feed it events in order with :meth:`apply`."""

    def __init__(self, prompt_ids: Iterable[str], rules: Rules) -> None:
        self.rules = rules
        self.prompts: dict[str, PromptState] = {pid: PromptState(pid) for pid in prompt_ids}
        self.translations: dict[str, TranslationState] = {}
        self.ignored: list[tuple[Event, str]] = []
        self.translation_counts: Counter[str] = Counter()
        self.review_counts: Counter[str] = Counter()

    @classmethod
    def from_events(
        cls, prompt_ids: Iterable[str], rules: Rules, events: Iterable[Event]
    ) -> Ledger:
        ledger = cls(prompt_ids, rules)
        for event in events:
            ledger.apply(event)
        return ledger

    def apply(self, event: Event) -> str | None:
        """Fold one event in; return why it was ignored, or None."""
        prompt = self.prompts.get(event.prompt_id)
        if prompt is None:
            return self._ignore(event, f"unknown prompt id {event.prompt_id!r}")
        if event.kind == "translation":
            self._add_translation(prompt, event)
        elif event.kind == "review":
            return self._add_review(prompt, event)
        elif event.kind == "flag":
            prompt.flags.append(event)
        elif event.kind == "import":
            self._add_import(prompt, event)
        elif event.kind == "skip":
            prompt.skipped_by.add(event.user)
        return None

    def _ignore(self, event: Event, reason: str) -> str:
        self.ignored.append((event, reason))
        return reason

    def _add_import(self, prompt: PromptState, event: Event) -> None:
        """Accepted elsewhere: approved as it is, under its original translator."""
        self._add_translation(prompt, event)
        state = self.translations[event.id]
        state.status = "approved"
        state.decided_ts = event.ts
        state.origin = event.origin
        if prompt.accepted is None:
            prompt.accepted = state

    def _add_translation(self, prompt: PromptState, event: Event) -> None:
        state = TranslationState(
            id=event.id,
            prompt_id=prompt.id,
            user=event.user,
            text=event.text,
            ts=event.ts,
            qa=event.qa,
            suggestion_unchanged=event.suggestion_unchanged,
            final_text=event.text,
        )
        prompt.translations.append(state)
        self.translations[state.id] = state
        self.translation_counts[event.user] += 1

    def _add_review(self, prompt: PromptState, event: Event) -> str | None:
        translation = self.translations.get(event.translation_id)
        if translation is None or translation.prompt_id != prompt.id:
            return self._ignore(event, f"unknown translation id {event.translation_id!r}")
        if event.user == translation.user and not self.rules.allow_self_review:
            return self._ignore(event, "self-review is not allowed in this language")
        if event.user in translation.reviewers:
            return self._ignore(event, "second review of the same translation by the same user")
        translation.reviews.append(event)
        self.review_counts[event.user] += 1
        if translation.status != "pending":
            return None
        if event.verdict == "reject":
            translation.status = "rejected"
            translation.decided_ts = event.ts
            return None
        translation.approvals.append(event.user)
        if event.edited_text:
            translation.final_text = event.edited_text
            translation.edited_by = event.user
        if len(translation.approvals) >= self.rules.min_approvals:
            translation.status = "approved"
            translation.decided_ts = event.ts
            if prompt.accepted is None:
                prompt.accepted = translation
        return None

    # -- questions the Space and the collector ask -------------------------------------

    def open_slots(self, prompt: PromptState) -> int:
        """How many more translations this prompt is collecting."""
        if prompt.status in ("done", "flagged"):
            return 0
        return max(0, self.rules.translations_per_prompt - len(prompt.live_translations))

    def has_live_translation_by(self, prompt: PromptState, user: str) -> bool:
        return any(t.user == user for t in prompt.live_translations)

    def can_review(self, translation: TranslationState, user: str) -> bool:
        """Would a review of ``translation`` by ``user`` count?"""
        if translation.status != "pending":
            return False
        if self.prompts[translation.prompt_id].accepted is not None:
            return False
        if translation.user == user and not self.rules.allow_self_review:
            return False
        return user not in translation.reviewers

    def progress(self) -> Progress:
        counts = Counter(p.status for p in self.prompts.values())
        translated = sum(1 for p in self.prompts.values() if p.live_translations)
        users = set(self.translation_counts) | set(self.review_counts)
        contributors = sorted(
            (Contributor(u, self.translation_counts[u], self.review_counts[u]) for u in users),
            key=lambda c: (-(c.translations + c.reviews), c.user),
        )
        return Progress(
            total=len(self.prompts),
            translated=translated,
            awaiting_review=counts["awaiting_review"],
            done=counts["done"],
            flagged=counts["flagged"],
            rejected=counts["rejected"],
            contributors=tuple(contributors),
        )
