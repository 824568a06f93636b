"""AlpacaEval files of a collected language: a model's outputs merged into the instructions.

``alpaca_eval.json`` holds the accepted translations as ``{"instruction", "dataset"}``
records. AlpacaEval compares two sets of outputs for the same instructions (a
model's and a reference model's), each a list of ``{"instruction", "output",
"generator"}``; ``collect-mpep --outputs FILE`` checks a model's outputs against the
accepted instructions -- every instruction answered exactly once, nothing else, one
generator -- and writes them beside the dataset as ``alpaca_eval-<generator>.json``,
ready for ``alpaca_eval --model_outputs ... --reference_outputs ...``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import CollectError

FIELDS = ("instruction", "output", "generator")


def _records(path: Path) -> list[Any]:
    """The records of a JSON list (AlpacaEval's own format) or a JSONL file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CollectError(f"--outputs file {str(path)!r} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    try:
        if text.lstrip().startswith("["):
            data = json.loads(text)
            return list(data)
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise CollectError(
            f"{path}: cannot be read as a JSON list or JSON lines ({exc}); AlpacaEval outputs "
            'are [{"instruction": ..., "output": ..., "generator": ...}, ...]'
        ) from None


def merge_outputs(
    path: Path, instructions: Sequence[str], dataset: str
) -> tuple[str, list[dict[str, str]]]:
    """The generator of ``path`` and its outputs in the order of ``instructions``.

    Raises :class:`CollectError` naming the file and row of the first problem.
    """
    wanted = set(instructions)
    outputs: dict[str, str] = {}
    rows: dict[str, int] = {}
    generators: dict[str, int] = {}
    for number, record in enumerate(_records(path), start=1):
        where = f"{path}: row {number}"
        if not isinstance(record, dict) or not all(
            isinstance(record.get(key), str) for key in FIELDS
        ):
            raise CollectError(f"{where}: needs the strings 'instruction', 'output', 'generator'")
        instruction = record["instruction"]
        if instruction not in wanted:
            raise CollectError(
                f"{where}: the instruction is not one of the {len(wanted)} accepted "
                f"instructions of {dataset} (its alpaca_eval.json)"
            )
        if instruction in rows:
            raise CollectError(
                f"{where}: the instruction is answered twice (first at row {rows[instruction]})"
            )
        rows[instruction] = number
        outputs[instruction] = record["output"]
        generators.setdefault(record["generator"], number)
    if len(generators) > 1:
        first, second = list(generators)[:2]
        raise CollectError(
            f"{path}: mixes the generators {first!r} and {second!r}; give one file per model"
        )
    missing = [i for i in instructions if i not in outputs]
    if missing or not generators:
        raise CollectError(
            f"{path}: no output for {len(missing)} of the {len(instructions)} instructions of "
            f"{dataset} (first: {missing[0][:60]!r}); run the model on every instruction of "
            "its alpaca_eval.json"
            if missing
            else f"{path}: no outputs in it"
        )
    (generator,) = generators
    records = [
        {"instruction": i, "output": outputs[i], "generator": generator, "dataset": dataset}
        for i in instructions
    ]
    return generator, records


def outputs_file_name(generator: str) -> str:
    """``alpaca_eval-<generator>.json``, the generator made safe for a file name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", generator).strip("._") or "model"
    return f"alpaca_eval-{safe[:80]}.json"
