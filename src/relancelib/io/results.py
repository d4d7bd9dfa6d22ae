"""What the readers return: the items read, and a problem for each row they could not read."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

import attrs

from relancelib.errors import DataImportError
from relancelib.model import Client, Invoice, Payment

__all__ = ["ImportProblem", "ImportResult", "InvoicePayment", "Portfolio"]

T = TypeVar("T")


@attrs.frozen
class ImportProblem:
    """A row (or a file) that could not be read, and why.

    ``source`` is the file name; ``line`` the 1-based line of the file where the row starts
    (the header is line 1); ``row`` the index label for a DataFrame row; ``field`` the column
    as written in the file.
    """

    source: str
    line: int | None
    field: str | None
    message: str
    row: Hashable | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
        elif self.row is not None:
            where += f"[{self.row!r}]"
        column = f" [{self.field}]" if self.field else ""
        return f"{where}:{column} {self.message}"


@attrs.frozen
class ImportResult(Generic[T]):
    """What a reader could read: the ``items``, the ``problems`` of the rows it could not.

    ``lines[i]`` is the line ``items[i]`` was read from (``None`` for a DataFrame or a
    Factur-X file); ``encoding`` is the encoding the file was decoded with (``"utf-8"``,
    ``"utf-8-sig"`` when it starts with a byte-order mark, ``"utf-16-le"``,
    ``"utf-16-be"``, ``"cp1252"``...); ``ignored_columns`` are the columns of the file no
    field uses.
    """

    items: tuple[T, ...]
    problems: tuple[ImportProblem, ...] = ()
    encoding: str | None = None
    source: str | None = None
    lines: tuple[int | None, ...] = ()
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every row was read."""
        return not self.problems

    def raise_on_problems(self) -> tuple[T, ...]:
        """The items, or :class:`DataImportError` listing every problem when there is one."""
        if self.problems:
            listed = "\n".join(f"  {problem}" for problem in self.problems)
            raise DataImportError(f"{len(self.problems)} row(s) could not be read:\n{listed}")
        return self.items


@attrs.frozen
class InvoicePayment:
    """A payment read from a file, with the number of the invoice it pays.

    :func:`~relancelib.io.attach_payments` adds it to its invoice; ``source`` and ``line``
    say where it was read, so that a payment for an unknown invoice is reported at its line.
    """

    invoice_number: str
    payment: Payment
    source: str | None = None
    line: int | None = None


@attrs.frozen
class Portfolio:
    """Clients and invoices (payments attached) read together by
    :func:`~relancelib.io.read_portfolio`."""

    clients: tuple[Client, ...]
    invoices: tuple[Invoice, ...]
    problems: tuple[ImportProblem, ...] = ()
    encodings: Mapping[str, str | None] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        """True when every row of every file was read and fits."""
        return not self.problems
