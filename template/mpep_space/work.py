"""A translator's own workspace: drafts, the prompt to open, and "My work".

Typed handlers like :mod:`handlers` (which they build on), for what is about a
person's own text rather than the shared queue: saving and discarding a draft,
opening the prompt they were working on (a draft or a rejected text in the box),
setting a prompt aside to see another, and the list of their translations.
Nothing here decides who may translate what: that stays in :mod:`handlers`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from . import handlers as h
from .drafts import Drafts
from .rules import PromptState, TranslationState

log = logging.getLogger(__name__)

DRAFT_NOT_SAVED = (
    "Draft not saved: the Space's disk is full (or read-only); your text is still in the box."
)
_ATTACH = threading.Lock()


def drafts_of(space: h.Space) -> Drafts:
    """The Space's drafts, opened on first use (the UI opens them at build time, after a
    restore from the Hub has copied the synced drafts in)."""
    drafts = getattr(space, "drafts", None)
    if drafts is None:
        with _ATTACH:
            drafts = getattr(space, "drafts", None)
            if drafts is None:
                store = space.store
                drafts = Drafts(store.data_dir, io_lock=store.io_lock, clock=store.clock)
                space.drafts = drafts  # type: ignore[attr-defined]
    return drafts


# -- drafts ------------------------------------------------------------------------------


def save_draft(space: h.Space, user: str | None, prompt_id: str, text: str) -> dict[str, Any]:
    """Keep what ``user`` typed for ``prompt_id`` (an empty text keeps nothing: use
    :func:`discard_draft` to forget a draft). Typing counts as activity: leases renew."""
    user = h._require_user(user)
    prompt = h._require_prompt(space, prompt_id)
    text = h.clean_text(text, "draft", limit=space.config.max_translation, required=False)
    with space.store.transaction():
        space.store.renew_leases(user)
    if not text.strip():
        return {"saved": False, "prompt_id": prompt.id}
    try:
        saved = drafts_of(space).save(user, prompt.id, text)
    except OSError:
        raise h.Refusal(DRAFT_NOT_SAVED) from None
    return {"saved": saved, "prompt_id": prompt.id}


def discard_draft(space: h.Space, user: str | None, prompt_id: str) -> dict[str, bool]:
    """Forget the user's draft of ``prompt_id`` (the explicit "Discard draft")."""
    user = h._require_user(user)
    prompt = h._require_prompt(space, prompt_id)
    try:
        drafts_of(space).discard(user, prompt.id)
    except OSError:
        raise h.Refusal(DRAFT_NOT_SAVED.replace("Draft not saved", "Not discarded")) from None
    return {"ok": True}


# -- which prompt to open ----------------------------------------------------------------


def _rejected_text(prompt: PromptState, user: str) -> str | None:
    """The text of ``user``'s latest rejected translation of ``prompt``, if any."""
    mine = [t for t in prompt.translations if t.user == user and t.status == "rejected"]
    return mine[-1].final_text if mine else None


def _with_workspace(space: h.Space, user: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Add what belongs in the box: the user's draft, or their rejected text."""
    state = space.store.ledger.prompts[payload["prompt_id"]]
    draft = drafts_of(space).get(user, payload["prompt_id"])
    rejected = _rejected_text(state, user)
    return {**payload, "draft": draft, "rejected_text": rejected, "text": draft or rejected or ""}


def _lease(space: h.Space, user: str, prompt_id: str) -> dict[str, Any]:
    until = space.store.lease_prompt(prompt_id, user)
    return h._prompt_payload(space, space.prompts[prompt_id], until)


def _open_draft(space: h.Space, user: str, skip: set[str]) -> dict[str, Any] | None:
    """The most recently drafted prompt ``user`` may still translate, leased to them."""
    prompts = space.store.ledger.prompts
    for draft in drafts_of(space).of_user(user):
        state = prompts.get(draft.prompt_id)
        if state and draft.prompt_id not in skip and h._eligible_for(space, state, user):
            return _lease(space, user, draft.prompt_id)
    return None


def open_prompt(space: h.Space, user: str | None) -> dict[str, Any] | None:
    """The prompt to show ``user`` now: the one they hold, else one they have a draft of
    (after a restart leases are gone, drafts are not), else the next in the queue.

    The payload of :func:`handlers.next_prompt` plus ``draft``, ``rejected_text`` and
    ``text`` (what goes in the box: the draft, else the rejected text, else "").
    """
    user = h._require_user(user)
    store = space.store
    with store.transaction():
        store.renew_leases(user)
        held = [pid for pid in store.leased_prompts(user)]
        payload = None
        if not any(h._eligible_for(space, store.ledger.prompts[p], user) for p in held):
            payload = _open_draft(space, user, set())
        payload = payload or h.next_prompt(space, user)
        return _with_workspace(space, user, payload) if payload else None


def show_another(
    space: h.Space, user: str | None, prompt_id: str, text: str = ""
) -> dict[str, Any] | None:
    """Keep the draft of ``prompt_id``, set it aside, and open another prompt.

    The set-aside prompt's lease ends (someone else may take it); its draft stays and
    it comes back once nothing else is left, or from "My work".
    """
    user = h._require_user(user)
    prompt = h._require_prompt(space, prompt_id)
    if text.strip():
        save_draft(space, user, prompt.id, text)
    store = space.store
    with store.transaction() as ledger:
        store.release_prompt(prompt.id, user)
        aside = drafts_of(space).set_aside.setdefault(user, set())
        aside.add(prompt.id)
        chosen = next(
            (
                p.id
                for p in space.config.prompts
                if p.id not in aside and h._eligible_for(space, ledger.prompts[p.id], user)
            ),
            None,
        )
        if chosen is None:  # everything left was set aside: start the round again
            aside.clear()
            aside.add(prompt.id)
            payload = _open_draft(space, user, {prompt.id}) or h.next_prompt(space, user)
        else:
            payload = _lease(space, user, chosen)
        return _with_workspace(space, user, payload) if payload else None


def _revisable(space: h.Space, user: str, prompt_id: str) -> TranslationState | None:
    """``user``'s translation of the prompt that still awaits its first review."""
    state = space.store.ledger.prompts[prompt_id]
    mine = [t for t in state.translations if t.user == user and t.status == "pending"]
    return mine[-1] if mine and not mine[-1].reviews else None


def open_this(space: h.Space, user: str | None, prompt_id: str) -> dict[str, Any]:
    """Open a prompt from "My work": a draft, a rejected prompt to try again, or a
    translation awaiting review to edit (``revising``: its id)."""
    user = h._require_user(user)
    prompt = h._require_prompt(space, prompt_id)
    store = space.store
    with store.transaction() as ledger:
        pending = _revisable(space, user, prompt.id)
        if pending is not None:
            until = store.clock() + store.lease_seconds  # nothing to lease: the slot is theirs
            payload = h._prompt_payload(space, prompt, until)
            draft = drafts_of(space).get(user, prompt.id)
            return {
                **payload,
                "draft": draft,
                "rejected_text": None,
                "text": draft or pending.final_text,
                "revising": pending.id,
            }
        if not h._eligible_for(space, ledger.prompts[prompt.id], user):
            raise h.Refusal(
                f"Prompt {prompt.id} cannot be translated by you now (done, flagged, "
                "already translated by you, or held by someone else)."
            )
        for held in store.leased_prompts(user):  # one prompt on screen: the others go free
            if held != prompt.id:
                store.release_prompt(held, user)
        return _with_workspace(space, user, _lease(space, user, prompt.id))


def submit(
    space: h.Space, user: str | None, prompt_id: str, text: str, *, confirm: bool = False
) -> dict[str, Any]:
    """:func:`handlers.submit_translation`, then the draft is no longer needed."""
    result = h.submit_translation(space, user, prompt_id, text, confirm=confirm)
    try:
        drafts_of(space).discard(h._require_user(user), prompt_id)
    except OSError as exc:  # the translation is stored; a stale draft only shows in My work
        log.error("could not clear the draft of %s: %s", prompt_id, exc)
    return result


def revise(
    space: h.Space, user: str | None, prompt_id: str, text: str, *, confirm: bool = False
) -> dict[str, Any]:
    """Replace ``user``'s translation of ``prompt_id`` while it awaits its first review.

    QA as for a submission (errors refuse, warnings need ``confirm``); the new text is
    a translation event that the rules fold into the pending one (:mod:`rules`).
    """
    user, prompt, text, findings = h.checked_translation(space, user, prompt_id, text)
    store = space.store
    with store.transaction():
        pending = _revisable(space, user, prompt.id)
        if pending is None:
            raise h.Refusal(
                f"Your translation of prompt {prompt.id} is no longer awaiting its first "
                "review, so it cannot be replaced; your text is kept in the box."
            )
        if pending.final_text == text:
            return {"translation_id": pending.id, "qa": list(pending.qa)}
        h.store_translation(space, user, prompt, text, findings, confirm=confirm)
    try:
        drafts_of(space).discard(user, prompt.id)
    except OSError as exc:
        log.error("could not clear the draft of %s: %s", prompt.id, exc)
    return {"translation_id": pending.id, "qa": findings, "version": pending.version}


def withdraw_flag(space: h.Space, user: str | None, prompt_id: str) -> dict[str, Any]:
    """Undo ``user``'s own flag of ``prompt_id`` while no reviewer has acted on it."""
    user = h._require_user(user)
    prompt = h._require_prompt(space, prompt_id)
    store = space.store
    with store.transaction() as ledger:
        state = ledger.prompts[prompt.id]
        if not any(f.user == user for f in state.open_flags) or state.flag_confirmed:
            raise h.Refusal(
                f"You have no open flag on prompt {prompt.id} to undo (a reviewer may "
                "already have answered it)."
            )
        h._write(store, store.new_event("flag_review", user, prompt.id, verdict="withdraw"))
        return {"prompt_id": prompt.id, "prompt_status": state.status}


# -- my work -----------------------------------------------------------------------------


def _translation_row(space: h.Space, t: TranslationState) -> dict[str, Any]:
    rejects = [r for r in t.reviews if r.verdict == "reject"]
    state = space.store.ledger.prompts[t.prompt_id]
    status: str = t.status
    if status == "pending" and state.accepted is not None:
        status = "superseded"  # another translation of the prompt was accepted
    return {
        "translation_id": t.id,
        "prompt_id": t.prompt_id,
        "text": t.final_text,
        "status": {"pending": "awaiting review"}.get(status, status),
        "ts": t.ts,
        "version": t.version,
        "edited_by": t.edited_by,
        "rejected_by": rejects[-1].user if rejects else None,
        "comment": rejects[-1].comment if rejects else None,
        "can_revise": t.status == "pending" and not t.reviews,
    }


def my_work(space: h.Space, user: str | None) -> dict[str, Any]:
    """The user's translations (newest first) with their state, and their kept drafts."""
    user = h._require_user(user)
    with space.store.transaction() as ledger:
        mine = [t for t in ledger.translations.values() if t.user == user and not t.origin]
        rows = [_translation_row(space, t) for t in sorted(mine, key=lambda t: t.ts, reverse=True)]
        drafts = [
            {"prompt_id": d.prompt_id, "text": d.text, "ts": d.ts}
            for d in drafts_of(space).of_user(user)
            if d.prompt_id in space.prompts
        ]
        flags = [
            {
                "prompt_id": state.id,
                "reason": f.reason,
                "ts": f.ts,
                "answered": state.flag_confirmed or i < state.settled_flags,
            }
            for state in ledger.prompts.values()
            for i, f in enumerate(state.flags)
            if f.user == user
        ]
    return {"translations": rows, "drafts": drafts, "flags": flags}


def nothing_to_review_reason(space: h.Space, user: str | None) -> str:
    """Why a reviewer got nothing to review, when the review rule is the reason."""
    if not user:
        return ""
    with space.store.transaction() as ledger:
        pending = [
            t
            for t in ledger.translations.values()
            if t.status == "pending" and ledger.prompts[t.prompt_id].accepted is None
        ]
        own = [t for t in pending if ledger.is_own_work(t, user)]
        reviewed = [t for t in pending if not ledger.is_own_work(t, user) and user in t.reviewers]
    parts = []
    if own:
        parts.append(
            f"{len(own)} translation(s) awaiting review are your own work; in "
            f"{space.config.language.name} someone else reviews them (self-review is off)."
        )
    if reviewed:
        parts.append(f"You already reviewed {len(reviewed)} that now wait for other reviewers.")
    return " ".join(parts)


def progress(space: h.Space) -> dict[str, Any]:
    """:func:`handlers.progress` plus ``skipped``: how many times a prompt was skipped."""
    data = h.progress(space)
    with space.store.transaction() as ledger:
        data["skipped"] = sum(len(p.skipped_by) for p in ledger.prompts.values())
    return data
