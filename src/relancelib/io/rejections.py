"""Never "Nothing is due" by accident: a file most of whose rows were left out stops the run."""

from __future__ import annotations

from decimal import Decimal

from relancelib.checks import check_decimal, check_instance
from relancelib.errors import DataImportError
from relancelib.io.results import Portfolio

__all__ = ["DEFAULT_MAX_REJECTED", "check_rejections", "refuse_too_many"]

#: The share of a file's rows that may be left out before the file is refused as a whole.
DEFAULT_MAX_REJECTED = Decimal("0.5")


def check_rejections(portfolio: Portfolio, max_share: Decimal = DEFAULT_MAX_REJECTED) -> None:
    """Raise :class:`DataImportError` naming the file when every row of a file was left out,
    or more than ``max_share`` of them (a share from 0 to 1): such a file was not read as
    meant (wrong columns, wrong separator), and a plan without it would be wrong."""
    check_instance(portfolio, Portfolio, "portfolio")
    share = check_decimal(max_share, "max_rejected")
    if not 0 <= share <= 1:
        raise DataImportError("must be a share from 0 to 1", field="max_rejected", value=share)
    for source, rows in portfolio.rows.items():
        rejected = portfolio.rejected(source)
        if rows == 0 or rejected == 0:
            continue
        first = next(p for p in portfolio.problems if p.source == source and p.line)
        refuse_too_many(source, rows, rejected, first, share)


def refuse_too_many(
    source: str, rows: int, rejected: int, first: object, share: Decimal, unit: str = "rows"
) -> None:
    """The rule of :func:`check_rejections` for one source of ``rows`` items (rows of a file,
    files of a folder) of which ``rejected`` were left out, ``first`` the first reason."""
    if rows == 0 or rejected == 0:
        return
    if rejected == rows or Decimal(rejected) / rows > share:
        what = "all" if rejected == rows else f"{rejected} of"
        raise DataImportError(
            f"{source}: {what} {rows} {unit} were left out, more than the "
            f"{share:%} allowed (sources.max_rejected); the first: {first}"
        )
