"""The files and columns of every ``MPEP_<NAME>`` dataset folder, written down once.

:data:`COLUMNS` is the one description of the columns; :func:`features` turns it
into ``datasets.Features`` (for readers and tests) and :func:`arrow_schema` into the
Arrow schema the collector writes, with pyarrow alone.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    from datasets import Features

PARQUET_FILE = "data/train-00000-of-00001.parquet"
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
}


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

    def as_dict(spec: Any) -> Any:  # the shape of datasets.Features.to_dict()
        if isinstance(spec, str):
            return {"dtype": spec, "_type": "Value"}
        if isinstance(spec, list):
            return {"feature": as_dict(spec[0]), "_type": "List"}
        return {name: as_dict(item) for name, item in spec.items()}

    metadata = json.dumps({"info": {"features": as_dict(COLUMNS)}})
    schema = pa.schema([(name, arrow(spec)) for name, spec in COLUMNS.items()])
    return schema.with_metadata({"huggingface": metadata})
