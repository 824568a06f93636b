"""The wheel round trip: what a language leader gets from `pip install mpep-generator`.

A wheel is built from a clean copy of the tracked files and installed into a fresh venv
under tmp; from a folder far from the checkout, its `generate-space` renders the Dutch
Space, the Space serves and takes a translation and a review, and its `collect-mpep`
writes MPEP_DUTCH. Tests reach no network: the venv gets the dependencies of
`[space,collect]` from this test venv's site-packages (a `.pth` line, which does not
activate the editable install of the checkout) and pip installs with `--no-index`.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import REPO, client

from bench.common import Server, hermetic_env

pytestmark = pytest.mark.slow
RUNTIME_TOP_LEVEL = {"mpep_generator", "mpep_space", "mpep_dashboard"}


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_copy(into: Path) -> Path:
    """The files git tracks or would track (a fresh clone of what is committed, plus work in
    progress), without build litter or ignored files; symlinks stay symlinks."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in sorted(set(filter(None, listed.split("\0")))):
        source, target = REPO / name, into / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet committed
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            target.write_bytes(source.read_bytes())
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    source = _clean_copy(root / "src")
    dist = root / "dist"
    env = hermetic_env(root)
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "-q", "-w", str(dist), str(source)],
        root,
        env,
    )
    (built,) = dist.glob("mpep_generator-*.whl")
    return built


def test_the_wheel_has_specific_top_level_names_and_no_braces(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if "{{" in n or "}}" in n]
    top = {n.split("/", 1)[0] for n in names if ".dist-info/" not in n}
    assert top == RUNTIME_TOP_LEVEL
    for folder, package in (
        ("generator", "mpep_generator"),
        ("template/mpep_space", "mpep_space"),
        ("template/mpep_dashboard", "mpep_dashboard"),
    ):  # every module of every (sub)package: pyproject lists packages one by one
        for module in (REPO / folder).rglob("*.py"):
            if "__pycache__" not in module.parts:
                assert f"{package}/{module.relative_to(REPO / folder)}" in names
    for data in (
        "mpep_generator/template/cookiecutter.json",
        "mpep_generator/template/hooks/post_gen_project.py",
        "mpep_generator/template/files/app.py",
        "mpep_generator/template/files/.gitignore",
        "mpep_generator/template/dashboard/files/app.py",
        "mpep_generator/template/dashboard/hooks/post_gen_project.py",
        "mpep_generator/language_files/nl.yaml",
        "mpep_generator/data/sample_prompts.jsonl",
    ):
        assert data in names


def _fresh_venv(root: Path, wheel: Path) -> Path:
    venv = root / "venv"
    env = hermetic_env(root)
    _run([sys.executable, "-m", "venv", str(venv)], root, env)
    python = venv / "bin" / "python"
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root, env
    ).strip()
    shared = sysconfig.get_paths()["purelib"]
    Path(site, "mpep_test_dependencies.pth").write_text(shared + "\n")
    _run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", f"{wheel}[space,collect]"],
        root,
        env,
    )
    return venv


def test_install_render_serve_translate_review_collect(wheel: Path, tmp_path: Path) -> None:
    venv = _fresh_venv(tmp_path, wheel)
    bin_dir = venv / "bin"
    far = tmp_path / "somewhere" / "else"
    far.mkdir(parents=True)
    env = hermetic_env(tmp_path)

    where = _run(
        [str(bin_dir / "python"), "-c", "import mpep_generator; print(mpep_generator.__file__)"],
        far,
        env,
    )
    assert where.startswith(str(venv)), where  # the wheel's copy, not the checkout's

    out = _run(
        [str(bin_dir / "generate-space"), "--lang", "nl", "--prompts", "sample", "--out", "sp"],
        far,
        env,
    )
    assert out.startswith("Rendered the Dutch (Nederlands) Space with 48 prompts in sp")
    space = far / "sp"
    assert (space / "mpep_space" / "rules.py").is_file()
    assert not [p for p in space.rglob("*") if "{{" in str(p) or "__pycache__" in p.parts]

    users = tmp_path / "users.txt"
    users.write_text("alice:alice-pw\nrita:rita-pw\n")
    space_env = hermetic_env(
        tmp_path, MPEP_USERS=str(users), MPEP_REVIEWERS="rita", MPEP_DATA_DIR=str(space / "data")
    )
    with Server(
        [str(bin_dir / "python"), "app.py"], space, space_env, tmp_path / "space.log"
    ) as server:
        server.start(timeout=120)
        alice, rita = client(server.url, "alice"), client(server.url, "rita")
        prompt = alice.predict(api_name="/next_prompt")
        text = "Een vertaling uit een wiel, met alle getallen: " + prompt["source"][:40]
        alice.predict(prompt["prompt_id"], text, api_name="/submit_translation")
        review = rita.predict(api_name="/next_review")
        assert review["text"] == text
        verdict = rita.predict(
            review["translation_id"], "approve", "", "", api_name="/submit_review"
        )
        assert verdict["prompt_status"] == "done"

    collected = _run(
        [str(bin_dir / "collect-mpep"), "--lang", "nl", "--from", "sp", "--out", "datasets"],
        far,
        env,
    )
    assert "Collected MPEP_DUTCH" in collected
    (parquet,) = (far / "datasets" / "MPEP_DUTCH" / "data").glob("*.parquet")
    rows = pq.read_table(parquet).to_pylist()
    assert [
        (r["external_id"], r["target"][0]["user_id"], r["target"][0]["value"]) for r in rows
    ] == [(prompt["prompt_id"], "alice", text)]
