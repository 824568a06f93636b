"""The scriptable API: every handler as a named endpoint (``/next_prompt``, ...), the
contract tests and tools rely on. A :class:`handlers.Refusal` reaches clients as ``gr.Error``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from . import handlers as h
from . import work
from .ui_wiring import Wiring


def _api(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a Refusal into gr.Error, the form API clients see as a clear message."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except h.Refusal as refusal:
            # A refusal is the caller's mistake, not ours: no traceback in the Space's log.
            raise gr.Error(str(refusal), print_exception=False) from None

    return call


def add_api_endpoints(w: Wiring) -> None:
    """The scriptable API, the contract tests and tools rely on."""
    space = w.space

    def next_prompt(request: gr.Request, profile: gr.OAuthProfile | None) -> dict | None:
        return _api(h.next_prompt)(space, w.user(request, profile))

    def submit_translation(
        prompt_id: str, text: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> dict:
        # A script sees the warnings in the answer's "qa" (or asks /check_translation
        # first): the API call is the confirmed submit.
        return _api(work.submit)(space, w.user(request, profile), prompt_id, text, confirm=True)

    def check_translation(
        prompt_id: str, text: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> list:
        return _api(h.check_translation)(space, w.user(request, profile), prompt_id, text)

    def skip(prompt_id: str, request: gr.Request, profile: gr.OAuthProfile | None) -> dict:
        return _api(h.skip)(space, w.user(request, profile), prompt_id)

    def flag(
        prompt_id: str, reason: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> dict:
        return _api(h.flag)(space, w.user(request, profile), prompt_id, reason)

    def next_review(request: gr.Request, profile: gr.OAuthProfile | None) -> dict | None:
        return _api(h.next_review)(space, w.user(request, profile))

    def skip_review(
        translation_id: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> dict:
        return _api(h.skip_review)(space, w.user(request, profile), translation_id)

    def submit_review(
        translation_id: str,
        verdict: str,
        comment: str,
        edited_text: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> dict:
        return _api(h.submit_review)(
            space, w.user(request, profile), translation_id, verdict, comment, edited_text
        )

    def flagged_prompts(request: gr.Request, profile: gr.OAuthProfile | None) -> list:
        return _api(h.flagged_prompts)(space, w.user(request, profile))

    def review_flag(
        prompt_id: str,
        verdict: str,
        comment: str,
        request: gr.Request,
        profile: gr.OAuthProfile | None,
    ) -> dict:
        return _api(h.review_flag)(space, w.user(request, profile), prompt_id, verdict, comment)

    def save_draft(
        prompt_id: str, text: str, request: gr.Request, profile: gr.OAuthProfile | None
    ) -> dict:
        return _api(work.save_draft)(space, w.user(request, profile), prompt_id, text)

    def discard_draft(prompt_id: str, request: gr.Request, profile: gr.OAuthProfile | None) -> dict:
        return _api(work.discard_draft)(space, w.user(request, profile), prompt_id)

    def open_prompt(request: gr.Request, profile: gr.OAuthProfile | None) -> dict | None:
        return _api(work.open_prompt)(space, w.user(request, profile))

    def withdraw_flag(prompt_id: str, request: gr.Request, profile: gr.OAuthProfile | None) -> dict:
        return _api(work.withdraw_flag)(space, w.user(request, profile), prompt_id)

    def my_work(request: gr.Request, profile: gr.OAuthProfile | None) -> dict:
        return _api(work.my_work)(space, w.user(request, profile))

    def progress() -> dict:
        return h.progress(space)

    def noop() -> dict:
        return h.noop()

    for fn in (
        next_prompt,
        submit_translation,
        check_translation,
        skip,
        flag,
        next_review,
        skip_review,
        submit_review,
        flagged_prompts,
        review_flag,
        save_draft,
        discard_draft,
        open_prompt,
        my_work,
        withdraw_flag,
        progress,
        noop,
    ):
        gr.api(fn, api_name=fn.__name__)
