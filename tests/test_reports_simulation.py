"""Property tests of the measures and the simulation, each named after its invariant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relancelib import MemoryJournal, RelanceError, ReminderPolicy
from relancelib.reports import (
    AGING_BUCKETS,
    Costs,
    ResponseModel,
    aging,
    compare_policies,
    fit_response_model,
    simulate_policy,
    synthetic_portfolio,
)
from relancelib.sample import load_sample
from relancelib.strategies import addresses, dates, portfolios

pytest.importorskip("pandas")

FRENCH = ReminderPolicy.french_default()
# Rate tables cover these years: simulations stay inside them.
ISSUED = dates(dt.date(2024, 1, 1), dt.date(2025, 3, 31))
REACHABLE = {"email": "compta@example.fr", "phone": "04 72 00 00 00", "address": addresses()}
START = dt.date(2025, 1, 1)


@settings(max_examples=60, deadline=None)
@given(portfolios(max_invoices=10, overpaid=True), dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)))
def test_aging_buckets_sum_to_the_open_balance(portfolio, as_of) -> None:
    _clients, bills = portfolio
    frame = aging(bills, as_of)
    for _key, row in frame.iterrows():
        assert sum((row[b] for b in AGING_BUCKETS), Decimal(0)) == row["total"]
    for currency in {bill.currency for bill in bills}:
        owed = sum(
            (b.balance(as_of) for b in bills if b.currency == currency and b.issue_date <= as_of),
            Decimal(0),
        )
        key = ("Total", currency)
        assert (frame.loc[key, "total"] if key in frame.index else 0) == owed


def _simulate(portfolio, model):
    clients, bills = portfolio
    start = min(bill.issue_date for bill in bills)
    last_due = max(bill.due_date for bill in bills)
    # Long enough for every step: the last offset, then a gap (and a weekend) per step.
    end = last_due + dt.timedelta(days=45 + 6 * 12 + 30)
    return bills, simulate_policy(bills, clients, FRENCH, start, end, model=model, seed=7)


_SIMULATED = portfolios(
    min_invoices=1,
    max_invoices=6,
    client_options=REACHABLE,
    with_payments=False,
    disputed=False,
    hold_until=st.none(),
    issue_dates=ISSUED,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SIMULATED)
def test_never_pays_model_sends_every_step(portfolio) -> None:
    bills, result = _simulate(portfolio, ResponseModel.never())
    sent: dict[str, set[str]] = {}
    for record in result.journal.records():
        for number, step in record.steps:
            sent.setdefault(number, set()).add(step)
    for bill in bills:
        # Steps before the due date lapse once it has passed; every other step is sent.
        assert {s.key for s in FRENCH.steps if s.offset_days >= 0} <= sent[bill.number]
    assert result.collected == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SIMULATED)
def test_pays_at_once_model_sends_nothing_after_relance_1(portfolio) -> None:
    bills, result = _simulate(portfolio, ResponseModel.at_once())
    keys = [s.key for s in FRENCH.steps]
    pairs = [pair for record in result.journal.records() for pair in record.steps]
    assert all(keys.index(step) <= keys.index("relance_1") for _number, step in pairs)
    numbers = [number for number, _step in pairs]
    assert len(numbers) == len(set(numbers))  # one message each, then paid
    assert result.collected == sum((bill.amount for bill in bills), Decimal(0))


def test_simulation_is_deterministic_with_a_seed() -> None:
    clients, bills = synthetic_portfolio(300, start=START, days=60, seed=3)
    model = ResponseModel(on_time=0.3, default=0.25)
    end = dt.date(2025, 4, 1)
    runs = [
        simulate_policy(bills, clients, FRENCH, START, end, model=model, seed=11) for _ in range(2)
    ]
    assert runs[0].messages.equals(runs[1].messages)
    assert runs[0].cash.equals(runs[1].cash)
    other = simulate_policy(bills, clients, FRENCH, START, end, model=model, seed=12)
    assert not other.cash.equals(runs[0].cash)


def test_two_policies_side_by_side() -> None:
    clients, bills = synthetic_portfolio(200, start=START, days=60, seed=5)
    model = ResponseModel(on_time=0.2, default=0.3)
    no_call = ReminderPolicy("sans appel", tuple(s for s in FRENCH.steps if s.key != "appel"))
    costs = Costs(letter=Decimal("2"), registered_letter=Decimal("10"))
    end = dt.date(2025, 5, 1)
    kwargs = {"model": model, "costs": costs}
    with_call = simulate_policy(bills, clients, FRENCH, START, end, name="avec appel", **kwargs)
    without = simulate_policy(bills, clients, no_call, START, end, name="sans appel", **kwargs)
    table = compare_policies([with_call, without])
    assert list(table.columns) == ["avec appel", "sans appel"]
    assert table.loc["messages (téléphone)", "sans appel"] == 0
    assert table.loc["messages (téléphone)", "avec appel"] > 0
    channels = with_call.per_channel()
    letters = int(channels.loc["courrier", "messages"])
    registered = int(channels.loc["lettre recommandée AR", "messages"])
    assert with_call.postage == letters * 2 + registered * 10
    assert len(with_call.cash) == 18  # the weeks from Monday 30/12/2024 to 28/04/2025


def test_response_model_fitted_on_the_sample() -> None:
    sample = load_sample()
    journal = MemoryJournal()
    sample.replay(journal)
    model = fit_response_model(sample.invoices, sample.clients, journal.records(), sample.as_of)
    assert 0 < model.probability("relance_1", "standard") < 1
    assert model.probability("no such step", "standard") == 0.0
    assert 0 < model.on_time < 1
    assert model.to_frame().index[0] == "à l'échéance"


def test_response_model_refuses_a_probability_above_one() -> None:
    with pytest.raises(RelanceError):
        ResponseModel(default=1.5)
    with pytest.raises(RelanceError):
        ResponseModel(within_days=0)
