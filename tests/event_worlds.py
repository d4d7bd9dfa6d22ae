"""The worlds, events and rules the events property tests (test_engine_events_properties)
share: Hypothesis strategies for portfolios and journal events, a day-by-day simulation
through a real :class:`MemoryJournal`, and the rules of ``relancelib.steering`` written
again from its docstring (the latest dispute event decides, a hold stands through its
``until`` day unless released since, the latest promise pauses through its grace) so that
the tests do not check the engine's code against itself.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from relancelib import Client, Invoice, MemoryJournal, Plan, ReminderPolicy, plan
from relancelib.events import (
    Dispute,
    DisputeResolved,
    Event,
    Hold,
    HoldReleased,
    InstalmentPlan,
    PromiseToPay,
)
from relancelib.journal import Record
from relancelib.policy import Channel
from relancelib.strategies import amounts, dates, policies, portfolios

DAY = dt.timedelta(days=1)
START = dt.date(2025, 1, 2)
ISSUED = dates(dt.date(2025, 1, 2), dt.date(2025, 3, 31))
EVENT_DAYS = dates(dt.date(2025, 1, 2), dt.date(2025, 5, 31))
SIM_DAYS = 120

# Modest, derandomized example counts keep the file well under a minute; set
# RELANCELIB_EXAMPLES_SCALE=10 for a deeper (nightly) run.
SCALE = int(os.environ.get("RELANCELIB_EXAMPLES_SCALE", "1"))
SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]


def examples(count: int) -> settings:
    """Hypothesis settings for ``count`` (times SCALE) derandomized examples, no deadline."""
    return settings(
        deadline=None, max_examples=count * SCALE, derandomize=True, suppress_health_check=SLOW_OK
    )


Portfolio = tuple[list[Client], list[Invoice]]

#: The kinds of events :func:`events_about` draws from.
PAUSES = ("promise", "dispute", "resolution", "hold", "release")
EVERY_KIND = (*PAUSES, "instalments")


def worlds(**invoice_options: Any) -> st.SearchStrategy[Portfolio]:
    """Small portfolios issued in the first quarter of 2025, with neither the export's
    ``disputed`` flag nor its ``hold_until`` (the events alone pause an invoice)."""
    options: dict[str, Any] = {
        "issue_dates": ISSUED,
        "min_invoices": 1,
        "max_invoices": 5,
        "max_clients": 3,
        "disputed": False,
        "hold_until": st.none(),
    }
    options.update(invoice_options)
    return portfolios(**options)


def days_after(day: dt.date, most: int) -> st.SearchStrategy[dt.date]:
    """``day`` or one of the ``most`` days after it."""
    return dates(day, day + most * DAY)


@st.composite
def events_about(
    draw: st.DrawFn,
    world: Portfolio,
    kinds: Sequence[str] = PAUSES,
    max_size: int = 8,
    on: st.SearchStrategy[dt.date] = EVENT_DAYS,
) -> list[Event]:
    """Events about the world's invoices and clients, dated in the first five months."""
    clients, invoices = world
    numbers = st.sampled_from([invoice.number for invoice in invoices])
    ids = st.sampled_from([client.id for client in clients])
    out: list[Event] = []
    for _ in range(draw(st.integers(0, max_size))):
        kind = draw(st.sampled_from(kinds))
        day = draw(on)
        later = days_after(day, 40)
        if kind in ("promise", "hold", "release"):
            # On the invoice, or (drawn) on its client; a client's promise names no amount.
            if draw(st.booleans()):
                target: dict[str, Any] = {"invoice_number": draw(numbers)}
                if kind == "promise":
                    target["amount"] = draw(st.none() | amounts(Decimal("1"), Decimal("3000")))
            else:
                target = {"client_id": draw(ids)}
            if kind == "promise":
                out.append(PromiseToPay(on=day, until=draw(later), **target))
            elif kind == "hold":
                out.append(Hold(on=day, until=draw(later), **target))
            else:
                out.append(HoldReleased(on=day, **target))
        elif kind == "dispute":
            reason = draw(st.sampled_from(("livraison incomplète", "prix contesté")))
            out.append(Dispute(on=day, invoice_number=draw(numbers), reason=reason))
        elif kind == "resolution":
            out.append(DisputeResolved(on=day, invoice_number=draw(numbers)))
        else:
            number = draw(numbers)
            amount = next(i.amount for i in invoices if i.number == number)
            # No more instalments than cents (each instalment is at least a cent).
            count = min(draw(st.integers(1, 4)), int(amount * 100))
            out.append(
                InstalmentPlan.split(
                    number,
                    amount,
                    count=count,
                    every_days=draw(st.integers(7, 31)),
                    first=draw(later),
                    on=day,
                )
            )
    return out


def journal_of(events: Iterable[Event], records: Iterable[Record] = ()) -> MemoryJournal:
    """A memory journal holding ``records`` then ``events`` (added in the order given)."""
    journal = MemoryJournal(records)
    for event in events:
        journal.add_event(event)
    return journal


def simulate(
    invoices: Sequence[Invoice],
    clients: Sequence[Client],
    policy: ReminderPolicy,
    run_days: Iterable[dt.date],
    journal: MemoryJournal,
) -> dict[dt.date, Plan]:
    """Plan each day and record every action of it; return the plans made."""
    plans = {}
    for day in run_days:
        today = plan(invoices, clients, policy, day, journal)
        plans[day] = today
        for action in today.actions:
            assert journal.record(action), f"{day}: {action.key} was already recorded"
    return plans


def days(start: dt.date, count: int) -> list[dt.date]:
    return [start + i * DAY for i in range(count)]


def chased(today: Plan) -> dict[str, str]:
    """The invoice numbers in the plan's actions, with their step."""
    return {item.invoice.number: item.step.key for action in today for item in action.items}


# The rules, read off steering.py's docstring -------------------------------------------------


def as_of_day(events: Sequence[Event], day: dt.date) -> list[Event]:
    """The events a journal holds on ``day``, in date order (one day's in the order given)."""
    return sorted((e for e in events if e.on <= day), key=lambda e: e.on)


def about(event: Event, invoice: Invoice) -> bool:
    number = getattr(event, "invoice_number", None)
    return number == invoice.number or (
        number is None and getattr(event, "client_id", None) == invoice.client_id
    )


def disputed(invoice: Invoice, events: Sequence[Event], day: dt.date) -> bool:
    """True when the invoice's last dispute event on ``day`` is a dispute (not resolved)."""
    kinds = (Dispute, DisputeResolved)
    own = [e for e in as_of_day(events, day) if isinstance(e, kinds) and about(e, invoice)]
    return bool(own) and isinstance(own[-1], Dispute)


def held(invoice: Invoice, events: Sequence[Event], day: dt.date) -> bool:
    """True when a hold on the invoice, or on its client, runs through ``day`` and no
    release of the same target came after it."""
    known = as_of_day(events, day)
    for index, event in enumerate(known):
        if isinstance(event, Hold) and about(event, invoice) and event.until >= day:
            target = (event.invoice_number, event.client_id)
            if not any(
                isinstance(later, HoldReleased)
                and (later.invoice_number, later.client_id) == target
                for later in known[index + 1 :]
            ):
                return True
    return False


def latest_promise(invoice: Invoice, events: Sequence[Event], day: dt.date) -> PromiseToPay | None:
    """The latest promise about the invoice (its own or its client's) on ``day`` (the
    test using it draws every promise on a day of its own)."""
    promises = [e for e in as_of_day(events, day) if isinstance(e, PromiseToPay)]
    mine = [p for p in promises if about(p, invoice)]
    return max(mine, key=lambda p: p.on) if mine else None


def grace_end(promise: PromiseToPay, policy: ReminderPolicy) -> dt.date:
    return policy.calendar.add_business_days(promise.until, policy.promise_grace_days)


def promised(
    invoice: Invoice, events: Sequence[Event], day: dt.date, policy: ReminderPolicy
) -> bool:
    """True when every latest promise about the invoice is still in its grace on ``day``."""
    mine = [
        e for e in as_of_day(events, day) if isinstance(e, PromiseToPay) and about(e, invoice)
    ]
    if not mine:
        return False
    last = max(p.on for p in mine)
    return all(day <= grace_end(p, policy) for p in mine if p.on == last)


def paused(
    invoice: Invoice, events: Sequence[Event], day: dt.date, policy: ReminderPolicy
) -> bool:
    return (
        disputed(invoice, events, day)
        or held(invoice, events, day)
        or promised(invoice, events, day, policy)
    )


def recorded_since(journal: MemoryJournal, number: str, after: dt.date) -> bool:
    """True when an action recorded in ``journal`` after ``after`` carried the invoice."""
    return any(r.on > after and number in r.invoice_numbers for r in journal.records())


def notice_policies(mode: str) -> st.SearchStrategy[ReminderPolicy]:
    """Policies of up to four steps, one of them (at least) a formal notice (registered
    letter), with ``after_formal_notice=mode``."""

    @st.composite
    def build(draw: st.DrawFn) -> ReminderPolicy:
        base = draw(policies(max_steps=4, min_gap_days=st.integers(1, 5)))
        steps = list(base.steps)
        at = draw(st.integers(0, len(steps) - 1))
        fallback = tuple(c for c in steps[at].fallback if c is not Channel.REGISTERED_LETTER)
        steps[at] = attrs.evolve(steps[at], channel=Channel.REGISTERED_LETTER, fallback=fallback)
        return attrs.evolve(base, steps=tuple(steps), after_formal_notice=mode)

    return build()


def last_notice(journal: MemoryJournal, client_id: str, policy: ReminderPolicy) -> dt.date | None:
    """The day of the client's last recorded action at a formal-notice step."""
    notices = {step.key for step in policy.steps if step.is_formal_notice}
    return max((r.on for r in journal.records(client_id) if r.step in notices), default=None)


def keep_same_day_order(events: Sequence[Event], shuffle: random.Random) -> list[Event]:
    """``events`` shuffled, except that the events about one target on one day keep their
    order (the order in which a person recorded them: a dispute then its resolution)."""

    def group(event: Event) -> tuple[object, ...]:
        return (event.on, getattr(event, "invoice_number", None), getattr(event, "client_id", None))

    mixed = list(events)
    shuffle.shuffle(mixed)
    queues: dict[tuple[object, ...], list[Event]] = {}
    for event in events:
        queues.setdefault(group(event), []).append(event)
    return [queues[group(event)].pop(0) for event in mixed]


def contactable(
    journal: MemoryJournal, client_id: str, policy: ReminderPolicy, day: dt.date
) -> bool:
    """Rules 4 and 5: a business day (when the policy counts them) and the gap passed."""
    if policy.business_days_only and not policy.calendar.is_business_day(day):
        return False
    last = max((r.on for r in journal.records(client_id)), default=None)
    return last is None or (day - last).days >= policy.min_gap_days


def draw_records(data: st.DataObject, records: Sequence[Record]) -> list[Record]:
    """Up to two of ``records`` (to cancel), none when there is none."""
    if not records:
        return []
    return data.draw(st.lists(st.sampled_from(records), max_size=2, unique=True))
