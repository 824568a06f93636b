"""--out and --force: a re-render replaces generate-space's own files and nothing else.

Issue 11: `--force` used to delete the Space's event log (data/), `--out . --force` deleted
unrelated files, and `--out` a FIFO or device was renamed away or replaced.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from mpep_generator.errors import OutputExistsError
from mpep_generator.output import MANIFEST, OutputPolicy, check_target
from test_generate import assert_one_error_line, cli

SAMPLE = ("--lang", "nl", "--prompts", "sample")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _render(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, *SAMPLE, "--out", str(out), *extra)


@pytest.fixture
def space(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "mpep-nl"
    assert _render(capsys, out)[0] == 0
    events = out / "data" / "events"
    events.mkdir(parents=True)
    (events / "a.jsonl").write_text('{"v":1,"id":"x"}\n', encoding="utf-8")
    return out


def test_force_replaces_the_app_and_keeps_data_byte_for_byte(
    space: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_before = _snapshot(space / "data")
    log = (space / "data" / "events" / "a.jsonl").open("a", encoding="utf-8")  # a running Space
    (space / "mpep_space" / "stale_module.py").write_text("# from an older release\n")
    code, out, err = _render(capsys, space, "--force", "--reviewers", "rita")
    assert code == 0, err
    assert '"rita"' in (space / "space_config.json").read_text()
    assert _snapshot(space / "data") == data_before
    log.write("acknowledged after the re-render\n")
    log.close()
    assert (space / "data" / "events" / "a.jsonl").read_text().endswith("re-render\n")
    assert not (space / "mpep_space" / "stale_module.py").exists()
    assert sorted(p.name for p in space.parent.iterdir()) == ["mpep-nl"]  # no staging left


def test_force_refuses_a_folder_with_other_files_and_writes_nothing(
    space: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (space / "notes.txt").write_text("mine")
    before = _snapshot(space)
    code, _, err = _render(capsys, space, "--force", "--reviewers", "rita")
    assert code == 1
    assert_one_error_line(
        err,
        f'"{space}" holds files generate-space did not write (notes.txt); move them away, '
        "or pass --allow-other-files to leave them in place",
    )
    assert _snapshot(space) == before


def test_allow_other_files_leaves_them_alone(
    space: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (space / "notes.txt").write_text("mine")
    assert _render(capsys, space, "--force", "--allow-other-files", "--reviewers", "rita")[0] == 0
    assert (space / "notes.txt").read_text() == "mine"
    assert '"rita"' in (space / "space_config.json").read_text()
    assert "notes.txt" not in (space / MANIFEST).read_text()


def test_the_current_folder_and_its_parents_need_the_explicit_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "work" / "project"
    here.mkdir(parents=True)
    (here / "unrelated.py").write_text("print('keep me')\n")
    monkeypatch.chdir(here)
    code, _, err = _render(capsys, Path("."), "--force")
    assert code == 1
    assert_one_error_line(
        err,
        '--out "." is the current folder; choose a new folder, or pass --allow-other-files '
        "to render into it (files generate-space did not write are left as they are)",
    )
    code, _, err = _render(capsys, Path(".."), "--force")
    assert code == 1 and "is a parent of the current folder" in err
    assert sorted(p.name for p in here.iterdir()) == ["unrelated.py"]
    assert sorted(p.name for p in here.parent.iterdir()) == ["project"]

    code, _, err = _render(capsys, Path("."), "--force", "--allow-other-files")
    assert code == 0, err
    assert (here / "unrelated.py").read_text() == "print('keep me')\n"
    assert (here / "app.py").is_file()


@pytest.mark.parametrize("kind", ["file", "fifo", "socket", "link-to-file", "link-to-folder"])
def test_an_out_that_is_not_a_folder_is_refused_and_left_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    target = tmp_path / "target"
    if kind == "file":
        target.write_text("precious")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
    else:
        real = tmp_path / ("real.txt" if kind == "link-to-file" else "real-dir")
        real.write_text("x") if kind == "link-to-file" else real.mkdir()
        target.symlink_to(real)
    before = os.lstat(target)
    code, out, err = _render(capsys, target, "--force", "--allow-other-files")
    assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("Error: ")
    assert str(target) in err
    after = os.lstat(target)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (
        before.st_ino,
        stat.S_IFMT(before.st_mode),
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_device_is_refused_before_anything_is_written() -> None:
    with pytest.raises(OutputExistsError, match="special file"):
        check_target(Path("/dev/null"), OutputPolicy(force=True, allow_other_files=True))
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_an_out_through_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = _render(capsys, tmp_path / "file" / "sub")
    assert code == 1
    file, out = tmp_path / "file", tmp_path / "file" / "sub"
    assert_one_error_line(err, f'"{file}" is not a folder, so --out "{out}" cannot be made')


# -- Space README front matter, language files, prompt sizes (issue 11 "Low", issue 13 item 6)


def test_front_matter_is_written_by_a_yaml_dumper(tmp_path: Path) -> None:
    """A name with quotes and newlines stays one value; it cannot add keys."""
    import yaml
    from mpep_generator.spacecard import space_front_matter

    hostile = 'Dutch"\nhf_oauth: false\nx: "'
    text = space_front_matter(hostile, "nl", source_dataset="a/b", authorized_org="DIBT")
    data = yaml.safe_load(text.split("---\n")[1])
    assert data["title"] == f"MPEP {hostile}" and data["hf_oauth"] is True
    assert data["hf_oauth_authorized_org"] == "DIBT" and "x" not in data


@pytest.mark.parametrize("org", ["DIBT\nhf_oauth: false", "a b", 'x"y', "a/b"])
def test_an_authorized_org_that_is_not_a_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], org: str
) -> None:
    code, _, err = _render(capsys, tmp_path / "out", "--authorized-org", org)
    assert code == 2  # a usage error
    assert_one_error_line(
        err,
        "--authorized-org must be a Hugging Face organisation name (letters, digits, "
        f"'-', '_', '.'), not {org!r}",
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("code", ["nl", "zh-Hant-HK", "sr-Latn-BA", "yue", "pt-BR", "tzm-Tfng-MA"])
def test_short_description_fits_the_hub_limit(code: str) -> None:
    import yaml
    from mpep_generator.languages import get_language
    from mpep_generator.spacecard import space_front_matter

    spec = get_language(code)
    text = space_front_matter(spec.name, spec.code, source_dataset="a/b")
    assert len(yaml.safe_load(text.split("---\n")[1])["short_description"]) <= 60


def test_the_templates_default_front_matter_is_the_generators() -> None:
    """Plain `cookiecutter template` renders the Dutch demo's front matter, as made here."""
    import json

    from conftest import REPO
    from mpep_generator.spacecard import dashboard_front_matter, space_front_matter

    space = json.loads((REPO / "template" / "cookiecutter.json").read_text())
    assert space["_front_matter"] == space_front_matter(
        space["language_name"], space["lang_code"], source_dataset=space["source_dataset"]
    )
    board = json.loads((REPO / "template" / "dashboard" / "cookiecutter.json").read_text())
    assert board["_front_matter"] == dashboard_front_matter(board["title"])


def test_a_yaml_alias_bomb_in_a_language_file_is_refused(tmp_path: Path) -> None:
    from mpep_generator.errors import LanguageFileError
    from mpep_generator.languages import load_language_file

    lines = ["code: nl", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
        for i in range(8)
    ]
    path = tmp_path / "nl.yaml"
    path.write_text("\n".join(lines) + "\nguidelines: *i\n")
    with pytest.raises(LanguageFileError, match="aliases"):
        load_language_file(path)


@pytest.mark.parametrize("key", ["name", "native_name", "dataset"])
def test_language_names_are_one_line(tmp_path: Path, key: str) -> None:
    from mpep_generator.errors import LanguageFileError
    from mpep_generator.languages import load_language_file

    path = tmp_path / "nl.yaml"
    path.write_text(f'code: nl\n{key}: "Dutch\\nhf_oauth: false"\n')
    with pytest.raises(LanguageFileError, match=f"key '{key}' must be one line of text"):
        load_language_file(path)


def test_an_overlong_prompt_is_refused_at_generation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text(
        '{"prompt": "ok", "row_idx": 1}\n' + '{"prompt": "%s", "row_idx": 2}\n' % ("x" * 12_001)
    )
    code, _, err = cli(
        capsys, "--lang", "nl", "--prompts", str(source), "--out", str(tmp_path / "o")
    )
    assert code == 1
    assert_one_error_line(
        err,
        f"{source}: line 2: prompt is 12,001 characters long (at most 12,000, so that "
        "translators can work on it); shorten it or leave it out",
    )
    assert not (tmp_path / "o").exists()


def test_a_sources_file_reads_no_as_norwegian_and_refuses_aliases(tmp_path: Path) -> None:
    """YAML 1.1 reads `no:` as False ("unknown language code 'False'"); ours reads YAML 1.2
    booleans only. Aliases are refused as in language files."""
    from mpep_generator.errors import ConfigError
    from mpep_generator.sources_file import load_sources_config

    path = tmp_path / "sources.yaml"
    path.write_text("no: [spaces/mpep-no]\nnl: spaces/mpep-nl\n")
    assert load_sources_config(path) == {"no": ["spaces/mpep-no"], "nl": ["spaces/mpep-nl"]}
    path.write_text("a: &x [spaces/a]\nnl: *x\n")
    with pytest.raises(ConfigError, match="aliases"):
        load_sources_config(path)
