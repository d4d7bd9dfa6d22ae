"""The Hypothesis strategies shipped for users generate valid, consistent objects."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import relancelib.strategies as strategies
from relancelib import (
    Address,
    Client,
    ClientKind,
    Invoice,
    Payment,
    ReminderPolicy,
    Severity,
    Step,
    plan,
)
from relancelib.model import minor_unit
from relancelib.strategies import (
    CALENDARS,
    MAX_DATE,
    MIN_DATE,
    addresses,
    amounts,
    clients,
    dates,
    invoices,
    payments,
    policies,
    portfolios,
    sirens,
    steps,
)

fast = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def test_all_is_sorted_and_complete() -> None:
    assert strategies.__all__ == sorted(strategies.__all__)
    for name in strategies.__all__:
        assert hasattr(strategies, name)
    assert "pip install hypothesis" in (strategies.__doc__ or "")


def revalidated(obj: object) -> object:
    """``attrs.evolve`` runs the validators again: a generated object that survives is valid."""
    return attrs.evolve(obj)  # type: ignore[misc]


@fast
@given(day=dates(), bounded=dates(dt.date(2025, 4, 1), dt.date(2025, 4, 30)))
def test_dates_are_dates_in_range(day: dt.date, bounded: dt.date) -> None:
    for value in (day, bounded):
        assert type(value) is dt.date
    assert MIN_DATE <= day <= MAX_DATE
    assert dt.date(2025, 4, 1) <= bounded <= dt.date(2025, 4, 30)


@fast
@given(amount=amounts(), yen=amounts(Decimal("1"), Decimal("1000"), currency="JPY"))
def test_amounts_are_quantized_to_the_currency(amount: Decimal, yen: Decimal) -> None:
    assert amount == amount.quantize(Decimal("0.01"))
    assert amount.as_tuple().exponent == -2
    assert Decimal("0.01") <= amount <= Decimal("50000")
    assert yen.as_tuple().exponent == 0


@fast
@given(siren=sirens(), address=addresses())
def test_sirens_and_addresses_are_valid(siren: str, address: Address) -> None:
    assert Client("C1", "X", siren=siren).siren == siren
    assert revalidated(address) == address
    assert len(address.postal_code) == 5


@fast
@given(client=clients())
def test_clients_are_valid(client: Client) -> None:
    assert revalidated(client) == client
    assert client.id.startswith("C")


@fast
@given(client=clients(id="C42", kind=ClientKind.CONSUMER, email=st.none(), name=st.just("Zoé")))
def test_clients_take_values_and_strategies_as_overrides(client: Client) -> None:
    assert (client.id, client.kind, client.email, client.name) == (
        "C42",
        ClientKind.CONSUMER,
        None,
        "Zoé",
    )


def test_clients_refuse_unknown_overrides() -> None:
    with pytest.raises(TypeError, match="colour"):
        clients(colour="blue")


@fast
@given(payment=payments(), dollars=payments("USD"))
def test_payments_are_valid(payment: Payment, dollars: Payment) -> None:
    assert payment.currency is None
    assert payment.amount > 0
    assert dollars.currency == "USD"
    assert revalidated(dollars) == dollars


@fast
@given(
    invoice=invoices(currency=st.sampled_from(["EUR", "JPY", "USD"])),
    day=dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31)),
)
def test_invoices_are_valid_and_never_overpaid_by_default(invoice: Invoice, day: dt.date) -> None:
    assert revalidated(invoice) == invoice
    assert invoice.issue_date <= invoice.due_date <= invoice.issue_date + dt.timedelta(days=60)
    unit = minor_unit(invoice.currency)
    assert invoice.amount == invoice.amount.quantize(unit)
    assert invoice.client_id in ("C001", "C002", "C003")
    assert invoice.sent_on == invoice.issue_date
    assert 0 <= invoice.balance(day) <= invoice.amount
    assert len(invoice.payments) <= 3


@fast
@given(
    invoice=invoices(client_ids=["X"], with_payments=False, disputed=False, hold_until=st.none())
)
def test_invoices_can_be_plain(invoice: Invoice) -> None:
    assert invoice.client_id == "X"
    assert invoice.payments == ()
    assert not invoice.disputed
    assert invoice.hold_until is None


def test_invoices_cover_unpaid_partly_paid_paid_and_overpaid() -> None:
    end = dt.date.max

    def settled(invoice: Invoice) -> Decimal:
        return invoice.balance(end)

    generous = invoices(overpaid=True, min_amount=Decimal("1.00"))
    assert find(generous, lambda i: not i.payments).balance(end) > 0
    assert 0 < settled(find(generous, lambda i: 0 < settled(i) < i.amount)) < Decimal("50000")
    assert settled(find(generous, lambda i: bool(i.payments) and settled(i) == 0)) == 0
    assert settled(find(generous, lambda i: settled(i) < 0)) < 0
    assert find(invoices(), lambda i: i.disputed).disputed
    assert find(invoices(), lambda i: i.hold_until is not None).hold_until is not None


@fast
@given(policy=policies())
def test_policies_are_valid(policy: ReminderPolicy) -> None:
    assert revalidated(policy) == policy
    assert 1 <= len(policy.steps) <= 6
    keys = [step.key for step in policy.steps]
    assert len(set(keys)) == len(keys)
    for earlier, later in itertools.pairwise(policy.steps):
        assert later.offset_days > earlier.offset_days
    assert policy.min_gap_days >= 1
    assert policy.holidays in CALENDARS
    assert not any(step.include_penalties for step in policy.steps)


@fast
@given(
    policy=policies(
        min_steps=3,
        max_steps=3,
        min_gap_days=7,
        business_days_only=True,
        holidays="FR-57",
        include_penalties=True,
        first_offset=st.just(-5),
    ),
    escalation=steps(max_size=2),
)
def test_policies_take_values_as_overrides(
    policy: ReminderPolicy, escalation: tuple[Step, ...]
) -> None:
    assert len(policy.steps) == 3
    assert policy.steps[0].offset_days == -5
    assert (policy.min_gap_days, policy.business_days_only, policy.holidays) == (7, True, "FR-57")
    assert all(step.include_penalties for step in policy.steps)
    assert 1 <= len(escalation) <= 2


@fast
@given(portfolio=portfolios(overpaid=True), policy=policies(), day=dates())
def test_portfolios_are_consistent(
    portfolio: tuple[list[Client], list[Invoice]], policy: ReminderPolicy, day: dt.date
) -> None:
    people, bills = portfolio
    ids = [client.id for client in people]
    assert 1 <= len(people) <= 4
    assert len(set(ids)) == len(ids)
    assert len(bills) <= 8
    assert len({bill.number for bill in bills}) == len(bills)
    assert {bill.client_id for bill in bills} <= set(ids)
    # The engine finds nothing inconsistent in them but the overpayments (and, as the law
    # wants, clients no channel reaches and consumers' time-barred debts).
    today = plan(bills, people, policy, day)
    overpaid = {bill.number for bill in bills if bill.balance(day) < 0}
    assert overpaid <= {p.invoice_number for p in today.errors}
    expected = ("exceed", "cannot be reached", "time-barred")
    assert all(
        p.severity is Severity.WARNING or any(word in p.message for word in expected)
        for p in today.problems
    )


@fast
@given(
    portfolio=portfolios(
        min_clients=2,
        max_clients=2,
        min_invoices=3,
        max_invoices=3,
        client_options={"segment": "vip"},
        currency="CHF",
    )
)
def test_portfolio_options_reach_clients_and_invoices(
    portfolio: tuple[list[Client], list[Invoice]],
) -> None:
    people, bills = portfolio
    assert len(people) == 2
    assert len(bills) == 3
    assert {client.segment for client in people} == {"vip"}
    assert {bill.currency for bill in bills} == {"CHF"}


@fast
@given(portfolio=portfolios(min_clients=0, max_clients=1))
def test_a_portfolio_without_clients_has_no_invoices(
    portfolio: tuple[list[Client], list[Invoice]],
) -> None:
    people, bills = portfolio
    if not people:
        assert bills == []
