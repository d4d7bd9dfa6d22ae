"""Errors raised by relancelib.

Every error is a :class:`RelanceError`, which also subclasses :class:`ValueError`, so
code that already catches ``ValueError`` for bad input keeps working.  Errors about a
piece of data name the *field* and the *value* they refused, as python-stdnum does.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConfigError",
    "CurrencyMismatchError",
    "DataImportError",
    "InvalidFieldError",
    "JournalError",
    "MissingDataError",
    "RateUnknownError",
    "RelanceError",
    "TemplateNotFoundError",
    "TemplateRenderError",
    "TemplateSecurityError",
    "UnknownCalendarError",
    "UnknownLocaleError",
]

_NOTHING = object()


class RelanceError(ValueError):
    """Base class of every error relancelib raises on purpose.

    ``field`` and ``value`` are set when the error is about one piece of data; the
    message then names both, e.g. ``Invoice.amount: -3.00 is negative``.  ``reason`` is
    the bare reason (``"is negative"``), for callers that show the field their own way.
    """

    default_message = "invalid input"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        value: Any = _NOTHING,
    ) -> None:
        self.field = field
        self.value = None if value is _NOTHING else value
        text = message or self.default_message
        self.reason = text
        if field is not None:
            shown = "" if value is _NOTHING else f"{_show(value)} "
            text = f"{field}: {shown}{text}" if shown else f"{field}: {text}"
        self.message = text
        super().__init__(text)

    def __str__(self) -> str:
        return self.message


def _show(value: Any) -> str:
    """A short, unambiguous rendering of a refused value for an error message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class InvalidFieldError(RelanceError):
    """A field of a model object, a policy or an argument holds an invalid value."""

    default_message = "invalid value"


class CurrencyMismatchError(InvalidFieldError):
    """Two amounts in different currencies were mixed (the message names both)."""

    default_message = "currencies do not match"


class MissingDataError(RelanceError):
    """Something needed to carry out a step is missing (an e-mail address, an address)."""

    default_message = "required data is missing"


class RateUnknownError(RelanceError):
    """No rate is known for a date: the tables do not cover it, and relancelib never guesses."""

    default_message = "no rate is known for this date; pass the rate explicitly"


class UnknownCalendarError(RelanceError):
    """A holiday calendar code the library does not know."""

    default_message = "unknown holiday calendar code"


class UnknownLocaleError(RelanceError):
    """A locale Babel does not know, or one relancelib cannot write in."""

    default_message = "unknown or unsupported locale"


class TemplateNotFoundError(RelanceError):
    """No template exists for a step (neither a user template nor a built-in one)."""

    default_message = "no template for this step"


class TemplateRenderError(RelanceError):
    """A template failed to compile or render (the message names the template and line)."""

    default_message = "template error"


class TemplateSecurityError(TemplateRenderError):
    """A template tried something the Jinja2 sandbox forbids."""

    default_message = "template attempted an unsafe operation"


class JournalError(RelanceError):
    """The journal could not store or read a record."""

    default_message = "journal error"


class ConfigError(RelanceError):
    """A configuration file is invalid (the message names the key and the line)."""

    default_message = "invalid configuration"


class DataImportError(RelanceError):
    """Imported data (CSV, Factur-X) could not be read (the message names file and line)."""

    default_message = "could not import data"
