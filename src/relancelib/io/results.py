"""What the readers return: the items read, and a problem for each row they could not read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import Generic, TypeVar

import attrs

from relancelib.errors import DataImportError
from relancelib.model import Client, Invoice, Payment

__all__ = ["Credit", "CreditNote", "ImportProblem", "ImportResult", "InvoicePayment", "Portfolio"]

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
class CreditNote:
    """A credit note (*avoir*) read from an export or an e-invoice: money the creditor owes
    back to ``client_id``, or takes off the invoice numbered ``applies_to``.

    ``amount`` is positive (what is credited); ``on`` is the credit note's date.  The model
    has no credit notes: :func:`~relancelib.io.read_portfolio` allocates one that names an
    invoice as a :class:`~relancelib.model.Payment` on that invoice (reference ``"Avoir
    <number>"``), and keeps what is left as an unallocated :class:`Credit`.
    """

    number: str
    client_id: str
    on: dt.date
    amount: Decimal
    currency: str = "EUR"
    applies_to: str | None = None
    source: str | None = None
    line: int | None = None


@attrs.frozen
class Credit:
    """Money a client has with the creditor that no invoice absorbs: the unallocated part
    of a credit note, or a payment on account (a payment that names no invoice).

    It is never silently dropped: ``relance plan`` lists it under the client, and a reminder
    should say so (« avoir disponible de … »).
    """

    client_id: str
    amount: Decimal
    currency: str
    on: dt.date
    reference: str
    source: str | None = None
    line: int | None = None


@attrs.frozen
class ImportResult(Generic[T]):
    """What a reader could read: the ``items``, the ``problems`` of the rows it could not.

    ``lines[i]`` is the line ``items[i]`` was read from (``None`` for a DataFrame or a
    Factur-X file); ``encoding`` is the encoding the file was decoded with (``"utf-8"``,
    ``"utf-8-sig"`` when it starts with a byte-order mark, ``"utf-16-le"``,
    ``"utf-16-be"``, ``"cp1252"``...); ``ignored_columns`` are the columns of the file no
    field uses, and ``suggestions`` maps those that look like a known column name to it
    (``"Echance"`` -> ``"echeance"``).  ``warnings`` are facts worth a look that did not
    stop a row (an invalid optional cell dropped); ``credit_notes`` the credit notes of an
    invoices file (negative amounts, a type column saying ``Avoir``); ``rows`` the number of
    data rows the file holds.
    """

    items: tuple[T, ...]
    problems: tuple[ImportProblem, ...] = ()
    encoding: str | None = None
    source: str | None = None
    lines: tuple[int | None, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    warnings: tuple[ImportProblem, ...] = ()
    credit_notes: tuple[CreditNote, ...] = ()
    suggestions: Mapping[str, str] = attrs.field(factory=dict)
    rows: int = 0

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
    A payment that names no invoice (``invoice_number`` ``None``) but a ``client_id`` is a
    payment on account: :func:`~relancelib.io.read_portfolio` keeps it as a :class:`Credit`.
    """

    invoice_number: str | None
    payment: Payment
    source: str | None = None
    line: int | None = None
    client_id: str | None = None


@attrs.frozen
class Portfolio:
    """Clients and invoices (payments attached) read together by
    :func:`~relancelib.io.read_portfolio`."""

    clients: tuple[Client, ...]
    invoices: tuple[Invoice, ...]
    problems: tuple[ImportProblem, ...] = ()
    encodings: Mapping[str, str | None] = attrs.field(factory=dict)
    #: Unallocated credit notes and payments on account, per client (see :class:`Credit`).
    credits: tuple[Credit, ...] = ()
    #: Facts worth a look that left nothing out (an invalid optional cell dropped...).
    warnings: tuple[ImportProblem, ...] = ()
    #: The data rows of each file read (to tell "a few rows rejected" from "all of them").
    rows: Mapping[str, int] = attrs.field(factory=dict)
    #: The columns of each file no field uses, and the known name each may be misspelt for.
    ignored_columns: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    suggestions: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        """True when every row of every file was read and fits."""
        return not self.problems

    def rejected(self, source: str) -> int:
        """How many rows of ``source`` were left out (rows with at least one problem)."""
        return len({p.line for p in self.problems if p.source == source and p.line is not None})

    def credits_of(self, client_id: str) -> tuple[Credit, ...]:
        """The unallocated credits of one client."""
        return tuple(credit for credit in self.credits if credit.client_id == client_id)
