"""Reading numbers in any locale's notation and pairing them between two texts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Numbers -------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<!\d)\d+(?:(?:[.,:'\u066b\u066c]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*"
)
_THOUSANDS_ONLY = " \u00a0\u202f\u2009'\u066c"


@dataclass(frozen=True)
class _Number:
    text: str  # as written
    values: frozenset[str]  # every reading of it, canonical ("1250.75", "t8:15", "L1.2.3")
    significant: bool  # two or more digits, or a fraction: never written as a word


def _canonical(integer: str, fraction: str = "") -> str:
    integer = integer.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{integer}.{fraction}" if fraction else integer


def _read_number(token: str) -> _Number:
    digits_only = "".join(str(unicodedata.decimal(ch, 0)) if ch.isdecimal() else ch for ch in token)
    groups = re.split(r"[^0-9]", digits_only)
    seps = re.findall(r"[^0-9]", digits_only)
    values: set[str] = set()
    if not seps:
        values.add(_canonical(groups[0]))
    elif seps == [":"]:
        if len(groups[0]) <= 2 and len(groups[1]) == 2:
            values.add(f"t{int(groups[0])}:{groups[1]}")
    elif ":" not in seps:
        last = seps[-1]
        head, tail = groups[:-1], groups[-1]
        thousands_groups = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
        if len(set(seps)) == 1:
            if thousands_groups and (len(seps) > 1 or last in _THOUSANDS_ONLY or last in ".,"):
                values.add(_canonical("".join(groups)))
            if len(seps) == 1 and last not in _THOUSANDS_ONLY:
                values.add(_canonical(head[0], tail))
                if (
                    last in ".,"
                    and len(head[0]) <= 2
                    and int(head[0]) <= 24
                    and len(tail) == 2
                    and int(tail) < 60
                ):
                    values.add(f"t{int(head[0])}:{tail}")  # 8.15 may be a time (08:15)
        elif last not in _THOUSANDS_ONLY and last not in seps[:-1]:
            inner = set(seps[:-1])
            if len(inner) == 1 and len(head[0]) <= 3 and all(len(g) == 3 for g in head[1:]):
                values.add(_canonical("".join(head), tail))
    if not values:
        values.add("L" + digits_only)
    n_digits = sum(len(g) for g in groups)
    significant = n_digits >= 2 or len(seps) > 0
    return _Number(token, frozenset(values), significant)


#: "3pm", "3 p.m.", "8:15 AM": a 12-hour time, which a translator may localise to 24 hours.
_AM_PM = re.compile(r"[ \u00a0\u202f]?([ap])\.?[ \u00a0]?m\b\.?", re.IGNORECASE)


def _with_clock_reading(number: _Number, suffix: re.Match[str] | None) -> _Number:
    """Add the 24-hour reading of a 12-hour time (3pm -> 15:00, 12am -> 0:00)."""
    if suffix is None:
        return number
    hour, _, minutes = number.text.replace(".", ":").partition(":")
    if not hour.isdigit() or not 1 <= int(hour) <= 12 or (minutes and not minutes.isdigit()):
        return number
    h24 = int(hour) % 12 + (12 if suffix.group(1).lower() == "p" else 0)
    reading = f"t{h24}:{minutes or '00'}"
    return _Number(number.text, number.values | {reading}, True)


def numbers_in(text: str) -> list[_Number]:
    found = []
    for m in _NUMBER.finditer(text):
        suffix = _AM_PM.match(text, m.end())
        found.append(_with_clock_reading(_read_number(m.group(0)), suffix))
    return found


def strip_numbers(text: str) -> str:
    return _NUMBER.sub(" ", text)


def match_numbers(
    source: list[_Number], translation: list[_Number]
) -> tuple[list[_Number], list[_Number]]:
    """Pair numbers with a common reading; returns the unpaired ones of each side."""
    index: dict[str, list[int]] = {}
    for i, num in enumerate(translation):
        for value in num.values:
            index.setdefault(value, []).append(i)
    used = [False] * len(translation)
    unmatched = []
    # Numbers with one reading first, so that ambiguous ones take what is left.
    for num in sorted(source, key=lambda n: len(n.values)):
        for value in sorted(num.values):
            bucket = index.get(value, [])
            while bucket and used[bucket[-1]]:
                bucket.pop()
            if bucket:
                used[bucket.pop()] = True
                break
        else:
            unmatched.append(num)
    order = {id(n): i for i, n in enumerate(source)}
    unmatched.sort(key=lambda n: order[id(n)])
    extra = [n for n, u in zip(translation, used, strict=True) if not u]
    return unmatched, extra
