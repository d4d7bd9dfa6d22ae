"""The CSV readers: clients, invoices and payments, each row read once, in bounded memory.

``read_*_csv`` collect a whole file into an :class:`ImportResult`; ``iter_invoices_csv``
yields one invoice at a time for files too large to hold (a 1M-line export).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from relancelib.checks import check_optional_date
from relancelib.io.cells import Row
from relancelib.io.columns import (
    CLIENT_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    ColumnMap,
    TableColumn,
)
from relancelib.io.fastrows import convert_invoices
from relancelib.io.presets import preset_columns
from relancelib.io.reading import CsvTable
from relancelib.io.results import CreditNote, ImportProblem, ImportResult, InvoicePayment
from relancelib.io.rows import Built, build_client, build_invoice, build_payment, convert
from relancelib.io.sources import Source
from relancelib.model import Client, Invoice

__all__ = ["iter_invoices_csv", "read_clients_csv", "read_invoices_csv", "read_payments_csv"]

T = TypeVar("T")


def _stream(
    table: CsvTable,
    schema: Sequence[TableColumn],
    build: Callable[[Row], T],
    key: Callable[[T], str] | None,
    what: str,
) -> Iterator[Built | ImportProblem]:
    return convert(iter(table), schema, build, key, table.label, what)


def _collect(
    table: CsvTable, entries: Iterator[Built | ImportProblem], *, balances: bool = False
) -> tuple[ImportResult[Any], dict[str, Decimal]]:
    """The rows of ``table`` in an :class:`ImportResult`, and (with ``balances``) the balance
    the file gave for each invoice number (a dict of a million entries for a 1M-line export:
    kept only when a payments file is to be reconciled with it).

    The cyclic garbage collector is paused meanwhile, as ``plan()`` does: the rows make no
    cycles, and with a million invoices held its full collections, each walking every
    object kept so far, took a tenth of the time (19.6 s of CPU against 17.4 s for a
    1M-line export, measured with ``benchmarks/io.py``)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _gather(table, entries, balances)
    finally:
        if collecting:
            gc.enable()


def _gather(
    table: CsvTable, entries: Iterator[Built | ImportProblem], balances: bool
) -> tuple[ImportResult[Any], dict[str, Decimal]]:
    items: list[Any] = []
    lines: list[int | None] = []
    credit_notes: list[CreditNote] = []
    problems: list[ImportProblem] = []
    warnings: list[ImportProblem] = []
    given: dict[str, Decimal] = {}
    for entry in entries:
        if isinstance(entry, ImportProblem):
            problems.append(entry)
            continue
        if entry.warnings:
            warnings.extend(
                ImportProblem(table.label, entry.line, field, message)
                for field, message in entry.warnings
            )
        if isinstance(entry.item, CreditNote):
            credit_notes.append(attrs.evolve(entry.item, source=table.label))
            continue
        items.append(entry.item)
        lines.append(entry.line)
        if balances and entry.balance is not None:
            given[entry.item.number] = entry.balance
    result = ImportResult(
        tuple(items),
        tuple(sorted(problems, key=lambda p: p.line or 0)),
        table.encoding,
        table.label,
        tuple(lines),
        table.map.ignored,
        tuple(warnings),
        tuple(credit_notes),
        table.map.suggestions,
        table.rows,
    )
    return result, given


def _invoice_key(item: Invoice | CreditNote) -> str:
    return item.number


def _export_date(table: CsvTable, export_date: dt.date | None) -> dt.date | None:
    """The date of the export: given, else the day the file was last written."""
    if export_date is not None or table.path is None:
        return export_date
    return dt.date.fromtimestamp(table.path.stat().st_mtime)


def iter_invoices_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
    columns: ColumnMap | None = None,
    preset: str | None = None,
    export_date: dt.date | None = None,
) -> Iterator[Invoice | CreditNote | ImportProblem]:
    """The invoices of a CSV export one at a time (with the credit notes and a problem for
    each row left out), in bounded memory whatever the size of the file.  The options are
    those of :func:`read_invoices_csv`; a problem with the file itself raises
    :class:`~relancelib.errors.DataImportError` before the first row."""
    table, build = _invoice_table(source, encoding, delimiter, name, columns, preset, export_date)
    return _items(convert_invoices(table, build, build.keywords["export_date"], _invoice_key))


def _invoice_table(
    source: Source,
    encoding: str | None,
    delimiter: str | None,
    name: str | None,
    columns: ColumnMap | None,
    preset: str | None,
    export_date: dt.date | None,
) -> tuple[CsvTable, functools.partial[Any]]:
    """The invoice table of a CSV export and the builder of its rows."""
    check_optional_date(export_date, "export_date")
    table = CsvTable(
        source,
        INVOICE_COLUMNS,
        encoding=encoding,
        delimiter=delimiter,
        name=name,
        columns=columns,
        preset=preset_columns(preset, "invoices"),
    )
    return table, functools.partial(build_invoice, export_date=_export_date(table, export_date))


def _items(
    stream: Iterator[Built | ImportProblem],
) -> Iterator[Invoice | CreditNote | ImportProblem]:
    for entry in stream:
        yield entry if isinstance(entry, ImportProblem) else entry.item


def read_invoices_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
    columns: ColumnMap | None = None,
    preset: str | None = None,
    export_date: dt.date | None = None,
) -> ImportResult[Invoice]:
    """Read invoices from a CSV export as it comes (columns in ``docs/import.md``).

    ``encoding=None`` recognises UTF-8 (with or without byte-order mark), UTF-16 (little-
    or big-endian, with or without byte-order mark), then Windows-1252, and says which in
    :attr:`ImportResult.encoding`; ``delimiter=None`` takes the most frequent of ``;``, tab
    and ``,`` in the header line.  ``name`` names the file in problems (the path by
    default).  ``columns`` maps a field to the file's own header (``{"number": "N° pièce"}``)
    and ``preset`` names a known export (:data:`relancelib.io.presets.PRESETS`).

    A balance column (``Reste dû``, ``Solde``...) gives what is left to pay: the difference
    with the amount becomes one payment dated by ``Date de règlement``, else by
    ``export_date`` (by default, the day the file was last written).  Credit notes (negative
    amounts, a type column saying ``Avoir``) are in :attr:`ImportResult.credit_notes`.
    Payments may also come from another file: see :func:`read_payments_csv`.
    """
    return read_invoices_table(
        source,
        encoding=encoding,
        delimiter=delimiter,
        name=name,
        columns=columns,
        preset=preset,
        export_date=export_date,
    )[0]


def read_invoices_table(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
    columns: ColumnMap | None = None,
    preset: str | None = None,
    export_date: dt.date | None = None,
    balances: bool = False,
) -> tuple[ImportResult[Invoice], dict[str, Decimal]]:
    """:func:`read_invoices_csv`, and (with ``balances``) the balance the file gave for each
    invoice number."""
    table, build = _invoice_table(source, encoding, delimiter, name, columns, preset, export_date)
    entries = convert_invoices(
        table, build, build.keywords["export_date"], _invoice_key, kept=True
    )
    return _collect(table, entries, balances=balances)


def read_clients_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
    columns: ColumnMap | None = None,
    preset: str | None = None,
) -> ImportResult[Client]:
    """Read clients from a CSV export (see :func:`read_invoices_csv` for the options).

    ``Adresse 1``, ``Adresse 2``, ``Adresse 3`` are joined as the address lines; a SIRET is
    read as its SIREN; a VAT number gives the SIREN when no column does; an invalid e-mail,
    phone, SIREN or VAT number is dropped with a warning (:attr:`ImportResult.warnings`)."""
    table = CsvTable(
        source,
        CLIENT_COLUMNS,
        encoding=encoding,
        delimiter=delimiter,
        name=name,
        columns=columns,
        preset=preset_columns(preset, "clients"),
    )
    entries = _stream(table, CLIENT_COLUMNS, build_client, lambda client: client.id, "client")
    return _collect(table, entries)[0]


def read_payments_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
    columns: ColumnMap | None = None,
    preset: str | None = None,
) -> ImportResult[InvoicePayment]:
    """Read payments, each with the number of the invoice it pays (or, with no invoice, the
    client of a payment on account); attach them with :func:`attach_payments` or
    :func:`read_portfolio`.  Two identical lines are two payments."""
    table = CsvTable(
        source,
        PAYMENT_COLUMNS,
        encoding=encoding,
        delimiter=delimiter,
        name=name,
        columns=columns,
        preset=preset_columns(preset, "payments"),
    )
    result = _collect(table, _stream(table, PAYMENT_COLUMNS, build_payment, None, "payment"))[0]
    label = result.source
    return attrs.evolve(result, items=tuple(attrs.evolve(p, source=label) for p in result.items))
