"""The files and columns of every ``MPEP_<NAME>`` dataset folder, written down once.

:data:`COLUMNS` is the one description of the columns; :func:`features` turns it
into ``datasets.Features`` (for readers and tests), :func:`arrow_schema` into the
Arrow schema the collector writes, with pyarrow alone, and :func:`card_features`
into the card's ``dataset_info`` entry.

Both feature descriptions use the forms that ``datasets`` 3.x and the current
release both read: a list is ``[feature]`` in the parquet metadata (3.x has no
``"_type": "List"``), and ``list:``/``sequence:`` in the card, as the published
MPEP cards have them.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    from datasets import Features

# The data file's name carries a digest of its bytes (as ``push_to_hub`` names them),
# and the card's ``configs`` names that exact file: ``datasets`` caches a local folder
# by its configs, so a re-collect with new rows must change them, or
# ``load_dataset(folder)`` keeps serving the old rows (or another folder's).
DATA_DIR = "data"
DATA_FILE_STEM = "train-00000-of-00001"
CARD_FILE = "README.md"
ALPACA_FILE = "alpaca_eval.json"


# The columns of every ``MPEP_<NAME>`` set: the published MPEP ones, then ours. A string
# is a ``datasets.Value`` dtype, a dict a struct, a one-item list a List.
COLUMNS: dict[str, Any] = {
    "source": "string",
    "target": [{"user_id": "string", "value": "string", "status": "string"}],
    "target-suggestion": "string",
    "target-suggestion-metadata": {"type": "string", "score": "float32", "agent": "string"},
    "external_id": "string",
    "metadata": "string",
    "translation": "string",
    "reviews": [{"user_id": "string", "verdict": "string", "comment": "string"}],
    "qa_warnings": ["string"],
    "suggestion_unchanged": "bool",
    "status": "string",
    "history": [
        {
            "translation_id": "string",
            "user_id": "string",
            "value": "string",
            "status": "string",
            "submitted_at": "string",
            "origin": "string",
            "reviews": [
                {
                    "user_id": "string",
                    "verdict": "string",
                    "comment": "string",
                    "edited_value": "string",
                    "reviewed_at": "string",
                }
            ],
        }
    ],
}


def data_file_name(digest: str) -> str:
    """The data file's path in the folder, for the hex digest of its bytes."""
    return f"{DATA_DIR}/{DATA_FILE_STEM}-{digest[:16]}.parquet"


def features() -> Features:
    """The columns of every ``MPEP_<NAME>`` set as ``datasets.Features``."""
    from datasets import Features, List, Value

    def feature(spec: Any) -> Any:
        if isinstance(spec, str):
            return Value(spec)
        if isinstance(spec, list):
            return List(feature(spec[0]))
        return {name: feature(item) for name, item in spec.items()}

    return Features(feature(COLUMNS))


@cache
def arrow_schema() -> pa.Schema:
    """``features().arrow_schema`` -- the Arrow types with the ``huggingface`` metadata that
    ``datasets`` reads back -- built with pyarrow alone: importing ``datasets`` would add
    about 0.3 s and 15 MiB of peak memory to every collect (bench/collect.py)."""
    import pyarrow as pa

    def arrow(spec: Any) -> pa.DataType:
        if isinstance(spec, str):
            return {"string": pa.string(), "float32": pa.float32(), "bool": pa.bool_()}[spec]
        if isinstance(spec, list):
            return pa.list_(arrow(spec[0]))
        return pa.struct([(name, arrow(item)) for name, item in spec.items()])

    def as_dict(spec: Any) -> Any:  # datasets' Features dict, lists as [feature] (3.x too)
        if isinstance(spec, str):
            return {"dtype": spec, "_type": "Value"}
        if isinstance(spec, list):
            return [as_dict(spec[0])]
        return {name: as_dict(item) for name, item in spec.items()}

    metadata = json.dumps({"info": {"features": as_dict(COLUMNS)}})
    schema = pa.schema([(name, arrow(spec)) for name, spec in COLUMNS.items()])
    return schema.with_metadata({"huggingface": metadata})


def card_features() -> list[dict[str, Any]]:
    """The columns as the ``features`` of a card's ``dataset_info`` (the published MPEP form:
    ``list:`` for a list of structs, ``sequence:`` for a list of values)."""

    def entry(name: str, spec: Any) -> dict[str, Any]:
        if isinstance(spec, str):
            return {"name": name, "dtype": spec}
        if isinstance(spec, dict):
            return {"name": name, "struct": [entry(k, v) for k, v in spec.items()]}
        item = spec[0]
        if isinstance(item, str):
            return {"name": name, "sequence": item}
        return {"name": name, "list": [entry(k, v) for k, v in item.items()]}

    return [entry(name, spec) for name, spec in COLUMNS.items()]
