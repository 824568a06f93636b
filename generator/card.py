"""The dataset card (``README.md``) of a collected ``MPEP_<NAME>`` set.

Written as ``huggingface_hub``'s ``DatasetCard.from_template`` writes it (the YAML of the
card data, keys in ``DatasetCardData``'s order, then the text), without importing
``huggingface_hub`` or jinja2, and with libyaml's emitter where it is installed:
importing jinja2 and compiling a template cost every collect process 40 ms or more
(bench/collect.py). The text is ``data/dataset_card.md``, filled by ``str.format``;
``tests/data/dataset_card.jinja.md`` is the same card as a jinja template, and a test
renders that through ``DatasetCard.from_template`` for every branch and checks the two
agree. The YAML header carries the Hub's dataset tags, the ``dataset_info`` entry
(features, split sizes) that the published MPEP cards have, and the ``configs`` entry
that points ``datasets.load_dataset`` at the parquet file by its content-named path (and
away from ``alpaca_eval.json``). Everything in it comes from the inputs -- no date or
path of the run -- so the card is as reproducible as the data. Whatever a person typed
(user names, finding codes read from the log) is shown as literal text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .report import code_span, ordered_codes, table_cell
from .schema import ALPACA_FILE, card_features

if TYPE_CHECKING:
    from mpep_space.config import SpaceConfig

    from .files import DataFile
    from .results import CollectResult


def size_category(rows: int) -> str:
    """The Hub's ``size_categories`` tag for ``rows`` rows."""
    for limit, tag in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if rows < limit:
            return tag
    return "100K<n<1M"


def dataset_card(
    result: CollectResult,
    config: SpaceConfig,
    data_file: DataFile,
    *,
    include_pending: bool = False,
    org: str | None = None,
) -> str:
    """The text of ``README.md`` for a collected language."""
    card_data, template_kwargs = card_inputs(
        result, config, data_file, include_pending=include_pending, org=org
    )
    return render_card(_yaml(card_data), template_kwargs)


def card_inputs(
    result: CollectResult,
    config: SpaceConfig,
    data_file: DataFile,
    *,
    include_pending: bool = False,
    org: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The card's data (``DatasetCardData``'s keys) and the template's other arguments."""
    progress = result.progress
    source_dataset = config.source_dataset
    is_hub_id = source_dataset.count("/") == 1 and " " not in source_dataset
    primary = result.code.split("-")[0]  # the Hub's language tags take no region or script
    pretty_name = f"MPEP {result.name}"
    # DatasetCardData's keys, in the order its to_dict() gives them.
    card_data: dict[str, Any] = {
        "annotations_creators": ["crowdsourced"],
        "language_creators": ["crowdsourced"],
        "language": ["en", primary],
        "license": "apache-2.0",
        "multilinguality": ["translation"],
        "size_categories": [size_category(result.rows)],
        "source_datasets": [source_dataset] if is_hub_id else ["original"],
        "task_categories": ["translation"],
        "pretty_name": pretty_name,
        "tags": ["mpep", "data-is-better-together"],
        "dataset_info": {
            "features": card_features(),
            "splits": [
                {
                    "name": "train",
                    "num_bytes": data_file.num_bytes,
                    "num_examples": data_file.num_examples,
                }
            ],
            "download_size": data_file.download_size,
            "dataset_size": data_file.num_bytes,
        },
        "configs": [
            {
                "config_name": "default",
                # The exact file, not a pattern: datasets caches a local folder by its
                # configs, so a pattern would serve a re-collect's old rows from the cache.
                "data_files": [{"split": "train", "path": data_file.relative_path}],
            }
        ],
    }
    percent = f"{100 * progress.done / progress.total:.1f}%" if progress.total else "0.0%"
    template_kwargs = dict(
        pretty_name=pretty_name,
        language=result.name,
        native_name=result.native_name,
        include_pending=include_pending,
        source_dataset=source_dataset or "the MPEP prompt set",
        source_link=f"https://huggingface.co/datasets/{source_dataset}" if is_hub_id else "",
        approvals=(
            "a reviewer" if config.min_approvals == 1 else f"{config.min_approvals} reviewers"
        ),
        self_review=(
            "reviewers may approve their own"
            if config.allow_self_review
            else "never by the translator themselves"
        ),
        version=__version__,
        p=progress,
        percent=percent,
        contributors=[
            {
                "user": code_span(c.user, in_table=True),
                "translations": c.translations,
                "reviews": c.reviews,
            }
            for c in progress.contributors
        ],
        quality=[
            (code_span(code, in_table=True), table_cell(text), result.quality[code])
            for code, text in ordered_codes(result.quality)
        ],
        unchanged=result.unchanged_suggestions,
        imported=[(code_span(origin), count) for origin, count in result.imported],
        repo_id=f"{org}/{result.dataset}" if org else f"ORG/{result.dataset}",
        pushed=bool(org),
        alpaca_file=ALPACA_FILE,
        dataset=result.dataset,
    )
    return card_data, template_kwargs


def _yaml(data: dict[str, Any]) -> str:
    """``data`` as ``CardData.to_yaml`` dumps it (``yaml.dump``, unicode kept, keys in
    order), through libyaml when it is there: the same text, about 20x faster.

    The features are the same in every card, and four fifths of the work: they are
    dumped once per process and put in the place of a mark (tests/test_collect_fast.py
    compares the text with one whole dump)."""
    info = data.get("dataset_info")
    if not isinstance(info, dict) or info.get("features") != card_features():
        return _dump(data).strip()
    marked = {**data, "dataset_info": {**info, "features": FEATURES_MARK}}
    return _dump(marked).replace(f"  features: {FEATURES_MARK}\n", _features_yaml(), 1).strip()


FEATURES_MARK = "MPEP-CARD-FEATURES"


@cache
def _features_yaml() -> str:
    """``  features:`` and the list under it, as they stand in a card's ``dataset_info``."""
    text = _dump({"dataset_info": {"features": card_features()}})
    return text.removeprefix("dataset_info:\n")


def _dump(data: dict[str, Any]) -> str:
    import yaml

    dumper = getattr(yaml, "CDumper", yaml.Dumper)
    return str(yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False))


# The card's text with str.format fields; render_card makes the blocks that vary.
CARD_TEXT = Path(__file__).resolve().parent / "data" / "dataset_card.md"


@cache
def _card_text() -> str:
    return CARD_TEXT.read_text(encoding="utf-8")


def render_card(card_yaml: str, k: dict[str, Any]) -> str:
    """The card's text for its YAML header and the arguments :func:`card_inputs` gives."""
    p = k["p"]
    pending = k["include_pending"]
    source = k["source_dataset"]
    if k["source_link"]:
        source = f"[{source}]({k['source_link']})"
    imported = "".join(
        f"- {count} accepted translation{'s were' if count != 1 else ' was'} carried over from\n"
        f"  {origin} (an earlier MPEP Space, with `generate-space --import`), under the original\n"
        "  translators' names; its `history` entry has that `origin`.\n"
        for origin, count in k["imported"]
    )
    contributors = "Nobody yet.\n"
    if k["contributors"]:
        contributors = "| User | Translations | Reviews |\n|---|--:|--:|\n" + "".join(
            f"| {c['user']} | {c['translations']} | {c['reviews']} |\n" for c in k["contributors"]
        )
    quality = "No check flagged an accepted translation.\n"
    if k["quality"]:
        quality = (
            "Automatic checks that flagged accepted translations (a translation counts once per "
            "check):\n\n| Check | What it looks for | Accepted translations |\n|---|---|--:|\n"
        ) + "".join(f"| {code} | {text} | {count} |\n" for code, text, count in k["quality"])
    statuses = ", `awaiting_review`, `rejected`, `flagged` or `untranslated`" if pending else ""
    local = ""
    if not k["pushed"]:
        local = (
            "\nReplace `ORG` with the organisation the dataset was pushed to "
            "(`collect-mpep --push ORG`);\nthis folder also loads as it is: "
            f'`load_dataset("path/to/{k["dataset"]}", split="train")`.\n'
        )
    return (
        _card_text()
        .format(
            card_data=card_yaml,
            pending=(
                "; this export also holds the prompts that are not done yet,\nwith their `status`"
                if pending
                else ""
            ),
            source=source,
            imported=imported,
            contributors=contributors,
            quality=quality,
            statuses=statuses,
            local=local,
            p=p,
            **{name: k[name] for name in CARD_FIELDS},
        )
        .rstrip("\n")
        + "\n"
    )


CARD_FIELDS = (
    "pretty_name", "language", "native_name", "approvals", "self_review", "version", "percent",
    "unchanged", "repo_id", "alpaca_file", "dataset",
)  # fmt: skip
