"""generate-space: rendering, the language registry, prompt validation, errors, --push."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, FakeHfApi, render
from huggingface_hub import SpaceCard
from mpep_generator import render as render_mod
from mpep_generator.cli import generate_space_command, run_command
from mpep_generator.errors import LanguageFileError, PromptSourceError
from mpep_generator.hub import Hub
from mpep_generator.languages import all_languages, get_language, load_language_file
from mpep_generator.prompts import content_id, load_prompt_file, load_prompts
from mpep_space.config import load_config

GOLDEN = Path(__file__).parent / "golden" / "mpep-nl"
RENDERED_FILES = [
    ".gitignore",
    "README.md",
    "app.py",
    "prompts.jsonl",
    "requirements.txt",
    "space_config.json",
]
SPACES_KEYS = {
    "title",
    "emoji",
    "colorFrom",
    "colorTo",
    "sdk",
    "sdk_version",
    "python_version",
    "app_file",
    "pinned",
    "short_description",
    "hf_oauth",
    "hf_oauth_scopes",
    "hf_oauth_expiration_minutes",
    "hf_oauth_authorized_org",
    "datasets",
    "models",
    "tags",
    "license",
    "startup_duration_timeout",
}
LANGUAGE_FILES = sorted(p.stem for p in (REPO / "languages").glob("*.yaml"))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run_command(generate_space_command, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str, expected: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err == f"Error: {expected}\n"


# -- the happy path ------------------------------------------------------------------------


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    for option in (
        "--lang",
        "--prompts",
        "--out",
        "--reviewers",
        "--min-approvals",
        "--force",
        "--push",
        "--space-id",
        "--sync-repo",
    ):
        assert option in out
    assert "generate-space --lang nl --prompts sample" in out


@pytest.mark.parametrize("code", LANGUAGE_FILES)
def test_every_registered_language_renders(
    code: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "space"
    status, stdout, err = cli(capsys, "--lang", code, "--prompts", "sample", "--out", str(out))
    assert status == 0, err
    spec = get_language(code)
    assert f"Rendered the {spec.name} ({spec.native_name}) Space" in stdout
    card = SpaceCard.load(out / "README.md")
    data = card.data.to_dict()
    # SpaceCard.validate() asks the Hub; offline we check the keys Spaces documents.
    assert set(data) <= SPACES_KEYS, set(data) - SPACES_KEYS
    assert data["sdk"] == "gradio" and data["app_file"] == "app.py" and data["hf_oauth"] is True
    assert spec.name in data["title"] and len(data["short_description"]) <= 60
    requirements = (out / "requirements.txt").read_text()
    assert f"gradio[oauth]=={data['sdk_version']}" in requirements
    config = load_config(out, env={})
    assert config.language.code == code
    assert config.language.dataset == spec.dataset
    assert len(config.prompts) == 48
    assert config.language.direction == ("rtl" if code == "ar" else "ltr")


def test_arabic_space_is_right_to_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "X"
    assert cli(capsys, "--lang", "ar", "--prompts", "sample", "--out", str(out))[0] == 0
    config = json.loads((out / "space_config.json").read_text())
    assert config["language"]["direction"] == "rtl"
    assert config["language"]["native_name"] == "العربية"


def test_registry_uses_cldr_names_and_overrides() -> None:
    assert get_language("ta").native_name == "தமிழ்"
    assert get_language("yue").native_name == "粵語"
    assert get_language("yue").script == "Hant"
    tagalog = get_language("tl")
    assert (tagalog.name, tagalog.dataset) == ("Tagalog", "MPEP_TAGALOG")
    assert get_language("nl").dataset == "MPEP_DUTCH"
    assert get_language("pt-br").code == "pt-BR"  # any valid code works, in canonical case
    assert get_language("dv").direction == "rtl"  # Thaana
    assert len(all_languages()) == 20


def test_unregistered_language_gets_defaults_and_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = cli(
        capsys, "--lang", "ckb", "--prompts", "sample", "--out", str(tmp_path / "ckb")
    )
    assert status == 0
    assert err.startswith("Note: ckb (Central Kurdish) has no file in languages/")
    assert (
        json.loads((tmp_path / "ckb/space_config.json").read_text())["language"]["direction"]
        == "rtl"
    )


def test_options_reach_the_space_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nl"
    status, _, _ = cli(
        capsys,
        "--lang",
        "nl",
        "--prompts",
        "sample",
        "--out",
        str(out),
        "--reviewers",
        "ann, ben",
        "--min-approvals",
        "2",
        "--translations-per-prompt",
        "3",
        "--allow-self-review",
    )
    assert status == 0
    config = load_config(out, env={})
    assert config.reviewers == ("ann", "ben")
    assert (config.min_approvals, config.translations_per_prompt) == (2, 3)
    assert config.allow_self_review is True
    assert load_config(out, env={"MPEP_REVIEWERS": "zoe"}).reviewers == ("zoe",)


def _rendered_tree(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in RENDERED_FILES}


def test_dutch_space_matches_golden_files(tmp_path: Path) -> None:
    """Set MPEP_UPDATE_GOLDEN=1 to rewrite tests/golden/ after an intended change."""
    out = render(tmp_path, "nl", name="mpep-nl")
    produced = _rendered_tree(out)
    if os.environ.get("MPEP_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        GOLDEN.mkdir(parents=True)
        for name, data in produced.items():
            (GOLDEN / name).write_bytes(data)
    for name, data in produced.items():
        assert data == (GOLDEN / name).read_bytes(), f"{name} differs from tests/golden"
    _assert_runtime_copied(out, "mpep_space")
    assert not list(out.rglob("__pycache__"))


def _assert_runtime_copied(project: Path, package: str) -> None:
    """The hook copied the runtime package, file for file, and nothing else."""
    runtime = REPO / "template" / package
    expected = sorted(
        p.relative_to(runtime) for p in runtime.rglob("*.py") if "__pycache__" not in p.parts
    )
    copied = sorted(
        p.relative_to(project / package) for p in (project / package).rglob("*") if p.is_file()
    )
    assert copied == expected
    for name in expected:
        assert (project / package / name).read_bytes() == (runtime / name).read_bytes()


def test_plain_cookiecutter_cli_renders_the_template(tmp_path: Path) -> None:
    cookiecutter = Path(sys.executable).with_name("cookiecutter")
    result = subprocess.run(
        [
            str(cookiecutter),
            "--no-input",
            str(REPO / "template"),
            "-o",
            str(tmp_path),
            "lang_code=de",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    space = tmp_path / "mpep-de"
    assert SpaceCard.load(space / "README.md").data.to_dict()["sdk"] == "gradio"
    config = load_config(space, env={})
    assert [p.id for p in config.prompts] == ["1", "2", "3"]
    assert "{name}" in config.prompts[0].prompt
    _assert_runtime_copied(space, "mpep_space")


def test_a_missing_template_variable_fails_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tmp_path / "template"
    shutil.copytree(REPO / "template", template, ignore=shutil.ignore_patterns("__pycache__"))
    (template / "{{cookiecutter.space_dir}}" / "extra.txt").write_text(
        "{{ cookiecutter.not_defined_anywhere }}\n"
    )

    @contextmanager
    def broken_template(kind: str) -> Iterator[Path]:
        yield template

    monkeypatch.setattr(render_mod, "cookiecutter_template", broken_template)
    with pytest.raises(render_mod.TemplateError, match="not_defined_anywhere"):
        render(tmp_path, "nl", name="out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


TRICKY = [
    "He said \"hello\" and she said 'bye'.",
    "Render {{ user.name }} and {% raw %}{{ x }}{% endraw %} literally; keep {name} and %s.",
    "Backslashes \\n and \\\\ and a tab\there, trailing spaces   ",
    'العربية: ما هو "الذكاء" الاصطناعي؟',
    "தமிழ் உரை with 'quotes'",
    "粵語：「你好」{{ cookiecutter.lang_code }}",
]


@pytest.mark.parametrize("lang", ["ar", "ta", "yue"])
def test_tricky_text_round_trips_byte_for_byte(tmp_path: Path, lang: str) -> None:
    source = tmp_path / "tricky.jsonl"
    source.write_text(
        "".join(
            json.dumps({"prompt": t, "row_idx": i}, ensure_ascii=False) + "\n"
            for i, t in enumerate(TRICKY)
        ),
        encoding="utf-8",
    )
    out = render(tmp_path, lang, prompts=str(source))
    config = load_config(out, env={})
    assert [p.prompt for p in config.prompts] == TRICKY
    assert [p.id for p in config.prompts] == [str(i) for i in range(len(TRICKY))]
    spec = get_language(lang)
    assert config.language.native_name == spec.native_name
    assert config.guidelines == spec.guidelines
    assert [g.translation for g in config.glossary] == [g.translation for g in spec.glossary]


# -- prompt sources --------------------------------------------------------------------------


def test_prompt_ids_are_row_idx_or_a_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"prompt": "A", "row_idx": 9005}\n{"prompt": "B"}\n'
        '{"prompt": "C", "id": "c-1", "metadata": {"k": 1}}\n'
    )
    prompts = load_prompt_file(path)
    assert [p.id for p in prompts] == ["9005", content_id("B"), "c-1"]
    assert content_id("B") == content_id("B") and len(content_id("B")) == 12
    assert json.loads(prompts[2].metadata) == {"k": 1}


def test_csv_and_parquet_sources(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_file = tmp_path / "p.csv"
    csv_file.write_text(
        'prompt,metadata,row_idx\n"Hi, ""you""",{},7\nSecond line,,8\n', encoding="utf-8"
    )
    assert [(p.id, p.text) for p in load_prompt_file(csv_file)] == [
        ("7", 'Hi, "you"'),
        ("8", "Second line"),
    ]
    table = pa.table({"prompt": ["x", "y"], "metadata": ['{"a": 1}', "{}"], "row_idx": [3, 4]})
    pq.write_table(table, tmp_path / "p.parquet")
    assert [p.id for p in load_prompt_file(tmp_path / "p.parquet")] == ["3", "4"]


def test_the_sample_covers_the_mpep_categories() -> None:
    prompts = load_prompts("sample")
    assert 30 <= len(prompts) <= 60
    texts = [p.text for p in prompts]
    assert any("```" in t for t in texts) and any("{name}" in t for t in texts)
    assert any("https://" in t for t in texts) and any("|" in t for t in texts)
    assert max(map(len, texts)) > 1800 and min(map(len, texts)) < 30


def test_default_source_uses_the_hub_boundary(tmp_path: Path) -> None:
    fake = FakeHfApi(tmp_path / "hub")
    repo = fake.repo_dir("data-is-better-together/prompts_ranked_multilingual_benchmark")
    (repo / "data").mkdir()
    (repo / "data" / "train.jsonl").write_text('{"prompt": "P", "metadata": "{}", "row_idx": 1}\n')
    prompts = load_prompts(hub=Hub(fake))
    assert [p.id for p in prompts] == ["1"]
    assert fake.calls[0][0] == "snapshot_download"
    assert fake.calls[0][2]["repo_type"] == "dataset"


# -- errors: one line, nothing written ---------------------------------------------------


def _bad_file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


BAD_PROMPTS = {
    "empty prompt": (
        "e.jsonl",
        b'{"prompt": "ok", "row_idx": 1}\n{"prompt": "  ", "row_idx": 2}\n',
        "{p}: line 2: empty prompt",
    ),
    "duplicate id": (
        "d.jsonl",
        b'{"prompt": "a", "row_idx": 1}\n{"prompt": "b", "row_idx": 1}\n',
        "{p}: line 2: duplicate id '1' (first on line 1)",
    ),
    "duplicate text": (
        "t.jsonl",
        b'{"prompt": "a", "row_idx": 1}\n{"prompt": "a", "row_idx": 2}\n',
        "{p}: line 2: duplicate prompt text (same as line 1)",
    ),
    "not utf-8": (
        "u.jsonl",
        b'{"prompt": "a"}\n{"prompt": "caf\xe9"}\n',
        "{p}: line 2 is not UTF-8 (byte 0xe9); save the file as UTF-8",
    ),
    "missing column": (
        "m.csv",
        b"text,row_idx\nhello,1\n",
        "{p}: no 'prompt' column (found: text, row_idx); a prompt file needs at least 'prompt'",
    ),
    "bad json": ("j.jsonl", b'{"prompt": "a"}\n{"prompt": \n', "{p}: line 2: not valid JSON"),
    "path in id": (
        "i.jsonl",
        b'{"prompt": "a", "id": "../etc"}\n',
        "{p}: line 1: id '../etc' is not usable; ids are 1-64 letters, digits, '.', "
        "'_', ':' or '-'",
    ),
    "control char": (
        "c.jsonl",
        b'{"prompt": "a\\u0000b"}\n',
        "{p}: line 1: prompt contains the control character U+0000",
    ),
    "empty file": ("z.jsonl", b"", "{p}: no prompts found"),
    "bad type": (
        "x.txt",
        b"hello",
        "{p}: unsupported file type '.txt'; use .jsonl, .csv or .parquet",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PROMPTS))
def test_bad_prompt_files_give_one_line_and_write_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, data, message = BAD_PROMPTS[case]
    path = _bad_file(tmp_path, name, data)
    out = tmp_path / "out"
    code, stdout, err = cli(capsys, "--lang", "nl", "--prompts", path, "--out", str(out))
    assert code == 1 and stdout == ""
    assert_one_error_line(err, message.format(p=path))
    assert not out.exists()


BAD_ARGS = {
    "unknown code": (
        ["--lang", "xx-yy"],
        "unknown language code 'xx-yy' (not BCP-47). Try 'nl', 'pt-BR'; see languages/.",
    ),
    "path traversal": (
        ["--lang", "../x"],
        "unknown language code '../x' (not BCP-47). Try 'nl', 'pt-BR'; see languages/.",
    ),
    "path suffix": (
        ["--lang", "nl/.."],
        "unknown language code 'nl/..' (not BCP-47). Try 'nl', 'pt-BR'; see languages/.",
    ),
    "empty code": (
        ["--lang", ""],
        "unknown language code '' (not BCP-47). Try 'nl', 'pt-BR'; see languages/.",
    ),
    "english": (
        ["--lang", "en"],
        "'en' is English, the source language of MPEP; choose a language to translate into.",
    ),
    "missing file": (
        ["--lang", "nl", "--prompts", "nope.jsonl"],
        "prompt file 'nope.jsonl' not found; give a .jsonl, .csv or .parquet file, "
        "or --prompts sample",
    ),
    "push without space": (
        ["--lang", "nl", "--prompts", "sample", "--push"],
        "--push needs --space-id OWNER/NAME",
    ),
    "bad space id": (
        ["--lang", "nl", "--prompts", "sample", "--space-id", "just-a-name"],
        "--space-id must look like OWNER/NAME, not 'just-a-name'",
    ),
    "zero approvals": (
        ["--lang", "nl", "--prompts", "sample", "--min-approvals", "0"],
        "--min-approvals must be at least 1, not 0",
    ),
    "not a number": (
        ["--lang", "nl", "--min-approvals", "two"],
        "Invalid value for '--min-approvals': 'two' is not a valid integer. (see --help)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGS))
def test_bad_arguments_give_one_line_and_write_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args, message = BAD_ARGS[case]
    code, stdout, err = cli(capsys, *args)
    assert code in (1, 2) and stdout == ""
    assert_one_error_line(err, message)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_hub_says_so_and_suggests_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Offline(FakeHfApi):
        def snapshot_download(self, repo_id: str, **kwargs: object) -> str:
            raise ConnectionError("Name or service not known")

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", lambda **_: Offline(tmp_path / "hub"))
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "--lang", "nl")
    assert code == 1
    assert_one_error_line(
        err,
        "cannot reach the Hugging Face Hub to download "
        "data-is-better-together/prompts_ranked_multilingual_benchmark (Name or service not "
        "known); use --prompts FILE (.jsonl, .csv or .parquet) or --prompts sample",
    )
    assert [p.name for p in tmp_path.iterdir()] == ["hub"] or list(tmp_path.iterdir()) == []


def test_existing_output_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nl"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, _, err = cli(capsys, "--lang", "nl", "--prompts", "sample", "--out", str(out))
    assert code == 1
    assert_one_error_line(
        err, f'"{out}" already exists and is not empty; use --force to replace it'
    )
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code: nl\ndataset: MPEP_DUTCH\nreviewer: [a]\n", "unknown key 'reviewer'"),
        ("code: nl\nreviewers: alice\n", "key 'reviewers' must be a list, not 'alice'"),
        ("code: de\n", "key 'code' is 'de' but the file is named 'nl.yaml'"),
        ("code: nl\nmin_approvals: 0\n", "key 'min_approvals' must be at least 1, not 0"),
        (
            "code: nl\nglossary:\n  - term: x\n",
            "glossary entry 1: 'translation' must be a non-empty",
        ),
        ("code: [nl\n", "cannot be read as YAML"),
    ],
)
def test_language_files_are_a_closed_schema(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "nl.yaml"
    path.write_text(content)
    with pytest.raises(LanguageFileError) as info:
        load_language_file(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_every_language_file_is_valid_yaml_with_guidelines() -> None:
    for path in (REPO / "languages").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["guidelines"].strip(), path
        assert load_language_file(path).dataset.startswith("MPEP_")


def test_prompt_errors_are_library_errors_too(tmp_path: Path) -> None:
    with pytest.raises(PromptSourceError):
        load_prompt_file(tmp_path / "absent.jsonl")
    with pytest.raises(ValueError):  # PromptSourceError is a ValueError for library callers
        load_prompts("not a file or id")


# -- --push through the Hub boundary ------------------------------------------------------


def test_push_creates_space_dataset_secret_and_variable(tmp_path: Path) -> None:
    fake = FakeHfApi(tmp_path / "hub")
    folder = render(tmp_path, "nl")
    result = Hub(fake).push_space(
        folder,
        space_id="DIBT-Dutch/mpep-nl",
        sync_repo="DIBT-Dutch/mpep-nl-responses",
        hf_token="hf_x",
    )
    assert result.space_url == "https://huggingface.co/spaces/DIBT-Dutch/mpep-nl"
    assert fake.names() == [
        "create_repo",
        "create_repo",
        "add_space_secret",
        "add_space_variable",
        "upload_folder",
    ]
    dataset_call, space_call = fake.calls[0], fake.calls[1]
    assert dataset_call[1] == ("DIBT-Dutch/mpep-nl-responses",)
    assert dataset_call[2] == {"repo_type": "dataset", "private": True, "exist_ok": True}
    assert space_call[2]["repo_type"] == "space" and space_call[2]["space_sdk"] == "gradio"
    assert space_call[2]["space_secrets"] == [{"key": "HF_TOKEN", "value": "hf_x"}]
    assert space_call[2]["space_variables"] == [
        {"key": "MPEP_SYNC_REPO", "value": "DIBT-Dutch/mpep-nl-responses"}
    ]
    assert fake.calls[2][1] == ("DIBT-Dutch/mpep-nl", "HF_TOKEN", "hf_x")
    upload = fake.calls[4][2]
    assert upload["repo_id"] == "DIBT-Dutch/mpep-nl" and upload["repo_type"] == "space"
    assert (fake.repo_dir("DIBT-Dutch/mpep-nl") / "app.py").is_file()


def test_push_from_the_cli_uses_the_token_and_default_sync_repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hub_login: Any
) -> None:
    fake = hub_login("hf_secret")
    out = tmp_path / "nl"
    code, stdout, err = cli(
        capsys,
        "--lang",
        "nl",
        "--prompts",
        "sample",
        "--out",
        str(out),
        "--push",
        "--space-id",
        "leader/mpep-nl",
    )
    assert code == 0, err
    assert "Pushed https://huggingface.co/spaces/leader/mpep-nl" in stdout
    assert load_config(out, env={}).sync_repo == "leader/mpep-nl-responses"
    assert fake.calls[0][1] == ("leader/mpep-nl-responses",)
    assert ("add_space_secret", ("leader/mpep-nl", "HF_TOKEN", "hf_secret"), {}) in fake.calls


def test_push_without_a_token_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "--lang", "nl", "--prompts", "sample", "--push", "--space-id", "a/b")
    assert code == 2
    assert_one_error_line(
        err, "--push needs a Hugging Face token: set HF_TOKEN or run 'hf auth login'"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_cli_does_not_import_gradio_or_datasets(tmp_path: Path) -> None:
    code = (
        "import sys; from mpep_generator.cli import run_command, generate_space_command;"
        f"rc = run_command(generate_space_command, ['--lang', 'nl', '--prompts', 'sample', "
        f"'--out', {str(tmp_path / 'o')!r}]);"
        "heavy = [m for m in ('gradio', 'datasets', 'transformers', 'torch') if m in sys.modules];"
        "print(rc, heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().splitlines()[-1] == "0 []"


def test_the_cldr_cache_is_exactly_what_langcodes_derives() -> None:
    """The cache only saves start-up time; `python -m mpep_generator.languages` rewrites it."""
    from mpep_generator.languages import CLDR_CACHE, derive_from_cldr

    cached = json.loads(CLDR_CACHE.read_text(encoding="utf-8"))
    assert sorted(cached) == LANGUAGE_FILES
    for code, values in cached.items():
        assert values == derive_from_cldr(code), code


def test_the_gradio_pin_has_one_value_everywhere() -> None:
    """mpep_space.GRADIO_VERSION is the pin; the places that cannot import it repeat it."""
    import tomllib

    from mpep_space import GRADIO_VERSION

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert f"gradio[oauth]=={GRADIO_VERSION}" in extras["space"]
    for template in (REPO / "template", REPO / "template" / "dashboard"):
        defaults = json.loads((template / "cookiecutter.json").read_text())
        assert defaults["gradio_version"] == GRADIO_VERSION


def test_a_language_file_is_read_once_per_version(tmp_path: Path) -> None:
    """get_language keeps a file's spec (a collect asks for each language twice) and reads
    the file again once it changed."""
    path = tmp_path / "nl.yaml"
    path.write_text("code: nl\nmin_approvals: 2\n", encoding="utf-8")
    first = get_language("nl", tmp_path)
    assert get_language("nl", tmp_path) is first
    path.write_text("code: nl\nmin_approvals: 3\nreviewers: [rita]\n", encoding="utf-8")
    again = get_language("nl", tmp_path)
    assert (first.min_approvals, again.min_approvals, again.reviewers) == (2, 3, ("rita",))
