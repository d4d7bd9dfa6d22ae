"""Limitation periods — Code de commerce L110-4 (5 years), Code de la consommation L218-2
(2 years for a professional's claim against a consumer).

Only an acknowledgement of the debt (Code civil 2240), a court claim such as an *injonction de
payer* (2241) or an enforcement measure (2244) interrupts them: a formal notice, even by
registered letter, does not (Cass. com. 18 mai 2022, n° 20-23.204).
"""

from __future__ import annotations

import calendar
import datetime as dt

from relancelib.checks import check_date
from relancelib.errors import InvalidFieldError
from relancelib.law._checks import check_invoice_client
from relancelib.model import Client, ClientKind, Invoice

#: How many days before the prescription date an invoice is reported (``plan()``'s problems).
PRESCRIPTION_WARNING_DAYS = 90
_BUSINESS = ClientKind.BUSINESS
#: Below this many days since the start of the limitation period no prescription can be near:
#: the shortest period is two years (Code de la consommation L218-2; Code de commerce L110-4:
#: five years), at least 2 × 365 days, so more than PRESCRIPTION_WARNING_DAYS are left.
_PRESCRIPTION_CHECK_DAYS = 2 * 365 - PRESCRIPTION_WARNING_DAYS - 1


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        if day.month == 2 and day.day == 29 and not calendar.isleap(day.year + years):
            return dt.date(day.year + years, 2, 28)
        return day.replace(year=day.year + years)
    except ValueError:
        raise InvalidFieldError(
            "is too close to the end of the calendar", field="due_date", value=day
        ) from None


def prescription_date(invoice: Invoice, client: Client) -> dt.date:
    """The last day of the limitation period of ``invoice``: its due date plus 5 years for a
    business client (Code de commerce L110-4); for a consumer, 2 years (Code de la
    consommation L218-2) from the delivery of the goods or the completion of the service
    (``invoice.delivered_on``; the issue date when unset: Cass. civ. 1re, 19 May 2021,
    n° 20-12.520); a start on 29 February ends on 28 February.

    Only an acknowledgement of the debt (Code civil 2240), a court claim such as an
    *injonction de payer* (2241) or an enforcement measure (2244) interrupts it: a formal
    notice, even by registered letter, does not (Cass. com. 18 mai 2022, n° 20-23.204).
    """
    return _prescription_date(*check_invoice_client(invoice, client))


def _prescription_date(invoice: Invoice, client: Client) -> dt.date:
    return _add_years(_prescription_start(invoice, client), _years(client))


def _years(client: Client) -> int:
    return 5 if client.kind is ClientKind.BUSINESS else 2


def _prescription_start(invoice: Invoice, client: Client) -> dt.date:
    """The day the limitation period runs from: the due date for a business claim, the
    delivery (or, unknown, the issue) date for a consumer's."""
    if client.kind is ClientKind.BUSINESS:
        return invoice.due_date
    return invoice.delivered_on if invoice.delivered_on is not None else invoice.issue_date


def prescription_start_label(invoice: Invoice, client: Client) -> str:
    """What the limitation period of ``invoice`` runs from, in words (for the messages)."""
    if client.kind is ClientKind.BUSINESS:
        return "the due date"
    if invoice.delivered_on is not None:
        return "the delivery date"
    return "the issue date (no delivery date given)"


def time_barred(invoice: Invoice, client: Client, as_of: dt.date) -> bool:
    """True when the claim on ``invoice`` is past its limitation period on ``as_of``.

    A consumer's time-barred debt is never chased by the engine (no letter may threaten
    court action on it); a business one is reported."""
    invoice, client = check_invoice_client(invoice, client)
    return check_date(as_of, "as_of") > _prescription_date(invoice, client)


def prescription_warning(invoice: Invoice, client: Client, as_of: dt.date) -> str | None:
    """What to tell on ``as_of`` about the prescription of ``invoice``: that it is time-barred,
    or that it becomes so within :data:`PRESCRIPTION_WARNING_DAYS` days; else ``None``.

    Cheap when the invoice is far from prescription, so it can run on every invoice.
    """
    if (
        type(as_of) is not dt.date
        or not isinstance(invoice, Invoice)
        or not isinstance(client, Client)
        or client.id != invoice.client_id
    ):
        # Not plainly valid: the checks decide (and name what is wrong).
        invoice, client = check_invoice_client(invoice, client)
        as_of = check_date(as_of, "as_of")
    # Inline _prescription_start: this runs for every open invoice of a plan.
    if client.kind is _BUSINESS:
        start = invoice.due_date
    else:
        start = invoice.delivered_on or invoice.issue_date
    if (as_of - start).days < _PRESCRIPTION_CHECK_DAYS:
        return None
    limit = _add_years(start, _years(client))
    left = (limit - as_of).days
    since = prescription_start_label(invoice, client)
    if left < 0:
        return (
            f"the claim is time-barred since {limit.isoformat()} (prescription, "
            f"{_years(client)} years from {since})"
        )
    if left <= PRESCRIPTION_WARNING_DAYS:
        return (
            f"the claim becomes time-barred on {limit.isoformat()} ({left} days left, counted "
            f"from {since}): only an acknowledgement of debt or a court claim interrupts it"
        )
    return None
