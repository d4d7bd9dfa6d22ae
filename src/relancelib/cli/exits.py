"""How a ``relance`` run ends: the documented exit codes, and clean failures."""

from __future__ import annotations

import enum
from typing import NoReturn

import click

from relancelib.engine import Plan
from relancelib.errors import ConfigError, DataImportError, JournalError, RelanceError
from relancelib.io import Portfolio

__all__ = ["ERROR_CODES", "ExitCode", "Failure", "fail", "strict_exit"]


class ExitCode(enum.IntEnum):
    """The exit status of ``relance`` (documented in ``docs/cli.md``)."""

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    DATA = 3
    RENDER = 4
    INTERNAL = 5


class Failure(Exception):
    """A clean stop: one line on stderr and an exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def fail(message: str, code: ExitCode) -> NoReturn:
    """Stop the command: ``message`` on stderr, exit with ``code``."""
    raise Failure(message, code)


#: The exit code of each kind of error a command lets through (the first that matches).
ERROR_CODES: tuple[tuple[type[BaseException], ExitCode], ...] = (
    (ConfigError, ExitCode.USAGE),
    (DataImportError, ExitCode.DATA),
    (JournalError, ExitCode.DATA),
    (RelanceError, ExitCode.DATA),
    (OSError, ExitCode.DATA),
)


def strict_exit(strict: bool, day_plan: Plan, portfolio: Portfolio) -> None:
    """With ``--strict``, exit 1 when rows could not be imported, invoices were left out or
    penalties could not be computed (in full)."""
    if strict and (portfolio.problems or day_plan.errors or day_plan.incomplete):
        raise click.exceptions.Exit(ExitCode.PROBLEMS)
