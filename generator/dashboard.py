"""Render the multilingual dashboard Space (``generate-space --dashboard``).

The dashboard is a second cookiecutter template, ``template/dashboard/``. It
folds events with the translation Space's own runtime package ``mpep_space``,
which the template's hook copies into it as into every Space: one definition
of the rules, shipped in both Spaces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import UsageError
from .languages import get_language
from .output import OutputPolicy
from .render import GRADIO_VERSION, render_template
from .sources_file import load_sources_config, load_space_links
from .spacecard import dashboard_front_matter


def dashboard_config(
    config_file: Path, *, title: str, refresh_minutes: float, spaces: dict[str, str]
) -> dict[str, Any]:
    if refresh_minutes <= 0:
        raise UsageError(f"--refresh-minutes must be positive, not {refresh_minutes:g}")
    sources = load_sources_config(config_file)
    links = load_space_links(config_file)
    languages = []
    for code, paths in sources.items():
        spec = get_language(code)
        languages.append(
            {
                "code": spec.code,
                "name": spec.name,
                "native_name": spec.native_name,
                "sources": [str(Path(p).resolve()) if Path(p).exists() else p for p in paths],
                "space": spaces.get(spec.code) or links.get(code, ""),
            }
        )
    return {"schema": 1, "title": title, "refresh_minutes": refresh_minutes, "languages": languages}


def render_dashboard(
    config_file: Path,
    out: Path,
    *,
    title: str = "MPEP progress",
    refresh_minutes: float = 10,
    spaces: dict[str, str] | None = None,
    force: bool = False,
    allow_other_files: bool = False,
) -> Path:
    """Render the dashboard for the languages and sources of ``config_file``."""
    config = dashboard_config(
        config_file, title=title, refresh_minutes=refresh_minutes, spaces=spaces or {}
    )
    context = {
        "title": title,
        "dashboard_dir": "mpep-dashboard",
        "gradio_version": GRADIO_VERSION,
        "_front_matter": dashboard_front_matter(title),
        "_bundle": {"config": config},
    }
    policy = OutputPolicy(force=force, allow_other_files=allow_other_files)
    return render_template(context, out, policy=policy, template="dashboard")
