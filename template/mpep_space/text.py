"""Text primitives shared by the Space, the generator and the collector.

One home for what must be decided the same way everywhere: which characters are
refused (control characters other than tab and newlines, lone surrogates) and
what a Hub repository id looks like, and which parts of a markdown text are code
(the QA checks compare them verbatim; machine translation never sees them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# -- code in markdown ----------------------------------------------------------------------
# One definition of "this is code" for the QA checks and the machine suggestions: what QA
# compares verbatim must be exactly what a translation model is never given.

# A fence opens with 3+ backticks or tildes (any indentation, so fences inside list items
# count); a backtick fence's info string has no backticks (CommonMark).
_FENCE_OPEN = re.compile(r"[ \t]*(?:(`{3,})[ \t]*([^`\n]*)|(~{3,})[ \t]*([^\n]*))\Z")
_LIST_ITEM_START = re.compile(r"[ \t]{0,3}(?:[-*+\u2022]|\d{1,9}[.)])(?:[ \t]|\Z)")
_ATX_HEADING = re.compile(r"[ \t]{0,3}#{1,6}(?:[ \t]|\Z)")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced or indented code block of a markdown text."""

    start: int  # offset of its first character in the text
    end: int  # offset just after its last character (the newline after it is not included)
    info: str  # the fence's language tag, lower-case ("" if none, or indented)
    body: str  # the code, without the fence lines (indented: without the indentation)


def _indent(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _dedent(line: str, columns: int = 4) -> str:
    removed = 0
    while line and removed < columns and line[0] in " \t":
        removed += 1 if line[0] == " " else 4 - removed % 4
        line = line[1:]
    return line


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


def code_blocks(text: str) -> list[CodeBlock]:
    """The code blocks of a markdown text, in order.

    Fences of 3 or more backticks or tildes, closed by a line of at least as many of the
    same character; an unclosed fence runs to the end, as in CommonMark. Lines indented by
    4 or more spaces (or a tab) after a blank line or a heading are an indented code block,
    unless they continue a list item (then they are the item's text).
    """
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    blocks: list[CodeBlock] = []
    in_list = False
    previous_blank = True  # the start of the text counts as after a blank line
    previous_heading = False
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE_OPEN.match(line)
        if opening:
            fence = opening.group(1) or opening.group(3)
            info = opening.group(2) if opening.group(1) else opening.group(4)
            j = i + 1
            while j < len(lines) and not _closes(lines[j], fence):
                j += 1
            last = min(j, len(lines) - 1)
            blocks.append(
                CodeBlock(
                    starts[i],
                    starts[last] + len(lines[last]),
                    ((info or "").split() or [""])[0].lower(),
                    "\n".join(lines[i + 1 : j]),
                )
            )
            i = last + 1
            previous_blank, previous_heading = False, False
            continue
        blank = not line.strip()
        if (
            not blank
            and _indent(line) >= 4
            and not in_list
            and (previous_blank or previous_heading)
        ):
            j = i
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) >= 4):
                if _FENCE_OPEN.match(lines[j]):
                    break
                j += 1
            while not lines[j - 1].strip():  # trailing blank lines are not code
                j -= 1
            blocks.append(
                CodeBlock(
                    starts[i],
                    starts[j - 1] + len(lines[j - 1]),
                    "",
                    "\n".join(_dedent(line) for line in lines[i:j]),
                )
            )
            i = j
            previous_blank, previous_heading = False, False
            continue
        if _LIST_ITEM_START.match(line):
            in_list = True
        elif not blank and previous_blank and _indent(line) < 2:
            in_list = False  # a paragraph at the margin after a blank line ends the list
        previous_blank, previous_heading = blank, bool(_ATX_HEADING.match(line))
        i += 1
    return blocks


def split_code(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_code, piece) parts, in order; the pieces join back to ``text``."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for block in code_blocks(text):
        if block.start > pos:
            parts.append((False, text[pos : block.start]))
        parts.append((True, text[block.start : block.end]))
        pos = block.end
    if pos < len(text):
        parts.append((False, text[pos:]))
    return parts
