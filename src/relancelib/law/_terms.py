"""Payment terms — Code de commerce L441-10 I.

Agreed terms may not exceed 60 days from the invoice date, or 45 days end of month when
expressly stipulated.  "45 jours fin de mois" has two accepted readings: (A) end of the month
of issue + 45 days (chosen, the parliamentary reading), (B) invoice date + 45 days, then the
end of that month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from relancelib.checks import check_date
from relancelib.errors import InvalidFieldError
from relancelib.law._checks import add_days

Reading = Literal["A", "B"]

#: Code de commerce L441-10 I: 60 days from the invoice date is one of the caps, and the
#: allowed term is the later of the caps, so a term of at most 60 days is within the law
#: under either reading of "45 days end of month": nothing to check below it.
_WITHIN_CAPS_DAYS = 60


def _end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _terms_caps(issue_date: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """The 60-day cap and the 45-days-end-of-month caps of readings A and B."""
    sixty = add_days(issue_date, 60, "issue_date")
    reading_a = add_days(_end_of_month(issue_date), 45, "issue_date")
    reading_b = _end_of_month(add_days(issue_date, 45, "issue_date"))
    return sixty, reading_a, reading_b


def payment_terms_limit(issue_date: dt.date, reading: Reading = "A") -> dt.date:
    """The latest due date Code de commerce L441-10 I allows for an invoice dated ``issue_date``.

    Agreed terms may not exceed 60 days from the invoice date, or 45 days end of month when
    expressly stipulated; this returns the later of the two caps.  "45 jours fin de mois"
    has two readings: ``"A"`` (chosen, the parliamentary reading) end of the month of issue
    plus 45 days; ``"B"`` invoice date plus 45 days, then the end of that month.  Invoice of
    15 January 2025: 60 days → 16 March; A → 17 March; B → 31 March 2025.
    """
    issue_date = check_date(issue_date, "issue_date")
    if reading not in ("A", "B"):
        raise InvalidFieldError("must be 'A' or 'B'", field="reading", value=reading)
    sixty, reading_a, reading_b = _terms_caps(issue_date)
    return max(sixty, reading_a if reading == "A" else reading_b)


def _checked_span(issue_date: object, due_date: object) -> tuple[dt.date, dt.date]:
    issue = check_date(issue_date, "issue_date")
    due = check_date(due_date, "due_date")
    if due < issue:
        raise InvalidFieldError(
            f"is before the issue date {issue.isoformat()}", field="due_date", value=due
        )
    return issue, due


def check_payment_terms(issue_date: dt.date, due_date: dt.date) -> str | None:
    """``None`` when the due date is within the caps of Code de commerce L441-10 I under
    either reading of "45 days end of month", else a message naming the days and the caps.

    Sector caps (road transport, L441-11: 30 days) are not checked.
    """
    return _check_payment_terms(*_checked_span(issue_date, due_date))


def _check_payment_terms(issue_date: dt.date, due_date: dt.date) -> str | None:
    sixty, reading_a, reading_b = _terms_caps(issue_date)
    if due_date <= max(sixty, reading_a, reading_b):
        return None
    return (
        f"payment terms of {(due_date - issue_date).days} days (due {due_date.isoformat()}, "
        f"invoiced {issue_date.isoformat()}) exceed the legal caps of Code de commerce L441-10 I: "
        f"60 days from the invoice date ({sixty.isoformat()}) or 45 days end of month "
        f"({reading_a.isoformat()} reading end of month + 45 days, {reading_b.isoformat()} "
        "reading 45 days then end of month)"
    )


def payment_terms_warning(issue_date: dt.date, due_date: dt.date) -> str | None:
    """What to tell about an invoice's payment terms: :func:`check_payment_terms`'s message
    when they exceed the caps of Code de commerce L441-10 I, else ``None``.

    Cheap for the common case (terms of at most 60 days), so it can run on every invoice.
    """
    if type(issue_date) is not dt.date or type(due_date) is not dt.date or due_date < issue_date:
        # Not plainly valid: the checks decide (and name what is wrong).
        issue_date, due_date = _checked_span(issue_date, due_date)
    if (due_date - issue_date).days <= _WITHIN_CAPS_DAYS:
        return None
    return _check_payment_terms(issue_date, due_date)
