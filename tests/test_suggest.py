"""Machine suggestions: a JSONL file, or a real (tiny, random) transformers model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mpep_generator.errors import SuggestionError
from mpep_generator.languages import get_language
from mpep_generator.prompts import Prompt, load_prompts
from mpep_generator.suggest import (
    ModelTranslator,
    load_suggestions,
    split_code,
    suggest_with_model,
    translate_keeping_code,
)

CODE_PROMPT = (
    "Explain what this function does:\n\n```python\ndef add(a, b):\n    return a + b  # sum\n```\n"
    "\nThen write a test for it.\n\n~~~sql\nSELECT 1;\n~~~"
)


def prompts() -> list[Prompt]:
    return [
        Prompt("1", "What is the capital of the Netherlands?", "{}"),
        Prompt("2", CODE_PROMPT, "{}"),
    ]


# -- from a file -----------------------------------------------------------------------------


def test_a_suggestions_file_is_read_with_provenance(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"prompt_id": "1", "text": "Wat is de hoofdstad?", "agent": "gpt-4", "score": 0.8}\n'
        '{"prompt_id": 2, "text": "Leg uit.", "agent": "nllb", "score": null}\n',
        encoding="utf-8",
    )
    assert load_suggestions(path, prompts()) == {
        "1": {"text": "Wat is de hoofdstad?", "agent": "gpt-4", "score": 0.8, "type": "model"},
        "2": {"text": "Leg uit.", "agent": "nllb", "score": None, "type": "model"},
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"prompt_id": "9", "text": "x"}\n', "line 1: unknown prompt_id '9'"),
        ('{"prompt_id": "1", "text": " "}\n', "line 1: empty suggestion text"),
        (
            '{"prompt_id": "1", "text": "a"}\n{"prompt_id": "1", "text": "b"}\n',
            "line 2: a second suggestion for prompt '1'",
        ),
        ('{"prompt_id": "1", "text": "a", "score": "high"}\n', "score must be a number or null"),
        ('{"prompt_id": "1", "txt": "a"}\n', "line 1: unknown key 'txt'"),
        ("not json\n", "line 1: not valid JSON"),
    ],
)
def test_bad_suggestion_files_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SuggestionError, match=message):
        load_suggestions(path, prompts())


# -- code blocks never reach the model ----------------------------------------------------


def test_code_blocks_are_split_out_whole() -> None:
    parts = split_code(CODE_PROMPT)
    code = [piece for is_code, piece in parts if is_code]
    assert code == [
        "```python\ndef add(a, b):\n    return a + b  # sum\n```",
        "~~~sql\nSELECT 1;\n~~~",
    ]
    assert "".join(piece for _, piece in parts) == CODE_PROMPT


# Every way markdown marks code: QA compares these verbatim, so the model must never see them.
HARD_CODE_PROMPTS = {
    "tilde fence": "Fix this query:\n\n~~~sql\nselect name from users where id = 1;\n~~~\n\nWhy?",
    "four backticks": (
        "Explain this markdown:\n\n````markdown\nSome *emphasis* here.\n```python\n"
        "print(answer)\n```\nAnd a last line\n````\n\nThen explain the fences."
    ),
    "indented block": (
        "What does this print?\n\n    for word in words:\n        print(word)\n\nExplain the loop."
    ),
    "unclosed fence": "Complete this function:\n\n```python\ndef greet(name):\n    return",
    "fence in a list item": (
        "1. Install it:\n\n   ```bash\n   pip install requests\n   ```\n\n2. Then write a test."
    ),
}
CODE_LINES = {
    "tilde fence": ["select name from users where id = 1;"],
    "four backticks": ["Some *emphasis* here.", "print(answer)", "And a last line"],
    "indented block": ["for word in words:", "print(word)"],
    "unclosed fence": ["def greet(name):", "return"],
    "fence in a list item": ["pip install requests"],
}


@pytest.mark.parametrize("name", list(HARD_CODE_PROMPTS))
def test_no_kind_of_code_block_reaches_the_model(name: str) -> None:
    sent: list[str] = []

    def shout(lines: list[str]) -> list[str]:
        sent.extend(lines)
        return [line.upper() for line in lines]

    text = HARD_CODE_PROMPTS[name]
    out = translate_keeping_code(text, shout)
    assert sent, "the prose was translated"
    for code in CODE_LINES[name]:
        assert not any(code in line for line in sent), f"{code!r} was sent to the model"
        assert code in out
    assert "".join(piece for _, piece in split_code(text)) == text


@pytest.mark.parametrize("name", list(HARD_CODE_PROMPTS))
def test_qa_accepts_what_the_suggestion_keeps_as_code(name: str) -> None:
    from mpep_space import qa

    text = HARD_CODE_PROMPTS[name]
    suggestion = translate_keeping_code(text, lambda lines: [f"[nl] {x}" for x in lines])
    codes = {f.code for f in qa.check(text, suggestion, "nl")}
    assert not codes & {"code_changed", "code_block_count"}, codes


@pytest.mark.parametrize(
    ("text", "bodies"),
    [
        ("````\nx = 1\n```\ny = 2\n`````\nafter", ["x = 1\n```\ny = 2"]),  # longer closer
        ("~~~\n```\ncode\n~~~", ["```\ncode"]),  # a backtick line inside a tilde fence
        ("``` not`a fence\nMore prose.", []),  # a backtick in the info string: no fence
        ("   ```\nindented fence\n   ```", ["indented fence"]),
        ("Title\n\n\tcode with a tab\n\nProse", ["code with a tab"]),
        ("Prose line\n    still the same paragraph", []),  # no blank line: not code
        ("```python\nprint(1)", ["print(1)"]),  # unclosed: runs to the end
    ],
)
def test_code_blocks_follow_commonmark(text: str, bodies: list[str]) -> None:
    from mpep_space.text import code_blocks

    assert [b.body for b in code_blocks(text)] == bodies
    assert "".join(piece for _, piece in split_code(text)) == text


def test_indented_list_text_is_prose_not_code() -> None:
    text = "1. First step\n\n    More about the first step.\n\n2. Second step"
    assert [is_code for is_code, _ in split_code(text)] == [False]


def test_the_tiny_model_never_sees_code(tiny_model: str, tmp_path: Path) -> None:
    spec = get_language("nl")
    engine = ModelTranslator(tiny_model, spec.nllb, batch_size=4)
    sent: list[str] = []

    def recording(lines: list[str]) -> list[str]:
        sent.extend(lines)
        return engine(lines)

    hard = [Prompt(str(i), text, "{}") for i, text in enumerate(HARD_CODE_PROMPTS.values())]
    out = suggest_with_model(
        tiny_model, spec, hard, cache_dir=tmp_path, translator=recording, progress=False
    )
    assert engine.calls > 0
    for name, prompt in zip(HARD_CODE_PROMPTS, hard, strict=True):
        for code in CODE_LINES[name]:
            assert not any(code in line for line in sent), f"{code!r} was sent to the model"
            assert code in out[prompt.id]["text"]


def test_translation_keeps_code_and_layout() -> None:
    sent: list[str] = []

    def shout(lines: list[str]) -> list[str]:
        sent.extend(lines)
        return [line.upper() for line in lines]

    out = translate_keeping_code(CODE_PROMPT, shout)
    assert "def add(a, b):\n    return a + b  # sum" in out and "SELECT 1;" in out
    assert out.startswith("EXPLAIN WHAT THIS FUNCTION DOES:\n\n```python")
    assert not any("def add" in line or "SELECT" in line for line in sent)


# -- a real transformers model, tiny and random ------------------------------------------


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A randomly initialised M2M100 (NLLB's architecture) with NLLB-style language tokens."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import M2M100Config, M2M100ForConditionalGeneration, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-nllb")
    words = (
        "what is the capital of netherlands explain this function does then write a test for it"
    ).split()
    languages = ["eng_Latn", "nld_Latn", "arb_Arab"]
    specials = ["<pad>", "</s>", "<unk>", "<s>", *languages]
    vocab = {token: i for i, token in enumerate(specials + words)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        bos_token="<s>",
        additional_special_tokens=languages,
    ).save_pretrained(folder)
    torch.manual_seed(0)
    config = M2M100Config(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=128,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=3,
        decoder_start_token_id=1,
    )
    M2M100ForConditionalGeneration(config).save_pretrained(folder)
    return str(folder)


def test_a_local_model_suggests_with_code_kept_and_a_cache(tiny_model: str, tmp_path: Path) -> None:
    spec = get_language("nl")
    engine = ModelTranslator(tiny_model, spec.nllb, batch_size=2)
    first = suggest_with_model(
        tiny_model, spec, prompts(), cache_dir=tmp_path, translator=engine, progress=False
    )
    assert engine.calls > 0
    assert set(first) == {"1", "2"}
    assert first["2"]["agent"] == tiny_model and first["2"]["type"] == "model"
    assert "```python\ndef add(a, b):\n    return a + b  # sum\n```" in first["2"]["text"]
    assert "~~~sql\nSELECT 1;\n~~~" in first["2"]["text"]

    def must_not_run(lines: list[str]) -> list[str]:
        raise AssertionError(f"translated again: {lines}")

    again = suggest_with_model(
        tiny_model, spec, prompts(), cache_dir=tmp_path, translator=must_not_run, progress=False
    )
    assert again == first


def test_a_language_the_model_lacks_fails_clearly(tiny_model: str, tmp_path: Path) -> None:
    with pytest.raises(SuggestionError, match="has no language code 'tam_Taml'"):
        suggest_with_model(
            tiny_model, get_language("ta"), prompts(), cache_dir=tmp_path, progress=False
        )


def test_an_unknown_model_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(SuggestionError, match="cannot load the model"):
        suggest_with_model(
            str(tmp_path / "no-model"),
            get_language("nl"),
            prompts(),
            cache_dir=tmp_path,
            progress=False,
        )


def test_suggestions_reach_the_space(tiny_model: str, tmp_path: Path) -> None:
    from mpep_generator.render import SpaceOptions, render_space
    from mpep_space.config import load_config

    sample = load_prompts("sample")
    suggestions = suggest_with_model(
        tiny_model, get_language("nl"), sample[:3], cache_dir=tmp_path / "cache", progress=False
    )
    out = render_space(
        get_language("nl"),
        sample[:3],
        tmp_path / "space",
        options=SpaceOptions(),
        suggestions=suggestions,
    )
    config = load_config(out, env={})
    assert [p.suggestion.agent for p in config.prompts] == [tiny_model] * 3  # type: ignore[union-attr]
    line = json.loads((out / "prompts.jsonl").read_text().splitlines()[0])
    assert line["suggestion"]["type"] == "model"


def test_generate_space_bundles_a_suggestions_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mpep_generator.cli import generate_space_command, run_command
    from mpep_space.config import load_config

    first = load_prompts("sample")[0]
    path = tmp_path / "s.jsonl"
    path.write_text(
        json.dumps(
            {"prompt_id": first.id, "text": "Een bakkerij...", "agent": "gpt-4", "score": 0.5}
        )
        + "\n"
    )
    code = run_command(
        generate_space_command,
        [
            "--lang",
            "nl",
            "--prompts",
            "sample",
            "--out",
            str(tmp_path / "nl"),
            "--suggestions",
            str(path),
        ],
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "48 prompts, 1 with machine suggestions" in out
    bundled = load_config(tmp_path / "nl", env={}).prompts[0].suggestion
    assert bundled is not None and (bundled.agent, bundled.score) == ("gpt-4", 0.5)


def test_generate_space_suggests_with_a_local_model(
    tiny_model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mpep_generator.cli import generate_space_command, run_command

    code = run_command(
        generate_space_command,
        [
            "--lang",
            "nl",
            "--prompts",
            "sample",
            "--out",
            str(tmp_path / "nl"),
            "--suggest-with",
            tiny_model,
        ],
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "48 with machine suggestions" in out
    lines = (tmp_path / "nl" / "prompts.jsonl").read_text().splitlines()
    assert all(json.loads(line)["suggestion"]["agent"] == tiny_model for line in lines)
    code = run_command(
        generate_space_command,
        [
            "--lang",
            "ta",
            "--prompts",
            "sample",
            "--out",
            str(tmp_path / "ta"),
            "--suggest-with",
            tiny_model,
        ],
    )
    _, err = capsys.readouterr()
    assert code == 1
    assert err == (
        f"Error: the model {tiny_model!r} has no language code 'tam_Taml'; choose "
        "another model or --suggestions FILE\n"
    )
    assert not (tmp_path / "ta").exists()
