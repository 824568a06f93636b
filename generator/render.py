"""Render a language's Space folder from ``template/`` (a cookiecutter template).

Per-language values travel in the private cookiecutter variable ``_bundle``
(config + prompts), which cookiecutter passes through unrendered, so prompt
text such as ``{{ user.name }}`` reaches the Space byte for byte. Output is
written atomically: rendered into a temporary sibling folder, then renamed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mpep_space import GRADIO_VERSION
from mpep_space.text import OWNER

from . import __version__
from .errors import GeneratorError, UsageError
from .languages import LanguageSpec
from .output import DEFAULT_POLICY, OutputPolicy, check_target, install
from .prompts import DEFAULT_DATASET, Prompt
from .resources import TemplateKind, cookiecutter_template
from .spacecard import space_front_matter

LEASE_MINUTES = 20


class TemplateError(GeneratorError, RuntimeError):
    """The template could not be rendered (a missing variable, a broken file)."""


@dataclass(frozen=True)
class SpaceOptions:
    """Per-Space choices a language leader makes at generation time."""

    reviewers: tuple[str, ...] | None = None  # None: the language's defaults
    min_approvals: int | None = None
    translations_per_prompt: int | None = None
    allow_self_review: bool | None = None
    sync_repo: str = ""
    authorized_org: str = ""
    source_dataset: str = DEFAULT_DATASET


def _pick(value: Any, default: Any) -> Any:
    return default if value is None else value


def space_config(spec: LanguageSpec, options: SpaceOptions) -> dict[str, Any]:
    """The Space's ``space_config.json`` (see ``mpep_space.config``)."""
    min_approvals = _pick(options.min_approvals, spec.min_approvals)
    per_prompt = _pick(options.translations_per_prompt, spec.translations_per_prompt)
    if options.authorized_org and not OWNER.fullmatch(options.authorized_org):
        raise UsageError(
            "--authorized-org must be a Hugging Face organisation name (letters, digits, "
            f"'-', '_', '.'), not {options.authorized_org!r}"
        )
    for name, value in (
        ("--min-approvals", min_approvals),
        ("--translations-per-prompt", per_prompt),
    ):
        if value < 1:
            raise UsageError(f"{name} must be at least 1, not {value}")
    return {
        "schema": 1,
        "language": {
            "code": spec.code,
            "name": spec.name,
            "native_name": spec.native_name,
            "direction": spec.direction,
            "script": spec.script,
            "dataset": spec.dataset,
            "nllb": spec.nllb,
        },
        "reviewers": list(_pick(options.reviewers, spec.reviewers)),
        "allow_self_review": _pick(options.allow_self_review, spec.allow_self_review),
        "min_approvals": min_approvals,
        "translations_per_prompt": per_prompt,
        "lease_minutes": LEASE_MINUTES,
        "guidelines": spec.guidelines,
        "glossary": [
            {"term": g.term, "translation": g.translation, "note": g.note} for g in spec.glossary
        ],
        "source_dataset": options.source_dataset,
        "sync_repo": options.sync_repo,
        "authorized_org": options.authorized_org,
        "generator_version": __version__,
    }


def template_context(
    spec: LanguageSpec,
    prompts: Sequence[Prompt],
    options: SpaceOptions,
    suggestions: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``extra_context`` for cookiecutter: every variable of ``cookiecutter.json``."""
    suggestions = suggestions or {}
    records = []
    for prompt in prompts:
        record = prompt.to_record()
        record["suggestion"] = suggestions.get(prompt.id)
        records.append(record)
    return {
        "lang_code": spec.code,
        "language_name": spec.name,
        "native_name": spec.native_name,
        "space_dir": f"mpep-{spec.code.lower()}",
        "gradio_version": GRADIO_VERSION,
        "source_dataset": options.source_dataset,
        "authorized_org": options.authorized_org,
        "_front_matter": space_front_matter(
            spec.name,
            spec.code,
            source_dataset=options.source_dataset,
            authorized_org=options.authorized_org,
        ),
        "_bundle": {"config": space_config(spec, options), "prompts": records},
    }


def _cookiecutter(context: dict[str, Any], output_dir: Path, template: Path) -> Path:
    from cookiecutter.exceptions import CookiecutterException, UndefinedVariableInTemplate
    from cookiecutter.main import cookiecutter

    try:
        project = cookiecutter(
            str(template),
            no_input=True,
            extra_context=context,
            output_dir=str(output_dir),
            # Keep cookiecutter's replay file out of the user's home.
            default_config={"replay_dir": str(output_dir / ".replay")},
            # The post-generation hook copies the runtime packages into the project.
            accept_hooks=True,
        )
    except UndefinedVariableInTemplate as exc:
        raise TemplateError(f"template variable missing: {exc.error.message}") from None
    except CookiecutterException as exc:
        raise TemplateError(f"cannot render the template: {exc}") from None
    return Path(project)


def render_space(
    spec: LanguageSpec,
    prompts: Sequence[Prompt],
    out: Path,
    *,
    options: SpaceOptions | None = None,
    suggestions: dict[str, dict[str, Any]] | None = None,
    force: bool = False,
    allow_other_files: bool = False,
) -> Path:
    """Render the Space for ``spec`` with ``prompts`` into ``out``; return ``out``.

    Nothing is left behind on failure, and nothing but generate-space's own files is
    ever replaced or removed (see :mod:`mpep_generator.output`).
    """
    context = template_context(spec, prompts, options or SpaceOptions(), suggestions)
    policy = OutputPolicy(force=force, allow_other_files=allow_other_files)
    return render_template(context, out, policy=policy)


def render_template(
    context: dict[str, Any],
    out: Path,
    *,
    policy: OutputPolicy = DEFAULT_POLICY,
    template: TemplateKind = "space",
) -> Path:
    """Render the ``template`` (the Space's or the dashboard's) with ``context`` into ``out``:
    rendered beside it, then put in place by :func:`mpep_generator.output.install`."""
    check_target(out, policy)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        with cookiecutter_template(template) as template_dir:
            project = _cookiecutter(context, staging, template_dir)
        for cache in project.rglob("__pycache__"):
            shutil.rmtree(cache)
        install(project, out, policy)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
