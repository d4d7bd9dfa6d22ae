"""Hypothesis strategies for relancelib's objects: property-test your integration with them.

Like ``structlog.testing``, this module is shipped *for users*: an invoicing application
can generate valid clients, invoices, payments, policies and whole portfolios and check
its own invariants (every reminder it sends is journaled, nothing is sent twice...)::

    from hypothesis import given
    from relancelib import plan
    from relancelib.strategies import dates, policies, portfolios

    @given(portfolios(), policies(), dates())
    def test_my_sender_journals_every_action(portfolio, policy, today):
        clients, invoices = portfolio
        ...

It needs Hypothesis, which relancelib does not install: ``pip install hypothesis`` (it is
in the ``test`` extra).  Every strategy generates *valid* objects — they pass the
constructors' checks — and keeps sizes small so suites stay fast.  Dates default to
2024-2026, payment terms to at most 60 days (the L441-10 cap), amounts to euros and cents.

Arguments that tune a field take either a plain value (``kind=ClientKind.CONSUMER``) or a
strategy (``kind=st.sampled_from(ClientKind)``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st

from relancelib.model import Address, Client, ClientKind, Invoice, Payment, minor_unit
from relancelib.policy import Channel, ReminderPolicy, Step

__all__ = [
    "CALENDARS",
    "MAX_DATE",
    "MIN_DATE",
    "addresses",
    "amounts",
    "clients",
    "dates",
    "invoices",
    "payments",
    "policies",
    "portfolios",
    "sirens",
    "steps",
]

T = TypeVar("T")

#: The earliest date the strategies generate by default.
MIN_DATE = dt.date(2024, 1, 1)
#: The latest date the strategies generate by default.
MAX_DATE = dt.date(2026, 12, 31)
#: The holiday calendars :func:`policies` picks from: metropolitan France, Moselle,
#: Bas-Rhin (Good Friday and 26 December) and La Réunion (20 December).
CALENDARS: tuple[str, ...] = ("FR", "FR-57", "FR-67", "FR-974")

_STEP_KEYS = (
    "courtoisie",
    "relance_1",
    "appel",
    "relance_2",
    "sms",
    "relance_3",
    "lettre_relance",
    "mise_en_demeure",
    "relance-finale",
    "contentieux",
)
_NAMES = (
    "Boulangerie Martin",
    "SARL Dupont & Fils",
    "Café de l'Église",
    "Élodie Lefèvre",
    "Garage Œuvre",
    "Atelier Noël",
    "Transports Müller",
    "Zoé Ça Va",
)
_STREETS = (
    "12 rue de la Paix",
    "3 bis avenue Jean Jaurès",
    "Bâtiment B",
    "1 place de l'Hôtel de Ville",
    "BP 42",
    "27 chemin des Écoliers",
)
_CITIES = ("Paris", "Lyon", "Metz", "Strasbourg", "Saint-Denis", "Aix-en-Provence", "Lille")
_LOCALES = ("fr_FR", "fr_BE", "fr_CH", "fr_CA")


def _strategy(value: T | st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """A strategy for ``value``: itself when it already is one, else ``just(value)``."""
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def _rarely(strategy: st.SearchStrategy[T], default: T) -> st.SearchStrategy[T]:
    """``default`` most of the time (about 3 draws in 4), else a value from ``strategy``."""
    return st.integers(0, 3).flatmap(lambda n: strategy if n == 0 else st.just(default))


def _mostly(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """A value from ``strategy`` most of the time (about 3 draws in 4), else ``None``."""
    return st.integers(0, 3).flatmap(lambda n: st.none() if n == 0 else strategy)


def dates(
    min_value: dt.date = MIN_DATE, max_value: dt.date = MAX_DATE
) -> st.SearchStrategy[dt.date]:
    """Days from ``min_value`` to ``max_value`` inclusive (``datetime.date``, never a datetime)."""
    return st.dates(min_value=min_value, max_value=max_value)


def amounts(
    min_value: Decimal = Decimal("0.01"),
    max_value: Decimal = Decimal("50000"),
    *,
    currency: str = "EUR",
) -> st.SearchStrategy[Decimal]:
    """Decimal amounts quantized to ``currency``'s minor unit, between the two bounds."""
    unit = minor_unit(currency)
    low = int((Decimal(min_value) / unit).to_integral_value(rounding=ROUND_CEILING))
    high = int((Decimal(max_value) / unit).to_integral_value(rounding=ROUND_FLOOR))
    return st.integers(low, high).map(lambda units: (units * unit).quantize(unit))


def _luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def sirens() -> st.SearchStrategy[str]:
    """Valid SIREN numbers (nine digits, Luhn checksum), in compact form."""
    return st.integers(10_000_000, 99_999_999).map(lambda n: f"{n:08d}" + _luhn_digit(f"{n:08d}"))


def addresses(*, country: str | st.SearchStrategy[str] = "FR") -> st.SearchStrategy[Address]:
    """French postal addresses: one to three street lines, a five-digit postal code, a city."""
    return st.builds(
        Address,
        lines=st.lists(st.sampled_from(_STREETS), min_size=1, max_size=3, unique=True),
        postal_code=st.integers(1000, 98999).map(lambda n: f"{n:05d}"),
        city=st.sampled_from(_CITIES),
        country=_strategy(country),
    )


def _emails() -> st.SearchStrategy[str]:
    local = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
    domain = st.sampled_from(("exemple.fr", "compta.example.com", "martin.fr", "orange.fr"))
    return st.builds(lambda user, host: f"{user}@{host}", local, domain)


def _phones() -> st.SearchStrategy[str]:
    """French numbers written the French way: ``01 23 45 67 89``."""

    def spaced(number: int) -> str:
        digits = f"0{number:09d}"
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))

    return st.integers(100_000_000, 799_999_999).map(spaced)


def clients(**overrides: Any) -> st.SearchStrategy[Client]:
    """Valid :class:`~relancelib.Client` objects.

    Every field of ``Client`` may be overridden by keyword with a value or a strategy:
    ``clients(id=st.just("C1"))``, ``clients(kind=ClientKind.CONSUMER, email=None)``.
    By default most clients have an e-mail address, a telephone number and an address,
    a few lack one (the engine then reports a warning for steps on that channel).
    """
    fields: dict[str, st.SearchStrategy[Any]] = {
        "id": st.integers(1, 999).map(lambda n: f"C{n:03d}"),
        "name": st.sampled_from(_NAMES),
        "email": _mostly(_emails()),
        "phone": _mostly(_phones()),
        "address": _mostly(addresses()),
        "kind": st.sampled_from(ClientKind),
        "locale": st.sampled_from(_LOCALES),
        "segment": st.sampled_from(("standard", "vip", "public")),
        "siren": st.none() | sirens(),
        "penalty_rate": _rarely(
            st.sampled_from((Decimal("10"), Decimal("12.15"), Decimal("15.5"))), None
        ),
    }
    unknown = set(overrides) - set(fields)
    if unknown:
        raise TypeError(f"clients() got unknown field(s): {', '.join(sorted(unknown))}")
    for name, value in overrides.items():
        fields[name] = _strategy(value)
    return st.builds(Client, **fields)


def payments(
    currency: str | None = None,
    *,
    min_amount: Decimal = Decimal("0.01"),
    max_amount: Decimal = Decimal("50000"),
    on: st.SearchStrategy[dt.date] | None = None,
) -> st.SearchStrategy[Payment]:
    """Valid :class:`~relancelib.Payment` objects.

    ``currency=None`` (the default) makes payments in their invoice's currency; their
    amounts are quantized to the euro cent, so use them with euro invoices or pass the
    currency.
    """
    return st.builds(
        Payment,
        on=on if on is not None else dates(),
        amount=amounts(min_amount, max_amount, currency=currency or "EUR"),
        currency=st.just(currency),
        reference=st.none() | st.sampled_from(("VIR-0001", "CHQ 1234567", "CB 2025-03")),
    )


def _split(total_units: int, parts: int, draw: st.DrawFn) -> list[int]:
    """Split ``total_units`` (≥ ``parts``) into ``parts`` positive integers."""
    if parts <= 1:
        return [total_units]
    inner = st.integers(1, total_units - 1)
    cuts = sorted(draw(st.lists(inner, min_size=parts - 1, max_size=parts - 1, unique=True)))
    bounds = [0, *cuts, total_units]
    return [high - low for low, high in itertools.pairwise(bounds)]


@st.composite
def _invoice(
    draw: st.DrawFn,
    /,
    *,
    client_ids: st.SearchStrategy[str],
    numbers: st.SearchStrategy[str],
    currency: st.SearchStrategy[str],
    issue_dates: st.SearchStrategy[dt.date],
    max_terms_days: int,
    min_amount: Decimal,
    max_amount: Decimal,
    with_payments: bool,
    overpaid: bool,
    disputed: st.SearchStrategy[bool],
    hold_until: st.SearchStrategy[dt.date | None] | None,
    sent: st.SearchStrategy[bool],
) -> Invoice:
    code = draw(currency)
    unit = minor_unit(code)
    issue = draw(issue_dates)
    due = issue + dt.timedelta(days=draw(st.integers(0, max_terms_days)))
    amount = draw(amounts(min_amount, max_amount, currency=code))
    paid: tuple[Payment, ...] = ()
    units = int(amount / unit)
    if with_payments and units > 0:
        # How much is paid: nothing, part of it, all of it or (when allowed) more.
        modes = ["none", "partial", "full", *(["over"] if overpaid else [])]
        mode = draw(st.sampled_from(modes))
        if mode == "partial" and units > 1:
            paid_units = draw(st.integers(1, units - 1))
        elif mode == "full":
            paid_units = units
        elif mode == "over":
            paid_units = units + draw(st.integers(1, max(1, units)))
        else:
            paid_units = 0
        if paid_units:
            count = draw(st.integers(1, min(3, paid_units)))
            days = st.integers(-15, max_terms_days + 90).map(lambda n: issue + dt.timedelta(days=n))
            paid = tuple(
                Payment(draw(days), (part * unit).quantize(unit))
                for part in _split(paid_units, count, draw)
            )
    if hold_until is None:
        hold_until = _rarely(
            st.integers(0, max_terms_days + 60).map(lambda n: issue + dt.timedelta(days=n)), None
        )
    held = draw(hold_until)
    return Invoice(
        draw(numbers),
        draw(client_ids),
        issue,
        due,
        amount,
        currency=code,
        payments=paid,
        disputed=draw(disputed),
        hold_until=held,
        sent_on=issue if draw(sent) else None,
    )


def _numbers() -> st.SearchStrategy[str]:
    return st.integers(1, 9999).map(lambda n: f"F-{n:04d}")


def invoices(
    *,
    client_ids: Sequence[str] | st.SearchStrategy[str] = ("C001", "C002", "C003"),
    numbers: st.SearchStrategy[str] | None = None,
    currency: str | st.SearchStrategy[str] = "EUR",
    issue_dates: st.SearchStrategy[dt.date] | None = None,
    max_terms_days: int = 60,
    min_amount: Decimal = Decimal("0.01"),
    max_amount: Decimal = Decimal("50000"),
    with_payments: bool = True,
    overpaid: bool = False,
    disputed: bool | st.SearchStrategy[bool] | None = None,
    hold_until: st.SearchStrategy[dt.date | None] | None = None,
    sent: bool | st.SearchStrategy[bool] = True,
) -> st.SearchStrategy[Invoice]:
    """Valid :class:`~relancelib.Invoice` objects.

    The due date is 0 to ``max_terms_days`` days after the issue date (60 by default, the
    Code de commerce L441-10 cap, so no payment-terms warning); amounts are quantized to the
    currency's minor unit.  With ``with_payments`` an invoice is unpaid, partly paid or
    fully paid by one to three payments dated around its life (a payment may predate the
    invoice: a deposit); with ``overpaid=True`` the payments may also exceed the amount
    (the engine reports it as an error).  ``disputed`` is a value or a strategy
    (default: about one invoice in eight); ``hold_until`` a strategy of dates or ``None``
    (default: sometimes a date near the due date; pass ``st.none()`` for no hold); ``sent``
    sets ``sent_on`` to the issue date.
    """
    ids = (
        client_ids
        if isinstance(client_ids, st.SearchStrategy)
        else st.sampled_from(tuple(client_ids))
    )
    disputes: st.SearchStrategy[bool] = (
        st.integers(0, 7).map(lambda n: n == 0) if disputed is None else _strategy(disputed)
    )
    return _invoice(
        client_ids=ids,
        numbers=numbers if numbers is not None else _numbers(),
        currency=_strategy(currency),
        issue_dates=issue_dates if issue_dates is not None else dates(),
        max_terms_days=max_terms_days,
        min_amount=min_amount,
        max_amount=max_amount,
        with_payments=with_payments,
        overpaid=overpaid,
        disputed=disputes,
        hold_until=hold_until,
        sent=_strategy(sent),
    )


@st.composite
def steps(
    draw: st.DrawFn,
    /,
    *,
    min_size: int = 1,
    max_size: int = 6,
    include_penalties: bool | st.SearchStrategy[bool] = False,
    first_offset: st.SearchStrategy[int] | None = None,
) -> tuple[Step, ...]:
    """A valid escalation: 1 to 6 steps with unique keys and strictly increasing offsets.

    The first offset is between -10 and +10 days from the due date by default, the next ones
    1 to 20 days apart.  ``include_penalties`` may be ``True``, ``False`` or a strategy;
    steps that include penalties need the law's rate tables.
    """
    size = draw(st.integers(min_size, max_size))
    keys = draw(st.lists(st.sampled_from(_STEP_KEYS), min_size=size, max_size=size, unique=True))
    offset = draw(first_offset if first_offset is not None else st.integers(-10, 10))
    penalties = _strategy(include_penalties)
    out = []
    for index, key in enumerate(keys):
        if index:
            offset += draw(st.integers(1, 20))
        channel = draw(st.sampled_from(Channel))
        others = [c for c in Channel if c is not channel]
        fallback = draw(st.lists(st.sampled_from(others), unique=True, max_size=2))
        out.append(
            Step(key, offset, channel, include_penalties=draw(penalties), fallback=tuple(fallback))
        )
    return tuple(out)


def policies(
    *,
    min_steps: int = 1,
    max_steps: int = 6,
    min_gap_days: int | st.SearchStrategy[int] | None = None,
    min_balance: Decimal | st.SearchStrategy[Decimal] | None = None,
    business_days_only: bool | st.SearchStrategy[bool] | None = None,
    holidays: str | st.SearchStrategy[str] | None = None,
    include_penalties: bool | st.SearchStrategy[bool] = False,
    first_offset: st.SearchStrategy[int] | None = None,
) -> st.SearchStrategy[ReminderPolicy]:
    """Valid :class:`~relancelib.ReminderPolicy` objects (see :func:`steps`).

    By default: a gap of 1 to 10 days, a minimum balance of 0 (or sometimes a few euros),
    business days only or not, a calendar among :data:`CALENDARS`, and no step that
    includes penalties (pass ``include_penalties=st.booleans()`` to have some).
    """
    return st.builds(
        ReminderPolicy,
        name=st.sampled_from(("standard", "vip", "prudent", "ferme")),
        steps=steps(
            min_size=min_steps,
            max_size=max_steps,
            include_penalties=include_penalties,
            first_offset=first_offset,
        ),
        min_gap_days=st.integers(1, 10) if min_gap_days is None else _strategy(min_gap_days),
        min_balance=(
            _rarely(amounts(Decimal("1"), Decimal("50")), Decimal("0"))
            if min_balance is None
            else _strategy(min_balance)
        ),
        business_days_only=(
            st.booleans() if business_days_only is None else _strategy(business_days_only)
        ),
        holidays=st.sampled_from(CALENDARS) if holidays is None else _strategy(holidays),
    )


@st.composite
def portfolios(
    draw: st.DrawFn,
    /,
    *,
    min_clients: int = 1,
    max_clients: int = 4,
    min_invoices: int = 0,
    max_invoices: int = 8,
    client_options: dict[str, Any] | None = None,
    **invoice_options: Any,
) -> tuple[list[Client], list[Invoice]]:
    """A consistent portfolio: ``(clients, invoices)``.

    Client ids are unique, every invoice's client is among the clients and invoice numbers
    are unique.  ``client_options`` is passed to :func:`clients` and the other keyword
    arguments to :func:`invoices` (``with_payments=False``, ``currency=...``...).
    """
    people = draw(
        st.lists(
            clients(**(client_options or {})),
            min_size=min_clients,
            max_size=max_clients,
            unique_by=lambda client: client.id,
        )
    )
    ids = [client.id for client in people]
    if not ids:
        return people, []
    bills = draw(
        st.lists(
            invoices(client_ids=ids, **invoice_options),
            min_size=min_invoices,
            max_size=max_invoices,
            unique_by=lambda invoice: invoice.number,
        )
    )
    return people, bills
