"""generate-space --import: carrying over a partial MPEP dataset (the published schema)
into a new Space -- matching by id and by text, reporting what does not match, never
importing twice -- then the Space offering only what is left, and collect-mpep keeping
the original translators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FakeHfApi, client
from mpep_generator.cli import collect_mpep_command, generate_space_command, run_command
from mpep_generator.errors import HubUnreachableError, ImportSourceError
from mpep_generator.hub import Hub
from mpep_generator.importer import import_event_id, import_translations
from mpep_generator.prompts import load_prompts
from mpep_space.events import event_files, read_logs

PROMPTS = load_prompts("sample")
# The published MPEP schema, as the Argilla 1.x exports have it.
MPEP_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        (
            "target",
            pa.list_(
                pa.struct(
                    [("user_id", pa.string()), ("value", pa.string()), ("status", pa.string())]
                )
            ),
        ),
        ("target-suggestion", pa.string()),
        (
            "target-suggestion-metadata",
            pa.struct([("type", pa.string()), ("score", pa.float32()), ("agent", pa.string())]),
        ),
        ("external_id", pa.string()),
        ("metadata", pa.string()),
    ]
)


def mpep_row(
    source: str, external_id: str | None, *targets: tuple[str, str, str]
) -> dict[str, Any]:
    return {
        "source": source,
        "target": [{"user_id": u, "value": v, "status": s} for u, v, s in targets],
        "target-suggestion": None,
        "target-suggestion-metadata": {"type": None, "score": None, "agent": None},
        "external_id": external_id,
        "metadata": "{}",
    }


def partial_dataset() -> list[dict[str, Any]]:
    """Rows of a half-finished Argilla-era Dutch set: what a language leader brings along."""
    p = PROMPTS
    return [
        mpep_row(p[0].text, p[0].id, ("maria", "Vertaling nul.", "submitted")),
        # No id (or an id from another numbering): matched by its exact source text.
        mpep_row(p[1].text, None, ("joost", "Vertaling een.", "submitted")),
        mpep_row(p[2].text, "not-an-id", ("joost", "Vertaling twee.", "submitted")),
        # Its id names a prompt, but the text is not that prompt's: reported, skipped.
        mpep_row(p[3].text + " (edited)", p[3].id, ("maria", "Vertaling drie.", "submitted")),
        # Nothing here matches.
        mpep_row("A prompt this Space does not have.", "zzz", ("maria", "Iets.", "submitted")),
        # Only a discarded and a draft response: nothing to import, not an error.
        mpep_row(
            p[4].text, p[4].id, ("anna", "Slecht.", "discarded"), ("anna", "Concept.", "draft")
        ),
        # A broken response next to a good one: the good one is imported.
        mpep_row(
            p[5].text,
            p[5].id,
            ("", "Zonder naam.", "submitted"),
            ("anna", "Vertaling vijf.", "submitted"),
        ),
    ]


def write_parquet(rows: list[dict[str, Any]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=MPEP_SCHEMA), path)
    return path


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def generate(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = run_command(generate_space_command, [str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def imported_events(space: Path) -> list[Any]:
    return [
        e for e in read_logs(event_files(space / "data" / "events")).events if e.kind == "import"
    ]


def test_import_matches_by_id_and_text_reports_the_rest_and_never_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = write_parquet(partial_dataset(), tmp_path / "MPEP_DUTCH" / "train.parquet")
    space = tmp_path / "sp"
    code, out, err = generate(
        capsys, "--lang", "nl", "--prompts", "sample", "--out", space, "--import", dataset
    )
    assert code == 0, err
    assert err.splitlines() == [
        f"warning: {dataset}: row 4: 'source' differs from the bundled prompt {PROMPTS[3].id!r}",
        f"warning: {dataset}: row 5: matches no bundled prompt (external_id 'zzz', nor its source)",
        f"warning: {dataset}: row 7 item 1: a submitted translation needs a user_id and a value",
    ]
    assert (
        "Imported 4 translations from train.parquet: 7 rows, 3 matched by id, 2 by source "
        "text, 3 skipped (warnings above); 1 without a submitted translation\n"
    ) in out
    events = imported_events(space)
    assert sorted((e.prompt_id, e.user, e.text, e.origin) for e in events) == sorted(
        [
            (PROMPTS[0].id, "maria", "Vertaling nul.", "train.parquet"),
            (PROMPTS[1].id, "joost", "Vertaling een.", "train.parquet"),
            (PROMPTS[2].id, "joost", "Vertaling twee.", "train.parquet"),
            (PROMPTS[5].id, "anna", "Vertaling vijf.", "train.parquet"),
        ]
    )
    assert events[0].id == import_event_id(events[0].prompt_id, events[0].user, events[0].text)
    files = sorted((space / "data" / "events").iterdir())

    # Again, from a copy in another format and place: nothing is added.
    again = import_translations(space, str(write_jsonl(partial_dataset(), tmp_path / "x.jsonl")))
    assert (again.imported, again.already, again.file) == (0, 4, None)
    assert sorted((space / "data" / "events").iterdir()) == files
    assert len(imported_events(space)) == 4


def test_an_imported_dataset_on_the_hub_goes_through_the_hub_boundary(
    tmp_path: Path, fake_hub: FakeHfApi, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = fake_hub.repo_dir("DIBT/MPEP_DUTCH")
    write_parquet(partial_dataset()[:2], repo / "data" / "train-00000-of-00001.parquet")
    (repo / "README.md").write_text("---\nlicense: apache-2.0\n---\n")
    assert generate(capsys, "--lang", "nl", "--prompts", "sample", "--out", tmp_path / "sp")[0] == 0
    summary = import_translations(tmp_path / "sp", "DIBT/MPEP_DUTCH", hub=Hub(fake_hub))
    assert fake_hub.calls == [
        (
            "snapshot_download",
            ("DIBT/MPEP_DUTCH",),
            {
                "repo_type": "dataset",
                "allow_patterns": ["*.parquet", "*.jsonl", "**/*.parquet", "**/*.jsonl"],
            },
        )
    ]
    assert (summary.imported, summary.matched_by_id, summary.matched_by_text) == (2, 1, 1)
    assert {e.origin for e in imported_events(tmp_path / "sp")} == {"DIBT/MPEP_DUTCH"}
    with pytest.raises(HubUnreachableError, match="cannot reach the Hugging Face Hub") as info:
        import_translations(tmp_path / "sp", "DIBT/nothing", hub=Hub(fake_hub))
    assert str(info.value).endswith("download it and give the file: --import FILE.parquet")


def test_push_puts_the_imported_translations_where_the_space_restores_from(
    tmp_path: Path,
    hub_login: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_hub = hub_login("hf_test")
    dataset = write_jsonl(partial_dataset()[:1], tmp_path / "part.jsonl")
    code, out, err = generate(
        capsys,
        *("--lang", "nl", "--prompts", "sample", "--out", tmp_path / "sp"),
        *("--import", dataset, "--push", "--space-id", "DIBT-Dutch/mpep-nl"),
    )
    assert code == 0, err
    (name,) = [p.name for p in (tmp_path / "sp" / "data" / "events").iterdir()]
    synced = fake_hub.repo_dir("DIBT-Dutch/mpep-nl-responses") / "events" / name
    assert synced.read_bytes() == (tmp_path / "sp" / "data" / "events" / name).read_bytes()
    uploads = [kw for call, _, kw in fake_hub.calls if call == "upload_folder"]
    assert [u["repo_id"] for u in uploads] == ["DIBT-Dutch/mpep-nl-responses", "DIBT-Dutch/mpep-nl"]
    assert "data/**" in uploads[1]["ignore_patterns"]  # the Space's own upload leaves data/ out


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (
            ["--import", "missing.parquet"],
            1,
            "--import file 'missing.parquet' not found; give a .parquet or .jsonl file in the "
            "MPEP schema, or a Hub dataset id",
        ),
        (
            ["--import", "notes.txt"],
            1,
            "--import 'notes.txt': unsupported file type '.txt'; use .parquet or .jsonl",
        ),
        (
            ["--import", "not a dataset"],
            1,
            "--import 'not a dataset' is neither a .parquet or .jsonl file nor a Hub dataset id "
            "(OWNER/NAME)",
        ),
        (["--import", "bad.parquet"], 1, "bad.parquet: cannot be read as parquet"),
        (["--import", ""], 1, "--import is empty; give a .parquet or .jsonl file or OWNER/NAME"),
    ],
)
def test_import_errors_are_one_line(
    args: list[str],
    status: int,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "bad.parquet").write_text("not parquet")
    code, out, err = generate(capsys, "--lang", "nl", "--prompts", "sample", "--out", "sp", *args)
    assert code == status
    assert err.startswith(f"Error: {message}") and err.count("\n") == 1
    assert not (tmp_path / "sp").exists()  # read before rendering: nothing written


def test_import_errors_subclass_builtins(tmp_path: Path) -> None:
    space = tmp_path / "sp"
    assert (
        run_command(
            generate_space_command, ["--lang", "nl", "--prompts", "sample", "--out", str(space)]
        )
        == 0
    )
    with pytest.raises(ImportSourceError) as info:
        import_translations(space, str(tmp_path / "missing.jsonl"))
    assert isinstance(info.value, ValueError)


def test_dashboard_refuses_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = generate(
        capsys, "--dashboard", "--from-config", tmp_path / "s.yaml", "--import", "x.jsonl"
    )
    assert (code, err) == (2, "Error: --import goes with --lang, not --dashboard\n")


@pytest.mark.slow
def test_the_space_offers_only_what_is_left_and_collect_keeps_the_translators(
    tmp_path: Path,
    start_space: Any,
    space_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datasets import load_dataset

    rows = [
        mpep_row(p.text, p.id, (f"argilla-{i % 3}", f"Vertaling {p.id}", "submitted"))
        for i, p in enumerate(PROMPTS)
        if i not in (5, 30)
    ]
    dataset = write_parquet(rows, tmp_path / "partial.parquet")
    space = tmp_path / "sp"
    code, out, err = generate(
        capsys, "--lang", "nl", "--prompts", "sample", "--out", space, "--import", dataset
    )
    assert (code, err) == (0, ""), err
    assert "Imported 46 translations from partial.parquet: 46 rows, 46 matched by id" in out

    running = start_space(space, dict(space_env, MPEP_DATA_DIR=str(space / "data")))
    alice, bob, carol = (client(running.url, u) for u in ("alice", "bob", "carol"))
    first = alice.predict(api_name="/next_prompt")
    second = bob.predict(api_name="/next_prompt")
    assert [first["prompt_id"], second["prompt_id"]] == [PROMPTS[5].id, PROMPTS[30].id]
    assert carol.predict(api_name="/next_prompt") is None  # everything else is done
    alice.predict(first["prompt_id"], "Een nieuwe vertaling.", api_name="/submit_translation")
    running.kill()

    out_dir = tmp_path / "datasets"
    code = run_command(
        collect_mpep_command, ["--lang", "nl", "--from", str(space), "--out", str(out_dir)]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    assert "46 rows from 47 events" in out
    ds = load_dataset(str(out_dir / "MPEP_DUTCH"), split="train", cache_dir=str(tmp_path / "c"))
    by_id = {row["external_id"]: row for row in ds}
    assert by_id[PROMPTS[0].id]["target"] == [
        {"user_id": "argilla-0", "value": f"Vertaling {PROMPTS[0].id}", "status": "submitted"}
    ]
    card = (out_dir / "MPEP_DUTCH" / "README.md").read_text()
    assert "- 46 accepted translations were carried over from\n  `partial.parquet`" in card
    (history,) = by_id[PROMPTS[1].id]["history"]
    assert (history["user_id"], history["status"], history["origin"]) == (
        "argilla-1",
        "approved",
        "partial.parquet",
    )
