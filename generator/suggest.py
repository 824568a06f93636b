"""Machine suggestions, decided at generation time and bundled into the Space.

Two sources: a JSONL file of ``{prompt_id, text, agent, score}`` from any tool
(:func:`load_suggestions`), or a local ``transformers`` translation model
(:func:`suggest_with_model`, e.g. ``facebook/nllb-200-distilled-600M``).
Code blocks never reach the model: they are cut out and put back unchanged. What
counts as code (fences of any length, tildes, indented blocks, unclosed fences) is
decided by :func:`mpep_space.text.split_code`, the same rule the QA checks use.
Model output is cached per (model, language, text segment) so a rerun translates
nothing twice. ``transformers``/``torch`` are imported only
here, only when a model is used (``pip install -e ".[suggest]"``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from mpep_space.text import split_code

from .errors import SuggestionError
from .jsonlines import json_object
from .languages import LanguageSpec
from .prompts import Prompt

Suggestion = dict[str, Any]  # {"text", "agent", "score", "type"}: the Space's bundled form
SOURCE_CODE = "eng_Latn"


# -- from a file -----------------------------------------------------------------------------


def _suggestion_line(where: str, line: str, known: set[str]) -> tuple[str, Suggestion]:
    data = json_object(where, line, SuggestionError)
    unknown = sorted(set(data) - {"prompt_id", "text", "agent", "score"})
    if unknown:
        raise SuggestionError(f"{where}: unknown key {unknown[0]!r}")
    prompt_id, text = data.get("prompt_id"), data.get("text")
    if isinstance(prompt_id, int) and not isinstance(prompt_id, bool):
        prompt_id = str(prompt_id)
    if not isinstance(prompt_id, str) or prompt_id not in known:
        raise SuggestionError(f"{where}: unknown prompt_id {prompt_id!r}")
    if not isinstance(text, str) or not text.strip():
        raise SuggestionError(f"{where}: empty suggestion text")
    score = data.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
        raise SuggestionError(f"{where}: score must be a number or null, not {score!r}")
    agent = data.get("agent") or "unknown"
    if not isinstance(agent, str):
        raise SuggestionError(f"{where}: agent must be text")
    suggestion = {"text": text, "agent": agent, "score": score, "type": "model"}
    return prompt_id, suggestion


def load_suggestions(path: Path, prompts: Sequence[Prompt]) -> dict[str, Suggestion]:
    """Read a suggestions JSONL; every line must name a bundled prompt, once."""
    try:
        content = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SuggestionError(f"suggestions file {str(path)!r} not found") from None
    except UnicodeDecodeError:
        raise SuggestionError(f"{path}: is not UTF-8; save the file as UTF-8") from None
    known = {p.id for p in prompts}
    out: dict[str, Suggestion] = {}
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        prompt_id, suggestion = _suggestion_line(where, line, known)
        if prompt_id in out:
            raise SuggestionError(f"{where}: a second suggestion for prompt {prompt_id!r}")
        out[prompt_id] = suggestion
    return out


# -- code-block protection -----------------------------------------------------------------


def _prose_segments(piece: str) -> list[str]:
    """Lines of prose worth translating (blank lines and markup-only lines stay)."""
    return [line for line in piece.split("\n") if any(ch.isalpha() for ch in line)]


def translate_keeping_code(text: str, translate: Callable[[list[str]], list[str]]) -> str:
    """Translate the prose lines of ``text``; code blocks and blank lines are unchanged."""
    out = []
    for is_code, piece in split_code(text):
        if is_code:
            out.append(piece)
            continue
        lines = piece.split("\n")
        todo = [i for i, line in enumerate(lines) if any(ch.isalpha() for ch in line)]
        for i, translated in zip(todo, translate([lines[i] for i in todo]), strict=True):
            lead = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines[i] = lead + translated.strip()
        out.append("\n".join(lines))
    return "".join(out)


# -- with a local model ----------------------------------------------------------------------


class SegmentCache:
    """A JSONL cache of translated segments, appended to as it grows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, str] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                    self.entries[record["key"]] = record["text"]
                except (ValueError, KeyError, TypeError):
                    continue  # a torn line from an interrupted run: translate it again

    @staticmethod
    def key(model: str, target: str, segment: str) -> str:
        return hashlib.sha256(f"{model}\0{target}\0{segment}".encode()).hexdigest()

    def add(self, items: Iterable[tuple[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for key, text in items:
                self.entries[key] = text
                handle.write(json.dumps({"key": key, "text": text}, ensure_ascii=False) + "\n")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mpep" / "suggestions"


class ModelTranslator:
    """A seq2seq translation model (NLLB-style language codes) behind a batch call."""

    def __init__(self, model_name: str, target: str, *, batch_size: int = 8) -> None:
        try:
            import torch
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError:
            raise SuggestionError(
                '--suggest-with needs transformers and torch: pip install -e ".[suggest]"'
            ) from None
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own bar counts segments, not weight shards
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_name, src_lang=SOURCE_CODE)
        except OSError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SuggestionError(f"cannot load the model {model_name!r} ({first})") from None
        token_id = self.tokenizer.convert_tokens_to_ids(target)
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise SuggestionError(
                f"the model {model_name!r} has no language code {target!r}; "
                "choose another model or --suggestions FILE"
            )
        try:
            self.model = AutoModelForSeq2SeqLM.from_pretrained(model_name)
        except OSError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SuggestionError(f"cannot load the model {model_name!r} ({first})") from None
        self.torch = torch
        self.target_id = token_id
        self.batch_size = batch_size
        self.model.eval()
        self.calls = 0

    def __call__(self, segments: list[str]) -> list[str]:
        out: list[str] = []
        for start in range(0, len(segments), self.batch_size):
            batch = segments[start : start + self.batch_size]
            inputs = self.tokenizer(
                batch, return_tensors="pt", padding=True, truncation=True, max_length=512
            )
            inputs.pop("token_type_ids", None)
            with self.torch.no_grad():
                generated = self.model.generate(
                    **inputs, forced_bos_token_id=self.target_id, max_new_tokens=512
                )
            out.extend(self.tokenizer.batch_decode(generated, skip_special_tokens=True))
            self.calls += 1
        return out


def suggest_with_model(
    model_name: str,
    spec: LanguageSpec,
    prompts: Sequence[Prompt],
    *,
    cache_dir: Path | None = None,
    translator: Callable[[list[str]], list[str]] | None = None,
    progress: bool = True,
) -> dict[str, Suggestion]:
    """Translate every prompt with a local model; code blocks are kept, results cached."""
    target = spec.nllb
    cache = SegmentCache((cache_dir or default_cache_dir()) / f"{_slug(model_name)}.jsonl")
    needed = sorted(
        {
            segment
            for p in prompts
            for is_code, piece in split_code(p.text)
            if not is_code
            for segment in _prose_segments(piece)
            if SegmentCache.key(model_name, target, segment) not in cache.entries
        }
    )
    if needed:
        engine = translator or ModelTranslator(model_name, target)
        _translate_into_cache(engine, model_name, target, needed, cache, progress)

    def cached(lines: list[str]) -> list[str]:
        return [cache.entries[SegmentCache.key(model_name, target, line)] for line in lines]

    return {
        p.id: {
            "text": translate_keeping_code(p.text, cached),
            "agent": model_name,
            "score": None,
            "type": "model",
        }
        for p in prompts
    }


def _translate_into_cache(
    engine: Callable[[list[str]], list[str]],
    model_name: str,
    target: str,
    segments: list[str],
    cache: SegmentCache,
    progress: bool,
) -> None:
    from tqdm import tqdm

    chunk = 32
    with tqdm(
        total=len(segments),
        desc=f"Translating with {model_name}",
        unit="segment",
        disable=not progress or not sys.stderr.isatty(),
        file=sys.stderr,
    ) as bar:
        for start in range(0, len(segments), chunk):
            batch = segments[start : start + chunk]
            results = engine(batch)
            cache.add(
                (SegmentCache.key(model_name, target, s), t)
                for s, t in zip(batch, results, strict=True)
            )
            bar.update(len(batch))


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "--", name).strip("-") or "model"
