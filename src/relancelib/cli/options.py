"""The options the ``relance`` commands share, and the one place that reads the clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from relancelib.errors import RelanceError
from relancelib.parsing import parse_date

__all__ = [
    "DATE",
    "DEFAULT_CONFIG",
    "DateType",
    "config_option",
    "date_option",
    "debug_option",
    "format_option",
    "jobs_option",
    "strict_option",
    "today",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The config file used when neither ``--config`` nor ``RELANCE_CONFIG`` names one.
DEFAULT_CONFIG = "relance.toml"


class DateType(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A day as ``2026-03-16`` (ISO) or ``16/03/2026`` (French), read by
    :func:`relancelib.parsing.parse_date`."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        try:
            return parse_date(value)
        except RelanceError as exc:
            return self.fail(str(exc), param, ctx)


DATE = DateType()


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["relance.debug"] = True
    return value


def debug_option(function: F) -> F:
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_debug,
        help="Show the full traceback of an error.",
    )(function)


def config_option(function: F) -> F:
    return click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"The config file (default: $RELANCE_CONFIG, else ./{DEFAULT_CONFIG}).",
    )(function)


def date_option(function: F) -> F:
    return click.option(
        "--date",
        "-d",
        "day",
        type=DATE,
        default=None,
        help="The day to plan, YYYY-MM-DD or DD/MM/YYYY (default: today).",
    )(function)


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "-f",
        "output",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="table for people, json or csv for programs.",
    )(function)


def _jobs(_ctx: click.Context, _param: click.Parameter, value: int) -> int:
    # 0: one process a core (the command line may ask the machine; the library never does).
    return value if value > 0 else max(1, os.cpu_count() or 1)


def jobs_option(function: F) -> F:
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=0),
        default=1,
        show_default=True,
        callback=_jobs,
        help="Render the messages in N processes (0: one a core); writing, sending and "
        "recording stay in one process, in order.",
    )(function)


def strict_option(function: F) -> F:
    return click.option(
        "--strict",
        is_flag=True,
        help="Exit with status 1 when rows could not be imported or invoices were left out.",
    )(function)


def today(day: dt.date | None) -> dt.date:
    """``day``, else today's date."""
    # The application layer is where "today" is decided; the library never reads the clock.
    return day if day is not None else dt.date.today()
