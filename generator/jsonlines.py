"""One line of a JSON Lines file a person hands us, as an object, or one clear error."""

from __future__ import annotations

import json
from typing import Any

from .errors import GeneratorError


def json_object(where: str, line: str, error: type[GeneratorError]) -> dict[str, Any]:
    """``line`` parsed as a JSON object, else ``error("<where>: ...")``."""
    try:
        value = json.loads(line)
    except ValueError:
        raise error(f"{where}: not valid JSON") from None
    if not isinstance(value, dict):
        raise error(f"{where}: expected a JSON object")
    return value
