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

from relancelib.checks import check_date, check_optional_date, minor_unit
from relancelib.errors import RateUnknownError, RelanceError
from relancelib.law._accrual import Penalties
from relancelib.law._checks import check_invoice_client
from relancelib.law._half_years import half_year_end
from relancelib.law._indemnity import _recovery_indemnity
from relancelib.law._interest import _legal_interest
from relancelib.law._penalties import _late_penalties
from relancelib.law._rates import Rates, check_rates
from relancelib.model import Client, ClientKind, Invoice


@attrs.frozen
class Claim:
    """What the law adds to an invoice's principal on a given day.

    ``penalties``: late-payment penalties (business client) or legal interest (consumer), or
    ``None`` when they could not be computed (no rate known for any of the days, payments
    above the amount…), ``warnings`` then saying why; a figure that stops short of the day
    asked has ``penalties.through`` set.  ``indemnity``: the recovery indemnity, in euros
    whatever the invoice's currency (40 € for a business client, nothing for a consumer).
    ``warnings``: what a person should know about the figures, in the order found.
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
    interest), and no indemnity.  The 40 € indemnity is owed whatever the invoice's currency
    (D441-5) and is always in euros.  Figures are rounded to the invoice currency's minor unit.

    When a half-year's rate is not known yet, the figure runs through the last day known and
    says so (``penalties.through``, "arrêtées au …, à parfaire"; a warning names the fix).
    Never raises for valid models: a figure that cannot be computed at all is ``None`` with a
    warning.  Bad arguments raise :class:`~relancelib.errors.InvalidFieldError`.
    """
    invoice, client = check_invoice_client(invoice, client)
    as_of = check_date(as_of, "as_of")
    notified_on = check_optional_date(notified_on, "notified_on")
    tables = check_rates(rates)
    return _claim(invoice, client, as_of, notified_on=notified_on, rates=tables)


#: What to do about a missing rate, said for the command line and for the library.
RATES_FIX = (
    "import the newer figures with `relance rates import FILE` (ECB / Banque de France "
    "SDMX-CSV) or add a [[law.mro]] / [[law.legal_interest]] row to relance.toml; from Python, "
    "pass plan(rates=...)"
)


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
    unit = minor_unit(invoice.currency)
    # D441-5: 40 € per invoice whatever the invoice's currency (LAW.md section 10); it is
    # claimed in euros.
    indemnity = _recovery_indemnity(client)
    business = client.kind is ClientKind.BUSINESS
    if business:
        anchor = invoice.due_date
    else:
        # Code civil 1231-6: legal interest runs from the formal notice (none yet: nothing).
        anchor = until if notified_on is None else min(notified_on, until)

    def compute(through: dt.date, *, floor: bool = True) -> Penalties:
        if business:
            return _late_penalties(
                invoice.amount,
                anchor,
                through,
                chosen=client.penalty_rate,
                paid=payments,
                split=True,
                basis=365,
                tables=rates,
                unit=unit,
                check_floor=floor,
            )
        return _legal_interest(invoice.amount, anchor, through, payments, rates, unit)

    warnings: list[str] = []
    try:
        try:
            return Claim(compute(until), indemnity)
        except RateUnknownError:
            if business and client.penalty_rate is not None:
                # A contractual rate needs no table but for its floor (3 × the legal rate).
                warnings.append(
                    "the floor of the contractual rate (3 × the legal interest rate, L441-10 II) "
                    "could not be checked: the legal rate of the half-year is not known; "
                    + RATES_FIX
                )
                return Claim(compute(until, floor=False), indemnity, tuple(warnings))
            through = _last_known_day(business, rates)
            if through <= anchor:
                raise
            partial = compute(through)
            warnings.append(
                f"penalties computed through {through.isoformat()} only (arrêtées au "
                f"{through.isoformat()}, à parfaire): the rate after that day is not known; "
                + RATES_FIX
            )
            return Claim(attrs.evolve(partial, through=through), indemnity, tuple(warnings))
    except RateUnknownError:
        return Claim(
            None,
            indemnity,
            (*warnings, "penalties not computed: no rate is known for these days; " + RATES_FIX),
        )
    except RelanceError as exc:
        return Claim(None, indemnity, (*warnings, f"penalties not computed: {exc}"))


def _last_known_day(business: bool, rates: Rates) -> dt.date:
    """The last day whose rate the tables know: the end of the half-year of the last MRO rate
    known (L441-10 II takes the rate in force on 1 January or 1 July), or the last day of the
    legal interest rate table."""
    if business:
        return half_year_end(rates.mro.known_through)
    return rates.legal.known_through
