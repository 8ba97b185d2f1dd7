"""The errors chatlift raises, as one tree.

::

    ChatliftError(message, hint, location)
    ├── ConfigError          a setting or option has a wrong value
    ├── InputError           a file or payload cannot be read as a whole
    ├── StoreError           the database file cannot be used as asked
    │   └── SchemaVersionError  the file's schema is newer or older than this release
    ├── UnknownMetricError   a metric name that is not in the registry
    ├── ParameterError       a metric or command parameter is invalid
    ├── EngineError          an execution engine failed or is missing
    └── ExperimentError      an experiment definition or analysis is invalid
        └── UnknownExperimentError  an experiment key that is neither declared nor stored

Bad *rows* are not errors: they are collected as issues, quarantined and
summarised (see `ingest.report`). Every message says what is wrong and where;
``hint`` says what to do about it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ChatliftError(Exception):
    """Root of chatlift's errors: a message, an optional hint and location."""

    def __init__(self, message: str, *, hint: str | None = None, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"


class ConfigError(ChatliftError):
    """A setting, flag or environment variable has a wrong value."""


class InputError(ChatliftError):
    """A file or payload cannot be read as a whole (missing column, unknown format …)."""


class StoreError(ChatliftError):
    """The database file cannot be opened or written as asked."""


class SchemaVersionError(StoreError):
    """The database file's schema version does not match this release."""


class UnknownMetricError(ChatliftError):
    """A metric name that the registry does not know."""


class ParameterError(ChatliftError):
    """A metric or command parameter is invalid."""


class EngineError(ChatliftError):
    """An execution engine failed or is not installed."""


class ExperimentError(ChatliftError):
    """An experiment definition or analysis request is invalid."""


class UnknownExperimentError(ExperimentError):
    """An experiment key that is neither declared nor seen in the assignments."""


def close_matches(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean …?" sentence for ``word`` among ``choices``, or None.

    >>> close_matches("orderz", ["orders", "goals"])
    'Did you mean orders?'
    """
    found = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not found:
        return None
    return "Did you mean " + " or ".join(found) + "?"
