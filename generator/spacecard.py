"""The YAML front matter of the Space READMEs (translation Space and dashboard).

Written with a YAML dumper, never by pasting values into YAML text: a language name
or an organisation with a quote or a newline cannot add keys. The Hub refuses a
``short_description`` over 60 characters, so it is shortened here.
"""

from __future__ import annotations

from typing import Any

import yaml
from mpep_space import GRADIO_VERSION

SHORT_DESCRIPTION_LIMIT = 60  # the Hub rejects longer ones
TAGS = ["mpep", "translation", "data-is-better-together"]


def short_description(*candidates: str) -> str:
    """The first candidate that fits the Hub's limit (the last one cut to fit)."""
    for text in candidates:
        if len(text) <= SHORT_DESCRIPTION_LIMIT:
            return text
    return candidates[-1][: SHORT_DESCRIPTION_LIMIT - 1].rstrip() + "…"


def dump(data: dict[str, Any]) -> str:
    """``---``-delimited YAML front matter for a README."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{body}---\n"


def _gradio_space(title: str, emoji: str, color_from: str) -> dict[str, Any]:
    """The keys every Space of ours has, in the Hub's usual order."""
    return {
        "title": title,
        "emoji": emoji,
        "colorFrom": color_from,
        "colorTo": "green",
        "sdk": "gradio",
        "sdk_version": GRADIO_VERSION,
        "python_version": "3.11",
        "app_file": "app.py",
        "pinned": False,
    }


def space_front_matter(
    language_name: str, code: str, *, source_dataset: str, authorized_org: str = ""
) -> str:
    data = _gradio_space(f"MPEP {language_name}", "🌍", "blue")
    data["hf_oauth"] = True
    data["hf_oauth_expiration_minutes"] = 480
    if authorized_org:
        data["hf_oauth_authorized_org"] = authorized_org
    data["license"] = "apache-2.0"
    data["short_description"] = short_description(
        f"Translate MPEP prompts into {language_name}",
        f"Translate MPEP prompts into {code}",
        "Translate MPEP prompts",
    )
    data["datasets"] = [source_dataset]
    data["tags"] = TAGS
    return dump(data)


def dashboard_front_matter(title: str) -> str:
    data = _gradio_space(title, "📊", "indigo")
    data["license"] = "apache-2.0"
    data["short_description"] = short_description(
        "Live progress of every MPEP translation language"
    )
    data["tags"] = ["mpep", "dashboard", "data-is-better-together"]
    return dump(data)
