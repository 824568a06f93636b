"""The ``--from-config`` file: a YAML or JSON mapping of language code to its sources.

Read by ``collect-mpep --all`` and by ``generate-space --dashboard`` (which also
takes each language's ``space:`` link from it).
"""

from __future__ import annotations

import json
from pathlib import Path

from mpep_space.text import REPO_ID

from .errors import ConfigError, UnknownLanguageError
from .languages import canonical_code
from .yamlsafe import load_yaml


def load_sources_config(path: Path) -> dict[str, list[str]]:
    """Read a ``--from-config`` file: a YAML or JSON mapping language code -> source(s).

    A language's value is a path or repo id, a list of them, or a mapping
    ``{sources: [...], space: OWNER/NAME}`` (the Space the dashboard links to).
    Relative paths are taken from the file's folder; anything else shaped like
    OWNER/NAME that is not a folder there is a Hub dataset id.
    """
    return {code: sources for code, (sources, _) in _read_sources_file(path).items()}


def load_space_links(path: Path) -> dict[str, str]:
    """The ``space:`` of each language in a ``--from-config`` file, where given."""
    return {code: space for code, (_, space) in _read_sources_file(path).items() if space}


def _read_sources_file(path: Path) -> dict[str, tuple[list[str], str]]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise ConfigError(f"{path}: cannot be read as {kind} ({first})") from None
    if not isinstance(data, dict) or not data:
        raise ConfigError(
            f"{path}: expected a mapping of language code to sources, like 'nl: [spaces/mpep-nl]'"
        )
    out: dict[str, tuple[list[str], str]] = {}
    for key, value in data.items():
        try:
            code = canonical_code(str(key))
        except UnknownLanguageError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if code in out:
            raise ConfigError(f"{path}: language {code!r} is listed twice")
        space = ""
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"sources", "space"})
            if unknown:
                raise ConfigError(
                    f"{path}: {code}: unknown key {unknown[0]!r} (use sources, space)"
                )
            space = value.get("space") or ""
            if not isinstance(space, str) or (space and not REPO_ID.fullmatch(space)):
                raise ConfigError(f"{path}: {code}: space must look like OWNER/NAME")
            value = value.get("sources")
        values = [value] if isinstance(value, str) else value
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v.strip() for v in values)
        ):
            raise ConfigError(
                f"{path}: the sources of {code!r} must be a path or repo id, or a list of them"
            )
        out[code] = ([_config_relative(v.strip(), path.parent) for v in values], space)
    return out


def _config_relative(spec: str, base: Path) -> str:
    candidate = Path(spec).expanduser()
    if candidate.is_absolute():
        return spec
    if (base / candidate).exists() or not REPO_ID.fullmatch(spec):
        return str(base / candidate)
    return spec
