"""Quality checks on a translation, run before a volunteer submits it.

:func:`check` compares an English source prompt with its translation and returns
:class:`Finding` objects: an ``error`` blocks submission, a ``warning`` needs a second
click, an ``info`` is only shown. Every check and its code is listed in :data:`CODES`.

What the checks rely on, and why:

- Things that must be copied verbatim (fenced code, inline code, placeholders, URLs,
  e-mail addresses, numbers) are extracted from both texts and compared as multisets,
  so a duplicated ``{name}`` that lost one copy is still caught. Placeholders, URLs and
  numbers are only looked for outside fenced code: changes there are the code check's job.
  Comments inside code may be translated, so the code check compares code with comments
  removed (``#``, ``//``, ``--``, ``/* */``, ``<!-- -->``, chosen by the fence's language).
- Numbers may follow the target locale: ``1,250.75``, ``1.250,75``, ``1 250,75`` and
  ``1250.75`` are equal; Arabic-Indic digits count as digits. A missing single-digit number
  is reported only when the translation has a different number instead (``5`` -> ``6``),
  because small numbers are often written as words.
- The language check uses py3langid (its model ships inside the wheel; 4.6 MB, loaded once,
  lazily, in about 0.6 s; a call takes well under a millisecond). lingua was rejected: 100 MB
  and 1.3 GB of memory for all languages is too much for a free Space. Scores are restricted
  to the target, English and the other MPEP languages: a wrong language is almost always
  English or another Space's language. The script is checked first, which works on even a few
  letters (a Tamil translation must be mostly Tamil letters); telling apart two languages of
  one script needs 20 letters. English gets its own code, ``untranslated_english`` (text left
  untranslated, in whole or in one paragraph, is the commonest failure and the report counts it
  apart); any other language is ``wrong_language``. Cantonese, Mandarin and Wu all count as
  Chinese: the model cannot tell written Cantonese from Standard Chinese reliably.
- The length check allows for how long each language is: expected length = verbatim parts
  (code, URLs, placeholders) + prose length x a per-language expansion factor.

This package imports only the standard library, py3langid and :mod:`mpep_space.text`, so
the Space and the collector can use it without anything else. :func:`check` never raises.

Modules, one concern each: :mod:`.findings` (codes, severities, message wording),
:mod:`.languages` (language data), :mod:`.identifier` (py3langid, loaded once per process),
:mod:`.scripts`, :mod:`.markdown` (what is prose, code, verbatim), :mod:`.numbers`,
:mod:`.code` (code without comments), :mod:`.language_checks`, :mod:`.glossary` and
:mod:`.checks` (the other checks and the runner).
"""

from __future__ import annotations

from .checks import check
from .findings import CODES, SEVERITIES, Finding, has_errors
from .glossary import glossary_matches
from .identifier import warm_up

__all__ = [
    "CODES",
    "SEVERITIES",
    "Finding",
    "check",
    "glossary_matches",
    "has_errors",
    "warm_up",
]
