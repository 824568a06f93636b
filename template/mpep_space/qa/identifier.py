"""The language identifier (py3langid), loaded lazily, once per process, thread-safely.

py3langid's model ships inside the wheel (4.6 MB, loaded in about 0.6 s; a call takes well
under a millisecond). lingua was rejected: 100 MB and 1.3 GB of memory for all languages is
too much for a free Space.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

LOGGER = logging.getLogger(__name__)

#: Only so much text is given to the language identifier (speed; more does not help).
MAX_CHARS_FOR_LANGUAGE = 3000

# --------------------------------------------------------------------------------------
# The language identifier, loaded lazily once per process

_IDENTIFIER_LOCK = threading.Lock()
_IDENTIFIER: Any = None
_IDENTIFIER_FAILED = False


def _load_identifier() -> Any:
    from py3langid import langid

    cls = langid.LanguageIdentifier
    # py3langid >= 0.4 calls it from_model_file; 0.2-0.3 from_pickled_model.
    loader = getattr(cls, "from_model_file", None) or cls.from_pickled_model
    return loader(langid.MODEL_FILE, norm_probs=True)


def get_identifier() -> Any | None:
    """The shared py3langid identifier (thread-safe; None if it cannot be loaded)."""
    global _IDENTIFIER, _IDENTIFIER_FAILED
    if _IDENTIFIER is None and not _IDENTIFIER_FAILED:
        with _IDENTIFIER_LOCK:
            if _IDENTIFIER is None and not _IDENTIFIER_FAILED:
                try:
                    _IDENTIFIER = _load_identifier()
                except Exception:  # a broken install must not break submitting
                    LOGGER.exception("py3langid could not be loaded; language checks are off")
                    _IDENTIFIER_FAILED = True
    return _IDENTIFIER


def warm_up() -> None:
    """Load the language model now (e.g. at Space start) instead of on the first check."""
    get_identifier()


@functools.lru_cache(maxsize=1)
def model_labels() -> frozenset[str]:
    ident = get_identifier()
    return frozenset(ident.nb_classes) if ident is not None else frozenset()


def language_probabilities(text: str, candidates: frozenset[str] | None) -> list[tuple[str, float]]:
    """Languages by probability, best first, renormalised over ``candidates`` (None: all)."""
    ident = get_identifier()
    if ident is None:
        return []
    ranked = ident.rank(text[:MAX_CHARS_FOR_LANGUAGE])
    if candidates is not None:
        ranked = [(lab, p) for lab, p in ranked if lab in candidates]
    total = sum(p for _, p in ranked)
    if not total > 0:
        return []
    return [(str(lab), float(p) / total) for lab, p in ranked]
