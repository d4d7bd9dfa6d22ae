"""Why an invoice is, or is not, chased on a day: :meth:`Plan.explain` (and
:func:`relancelib.explain`, which plans then explains).

The verdict is the plan's own (the invoice is chased when one of the plan's actions carries
it); the explanation goes through the rules in the order the engine applies them —
DESIGN.md's rules 1-5, the law's word, the journal's events (:mod:`relancelib.steering`),
what follows a formal notice, the next step and its day, the channel — saying for each what
it found.  A rule that stops the chase is marked ``passed=False``; the first such rule is
the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from relancelib import law, steering
from relancelib.actions import History, Plan, Problem, Severity
from relancelib.model import Client, ClientKind, Invoice
from relancelib.policy import ReminderPolicy, Step

__all__ = ["Explanation", "Rule", "explain_invoice"]


@attrs.frozen
class Rule:
    """One rule's finding: ``passed`` is True when it lets the chase go on, False when it
    stops it, None when it is information only."""

    name: str
    passed: bool | None
    text: str

    def __str__(self) -> str:
        mark = {True: "ok", False: "STOP", None: "--"}[self.passed]
        return f"[{mark:>4}] {self.name}: {self.text}"


@attrs.frozen
class Explanation:
    """Why ``invoice_number`` is (``chased``, at ``step``) or is not chased on ``as_of``."""

    invoice_number: str
    as_of: dt.date
    chased: bool
    step: str | None
    rules: tuple[Rule, ...]

    @property
    def reason(self) -> str:
        """The first rule that stops the chase (or what is done when it is chased)."""
        if self.chased:
            return f"chased today at step {self.step}"
        for rule in self.rules:
            if rule.passed is False:
                return rule.text
        return "not due today"

    def __str__(self) -> str:
        verdict = (
            f"chased on {self.as_of.isoformat()} at step {self.step}"
            if self.chased
            else f"not chased on {self.as_of.isoformat()}: {self.reason}"
        )
        lines = [f"{self.invoice_number}: {verdict}", *(f"  {rule}" for rule in self.rules)]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (``relance explain --format json``)."""
        return {
            "invoice": self.invoice_number,
            "date": self.as_of.isoformat(),
            "chased": self.chased,
            "step": self.step,
            "reason": self.reason,
            "rules": [{"rule": r.name, "passed": r.passed, "text": r.text} for r in self.rules],
        }

    def _repr_html_(self) -> str:
        from relancelib.display import explanation_html

        return explanation_html(self)


def explain_invoice(
    plan: Plan,
    number: str,
    invoices: Sequence[Invoice],
    clients: Mapping[str, Client],
    choose: Callable[[Client], ReminderPolicy],
    history: History,
) -> Explanation:
    """The explanation of ``number`` in ``plan``, made from the plan's own inputs."""
    as_of = plan.as_of
    chased_step = next(
        (i.step.key for a in plan.actions for i in a.items if i.invoice.number == number), None
    )
    rules: list[Rule] = []

    def done() -> Explanation:
        return Explanation(number, as_of, chased_step is not None, chased_step, tuple(rules))

    errors = [p for p in plan.problems if p.invoice_number == number]
    invoice = next((i for i in invoices if i.number == number), None)
    if invoice is None:
        rules.append(Rule("invoice", False, "not among the invoices given"))
        rules.extend(_problem_rules(errors))
        return done()
    client = clients.get(invoice.client_id)
    if client is None:
        missing = f"client {invoice.client_id!r} is not among the clients"
        rules.append(Rule("client", False, missing))
        return done()
    policy = choose(client)
    balance = invoice.balance(as_of)
    rules.append(
        Rule(
            "balance",
            balance > policy.min_balance,
            f"{balance} {invoice.currency} due on {as_of.isoformat()} "
            f"(chased above {policy.min_balance})",
        )
    )
    if invoice.disputed:
        rules.append(Rule("dispute", False, "the invoice is marked disputed in the export"))
    if invoice.hold_until is not None and invoice.hold_until >= as_of:
        rules.append(Rule("hold", False, f"on hold through {invoice.hold_until.isoformat()}"))
    if client.kind is ClientKind.CONSUMER and law.time_barred(invoice, client, as_of):
        rules.append(Rule("prescription", False, "a consumer's time-barred debt is not chased"))
    recorded = history.steps.get(number)
    siblings = steering.amount_promises(history.events, invoices).get(client.id, ())
    steer = steering.steer(invoice, balance, policy, history.events, as_of, recorded, siblings)
    if steer.paused is not None:
        rules.append(Rule("events", False, steer.paused))
    rules.extend(Rule("events", None, note) for note in steer.notes)
    if steer.promise is not None:
        rules.append(Rule("promise", None, "the next message says the promise was broken"))
    rules.extend(_client_rules(client, policy, history, as_of))
    handover_key = policy.handover_step.key
    handover = any(a.client.id == client.id and a.step.key == handover_key for a in plan.actions)
    if steer.step is not None:
        rules.append(
            Rule("instalment", True, f"a missed instalment is chased at step {steer.step.key}")
        )
    elif handover:
        notified = any(key in policy.notice_keys for key, _on in recorded or ())
        text = (
            f"formally notified and unpaid: handed over at step {policy.handover_step.key}"
            if notified
            else "not formally notified: it waits while the client's file is handed over"
        )
        rules.append(Rule("handover", notified, text))
    else:
        rule, step = _next_step(invoice, policy, recorded, as_of)
        rules.append(rule)
        if step is not None and rule.passed:
            channel = step.channel_for(client)
            if channel is None:
                rules.append(Rule("channel", False, f"no contact for step {step.key}"))
            elif channel is not step.channel:
                fallback = f"{step.channel.value} falls back to {channel.value}"
                rules.append(Rule("channel", True, fallback))
            else:
                rules.append(Rule("channel", True, f"by {channel.value}"))
    rules.extend(_problem_rules(errors))
    return done()


def _client_rules(
    client: Client, policy: ReminderPolicy, history: History, as_of: dt.date
) -> list[Rule]:
    rules = []
    if policy.business_days_only:
        open_day = policy.calendar.is_business_day(as_of)
        rules.append(
            Rule(
                "business day",
                open_day,
                f"{as_of.isoformat()} is {'' if open_day else 'not '}a business day",
            )
        )
    last = history.contacts.get(client.id)
    if last is not None:
        gap = (as_of - last).days
        rules.append(
            Rule(
                "gap",
                gap >= policy.min_gap_days,
                f"last action for client {client.id!r} on {last.isoformat()}, {gap} day(s) "
                f"ago (at least {policy.min_gap_days})",
            )
        )
    if policy.after_formal_notice != "continue":
        mode, why = steering.after_notice(client.id, policy, history, as_of)
        rules.append(Rule("after formal notice", mode != "quiet", why))
    return rules


def _next_step(
    invoice: Invoice,
    policy: ReminderPolicy,
    recorded: Sequence[tuple[str, dt.date]] | None,
    as_of: dt.date,
) -> tuple[Rule, Step | None]:
    """The next step and whether its day has come (rules 2 and 3)."""
    index = policy.positions
    done = [(index[key], key, on) for key, on in recorded or () if key in index]
    position = max(done)[0] + 1 if done else 0
    lapsed = []
    late = (as_of - invoice.due_date).days
    while late > 0 and position < len(policy.steps) and policy.steps[position].offset_days < 0:
        lapsed.append(policy.steps[position].key)
        position += 1
    before = f"; lapsed before the due date: {', '.join(lapsed)}" if lapsed else ""
    last = "no step done"
    if done:
        _position, key, on = max(done)
        last = f"last step done: {key} on {on.isoformat()}"
    if position >= len(policy.steps):
        return Rule("next step", False, f"every step of {policy.name!r} is done ({last})"), None
    step = policy.steps[position]
    day = invoice.due_date + dt.timedelta(days=step.offset_days)
    text = f"{last}; {step.key} is due from {day.isoformat()}{before}"
    return Rule("next step", as_of >= day, text), step


def _problem_rules(problems: list[Problem]) -> list[Rule]:
    stops = {Severity.ERROR: False, Severity.WARNING: None}
    return [Rule(f"problem ({p.severity.value})", stops[p.severity], p.message) for p in problems]
