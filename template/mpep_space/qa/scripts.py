"""Which script a letter belongs to, and the share of a script among letters."""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence

# --------------------------------------------------------------------------------------
# Scripts

# (start, end, script) of the letters the checks care about; everything else is "Zyyy".
_SCRIPT_RANGES: list[tuple[int, int, str]] = sorted(
    [
        (0x0041, 0x005A, "Latn"),
        (0x0061, 0x007A, "Latn"),
        (0x00C0, 0x024F, "Latn"),
        (0x1E00, 0x1EFF, "Latn"),
        (0x0370, 0x03FF, "Grek"),
        (0x1F00, 0x1FFF, "Grek"),
        (0x0400, 0x052F, "Cyrl"),
        (0x0530, 0x058F, "Armn"),
        (0x0590, 0x05FF, "Hebr"),
        (0x0600, 0x06FF, "Arab"),
        (0x0750, 0x077F, "Arab"),
        (0x08A0, 0x08FF, "Arab"),
        (0xFB50, 0xFDFF, "Arab"),
        (0xFE70, 0xFEFF, "Arab"),
        (0x0900, 0x097F, "Deva"),
        (0x0980, 0x09FF, "Beng"),
        (0x0A00, 0x0A7F, "Guru"),
        (0x0A80, 0x0AFF, "Gujr"),
        (0x0B00, 0x0B7F, "Orya"),
        (0x0B80, 0x0BFF, "Taml"),
        (0x0C00, 0x0C7F, "Telu"),
        (0x0C80, 0x0CFF, "Knda"),
        (0x0D00, 0x0D7F, "Mlym"),
        (0x0D80, 0x0DFF, "Sinh"),
        (0x0E00, 0x0E7F, "Thai"),
        (0x0E80, 0x0EFF, "Laoo"),
        (0x1000, 0x109F, "Mymr"),
        (0x10A0, 0x10FF, "Geor"),
        (0x1100, 0x11FF, "Hang"),
        (0x1200, 0x139F, "Ethi"),
        (0x1780, 0x17FF, "Khmr"),
        (0x3040, 0x30FF, "Kana"),
        (0x3130, 0x318F, "Hang"),
        (0x3400, 0x4DBF, "Hani"),
        (0x4E00, 0x9FFF, "Hani"),
        (0xAC00, 0xD7AF, "Hang"),
        (0xF900, 0xFAFF, "Hani"),
        (0x20000, 0x2FA1F, "Hani"),
    ]
)
_SCRIPT_STARTS = [r[0] for r in _SCRIPT_RANGES]


_SCRIPT_NAMES = {
    "Latn": "Latin",
    "Cyrl": "Cyrillic",
    "Grek": "Greek",
    "Arab": "Arabic",
    "Hebr": "Hebrew",
    "Hani": "Chinese",
    "Jpan": "Japanese",
    "Kana": "Japanese kana",
    "Hang": "Korean",
    "Deva": "Devanagari",
    "Taml": "Tamil",
    "Telu": "Telugu",
}


def script_name(script: str) -> str:
    return _SCRIPT_NAMES.get(script, script)


def script_of(ch: str) -> str:
    cp = ord(ch)
    i = bisect.bisect_right(_SCRIPT_STARTS, cp) - 1
    if i >= 0 and cp <= _SCRIPT_RANGES[i][1]:
        return _SCRIPT_RANGES[i][2]
    return "Zyyy"


def is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def letters_of(text: str) -> list[str]:
    return [ch for ch in text if is_letter(ch)]


def script_share(letters: Sequence[str], script: str) -> float:
    if not letters:
        return 0.0
    wanted = {"Jpan": {"Hani", "Kana"}, "Hang": {"Hang", "Hani"}}.get(script, {script})
    return sum(1 for ch in letters if script_of(ch) in wanted) / len(letters)
