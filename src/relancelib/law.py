"""French late-payment law (SCAFFOLD — being written by the law helper; see issue 5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs

from relancelib.model import Client, ClientKind, Invoice, Payment


@attrs.frozen
class Period:
    start: dt.date
    end: dt.date
    days: int
    rate: Decimal
    base: Decimal
    amount: Decimal


@attrs.frozen
class Penalties:
    amount: Decimal
    days: int
    periods: tuple[Period, ...] = ()


@attrs.frozen
class Rates:
    pass


def late_penalties(
    amount: Decimal,
    due_date: dt.date,
    until: dt.date,
    *,
    rate: Decimal | None = None,
    payments: Sequence[Payment] = (),
    split: bool = True,
    basis: int = 365,
    rates: Rates | None = None,
) -> Penalties:
    raise NotImplementedError


def legal_interest(
    amount: Decimal,
    from_date: dt.date,
    until: dt.date,
    *,
    payments: Sequence[Payment] = (),
    rates: Rates | None = None,
) -> Penalties:
    raise NotImplementedError


def recovery_indemnity(client: Client) -> Decimal:
    return Decimal("40.00") if client.kind is ClientKind.BUSINESS else Decimal("0.00")


def check_payment_terms(issue_date: dt.date, due_date: dt.date) -> str | None:
    raise NotImplementedError


def prescription_date(invoice: Invoice, client: Client) -> dt.date:
    raise NotImplementedError
