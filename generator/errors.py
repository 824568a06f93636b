"""Every error a user can cause, under one base class.

The CLI catches :class:`GeneratorError` in exactly one place and prints its
message as one line; anything else is a bug and keeps its traceback.
Subclasses also derive from the closest builtin so library callers can catch
either.
"""

from __future__ import annotations


class GeneratorError(Exception):
    """Base class: the message is shown to the user as ``Error: <message>``."""


class UnknownLanguageError(GeneratorError, ValueError):
    """The language code is not valid BCP-47, or names no language."""


class LanguageFileError(GeneratorError, ValueError):
    """A file in ``languages/`` does not match the schema."""


class PromptSourceError(GeneratorError, ValueError):
    """The prompt file or dataset is missing, unreadable or invalid."""


class HubUnreachableError(GeneratorError, ConnectionError):
    """The Hugging Face Hub could not be reached."""


class OutputExistsError(GeneratorError, FileExistsError):
    """The output folder exists and is not empty, and ``--force`` was not given."""


class UsageError(GeneratorError, ValueError):
    """Options that do not fit together, or a value out of range."""


class ConfigError(GeneratorError, ValueError):
    """A configuration file (e.g. ``--from-config``) is invalid."""


class SuggestionError(GeneratorError, ValueError):
    """A machine-suggestion file or model cannot be used."""


class CollectError(GeneratorError, ValueError):
    """Collecting a language's events failed."""


class MissingExtraError(GeneratorError, ImportError):
    """A command needs an optional extra (``pip install 'mpep-generator[EXTRA]'``)."""


class ImportSourceError(GeneratorError, ValueError):
    """An ``--import`` dataset cannot be read."""
