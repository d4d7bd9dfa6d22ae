"""Property tests of the engine: each test states one invariant of ``plan()`` in its name.

Most properties run day-by-day simulations: plan, record every action, move to the next
day.  Generated policies do not include penalties (they are covered by the scenario tests
and by ``test_claimed_is_at_least_totals``), dates stay in 2025 and payment terms under
60 days, so no law table is involved unless a test asks for it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relancelib import (
    Client,
    History,
    Invoice,
    Journal,
    MemoryJournal,
    Plan,
    ReminderPolicy,
    SqliteJournal,
    action_key,
    plan,
)
from relancelib.model import minor_unit
from relancelib.strategies import dates, policies, portfolios

DAY = dt.timedelta(days=1)
START = dt.date(2025, 1, 2)
ISSUED = dates(dt.date(2025, 1, 2), dt.date(2025, 3, 31))
SIM_DAYS = 120

# A few dozen examples of a 120-day simulation each keep the file fast; set
# RELANCELIB_EXAMPLES_SCALE=10 for a deeper (nightly) run.
SCALE = int(os.environ.get("RELANCELIB_EXAMPLES_SCALE", "1"))
SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
simulation = settings(deadline=None, max_examples=40 * SCALE, suppress_health_check=SLOW_OK)
quick = settings(deadline=None, max_examples=80 * SCALE, suppress_health_check=SLOW_OK)

Portfolio = tuple[list[Client], list[Invoice]]


def worlds(**invoice_options: object) -> st.SearchStrategy[Portfolio]:
    """Small portfolios issued in the first quarter of 2025."""
    options: dict[str, object] = {
        "issue_dates": ISSUED,
        "min_invoices": 1,
        "max_invoices": 6,
        "max_clients": 3,
    }
    options.update(invoice_options)
    return portfolios(**options)  # type: ignore[arg-type]


def days(start: dt.date, count: int, every: int = 1) -> list[dt.date]:
    return [start + i * DAY for i in range(0, count, every)]


def simulate(
    invoices: Sequence[Invoice],
    clients: Sequence[Client],
    policy: ReminderPolicy | Callable[[Client], ReminderPolicy],
    run_days: Iterable[dt.date],
    journal: Journal,
) -> dict[dt.date, Plan]:
    """Plan each day and record every action of it; return the plans made."""
    plans = {}
    for day in run_days:
        today = plan(invoices, clients, policy, day, journal)
        plans[day] = today
        for action in today.actions:
            assert journal.record(action), f"{day}: {action.key} was already recorded"
    return plans


def steps_per_invoice(journal: Journal) -> dict[str, list[tuple[str, dt.date]]]:
    """(step key, date) recorded for each invoice, oldest first."""
    out: dict[str, list[tuple[str, dt.date]]] = {}
    for record in journal.records():
        for number, step in record.steps:
            out.setdefault(number, []).append((step, record.on))
    return out


def business_day(policy: ReminderPolicy, day: dt.date) -> bool:
    return not policy.business_days_only or policy.calendar.is_business_day(day)


# ---------------------------------------------------------------------------------------------


@quick
@given(
    world=worlds(),
    policy=policies(),
    vip=policies(),
    history_days=st.integers(0, 60),
    as_of=dates(dt.date(2025, 1, 2), dt.date(2025, 5, 31)),
    shuffle=st.randoms(use_true_random=False),
)
def test_same_inputs_in_any_order_give_the_same_plan(
    world: Portfolio,
    policy: ReminderPolicy,
    vip: ReminderPolicy,
    history_days: int,
    as_of: dt.date,
    shuffle: random.Random,
) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, history_days), journal)

    def choose(client: Client) -> ReminderPolicy:
        return vip if client.segment == "vip" else policy

    for chosen in (policy, choose):
        expected = plan(invoices, clients, chosen, as_of, journal)
        mixed_invoices = list(invoices)
        mixed_clients = list(clients)
        shuffle.shuffle(mixed_invoices)
        shuffle.shuffle(mixed_clients)
        assert plan(mixed_invoices, mixed_clients, chosen, as_of, journal) == expected
        assert (
            plan(tuple(mixed_invoices), {c.id: c for c in mixed_clients}, chosen, as_of, journal)
            == expected
        )
        assert plan(iter(mixed_invoices), iter(mixed_clients), chosen, as_of, journal) == expected


@quick
@given(
    world=worlds(),
    policy=policies(),
    history_days=st.integers(0, 90),
    as_of=dates(dt.date(2025, 1, 2), dt.date(2025, 6, 30)),
)
def test_replanning_after_recording_is_empty(
    world: Portfolio, policy: ReminderPolicy, history_days: int, as_of: dt.date
) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, history_days), journal)
    today = plan(invoices, clients, policy, as_of, journal)
    for action in today.actions:
        journal.record(action)
    assert plan(invoices, clients, policy, as_of, journal).actions == ()


@simulation
@given(world=worlds(), policy=policies())
def test_steps_are_never_skipped_nor_repeated(world: Portfolio, policy: ReminderPolicy) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, SIM_DAYS), journal)
    by_number = {invoice.number: invoice for invoice in invoices}
    negative = [s.key for s in policy.steps if s.offset_days < 0]
    others = [s.key for s in policy.steps if s.offset_days >= 0]
    for number, done in steps_per_invoice(journal).items():
        keys = [key for key, _on in done]
        assert len(set(keys)) == len(keys), f"{number}: a step was repeated: {keys}"
        before = [key for key in keys if key in negative]
        after = [key for key in keys if key in others]
        # Steps before the due date form a prefix of the policy's (the others lapsed), then
        # the steps from the due date on follow, from the first one, none skipped.
        assert keys == before + after
        assert before == negative[: len(before)], f"{number}: {keys}"
        assert after == others[: len(after)], f"{number}: {keys}"
        due = by_number[number].due_date
        if after and len(before) < len(negative):
            first_after = done[len(before)][1]
            assert first_after > due, f"{number}: {negative[len(before)]} skipped before it lapsed"
        for key, on in done:
            assert on >= due + dt.timedelta(days=policy.step(key).offset_days)


@settings(deadline=None, max_examples=30 * SCALE, suppress_health_check=SLOW_OK)
@given(
    world=worlds(with_payments=False, hold_until=st.none(), max_invoices=5),
    policy=policies(first_offset=st.integers(0, 10)),
    every=st.integers(2, 6),
    phase=st.integers(0, 5),
)
def test_missed_days_lose_nothing(
    world: Portfolio, policy: ReminderPolicy, every: int, phase: int
) -> None:
    """Running every k-th day records the same steps, in the same order, as running daily.

    Nothing changes over time here (no payments, no holds, no step before the due date), so
    with a horizon long enough for every step of every invoice both runs chase to the end.
    """
    clients, invoices = world
    last_due = max((invoice.due_date for invoice in invoices), default=START)
    # Once the last step of the last invoice has come, each action of a client advances all
    # its invoices by one step, within the gap plus a few runs lost to weekends and holidays.
    per_step = policy.min_gap_days + every * 4 + 7
    horizon = (last_due - START).days + policy.steps[-1].offset_days + per_step * len(policy.steps)
    daily, sparse = MemoryJournal(), MemoryJournal()
    simulate(invoices, clients, policy, days(START, horizon), daily)
    simulate(invoices, clients, policy, days(START + phase * DAY, horizon, every), sparse)

    def sequences(journal: Journal) -> dict[str, list[str]]:
        return {n: [key for key, _on in done] for n, done in steps_per_invoice(journal).items()}

    assert sequences(sparse) == sequences(daily)
    everything = [step.key for step in policy.steps]
    reachable = all(
        step.channel_for(client) is not None for step in policy.steps for client in clients
    )
    for invoice in invoices:
        if not invoice.disputed and invoice.amount > policy.min_balance and reachable:
            assert sequences(daily)[invoice.number] == everything


@simulation
@given(world=worlds(), policy=policies())
def test_min_gap_between_actions_for_a_client(world: Portfolio, policy: ReminderPolicy) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, SIM_DAYS), journal)
    for client in clients:
        on = [record.on for record in journal.records(client.id)]
        for earlier, later in itertools.pairwise(on):
            assert (later - earlier).days >= policy.min_gap_days


# The holidays of each calendar, read from the ``holidays`` package directly.
_SUBDIVISION = {"FR": None, "FR-57": "57", "FR-67": "6AE", "FR-974": "974"}


@simulation
@given(world=worlds(), policy=policies(business_days_only=True))
def test_no_action_on_weekends_or_french_public_holidays(
    world: Portfolio, policy: ReminderPolicy
) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), journal)
    public = holidays.country_holidays("FR", subdiv=_SUBDIVISION[policy.holidays], years=2025)
    for day, today in plans.items():
        if day.weekday() >= 5 or day in public:
            assert today.actions == (), f"{day:%A %d %B %Y} is not a business day"
    for record in journal.records():
        assert record.on.weekday() < 5
        assert record.on not in public


@simulation
@given(world=worlds(), policy=policies())
def test_no_action_for_paid_disputed_or_held_invoices(
    world: Portfolio, policy: ReminderPolicy
) -> None:
    clients, invoices = world
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), MemoryJournal())
    for day, today in plans.items():
        for action in today.actions:
            for item in action.items:
                invoice = item.invoice
                assert invoice.balance(day) > policy.min_balance
                assert not invoice.disputed
                assert invoice.hold_until is None or invoice.hold_until < day


currencies = st.sampled_from(["EUR", "EUR", "USD", "JPY", "CHF"])


@simulation
@given(world=worlds(currency=currencies, overpaid=True), policy=policies())
def test_totals_equal_the_sum_of_balances(world: Portfolio, policy: ReminderPolicy) -> None:
    clients, invoices = world
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), MemoryJournal())
    for day, today in plans.items():
        for action in today.actions:
            expected: dict[str, Decimal] = {}
            for item in action.items:
                assert item.balance == item.invoice.balance(day)
                expected[item.currency] = expected.get(item.currency, Decimal(0)) + item.balance
            assert dict(action.totals) == expected
            for currency, total in action.totals.items():
                assert total.as_tuple().exponent == minor_unit(currency).as_tuple().exponent


@simulation
@given(
    world=worlds(currency=currencies),
    policy=policies(include_penalties=st.booleans()),
)
def test_claimed_is_at_least_totals(world: Portfolio, policy: ReminderPolicy) -> None:
    clients, invoices = world
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), MemoryJournal())
    for today in plans.values():
        for action in today.actions:
            # The D441-5 indemnity of an invoice in another currency is claimed in euros.
            assert set(action.totals) <= set(action.claimed) <= {*action.totals, "EUR"}
            for currency, total in action.totals.items():
                assert action.claimed[currency] >= total
            for item in action.items:
                assert item.claimed >= item.balance
                if not item.step.include_penalties:
                    assert item.penalties is None
                    assert item.indemnity == 0


@quick
@given(
    world=worlds(max_invoices=10),
    policy=policies(),
    history_days=st.integers(0, 60),
    as_of=dates(dt.date(2025, 1, 2), dt.date(2025, 5, 31)),
)
def test_one_action_per_client_sorted_by_client_id(
    world: Portfolio, policy: ReminderPolicy, history_days: int, as_of: dt.date
) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, history_days), journal)
    today = plan(invoices, clients, policy, as_of, journal)
    ids = [action.client.id for action in today.actions]
    assert ids == sorted(set(ids))
    for action in today.actions:
        assert action.on == as_of
        assert action.items
        assert {item.invoice.client_id for item in action.items} == {action.client.id}
        assert len({item.invoice.number for item in action.items}) == len(action.items)
        top = max(policy.index(item.step.key) for item in action.items)
        assert action.step == policy.steps[top]
        assert action.key == action_key(action.client.id, action.steps)


@quick
@given(
    world=worlds(with_payments=False, hold_until=st.none()),
    policy=policies(first_offset=st.integers(0, 10)),
    history_days=st.integers(0, 60),
    offset=st.integers(0, 60),
)
def test_action_key_is_stable_from_one_day_to_the_next(
    world: Portfolio, policy: ReminderPolicy, history_days: int, offset: int
) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, history_days), journal)
    day = policy.calendar.roll_forward(START + (history_days + offset) * DAY)
    following = policy.calendar.next_business_day(day) if policy.business_days_only else day + DAY
    first = plan(invoices, clients, policy, day, journal)
    second = plan(invoices, clients, policy, following, journal)
    for action in first.actions:
        later = second.action_for(action.client.id)
        # What is due and not recorded stays due (nothing here pays, holds or lapses).
        assert later is not None
        assert set(action.steps) <= set(later.steps)
        if later.steps == action.steps:
            assert later.key == action.key


@simulation
@given(world=worlds(), policy=policies(), data=st.data())
def test_records_after_as_of_are_ignored(
    world: Portfolio, policy: ReminderPolicy, data: st.DataObject
) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), journal)
    worked = sorted(day for day, today in plans.items() if today.actions) or [START]
    day = data.draw(st.sampled_from(worked))
    # The journal without that day's records: earlier ones and (ignored) later ones.
    others = MemoryJournal(record for record in journal.records() if record.on != day)
    assert plan(invoices, clients, policy, day, others) == plans[day]
    # With that day's records too, the day is done.
    assert plan(invoices, clients, policy, day, journal).actions == ()


@simulation
@given(world=worlds(), policy=policies(first_offset=st.integers(-10, -1)))
def test_negative_offset_steps_never_sent_after_due_date(
    world: Portfolio, policy: ReminderPolicy
) -> None:
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, SIM_DAYS), journal)
    due = {invoice.number: invoice.due_date for invoice in invoices}
    for number, done in steps_per_invoice(journal).items():
        for key, on in done:
            if policy.step(key).offset_days < 0:
                assert on <= due[number], f"{number}: {key} sent on {on}, after the due date"


@settings(deadline=None, max_examples=20 * SCALE, suppress_health_check=SLOW_OK)
@given(world=worlds(), policy=policies())
def test_sqlite_and_memory_journals_give_the_same_plans(
    tmp_path_factory: pytest.TempPathFactory, world: Portfolio, policy: ReminderPolicy
) -> None:
    clients, invoices = world
    memory = MemoryJournal()
    path = tmp_path_factory.mktemp("journal") / "relances.db"
    with SqliteJournal(path) as sqlite:
        in_memory = simulate(invoices, clients, policy, days(START, SIM_DAYS), memory)
        on_disk = simulate(invoices, clients, policy, days(START, SIM_DAYS), sqlite)
        assert on_disk == in_memory
        assert sqlite.records() == memory.records()
        for day in days(START, SIM_DAYS, 7):
            assert _contents(sqlite.history(day)) == _contents(memory.history(day))


def _contents(history: History) -> tuple[dict[str, list[tuple[str, dt.date]]], dict[str, dt.date]]:
    steps = {number: sorted(done) for number, done in history.steps.items()}
    return steps, dict(history.contacts)


def due_by_the_rules(
    invoices: Sequence[Invoice],
    policy: ReminderPolicy,
    as_of: dt.date,
    history: History,
    clients: Sequence[Client] = (),
) -> set[tuple[str, str, str]]:
    """The (client id, invoice number, step key) triples due on ``as_of``, read off DESIGN.md;
    with ``clients``, an invoice whose own step no channel reaches is left out ("With no
    reachable channel the invoice is left out with an ERROR")."""
    due = _due_by_the_rules(invoices, policy, as_of, history)
    if not clients:
        return due
    table = {client.id: client for client in clients}
    return {
        (cid, number, key)
        for cid, number, key in due
        if policy.step(key).channel_for(table[cid]) is not None
    }


def _due_by_the_rules(
    invoices: Sequence[Invoice], policy: ReminderPolicy, as_of: dt.date, history: History
) -> set[tuple[str, str, str]]:
    if policy.business_days_only and not policy.calendar.is_business_day(as_of):
        return set()  # rule 5
    due = set()
    for invoice in invoices:
        if invoice.balance(as_of) <= policy.min_balance or invoice.disputed:
            continue  # rule 1
        if invoice.hold_until is not None and not invoice.hold_until < as_of:
            continue  # rule 1
        last = history.contacts.get(invoice.client_id)
        if last is not None and (as_of - last).days < policy.min_gap_days:
            continue  # rule 4
        done = [policy.index(key) for key, _on in history.steps.get(invoice.number, ())]
        position = max(done) + 1 if done else 0
        while (
            position < len(policy.steps)
            and policy.steps[position].offset_days < 0
            and as_of > invoice.due_date
        ):
            position += 1  # rule 3
        if position == len(policy.steps):
            continue
        step = policy.steps[position]
        if as_of >= invoice.due_date + dt.timedelta(days=step.offset_days):  # rule 2
            due.add((invoice.client_id, invoice.number, step.key))
    return due


@simulation
@given(
    world=worlds(overpaid=True),
    policy=policies(),
    recorded=st.lists(st.booleans(), min_size=SIM_DAYS, max_size=SIM_DAYS),
    late=st.integers(0, 3),
)
def test_plan_follows_the_rules_of_the_design(
    world: Portfolio, policy: ReminderPolicy, recorded: list[bool], late: int
) -> None:
    """Each day's plan holds exactly the invoices the design's five rules say are due.

    Actions are recorded only on some days, and then ``late`` days after they were planned
    (the journal holds them from that date), so pending actions and late records occur.
    """
    clients, invoices = world
    journal = MemoryJournal()
    for day, record_today in zip(days(START, SIM_DAYS), recorded, strict=True):
        today = plan(invoices, clients, policy, day, journal)
        history = journal.history(day)
        expected = due_by_the_rules(invoices, policy, day, history, clients)
        got = {(a.client.id, number, step) for a in today.actions for number, step in a.steps}
        assert got == expected, day
        overpaid = {i.number for i in invoices if i.balance(day) < 0}
        unreachable = {n for _c, n, _s in due_by_the_rules(invoices, policy, day, history)} - {
            n for _c, n, _s in expected
        }
        assert {p.invoice_number for p in today.errors} == overpaid | unreachable
        if record_today:
            for action in today.actions:
                journal.record(action, on=day + late * DAY)
