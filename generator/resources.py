"""Where the templates and the language files are, in a checkout and in a wheel.

``template/`` and ``languages/`` travel as package data of ``mpep_generator``
(``mpep_generator/template/``, ``mpep_generator/language_files/``; see
pyproject), found beside the package's modules; an editable install reads
them from the checkout. A wheel must hold no path with braces, so the
cookiecutter project folders (``{{cookiecutter.space_dir}}``) are installed
under the plain name ``files``, and :func:`cookiecutter_template` lays the
template out again as cookiecutter expects it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Literal

TemplateKind = Literal["space", "dashboard"]

_CHECKOUT = Path(__file__).resolve().parent.parent
# What the templates' post-generation hook copies into every rendered project.
_RUNTIME_PACKAGES = ("mpep_space", "mpep_dashboard")
_BRACED = {"space": "{{cookiecutter.space_dir}}", "dashboard": "{{cookiecutter.dashboard_dir}}"}


def _installed() -> Path | None:
    """The package data of a wheel install (``mpep_generator/template``, ...), if this is one.

    The package's own folder, as ``importlib.resources.files`` names it for a package
    installed on disk (pip unpacks wheels); read directly, because loading
    importlib.resources loads tempfile, shutil and the compressors with it, for every
    collect."""
    package = Path(__file__).resolve().parent
    return package if (package / "template" / "cookiecutter.json").is_file() else None


def languages_dir() -> Path:
    """The bundled ``languages/*.yaml``."""
    installed = _installed()
    return installed / "language_files" if installed else _CHECKOUT / "languages"


def runtime_dir(package: str) -> Path:
    """The folder of a runtime package (``mpep_space`` or ``mpep_dashboard``)."""
    module = import_module(package)
    assert module.__file__ is not None
    return Path(module.__file__).parent


def _lay_out(installed: Path, into: Path) -> None:
    """Mirror the checkout's ``template/`` from the wheel's plain-named folders."""
    for template, kind in ((installed, "space"), (installed / "dashboard", "dashboard")):
        target = into if kind == "space" else into / "dashboard"
        target.mkdir(exist_ok=True)
        (target / "cookiecutter.json").symlink_to(template / "cookiecutter.json")
        (target / "hooks").symlink_to(template / "hooks")
        (target / _BRACED[kind]).symlink_to(template / "files")
    for package in _RUNTIME_PACKAGES:
        (into / package).symlink_to(runtime_dir(package))


@contextmanager
def cookiecutter_template(kind: TemplateKind) -> Iterator[Path]:
    """Yield a folder that cookiecutter can render: the Space's or the dashboard's template.

    In a checkout that is ``template/`` (or ``template/dashboard/``) itself. A wheel
    holds the same files under plain names; they are laid out again, as symlinks in a
    temporary folder, in the checkout's shape, so the hooks find the runtime packages
    the same way in both.
    """
    installed = _installed()
    if installed is None:
        root = _CHECKOUT / "template"
        yield root if kind == "space" else root / "dashboard"
        return
    import tempfile  # only generate-space renders: a collect need not load it

    with tempfile.TemporaryDirectory(prefix="mpep-template-") as tmp:
        root = Path(tmp)
        _lay_out(installed / "template", root)
        yield root if kind == "space" else root / "dashboard"
