"""What every measure reads off invoices and records: when an invoice was settled, which
steps were sent for it and when, months counted back from a day.  One home for each, so
that the aged balance, the DSO, the payer profiles and the simulation agree."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from relancelib.checks import (
    check_date,
    check_instance,
    check_integer,
    check_sequence,
    minor_unit,
)
from relancelib.errors import InvalidFieldError
from relancelib.journal import Record
from relancelib.model import Invoice

__all__ = [
    "as_mapping",
    "at_least",
    "checked_invoices",
    "days_between",
    "last_step_before",
    "months_back",
    "probability",
    "quantile",
    "sent_steps",
    "settled_on",
    "shifted",
    "week_start",
    "zero",
]


def zero(currency: str) -> Decimal:
    """``0`` at the currency's minor unit (``Decimal("0.00")`` for EUR)."""
    return Decimal(0).quantize(minor_unit(currency))


def as_mapping(value: object, field: str, what: str) -> Mapping[object, object]:
    """:func:`~relancelib.checks.check_instance` for a mapping (which mypy does not take
    as a class argument): ``value`` if it is a mapping, else "must be <what>"."""
    return check_instance(value, Mapping, field, what=what)  # type: ignore[type-abstract]


def probability(value: object, field: str) -> float:
    """A probability (or a quantile): a real number (``int``, ``float`` or ``Decimal``, not a
    ``bool``) from 0 to 1."""
    number = math.nan
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):  # an int too large for a float
            number = float(value)
    if not 0.0 <= number <= 1.0:  # NaN (junk included) fails both comparisons
        raise InvalidFieldError("must be a probability between 0 and 1", field=field, value=value)
    return number


def at_least(value: object, least: int, field: str, unit: str = "") -> int:
    """``value`` as a whole number of at least ``least`` (``"must be at least 1 day"``,
    ``"must not be negative"``)."""
    number = check_integer(value, field)
    if number < least:
        reason = "must not be negative" if least == 0 else f"must be at least {least} {unit}"
        raise InvalidFieldError(reason.rstrip(), field=field, value=number)
    return number


def shifted(day: dt.date, days: int, field: str, value: object) -> dt.date:
    """``day`` plus ``days``; a day outside the calendar (years 1 to 9999) is an
    :class:`InvalidFieldError` naming ``field`` and ``value``, the argument that led there."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise InvalidFieldError(
            f"takes {day} out of the calendar (years 1 to 9999)", field=field, value=value
        ) from None


def checked_invoices(
    invoices: Iterable[Invoice], as_of: object
) -> tuple[tuple[Invoice, ...], dt.date]:
    """The measures' arguments checked once: a sequence of invoices and a day."""
    day = check_date(as_of, "as_of")
    return tuple(check_sequence(invoices, Invoice, "invoices")), day


def settled_on(invoice: Invoice, as_of: dt.date | None = None) -> dt.date | None:
    """The day the invoice was paid in full (its payments, oldest first, reach its amount),
    counting payments dated on or before ``as_of`` (all when None); None while it is open.

    A deposit dated before the issue date settles the invoice on its issue date.
    """
    paid = Decimal(0)
    for payment in sorted(invoice.payments, key=lambda p: p.on):
        if as_of is not None and payment.on > as_of:
            break
        paid += payment.amount
        if paid >= invoice.amount:
            return max(payment.on, invoice.issue_date)
    return None


def sent_steps(
    records: Iterable[object], as_of: dt.date | None = None
) -> dict[str, list[tuple[str, dt.date]]]:
    """Invoice number → the (step key, date) pairs recorded for it on or before ``as_of``,
    oldest first.  ``records`` are the journal's :class:`~relancelib.journal.Record`s."""
    out: dict[str, list[tuple[str, dt.date]]] = {}
    for record in check_sequence(records, Record, "records", what="journal Record"):
        if as_of is not None and record.on > as_of:
            continue
        for number, step in record.steps:
            out.setdefault(number, []).append((step, record.on))
    for entries in out.values():
        entries.sort(key=lambda entry: entry[1])
    return out


def last_step_before(
    steps: Mapping[str, Sequence[tuple[str, dt.date]]], number: str, day: dt.date
) -> str | None:
    """The last step sent for invoice ``number`` strictly before ``day`` (None: none was)."""
    last = None
    for step, on in steps.get(number, ()):
        if on < day:
            last = step
    return last


def days_between(start: dt.date, end: dt.date) -> int:
    """``(end - start).days``."""
    return (end - start).days


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when shorter:
    31 March − 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    if year < 1:
        raise ValueError(f"{months} months before {day} is before year 1")
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def quantile(values: Sequence[int], q: float) -> int:
    """The nearest-rank ``q`` quantile of sorted ``values`` (not empty)."""
    rank = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[rank]
