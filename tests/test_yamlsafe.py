"""The YAML loader: libyaml's parser when PyYAML has it, with the pure-Python loader's
results and words (generator/yamlsafe.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from mpep_generator import yamlsafe
from mpep_generator.yamlsafe import _NoAliasLoader, load_yaml

REPO = Path(__file__).resolve().parent.parent
LANGUAGE_FILES = sorted((REPO / "languages").glob("*.yaml"))


def pure(text: str) -> Any:
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)


def outcome(load: Any, text: str) -> tuple[str, Any]:
    try:
        return "value", load(text)
    except yaml.YAMLError as exc:
        return "error", str(exc).splitlines()[0]


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda p: p.name)
def test_language_files_load_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == pure(text)


EDGE_CASES = [
    "no: yes\non: off\ny: true\nn: False\nz: 1.5\nw: 2026-01-01\nnull_: ~\n",
    "code: nl\nreviewers: [a, b]\nglossary:\n  - {term: x, translation: y}\n",
    "a: &x [1, 2]\nb: *x\n",  # an alias: refused
    "a: *x\n",  # an alias to nothing
    "code: [nl\n",  # a syntax error
    "key: value\n  bad indent: 1\n",
    "text: 'tab\there'\n",
    "text: \x07bell\n",  # a character YAML does not allow
    "- 0o17\n- 0x1f\n- 1_000\n- .inf\n- 12:30:00\n",
    "",
    "just a string",
    "? complex\n: key\n",
    "multi: |\n  line one\n  line two\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_load_alike(text: str) -> None:
    assert outcome(load_yaml, text) == outcome(pure, text)


def test_aliases_are_refused_in_our_words() -> None:
    with pytest.raises(yaml.YAMLError, match=r"aliases \(\*name\) are not allowed"):
        load_yaml("a: &x [1]\nb: *x\n")


scalars = st.one_of(
    st.sampled_from(["yes", "no", "on", "off", "true", "False", "~", "null", "1e3", "0o7", ""]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.text(" \t\n:#-[]{}&*!|>'\"%@`,?.~abc01", max_size=14),
    st.integers(),
)
entries = st.tuples(
    st.text("abn", min_size=1, max_size=2), scalars, st.sampled_from(["", "  ", "- "])
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(entries, max_size=4))
def test_random_documents_read_alike(items: list[tuple[str, Any, str]]) -> None:
    """Hand-written-looking YAML of random scalars (unquoted: the resolvers decide, and
    the parsers meet whatever the text holds): every document the pure-Python loader
    reads, the fast path reads the same; what it refuses is refused in its words, unless
    libyaml reads a corner of YAML PyYAML does not (``a: >#``), which is no value a
    file of ours holds."""
    text = "".join(f"{indent}{key}: {value}\n" for key, value, indent in items)
    expected = outcome(pure, text)
    got = outcome(load_yaml, text)
    if expected[0] == "value" or got[0] == "error":
        assert got == expected


def test_libyaml_reads_a_plain_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken: the pure-Python loader is not asked for a plain file
    (PyYAML's wheels bring libyaml)."""
    assert yaml.__with_libyaml__

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the pure-Python loader was used")

    monkeypatch.setattr(yamlsafe._NoAliasLoader, "get_single_data", refuse)
    assert load_yaml(LANGUAGE_FILES[0].read_text(encoding="utf-8"))["code"]


@pytest.mark.parametrize("text", ["a: \t\n", "a:\n\t- b\n"])
def test_a_tab_is_refused_in_pyyaml_words(text: str) -> None:
    """libyaml would read these tabs as spaces; a file with a tab keeps PyYAML's error."""
    assert outcome(load_yaml, text) == ("error", "while scanning for the next token")
