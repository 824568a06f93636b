"""The Space's settings: ``space_config.json`` and ``prompts.jsonl`` (written by
``generate-space``), plus environment overrides read once at start-up.

Both files are closed schemas: an unknown key is an error that names the file
and the key, so a hand edit with a typo fails at boot instead of being ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .rules import Rules

SPACE_DIR = Path(__file__).resolve().parent.parent
CONFIG_FILE = "space_config.json"
PROMPTS_FILE = "prompts.jsonl"
# A data dir (and its sync repo): the events, and the bundle of config and prompts.
# Here, not in sync.py, so that readers of a data dir need not load the syncing.
EVENTS_PATTERN = "events/*.jsonl"
BUNDLE_DIR = "space"
SYNC_PATTERNS = [EVENTS_PATTERN, f"{BUNDLE_DIR}/*"]  # what the collector downloads
CONFIG_SCHEMA = 1


class ConfigError(ValueError):
    """A bundled file or an environment variable is invalid; the message says which."""


# The translation box takes at least this many characters, and three times the longest
# bundled prompt (prompts are capped at 12,000 characters by generate-space).
MIN_TRANSLATION_CAP = 20_000
TRANSLATION_CAP_FACTOR = 3


def env_number(
    env: Mapping[str, str], name: str, default: float, *, whole: bool = False, minimum: float = 0
) -> float:
    """``env[name]`` as a number above ``minimum`` (``default`` when unset or empty).

    A bad value is a :class:`ConfigError` naming the variable and quoting the value.
    """
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    what = "a whole number" if whole else "a number"
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"{name} must be {what} above {minimum:g}, not {raw!r}")
    if value <= minimum:
        raise ConfigError(f"{name} must be {what} above {minimum:g}, not {raw!r}")
    return value


def _config_count(path: Path, data: Mapping[str, Any], key: str, default: int) -> int:
    """A setting of ``space_config.json`` that must be a whole number of at least 1."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{path.name}: {key} must be a whole number of at least 1, not {value!r}; "
            "fix it and restart the Space"
        )
    return value


@dataclass(frozen=True)
class GlossaryItem:
    term: str
    translation: str
    note: str = ""


@dataclass(frozen=True)
class Suggestion:
    text: str
    agent: str = ""
    score: float | None = None
    type: str = "model"


@dataclass(frozen=True)
class BundledPrompt:
    id: str
    prompt: str
    metadata: str = "{}"
    suggestion: Suggestion | None = None


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    name: str
    native_name: str
    direction: str
    script: str
    dataset: str
    nllb: str = ""

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


@dataclass(frozen=True)
class SpaceConfig:
    language: LanguageInfo
    reviewers: tuple[str, ...] = ()
    allow_self_review: bool = False
    min_approvals: int = 1
    translations_per_prompt: int = 1
    lease_minutes: float = 20.0
    flags_to_hide: int = 1
    guidelines: str = ""
    glossary: tuple[GlossaryItem, ...] = ()
    source_dataset: str = ""
    sync_repo: str = ""
    authorized_org: str = ""
    generator_version: str = ""
    prompts: tuple[BundledPrompt, ...] = field(default=(), repr=False)

    @property
    def rules(self) -> Rules:
        return Rules(
            min_approvals=self.min_approvals,
            translations_per_prompt=self.translations_per_prompt,
            allow_self_review=self.allow_self_review,
            flags_to_hide=self.flags_to_hide,
        )

    @property
    def prompt_ids(self) -> list[str]:
        return [p.id for p in self.prompts]

    @property
    def max_translation(self) -> int:
        """The longest translation accepted: room for every bundled prompt."""
        longest = max((len(p.prompt) for p in self.prompts), default=0)
        return max(MIN_TRANSLATION_CAP, TRANSLATION_CAP_FACTOR * longest)


_CONFIG_KEYS = {
    "schema",
    "language",
    "reviewers",
    "allow_self_review",
    "min_approvals",
    "translations_per_prompt",
    "lease_minutes",
    "flags_to_hide",
    "guidelines",
    "glossary",
    "source_dataset",
    "sync_repo",
    "authorized_org",
    "generator_version",
}
_LANGUAGE_KEYS = {"code", "name", "native_name", "direction", "script", "dataset", "nllb"}
_PROMPT_KEYS = {"id", "prompt", "metadata", "suggestion"}
_SUGGESTION_KEYS = {"text", "agent", "score", "type"}


def _closed(where: str, data: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a JSON object")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
    return data


def _suggestion(where: str, raw: Any) -> Suggestion | None:
    if raw is None:
        return None
    data = _closed(f"{where} suggestion", raw, _SUGGESTION_KEYS)
    score = data.get("score")
    return Suggestion(
        text=str(data.get("text", "")),
        agent=str(data.get("agent", "")),
        score=None if score is None else float(score),
        type=str(data.get("type", "model")),
    )


def load_prompts(path: Path) -> tuple[BundledPrompt, ...]:
    return _parse_prompts(path.read_text(encoding="utf-8"), path.name)


@lru_cache(maxsize=4)
def _parse_prompts(text: str, name: str) -> tuple[BundledPrompt, ...]:
    """The prompts of a ``prompts.jsonl`` text; kept for the next file with the same text
    (every language of a project bundles the same prompts, and a collect reads them all).
    Safe to share: the prompts are frozen."""
    prompts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            data = _closed(where, json.loads(line), _PROMPT_KEYS)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        prompts.append(
            BundledPrompt(
                id=str(data["id"]),
                prompt=str(data["prompt"]),
                metadata=str(data.get("metadata", "{}")),
                suggestion=_suggestion(where, data.get("suggestion")),
            )
        )
    return tuple(prompts)


def _env_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def load_config(space_dir: Path = SPACE_DIR, env: Mapping[str, str] | None = None) -> SpaceConfig:
    """Read the bundled files and apply ``MPEP_REVIEWERS`` / ``MPEP_SYNC_REPO`` /
    ``MPEP_LEASE_MINUTES`` / ``MPEP_FLAGS_TO_HIDE`` from the environment.

    Any problem with the files is a :class:`ConfigError` naming the file.
    """
    try:
        return _load_config(space_dir, os.environ if env is None else env)
    except ConfigError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        what = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ConfigError(
            f"{space_dir}: invalid {CONFIG_FILE} or {PROMPTS_FILE} ({what})"
        ) from None


def _load_config(space_dir: Path, env: Mapping[str, str]) -> SpaceConfig:
    path = space_dir / CONFIG_FILE
    try:
        data = _closed(path.name, json.loads(path.read_text(encoding="utf-8")), _CONFIG_KEYS)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if data.get("schema") != CONFIG_SCHEMA:
        raise ConfigError(f"{path.name}: unsupported schema {data.get('schema')!r}")
    language = LanguageInfo(**_closed(f"{path.name} language", data["language"], _LANGUAGE_KEYS))
    reviewers = tuple(data.get("reviewers", ()))
    if env.get("MPEP_REVIEWERS") is not None:
        reviewers = _env_list(env["MPEP_REVIEWERS"])
    lease_minutes = float(data.get("lease_minutes", 20))
    if not lease_minutes > 0:
        raise ConfigError(f"{path.name}: lease_minutes must be above 0, not {lease_minutes!r}")
    lease_minutes = env_number(env, "MPEP_LEASE_MINUTES", lease_minutes)
    flags_to_hide = _config_count(path, data, "flags_to_hide", 1)
    flags_to_hide = int(env_number(env, "MPEP_FLAGS_TO_HIDE", flags_to_hide, whole=True))
    return SpaceConfig(
        language=language,
        reviewers=reviewers,
        allow_self_review=bool(data.get("allow_self_review", False)),
        min_approvals=_config_count(path, data, "min_approvals", 1),
        translations_per_prompt=_config_count(path, data, "translations_per_prompt", 1),
        lease_minutes=lease_minutes,
        flags_to_hide=flags_to_hide,
        guidelines=str(data.get("guidelines", "")),
        glossary=tuple(GlossaryItem(**g) for g in data.get("glossary", ())),
        source_dataset=str(data.get("source_dataset", "")),
        sync_repo=env.get("MPEP_SYNC_REPO") or str(data.get("sync_repo", "")),
        authorized_org=str(data.get("authorized_org", "")),
        generator_version=str(data.get("generator_version", "")),
        prompts=load_prompts(space_dir / PROMPTS_FILE),
    )
