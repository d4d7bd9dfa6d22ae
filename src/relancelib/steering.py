"""How the journal's events steer the chase of one invoice (DESIGN.md "Events beyond sending").

:func:`steer` is the one home of these rules; :func:`relancelib.plan` and
:func:`relancelib.explain` both ask it.  As of the plan's day:

- a **dispute** stops the chase until it is resolved; it then resumes where it stopped;
- a **hold** (on the invoice or its client) stops it through its ``until`` day, unless
  released since;
- a **promise to pay** (on the invoice or its client) pauses it until the promised day plus
  ``ReminderPolicy.promise_grace_days`` business days; then the promise is *kept* when the
  promised amount (or the whole balance) was paid in that window, otherwise *broken*: the
  chase resumes at the next step and the first reminder since carries the promise, so the
  message says "malgré votre engagement du …";
- an **instalment plan** replaces the invoice's due date for the amounts it covers: while
  it runs, only a missed instalment is chased, on its own, gently (``echeance_N_rappel``, the
  day after its due date, written like ``relance_1``) then firmly (``echeance_N_relance``,
  a week later, like ``relance_2``); once ``ReminderPolicy.instalment_breaks`` instalments
  were still unpaid at the end of their grace, the plan has ended and the whole balance
  is chased again from where the escalation stood.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from relancelib.actions import History
from relancelib.events import (
    Dispute,
    DisputeResolved,
    Event,
    EventIndex,
    Hold,
    HoldReleased,
    Instalment,
    InstalmentPlan,
    PromiseToPay,
)
from relancelib.model import Invoice
from relancelib.policy import HANDOVER_STEP, Channel, ReminderPolicy, Step

__all__ = [
    "Steer",
    "after_notice",
    "amount_promises",
    "instalment_step",
    "is_instalment_step",
    "steer",
]

#: Days after a missed instalment's due date for its gentle and its firm reminder.
_GENTLE_DAYS = 1
_FIRM_DAYS = 8
_PREFIX = "echeance_"


class Steer(NamedTuple):
    """What the events say of an invoice on a day: ``paused`` (why, in words) when it is not
    chased; otherwise the broken ``promise`` to mention, or the missed ``instalment`` to chase
    (its ``step`` and ``unpaid`` part); ``notes`` are the facts :func:`relancelib.explain`
    shows (a kept or broken promise, an ended plan)."""

    paused: str | None = None
    promise: PromiseToPay | None = None
    instalment: Instalment | None = None
    step: Step | None = None
    unpaid: Decimal | None = None
    notes: tuple[str, ...] = ()


def instalment_step(number: int, *, firm: bool, plan_on: dt.date | None = None) -> Step:
    """The step that chases instalment ``number`` (1-based) of the plan agreed on
    ``plan_on``, gently or firmly.  A later plan for the same invoice gets keys of its own
    (suffixed with its date), so its reminders are recorded too."""
    suffix = "" if plan_on is None else f"_{plan_on:%Y%m%d}"
    if firm:
        return Step(
            f"{_PREFIX}{number}_relance{suffix}",
            _FIRM_DAYS,
            Channel.EMAIL,
            template="relance_2",
            fallback=(Channel.LETTER,),
        )
    return Step(
        f"{_PREFIX}{number}_rappel{suffix}",
        _GENTLE_DAYS,
        Channel.EMAIL,
        template="relance_1",
        fallback=(Channel.LETTER,),
    )


def is_instalment_step(key: str) -> bool:
    """True for the key of an instalment reminder (not a step of the policy)."""
    return key.startswith(_PREFIX)


def steer(
    invoice: Invoice,
    balance: Decimal,
    policy: ReminderPolicy,
    events: EventIndex,
    as_of: dt.date,
    recorded: Sequence[tuple[str, dt.date]] | None,
    siblings: Sequence[Invoice] = (),
) -> Steer:
    """The events' word on ``invoice`` (of balance ``balance``) on ``as_of``; ``siblings``
    are its client's invoices when a client-wide promise names an amount
    (:func:`amount_promises`): what they received counts toward it."""
    own = events.by_invoice.get(invoice.number, ())
    client_wide = events.by_client.get(invoice.client_id, ())
    if not own and not client_wide:
        return Steer()
    dispute = _latest(own, (Dispute, DisputeResolved))
    if isinstance(dispute, Dispute):
        return Steer(f"disputed since {_day(dispute.on)}: {dispute.reason}")
    held = _holding(own, as_of) or _holding(client_wide, as_of)
    if held is not None:
        whose = "the invoice" if held.invoice_number is not None else "the client"
        return Steer(f"{whose} is on hold through {_day(held.until)}")
    calendar = policy.calendar
    grace = policy.promise_grace_days
    notes: list[str] = []
    # A promise in its grace pauses everything, a missed instalment included.
    promises = [e for e in (*own, *client_wide) if isinstance(e, PromiseToPay)]
    promise = max(promises, key=lambda e: e.on) if promises else None  # the latest
    if promise is not None:
        end = calendar.add_business_days(promise.until, grace)
        if as_of <= end:
            return Steer(
                f"promised on {_day(promise.on)} to pay by {_day(promise.until)}: paused "
                f"through {_day(end)} ({grace} business day(s) of grace)"
            )
    plans = [e for e in own if isinstance(e, InstalmentPlan)]
    if plans:
        plan = plans[-1]
        # The first plan's reminders are echeance_N_rappel/relance; a later plan's carry its
        # date, so they are not taken for the first one's (already recorded) reminders.
        verdict = _instalments(
            invoice, plan, policy, as_of, recorded, None if len(plans) == 1 else plan.on
        )
        if verdict is not None:
            return verdict
        notes.append(
            f"the instalment plan of {_day(plan.on)} ended: "
            f"{policy.instalment_breaks} instalment(s) missed"
        )
    if promise is None:
        return Steer(notes=tuple(notes))
    if promise.amount is not None:
        scope = siblings if promise.invoice_number is None and siblings else (invoice,)
        paid = sum((_paid(each, promise.on, end) for each in scope), Decimal("0"))
        if paid >= promise.amount:
            notes.append(
                f"the promise of {_day(promise.on)} was kept ({_money(paid, invoice)} paid)"
            )
            return Steer(notes=tuple(notes))
    first_since = not any(on > promise.on for _key, on in recorded or ())
    notes.append(f"the promise of {_day(promise.on)} to pay by {_day(promise.until)} was broken")
    return Steer(promise=promise if first_since else None, notes=tuple(notes))


def _instalments(
    invoice: Invoice,
    plan: InstalmentPlan,
    policy: ReminderPolicy,
    as_of: dt.date,
    recorded: Sequence[tuple[str, dt.date]] | None,
    plan_on: dt.date | None,
) -> Steer | None:
    """The plan's word: paused, or a missed instalment to chase; None once it has ended."""
    calendar = policy.calendar
    grace = policy.promise_grace_days
    cumulative = Decimal("0")
    breaks = 0
    missed: tuple[int, Instalment, Decimal] | None = None
    paid_now = _paid(invoice, plan.on, as_of)
    following: Instalment | None = None
    for number, instalment in enumerate(plan.instalments, 1):
        cumulative += instalment.amount
        end = calendar.add_business_days(instalment.due, grace)
        if end < as_of and _paid(invoice, plan.on, end) < cumulative:
            breaks += 1
        if missed is None and instalment.due < as_of and paid_now < cumulative:
            unpaid = min(instalment.amount, cumulative - paid_now)
            missed = (number, instalment, unpaid)
        if following is None and instalment.due >= as_of:
            following = instalment
    if breaks >= policy.instalment_breaks:
        return None
    if missed is None:
        if following is None:
            return Steer(f"instalment plan of {_day(plan.on)}: every instalment is paid or due")
        return Steer(
            f"instalment plan of {_day(plan.on)}: next instalment of "
            f"{_money(following.amount, invoice)} due {_day(following.due)}"
        )
    number, instalment, unpaid = missed
    done = {key for key, on in recorded or () if on >= plan.on}
    late = (as_of - instalment.due).days
    for firm in (False, True):
        step = instalment_step(number, firm=firm, plan_on=plan_on)
        if step.key in done:
            continue
        if late < step.offset_days:
            return Steer(
                f"instalment {number} ({_money(unpaid, invoice)} unpaid) is chased from "
                f"{_day(instalment.due + dt.timedelta(days=step.offset_days))}"
            )
        return Steer(instalment=instalment, step=step, unpaid=unpaid)
    return Steer(
        f"instalment {number} ({_money(unpaid, invoice)} unpaid) was reminded twice; the plan "
        f"ends after {policy.instalment_breaks} missed instalment(s)"
    )


def after_notice(
    client_id: str, policy: ReminderPolicy, history: History, as_of: dt.date
) -> tuple[str | None, str]:
    """What follows the client's last formal notice on ``as_of`` under the policy's
    ``after_formal_notice``: ``"quiet"``, ``"handover"`` or None (go on), and why in words."""
    records = history.actions.get(client_id)
    notice_keys = policy.notice_keys
    notices = [on for key, on in records or () if key in notice_keys]
    if not notices:
        return None, "no formal notice recorded"
    last = max(notices)
    deadline = policy.calendar.notice_deadline(last)
    notice = f"the formal notice of {_day(last)} (deadline {_day(deadline)})"
    if as_of <= deadline:
        return "quiet", f"{notice}: quiet until its deadline has passed"
    if policy.after_formal_notice == "quiet":
        return None, f"{notice}: its deadline has passed"
    handed = [on for key, on in records or () if key == HANDOVER_STEP.key and on >= last]
    if not handed:
        return "handover", f"{notice}: its deadline has passed, the file is handed over"
    resumed = [
        event.on
        for event in history.events.by_client.get(client_id, ())
        if isinstance(event, HoldReleased) and event.on >= max(handed)
    ]
    if resumed:
        return None, f"handed over on {_day(max(handed))}, resumed on {_day(max(resumed))}"
    return "quiet", f"handed over on {_day(max(handed))}: no automatic reminder until resumed"



def amount_promises(
    events: EventIndex, invoices: Iterable[Invoice]
) -> dict[str, list[Invoice]]:
    """The invoices of each client that has a client-wide promise with an amount (the
    payments of all of them count toward it); empty, and cheap, when there is none."""
    clients = {
        client_id
        for client_id, given in events.by_client.items()
        if any(isinstance(e, PromiseToPay) and e.amount is not None for e in given)
    }
    found: dict[str, list[Invoice]] = {}
    if clients:
        for invoice in invoices:
            if invoice.client_id in clients:
                found.setdefault(invoice.client_id, []).append(invoice)
    return found


def _latest(events: Sequence[Event], kinds: tuple[type[Event], ...]) -> Event | None:
    """The last event of ``kinds`` (events are in date order; the last given wins a tie)."""
    for event in reversed(events):
        if isinstance(event, kinds):
            return event
    return None


def _holding(events: Sequence[Event], as_of: dt.date) -> Hold | None:
    """The hold in force on ``as_of`` among ``events`` (not released since it was placed)."""
    for index, event in enumerate(events):
        if isinstance(event, Hold) and event.until >= as_of:
            released = any(
                isinstance(later, HoldReleased)
                and later.invoice_number == event.invoice_number
                and later.client_id == event.client_id
                for later in events[index + 1 :]
            )
            if not released:
                return event
    return None


def _paid(invoice: Invoice, start: dt.date, end: dt.date) -> Decimal:
    return sum((p.amount for p in invoice.payments if start <= p.on <= end), Decimal("0"))


def _day(day: dt.date) -> str:
    return day.isoformat()


def _money(amount: Decimal, invoice: Invoice) -> str:
    return f"{amount} {invoice.currency}"
