"""Code inside code blocks without its comments (comments may be translated)."""

from __future__ import annotations

import functools
import re

from ..text import CodeBlock

# Code blocks -------------------------------------------------------------------------

_HASH_LANGS = frozenset(
    "python py python3 sh bash shell zsh console ruby rb r perl pl yaml yml toml ini conf "
    "dockerfile makefile make powershell ps1 julia jl elixir ex nim coffee tcl cmake "
    "nginx gitignore".split()
)
_SLASH_LANGS = frozenset(
    "js javascript ts typescript jsx tsx mjs java c cpp c++ cc h hpp cs csharp go golang "
    "rust rs swift kotlin kt scala dart php json5 jsonc scss less groovy objc objective-c "
    "zig sol solidity".split()
)
_DASH_LANGS = frozenset(
    "sql lua haskell hs elm ada vhdl plsql postgres postgresql psql mysql sqlite tsql".split()
)
_MARKUP_LANGS = frozenset("html xml svg vue markdown md".split())

_STRING_PATTERNS = (
    r'"(?:[^"\\\n]|\\.)*"?',
    r"'(?:[^'\\\n]|\\.)*'?",
)
_COMMENT_PATTERNS = {
    "hash": r"\#[^\n]*",
    "slash": r"//[^\n]*",
    "dash": r"--[^\n]*",
    "block": r"/\*(?:[^*]|\*(?!/))*(?:\*/)?",
    "markup": r"<!--(?:[^-]|-(?!->))*(?:-->)?",
}


@functools.lru_cache(maxsize=16)
def _comment_regex(styles: tuple[str, ...], backtick_strings: bool) -> re.Pattern[str]:
    strings = list(_STRING_PATTERNS)
    if backtick_strings:
        strings.append(r"`(?:[^`\\]|\\.)*`?")
    comments = [_COMMENT_PATTERNS[s] for s in styles]
    return re.compile(
        "(?P<string>" + "|".join(strings) + ")|(?P<comment>" + "|".join(comments) + ")",
        re.DOTALL,
    )


def _comment_styles(info: str) -> tuple[tuple[str, ...], bool]:
    if info in _HASH_LANGS:
        return ("hash",) + (("slash", "block") if info == "php" else ()), False
    if info in _SLASH_LANGS:
        return ("slash", "block") + (("hash",) if info == "php" else ()), True
    if info in _DASH_LANGS:
        return ("dash", "block"), False
    if info == "css":
        return ("block",), False
    if info in _MARKUP_LANGS:
        return ("markup",), False
    return ("hash", "slash", "dash", "block", "markup"), True


def code_lines(block: CodeBlock) -> list[str]:
    """The block's code without comments, one normalised entry per non-empty line."""
    styles, backticks = _comment_styles(block.info)
    regex = _comment_regex(styles, backticks)
    code = regex.sub(lambda m: m.group(0) if m.lastgroup == "string" else " ", block.body)
    lines = (" ".join(line.split()) for line in code.split("\n"))
    return [line for line in lines if line]
