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
#: Below this many days overdue no prescription can be near: the shortest limitation period is
#: two years (Code de la consommation L218-2; Code de commerce L110-4: five years), at least
#: 2 × 365 days from the due date, so more than PRESCRIPTION_WARNING_DAYS are left.
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
    business client (Code de commerce L110-4), plus 2 years for a consumer (Code de la
    consommation L218-2); a due date of 29 February ends on 28 February.

    Only an acknowledgement of the debt (Code civil 2240), a court claim such as an
    *injonction de payer* (2241) or an enforcement measure (2244) interrupts it: a formal
    notice, even by registered letter, does not (Cass. com. 18 mai 2022, n° 20-23.204).
    """
    return _prescription_date(*check_invoice_client(invoice, client))


def _prescription_date(invoice: Invoice, client: Client) -> dt.date:
    years = 5 if client.kind is ClientKind.BUSINESS else 2
    return _add_years(invoice.due_date, years)


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
    if (as_of - invoice.due_date).days < _PRESCRIPTION_CHECK_DAYS:
        return None
    limit = _prescription_date(invoice, client)
    left = (limit - as_of).days
    if left < 0:
        return f"the claim is time-barred since {limit.isoformat()} (prescription)"
    if left <= PRESCRIPTION_WARNING_DAYS:
        return (
            f"the claim becomes time-barred on {limit.isoformat()} ({left} days left): "
            "only an acknowledgement of debt or a court claim interrupts it"
        )
    return None
