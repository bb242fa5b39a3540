"""Typed errors shared by every part of crmlab.

Every error names *what* is wrong (an option, a field, a column, an item) and *why*, in words a
student understands. Catch the family with ``except crmlab.CrmlabError``.

>>> from crmlab.errors import ConfigError
>>> err = ConfigError("n_customers", "must be a positive whole number, got -5")
>>> str(err)
'n_customers: must be a positive whole number, got -5'
>>> err.field
'n_customers'
"""
from __future__ import annotations


class CrmlabError(Exception):
    """Base class: ``field`` names the option / field / column at fault, ``reason`` says why.

    ``key`` and ``params`` let the message catalogue (``crmlab.i18n``) render the same error in
    English or Chinese; ``message(lang)`` does that when a catalogue entry exists.
    """

    def __init__(self, field: str, reason: str, *, key: str | None = None, **params):
        self.field = field
        self.reason = reason
        self.key = key
        self.params = params
        super().__init__(f"{field}: {reason}")

    def message(self, lang: str = "en") -> str:
        """The error in the requested language (falls back to the English text)."""
        if self.key:
            try:
                from crmlab import i18n

                return f"{self.field}: " + i18n.t(self.key, lang=lang, field=self.field, **self.params)
            except Exception:  # catalogue missing or incomplete: the English text still helps
                pass
        return str(self)


class ConfigError(CrmlabError, ValueError):
    """A configuration option (of the simulator, a lab, a command) is invalid."""


class DatabaseNotEmpty(ConfigError):
    """The target database already holds data that crmlab did not put there."""


class DataError(CrmlabError, ValueError):
    """Input data for an analytic function is unusable (missing column, negative money, ...)."""


class ValidationError(CrmlabError, ValueError):
    """A record to be written breaks a rule (required field, format, range, foreign key)."""


class PermissionDenied(CrmlabError, PermissionError):
    """The current user's role does not allow the action."""


class NotFound(CrmlabError, LookupError):
    """A record with the given id or code does not exist."""


class Conflict(CrmlabError):
    """The write clashes with existing data (duplicate code, concurrent change, ...)."""


__all__ = [
    "CrmlabError",
    "ConfigError",
    "DatabaseNotEmpty",
    "DataError",
    "ValidationError",
    "PermissionDenied",
    "NotFound",
    "Conflict",
]
