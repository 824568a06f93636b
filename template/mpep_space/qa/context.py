"""What every check receives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .languages import Target
from .markdown import Parsed


@dataclass(frozen=True)
class Context:
    source: Parsed
    translation: Parsed
    target: Target
    suggestion: str | None
    glossary: Sequence[Any]
