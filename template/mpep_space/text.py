"""Text primitives shared by the Space, the generator and the collector.

One home for what must be decided the same way everywhere: which characters are
refused (control characters other than tab and newlines, lone surrogates) and
what a Hub repository id looks like.
"""

from __future__ import annotations

import re

# Control characters (Unicode category Cc) other than tab and newlines, and lone surrogates.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A Hub repository id: OWNER/NAME (letters, digits, '-', '_', '.').
REPO_ID = re.compile(r"[\w.-]+/[\w.-]+")
# A Hub user or organisation name.
OWNER = re.compile(r"[\w.-]+")


def control_character(text: str) -> str | None:
    """Describe the first refused character of ``text`` (``U+0007``, or a lone surrogate)."""
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    if "\ud800" <= found.group() <= "\udfff":
        return "a lone surrogate"
    return f"U+{ord(found.group()):04X}"
