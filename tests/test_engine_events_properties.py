"""Property tests of how ``plan()`` reads the journal's events (issue 13): each test states
one invariant in its name.

Events are recorded in a real :class:`MemoryJournal` (``add_event``) before a day-by-day
simulation plans each day and records every action; the journal's history as of each day
holds the events dated on or before it.  The expectations are read off the rules as
``relancelib.steering`` documents them, written again in ``event_worlds.py`` without its
code.  Portfolios carry neither a ``disputed`` flag nor a ``hold_until`` date, so the
events alone pause an invoice.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from event_worlds import (
    DAY,
    EVENT_DAYS,
    EVERY_KIND,
    SIM_DAYS,
    START,
    Portfolio,
    chased,
    contactable,
    days,
    disputed,
    draw_records,
    events_about,
    examples,
    grace_end,
    held,
    journal_of,
    keep_same_day_order,
    last_notice,
    latest_promise,
    notice_policies,
    paused,
    promised,
    recorded_since,
    simulate,
    worlds,
)
from factories import make_business, make_invoice
from relancelib import MemoryJournal, ReminderPolicy, plan
from relancelib.events import (
    Cancellation,
    Dispute,
    DisputeResolved,
    Event,
    HoldReleased,
    Instalment,
    InstalmentPlan,
    PromiseToPay,
)
from relancelib.policy import HANDOVER_STEP, Channel, Step
from relancelib.strategies import amounts, dates, policies

# ---------------------------------------------------------------------------------------------


@examples(30)
@given(world=worlds(), policy=policies(), data=st.data())
def test_an_invoice_under_a_valid_promise_is_never_in_a_plan(
    world: Portfolio, policy: ReminderPolicy, data: st.DataObject
) -> None:
    """Valid: the latest promise about the invoice (its own or its client's) is in its
    grace, ``as_of <= add_business_days(until, promise_grace_days)`` — an instalment plan's
    missed instalment included."""
    clients, invoices = world
    kinds = ("promise", "promise", "instalments", "resolution", "release")
    events = data.draw(events_about(world, kinds))
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), journal_of(events))
    by_number = {invoice.number: invoice for invoice in invoices}
    for day, today in plans.items():
        for number in chased(today):
            assert not promised(by_number[number], events, day, policy), (day, number)


@examples(30)
@given(world=worlds(), policy=policies(), data=st.data())
def test_an_invoice_whose_last_dispute_event_is_a_dispute_is_never_in_a_plan(
    world: Portfolio, policy: ReminderPolicy, data: st.DataObject
) -> None:
    clients, invoices = world
    kinds = ("dispute", "dispute", "resolution", "resolution", "release")
    events = data.draw(events_about(world, kinds, max_size=10))
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), journal_of(events))
    by_number = {invoice.number: invoice for invoice in invoices}
    for day, today in plans.items():
        for number in chased(today):
            assert not disputed(by_number[number], events, day), (day, number)


@examples(40)
@given(world=worlds(), policy=policies(), data=st.data())
def test_after_its_resolution_a_dispute_leaves_the_plan_it_would_be_without_it(
    world: Portfolio, policy: ReminderPolicy, data: st.DataObject
) -> None:
    """Days after the last resolution, with the same records and other events, the plan is
    the plan of a journal that never had the invoice's disputes."""
    clients, invoices = world
    number = data.draw(st.sampled_from([invoice.number for invoice in invoices]))
    others = [
        e
        for e in data.draw(events_about(world, EVERY_KIND, max_size=5))
        if not (isinstance(e, (Dispute, DisputeResolved)) and e.invoice_number == number)
    ]
    on = data.draw(st.lists(EVENT_DAYS, min_size=2, max_size=5, unique=True).map(sorted))
    middle = data.draw(st.lists(st.booleans(), min_size=len(on) - 2, max_size=len(on) - 2))
    disputes: list[Event] = [Dispute(on=on[0], invoice_number=number, reason="prix contesté")]
    for is_dispute, day in zip(middle, on[1:-1], strict=True):
        if is_dispute:
            disputes.append(Dispute(on=day, invoice_number=number, reason="remise oubliée"))
        else:
            disputes.append(DisputeResolved(on=day, invoice_number=number))
    disputes.append(DisputeResolved(on=on[-1], invoice_number=number))
    journal = journal_of([*others, *disputes])
    simulate(invoices, clients, policy, days(START, SIM_DAYS), journal)
    never = journal_of(others, journal.records())
    for day in days(on[-1], 30):
        assert plan(invoices, clients, policy, day, journal) == plan(
            invoices, clients, policy, day, never
        ), day


@examples(30)
@given(world=worlds(), policy=policies(), data=st.data())
def test_an_invoice_on_hold_or_of_a_client_on_hold_is_never_in_a_plan(
    world: Portfolio, policy: ReminderPolicy, data: st.DataObject
) -> None:
    clients, invoices = world
    events = data.draw(events_about(world, ("hold", "hold", "release", "resolution")))
    plans = simulate(invoices, clients, policy, days(START, SIM_DAYS), journal_of(events))
    by_number = {invoice.number: invoice for invoice in invoices}
    for day, today in plans.items():
        for number in chased(today):
            assert not held(by_number[number], events, day), (day, number)


@examples(40)
@given(world=worlds(), policy=policies(), history_days=st.integers(20, 120), data=st.data())
def test_undoing_a_record_makes_its_steps_due_again_under_a_new_key(
    world: Portfolio, policy: ReminderPolicy, history_days: int, data: st.DataObject
) -> None:
    """With a record cancelled, the plan is the plan of a journal that never had it, but
    the actions carrying one of its (invoice, step) pairs again get a key of their own."""
    clients, invoices = world
    journal = MemoryJournal()
    simulate(invoices, clients, policy, days(START, history_days), journal)
    records = journal.records()
    if not records:
        return
    # Half the time the client's last record, undone within days: its steps are the next
    # ones and the gap since the client's previous action may not have passed.
    last = [
        r for r in records if not any(o.on > r.on and o.client_id == r.client_id for o in records)
    ]
    undone = data.draw(st.sampled_from(records) | st.sampled_from(last))
    cancelled_on = undone.on + data.draw(st.integers(0, 10)) * DAY
    as_of = cancelled_on + data.draw(st.integers(0, 10)) * DAY
    journal.add_event(Cancellation(on=cancelled_on, action_key=undone.key, why="doublon"))
    never = MemoryJournal(record for record in records if record.key != undone.key)
    got = plan(invoices, clients, policy, as_of, journal)
    expected = plan(invoices, clients, policy, as_of, never)
    assert got.problems == expected.problems
    assert [attrs.evolve(a, key="") for a in got] == [attrs.evolve(a, key="") for a in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.key != undone.key
        if set(mine.steps) & set(undone.steps):
            assert mine.key != theirs.key
        else:
            assert mine.key == theirs.key


@examples(40)
@given(
    world=worlds(),
    policy=policies(),
    history_days=st.integers(0, 120),
    shuffle=st.randoms(use_true_random=False),
    data=st.data(),
)
def test_events_in_any_order_give_the_same_plan(
    world: Portfolio,
    policy: ReminderPolicy,
    history_days: int,
    shuffle: random.Random,
    data: st.DataObject,
) -> None:
    """Shuffled, except the order of one target's events of one day (the order they were
    recorded in), the same events give the same plan, every fourth day for six months."""
    clients, invoices = world
    events = data.draw(events_about(world, EVERY_KIND, max_size=12))
    recorder = journal_of(events)
    simulate(invoices, clients, policy, days(START, history_days), recorder)
    records = recorder.records()
    undone = draw_records(data, records)
    cancellations = [
        Cancellation(on=r.on + data.draw(st.integers(0, 30)) * DAY, action_key=r.key, why="erreur")
        for r in undone
    ]
    everything = [*events, *cancellations]
    in_order = journal_of(everything, records)
    mixed = journal_of(keep_same_day_order(everything, shuffle), records)
    for day in days(START, 180)[::4]:
        expected = plan(invoices, clients, policy, day, in_order)
        assert plan(invoices, clients, policy, day, mixed) == expected, day


@examples(40)
@given(
    world=worlds(),
    policy=policies(),
    as_of=dates(dt.date(2025, 2, 3), dt.date(2025, 4, 30)),
    unrecorded=st.integers(5, 45),
    data=st.data(),
)
def test_the_plan_does_not_depend_on_events_dated_after_as_of(
    world: Portfolio, policy: ReminderPolicy, as_of: dt.date, unrecorded: int, data: st.DataObject
) -> None:
    clients, invoices = world
    past = data.draw(events_about(world, EVERY_KIND, on=dates(START, as_of)))
    future = data.draw(events_about(world, EVERY_KIND, on=dates(as_of + DAY, as_of + 60 * DAY)))
    journal = journal_of(past)
    simulate(invoices, clients, policy, days(START, (as_of - START).days - unrecorded), journal)
    records = journal.records()
    undone = draw_records(data, records)
    later = [
        Cancellation(on=as_of + data.draw(st.integers(1, 30)) * DAY, action_key=r.key, why="erreur")
        for r in undone
    ]
    expected = plan(invoices, clients, policy, as_of, journal)
    everything = journal_of([*past, *future, *later], records)
    assert plan(invoices, clients, policy, as_of, everything) == expected


@examples(25)
@given(world=worlds(), policy=policies(), data=st.data())
def test_explain_says_chased_exactly_for_the_plan_and_a_pause_is_the_events_rule(
    world: Portfolio, policy: ReminderPolicy, data: st.DataObject
) -> None:
    """``explain(n).chased`` is True exactly for the invoices in the plan's actions, and
    then no rule stops it; when False its reason is not empty; an invoice paused by a dispute, a hold or a promise (its
    balance above the minimum) is stopped first by the "events" rule."""
    clients, invoices = world
    events = data.draw(events_about(world, EVERY_KIND))
    journal = journal_of(events)
    for day in days(START, SIM_DAYS):
        today = plan(invoices, clients, policy, day, journal)
        in_plan = chased(today)
        for invoice in invoices:
            explanation = today.explain(invoice.number)
            assert explanation.chased == (invoice.number in in_plan), (day, invoice.number)
            assert explanation.step == in_plan.get(invoice.number)
            if explanation.chased:
                assert all(rule.passed is not False for rule in explanation.rules)
            else:
                assert explanation.reason
            if paused(invoice, events, day, policy) and invoice.balance(day) > policy.min_balance:
                stops = [rule for rule in explanation.rules if rule.passed is False]
                assert stops[0].name == "events", (day, invoice.number, str(explanation))
        for action in today.actions:
            journal.record(action)


@examples(25)
@given(world=worlds(), policy=notice_policies("quiet"))
def test_quiet_after_a_formal_notice_nothing_for_the_client_until_its_deadline(
    world: Portfolio, policy: ReminderPolicy
) -> None:
    """Up to the deadline of the client's last formal notice no action for the client;
    otherwise the client's action is the one ``after_formal_notice="continue"`` plans."""
    clients, invoices = world
    go_on = attrs.evolve(policy, after_formal_notice="continue")
    journal = MemoryJournal()
    for day in days(START, 180):
        today = plan(invoices, clients, policy, day, journal)
        as_usual = plan(invoices, clients, go_on, day, journal)
        for client in clients:
            last = last_notice(journal, client.id, policy)
            if last is not None and day <= policy.calendar.notice_deadline(last):
                assert today.action_for(client.id) is None, (day, client.id, last)
            else:
                assert today.action_for(client.id) == as_usual.action_for(client.id), day
        for action in today.actions:
            journal.record(action)


@examples(25)
@given(world=worlds(), policy=notice_policies("handover"))
def test_handover_after_the_deadline_one_handover_action_then_nothing_until_released(
    world: Portfolio, policy: ReminderPolicy
) -> None:
    """After the deadline of its last formal notice a client whose notified invoices are
    unpaid gets one action, every item at ``remise_contentieux`` (those invoices); once it
    is recorded nothing more, until a ``HoldReleased(client_id=...)`` resumes the chase as
    ``after_formal_notice="continue"`` would.  Otherwise the client goes on as usual."""
    clients, invoices = world
    go_on = attrs.evolve(policy, after_formal_notice="continue")
    notices = {step.key for step in policy.steps if step.is_formal_notice}
    journal = MemoryJournal()
    handed: set[str] = set()
    run = days(START, 180)
    for day in run:
        today = plan(invoices, clients, policy, day, journal)
        as_usual = plan(invoices, clients, go_on, day, journal)
        for client in clients:
            action = today.action_for(client.id)
            last = last_notice(journal, client.id, policy)
            if client.id in handed or (
                last is not None and day <= policy.calendar.notice_deadline(last)
            ):
                assert action is None, (day, client.id)
                continue
            notified = {
                number
                for record in journal.records(client.id)
                for number, step in record.steps
                if step in notices
            }
            unpaid = sorted(
                invoice.number
                for invoice in invoices
                if invoice.number in notified and invoice.balance(day) > policy.min_balance
            )
            if last is None or not unpaid:
                assert action == as_usual.action_for(client.id), (day, client.id)
                continue
            assert (action is not None) == contactable(journal, client.id, policy, day), day
            if action is not None:
                assert {item.step.key for item in action.items} == {HANDOVER_STEP.key}
                assert sorted(invoice.number for invoice in action.invoices) == unpaid
                handed.add(client.id)
        for action in today.actions:
            journal.record(action)
    resumed = run[-1] + DAY
    for client_id in sorted(handed):
        journal.add_event(HoldReleased(on=resumed, client_id=client_id))
    today = plan(invoices, clients, policy, resumed, journal)
    as_usual = plan(invoices, clients, go_on, resumed, journal)
    for client_id in handed:
        assert today.action_for(client_id) == as_usual.action_for(client_id)


@examples(30)
@given(world=worlds(), policy=policies(), data=st.data())
def test_a_broken_promise_is_on_the_first_reminder_after_its_grace_and_never_on_a_later_one(
    world: Portfolio, policy: ReminderPolicy, data: st.DataObject
) -> None:
    """``ActionItem.promise`` is the latest promise about the invoice when it is broken (not
    kept: an invoice's promised amount paid from the promise to the end of its grace) and
    no action carried the invoice since the promise was made; None otherwise, and None on
    the reminder of a missed instalment."""
    clients, invoices = world
    numbers = st.sampled_from([invoice.number for invoice in invoices])
    ids = st.sampled_from([client.id for client in clients])
    promises: list[Event] = []
    for on in data.draw(st.lists(EVENT_DAYS, max_size=5, unique=True)):
        until = on + data.draw(st.integers(0, 30)) * DAY
        if data.draw(st.booleans()):
            amount = data.draw(st.none() | amounts(Decimal("1"), Decimal("3000")))
            number = data.draw(numbers)
            promise = PromiseToPay(on=on, until=until, invoice_number=number, amount=amount)
        else:
            promise = PromiseToPay(on=on, until=until, client_id=data.draw(ids))
        promises.append(promise)
    kinds = ("dispute", "resolution", "hold", "release", "instalments")
    others = data.draw(events_about(world, kinds, 4))
    events = [*promises, *others]
    journal = journal_of(events)
    for day in days(START, SIM_DAYS):
        today = plan(invoices, clients, policy, day, journal)
        for action in today:
            for item in action.items:
                invoice = item.invoice
                latest = latest_promise(invoice, events, day)
                expected = None
                if latest is not None and item.instalment is None:
                    end = grace_end(latest, policy)
                    paid = sum(
                        (p.amount for p in invoice.payments if latest.on <= p.on <= end),
                        Decimal("0"),
                    )
                    kept = latest.amount is not None and latest.invoice_number is not None and (
                        paid >= latest.amount
                    )
                    if not kept and not recorded_since(journal, invoice.number, latest.on):
                        expected = latest
                assert item.promise == expected, (day, invoice.number)
        for action in today.actions:
            journal.record(action)


def test_a_promise_pauses_an_invoice_whose_instalment_is_missed() -> None:
    """The smallest case the first property found (the missed instalment was chased)."""
    invoice = make_invoice("F-1", due=dt.date(2025, 3, 3))
    policy = ReminderPolicy("p", (Step("relance_1", 0, Channel.EMAIL),), min_gap_days=1)
    journal = journal_of(
        [
            InstalmentPlan(
                invoice_number="F-1",
                instalments=(Instalment(dt.date(2025, 3, 10), Decimal("100.00")),),
                on=dt.date(2025, 3, 4),
            ),
            # On the 12th the client promises to pay by the 28th: paused through 1 April.
            PromiseToPay(on=dt.date(2025, 3, 12), until=dt.date(2025, 3, 28), invoice_number="F-1"),
        ]
    )
    today = plan([invoice], [make_business()], policy, dt.date(2025, 3, 13), journal)
    assert today.actions == ()


@pytest.mark.parametrize(
    "changes", [{"disputed": True}, {"hold_until": dt.date(2025, 4, 30)}], ids=["disputed", "held"]
)
def test_an_invoice_disputed_or_held_in_the_export_is_not_handed_over(
    changes: dict[str, Any],
) -> None:
    invoice = make_invoice("F-1", due=dt.date(2025, 3, 3))
    notice = Step("mise_en_demeure", 0, Channel.REGISTERED_LETTER)
    policy = ReminderPolicy("p", (notice,), min_gap_days=1, after_formal_notice="handover")
    journal = MemoryJournal()
    (sent,) = plan([invoice], [make_business()], policy, dt.date(2025, 3, 3), journal).actions
    assert journal.record(sent)
    # The notice's deadline is 26 March; on 1 April the export says the invoice is disputed
    # (or held through 30 April): DESIGN.md rule 1 leaves it out of the plan.
    flagged = attrs.evolve(invoice, **changes)
    assert plan([flagged], [make_business()], policy, dt.date(2025, 4, 1), journal).actions == ()


def test_the_explanation_of_a_handover_has_no_rule_that_stops_it() -> None:
    invoice = make_invoice("F-1", due=dt.date(2025, 3, 3))
    notice = Step("mise_en_demeure", 0, Channel.REGISTERED_LETTER)
    policy = ReminderPolicy("p", (notice,), min_gap_days=1, after_formal_notice="handover")
    journal = MemoryJournal()
    (sent,) = plan([invoice], [make_business()], policy, dt.date(2025, 3, 3), journal).actions
    assert journal.record(sent)
    # The notice's deadline is 26 March: the file is handed over on 1 April.
    today = plan([invoice], [make_business()], policy, dt.date(2025, 4, 1), journal)
    explanation = today.explain("F-1")
    assert (explanation.chased, explanation.step) == (True, "remise_contentieux")
    assert [rule.name for rule in explanation.rules if rule.passed is False] == []


def test_the_reminder_of_a_second_instalment_plan_can_be_recorded() -> None:
    invoice = make_invoice("F-1", due=dt.date(2025, 3, 3))
    policy = ReminderPolicy("p", (Step("relance_1", 0, Channel.EMAIL),), min_gap_days=1)
    journal = MemoryJournal()
    first = InstalmentPlan(
        invoice_number="F-1",
        instalments=(Instalment(dt.date(2025, 3, 10), Decimal("100.00")),),
        on=dt.date(2025, 3, 4),
    )
    journal.add_event(first)
    (missed,) = plan([invoice], [make_business()], policy, dt.date(2025, 3, 11), journal).actions
    assert journal.record(missed)
    # A new plan on the 12th: its one instalment, due the 14th, is missed too.
    second = InstalmentPlan(
        invoice_number="F-1",
        instalments=(Instalment(dt.date(2025, 3, 14), Decimal("100.00")),),
        on=dt.date(2025, 3, 12),
    )
    journal.add_event(second)
    (again,) = plan([invoice], [make_business()], policy, dt.date(2025, 3, 17), journal).actions
    assert journal.record(again)
