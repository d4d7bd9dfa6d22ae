"""The claim of one overdue invoice: what the law adds to its principal on a given day.

A business client owes the late-payment penalties of Code de commerce L441-10 II and the 40 €
recovery indemnity of D441-5; a consumer owes interest at the legal rate from the formal
notice (Code civil 1231-6, 1344-1) and no indemnity.  The two never accumulate on the same
days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from relancelib.checks import check_date, check_optional_date
from relancelib.errors import RateUnknownError, RelanceError
from relancelib.law._accrual import Penalties
from relancelib.law._checks import check_invoice_client
from relancelib.law._indemnity import _recovery_indemnity
from relancelib.law._interest import _legal_interest
from relancelib.law._penalties import _late_penalties
from relancelib.law._rates import Rates, check_rates
from relancelib.model import Client, ClientKind, Invoice

_NO_INDEMNITY = Decimal("0")


@attrs.frozen
class Claim:
    """What the law adds to an invoice's principal on a given day.

    ``penalties``: late-payment penalties (business client) or legal interest (consumer), or
    ``None`` when they could not be computed (a rate the tables do not know, payments above
    the amount…), ``warnings`` then saying why.  ``indemnity``: the recovery indemnity
    (40 € for a business client, nothing for a consumer).  ``warnings``: what a person should
    know about the figures, in the order found.
    """

    penalties: Penalties | None
    indemnity: Decimal
    warnings: tuple[str, ...] = ()


def claim(
    invoice: Invoice,
    client: Client,
    as_of: dt.date,
    *,
    notified_on: dt.date | None = None,
    rates: Rates | None = None,
) -> Claim:
    """The penalties or interest and the indemnity owed on ``invoice`` on ``as_of``.

    Payments dated on or before ``as_of`` count; interest runs up to
    ``max(as_of, invoice.due_date)``.  A business ``client`` owes the L441-10 II penalties
    (at ``client.penalty_rate`` when the contract sets one, else each half-year's default
    rate, divided by 365) and the D441-5 indemnity; a consumer owes interest at the legal
    rate from ``notified_on``, the date of the formal notice (``None``: no notice yet, so no
    interest), and no indemnity.  The 40 € indemnity is not added to an invoice in another
    currency than the euro (a warning says so).

    Never raises for valid models: a figure that cannot be computed is ``None`` with a
    warning.  Bad arguments raise :class:`~relancelib.errors.InvalidFieldError`.
    """
    invoice, client = check_invoice_client(invoice, client)
    as_of = check_date(as_of, "as_of")
    notified_on = check_optional_date(notified_on, "notified_on")
    tables = check_rates(rates)
    return _claim(invoice, client, as_of, notified_on=notified_on, rates=tables)


def _claim(
    invoice: Invoice,
    client: Client,
    as_of: dt.date,
    *,
    notified_on: dt.date | None,
    rates: Rates,
) -> Claim:
    """:func:`claim` on arguments already checked (validated models)."""
    payments = invoice.payments
    if payments:
        payments = tuple(p for p in payments if p.on <= as_of)
    until = max(as_of, invoice.due_date)
    warnings: tuple[str, ...] = ()
    indemnity = _recovery_indemnity(client)
    if indemnity and invoice.currency != "EUR":
        warnings = (
            "the 40 € recovery indemnity (D441-5) is not added to an invoice in "
            f"{invoice.currency}",
        )
        indemnity = _NO_INDEMNITY
    try:
        if client.kind is ClientKind.BUSINESS:
            penalties = _late_penalties(
                invoice.amount,
                invoice.due_date,
                until,
                chosen=client.penalty_rate,
                paid=payments,
                split=True,
                basis=365,
                tables=rates,
            )
        else:
            start = until if notified_on is None else notified_on
            penalties = _legal_interest(invoice.amount, start, max(start, until), payments, rates)
    except RateUnknownError as exc:
        return Claim(
            None,
            indemnity,
            (
                *warnings,
                f"penalties not computed: {exc}; pass rates=... to plan() with the missing rate",
            ),
        )
    except RelanceError as exc:
        return Claim(None, indemnity, (*warnings, f"penalties not computed: {exc}"))
    return Claim(penalties, indemnity, warnings)
