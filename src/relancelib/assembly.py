"""Grouping a client's due invoices into one :class:`~relancelib.actions.Action`.

:func:`relancelib.plan` decides, invoice by invoice, which step is due (DESIGN.md rules 1-5
and the journal's events); this module builds the client's action from those decisions:
items sorted by due date, each at its own step, the action at the most advanced one,
through the first channel that reaches the client, with penalties on the steps that include
them and the totals the message demands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from relancelib import law
from relancelib.actions import Action, ActionItem, History, Problem, Severity, _action_key
from relancelib.events import Instalment, PromiseToPay
from relancelib.model import Client, Invoice
from relancelib.policy import HANDOVER_STEP, Step

__all__ = ["Due", "action_warnings", "build_action"]

_ZERO = Decimal("0")
# In C, not lambdas: these run for every item of a heavy day (benchmarks/engine.py).
_ORDER = attrgetter("invoice.due_date", "invoice.issue_date", "invoice.number")
_RANK = attrgetter("rank")


class Due(NamedTuple):
    """One invoice found due: at ``step`` (``rank`` orders steps: the policy position, past
    the last one for the handover), for ``balance``; ``promise`` is the broken promise to
    mention, ``instalment`` the missed instalment chased (``balance`` is then its unpaid part)."""

    invoice: Invoice
    rank: int
    step: Step
    balance: Decimal
    promise: PromiseToPay | None = None
    instalment: Instalment | None = None


def build_action(
    client: Client,
    notice_keys: Collection[str],
    entries: list[Due],
    as_of: dt.date,
    history: History,
    rates: law.Rates,
    problems: list[Problem],
) -> Action | None:
    """One action for the client: its due invoices (by due date), each at its own step, the
    action at the most advanced one, through the first channel that reaches the client (None,
    with an ERROR per invoice, when none does); penalties on the steps that include them."""
    if len(entries) > 1:
        entries.sort(key=_ORDER)
    # An invoice whose own step reaches the client by none of its channels is left out with
    # an ERROR (DESIGN.md "Channels that cannot reach the client"); the others go.  Each
    # distinct step is looked at once.
    steps = {id(e.step): e.step for e in entries}
    if any(
        step is not HANDOVER_STEP and step.channel_for(client) is None for step in steps.values()
    ):
        entries = [
            e
            for e in entries
            if e.step is HANDOVER_STEP or _reachable(client, e.step, e.invoice, problems)
        ]
        if not entries:
            return None
    top = max(entries, key=_RANK).step
    # The handover is written for the creditor's counsel, not sent: no contact needed.
    channel = top.channel if top is HANDOVER_STEP else top.channel_for(client)
    assert channel is not None
    items = []
    totals: dict[str, Decimal] = {}
    claimed: dict[str, Decimal] = {}
    demanded: dict[str, Decimal] = {}
    for invoice, _rank, step, balance, promise, instalment in entries:
        claim = None
        if step.include_penalties:
            claim = law.claim(
                invoice,
                client,
                as_of,
                notified_on=_notified_on(invoice, notice_keys, history),
                rates=rates,
            )
        due_date = invoice.due_date if instalment is None else instalment.due
        item = ActionItem(
            invoice,
            step,
            balance,
            max(0, (as_of - due_date).days),
            None if claim is None else claim.penalties,
            _ZERO if claim is None else claim.indemnity,
            promise=promise,
            instalment=instalment,
        )
        if claim is not None:
            problems.extend(Problem(invoice.number, w, Severity.WARNING) for w in claim.warnings)
        items.append(item)
        currency = invoice.currency
        totals[currency] = totals.get(currency, _ZERO) + balance
        if claim is None:
            claimed[currency] = claimed.get(currency, _ZERO) + balance
            if step is top:
                demanded[currency] = demanded.get(currency, _ZERO) + balance
        else:
            for cur, amount in item.claims.items():
                claimed[cur] = claimed.get(cur, _ZERO) + amount
                if step is top:
                    demanded[cur] = demanded.get(cur, _ZERO) + amount
    if channel is not top.channel:
        why = (
            f"client {client.id!r} has no {top.channel.contact_label}: step {top.key} goes "
            f"by {channel.value} instead of {top.channel.value} (fallback)"
        )
        problems.extend(Problem(item.invoice.number, why, Severity.WARNING) for item in items)
    if len(claimed) > 1:
        totals = dict(sorted(totals.items()))
        claimed = dict(sorted(claimed.items()))
        demanded = dict(sorted(demanded.items()))
    pairs = [(item.invoice.number, item.step.key) for item in items]
    return Action(
        _action_key(client.id, pairs, history.revisions),
        client,
        top,
        tuple(items),
        totals,
        as_of,
        claimed=claimed,
        channel=channel,
        demanded=demanded,
    )


def _reachable(client: Client, step: Step, invoice: Invoice, problems: list[Problem]) -> bool:
    """Whether a channel of ``step`` reaches ``client``; if not, an ERROR for the invoice."""
    if step.channel_for(client) is not None:
        return True
    missing = " nor ".join(dict.fromkeys(c.contact_label for c in step.channels))
    why = f"cannot be reached for step {step.key}: no {missing}; give one or change the policy"
    problems.append(Problem(invoice.number, f"client {client.id!r} {why}"))
    return False


def _notified_on(
    invoice: Invoice, notice_keys: Collection[str], history: History
) -> dt.date | None:
    """The first formal notice recorded for the invoice (consumer interest, Code civil 1231-6)."""
    notices = [on for key, on in history.steps.get(invoice.number, ()) if key in notice_keys]
    return min(notices) if notices else None


def action_warnings(action: Action) -> list[Problem]:
    """Warnings about carrying the action out: a letter without proof the invoice was sent."""
    problems = []
    for item in action.items:
        if item.step.channel.is_postal and item.invoice.sent_on is None:
            problems.append(
                Problem(
                    item.invoice.number,
                    f"no proof that the invoice was sent (sent_on unset) for the {item.step.key} "
                    "letter",
                    Severity.WARNING,
                )
            )
    return problems
