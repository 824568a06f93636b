"""YAML for files a person hands us (languages/*.yaml, --from-config): no aliases, and
only ``true``/``false`` are booleans.

An alias (``*name``) repeats a node without repeating its text, so a few hundred bytes
can stand for gigabytes ("billion laughs"): 683 bytes of a language file once gave a
77 MB Space. None of our files needs one, so the loader refuses them. YAML 1.1 also
reads ``no``, ``yes``, ``on`` and ``off`` as booleans, which turns Norwegian (``no:``)
into ``False``; as in YAML 1.2, those stay strings here.

libyaml's parser (when PyYAML has it) reads a file ten times faster than the
pure-Python one and resolves with the same resolvers; whatever it cannot take as it
is -- an alias, a tag, a syntax error, a tab, a character YAML does not allow -- goes to the
pure-Python loader, which refuses it in its own words.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)


# YAML 1.2's booleans: copy the resolvers, then replace the bool one.
_NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_NoAliasLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))


_FastLoader: Any = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        yaml_implicit_resolvers = _NoAliasLoader.yaml_implicit_resolvers

    _FastLoader = _CLoader


def _pure_only(text: str) -> bool:
    """Where the two parsers differ, the pure-Python one decides: a character YAML does
    not allow, or a tab (libyaml takes it as a space where PyYAML refuses it)."""
    return "\t" in text or yaml.reader.Reader.NON_PRINTABLE.search(text) is not None


def _plain(event: Any) -> bool:
    """Neither an alias nor a tag (``!`` alone is read differently by the two parsers)."""
    return not isinstance(event, yaml.AliasEvent) and getattr(event, "tag", None) is None


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` that refuses aliases (raises :class:`yaml.YAMLError`)."""
    if _FastLoader is not None and not _pure_only(text):
        try:
            if all(map(_plain, yaml.parse(text, _FastLoader))):
                return yaml.load(text, Loader=_FastLoader)  # noqa: S506 (CSafeLoader)
        except yaml.YAMLError:
            pass  # said below, in the pure-Python loader's words
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
