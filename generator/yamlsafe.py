"""YAML for files a person hands us (languages/*.yaml, --from-config): no aliases.

An alias (``*name``) repeats a node without repeating its text, so a few hundred bytes
can stand for gigabytes ("billion laughs"): 683 bytes of a language file once gave a
77 MB Space. None of our files needs one, so the loader refuses them.
"""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` that refuses aliases (raises :class:`yaml.YAMLError`)."""
    return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
