"""Quality checks on a translation (placeholder interface, extended in issue 5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" blocks submission, "warning" needs a second click, "info"
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


def check(
    source: str,
    translation: str,
    lang: str,
    suggestion: str | None = None,
    glossary: Sequence[Any] | None = None,
) -> list[Finding]:
    findings: list[Finding] = []
    if not translation.strip():
        return [Finding("empty", "error", "The translation is empty.")]
    if translation.strip() == source.strip():
        findings.append(Finding("identical", "warning", "The translation is the same as the source."))
    if suggestion and translation.strip() == suggestion.strip():
        findings.append(
            Finding("suggestion_unchanged", "info", "This is the machine suggestion, unchanged.")
        )
    return findings


def glossary_matches(source: str, glossary: Sequence[Any] | None) -> list[Any]:
    lowered = source.lower()
    return [g for g in glossary or () if str(getattr(g, "term", "")).lower() in lowered]
