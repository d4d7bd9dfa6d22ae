"""Reading CSV exports: clients, invoices and payments, one problem per row left out.

Named ``reading`` so that ``import csv`` inside this package is the standard library's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import attrs

from relancelib.checks import check_sequence
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.cells import RawRow, Row
from relancelib.io.columns import (
    CLIENT_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    TableColumn,
    map_header,
)
from relancelib.io.encoding import decode
from relancelib.io.results import ImportProblem, ImportResult, InvoicePayment, Portfolio
from relancelib.io.rows import build_client, build_invoice, build_payment, convert
from relancelib.io.sources import Source, load_bytes, source_name
from relancelib.model import Client, Invoice

__all__ = [
    "attach_payments",
    "read_clients_csv",
    "read_invoices_csv",
    "read_payments_csv",
    "read_portfolio",
]

T = TypeVar("T")

_DELIMITERS = (";", "\t", ",")


def _sniff(first_line: str, name: str) -> str:
    counts = [(first_line.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    count, _order, delimiter = max(counts)
    if count == 0:
        raise DataImportError(
            f"{name}: cannot tell the separator: the header line has no ';', tab or ','; "
            "pass delimiter=..."
        )
    return delimiter


def _csv_rows(
    source: Source,
    *,
    encoding: str | None,
    delimiter: str | None,
    name: str | None,
    schema: Sequence[TableColumn],
) -> tuple[list[RawRow], list[ImportProblem], str, str | None, tuple[str, ...]]:
    label = source_name(source, name)
    text, used = decode(load_bytes(source, label), encoding, label)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise DataImportError(f"{label}: is empty (no header line)")
    # Excel's "sep=;" first line names the separator.
    hint = re.fullmatch(r"sep=([;,\t])", first.strip(" \r\n"))
    if delimiter is None:
        delimiter = hint.group(1) if hint else _sniff(first, label)
    elif delimiter not in _DELIMITERS:
        raise DataImportError("must be ';', ',' or a tab", field="delimiter", value=delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[RawRow] = []
    problems: list[ImportProblem] = []
    header: list[str] | None = None
    columns: dict[str, int] = {}
    ignored: tuple[str, ...] = ()
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataImportError(f"{label}:{reader.line_num}: unreadable CSV ({exc})") from None
        line, start = start, reader.line_num + 1
        if not any(value.strip() for value in values):
            continue
        if header is None and hint is not None:
            hint = None
            continue
        if header is None:
            header = values
            columns, ignored = map_header(header, schema, label)
            continue
        if len(values) != len(header):
            problems.append(
                ImportProblem(
                    label,
                    line,
                    None,
                    f"has {len(values)} fields but the header has {len(header)}; "
                    f"check the separator {delimiter!r} and the quotes",
                )
            )
            continue
        cells = {field: (header[index].strip(), values[index]) for field, index in columns.items()}
        rows.append(RawRow(line, None, cells))
    assert header is not None
    return rows, problems, label, used, ignored


def _read_csv(
    source: Source,
    schema: Sequence[TableColumn],
    build: Callable[[Row], T],
    key: Callable[[T], str] | None,
    what: str,
    *,
    encoding: str | None,
    delimiter: str | None,
    name: str | None,
) -> ImportResult[T]:
    rows, problems, label, used, ignored = _csv_rows(
        source, encoding=encoding, delimiter=delimiter, name=name, schema=schema
    )
    items, lines, more = convert(rows, schema, build, key, label, what)
    everything = sorted(problems + more, key=lambda p: p.line or 0)
    return ImportResult(tuple(items), tuple(everything), used, label, tuple(lines), ignored)


def read_invoices_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
) -> ImportResult[Invoice]:
    """Read invoices from a CSV export (columns in ``docs/import.md``).

    ``encoding=None`` recognises UTF-8 (with or without byte-order mark), UTF-16 (little-
    or big-endian, with or without byte-order mark), then Windows-1252, and says which in
    :attr:`ImportResult.encoding`; ``delimiter=None`` takes the most frequent of ``;``, tab
    and ``,`` in the header line.  ``name`` names the file in problems (the path by
    default).  Payments come from another file: see :func:`read_payments_csv`.
    """
    return _read_csv(
        source,
        INVOICE_COLUMNS,
        build_invoice,
        lambda invoice: invoice.number,
        "invoice",
        encoding=encoding,
        delimiter=delimiter,
        name=name,
    )


def read_clients_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
) -> ImportResult[Client]:
    """Read clients from a CSV export (see :func:`read_invoices_csv` for the options)."""
    return _read_csv(
        source,
        CLIENT_COLUMNS,
        build_client,
        lambda client: client.id,
        "client",
        encoding=encoding,
        delimiter=delimiter,
        name=name,
    )


def read_payments_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
) -> ImportResult[InvoicePayment]:
    """Read payments, each with the number of the invoice it pays; attach them to their
    invoices with :func:`attach_payments`.  Two identical lines are two payments."""
    result = _read_csv(
        source,
        PAYMENT_COLUMNS,
        build_payment,
        None,
        "payment",
        encoding=encoding,
        delimiter=delimiter,
        name=name,
    )
    label = result.source
    return attrs.evolve(result, items=tuple(attrs.evolve(p, source=label) for p in result.items))


def attach_payments(
    invoices: Iterable[Invoice], payments: Iterable[InvoicePayment]
) -> ImportResult[Invoice]:
    """Add each payment to the invoice it names (after the invoice's own payments).

    Returns new invoices (:func:`attrs.evolve`), in the order given.  A payment for an
    unknown invoice, for a number two invoices share, or that the invoice refuses (another
    currency, more decimals than the currency has) is reported at its line and not attached.
    """
    table: dict[str, Invoice] = {}
    shared: set[str] = set()
    order: list[str] = []
    for invoice in check_sequence(invoices, Invoice, "invoices"):
        if invoice.number in table:
            shared.add(invoice.number)
        else:
            order.append(invoice.number)
        table.setdefault(invoice.number, invoice)
    problems: list[ImportProblem] = []
    for entry in check_sequence(payments, InvoicePayment, "payments"):
        where = (entry.source or "<payments>", entry.line, None)
        number = entry.invoice_number
        if number in shared:
            problems.append(
                ImportProblem(*where, f"two invoices carry number {number!r}; payment not attached")
            )
            continue
        found = table.get(number)
        if found is None:
            problems.append(
                ImportProblem(
                    *where, f"invoice {number!r} is not among the invoices; payment not attached"
                )
            )
            continue
        try:
            # The invoice checks the payment's currency and quantizes its amount.
            table[number] = attrs.evolve(found, payments=(*found.payments, entry.payment))
        except RelanceError as exc:
            problems.append(
                ImportProblem(*where, f"payment not attached to invoice {number!r}: {exc}")
            )
    return ImportResult(tuple(table[number] for number in order), tuple(problems))


def read_portfolio(
    *,
    clients: Source,
    invoices: Source,
    payments: Source | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Portfolio:
    """Read clients, invoices and (optionally) payments, attach the payments, and check that
    every invoice's client was read: an invoice whose client is missing is left out and
    reported at its line."""
    options: dict[str, Any] = {"encoding": encoding, "delimiter": delimiter}
    client_result = read_clients_csv(clients, **options)
    invoice_result = read_invoices_csv(invoices, **options)
    problems = [*client_result.problems, *invoice_result.problems]
    encodings = {
        client_result.source or "<clients>": client_result.encoding,
        invoice_result.source or "<invoices>": invoice_result.encoding,
    }
    read_invoices = invoice_result.items
    if payments is not None:
        payment_result = read_payments_csv(payments, **options)
        problems.extend(payment_result.problems)
        encodings[payment_result.source or "<payments>"] = payment_result.encoding
        attached = attach_payments(read_invoices, payment_result.items)
        problems.extend(attached.problems)
        read_invoices = attached.items
    known = {client.id for client in client_result.items}
    line_of = dict(
        zip((inv.number for inv in invoice_result.items), invoice_result.lines, strict=True)
    )
    kept = []
    for invoice in read_invoices:
        if invoice.client_id in known:
            kept.append(invoice)
            continue
        problems.append(
            ImportProblem(
                invoice_result.source or "<invoices>",
                line_of.get(invoice.number),
                None,
                f"client {invoice.client_id!r} of invoice {invoice.number!r} is not in "
                f"{client_result.source}; the invoice is left out",
            )
        )
    return Portfolio(tuple(client_result.items), tuple(kept), tuple(problems), encodings)
