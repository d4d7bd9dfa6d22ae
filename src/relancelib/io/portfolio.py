"""A portfolio from an export: clients, invoices and payments read together; payments
attached to their invoices, credit notes allocated, and what no invoice absorbs kept as
unallocated credit per client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from relancelib.checks import check_optional_date, check_sequence
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.columns import ColumnMap, check_columns
from relancelib.io.readers import read_clients_csv, read_invoices_table, read_payments_csv
from relancelib.io.results import (
    Credit,
    CreditNote,
    ImportProblem,
    ImportResult,
    InvoicePayment,
    Portfolio,
)
from relancelib.io.rows import BALANCE_REFERENCE
from relancelib.io.sources import Source
from relancelib.model import Invoice, Payment

__all__ = ["allocate_credit_notes", "attach_payments", "read_portfolio"]


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
        if number is None:
            problems.append(
                ImportProblem(
                    *where, "names no invoice; read_portfolio keeps it as a payment on account"
                )
            )
            continue
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


def _paid(invoice: Invoice) -> Decimal:
    return sum((payment.amount for payment in invoice.payments), Decimal(0))


def allocate_credit_notes(
    invoices: Iterable[Invoice], credit_notes: Iterable[CreditNote]
) -> tuple[tuple[Invoice, ...], tuple[Credit, ...]]:
    """Allocate each credit note to the invoice it names (same client, same currency): it
    becomes a payment on that invoice dated by the credit note, reference ``"Avoir
    <number>"``, up to what is left to pay; what is left of it (or all of it, when it names
    no such invoice) is an unallocated :class:`Credit` of its client."""
    table = {invoice.number: invoice for invoice in check_sequence(invoices, Invoice, "invoices")}
    credits: list[Credit] = []
    for note in check_sequence(credit_notes, CreditNote, "credit_notes"):
        left = note.amount
        target = table.get(note.applies_to) if note.applies_to else None
        if (
            target is not None
            and target.client_id == note.client_id
            and target.currency == note.currency
        ):
            used = min(left, target.amount - _paid(target))
            if used > 0:
                payment = Payment(note.on, used, reference=f"Avoir {note.number}")
                table[target.number] = attrs.evolve(target, payments=(*target.payments, payment))
                left -= used
        if left > 0:
            what = f"Avoir {note.number}"
            if note.applies_to and target is None:
                what += f" (sur {note.applies_to}, facture absente de l'export)"
            credits.append(
                Credit(note.client_id, left, note.currency, note.on, what, note.source, note.line)
            )
    return tuple(table.values()), tuple(credits)


def _from_export(payment: Payment) -> bool:
    """Whether a payment stands for a balance or a lettrage column (not a real payment)."""
    reference = payment.reference or ""
    return reference == BALANCE_REFERENCE or reference.startswith("lettrage ")


def _reconcile(
    invoices: tuple[Invoice, ...],
    balances: Mapping[str, Decimal],
    payments: Iterable[InvoicePayment],
    invoices_name: str,
    payments_name: str,
    lines: Mapping[str, int | None],
) -> tuple[list[Invoice], list[ImportProblem]]:
    """Payments from a payments file replace the ones a balance column stood for; an invoice
    whose exported balance disagrees with its payments is left out, naming both files."""
    bare = [
        attrs.evolve(
            invoice,
            payments=tuple(p for p in invoice.payments if not _from_export(p)),
        )
        if invoice.number in balances
        else invoice
        for invoice in invoices
    ]
    attached = attach_payments(bare, payments)
    problems = list(attached.problems)
    kept = []
    for invoice in attached.items:
        exported = balances.get(invoice.number)
        left = invoice.amount - _paid(invoice)
        if exported is not None and exported != left:
            problems.append(
                ImportProblem(
                    invoices_name,
                    lines.get(invoice.number),
                    None,
                    f"invoice {invoice.number!r}: the balance in {invoices_name} is {exported} "
                    f"but the payments in {payments_name} leave {left} to pay; the invoice is "
                    "left out until the two agree",
                )
            )
            continue
        kept.append(invoice)
    return kept, problems


#: The files of a portfolio, as the keys of ``read_portfolio(columns=...)``.
FILES = ("clients", "invoices", "payments")


def _file_columns(columns: object) -> dict[str, ColumnMap | None]:
    """``read_portfolio``'s ``columns``: file -> that file's mapping (checked)."""
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise DataImportError(
            "must map 'clients', 'invoices' or 'payments' to that file's columns",
            field="columns",
            value=columns,
        )
    maps: dict[str, ColumnMap | None] = {}
    for kind, mapping in columns.items():
        if kind not in FILES:
            raise DataImportError(
                f"is not a file (known: {', '.join(FILES)})", field="columns", value=kind
            )
        maps[kind] = check_columns(mapping, f"columns.{kind}")
    return maps


def read_portfolio(
    *,
    clients: Source,
    invoices: Source,
    payments: Source | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    columns: Mapping[str, ColumnMap] | None = None,
    preset: str | None = None,
    export_date: dt.date | None = None,
) -> Portfolio:
    """Read clients, invoices and (optionally) payments as exported, and put them together.

    Payments are attached to their invoices; a payment naming no invoice but a client is a
    payment on account.  Credit notes are allocated (:func:`allocate_credit_notes`); what no
    invoice absorbs is in :attr:`Portfolio.credits`.  When the invoices file has a balance
    column and a payments file is given too, the payments are read and an invoice whose
    exported balance disagrees with them is left out with a problem naming both files.  An
    invoice whose client is missing is left out and reported at its line.  ``columns`` maps
    ``"clients"``, ``"invoices"``, ``"payments"`` to each file's column mapping.
    """
    maps = _file_columns(columns)
    check_optional_date(export_date, "export_date")
    options: dict[str, Any] = {"encoding": encoding, "delimiter": delimiter, "preset": preset}
    client_result = read_clients_csv(clients, columns=maps.get("clients"), **options)
    invoice_result, balances = read_invoices_table(
        invoices,
        columns=maps.get("invoices"),
        export_date=export_date,
        balances=payments is not None,
        **options,
    )
    results: list[ImportResult[Any]] = [client_result, invoice_result]
    problems = [*client_result.problems, *invoice_result.problems]
    line_of = dict(
        zip((inv.number for inv in invoice_result.items), invoice_result.lines, strict=True)
    )
    read_invoices: tuple[Invoice, ...] | list[Invoice] = invoice_result.items
    credits: list[Credit] = []
    invoices_name = invoice_result.source or "<invoices>"
    if payments is not None:
        payment_result = read_payments_csv(payments, columns=maps.get("payments"), **options)
        results.append(payment_result)
        problems.extend(payment_result.problems)
        on_account = [p for p in payment_result.items if p.invoice_number is None]
        for entry in on_account:
            currency = entry.payment.currency or "EUR"
            credits.append(
                Credit(
                    entry.client_id or "",
                    entry.payment.amount,
                    currency,
                    entry.payment.on,
                    f"acompte {entry.payment.reference or ''}".strip(),
                    entry.source,
                    entry.line,
                )
            )
        read_invoices, more = _reconcile(
            invoice_result.items,
            balances,
            [p for p in payment_result.items if p.invoice_number is not None],
            invoices_name,
            payment_result.source or "<payments>",
            line_of,
        )
        problems.extend(more)
    read_invoices, allocated = allocate_credit_notes(read_invoices, invoice_result.credit_notes)
    credits.extend(allocated)
    known = {client.id for client in client_result.items}
    kept = []
    for invoice in read_invoices:
        if invoice.client_id in known:
            kept.append(invoice)
            continue
        problems.append(
            ImportProblem(
                invoices_name,
                line_of.get(invoice.number),
                None,
                f"client {invoice.client_id!r} of invoice {invoice.number!r} is not in "
                f"{client_result.source}; the invoice is left out",
            )
        )
    for credit in credits:
        if credit.client_id not in known:
            problems.append(
                ImportProblem(
                    credit.source or invoices_name,
                    credit.line,
                    None,
                    f"client {credit.client_id!r} of {credit.reference} is not in "
                    f"{client_result.source}; the credit is left out",
                )
            )
    return Portfolio(
        tuple(client_result.items),
        tuple(kept),
        tuple(problems),
        {r.source or "<file>": r.encoding for r in results},
        tuple(c for c in credits if c.client_id in known),
        tuple(w for r in results for w in r.warnings),
        {r.source or "<file>": r.rows for r in results},
        {r.source or "<file>": r.ignored_columns for r in results},
        {r.source or "<file>": r.suggestions for r in results},
    )
