"""What every part of the Gradio wiring shares: the space, who is calling, update dicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from . import handlers as h
from .auth import AuthMode

# {component: value or gr.update(...)}; a component left out keeps its value
Update = dict[Any, Any]
PRIVATE: dict[str, Any] = {"api_visibility": "private"}  # UI-only events stay out of the API


@dataclass
class Wiring:
    """What the UI callbacks share: the space and how to tell who is calling."""

    space: h.Space
    mode: AuthMode

    def user(self, request: gr.Request | None, profile: gr.OAuthProfile | None) -> str | None:
        return self.mode.identify(request, profile)
