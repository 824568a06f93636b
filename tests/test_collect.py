"""collect-mpep: folding hand-written event logs, the dataset and its card, the progress
report, reproducibility, --all, --push through a recording fake, errors, and one run
from a real Space driven through its API."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pyarrow.parquet as pq
import pytest
from conftest import FakeHfApi, client, render
from mpep_generator.cli import collect_mpep_command, run_command
from mpep_generator.collect import collect_language, collect_many
from mpep_generator.errors import CollectError, HubUnreachableError
from mpep_generator.hub import Hub
from mpep_generator.languages import get_language
from mpep_generator.render import SpaceOptions, space_config
from mpep_generator.results import CollectResult
from mpep_generator.schema import ALPACA_FILE, features
from mpep_space.events import Event, Kind

COLUMNS = [
    "source",
    "target",
    "target-suggestion",
    "target-suggestion-metadata",
    "external_id",
    "metadata",
    "translation",
    "reviews",
    "qa_warnings",
    "suggestion_unchanged",
    "status",
    "history",
]
# Bundled order on purpose not sorted: rows keep it, alpaca_eval.json sorts by id.
PROMPTS = [
    {"id": "10", "prompt": "Write to {name} about the meeting.", "metadata": '{"k": 1}'},
    {"id": "2", "prompt": "Say \"hi\" and 'bye' in {{ x }}.", "metadata": "{}"},
    {"id": "1", "prompt": "Define entropy.", "metadata": "{}"},
    {"id": "7", "prompt": "Explain `ls -la`.", "metadata": "{}"},
]
SUGGESTION = {"text": "Definieer entropie.", "agent": "nllb-200", "score": 0.5, "type": "model"}


# -- event-log builders ---------------------------------------------------------------------


@dataclass
class Log:
    """Hand-written events with fixed ids and increasing timestamps (so runs repeat)."""

    prefix: str = "a"
    events: list[Event] = field(default_factory=list)
    start: datetime = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

    def _add(self, kind: Kind, user: str, prompt_id: str, **fields: Any) -> Event:
        n = len(self.events) + 1
        ts = (self.start + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        event = Event(
            id=f"{self.prefix}{n:031x}",
            ts=ts,
            kind=kind,
            user=user,
            prompt_id=prompt_id,
            **fields,
        )
        self.events.append(event)
        return event

    def translate(self, user: str, prompt_id: str, text: str, **fields: Any) -> Event:
        return self._add("translation", user, prompt_id, text=text, **fields)

    def review(
        self,
        user: str,
        translation: Event,
        verdict: str = "approve",
        comment: str = "",
        edited: str | None = None,
    ) -> Event:
        return self._add(
            "review",
            user,
            translation.prompt_id,
            translation_id=translation.id,
            verdict=verdict,
            comment=comment,
            edited_text=edited,
        )

    def flag(self, user: str, prompt_id: str, reason: str) -> Event:
        return self._add("flag", user, prompt_id, reason=reason)

    def text(self) -> str:
        return "".join(e.to_json() + "\n" for e in self.events)


def data_dir(
    root: Path,
    log: Log | None = None,
    *,
    lang: str = "nl",
    prompts: list[dict[str, Any]] | None = None,
    bundle: bool = True,
    tail: str = "",
    **options: Any,
) -> Path:
    """A Space data dir as a running Space leaves it: events/ plus the space/ bundle."""
    (root / "events").mkdir(parents=True, exist_ok=True)
    if bundle:
        (root / "space").mkdir(exist_ok=True)
        config = space_config(get_language(lang), SpaceOptions(**options))
        (root / "space" / "space_config.json").write_text(json.dumps(config, indent=2))
        lines = [
            json.dumps({"suggestion": None, **p}, ensure_ascii=False) for p in prompts or PROMPTS
        ]
        (root / "space" / "prompts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if log is not None:
        (root / "events" / f"{log.prefix}.jsonl").write_text(log.text() + tail, encoding="utf-8")
    return root


def data_file(folder: Path) -> Path:
    """The one data file of a dataset folder (its name carries a digest of its bytes)."""
    (path,) = (folder / "data").glob("train-00000-of-00001-*.parquet")
    return path


def review(
    user: str, verdict: str, comment: str, ts: str, edited: str | None = None
) -> dict[str, Any]:
    """A review as the ``history`` column holds it."""
    return {
        "user_id": user,
        "verdict": verdict,
        "comment": comment,
        "edited_value": edited,
        "reviewed_at": ts,
    }


def path_of(result: CollectResult) -> Path:
    assert result.data_file is not None
    return result.data_file


def rows_of(result: CollectResult) -> list[dict[str, Any]]:
    assert path_of(result) == data_file(result.folder)
    return pq.read_table(path_of(result)).to_pylist()


def by_id_of(out: Path) -> dict[str, dict[str, Any]]:
    rows = pq.read_table(data_file(out / "MPEP_DUTCH")).to_pylist()
    return {row["external_id"]: row for row in rows}


def by_id(result: CollectResult) -> dict[str, dict[str, Any]]:
    return {row["external_id"]: row for row in rows_of(result)}


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = run_command(collect_mpep_command, [str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- folding --------------------------------------------------------------------------------


def test_rejected_then_approved(tmp_path: Path) -> None:
    log = Log()
    first = log.translate("alice", "1", "Definieer entropy.")
    log.review("rita", first, "reject", "Half Engels.")
    second = log.translate("bob", "1", "Definieer entropie.")
    log.review("rita", second, "approve", "Goed.")
    result = collect_language("nl", [str(data_dir(tmp_path / "d", log))], tmp_path / "out")

    (row,) = rows_of(result)
    assert row["external_id"] == "1" and row["source"] == "Define entropy."
    assert row["translation"] == "Definieer entropie." and row["status"] == "done"
    assert row["target"] == [
        {"user_id": "bob", "value": "Definieer entropie.", "status": "submitted"}
    ]
    assert row["reviews"] == [{"user_id": "rita", "verdict": "approve", "comment": "Goed."}]
    assert row["history"] == [
        {
            "translation_id": first.id,
            "user_id": "alice",
            "value": "Definieer entropy.",
            "status": "rejected",
            "submitted_at": first.ts,
            "origin": None,
            "reviews": [review("rita", "reject", "Half Engels.", log.events[1].ts)],
        },
        {
            "translation_id": second.id,
            "user_id": "bob",
            "value": "Definieer entropie.",
            "status": "approved",
            "submitted_at": second.ts,
            "origin": None,
            "reviews": [review("rita", "approve", "Goed.", log.events[3].ts)],
        },
    ]
    assert result.progress.done == 1 and result.problems == ()


def test_two_translations_one_approved(tmp_path: Path) -> None:
    log = Log()
    log.translate("alice", "2", "Zeg 'hoi'.")
    bob = log.translate("bob", "2", "Zeg \"hoi\" en 'doei' in {{ x }}.")
    log.review("rita", bob)
    source = data_dir(tmp_path / "d", log, translations_per_prompt=2)
    result = collect_language("nl", [str(source)], tmp_path / "out")

    (row,) = rows_of(result)
    assert row["translation"] == "Zeg \"hoi\" en 'doei' in {{ x }}."
    assert [(t["user_id"], t["status"]) for t in row["target"]] == [("bob", "submitted")]
    assert [(h["user_id"], h["status"]) for h in row["history"]] == [
        ("alice", "pending"),
        ("bob", "approved"),
    ]


def test_edit_and_approve_keeps_the_translators_text(tmp_path: Path) -> None:
    log = Log()
    original = log.translate("alice", "1", "Definieer entropie.", suggestion_unchanged=True)
    log.review("rita", original, "approve", "Kleine correctie.", edited="Wat is entropie?")
    prompts = [dict(p, suggestion=SUGGESTION) if p["id"] == "1" else p for p in PROMPTS]
    result = collect_language(
        "nl", [str(data_dir(tmp_path / "d", log, prompts=prompts))], tmp_path / "out"
    )

    (row,) = rows_of(result)
    assert row["translation"] == "Wat is entropie?"
    assert row["target"] == [
        {"user_id": "rita", "value": "Wat is entropie?", "status": "submitted"}
    ]
    (entry,) = row["history"]
    assert (entry["user_id"], entry["value"], entry["status"]) == (
        "alice",
        "Definieer entropie.",
        "approved",
    )
    assert entry["reviews"] == [
        review("rita", "approve", "Kleine correctie.", log.events[1].ts, "Wat is entropie?")
    ]
    assert row["suggestion_unchanged"] is False  # the reviewer changed it
    assert row["target-suggestion"] == "Definieer entropie."
    assert row["target-suggestion-metadata"] == {"type": "model", "score": 0.5, "agent": "nllb-200"}
    assert json.loads((result.folder / ALPACA_FILE).read_text()) == [
        {"instruction": "Wat is entropie?", "dataset": "MPEP_DUTCH"}
    ]


def test_flagged_prompt_is_left_out_unless_pending_are_included(tmp_path: Path) -> None:
    log = Log()
    log.flag("carol", "7", "Only makes sense in English.")
    done = log.translate("alice", "1", "Definieer entropie.")
    log.review("rita", done)
    waiting = log.translate("bob", "2", "Zeg hoi.")
    source = str(data_dir(tmp_path / "d", log))

    result = collect_language("nl", [source], tmp_path / "out")
    assert [r["external_id"] for r in rows_of(result)] == ["1"]
    assert (result.progress.flagged, result.progress.awaiting_review) == (1, 1)

    pending = collect_language("nl", [source], tmp_path / "all", include_pending=True)
    rows = rows_of(pending)
    assert [(r["external_id"], r["status"]) for r in rows] == [
        ("10", "untranslated"),
        ("2", "awaiting_review"),
        ("1", "done"),
        ("7", "flagged"),
    ]  # bundled order, every prompt once
    assert rows[1]["translation"] is None
    assert rows[1]["target"] == []  # not done: nothing accepted
    assert [(h["user_id"], h["value"], h["status"]) for h in rows[1]["history"]] == [
        ("bob", waiting.text, "pending")
    ]
    assert rows[0]["target"] == [] and rows[0]["history"] == []
    assert rows[0]["target-suggestion"] is None  # as Argilla writes it, not ""
    alpaca = json.loads((pending.folder / ALPACA_FILE).read_text())
    assert [a["instruction"] for a in alpaca] == ["Definieer entropie."]  # only done prompts


def test_duplicate_events_across_two_sources_count_once(tmp_path: Path) -> None:
    log = Log()
    t = log.translate("alice", "1", "Definieer entropie.")
    log.review("rita", t)
    restored = data_dir(tmp_path / "restored", log)
    backup = data_dir(tmp_path / "backup", log, bundle=False)  # an older copy: events only
    extra = Log(prefix="b", start=datetime(2026, 11, 2, tzinfo=UTC))
    t2 = extra.translate("bob", "2", "Zeg hoi.")
    extra.review("rita", t2)
    (backup / "events" / "b.jsonl").write_text(extra.text())

    merged = collect_language("nl", [str(restored), str(backup)], tmp_path / "out")
    assert merged.duplicates == 2 and merged.events == 4
    assert sorted(by_id(merged)) == ["1", "2"]
    assert merged.progress.contributors[0].user == "rita"
    assert [(c.translations, c.reviews) for c in merged.progress.contributors] == [
        (0, 2),
        (1, 0),
        (1, 0),
    ]


def test_an_event_id_seen_twice_with_other_content_is_a_conflict_not_a_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = Log()
    t = log.translate("alice", "1", "Definieer entropie.")
    log.review("rita", t)
    d = data_dir(tmp_path / "d", log)
    copy = data_dir(tmp_path / "copy", log, bundle=False)  # a faithful copy: a duplicate
    forged = Log()
    forged.translate("mallory", "1", "Iets anders.")  # the same id as alice's translation
    (copy / "events" / "z.jsonl").write_text(forged.text())
    code, out, err = cli(
        capsys, "--lang", "nl", "--from", d, "--from", copy, "--out", tmp_path / "out"
    )
    assert code == 0
    first = d / "events" / "a.jsonl"
    assert err.splitlines() == [
        f"warning: {copy / 'events' / 'z.jsonl'}:1: event id {t.id} was read before with other "
        f"content ({first}:1); kept the first"
    ]
    assert "1 row from 2 events; skipped 1 (warnings above); merged 2 duplicate events" in out
    assert by_id_of(tmp_path / "out")["1"]["target"][0]["user_id"] == "alice"


def test_links_out_of_a_source_are_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = Log()
    log.review("rita", log.translate("alice", "1", "Definieer entropie."))
    d = data_dir(tmp_path / "d", log)
    other = Log(prefix="b")  # another Space's log, somewhere else on the disk
    other.review("rita", other.translate("mallory", "2", "Niet van deze Space."))
    elsewhere = tmp_path / "elsewhere" / "b.jsonl"
    elsewhere.parent.mkdir()
    elsewhere.write_text(other.text())
    (d / "events" / "b.jsonl").symlink_to(elsewhere)
    inside = Log(prefix="c")  # a link that stays inside the source is fine
    inside.review("rita", inside.translate("bob", "10", "Schrijf naar {name}."))
    (d / "old").mkdir()
    (d / "old" / "c.jsonl").write_text(inside.text())
    (d / "events" / "c.jsonl").symlink_to(Path("..") / "old" / "c.jsonl")

    code, out, err = cli(capsys, "--lang", "nl", "--from", d, "--out", tmp_path / "out")
    assert code == 0
    assert err.splitlines() == [
        f"warning: {d / 'events' / 'b.jsonl'}:0: a link out of the source (to {elsewhere}): "
        "not read"
    ]
    assert sorted(by_id_of(tmp_path / "out")) == ["1", "10"]
    assert "2 rows from 4 events; skipped 1 (warnings above)" in out


def test_a_source_of_another_language_is_refused_by_one_shared_check(tmp_path: Path) -> None:
    from mpep_space.config import load_config
    from mpep_space.sources import language_mismatch

    config = load_config(data_dir(tmp_path / "d", lang="pt-BR") / "space", env={})
    assert language_mismatch(config, "pt-BR") is None
    assert language_mismatch(config, "pt-br") is None  # BCP-47 tags ignore case
    assert language_mismatch(config, "pt") == "is a Space for 'pt-BR', not 'pt'"
    nl = load_config(data_dir(tmp_path / "nl", lang="nl") / "space", env={})
    assert language_mismatch(nl, "fr") == "is a Space for 'nl', not 'fr'"
    with pytest.raises(CollectError, match="is a Space for 'nl', not 'fr'"):
        collect_language("fr", [str(tmp_path / "nl")], tmp_path / "out")


def test_bad_lines_are_skipped_reported_and_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = Log()
    t = log.translate("alice", "1", "Definieer entropie.")
    log.review("rita", t)
    log.translate("bob", "999", "Een prompt die niet bestaat.")
    log.review("alice", t, "approve")  # self-review is off: ignored
    future = json.dumps({"v": 2, "id": "f" * 32, "kind": "translation", "user": "x"})
    d = data_dir(tmp_path / "d", log, tail=future + '\n{"v": 1, "id": "torn')
    code, out, err = cli(capsys, "--lang", "nl", "--from", d, "--out", tmp_path / "out")

    events = d / "events" / "a.jsonl"
    assert code == 0
    assert err.splitlines() == [
        f"warning: {events}:3: translation ignored: unknown prompt id '999'",
        f"warning: {events}:4: review ignored: self-review is not allowed in this language",
        f"warning: {events}:5: unknown schema version 2",
        f"warning: {events}:6: not valid JSON (a torn or corrupt line)",
    ]
    assert "1 row from 4 events; skipped 4 (warnings above)" in out
    table = pq.read_table(data_file(tmp_path / "out" / "MPEP_DUTCH"))
    assert table.column("translation").to_pylist() == ["Definieer entropie."]


def test_warnings_are_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = data_dir(tmp_path / "d", Log(), tail="not json\n" * 25)
    code, _, err = cli(capsys, "--lang", "nl", "--from", d, "--out", tmp_path / "out")
    assert code == 0
    lines = err.splitlines()
    assert len(lines) == 22
    assert lines[-2] == "warning: ... and 5 more problems in MPEP_DUTCH"
    assert lines[-1] == "warning: MPEP_DUTCH has no done prompts yet: no dataset written"


def test_the_same_prompt_approved_twice_gives_one_row(tmp_path: Path) -> None:
    """The 501-rows case: more approvals than prompts never means more rows."""
    log = Log()
    for pid in ("10", "2", "1", "7"):
        log.review("rita", log.translate("alice", pid, f"Vertaling {pid}"))
    again = log.translate("bob", "1", "Nog een vertaling van 1")
    log.review("rita", again)  # a second approved translation of prompt 1
    log.review("carol", again)
    source = data_dir(tmp_path / "d", log, translations_per_prompt=2)
    result = collect_language("nl", [str(source)], tmp_path / "out")

    rows = rows_of(result)
    assert len(rows) == 4 == len(PROMPTS)
    assert [r["external_id"] for r in rows] == ["10", "2", "1", "7"]
    one = by_id(result)["1"]
    assert one["target"] == [{"user_id": "alice", "value": "Vertaling 1", "status": "submitted"}]
    assert [h["status"] for h in one["history"]] == ["approved", "approved"]
    alpaca = json.loads((result.folder / ALPACA_FILE).read_text())
    assert [a["instruction"] for a in alpaca] == [
        "Vertaling 1",
        "Vertaling 2",
        "Vertaling 7",
        "Vertaling 10",
    ]


# -- the dataset, its card, reproducibility ---------------------------------------------------


def test_collecting_twice_is_byte_identical_and_new_events_only_add(tmp_path: Path) -> None:
    log = Log()
    t = log.translate(
        "alice",
        "1",
        "Definieer entropie.",
        qa=({"code": "length", "severity": "warning", "message": "m"},),
    )
    log.review("rita", t)
    source = data_dir(tmp_path / "d", log)
    collect_many({"nl": [str(source)]}, tmp_path / "one")
    collect_many({"nl": [str(source)]}, tmp_path / "two")
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    state = {name for name in digest(tmp_path / "one") if name.startswith(".mpep-collect/nl/")}
    assert len(state) == 2  # state.json and the kept reading of the one event file
    assert set(digest(tmp_path / "one")) - state == {
        "MPEP_DUTCH/README.md",
        "MPEP_DUTCH/alpaca_eval.json",
        data_file(tmp_path / "one" / "MPEP_DUTCH").relative_to(tmp_path / "one").as_posix(),
        "progress.md",
        "progress.svg",
    }

    before = rows_of(collect_language("nl", [str(source)], tmp_path / "one"))
    t2 = log.translate("bob", "2", "Zeg hoi.")
    log.review("rita", t2)
    data_dir(tmp_path / "d", log)
    after = rows_of(collect_language("nl", [str(source)], tmp_path / "one"))
    assert [r for r in after if r["external_id"] != "2"] == before
    assert len(after) == 2


def test_columns_and_types_are_stable(tmp_path: Path) -> None:
    log = Log()
    log.translate("alice", "1", "Definieer entropie.")  # pending: no review, no QA
    result = collect_language(
        "nl", [str(data_dir(tmp_path / "d", log))], tmp_path / "out", include_pending=True
    )
    table = pq.read_table(result.data_file)
    assert table.num_rows == 4 and table.column_names == COLUMNS
    assert table.schema.equals(features().arrow_schema)
    assert str(table.schema.field("target-suggestion-metadata").type) == (
        "struct<type: string, score: float, agent: string>"
    )


def test_a_language_with_nothing_done_writes_no_dataset_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``datasets`` (3.6 and current) cannot load a parquet file without rows."""
    log = Log()
    log.translate("alice", "1", "Definieer entropie.")  # awaiting review
    d = data_dir(tmp_path / "d", log)
    code, out, err = cli(capsys, "--lang", "nl", "--from", d, "--out", tmp_path / "out")
    assert code == 0
    assert err == "warning: MPEP_DUTCH has no done prompts yet: no dataset written\n"
    assert out.startswith("Collected MPEP_DUTCH (nothing written): 0 rows from 1 event\n")
    assert not (tmp_path / "out" / "MPEP_DUTCH").exists()
    assert (
        "| Dutch (nl) | MPEP_DUTCH | 4 | 1 | 1 | 0 |"
        in (tmp_path / "out" / "progress.md").read_text()
    )


def test_card_is_a_valid_dataset_card_with_counts_and_quality(tmp_path: Path) -> None:
    from huggingface_hub import DatasetCard

    log = Log()
    finding = {"code": "placeholder_missing", "severity": "warning", "message": "{name}"}
    t = log.translate("alice", "10", "Schrijf over de vergadering.", qa=(finding,))
    log.review("rita", t)
    t = log.translate(
        "bob",
        "1",
        "Definieer entropie.",
        suggestion_unchanged=True,
        qa=({"code": "suggestion_unchanged", "severity": "info", "message": "m"},),
    )
    log.review("rita", t)
    prompts = [dict(p, suggestion=SUGGESTION) if p["id"] == "1" else p for p in PROMPTS]
    result = collect_many(
        {"nl": [str(data_dir(tmp_path / "d", log, prompts=prompts))]}, tmp_path / "out"
    ).results[0]

    assert result.quality == {"placeholder_missing": 1, "suggestion_unchanged": 1}
    assert result.unchanged_suggestions == 1
    assert by_id(result)["10"]["qa_warnings"] == ["placeholder_missing"]
    assert by_id(result)["1"]["suggestion_unchanged"] is True

    card = DatasetCard.load(result.folder / "README.md")
    data = card.data.to_dict()
    assert data["language"] == ["en", "nl"] and data["license"] == "apache-2.0"
    assert data["task_categories"] == ["translation"] and data["size_categories"] == ["n<1K"]
    assert data["annotations_creators"] == ["crowdsourced"]
    assert data["multilinguality"] == ["translation"]
    assert data["source_datasets"] == [
        "data-is-better-together/prompts_ranked_multilingual_benchmark"
    ]
    path = result.data_file.relative_to(result.folder).as_posix()
    assert data["configs"][0]["data_files"] == [{"split": "train", "path": path}]
    info = data["dataset_info"]
    assert info["splits"] == [
        {"name": "train", "num_bytes": pq.read_table(path_of(result)).nbytes, "num_examples": 2}
    ]
    assert info["download_size"] == result.data_file.stat().st_size
    assert [f["name"] for f in info["features"]] == COLUMNS
    assert info["features"][1] == {
        "name": "target",
        "list": [
            {"name": "user_id", "dtype": "string"},
            {"name": "value", "dtype": "string"},
            {"name": "status", "dtype": "string"},
        ],
    }
    assert info["features"][8] == {"name": "qa_warnings", "sequence": "string"}
    assert "| 4 | 2 | 0 | 2 | 0 | 0 | 50.0% |" in card.text
    assert "| `rita` | 0 | 2 |" in card.text
    placeholder = "A placeholder ({name}, {{x}}, %s, %(x)s, $VAR, ${VAR}, &lt;tag&gt;"
    assert f"| `placeholder_missing` | {placeholder}" in card.text
    assert 'load_dataset("ORG/MPEP_DUTCH", split="train")' in card.text
    progress = (tmp_path / "out" / "progress.md").read_text()
    assert "| Dutch (nl) | MPEP_DUTCH | 4 | 2 | 0 | 2 | 0 | 3 | 50.0% |" in progress
    assert "| Dutch (nl) | 2 | 1 | 1 | 1 |" in progress  # accepted, unchanged, per code
    chart = ElementTree.fromstring((tmp_path / "out" / "progress.svg").read_text())
    bars = [t.text for t in chart.iter("{http://www.w3.org/2000/svg}title")]
    assert bars == ["MPEP translation progress", "done: 2", "to do: 2"]


def assert_readable_by_datasets_3(path: Path) -> None:
    """``datasets`` 3.x rebuilds the features from the parquet's ``huggingface`` metadata and
    has no ``List`` feature type (``Feature type 'List' not found``): lists must be written as
    ``[feature]``. This form was loaded by hand with datasets 3.6.0 in a separate venv (the
    shared test venv has the current release, which reads it too: see the tests that load)."""
    metadata = json.loads(pq.read_schema(path).metadata[b"huggingface"])
    assert '"_type": "List"' not in json.dumps(metadata)
    columns = metadata["info"]["features"]
    value = {"dtype": "string", "_type": "Value"}
    assert columns["target"] == [{"user_id": value, "value": value, "status": value}]
    assert columns["qa_warnings"] == [value]
    assert isinstance(columns["history"], list)
    assert isinstance(columns["history"][0]["reviews"], list)


def test_the_consumer_join_gives_the_accepted_text_and_datasets_loads_it(tmp_path: Path) -> None:
    from datasets import load_dataset

    log = Log()
    first = log.translate("alice", "1", "Definieer entropy.")
    log.review("rita", first, "reject", "Half Engels.")
    log.review("rita", log.translate("bob", "1", "Definieer entropie."))
    edited = log.translate("alice", "10", "Schrijf naar {name}.")
    log.review("rita", edited, "approve", "", edited="Schrijf {name} over de vergadering.")
    log.translate("carol", "2", "Zeg hoi.")  # pending
    source = data_dir(tmp_path / "d", log)
    result = collect_language("nl", [str(source)], tmp_path / "out", include_pending=True)

    assert_readable_by_datasets_3(path_of(result))
    ds = load_dataset(str(result.folder), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.features == features() and ds.column_names == COLUMNS
    joined = {row["external_id"]: " ".join(d["value"] for d in row["target"]) for row in ds}
    assert joined == {
        "10": "Schrijf {name} over de vergadering.",
        "2": "",
        "1": "Definieer entropie.",
        "7": "",
    }
    statuses = {t["status"] for row in ds for t in row["target"]}
    assert statuses == {"submitted"}  # an Argilla status, and the only one in target


def test_a_recollected_folder_loads_its_new_rows_from_a_shared_cache(tmp_path: Path) -> None:
    """``load_dataset(folder)`` caches by the card's ``configs``: with a fixed data file name a
    re-collect (or another folder of the same name) returned the old rows."""
    from datasets import load_dataset

    cache = str(tmp_path / "cache")  # one cache for every load, as on a user's machine

    def collect_and_load(text: str, out: Path) -> list[str]:
        log = Log()
        log.review("rita", log.translate("alice", "1", text))
        collect_language("nl", [str(data_dir(tmp_path / text, log))], out)
        ds = load_dataset(str(out / "MPEP_DUTCH"), split="train", cache_dir=cache)
        return [row["translation"] for row in ds]

    # Same length, same row count: only the content tells the versions apart.
    assert collect_and_load("Definieer entropie.", tmp_path / "a") == ["Definieer entropie."]
    assert collect_and_load("Definieer entropia.", tmp_path / "a") == ["Definieer entropia."]
    assert collect_and_load("Definieer entropiu.", tmp_path / "b") == ["Definieer entropiu."]
    assert len(list((tmp_path / "a" / "MPEP_DUTCH" / "data").iterdir())) == 1  # old file gone


def test_user_text_is_shown_as_plain_text_in_the_card_and_the_report(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    names = {
        "10": "![p](http://127.0.0.1:9/pixel.png)",
        "2": "<img src=http://127.0.0.1:9/q.png>",
        "1": "a|b`c",
        "7": "**bold** [link](http://127.0.0.1:9/)\u202e",
    }
    log = Log()
    forged = {"code": "<b>forged</b>", "severity": "warning", "message": "m"}
    for pid, name in names.items():
        log.review("rita", log.translate(name, pid, f"Vertaling {pid}", qa=(forged,)))
    data_dir(tmp_path / "nl-data", log)
    config = tmp_path / "sources.yaml"
    config.write_text("nl: nl-data\nde: ['![x](http://127.0.0.1:9/x.png)']\n")
    run = collect_many(
        {"nl": [str(tmp_path / "nl-data")], "de": ["![x](http://127.0.0.1:9/x.png)"]},
        tmp_path / "out",
    )
    assert list(run.failures) == ["de"]

    markdown = MarkdownIt("commonmark").enable("table")
    card = (tmp_path / "out" / "MPEP_DUTCH" / "README.md").read_text().split("---\n", 2)[2]
    progress = (tmp_path / "out" / "progress.md").read_text()
    for text in (card, progress):
        html = markdown.render(text)
        assert set(re.findall(r"<img[^>]*src=\"?([^\" >]*)", html)) <= {"progress.svg"}
        assert not [href for href in re.findall(r"<a[^>]*href[^>]*", html) if "127.0.0.1" in href]
        assert "<b>" not in html and "<strong>bold" not in html
        assert "&lt;b&gt;forged&lt;/b&gt;</code>" in html
    html = markdown.render(card)
    assert "\u202e" not in card
    for name in names.values():
        name = name.replace("\u202e", "")
        shown = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"<code>{shown}</code>" in html
    assert "<code>--from '![x](http://127.0.0.1:9/x.png)' is not a folder" in markdown.render(
        progress
    )


def alpaca_source(tmp_path: Path) -> Path:
    log = Log()
    log.review("rita", log.translate("alice", "1", "Definieer entropie."))
    log.review("rita", log.translate("bob", "2", "Zeg hoi."))
    return data_dir(tmp_path / "d", log)


def test_outputs_of_a_model_are_checked_and_merged_for_alpaca_eval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = alpaca_source(tmp_path)
    answers = [  # AlpacaEval's own format, in any order
        {"instruction": "Zeg hoi.", "output": "Hoi!", "generator": "my/model 7B"},
        {"instruction": "Definieer entropie.", "output": "Een maat...", "generator": "my/model 7B"},
    ]
    (tmp_path / "outputs.json").write_text(json.dumps(answers))
    out = tmp_path / "out"
    code, stdout, err = cli(
        capsys,
        "--lang",
        "nl",
        "--from",
        source,
        "--out",
        out,
        "--outputs",
        tmp_path / "outputs.json",
    )
    assert (code, err) == (0, "")
    merged = out / "MPEP_DUTCH" / "alpaca_eval-my_model_7B.json"
    assert f"MPEP_DUTCH: wrote the model outputs {merged}" in stdout
    instructions = json.loads((out / "MPEP_DUTCH" / ALPACA_FILE).read_text())
    assert json.loads(merged.read_text()) == [
        {
            "instruction": i["instruction"],
            "output": {"Zeg hoi.": "Hoi!", "Definieer entropie.": "Een maat..."}[i["instruction"]],
            "generator": "my/model 7B",
            "dataset": "MPEP_DUTCH",
        }
        for i in instructions
    ]
    # A later collect without those outputs does not leave them to go stale.
    assert cli(capsys, "--lang", "nl", "--from", source, "--out", out)[0] == 0
    assert not merged.exists()


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (
            [{"instruction": "Zeg hoi.", "output": "Hoi!", "generator": "m"}],
            "no output for 1 of the 2 instructions of MPEP_DUTCH (first: 'Definieer "
            "entropie.'); run the model on every instruction of its alpaca_eval.json",
        ),
        (
            [{"instruction": "Iets anders.", "output": "x", "generator": "m"}],
            "row 1: the instruction is not one of the 2 accepted instructions of MPEP_DUTCH "
            "(its alpaca_eval.json)",
        ),
        (
            [{"instruction": "Zeg hoi.", "output": "x", "generator": "m"}] * 2,
            "row 2: the instruction is answered twice (first at row 1)",
        ),
        (
            [
                {"instruction": "Zeg hoi.", "output": "x", "generator": "a"},
                {"instruction": "Definieer entropie.", "output": "y", "generator": "b"},
            ],
            "mixes the generators 'a' and 'b'; give one file per model",
        ),
        (
            [{"instruction": "Zeg hoi.", "output": None, "generator": "m"}],
            "row 1: needs the strings 'instruction', 'output', 'generator'",
        ),
    ],
)
def test_bad_outputs_are_one_line_and_write_nothing(
    records: list[dict[str, Any]],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = alpaca_source(tmp_path)
    path = tmp_path / "outputs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out"
    code, stdout, err = cli(
        capsys, "--lang", "nl", "--from", source, "--out", out, "--outputs", path
    )
    assert (code, stdout, err) == (1, "", f"Error: {path}: {message}\n")
    assert not (out / "MPEP_DUTCH").exists()


def test_outputs_go_with_one_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        capsys, "--all", "--from-config", "x.yaml", "--out", tmp_path, "--outputs", "o.json"
    )
    assert (code, err) == (
        2,
        "Error: --outputs goes with --lang: the outputs answer one language's prompts\n",
    )


# -- several languages, the Hub --------------------------------------------------------------


def test_all_collects_the_others_when_one_source_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nl, de = Log(), Log()
    nl.review("rita", nl.translate("alice", "1", "Definieer entropie."))
    de.review("rita", de.translate("anna", "1", "Definiere Entropie."))
    data_dir(tmp_path / "nl-data", nl)
    data_dir(tmp_path / "de-data", de, lang="de")
    config = tmp_path / "sources.yaml"
    config.write_text("nl: nl-data\nde: [de-data]\nfr: [fr-data-missing]\n")

    code, out, err = cli(capsys, "--all", "--from-config", config, "--out", tmp_path / "out")
    assert code == 1
    assert err.splitlines() == [
        f"Error: fr: --from '{tmp_path / 'fr-data-missing'}' is not a folder, and not a Hub "
        "dataset id (OWNER/NAME)",
        "Error: 1 of 3 languages could not be collected",
    ]
    assert "Collected MPEP_GERMAN into" in out and "Collected MPEP_DUTCH into" in out
    assert data_file(tmp_path / "out" / "MPEP_GERMAN").is_file()
    assert not (tmp_path / "out" / "MPEP_FRENCH").exists()
    progress = (tmp_path / "out" / "progress.md").read_text()
    assert "| German (de) | MPEP_GERMAN |" in progress and "- `fr`: `--from '" in progress

    code, out, err = cli(capsys, "--lang", "de", "--from-config", config, "--out", tmp_path / "de")
    assert (code, err) == (0, "")
    assert {p.name for p in (tmp_path / "de").iterdir()} == {
        "MPEP_GERMAN",
        "progress.md",
        "progress.svg",
        ".mpep-collect",
    }


def test_a_sync_repo_on_the_hub_is_downloaded(tmp_path: Path, fake_hub: FakeHfApi) -> None:
    log = Log()
    log.review("rita", log.translate("alice", "1", "Definieer entropie."))
    data_dir(fake_hub.repo_dir("DIBT-Dutch/mpep-nl-responses"), log, tail="torn")
    result = collect_language(
        "nl", ["DIBT-Dutch/mpep-nl-responses"], tmp_path / "out", hub=Hub(fake_hub)
    )
    assert fake_hub.calls == [
        (
            "list_repo_tree",
            ("DIBT-Dutch/mpep-nl-responses",),
            {"repo_type": "dataset", "recursive": True},
        ),
        (
            "snapshot_download",
            ("DIBT-Dutch/mpep-nl-responses",),
            {"repo_type": "dataset", "allow_patterns": ["space/*", "events/a.jsonl"]},
        ),
    ]
    assert result.rows == 1
    assert [str(p) for p in result.problems] == [
        "hf://datasets/DIBT-Dutch/mpep-nl-responses/events/a.jsonl:3: "
        "not valid JSON (a torn or corrupt line)"
    ]
    with pytest.raises(HubUnreachableError) as info:
        collect_language("nl", ["DIBT-Dutch/nothing"], tmp_path / "out", hub=Hub(fake_hub))
    assert str(info.value) == (
        "cannot reach the Hugging Face Hub to download DIBT-Dutch/nothing (no such fake repo "
        "DIBT-Dutch/nothing); there is no local folder 'DIBT-Dutch/nothing' either"
    )


def test_a_hub_download_is_read_through_the_cache_links(
    tmp_path: Path, fake_hub: FakeHfApi
) -> None:
    """huggingface_hub's cache links each snapshot file to a blob outside the snapshot."""
    log = Log()
    log.review("rita", log.translate("alice", "1", "Definieer entropie."))
    repo = data_dir(fake_hub.repo_dir("DIBT-Dutch/mpep-nl-responses"), log)
    blob = tmp_path / "blobs" / "0123abcd"
    blob.parent.mkdir()
    (repo / "events" / "a.jsonl").rename(blob)
    (repo / "events" / "a.jsonl").symlink_to(blob)
    result = collect_language(
        "nl", ["DIBT-Dutch/mpep-nl-responses"], tmp_path / "out", hub=Hub(fake_hub)
    )
    assert (result.rows, result.problems) == (1, ())


def test_push_publishes_each_dataset_through_the_hub_client(
    tmp_path: Path,
    hub_login: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_hub = hub_login("hf_test")
    nl = Log()
    nl.review("rita", nl.translate("alice", "1", "Definieer entropie."))
    data_dir(tmp_path / "nl", nl)
    data_dir(tmp_path / "de", Log(), lang="de")  # nothing done yet: not pushed
    config = tmp_path / "sources.json"
    config.write_text(json.dumps({"nl": "nl", "de": ["de"]}))

    code, out, err = cli(
        capsys, "--all", "--from-config", config, "--out", tmp_path / "out", "--push", "DIBT"
    )
    assert code == 0, err
    folder = tmp_path / "out" / "MPEP_DUTCH"
    assert fake_hub.names() == ["create_repo", "repo_info", "list_repo_tree", "create_commit"]
    assert fake_hub.calls[0] == (
        "create_repo",
        ("DIBT/MPEP_DUTCH",),
        {"repo_type": "dataset", "private": False, "exist_ok": True},
    )
    commit = fake_hub.calls[3][2]  # one commit of every file (tests/test_push.py: the rest)
    assert sorted(op.path_in_repo for op in commit["operations"]) == sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    )
    assert "MPEP_DUTCH: pushed 3 files (https://huggingface.co/datasets/DIBT/MPEP_DUTCH)" in out
    assert err == "warning: MPEP_GERMAN has no done prompts yet: no dataset written\n"
    published = fake_hub.repo_dir("DIBT/MPEP_DUTCH")
    assert data_file(published).is_file() and (published / ALPACA_FILE).is_file()
    assert 'load_dataset("DIBT/MPEP_DUTCH", split="train")' in (published / "README.md").read_text()


# -- errors ---------------------------------------------------------------------------------


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    data_dir(tmp_path / "nl-data", Log())
    data_dir(tmp_path / "events-only", Log(), bundle=False)
    other = [dict(p, prompt=p["prompt"] + "!") if p["id"] == "2" else p for p in PROMPTS]
    data_dir(tmp_path / "nl-other", Log(), prompts=other)
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "list.yaml").write_text("- nl\n")
    (tmp_path / "bad.yaml").write_text("nl: [unclosed\n")
    (tmp_path / "badcode.yaml").write_text("xx-!!: nl-data\n")
    (tmp_path / "badvalue.yaml").write_text("nl: [3]\n")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (
            ["--out", "o"],
            2,
            "give --lang CODE with --from PATH_OR_REPO, or --all with --from-config FILE",
        ),
        (["--lang", "nl", "--all", "--out", "o"], 2, "--lang and --all do not go together"),
        (["--all", "--out", "o"], 2, "--all needs --from-config FILE"),
        (
            ["--all", "--from-config", "list.yaml", "--from", "nl-data", "--out", "o"],
            2,
            "--from goes with --lang; with --all, list the sources in --from-config",
        ),
        (
            ["--lang", "nl", "--out", "o"],
            2,
            "--lang nl needs --from PATH_OR_REPO (or --from-config FILE)",
        ),
        (
            ["--lang", "xx-!!", "--from", "nl-data", "--out", "o"],
            1,
            "unknown language code 'xx-!!' (not BCP-47). Try 'nl', 'pt-BR'; see languages/.",
        ),
        (
            ["--lang", "nl", "--from", "missing", "--out", "o"],
            1,
            "--from 'missing' is not a folder, and not a Hub dataset id (OWNER/NAME)",
        ),
        (
            ["--lang", "nl", "--from", "", "--out", "o"],
            1,
            "--from is empty; give a folder or a Hub dataset id (OWNER/NAME)",
        ),
        (
            ["--lang", "nl", "--from", "file.txt", "--out", "o"],
            1,
            "--from 'file.txt' is a file; give a Space folder, its data dir or a copy of its "
            "sync repo",
        ),
        (
            ["--lang", "nl", "--from", "empty", "--out", "o"],
            1,
            "--from 'empty' is not a Space folder (no space_config.json), nor a Space data dir "
            "or sync repo copy (no events/ or space/)",
        ),
        (
            ["--lang", "nl", "--from", "events-only", "--out", "o"],
            1,
            "no --from of 'nl' has the Space's space_config.json and prompts.jsonl "
            "('events-only'); add the Space folder, or a data dir written by a current Space",
        ),
        (
            ["--lang", "de", "--from", "nl-data", "--out", "o"],
            1,
            "--from 'nl-data' is a Space for 'nl', not 'de'",
        ),
        (
            ["--lang", "nl", "--from", "nl-data", "--from", "nl-other", "--out", "o"],
            1,
            "--from 'nl-data' and --from 'nl-other' bundle different prompts (first difference: "
            "prompt id '2'); collect the sources of one Space together",
        ),
        (
            ["--lang", "nl", "--from", "nl-data", "--out", "o", "--push", "a/b"],
            1,
            "--push takes an organisation or user name (ORG), not 'a/b'",
        ),
        (
            ["--lang", "nl", "--from", "nl-data", "--out", "o", "--push", "DIBT"],
            2,
            "--push needs a Hugging Face token: set HF_TOKEN or run 'hf auth login'",
        ),
        (
            ["--all", "--from-config", "nope.yaml", "--out", "o"],
            1,
            "--from-config file 'nope.yaml' not found",
        ),
        (
            ["--all", "--from-config", "list.yaml", "--out", "o"],
            1,
            "list.yaml: expected a mapping of language code to sources, like "
            "'nl: [spaces/mpep-nl]'",
        ),
        (
            ["--all", "--from-config", "bad.yaml", "--out", "o"],
            1,
            "bad.yaml: cannot be read as YAML (while parsing a flow sequence)",
        ),
        (
            ["--all", "--from-config", "badcode.yaml", "--out", "o"],
            1,
            "badcode.yaml: unknown language code 'xx-!!' (not BCP-47). Try 'nl', 'pt-BR'; see "
            "languages/.",
        ),
        (
            ["--all", "--from-config", "badvalue.yaml", "--out", "o"],
            1,
            "badvalue.yaml: the sources of 'nl' must be a path or repo id, or a list of them",
        ),
        (
            ["--lang", "nl", "--from-config", "badvalue.yaml", "--out", "o", "--from", "x"],
            1,
            "badvalue.yaml: the sources of 'nl' must be a path or repo id, or a list of them",
        ),
    ],
)
def test_user_errors_are_one_line(
    args: list[str],
    status: int,
    message: str,
    sources: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(sources)
    code, out, err = cli(capsys, *args)
    assert (code, out, err) == (status, "", f"Error: {message}\n")
    assert not (sources / "o" / "MPEP_DUTCH").exists()


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    for text in (
        "--lang",
        "--all",
        "--from",
        "--from-config",
        "--out",
        "--include-pending",
        "--push",
        "collect-mpep --all --from-config sources.yaml --out datasets",
    ):
        assert text in out


def test_library_errors_subclass_builtins(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        collect_language("nl", [str(tmp_path / "nothing-here")], tmp_path / "out")
    with pytest.raises(CollectError, match="no --from given"):
        collect_language("nl", [], tmp_path / "out")


# A sitecustomize that makes one top-level package impossible to import, as in a venv
# installed without the ``collect`` extra.
BLOCKER = """\
import sys


class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == {module!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}")
        return None


sys.meta_path.insert(0, Blocker())
"""


@pytest.mark.slow
@pytest.mark.parametrize("module", ["pyarrow"])
def test_without_the_collect_extra_the_command_says_which_extra_to_install(
    tmp_path: Path, module: str
) -> None:
    import os
    import subprocess
    import sys

    log = Log()
    log.review("rita", log.translate("alice", "1", "Definieer entropie."))
    source = data_dir(tmp_path / "d", log)
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER.format(module=module))
    env = dict(os.environ, PYTHONPATH=str(blocker))
    script = "from mpep_generator.cli import collect_mpep; collect_mpep()"
    out = tmp_path / "out"
    args = ["--lang", "nl", "--from", str(source), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        f"Error: collect-mpep needs {module}, which is not installed: "
        "pip install 'mpep-generator[collect]'\n",
    )
    assert not out.exists()
    probe = [sys.executable, "-c", f"import {module}"]
    assert subprocess.run(probe, env=env, capture_output=True).returncode == 1  # really blocked


# -- end to end -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_real_space_becomes_a_loadable_dataset(
    tmp_path: Path,
    start_space: Any,
    space_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datasets import load_dataset

    running = start_space(render(tmp_path, "nl"), space_env)
    alice, bob, rita = (client(running.url, u) for u in ("alice", "bob", "rita"))
    a = alice.predict(api_name="/next_prompt")
    ta = alice.predict(a["prompt_id"], "Een eerste vertaling.", api_name="/submit_translation")
    b = bob.predict(api_name="/next_prompt")
    tb = bob.predict(b["prompt_id"], "Bobs vertaling.", api_name="/submit_translation")
    rita.predict(ta["translation_id"], "reject", "Te letterlijk.", "", api_name="/submit_review")
    rita.predict(
        tb["translation_id"], "approve", "", "Bobs verbeterde vertaling.", api_name="/submit_review"
    )
    again = bob.predict(api_name="/next_prompt")
    assert again["prompt_id"] == a["prompt_id"]
    t2 = bob.predict(a["prompt_id"], "Een betere vertaling.", api_name="/submit_translation")
    rita.predict(t2["translation_id"], "approve", "Prima.", "", api_name="/submit_review")
    c = alice.predict(api_name="/next_prompt")
    alice.predict(c["prompt_id"], "Nog niet beoordeeld.", api_name="/submit_translation")
    running.kill()

    out = tmp_path / "datasets"
    code, stdout, err = cli(capsys, "--lang", "nl", "--from", tmp_path / "data", "--out", out)
    assert (code, err) == (0, ""), err
    assert "Collected MPEP_DUTCH into" in stdout and "2 rows from 7 events" in stdout
    assert "Dutch (nl)  MPEP_DUTCH       48           3                1     2" in stdout

    ds = load_dataset(str(out / "MPEP_DUTCH"), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.column_names == COLUMNS and ds.num_rows == 2
    assert ds.features == features()
    rows = {row["external_id"]: row for row in ds}
    # DIBT's multilingual-prompt-engine notebook joins the target values: exactly the
    # accepted text, for every row.
    assert {pid: " ".join(t["value"] for t in row["target"]) for pid, row in rows.items()} == {
        a["prompt_id"]: "Een betere vertaling.",
        b["prompt_id"]: "Bobs verbeterde vertaling.",
    }
    assert rows[a["prompt_id"]]["target"] == [
        {"user_id": "bob", "value": "Een betere vertaling.", "status": "submitted"}
    ]
    assert rows[b["prompt_id"]]["target"] == [
        {"user_id": "rita", "value": "Bobs verbeterde vertaling.", "status": "submitted"}
    ]
    history_a = rows[a["prompt_id"]]["history"]
    assert [(h["user_id"], h["value"], h["status"]) for h in history_a] == [
        ("alice", "Een eerste vertaling.", "rejected"),
        ("bob", "Een betere vertaling.", "approved"),
    ]
    assert [
        (r["user_id"], r["verdict"], r["comment"]) for h in history_a for r in h["reviews"]
    ] == [
        ("rita", "reject", "Te letterlijk."),
        ("rita", "approve", "Prima."),
    ]
    (history_b,) = rows[b["prompt_id"]]["history"]
    assert (history_b["user_id"], history_b["value"], history_b["status"]) == (
        "bob",
        "Bobs vertaling.",
        "approved",
    )
    assert history_b["reviews"][0]["edited_value"] == "Bobs verbeterde vertaling."
    assert rows[a["prompt_id"]]["reviews"] == [
        {"user_id": "rita", "verdict": "approve", "comment": "Prima."}
    ]
    assert rows[b["prompt_id"]]["source"] == b["source"]
    assert {p.name for p in out.iterdir()} == {
        "MPEP_DUTCH",
        "progress.md",
        "progress.svg",
        ".mpep-collect",  # what was read, for the next collect (mpep_generator.incremental)
    }
    assert_readable_by_datasets_3(data_file(out / "MPEP_DUTCH"))

    everything = tmp_path / "everything"
    capsys.readouterr()  # datasets' progress bars
    code, stdout, err = cli(
        capsys,
        "--lang",
        "nl",
        "--from",
        tmp_path / "data",
        "--out",
        everything,
        "--include-pending",
    )
    assert (code, err) == (0, ""), err
    full = load_dataset(
        str(everything / "MPEP_DUTCH"), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert full.num_rows == 48
    by_status = Counter(row["status"] for row in full)
    assert by_status == {"done": 2, "awaiting_review": 1, "untranslated": 45}
    (waiting,) = (row for row in full if row["status"] == "awaiting_review")
    assert waiting["external_id"] == c["prompt_id"] and waiting["target"] == []
    assert [(h["user_id"], h["status"]) for h in waiting["history"]] == [("alice", "pending")]
    assert all(row["target"] == [] for row in full if row["status"] != "done")
    shutil.rmtree(out)
