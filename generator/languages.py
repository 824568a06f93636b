"""The language registry: ``languages/<code>.yaml`` loaded into a closed schema.

Names, autonyms and scripts come from ``langcodes`` (CLDR data), not from hand
tables; a YAML file only says what CLDR cannot know (dataset name, reviewers,
guidelines, glossary) and may override a name where CLDR merges languages
(``tl`` is folded into Filipino by CLDR, but MPEP ran Tagalog separately).
Any other valid BCP-47 code works with derived defaults.

Loading CLDR's name tables costs more than rendering a Space, so the values
derived for the registered languages are kept in ``data/cldr_languages.json``,
written by :func:`refresh_cldr_cache` (``python -m mpep_generator.languages``) and
checked against ``langcodes`` by the tests: a cache, never a hand table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from mpep_space.config import GlossaryItem as GlossaryEntry  # one definition, Space and here
from mpep_space.text import control_character

from .errors import LanguageFileError, UnknownLanguageError
from .resources import languages_dir
from .yamlsafe import load_yaml

LANGUAGES_DIR = languages_dir()
CLDR_CACHE = Path(__file__).resolve().parent / "data" / "cldr_languages.json"

# Scripts written right to left (ISO 15924); direction is derived from the script.
RTL_SCRIPTS = frozenset(
    {"Adlm", "Arab", "Aran", "Hebr", "Mand", "Mend", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa", "Yezi"}
)

_TAG_SHAPE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

COMMON_GUIDELINES = """\
- Translate the meaning, not word by word; the result should read as if written in the language.
- Do not answer the prompt: translate it.
- Keep code blocks, `inline code`, URLs, e-mail addresses and placeholders such as `{name}`,
  `{{x}}` and `%s` exactly as they are.
- Keep the markdown structure: the same lists, tables and headings.
- A machine suggestion is a starting point: read and correct it, never submit it unread.
- Flag a prompt instead of translating it when it is broken, untranslatable or offensive.
"""


@dataclass(frozen=True)
class LanguageSpec:
    """Everything the generator and a Space need to know about one language."""

    code: str
    name: str
    native_name: str
    script: str
    direction: str
    dataset: str
    nllb: str
    reviewers: tuple[str, ...] = ()
    allow_self_review: bool = False
    min_approvals: int = 1
    translations_per_prompt: int = 1
    guidelines: str = COMMON_GUIDELINES
    glossary: tuple[GlossaryEntry, ...] = ()
    source_file: Path | None = field(default=None, compare=False)

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


_KEYS: dict[str, type | tuple[type, ...]] = {
    "code": str,
    "dataset": str,
    "nllb": str,
    "name": str,
    "native_name": str,
    "reviewers": list,
    "allow_self_review": bool,
    "min_approvals": int,
    "translations_per_prompt": int,
    "guidelines": str,
    "glossary": list,
}
_GLOSSARY_KEYS = {"term", "translation", "note"}


def canonical_code(code: str) -> str:
    """Return ``code`` in canonical BCP-47 casing, or raise UnknownLanguageError.

    Casing is normalised by hand (``pt-br`` -> ``pt-BR``) rather than with
    ``langcodes.standardize_tag``, which would also *replace* codes (tl -> fil).
    """
    raw = code.strip() if isinstance(code, str) else ""
    if (
        not raw
        or not _TAG_SHAPE.fullmatch(raw)
        or not (_case(raw) in _cldr_cache() or _tag_is_valid(raw))
    ):
        raise UnknownLanguageError(
            f"unknown language code {code!r} (not BCP-47). Try 'nl', 'pt-BR'; see languages/."
        )
    canonical = _case(raw)
    if canonical.split("-")[0] == "en":
        raise UnknownLanguageError(
            f"{code!r} is English, the source language of MPEP; "
            "choose a language to translate into."
        )
    return canonical


def _tag_is_valid(tag: str) -> bool:
    import langcodes

    return bool(langcodes.tag_is_valid(tag))


def _case(raw: str) -> str:
    parts = raw.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def dataset_name_for(english_name: str) -> str:
    """``Dutch`` -> ``MPEP_DUTCH``, the naming of the published MPEP datasets."""
    return "MPEP_" + re.sub(r"[^A-Z0-9]+", "_", english_name.upper()).strip("_")


@cache
def _cldr_cache() -> dict[str, dict[str, Any]]:
    try:
        data: dict[str, dict[str, Any]] = json.loads(CLDR_CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no cache: everything is derived from langcodes, only slower
    return data


def _derived(code: str) -> dict[str, Any]:
    """Defaults for a code from CLDR data (through the cache for registered codes)."""
    cached = _cldr_cache().get(code)
    return dict(cached) if cached is not None else derive_from_cldr(code)


def derive_from_cldr(code: str) -> dict[str, Any]:
    """Defaults for a code, asking ``langcodes`` (CLDR) directly."""
    import langcodes

    lang = langcodes.Language.get(code)
    full = lang.maximize()
    script = full.script or "Latn"
    name = lang.display_name()
    return {
        "code": code,
        "name": name,
        "native_name": lang.autonym(),
        "script": script,
        "direction": "rtl" if script in RTL_SCRIPTS else "ltr",
        "dataset": dataset_name_for(name),
        "nllb": f"{full.to_alpha3()}_{script}",
    }


def _fail(path: Path, message: str) -> LanguageFileError:
    return LanguageFileError(f"{path}: {message}")


def _check_types(path: Path, data: dict[str, Any]) -> None:
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise _fail(path, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_KEYS))})")
    for key, value in data.items():
        expected = _KEYS[key]
        # bool is an int subclass; a YAML 'true' must not pass as min_approvals.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            wanted = expected.__name__ if isinstance(expected, type) else "value"
            raise _fail(path, f"key {key!r} must be a {wanted}, not {value!r}")
    for key in ("min_approvals", "translations_per_prompt"):
        if key in data and data[key] < 1:
            raise _fail(path, f"key {key!r} must be at least 1, not {data[key]!r}")
    if not all(isinstance(r, str) and r.strip() for r in data.get("reviewers", [])):
        raise _fail(path, "key 'reviewers' must be a list of user names")


def _glossary(path: Path, entries: list[Any]) -> tuple[GlossaryEntry, ...]:
    out = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise _fail(path, f"glossary entry {i} must be a mapping with term and translation")
        unknown = sorted(set(entry) - _GLOSSARY_KEYS)
        if unknown:
            raise _fail(path, f"glossary entry {i}: unknown key {unknown[0]!r}")
        term, translation = entry.get("term"), entry.get("translation")
        if not isinstance(term, str) or not term.strip():
            raise _fail(path, f"glossary entry {i}: 'term' must be a non-empty string")
        if not isinstance(translation, str) or not translation.strip():
            raise _fail(path, f"glossary entry {i}: 'translation' must be a non-empty string")
        note = entry.get("note", "")
        out.append(GlossaryEntry(term.strip(), translation.strip(), str(note or "").strip()))
    return tuple(out)


def load_language_file(path: Path) -> LanguageSpec:
    """Load one YAML file into a LanguageSpec, naming the file and key on error."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(path, f"cannot be read as YAML ({first})") from None
    if not isinstance(data, dict):
        raise _fail(path, "must be a mapping of keys to values")
    _check_types(path, data)
    if "code" not in data:
        raise _fail(path, "missing key 'code'")
    try:
        code = canonical_code(data["code"])
    except UnknownLanguageError as exc:
        raise _fail(path, f"key 'code': {exc}") from None
    if path.stem != code:
        raise _fail(path, f"key 'code' is {code!r} but the file is named {path.name!r}")
    values = _derived(code)
    for key in ("name", "native_name", "dataset", "nllb"):
        if key in data:
            values[key] = data[key].strip()
            if "\n" in values[key] or control_character(values[key]):
                raise _fail(path, f"key {key!r} must be one line of text")
    if "dataset" not in data and "name" in data:
        values["dataset"] = dataset_name_for(values["name"])
    guidelines = data.get("guidelines") or COMMON_GUIDELINES
    return LanguageSpec(
        **values,
        reviewers=tuple(r.strip() for r in data.get("reviewers", [])),
        allow_self_review=data.get("allow_self_review", False),
        min_approvals=data.get("min_approvals", 1),
        translations_per_prompt=data.get("translations_per_prompt", 1),
        guidelines=guidelines,
        glossary=_glossary(path, data.get("glossary") or []),
        source_file=path,
    )


def language_file(code: str, languages_dir: Path = LANGUAGES_DIR) -> Path:
    return languages_dir / f"{canonical_code(code)}.yaml"


def get_language(code: str, languages_dir: Path = LANGUAGES_DIR) -> LanguageSpec:
    """The registered language for ``code``, or CLDR defaults for any other valid code."""
    path = language_file(code, languages_dir)
    if not path.is_file():
        return LanguageSpec(**_derived(canonical_code(code)))
    stat = path.stat()
    return _loaded(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _loaded(path: Path, mtime_ns: int, size: int) -> LanguageSpec:
    """A language file's spec, read once per version of the file: a collect asks for each
    language in its parent process, then again in the worker forked from it."""
    return load_language_file(path)


def all_languages(languages_dir: Path = LANGUAGES_DIR) -> list[LanguageSpec]:
    """Every registered language, sorted by code."""
    return [load_language_file(p) for p in sorted(languages_dir.glob("*.yaml"))]


def unregistered_note(spec: LanguageSpec, languages_dir: Path = LANGUAGES_DIR) -> str | None:
    """A one-line hint when ``spec`` came from defaults rather than a YAML file."""
    if spec.source_file is not None:
        return None
    rel = languages_dir / f"{spec.code}.yaml"
    return (
        f"Note: {spec.code} ({spec.name}) has no file in languages/; using defaults. "
        f"Add {rel.name} there (copy languages/nl.yaml) for guidelines, reviewers and a glossary."
    )


def refresh_cldr_cache(languages_dir: Path = LANGUAGES_DIR, path: Path = CLDR_CACHE) -> Path:
    """Rewrite the cache of CLDR-derived values for every file in ``languages/``."""
    codes = sorted(p.stem for p in languages_dir.glob("*.yaml"))
    data = {code: derive_from_cldr(code) for code in codes}
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    _cldr_cache.cache_clear()
    return path


if __name__ == "__main__":
    print(f"wrote {refresh_cldr_cache()}")
