"""Property tests of what an action demands and how it reaches the client (DESIGN.md, "What
messages demand (sections)" and "Channels that cannot reach the client"), and of the engine's
own decimal context."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import make_creditor
from relancelib import Address, Client, Invoice, MemoryJournal, ReminderPolicy, Severity, plan
from relancelib.actions import sum_claims
from relancelib.formatting import format_amount, format_date
from relancelib.rendering import render
from relancelib.strategies import dates, policies, portfolios

START = dt.date(2025, 1, 2)
DAY = dt.timedelta(days=1)
ISSUED = dates(dt.date(2025, 1, 2), dt.date(2025, 3, 31))
sim = settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])


def worlds() -> st.SearchStrategy[tuple[list[Client], list[Invoice]]]:
    return portfolios(issue_dates=ISSUED, min_invoices=1, max_invoices=6, max_clients=3)


def run(clients: list[Client], invoices: list[Invoice], policy: ReminderPolicy, count: int):  # type: ignore[no-untyped-def]
    journal = MemoryJournal()
    for offset in range(count):
        today = plan(invoices, clients, policy, START + offset * DAY, journal)
        yield today
        for action in today.actions:
            journal.record(action)


@sim
@given(world=worlds(), policy=policies())
def test_a_message_never_demands_an_upcoming_invoice(
    world: tuple[list[Client], list[Invoice]], policy: ReminderPolicy
) -> None:
    clients, invoices = world
    for today in run(clients, invoices, policy, 100):
        for action in today.actions:
            own = {item.invoice.number for item in action.own_items}
            for item in action.upcoming_items:
                assert item.invoice.number not in own
                assert item.invoice.due_date >= today.as_of or item.step.offset_days < 0
            assert dict(action.demanded) == sum_claims(action.own_items)
            # The three sections share out the items.
            sections = (*action.own_items, *action.other_items, *action.upcoming_items)
            assert sorted(i.invoice.number for i in sections) == sorted(
                i.invoice.number for i in action.items
            )


@sim
@given(world=worlds(), policy=policies())
def test_demanded_is_never_more_than_claimed(
    world: tuple[list[Client], list[Invoice]], policy: ReminderPolicy
) -> None:
    clients, invoices = world
    for today in run(clients, invoices, policy, 100):
        for action in today.actions:
            assert action.own_items
            for currency, amount in action.demanded.items():
                assert Decimal(0) < amount <= action.claimed[currency]


@sim
@given(world=worlds(), policy=policies())
def test_fallback_never_stalls_an_escalation(
    world: tuple[list[Client], list[Invoice]], policy: ReminderPolicy
) -> None:
    """Every invoice whose step is due is either in an action (through a channel that reaches
    the client, a fallback reported as a warning) or reported as an error naming what is
    missing: an escalation never stalls silently."""
    clients, invoices = world
    for today in run(clients, invoices, policy, 100):
        warned = {p.invoice_number for p in today.warnings if "(fallback)" in p.message}
        unreachable = {p.invoice_number for p in today.errors if "cannot be reached" in p.message}
        for action in today.actions:
            assert getattr(action.client, action.channel.contact_field) is not None
            assert action.channel in action.step.channels
            for item in action.items:
                assert (item.invoice.number in warned) is action.is_fallback
                assert item.invoice.number not in unreachable
        for problem in today.errors:
            if "cannot be reached" in problem.message:
                assert problem.severity is Severity.ERROR
                assert " no " in problem.message


def test_french_default_reaches_a_client_with_only_an_address() -> None:
    client = Client("C1", "Sans contact", address=Address(("1 rue",), "69002", "Lyon"))
    bill = Invoice("F-1", "C1", dt.date(2025, 1, 2), dt.date(2025, 2, 3), Decimal("100.00"))
    policy = ReminderPolicy.french_default()
    steps = []
    for today in run([client], [bill], policy, 90):
        for action in today.actions:
            steps.append((action.step.key, action.channel.value))
    assert steps == [
        ("courtoisie", "letter"),
        ("relance_1", "letter"),
        ("appel", "letter"),
        ("relance_2", "letter"),
        ("lettre_relance", "letter"),
        ("mise_en_demeure", "registered_letter"),
    ]


def test_plan_does_not_depend_on_the_callers_decimal_context() -> None:
    client = Client("C1", "Boulangerie Martin", email="a@martin.fr")
    bills = [
        Invoice(f"F-{n}", "C1", dt.date(2025, 1, 2), dt.date(2025, 2, 1), Decimal("12345.66"))
        for n in range(3)
    ]
    policy = ReminderPolicy.french_default()
    with decimal.localcontext(prec=6):
        (action,) = plan(bills, [client], policy, dt.date(2025, 2, 3)).actions
    assert action.totals == {"EUR": Decimal("37036.98")}
    assert action.claimed == {"EUR": Decimal("37036.98")}
    assert action.demanded == {"EUR": Decimal("37036.98")}


@settings(deadline=None, max_examples=50)
@given(prec=st.integers(1, 28), world=worlds(), policy=policies())
def test_the_plan_is_the_same_in_any_decimal_context(
    prec: int, world: tuple[list[Client], list[Invoice]], policy: ReminderPolicy
) -> None:
    clients, invoices = world
    day = dt.date(2025, 4, 1)
    expected = plan(invoices, clients, policy, day)
    with decimal.localcontext(prec=prec, rounding=decimal.ROUND_DOWN):
        assert plan(invoices, clients, policy, day) == expected


@settings(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(world=portfolios(issue_dates=ISSUED, min_invoices=4, max_invoices=10, max_clients=1))
def test_a_rendered_message_never_calls_an_upcoming_invoice_unpaid(
    world: tuple[list[Client], list[Invoice]],
) -> None:
    """Every message the built-in templates write from the engine's actions names an upcoming
    invoice only "pour mémoire", with its due date; never in the subject, never "reste dû"."""
    clients, invoices = world
    creditor = make_creditor()
    for today in run(clients, invoices, ReminderPolicy.french_default(), 100):
        for action in today.actions:
            message = render(action, creditor)
            locale = action.client.locale
            for item in action.upcoming_items:
                number = item.invoice.number
                lines = [line for line in message.text.splitlines() if f"Facture {number} " in line]
                assert lines == [
                    f"- Facture {number} de {format_amount(item.balance, item.currency, locale=locale)}"
                    f", à régler le {format_date(item.invoice.due_date, locale=locale)} au plus tard"
                ]
                assert not re.search(rf"(?<![\w-]){re.escape(number)}(?![\w-])", message.subject)
            for other in action.other_items:
                assert f"- Facture {other.invoice.number} du " in message.text
