"""The state rules: folding events into the state of every prompt.

The Space, the collector and the dashboard all call :class:`Ledger`; nothing
else decides when a prompt is done. Rules, in event order (``ts``, then id):

- A translation starts ``pending``. A ``reject`` review makes it ``rejected``;
  ``min_approvals`` approvals from distinct reviewers make it ``approved``.
  Both are final: later reviews are kept as history but change nothing.
- A review by the translator counts only when ``allow_self_review`` is set.
  A reviewer reviews each version of a text once; a second review counts nothing.
- An approval with ``edited_text`` makes the edited text the next *version* of the
  translation, written by the editor. The editor's approval is its first; its other
  approvals come from other reviewers, who see the current text (a review of an
  older version counts nothing). With ``min_approvals: 1`` the edit is therefore
  approved at once: a trusted reviewer's right, recorded with ``edited_by``. The
  translator's text is kept.
- A review that names a translation not read yet waits for it (clocks of two
  machines differ); one whose translation never comes is ignored.
- An ``import`` (a translation accepted elsewhere) is approved at once.
- A prompt is ``done`` once one of its translations is approved (the first to
  get there is *the* accepted translation: a prompt never has two).
- Each person flags a prompt once. ``flags_to_hide`` open flags take a prompt out
  of the queue (``flagged``) until a reviewer restores it (``flag_review`` restore:
  its flags are settled and it is back in the queue) or confirms the flag (it stays
  out; a later restore still brings it back).
- Otherwise it is ``awaiting_review`` if a translation is pending, ``rejected`` if
  all its translations were rejected, and ``untranslated`` if it has none.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

from .events import EVENT_ORDER, Event

PromptStatus = Literal["untranslated", "awaiting_review", "rejected", "flagged", "done"]
TranslationStatus = Literal["pending", "approved", "rejected"]
STATUSES: tuple[PromptStatus, ...] = get_args(PromptStatus)


@dataclass(frozen=True)
class Rules:
    min_approvals: int = 1
    translations_per_prompt: int = 1
    allow_self_review: bool = False
    flags_to_hide: int = 1


@dataclass
class TranslationState:
    id: str
    prompt_id: str
    user: str
    text: str
    ts: str
    qa: tuple[dict[str, str], ...]
    suggestion_unchanged: bool
    status: TranslationStatus = "pending"
    approvals: list[str] = field(default_factory=list)  # of the current version
    reviews: list[Event] = field(default_factory=list)
    final_text: str = ""  # the current version's text
    edited_by: str | None = None  # who wrote the current version, if not the translator
    decided_ts: str | None = None
    origin: str = ""  # imported: the dataset it came from
    version: int = 1
    version_reviewers: set[str] = field(default_factory=set)

    @property
    def reviewers(self) -> set[str]:
        """Who reviewed the current version (and may not review it again)."""
        return self.version_reviewers

    @property
    def author(self) -> str:
        """Who wrote the current text."""
        return self.edited_by or self.user


@dataclass
class PromptState:
    id: str
    translations: list[TranslationState] = field(default_factory=list)
    flags: list[Event] = field(default_factory=list)  # every counted flag, one per person
    skipped_by: set[str] = field(default_factory=set)
    accepted: TranslationState | None = None
    settled_flags: int = 0  # flags[:settled_flags] were restored by a reviewer
    flag_confirmed: bool = False
    flags_to_hide: int = 1

    @property
    def open_flags(self) -> list[Event]:
        """Flags no reviewer has answered yet."""
        return self.flags[self.settled_flags :]

    @property
    def flagged(self) -> bool:
        return self.flag_confirmed or (
            bool(self.open_flags) and len(self.open_flags) >= self.flags_to_hide
        )

    @property
    def status(self) -> PromptStatus:
        if self.accepted is not None:
            return "done"
        if self.flagged:
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

    def flagged_by(self, user: str) -> bool:
        return any(f.user == user for f in self.flags)

    def last_rejection(self) -> Event | None:
        """The most recent reject review of this prompt, to show the next translator."""
        rejects = [r for t in self.translations for r in t.reviews if r.verdict == "reject"]
        return max(rejects, key=EVENT_ORDER) if rejects else None


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
        self.prompts: dict[str, PromptState] = {
            pid: PromptState(pid, flags_to_hide=rules.flags_to_hide) for pid in prompt_ids
        }
        # The queue: positions (bundle order) of the prompts with an open slot, kept
        # sorted as events fold in, so handing out a prompt never scans them all.
        self._ids: list[str] = list(self.prompts)
        self._position: dict[str, int] = {pid: i for i, pid in enumerate(self._ids)}
        self._open: list[int] = list(range(len(self._ids))) if rules.translations_per_prompt else []
        # Prompts whose state changed since the queue was last brought up to date: the
        # queue is settled when it is asked for, so folding a whole log (the collector,
        # a Space's start-up) never pays for it per event.
        self._changed: set[str] = set()
        self.translations: dict[str, TranslationState] = {}
        self._ignored: list[tuple[Event, str]] = []
        # Reviews read before their translation (another machine's clock was behind).
        self._waiting: dict[str, list[Event]] = {}
        self.translation_counts: Counter[str] = Counter()
        self.review_counts: Counter[str] = Counter()

    @classmethod
    def from_events(
        cls, prompt_ids: Iterable[str], rules: Rules, events: Iterable[Event]
    ) -> Ledger:
        ledger = cls(prompt_ids, rules)
        ledger._fold(events)
        return ledger

    @property
    def ignored(self) -> list[tuple[Event, str]]:
        """Events that changed nothing, with the reason."""
        waiting = [
            (event, f"unknown translation id {event.translation_id!r}")
            for events in self._waiting.values()
            for event in events
        ]
        return [*self._ignored, *waiting]

    def apply(self, event: Event) -> str | None:
        """Fold one event in; return why it was ignored, or None."""
        prompt = self.prompts.get(event.prompt_id)
        if prompt is None:
            return self._ignore(event, f"unknown prompt id {event.prompt_id!r}")
        self._changed.add(prompt.id)  # an event changes at most its own prompt's slots
        if event.kind == "review":  # most of a log: straight to it
            return self._add_review(prompt, event)
        return self._apply(prompt, event)

    def _fold(self, events: Iterable[Event]) -> None:
        """:meth:`apply` each event, in one loop: a whole log (the collector, a Space's
        start-up) is tens of thousands of events, and a call less per event is about a
        tenth of the fold."""
        prompt_of = self.prompts.get
        changed = self._changed.add
        add_review, add_other = self._add_review, self._apply
        for event in events:
            prompt = prompt_of(event.prompt_id)
            if prompt is None:
                self._ignore(event, f"unknown prompt id {event.prompt_id!r}")
                continue
            changed(prompt.id)
            if event.kind == "review":
                add_review(prompt, event)
            else:
                add_other(prompt, event)

    def _settle_queue(self) -> None:
        for prompt_id in self._changed:
            self._requeue(self.prompts[prompt_id])
        self._changed.clear()

    def _requeue(self, prompt: PromptState) -> None:
        """Keep :attr:`_open` true for ``prompt`` after its state changed."""
        position = self._position[prompt.id]
        at = bisect_left(self._open, position)
        queued = at < len(self._open) and self._open[at] == position
        if self.open_slots(prompt) > 0:
            if not queued:
                insort(self._open, position)
        elif queued:
            del self._open[at]

    def open_prompts(self) -> Iterator[PromptState]:
        """Prompts with an open slot, in bundle order; safe while state changes."""
        position = -1
        while True:
            self._settle_queue()
            at = bisect_right(self._open, position)
            if at >= len(self._open):
                return
            position = self._open[at]
            yield self.prompts[self._ids[position]]

    def _apply(self, prompt: PromptState, event: Event) -> str | None:
        kind = event.kind  # not a review: apply() takes those
        if kind == "translation":
            self._add_translation(prompt, event)
            if self._waiting:
                for review in self._waiting.pop(event.id, ()):
                    self.apply(review)
        elif event.kind == "flag":
            return self._add_flag(prompt, event)
        elif event.kind == "flag_review":
            return self._answer_flags(prompt, event)
        elif event.kind == "import":
            self._add_import(prompt, event)
        elif event.kind == "skip":
            prompt.skipped_by.add(event.user)
        return None

    def _ignore(self, event: Event, reason: str) -> str:
        self._ignored.append((event, reason))
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
        if prompt.translations and event.kind == "translation" and self._revise(prompt, event):
            return
        # (positional: a log's fold makes one per translation, and keywords cost more)
        state = TranslationState(
            event.id,
            prompt.id,
            event.user,
            event.text,
            event.ts,
            event.qa,
            event.suggestion_unchanged,
            final_text=event.text,
        )
        prompt.translations.append(state)
        self.translations[state.id] = state
        self.translation_counts[event.user] += 1

    def _revise(self, prompt: PromptState, event: Event) -> bool:
        """A translator's new text while their translation awaits its first review
        replaces it (a new version: a reviewer handed the old text must reload)."""
        mine = [t for t in prompt.translations if t.user == event.user and t.status == "pending"]
        if not mine or mine[-1].reviews:
            return False
        translation = mine[-1]
        translation.text = translation.final_text = event.text
        translation.qa = event.qa
        translation.suggestion_unchanged = event.suggestion_unchanged
        translation.version += 1
        translation.version_reviewers = set()
        return True

    def _add_flag(self, prompt: PromptState, event: Event) -> str | None:
        if prompt.flagged_by(event.user):
            return self._ignore(event, "second flag of the same prompt by the same user")
        prompt.flags.append(event)
        return None

    def _answer_flags(self, prompt: PromptState, event: Event) -> str | None:
        if event.verdict == "withdraw":
            return self._withdraw_flag(prompt, event)
        if event.verdict == "restore":
            prompt.settled_flags = len(prompt.flags)
            prompt.flag_confirmed = False
        elif not prompt.flagged:
            return self._ignore(event, "confirms a flag that is not open")
        else:
            prompt.flag_confirmed = True
        return None

    def _withdraw_flag(self, prompt: PromptState, event: Event) -> str | None:
        """The author takes back their own flag, if no reviewer has answered it yet."""
        mine = [i for i, f in enumerate(prompt.flags) if f.user == event.user]
        if not mine or mine[0] < prompt.settled_flags or prompt.flag_confirmed:
            return self._ignore(event, "withdraws a flag that is not open")
        del prompt.flags[mine[0]]
        return None

    def _add_review(self, prompt: PromptState, event: Event) -> str | None:
        translation = self.translations.get(event.translation_id)
        if translation is None:
            self._waiting.setdefault(event.translation_id, []).append(event)
            return f"unknown translation id {event.translation_id!r}"
        if translation.prompt_id != prompt.id:
            return self._ignore(event, f"unknown translation id {event.translation_id!r}")
        user = event.user
        if (user == translation.user or user == translation.edited_by) and self.is_own_work(
            translation, user
        ):  # (asked only of the translator or editor: most reviews are by neither)
            return self._ignore(event, "self-review is not allowed in this language")
        if event.version is not None and event.version != translation.version:
            return self._ignore(event, f"reviews version {event.version}, not the current text")
        reviewers = translation.version_reviewers
        if user in reviewers:
            return self._ignore(event, "second review of the same text by the same user")
        translation.reviews.append(event)
        reviewers.add(user)
        self.review_counts[user] += 1
        if translation.status != "pending":
            return None
        if event.verdict == "reject":
            translation.status = "rejected"
            translation.decided_ts = event.ts
            return None
        if event.edited_text and event.edited_text != translation.final_text:
            self._new_version(translation, event)
        translation.approvals.append(event.user)
        if len(translation.approvals) >= self.rules.min_approvals:
            translation.status = "approved"
            translation.decided_ts = event.ts
            if prompt.accepted is None:
                prompt.accepted = translation
        return None

    def _new_version(self, translation: TranslationState, event: Event) -> None:
        """An edit is a new text: approvals of the old text do not carry over."""
        translation.version += 1
        translation.final_text = event.edited_text or ""
        translation.edited_by = event.user
        translation.approvals = []
        translation.version_reviewers = {event.user}

    # -- questions the Space and the collector ask -------------------------------------

    def open_slots(self, prompt: PromptState) -> int:
        """How many more translations this prompt is collecting."""
        if prompt.accepted is not None or prompt.flagged:
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
        if self.is_own_work(translation, user):
            return False
        return user not in translation.reviewers

    def is_own_work(self, translation: TranslationState, user: str) -> bool:
        """A review that self-review rules forbid: of one's own translation, or own edit."""
        if self.rules.allow_self_review:
            return False
        return user == translation.user or user == translation.edited_by

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
