"""What a translator or reviewer can do, as plain typed functions.

Each handler takes the :class:`Space` (config + store), the caller's identity
(``None`` when anonymous) and plain values, and returns JSON-ready values. The
UI and the API endpoints both call these; neither adds rules of its own.
A refusal is a :class:`Refusal` with a message for the person; nothing is
written for a refused call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import qa
from .config import MIN_TRANSLATION_CAP, BundledPrompt, SpaceConfig
from .events import Event, epoch_ts
from .rules import PromptState, TranslationState
from .store import Store, WriteFailed
from .text import control_character

MAX_TEXT = MIN_TRANSLATION_CAP  # the default; a Space's own cap is config.max_translation
MAX_COMMENT = 2_000
NOT_SAVED = "Not saved: the Space's disk is full (or read-only); your text is kept, try again."


class Refusal(Exception):
    """A call that is not allowed or not valid; ``str(self)`` is shown to the user.

    ``findings`` are the QA findings behind a refused translation, if any.
    """

    def __init__(self, message: str, findings: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


class NeedsConfirmation(Refusal):
    """QA found warnings: submitting needs ``confirm=True`` (the second click)."""


@dataclass
class Space:
    """One running Space: its settings, its prompts and its store."""

    config: SpaceConfig
    store: Store

    def __post_init__(self) -> None:
        self.prompts: dict[str, BundledPrompt] = {p.id: p for p in self.config.prompts}

    @property
    def reviewers(self) -> frozenset[str]:
        return frozenset(self.config.reviewers)

    def is_reviewer(self, user: str | None) -> bool:
        """Reviewers as configured; with none configured, review is open to everyone."""
        return bool(user) and (not self.reviewers or user in self.reviewers)


# -- validation ------------------------------------------------------------------------


def _require_user(user: str | None) -> str:
    if not user or not user.strip():
        raise Refusal("Please log in first: anonymous changes are not accepted.")
    return user


def _short(value: str) -> str:
    return repr(value[:40] + ("…" if len(value) > 40 else ""))


def _require_prompt(space: Space, prompt_id: Any) -> BundledPrompt:
    if not isinstance(prompt_id, str) or prompt_id not in space.prompts:
        shown = _short(prompt_id) if isinstance(prompt_id, str) else repr(prompt_id)
        raise Refusal(f"Unknown prompt id {shown}.")
    return space.prompts[prompt_id]


def clean_text(value: Any, what: str, *, limit: int = MAX_TEXT, required: bool = True) -> str:
    """Validate free text from a user: type, length, control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Refusal(f"The {what} must be text.")
    if required and not value.strip():
        raise Refusal(f"The {what} is empty.")
    if len(value) > limit:
        raise Refusal(f"The {what} is too long: {len(value):,} characters (at most {limit:,}).")
    bad = control_character(value)
    if bad and not bad.startswith("U+"):
        raise Refusal(f"The {what} contains an invalid character ({bad}).")
    if bad:
        raise Refusal(f"The {what} contains a control character ({bad}).")
    return value


def _write(store: Store, event: Event) -> Event:
    """Append ``event``; a disk that refuses it is the person's clear message."""
    try:
        return store.append(event)
    except WriteFailed:
        raise Refusal(NOT_SAVED) from None


# -- translating -----------------------------------------------------------------------


def _eligible_for(space: Space, prompt: PromptState, user: str) -> bool:
    ledger = space.store.ledger
    slots = ledger.open_slots(prompt)
    if slots == 0:
        return False
    if user in prompt.skipped_by or ledger.has_live_translation_by(prompt, user):
        return False
    return _leased_by_others(space, prompt, user) < slots


def _free_slot(space: Space, prompt: PromptState, user: str) -> bool:
    """Is a slot of ``prompt`` free for ``user``: open, and not all leased to others?"""
    return _leased_by_others(space, prompt, user) < space.store.ledger.open_slots(prompt)


def _leased_by_others(space: Space, prompt: PromptState, user: str) -> int:
    leases = space.store.active_prompt_leases(prompt.id)
    return len(leases) - (user in leases)


def _prompt_payload(space: Space, prompt: BundledPrompt, lease_until: float) -> dict[str, Any]:
    rejection = space.store.ledger.prompts[prompt.id].last_rejection()
    return _payload(space, prompt, lease_until, rejection)


def _payload(
    space: Space, prompt: BundledPrompt, lease_until: float, rejection: Event | None
) -> dict[str, Any]:
    """What a translator is shown; reads no ledger state, so it needs no lock."""
    suggestion = prompt.suggestion
    glossary = space.config.glossary
    return {
        "prompt_id": prompt.id,
        "source": prompt.prompt,
        "suggestion": suggestion.text if suggestion else None,
        "suggestion_agent": suggestion.agent if suggestion else None,
        "lease_expires": epoch_ts(lease_until),
        "rejection": (
            {"reviewer": rejection.user, "comment": rejection.comment} if rejection else None
        ),
        "glossary": [
            {"term": g.term, "translation": g.translation, "note": g.note}
            for g in (qa.glossary_matches(prompt.prompt, glossary) if glossary else ())
        ],
    }


def next_prompt(space: Space, user: str | None) -> dict[str, Any] | None:
    """The prompt this user should translate next (leased to them), or None."""
    user = _require_user(user)
    store = space.store
    with store.transaction():
        store.renew_leases(user)
        chosen = _held_prompt(space, user) or _first_open_prompt(space, user)
        if chosen is None:
            return None
        until = store.lease_prompt(chosen.id, user)
        rejection = chosen.last_rejection()
    # Built outside the lock: under a crowd every call queues on it.
    return _payload(space, space.prompts[chosen.id], until, rejection)


def _held_prompt(space: Space, user: str) -> PromptState | None:
    """A prompt ``user`` holds a lease on and may still translate: theirs to finish."""
    prompts = space.store.ledger.prompts
    held = (prompts[pid] for pid in space.store.leased_prompts(user))
    return next((p for p in held if _eligible_for(space, p, user)), None)


def _first_open_prompt(space: Space, user: str) -> PromptState | None:
    """The first prompt in bundle order with a slot free for ``user``.

    Walks the ledger's queue of prompts with open slots (done and flagged prompts are
    not in it), not every prompt: under a crowd this runs under the lock on every call.
    """
    ledger = space.store.ledger
    return next((p for p in ledger.open_prompts() if _eligible_for(space, p, user)), None)


def check_translation(
    space: Space, user: str | None, prompt_id: str, text: str
) -> list[dict[str, str]]:
    """QA findings for a draft, without storing anything."""
    user = _require_user(user)
    prompt = _require_prompt(space, prompt_id)
    text = clean_text(text, "translation", limit=space.config.max_translation, required=False)
    with space.store.transaction():
        space.store.renew_leases(user)
    return [f.as_dict() for f in _findings(space, prompt, text)]


def _findings(space: Space, prompt: BundledPrompt, text: str) -> list[qa.Finding]:
    suggestion = prompt.suggestion.text if prompt.suggestion else None
    return qa.check(
        prompt.prompt, text, space.config.language.code, suggestion, space.config.glossary
    )


def submit_translation(
    space: Space, user: str | None, prompt_id: str, text: str, *, confirm: bool = False
) -> dict[str, Any]:
    """Store a translation. QA runs once: an error refuses it; warnings refuse it
    (:class:`NeedsConfirmation`) unless ``confirm`` says the person saw them.

    The caller must hold the prompt's lease, or a slot must be free (a lease that
    expired while they typed is then renewed). Returns its id and findings.
    """
    user, prompt, text, findings = checked_translation(space, user, prompt_id, text)
    store = space.store
    with store.transaction() as ledger:
        state = ledger.prompts[prompt.id]
        mine = [t for t in state.live_translations if t.user == user]
        if mine:
            if mine[-1].text == text:  # a retry of the same submission: answer it again
                return {"translation_id": mine[-1].id, "qa": list(mine[-1].qa)}
            raise Refusal(
                f"You already submitted a translation of prompt {prompt.id}; it is "
                f"{'approved' if mine[-1].status == 'approved' else 'awaiting review'}."
            )
        _require_slot(space, state, user)
        event = store_translation(space, user, prompt, text, findings, confirm=confirm)
        store.renew_leases(user)
    return {"translation_id": event.id, "qa": findings}


def checked_translation(
    space: Space, user: str | None, prompt_id: str, text: str
) -> tuple[str, BundledPrompt, str, list[dict[str, str]]]:
    """Who, which prompt, the cleaned text and its QA findings (QA runs once); an error
    among the findings refuses the translation."""
    user = _require_user(user)
    prompt = _require_prompt(space, prompt_id)
    text = clean_text(text, "translation", limit=space.config.max_translation)
    findings = [f.as_dict() for f in _findings(space, prompt, text)]
    errors = [f["message"] for f in findings if f["severity"] == "error"]
    if errors:
        raise Refusal(" ".join(errors), findings)
    return user, prompt, text, findings


def store_translation(
    space: Space,
    user: str,
    prompt: BundledPrompt,
    text: str,
    findings: list[dict[str, str]],
    *,
    confirm: bool,
) -> Event:
    """Inside the store's transaction: warnings need ``confirm`` (the second click), then the
    translation event is written and the prompt's lease released."""
    if any(f["severity"] == "warning" for f in findings) and not confirm:
        raise NeedsConfirmation(
            "Check the warnings; click Submit again to submit as it is.", findings
        )
    store = space.store
    event = store.new_event(
        "translation",
        user,
        prompt.id,
        text=text,
        qa=tuple(findings),
        suggestion_unchanged=any(f["code"] == "suggestion_unchanged" for f in findings),
    )
    _write(store, event)
    store.release_prompt(prompt.id, user)
    return event


def _require_slot(space: Space, prompt: PromptState, user: str) -> None:
    """Refuse a translation nobody is collecting, or one whose slots others hold."""
    if prompt.status == "done":
        raise Refusal(f"Prompt {prompt.id} is already done: it needs no more translations.")
    if prompt.flagged:
        raise Refusal(f"Prompt {prompt.id} was flagged and is out of the queue for now.")
    if space.store.holds_prompt(prompt.id, user):
        return
    if not _free_slot(space, prompt, user):
        raise Refusal(
            f"Prompt {prompt.id} is being translated by someone else now; "
            "your text is kept: copy it, then take the next prompt."
        )
    space.store.lease_prompt(prompt.id, user)  # a lease that ran out while they typed


def skip(space: Space, user: str | None, prompt_id: str) -> dict[str, bool]:
    """This user does not want this prompt; others still get it."""
    user = _require_user(user)
    prompt = _require_prompt(space, prompt_id)
    store = space.store
    with store.transaction() as ledger:
        if user not in ledger.prompts[prompt.id].skipped_by:
            _write(store, store.new_event("skip", user, prompt.id))
        store.release_prompt(prompt.id, user)
    return {"ok": True}


def flag(space: Space, user: str | None, prompt_id: str, reason: str) -> dict[str, bool]:
    """Ask reviewers to take a broken, untranslatable or offensive prompt out of the queue.

    One flag per person and prompt; ``flags_to_hide`` open flags take it out.
    """
    user = _require_user(user)
    prompt = _require_prompt(space, prompt_id)
    reason = clean_text(reason, "reason", limit=MAX_COMMENT)
    store = space.store
    with store.transaction() as ledger:
        state = ledger.prompts[prompt.id]
        if state.flagged_by(user):
            raise Refusal(f"You already flagged prompt {prompt.id}; reviewers will look at it.")
        _write(store, store.new_event("flag", user, prompt.id, reason=reason.strip()))
        store.release_prompt(prompt.id, user)
    return {"ok": True}


# -- reviewing -------------------------------------------------------------------------


def _require_reviewer(space: Space, user: str | None) -> str:
    user = _require_user(user)
    if not space.is_reviewer(user):
        raise Refusal(
            f"{user} is not a reviewer of this Space; the language leader can add you "
            "(MPEP_REVIEWERS or languages/*.yaml)."
        )
    return user


def _review_payload(space: Space, translation: TranslationState, until: float) -> dict[str, Any]:
    prompt = space.prompts[translation.prompt_id]
    return {
        "translation_id": translation.id,
        "prompt_id": translation.prompt_id,
        "source": prompt.prompt,
        "text": translation.final_text,  # the current version: what an approval approves
        "translator": translation.user,
        "edited_by": translation.edited_by,
        "version": translation.version,
        "qa": [dict(f) for f in translation.qa],
        "suggestion_unchanged": translation.suggestion_unchanged and translation.version == 1,
        "suggestion": prompt.suggestion.text if prompt.suggestion else None,
        "approvals": len(translation.approvals),
        "lease_expires": epoch_ts(until),
    }


def next_review(space: Space, user: str | None) -> dict[str, Any] | None:
    """The oldest translation this reviewer may review (leased to them), or None."""
    user = _require_reviewer(space, user)
    store = space.store
    with store.transaction() as ledger:
        store.renew_leases(user)
        pending = [
            t
            for t in ledger.translations.values()
            if ledger.can_review(t, user) and not store.passed(user, t.id)
        ]
        free = [t for t in pending if store.review_lease_holder(t.id) in (None, user)]
        mine_first = sorted(free, key=lambda t: (store.review_lease_holder(t.id) != user, t.ts))
        if not mine_first:
            return None
        translation = mine_first[0]
        until = store.lease_review(translation.id, user, translation.version)
        return _review_payload(space, translation, until)


def skip_review(space: Space, user: str | None, translation_id: str) -> dict[str, bool]:
    """Pass on a translation: another reviewer gets it; this one is not offered it again
    until the Space restarts (passing changes no state, so it is not an event)."""
    user = _require_reviewer(space, user)
    store = space.store
    with store.transaction() as ledger:
        if not isinstance(translation_id, str) or translation_id not in ledger.translations:
            raise Refusal(f"Unknown translation id {_short(str(translation_id))}.")
        store.pass_review(user, translation_id)
    return {"ok": True}


def submit_review(
    space: Space,
    user: str | None,
    translation_id: str,
    verdict: str,
    comment: str = "",
    edited_text: str = "",
) -> dict[str, Any]:
    """Approve (optionally with an edited text) or reject (with a comment) a translation.

    The review is of the current version of the text. An edit is a new version that
    needs its further approvals from other reviewers (see :mod:`rules`).
    """
    user = _require_reviewer(space, user)
    if verdict not in ("approve", "reject"):
        raise Refusal(f"The verdict must be 'approve' or 'reject', not {_short(str(verdict))}.")
    comment = clean_text(comment, "comment", limit=MAX_COMMENT, required=verdict == "reject")
    edited = clean_text(
        edited_text, "edited text", limit=space.config.max_translation, required=False
    )
    if verdict == "reject" and edited.strip():
        raise Refusal("An edited text goes with approve; to reject, leave it empty.")
    store = space.store
    with store.transaction() as ledger:
        translation = (
            ledger.translations.get(translation_id) if isinstance(translation_id, str) else None
        )
        if translation is None:
            raise Refusal(f"Unknown translation id {_short(str(translation_id))}.")
        _check_reviewable(space, translation, user)
        event = store.new_event(
            "review",
            user,
            translation.prompt_id,
            translation_id=translation.id,
            verdict=verdict,
            comment=comment.strip(),
            edited_text=edited if edited.strip() and edited != translation.final_text else None,
            version=translation.version,
        )
        _write(store, event)
        store.release_review(translation.id)
        store.forget_handed(translation.id, user)
        status = ledger.prompts[translation.prompt_id].status
    return {
        "review_id": event.id,
        "translation_status": translation.status,
        "prompt_status": status,
        "version": translation.version,
    }


def _check_reviewable(space: Space, translation: TranslationState, user: str) -> None:
    ledger = space.store.ledger
    store = space.store
    if ledger.is_own_work(translation, user):
        raise Refusal("You cannot review your own translation in this language.")
    if user in translation.reviewers:
        raise Refusal("You already reviewed this translation.")
    if translation.status != "pending":
        raise Refusal(f"This translation was already {translation.status}.")
    if ledger.prompts[translation.prompt_id].accepted is not None:
        raise Refusal(f"Prompt {translation.prompt_id} is already done.")
    seen = store.handed_version(translation.id, user)
    if seen is not None and seen != translation.version:
        raise Refusal(
            "The text changed since you loaded it (another reviewer edited it): "
            "load it again to review the current text."
        )


# -- flags -----------------------------------------------------------------------------


def flagged_prompts(space: Space, user: str | None) -> list[dict[str, Any]]:
    """Prompts taken out of the queue by flags that no reviewer has answered yet."""
    _require_reviewer(space, user)
    with space.store.transaction() as ledger:
        return [
            {
                "prompt_id": state.id,
                "source": space.prompts[state.id].prompt,
                "flags": [
                    {"user": f.user, "reason": f.reason, "ts": f.ts} for f in state.open_flags
                ],
            }
            for state in ledger.prompts.values()
            if state.flagged and not state.flag_confirmed
        ]


def review_flag(
    space: Space, user: str | None, prompt_id: str, verdict: str, comment: str = ""
) -> dict[str, Any]:
    """``restore``: the prompt goes back in the queue; ``confirm``: it stays out."""
    user = _require_reviewer(space, user)
    prompt = _require_prompt(space, prompt_id)
    if verdict not in ("restore", "confirm"):
        raise Refusal(f"The verdict must be 'restore' or 'confirm', not {_short(str(verdict))}.")
    comment = clean_text(comment, "comment", limit=MAX_COMMENT, required=False)
    store = space.store
    with store.transaction() as ledger:
        state = ledger.prompts[prompt.id]
        if verdict == "confirm" and not state.flagged:
            raise Refusal(f"Prompt {prompt.id} has no open flag to confirm.")
        if verdict == "restore" and not (state.flagged or state.open_flags):
            raise Refusal(f"Prompt {prompt.id} is not flagged.")
        event = store.new_event(
            "flag_review", user, prompt.id, verdict=verdict, comment=comment.strip()
        )
        _write(store, event)
        return {"prompt_id": prompt.id, "prompt_status": state.status}


# -- progress --------------------------------------------------------------------------


def progress(space: Space) -> dict[str, Any]:
    """Counts per state and contributors, folded from the stored events."""
    with space.store.transaction() as ledger:
        return ledger.progress().as_dict()


def noop() -> dict[str, bool]:
    """Does nothing: the baseline endpoint for load measurements."""
    return {"ok": True}
