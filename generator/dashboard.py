"""Render the multilingual dashboard Space (``generate-space --dashboard``).

The dashboard is a second cookiecutter template, ``template/dashboard/``. It
folds events with the translation Space's own modules, which are copied into
it from ``template/{{cookiecutter.space_dir}}/mpep_space/`` at render time:
one definition of the rules, shipped in both Spaces.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from .collect import load_sources_config, load_space_links
from .errors import UsageError
from .languages import get_language
from .render import GRADIO_VERSION, TEMPLATE_DIR, render_template

DASHBOARD_TEMPLATE = TEMPLATE_DIR / "dashboard"
SPACE_RUNTIME = TEMPLATE_DIR / "{{cookiecutter.space_dir}}" / "mpep_space"
# The fold needs these modules, and nothing from them needs gradio or the Hub client.
SHARED_MODULES = ("__init__.py", "config.py", "events.py", "rules.py", "sources.py", "sync.py")


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


def _add_shared_runtime(project: Path) -> None:
    target = project / "mpep_space"
    target.mkdir()
    for name in SHARED_MODULES:
        shutil.copyfile(SPACE_RUNTIME / name, target / name)


def render_dashboard(
    config_file: Path,
    out: Path,
    *,
    title: str = "MPEP progress",
    refresh_minutes: float = 10,
    spaces: dict[str, str] | None = None,
    force: bool = False,
) -> Path:
    """Render the dashboard for the languages and sources of ``config_file``."""
    config = dashboard_config(
        config_file, title=title, refresh_minutes=refresh_minutes, spaces=spaces or {}
    )
    context = {
        "title": title,
        "dashboard_dir": "mpep-dashboard",
        "gradio_version": GRADIO_VERSION,
        "_bundle": {"config": config},
    }
    return render_template(
        context, out, force=force, template=DASHBOARD_TEMPLATE, finish=_add_shared_runtime
    )
