"""Quality checks on a translation, run before a volunteer submits it.

:func:`check` compares an English source prompt with its translation and returns
:class:`Finding` objects: an ``error`` blocks submission, a ``warning`` needs a second
click, an ``info`` is only shown. Every check and its code is listed in :data:`CODES`.

What the checks rely on, and why:

- Things that must be copied verbatim (code blocks, inline code, placeholders, URLs,
  e-mail addresses, numbers) are extracted from both texts and compared as multisets,
  so a duplicated ``{name}`` that lost one copy is still caught. What counts as a code block
  (fences of 3+ backticks or tildes, indented blocks, unclosed fences) is decided by
  :func:`mpep_space.text.code_blocks`, the same rule that keeps code away from the machine
  translation model. Comments inside code may be translated, so the code check compares code
  with comments removed (``#``, ``//``, ``--``, ``/* */``, ``<!-- -->``, by the fence's language).
- Numbers may follow the target locale: ``1,250.75``, ``1.250,75``, ``1 250,75`` and
  ``1250.75`` are equal; Arabic-Indic digits count as digits; ``3pm`` may become ``15.00``.
  A missing single-digit number is reported only when the translation has a different number
  instead (``5`` -> ``6``), because small numbers are often written as words. Inside a table
  row every cell keeps its numbers, and every list item keeps its own (``number_order``).
- The language check uses py3langid (its model ships inside the wheel; 4.6 MB, loaded once
  per process, lazily, in about 0.6 s; a call takes well under a millisecond). lingua was
  rejected: 100 MB and 1.3 GB of memory for all languages is too much for a free Space. It
  looks at prose only: code, inline code, URLs, placeholders, numbers and English quoted
  verbatim from the source do not count. Candidates are the target, English, the other MPEP
  languages and the target's close neighbours (:data:`.languages.NEIGHBOURS`, with reasons:
  Afrikaans for Dutch, Indonesian/Malay for Tagalog, Czech for Slovak, ...). The script is
  checked first, which works on even a few letters; letters only a neighbour uses (Czech ř in
  the Slovak Space) or that the target's alphabet lacks decide short texts; the identifier
  needs 20 letters. Cantonese and standard written Chinese (Mandarin) are told apart by
  :mod:`.chinese` (markers, script, the identifier's scores). English gets its own code,
  ``untranslated_english``, for a whole text, a paragraph or one sentence left in English;
  any other language is ``wrong_language``.
- A translation with no words for a source with words ("." for "Define entropy.") is an
  error, like an empty one.
- The length check allows for how long each language is: expected length = verbatim parts
  (code, URLs, placeholders) + prose length x a per-language expansion factor.

This package imports only the standard library, py3langid and :mod:`mpep_space.text`, so
the Space and the collector can use it without anything else. :func:`check` never raises.

Modules, one concern each: :mod:`.findings` (codes, severities, message wording),
:mod:`.languages` (language data), :mod:`.identifier` (py3langid, loaded once per process),
:mod:`.scripts`, :mod:`.markdown` (what is prose, code, verbatim), :mod:`.numbers`,
:mod:`.code` (code without comments), :mod:`.language_checks`, :mod:`.chinese` (Cantonese
or Mandarin), :mod:`.glossary` and :mod:`.checks` (the other checks and the runner).
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
