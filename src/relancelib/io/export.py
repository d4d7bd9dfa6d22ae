"""Writing CSV files the readers read back: invoices, payments, clients and the day's plan.

Also the one home of the spreadsheet formula-injection rule (OWASP "CSV Injection"):
:func:`neutralise_formula` when writing a cell, :func:`unneutralise_formula` when reading.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import enum
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from relancelib.checks import check_instance, check_sequence, minor_unit
from relancelib.display import PLAN_COLUMNS, plan_records
from relancelib.engine import Plan
from relancelib.errors import InvalidFieldError
from relancelib.io.columns import CLIENT_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS, titles
from relancelib.io.sources import Target
from relancelib.model import Client, ClientKind, Invoice

__all__ = [
    "CsvStyle",
    "neutralise_formula",
    "plan_to_csv",
    "unneutralise_formula",
    "write_clients_csv",
    "write_invoices_csv",
    "write_payments_csv",
]

# The canonical spreadsheet formula-injection triggers (OWASP "CSV Injection").
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED_FORMULA = re.compile(r"'+[=+\-@\t\r]")


def neutralise_formula(text: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (one starting with ``=``,
    ``+``, ``-``, ``@``, tab or carriage return), and to such a cell already prefixed, so
    that :func:`unneutralise_formula` removes exactly one ``'``."""
    return "'" + text if _FORMULA.match(check_instance(text, str, "text", what="text")) else text


def unneutralise_formula(text: str) -> str:
    """Undo :func:`neutralise_formula`: remove the ``'`` it put before a formula trigger."""
    checked = check_instance(text, str, "text", what="text")
    return checked[1:] if _ESCAPED_FORMULA.match(checked) else checked


class CsvStyle(enum.Enum):
    """How the writers lay out a CSV file.

    ``FRENCH``: ``;`` separator, decimal comma, ``dd/mm/yyyy`` dates, ``oui``/``non``, the
    French column names, and a UTF-8 byte-order mark when writing to a path (French Excel
    then shows the accents).  ``INTERNATIONAL``: ``,``, decimal point, ISO dates,
    ``true``/``false``, the English column names, UTF-8.  Both are read back by the readers.
    """

    FRENCH = "fr"
    INTERNATIONAL = "intl"


@contextlib.contextmanager
def _open_target(target: Target, style: CsvStyle, encoding: str | None) -> Iterator[IO[str]]:
    if isinstance(target, (str, os.PathLike)):
        chosen = encoding or ("utf-8-sig" if style is CsvStyle.FRENCH else "utf-8")
        try:
            codecs.lookup(chosen)
        except (LookupError, TypeError):
            raise InvalidFieldError(
                "must be an encoding name such as 'cp1252'", field="encoding", value=encoding
            ) from None
        try:
            handle = open(target, "w", newline="", encoding=chosen)  # noqa: SIM115
        except OSError as exc:
            raise InvalidFieldError(
                f"cannot be written ({exc.strerror or exc})", field="target", value=target
            ) from None
        with handle:
            yield handle
    elif callable(getattr(target, "write", None)):
        yield target
    else:
        raise InvalidFieldError("must be a path or an open text file", field="target", value=target)


def _cell(value: object, style: CsvStyle, currency: str | None = None) -> str:
    french = style is CsvStyle.FRENCH
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("oui" if value else "non") if french else ("true" if value else "false")
    if isinstance(value, dt.date):
        return (
            f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if french else value.isoformat()
        )
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text and currency is not None and minor_unit(currency).as_tuple().exponent == -3:
            # 1,234 could be read as a thousand: currencies with three decimals get a fourth.
            text += "0"
        return text.replace(".", ",") if french else text
    return neutralise_formula(str(value))


def _write(
    rows: Iterable[Sequence[str]],
    header: Sequence[str],
    target: Target,
    style: CsvStyle,
    encoding: str | None,
) -> None:
    check_instance(style, CsvStyle, "style")
    delimiter = ";" if style is CsvStyle.FRENCH else ","
    with _open_target(target, style, encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_invoices_csv(
    invoices: Iterable[Invoice],
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write invoices in the format :func:`~relancelib.io.read_invoices_csv` reads back to
    equal invoices.

    Payments are not written here: write them with :func:`write_payments_csv`.  A text cell
    a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return) is written with a leading ``'``, which the readers remove.
    """
    fields = ("number", "client_id", "issue_date", "due_date", "amount", "currency",
              "disputed", "hold_until", "sent_on")  # fmt: skip
    rows = (
        [
            _cell(inv.number, style),
            _cell(inv.client_id, style),
            _cell(inv.issue_date, style),
            _cell(inv.due_date, style),
            _cell(inv.amount, style, inv.currency),
            _cell(inv.currency, style),
            _cell(inv.disputed, style),
            _cell(inv.hold_until, style),
            _cell(inv.sent_on, style),
        ]
        for inv in check_sequence(invoices, Invoice, "invoices")
    )
    header = titles(INVOICE_COLUMNS, fields, french=style is CsvStyle.FRENCH)
    _write(rows, header, target, style, encoding)


def write_payments_csv(
    invoices: Iterable[Invoice],
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write the payments of ``invoices``, one per line with its invoice's number, in the
    format :func:`~relancelib.io.read_payments_csv` reads back."""
    fields = ("invoice", "on", "amount", "currency", "reference")
    rows = (
        [
            _cell(inv.number, style),
            _cell(payment.on, style),
            _cell(payment.amount, style, inv.currency),
            _cell(payment.currency, style),
            _cell(payment.reference, style),
        ]
        for inv in check_sequence(invoices, Invoice, "invoices")
        for payment in inv.payments
    )
    header = titles(PAYMENT_COLUMNS, fields, french=style is CsvStyle.FRENCH)
    _write(rows, header, target, style, encoding)


def write_clients_csv(
    clients: Iterable[Client],
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write clients in the format :func:`~relancelib.io.read_clients_csv` reads back
    (address lines are joined with ``|``)."""
    fields = ("id", "name", "email", "phone", "address", "postal_code", "city", "country",
              "kind", "siren", "segment", "penalty_rate", "locale")  # fmt: skip
    french = style is CsvStyle.FRENCH
    kinds = {
        ClientKind.BUSINESS: "entreprise" if french else "business",
        ClientKind.CONSUMER: "particulier" if french else "consumer",
    }
    rows = []
    for client in check_sequence(clients, Client, "clients"):
        address = client.address
        rate = client.penalty_rate
        rows.append(
            [
                _cell(client.id, style),
                _cell(client.name, style),
                _cell(client.email, style),
                _cell(client.phone, style),
                _cell(None if address is None else " | ".join(address.lines), style),
                _cell(None if address is None else address.postal_code, style),
                _cell(None if address is None else address.city, style),
                _cell(None if address is None else address.country, style),
                kinds[client.kind],
                _cell(client.siren, style),
                _cell(client.segment, style),
                "" if rate is None else _cell(rate, style),
                _cell(client.locale, style),
            ]
        )
    _write(rows, titles(CLIENT_COLUMNS, fields, french=french), target, style, encoding)


_MONEY = frozenset({"balance", "penalties", "indemnity"})


def plan_to_csv(
    plan: Plan,
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write the plan, one line per invoice of each action (the columns of
    :func:`~relancelib.io.plan_to_frame`; French column names in the French style)."""
    records = plan_records(plan)
    header = [french if style is CsvStyle.FRENCH else english for english, french in PLAN_COLUMNS]
    rows = (
        [
            _cell(_quantized(record, english), style, record["currency"])
            if english in _MONEY
            else _cell(record[english], style)
            for english, _french in PLAN_COLUMNS
        ]
        for record in records
    )
    _write(rows, header, target, style, encoding)


def _quantized(record: Mapping[str, Any], field: str) -> Decimal | None:
    value: Decimal | None = record[field]
    return None if value is None else value.quantize(minor_unit(record["currency"]))
