"""Command-line entry points: parse arguments, call the library, print one line per error.

``generate-space`` renders a language's translation Space (and pushes it with
``--push``); ``collect-mpep`` folds the Spaces' event logs into ``MPEP_<NAME>``
datasets (:mod:`mpep_generator.collect`). Every
:class:`~mpep_generator.errors.GeneratorError` and every usage mistake becomes one
``Error: ...`` line on stderr and a non-zero exit; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .errors import CollectError, ConfigError, GeneratorError, UsageError

if TYPE_CHECKING:
    from .hub import DatasetPush
    from .importer import ImportSource
    from .output import OutputPolicy
    from .results import CollectRun

EXIT_ERROR = 1
EXIT_USAGE = 2


def _split_users(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(u.strip() for u in value.split(",") if u.strip())


def _repo_id(value: str, option: str) -> str:
    from mpep_space.text import REPO_ID

    if not REPO_ID.fullmatch(value):
        raise UsageError(f"{option} must look like OWNER/NAME, not {value!r}")
    return value


@click.command(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  generate-space --lang nl --prompts sample --out spaces/nl
  generate-space --lang ar --prompts my_prompts.jsonl --reviewers amira,omar
  generate-space --lang nl --suggestions nllb_nl.jsonl --push --space-id DIBT-Dutch/mpep-nl
  generate-space --dashboard --from-config sources.yaml --out spaces/dashboard""",
)
@click.option(
    "--lang", "lang", default=None, help="BCP-47 code of the target language (nl, pt-BR, ...)."
)
@click.option(
    "--prompts",
    "prompts_source",
    default=None,
    metavar="SOURCE",
    help="'sample', a .jsonl/.csv/.parquet file, or a Hub dataset id "
    "[default: data-is-better-together/prompts_ranked_multilingual_benchmark].",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder [default: ./mpep-<code>, or ./mpep-dashboard].",
)
@click.option(
    "--reviewers",
    default=None,
    metavar="A,B",
    help="Comma-separated reviewer user names (overrides languages/<code>.yaml).",
)
@click.option(
    "--min-approvals",
    type=int,
    default=None,
    help="Approvals that make a prompt done [default: 1].",
)
@click.option(
    "--translations-per-prompt",
    type=int,
    default=None,
    help="Independent translations collected per prompt [default: 1].",
)
@click.option(
    "--allow-self-review",
    is_flag=True,
    default=None,
    help="Let reviewers approve their own translations (one-person teams).",
)
@click.option(
    "--authorized-org",
    default="",
    metavar="ORG",
    help="Only members of this Hugging Face organisation can log in.",
)
@click.option(
    "--suggestions",
    "suggestions_file",
    type=click.Path(path_type=Path),
    default=None,
    help="JSONL of {prompt_id, text, agent, score}: machine suggestions to bundle.",
)
@click.option(
    "--suggest-with",
    "suggest_model",
    default=None,
    metavar="MODEL",
    help="Translate the prompts with a local transformers model (e.g. "
    "facebook/nllb-200-distilled-600M) and bundle the results as suggestions.",
)
@click.option(
    "--import",
    "import_source",
    default=None,
    metavar="SOURCE",
    help="Carry over the accepted translations of a dataset in the MPEP schema (.parquet, "
    ".jsonl or Hub dataset id): those prompts are done, translators get the rest.",
)
@click.option(
    "--dashboard",
    is_flag=True,
    help="Render the multilingual dashboard Space instead (needs --from-config).",
)
@click.option(
    "--from-config",
    "from_config",
    type=click.Path(path_type=Path),
    default=None,
    help="With --dashboard: YAML/JSON of language -> sources, as for collect-mpep --all.",
)
@click.option(
    "--refresh-minutes",
    type=float,
    default=10.0,
    show_default=True,
    help="With --dashboard: how often it re-reads every source.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Update --out if an earlier render wrote it: its files are replaced, data/ is kept.",
)
@click.option(
    "--allow-other-files",
    is_flag=True,
    help="Also render into a folder holding files generate-space did not write (or the "
    "current folder); those files are left as they are.",
)
@click.option("--push", is_flag=True, help="Create the Space (and its sync dataset) on the Hub.")
@click.option(
    "--space-id", default=None, metavar="OWNER/NAME", help="The Space to create with --push."
)
@click.option(
    "--sync-repo",
    default=None,
    metavar="OWNER/NAME",
    help="Private dataset the Space syncs to [default: OWNER/mpep-<code>-responses].",
)
def generate_space_command(
    lang: str | None,
    prompts_source: str | None,
    out: Path | None,
    reviewers: str | None,
    min_approvals: int | None,
    translations_per_prompt: int | None,
    allow_self_review: bool | None,
    authorized_org: str,
    suggestions_file: Path | None,
    suggest_model: str | None,
    import_source: str | None,
    dashboard: bool,
    from_config: Path | None,
    refresh_minutes: float,
    force: bool,
    allow_other_files: bool,
    push: bool,
    space_id: str | None,
    sync_repo: str | None,
) -> None:
    """Render a ready-to-run MPEP translation Space for one language (or, with --dashboard,
    the dashboard of every language)."""
    from .output import OutputPolicy  # not loaded by collect-mpep

    if push and not space_id:
        raise UsageError("--push needs --space-id OWNER/NAME")
    if space_id:
        space_id = _repo_id(space_id, "--space-id")
    if dashboard and import_source is not None:
        raise UsageError("--import goes with --lang, not --dashboard")
    if dashboard:
        if lang is not None or prompts_source or suggestions_file or suggest_model:
            raise UsageError(
                "--dashboard takes --from-config, not --lang, --prompts or suggestions"
            )
        if from_config is None:
            raise UsageError("--dashboard needs --from-config FILE (language -> sources)")
        policy = OutputPolicy(force=force, allow_other_files=allow_other_files)
        _generate_dashboard(from_config, out, refresh_minutes, policy, push, space_id)
        return
    if lang is None:
        raise UsageError("give --lang CODE (or --dashboard --from-config FILE)")
    if suggestions_file and suggest_model:
        raise UsageError("give --suggestions FILE or --suggest-with MODEL, not both")
    _generate_language(
        lang,
        prompts_source,
        out,
        OutputPolicy(force=force, allow_other_files=allow_other_files),
        push,
        space_id,
        sync_repo,
        suggestions_file,
        suggest_model,
        import_source=import_source,
        reviewers=_split_users(reviewers),
        min_approvals=min_approvals,
        translations_per_prompt=translations_per_prompt,
        allow_self_review=allow_self_review,
        authorized_org=authorized_org,
    )


def _generate_language(
    lang: str,
    prompts_source: str | None,
    out: Path | None,
    policy: OutputPolicy,
    push: bool,
    space_id: str | None,
    sync_repo: str | None,
    suggestions_file: Path | None,
    suggest_model: str | None,
    *,
    import_source: str | None = None,
    **choices: Any,
) -> None:
    from .languages import get_language, unregistered_note
    from .prompts import DEFAULT_DATASET, load_prompts
    from .render import SpaceOptions, render_space

    spec = get_language(lang)
    if space_id:
        owner = space_id.split("/")[0]
        sync_repo = (
            _repo_id(sync_repo, "--sync-repo")
            if sync_repo
            else (f"{owner}/mpep-{spec.code.lower()}-responses")
        )
    elif sync_repo:
        sync_repo = _repo_id(sync_repo, "--sync-repo")
    token = _hub_token() if push else None
    source = prompts_source or DEFAULT_DATASET
    prompts = load_prompts(source)
    imports = None
    if import_source is not None:  # read before rendering: a bad source writes nothing
        from .importer import read_import

        imports = read_import(import_source)
    note = unregistered_note(spec)
    if note:
        click.echo(note, err=True)
    suggestions = None
    if suggestions_file is not None:
        from .suggest import load_suggestions

        suggestions = load_suggestions(suggestions_file, prompts)
    elif suggest_model:
        from .suggest import suggest_with_model

        suggestions = suggest_with_model(suggest_model, spec, prompts)
    options = SpaceOptions(
        sync_repo=sync_repo or "",
        source_dataset=source if "/" in source and not Path(source).exists() else DEFAULT_DATASET,
        **choices,
    )
    target = out if out is not None else Path(f"mpep-{spec.code.lower()}")
    folder = render_space(
        spec,
        prompts,
        target,
        options=options,
        suggestions=suggestions,
        force=policy.force,
        allow_other_files=policy.allow_other_files,
    )
    direction = " (right-to-left)" if spec.is_rtl else ""
    with_suggestions = f", {len(suggestions)} with machine suggestions" if suggestions else ""
    click.echo(
        f"Rendered the {spec.name} ({spec.native_name}) Space{direction} with "
        f"{len(prompts)} prompts{with_suggestions} in {_shown(folder)}"
    )
    if imports is not None:
        _import_translations(folder, imports)
    if push and space_id:
        from .hub import Hub

        result = Hub(token=token).push_space(
            folder, space_id=space_id, sync_repo=sync_repo or "", hf_token=token
        )
        click.echo(f"Pushed {result.space_url} (syncs to the private dataset {result.sync_repo})")
    else:
        click.echo(
            f"Run it:  cd {_shown(folder)} && pip install -r requirements.txt && python app.py"
        )


def _import_translations(folder: Path, source: ImportSource) -> None:
    from .importer import import_translations

    summary = import_translations(folder, source)
    for skipped in summary.skipped[:MAX_WARNINGS]:
        click.echo(f"warning: {skipped}", err=True)
    if len(summary.skipped) > MAX_WARNINGS:
        click.echo(f"warning: ... and {len(summary.skipped) - MAX_WARNINGS} more", err=True)
    line = (
        f"Imported {_plural(summary.imported, 'translation')} from {summary.origin}: "
        f"{_plural(summary.rows, 'row')}, {summary.matched_by_id} matched by id, "
        f"{summary.matched_by_text} by source text, {summary.skipped_rows} skipped"
    )
    if summary.skipped:
        line += " (warnings above)"
    if summary.without_submitted:
        line += f"; {summary.without_submitted} without a submitted translation"
    if summary.already:
        line += f"; {summary.already} already imported"
    click.echo(line)


def _generate_dashboard(
    from_config: Path,
    out: Path | None,
    refresh_minutes: float,
    policy: OutputPolicy,
    push: bool,
    space_id: str | None,
) -> None:
    from .dashboard import render_dashboard

    token = _hub_token() if push else None
    folder = render_dashboard(
        from_config,
        out or Path("mpep-dashboard"),
        refresh_minutes=refresh_minutes,
        force=policy.force,
        allow_other_files=policy.allow_other_files,
    )
    languages = len(json.loads((folder / "dashboard_config.json").read_text())["languages"])
    click.echo(
        f"Rendered the dashboard of {languages} languages in {_shown(folder)} "
        f"(re-reads every {refresh_minutes:g} minutes)"
    )
    if push and space_id:
        from .hub import Hub

        url = Hub(token=token).push_dashboard(folder, space_id=space_id, hf_token=token)
        click.echo(f"Pushed {url}")
    else:
        click.echo(
            f"Run it:  cd {_shown(folder)} && pip install -r requirements.txt && python app.py"
        )


def _hub_token(option: str = "--push") -> str:
    from huggingface_hub import get_token

    token = os.environ.get("HF_TOKEN") or get_token()
    if not token:
        raise UsageError(
            f"{option} needs a Hugging Face token: set HF_TOKEN or run 'hf auth login'"
        )
    return token


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


MAX_WARNINGS = 20  # per language; the rest are counted


@click.command(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  collect-mpep --lang nl --from spaces/mpep-nl --out datasets
  collect-mpep --lang nl --from spaces/mpep-nl --from backups/nl-data --out datasets
  collect-mpep --lang nl --from DIBT-Dutch/mpep-nl-responses --out datasets --push DIBT
  collect-mpep --all --from-config sources.yaml --out datasets

\b
A source is a rendered Space folder (events in data/events/), a Space's data
dir or a downloaded copy of its sync repo (events/ and space/), or the sync
repo's id on the Hub (OWNER/NAME). --from-config is a YAML or JSON mapping:
  nl: [spaces/mpep-nl, backups/nl-data]
  de: DIBT-German/mpep-de-responses""",
)
@click.option("--lang", "lang", default=None, help="BCP-47 code of the language to collect.")
@click.option(
    "--all", "all_languages", is_flag=True, help="Collect every language listed in --from-config."
)
@click.option(
    "--from",
    "sources",
    multiple=True,
    metavar="PATH_OR_REPO",
    help="A Space folder, data dir, sync repo copy or Hub dataset id (repeatable).",
)
@click.option(
    "--from-config",
    "from_config",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="YAML/JSON mapping of language code to its sources.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for MPEP_<NAME>/ datasets and progress.md/svg.",
)
@click.option(
    "--include-pending",
    is_flag=True,
    help="Also write the prompts that are not done, with their status.",
)
@click.option(
    "--push",
    "push_org",
    default=None,
    metavar="ORG",
    help="Publish each dataset to ORG/MPEP_<NAME> on the Hub.",
)
@click.option(
    "--outputs",
    "outputs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="With --lang: a model's AlpacaEval outputs ({instruction, output, generator}) for "
    "alpaca_eval.json, checked and written as alpaca_eval-<generator>.json (repeatable).",
)
def collect_mpep_command(
    lang: str | None,
    all_languages: bool,
    sources: tuple[str, ...],
    from_config: Path | None,
    out: Path,
    include_pending: bool,
    push_org: str | None,
    outputs: tuple[Path, ...],
) -> int:
    """Fold the Spaces' event logs into MPEP_<NAME> datasets with cards and a progress report."""
    from .arrow import without_numpy

    without_numpy()  # this process and its workers never use it: 0.13 s of CPU each
    from .collect import check_org, collect_many
    from .languages import canonical_code
    from .sources_file import load_sources_config

    plan = _collect_plan(lang, all_languages, sources, from_config)
    if outputs and all_languages:
        raise UsageError("--outputs goes with --lang: the outputs answer one language's prompts")
    if from_config is not None:
        if not from_config.is_file():
            raise ConfigError(f"--from-config file {str(from_config)!r} not found")
        listed = load_sources_config(from_config)
        if all_languages:
            plan = listed
        else:
            code = canonical_code(lang or "")
            if code not in listed and not sources:
                raise ConfigError(f"{from_config}: no sources for {code!r}")
            plan = {code: [*listed.get(code, []), *sources]}
    hub = None
    if push_org is not None:
        check_org(push_org)
        from .hub import Hub

        hub = Hub(token=_hub_token("--push"))
    run = collect_many(
        plan, out, include_pending=include_pending, hub=hub, push_org=push_org, outputs=outputs
    )
    if len(plan) == 1 and run.failures and not all_languages:
        raise CollectError(next(iter(run.failures.values())))
    _print_run(run)
    for code, message in sorted(run.failures.items()):
        click.echo(f"Error: {code}: {message}", err=True)
    if run.failures:
        click.echo(
            f"Error: {len(run.failures)} of {len(plan)} languages could not be collected", err=True
        )
        return EXIT_ERROR
    return 0


def _collect_plan(
    lang: str | None, all_languages: bool, sources: tuple[str, ...], from_config: Path | None
) -> dict[str, list[str]]:
    if lang and all_languages:
        raise UsageError("--lang and --all do not go together")
    if all_languages:
        if from_config is None:
            raise UsageError("--all needs --from-config FILE")
        if sources:
            raise UsageError(
                "--from goes with --lang; with --all, list the sources in --from-config"
            )
        return {}
    if not lang:
        raise UsageError(
            "give --lang CODE with --from PATH_OR_REPO, or --all with --from-config FILE"
        )
    from .languages import canonical_code

    code = canonical_code(lang)
    if not sources and from_config is None:
        raise UsageError(f"--lang {lang} needs --from PATH_OR_REPO (or --from-config FILE)")
    return {code: list(sources)}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _push_summary(push: DatasetPush) -> str:
    done = []
    if push.uploaded:
        done.append(f"pushed {_plural(len(push.uploaded), 'file')}")
    if push.deleted:
        done.append(f"removed {_plural(len(push.deleted), 'old file')}")
    return f"{', '.join(done) or 'unchanged on the Hub'} ({push.url})"


def _print_run(run: CollectRun) -> None:
    from .report import terminal_table

    for result in run.results:
        problems = result.problems
        for problem in problems[:MAX_WARNINGS]:
            click.echo(f"warning: {problem}", err=True)
        if len(problems) > MAX_WARNINGS:
            more = len(problems) - MAX_WARNINGS
            click.echo(f"warning: ... and {more} more problems in {result.dataset}", err=True)
        for note in result.notes:
            click.echo(f"warning: {note}", err=True)
    for result in run.results:
        where = f"into {_shown(result.folder)}" if result.data_file else "(nothing written)"
        line = (
            f"Collected {result.dataset} {where}: "
            f"{_plural(result.rows, 'row')} from {_plural(result.events, 'event')}"
        )
        if result.problems:
            line += f"; skipped {len(result.problems)} (warnings above)"
        if result.duplicates:
            line += f"; merged {_plural(result.duplicates, 'duplicate event')}"
        click.echo(line)
        for path in result.alpaca_outputs:
            click.echo(f"{result.dataset}: wrote the model outputs {_shown(path)}")
        if result.pushed:
            click.echo(f"{result.dataset}: {_push_summary(result.pushed)}")
    if run.results:
        click.echo("")
        click.echo(terminal_table(run.results))
        click.echo("")
    click.echo("Wrote " + " and ".join(_shown(p) for p in run.report))


def run_command(command: click.Command, argv: Sequence[str] | None = None) -> int:
    """Run a click command, turning every user error into one ``Error:`` line."""
    try:
        result = command.main(
            args=list(argv) if argv is not None else None,
            prog_name=command.name,
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Error: aborted", err=True)
        return EXIT_ERROR
    except click.UsageError as exc:
        click.echo(f"Error: {exc.format_message()} (see --help)", err=True)
        return EXIT_USAGE
    except GeneratorError as exc:
        click.echo(f"Error: {exc}", err=True)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_ERROR
    return result if isinstance(result, int) else 0


def _entry(command: click.Command) -> Callable[[], None]:
    def main() -> None:
        exit_now(run_command(command))

    return main


def exit_now(code: int) -> NoReturn:
    """End a command's process without tearing the interpreter down.

    The teardown frees every object and module one by one, and pyarrow's libraries
    after them: 20-45 ms, more than a one-language collect's own work. The exit
    handlers still run (they close what needs closing), and both streams are flushed;
    only the freeing, which the OS does at once, is skipped.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


generate_space_command.name = "generate-space"
generate_space = _entry(generate_space_command)
collect_mpep_command.name = "collect-mpep"
collect_mpep = _entry(collect_mpep_command)
