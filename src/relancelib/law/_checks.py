"""The law's argument checks: the library's checks (:mod:`relancelib.checks`) with the law's
own limits on top, and the decimal context every computation of the law runs in."""

from __future__ import annotations

import datetime as dt
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

from relancelib import checks
from relancelib.errors import InvalidFieldError
from relancelib.model import Client, Invoice

#: The penalty and interest arithmetic runs in this context, whatever the caller's global
#: decimal context: 34 significant digits (IEEE decimal128), errors trapped.  Only the final
#: total is rounded to the cent, half-up.
CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
CENT = Decimal("0.01")
#: Amounts above this are refused as implausible (and to keep every computation exact enough).
MAX_AMOUNT = Decimal("1e15")


def check_amount(value: object, field: str = "amount") -> Decimal:
    """A ``Decimal`` amount, finite, not negative (:func:`relancelib.checks.check_amount`,
    which refuses floats) and at most :data:`MAX_AMOUNT`.

    An ``int`` is refused too: an amount of money is written with its cents.
    """
    amount = checks.check_amount(value, field)
    if not isinstance(value, Decimal):
        raise InvalidFieldError(
            f"must be a Decimal amount such as Decimal('1000.00'), not {type(value).__name__}",
            field=field,
            value=value,
        )
    if amount > MAX_AMOUNT:
        raise InvalidFieldError(
            f"is above the largest amount accepted ({MAX_AMOUNT:E})", field=field, value=value
        )
    return amount


def check_basis(value: object) -> int:
    """The day-count divisor: 365 (LAW.md), or 366 for the days of a leap year."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in (365, 366):
        raise InvalidFieldError(
            "must be 365, or 366 (divisor 366 for the days of a leap year)",
            field="basis",
            value=value,
        )
    return value


def check_span(start: dt.date, until: dt.date, start_field: str) -> None:
    """``until`` must not be before ``start`` (named ``start_field``)."""
    if until < start:
        raise InvalidFieldError(
            f"is before the {start_field.replace('_', ' ')} {start.isoformat()}",
            field="until",
            value=until,
        )


def add_days(day: dt.date, days: int, field: str) -> dt.date:
    """``day`` plus ``days``, or :class:`InvalidFieldError` past the end of the calendar."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise InvalidFieldError(
            "is too close to the end of the calendar", field=field, value=day
        ) from None


def check_invoice_client(invoice: object, client: object) -> tuple[Invoice, Client]:
    """An :class:`Invoice` and its :class:`Client` (the client the invoice names)."""
    invoice = checks.check_instance(invoice, Invoice, "invoice", what="an Invoice")
    client = checks.check_instance(client, Client, "client")
    if client.id != invoice.client_id:
        raise InvalidFieldError(
            f"is not the client of invoice {invoice.number} ({invoice.client_id!r})",
            field="client",
            value=client.id,
        )
    return invoice, client
