"""The deterministic escalation engine: :func:`plan`.

``plan()`` is pure: from invoices, clients, a policy, a day and the journal's history it
returns the day's :class:`Plan` — one :class:`Action` per client — and the :class:`Problem`
list of inputs that did not fit together; it reads no clock, file or global state.  The rules
are DESIGN.md's ("Engine"; ``docs/concepts.md`` has a worked timeline).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, localcontext
from typing import Any, TypeAlias

from relancelib import law, steering
from relancelib.actions import (
    Action,
    ActionItem,
    History,
    HistorySource,
    Plan,
    Problem,
    Severity,
    action_key,
)
from relancelib.assembly import Due, action_warnings, build_action
from relancelib.checks import MONEY_CONTEXT, check_date, check_sequence
from relancelib.errors import InvalidFieldError
from relancelib.explain import Explanation, explain_invoice
from relancelib.model import Client, ClientKind, Invoice
from relancelib.policy import HANDOVER_STEP, ReminderPolicy, policy_chooser

__all__ = [
    "Action",
    "ActionItem",
    "History",
    "HistorySource",
    "Plan",
    "PolicyLike",
    "Problem",
    "Severity",
    "action_key",
    "explain",
    "plan",
]

PolicyLike: TypeAlias = "ReminderPolicy | Callable[[Client], ReminderPolicy]"

_UNSEEN: Any = object()


class _PolicyDay:
    """Per-policy work done once per plan: is today a business day, step positions."""

    __slots__ = (
        "active", "gap", "index", "min_balance", "n", "notice", "offsets", "policy", "steps",
    )

    def __init__(self, policy: ReminderPolicy, as_of: dt.date) -> None:
        self.policy = policy
        self.steps = policy.steps
        self.n = len(policy.steps)
        self.offsets = tuple(step.offset_days for step in policy.steps)
        self.index = policy.positions
        self.notice = policy.notice_keys
        self.gap = policy.min_gap_days
        self.min_balance = policy.min_balance
        try:
            self.active = not policy.business_days_only or policy.calendar.is_business_day(as_of)
        except InvalidFieldError as exc:
            raise InvalidFieldError(
                f"is outside the years the {policy.holidays} calendar covers ({exc})",
                field="as_of",
                value=as_of,
            ) from None


def _client_table(
    clients: Iterable[Client] | Mapping[str, Client],
) -> tuple[dict[str, Client], set[str]]:
    """Index clients by id; ids given twice with different data are returned as conflicts."""
    if isinstance(clients, Mapping):
        clients = clients.values()
    given = check_sequence(clients, Client, "clients")
    table = {client.id: client for client in given}
    conflicts: set[str] = set()
    if len(table) != len(given):
        # Some ids come more than once: the same client twice is harmless, two different
        # clients under one id is a conflict that leaves their invoices out.
        for client in given:
            known = table[client.id]
            if known is not client and known != client:
                conflicts.add(client.id)
        for client_id in conflicts:
            del table[client_id]
    return table, conflicts


def _unique_invoices(invoices: Iterable[Invoice], problems: list[Problem]) -> Sequence[Invoice]:
    given = check_sequence(invoices, Invoice, "invoices")
    numbers = {invoice.number for invoice in given}
    if len(numbers) == len(given):
        return given
    # Some numbers come more than once: the same invoice twice counts once, two different
    # invoices under one number are both left out.
    table: dict[str, Invoice] = {}
    conflicts: set[str] = set()
    for invoice in given:
        known = table.setdefault(invoice.number, invoice)
        if known is not invoice and known != invoice:
            conflicts.add(invoice.number)
    for number in sorted(conflicts):
        del table[number]
        problems.append(
            Problem(number, "two different invoices carry this number; both are left out")
        )
    return list(table.values())


def _history(journal: object, as_of: dt.date, invoices: Sequence[Invoice]) -> History:
    if journal is None:
        return History()
    focused = getattr(journal, "history_for", None)
    if focused is not None:
        # A store that can read only what concerns the invoices being planned (SQLite):
        # the plan's cost then follows the day's work, not the journal's length.
        numbers = [invoice.number for invoice in invoices]
        clients = {invoice.client_id for invoice in invoices}
        history = focused(as_of, numbers, clients)
        if not isinstance(history, History):
            raise InvalidFieldError(
                "history_for() must return a History", field="journal", value=journal
            )
        return history
    getter = getattr(journal, "history", None)
    if getter is None:
        raise InvalidFieldError(
            "must be a Journal (an object with a history(as_of) method)",
            field="journal",
            value=journal,
        )
    history = getter(as_of)
    if not isinstance(history, History):
        raise InvalidFieldError("history() must return a History", field="journal", value=journal)
    return history


def plan(
    invoices: Iterable[Invoice],
    clients: Iterable[Client] | Mapping[str, Client],
    policy: PolicyLike,
    as_of: dt.date,
    journal: HistorySource | None = None,
    *,
    rates: law.Rates | None = None,
) -> Plan:
    """Decide what to do on ``as_of``: one :class:`Action` per client with due invoices.

    ``policy`` is a :class:`ReminderPolicy` or a callable choosing one per client;
    ``journal`` tells what was already done (records dated after ``as_of`` are ignored,
    so a past day can be replanned); ``rates`` extends the law's rate tables for the
    penalties of steps with ``include_penalties=True``.  The result depends on nothing
    else, and not on the order of ``invoices`` or ``clients``.

    It reads as DESIGN.md's rules: per invoice the law's word, the client's day (rules 5,
    4), the next step and whether it is due (rules 1-3); then one action per client.
    """
    as_of = check_date(as_of, "as_of")
    tables = law.check_rates(rates)
    # No reference cycles here: the cyclic GC (a third of the time, benchmarks/) is paused.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Money is added up in the library's own decimal context, whatever the caller's.
        with localcontext(MONEY_CONTEXT):
            return _plan(invoices, clients, policy, as_of, journal, tables)
    finally:
        if collecting:
            gc.enable()


def explain(
    invoice_number: str,
    invoices: Iterable[Invoice],
    clients: Iterable[Client] | Mapping[str, Client],
    policy: PolicyLike,
    as_of: dt.date,
    journal: HistorySource | None = None,
    *,
    rates: law.Rates | None = None,
) -> Explanation:
    """Plan ``as_of`` as :func:`plan` does and say, rule by rule, why ``invoice_number`` is
    or is not chased (:meth:`Plan.explain`)."""
    return plan(invoices, clients, policy, as_of, journal, rates=rates).explain(invoice_number)


def _plan(
    invoices: Iterable[Invoice],
    clients: Iterable[Client] | Mapping[str, Client],
    policy: PolicyLike,
    as_of: dt.date,
    journal: HistorySource | None,
    tables: law.Rates,
) -> Plan:
    """:func:`plan` on a checked day and rate tables, in :data:`MONEY_CONTEXT`."""
    problems: list[Problem] = []
    client_table, client_conflicts = _client_table(clients)
    given = _unique_invoices(invoices, problems)
    history = _history(journal, as_of, given)
    chooser = policy_chooser(policy)
    client_day = _ClientDays(chooser, history, as_of)
    known_day = client_day.days.get
    screen = law.LawScreen(as_of)  # which invoices the law may have a word about today
    recorded_steps = history.steps.get
    events = history.events
    steered = bool(events)
    siblings = steering.amount_promises(events, given) if steered else {}
    handover = client_day.handover
    due: dict[str, list[Due]] = {}

    for invoice in given:
        client = client_table.get(invoice.client_id)
        if client is None:
            problems.append(_missing_client(invoice, client_conflicts))
            continue
        balance = invoice.amount
        for payment in invoice.payments:
            if payment.on <= as_of:
                balance -= payment.amount
        if balance <= 0:
            if balance < 0:
                problems.append(_overpaid(invoice, balance))
            continue
        if screen(invoice) and not _law_checks(invoice, client, as_of, problems):
            continue
        # Rules 5 (business day) and 4 (gap since the last action), once per client.
        day = known_day(client.id, _UNSEEN)
        if day is _UNSEEN:
            day = client_day(client)
        if day is None:
            continue
        recorded = recorded_steps(invoice.number)
        promise = None
        if steered and (invoice.number in events.by_invoice or client.id in events.by_client):
            steer = steering.steer(
                invoice, balance, day.policy, events, as_of, recorded, siblings.get(client.id, ())
            )
            if steer.paused is not None:
                continue
            if steer.step is not None and steer.unpaid is not None:
                chased = Due(invoice, -1, steer.step, steer.unpaid, None, steer.instalment)
                due.setdefault(client.id, []).append(chased)
                continue
            promise = steer.promise
        if handover and client.id in handover:
            client_day.hold_back(client.id, invoice, balance, recorded, promise)
            continue
        position = _next_due_step(invoice, balance, day, recorded, as_of)
        if position == _UNKNOWN_STEP:
            problems.append(_unknown_steps(invoice, day, recorded))
        elif position is not None:
            entry = Due(invoice, position, day.steps[position], balance, promise)
            due.setdefault(client.id, []).append(entry)
    for client_id, held in client_day.held_back.items():
        # The handover takes the invoices formally notified and still unpaid; when none is
        # left (paid since), the client's other invoices go on as usual.
        _handover(client_day.known(client_id), held, as_of, due.setdefault(client_id, []))
    built = (
        build_action(
            client_table[cid], client_day.known(cid).notice, entries, as_of, history, tables,
            problems,
        )
        for cid, entries in sorted(due.items())
        if entries
    )
    actions = tuple(action for action in built if action is not None)
    for action in actions:
        problems.extend(action_warnings(action))
    problems.sort(key=lambda p: (p.invoice_number, p.severity.value, p.message))
    explainer = functools.partial(
        explain_invoice, invoices=given, clients=client_table, choose=chooser, history=history
    )
    return Plan(as_of, actions, tuple(problems), explainer=explainer)


def _missing_client(invoice: Invoice, conflicts: set[str]) -> Problem:
    client_id = invoice.client_id
    if client_id in conflicts:
        return Problem(invoice.number, f"client {client_id!r} is given twice with different data")
    return Problem(invoice.number, f"client {client_id!r} is not among the clients")


def _overpaid(invoice: Invoice, balance: Decimal) -> Problem:
    """Payments above the invoice amount do not fit together: the invoice is left out."""
    return Problem(
        invoice.number, f"payments exceed the invoice amount by {-balance} {invoice.currency}"
    )


def _law_checks(invoice: Invoice, client: Client, as_of: dt.date, problems: list[Problem]) -> bool:
    """The law's word on an invoice before its chase: False leaves it out (a consumer's
    time-barred debt: no letter may threaten court action on it, LAW.md section 10); the
    facts worth a look are warnings (prescription near or past for a business claim, terms
    over the caps of L441-10 I, which govern dealings between businesses only)."""
    prescription = law.prescription_warning(invoice, client, as_of)
    business = client.kind is ClientKind.BUSINESS
    if prescription is not None:
        if not business and law.time_barred(invoice, client, as_of):
            problems.append(
                Problem(
                    invoice.number,
                    f"{prescription}: a consumer's time-barred debt is not chased (Code de la "
                    "consommation L218-2)",
                )
            )
            return False
        problems.append(Problem(invoice.number, prescription, Severity.WARNING))
    if business:
        terms = law.payment_terms_warning(invoice.issue_date, invoice.due_date)
        if terms is not None:
            problems.append(Problem(invoice.number, terms, Severity.WARNING))
    return True


#: What _next_due_step returns when the journal names a step the policy does not have.
_UNKNOWN_STEP = -1


def _next_due_step(
    invoice: Invoice,
    balance: Decimal,
    day: _PolicyDay,
    recorded: Sequence[tuple[str, dt.date]] | None,
    as_of: dt.date,
) -> int | None:
    """The position of the invoice's next step when it is due on ``as_of``, else None
    (``_UNKNOWN_STEP`` when the journal names a step the policy does not have).

    Rules 1 to 3 and the next-step lookup in one function: it runs for every open invoice.
    """
    # Rule 1: a balance above the minimum, not disputed, not held.
    if (
        balance <= day.min_balance
        or invoice.disputed
        or (invoice.hold_until is not None and invoice.hold_until >= as_of)
    ):
        return None
    # The next step: the one after the most advanced step recorded (in policy order).
    position = 0
    if recorded:
        index = day.index
        position = -1
        for key, _on in recorded:
            reached = index.get(key)
            if reached is None:
                if _outside_policy(key):
                    continue
                return _UNKNOWN_STEP
            if reached > position:
                position = reached
        position += 1
    late = (as_of - invoice.due_date).days
    offsets = day.offsets
    if late > 0:
        # Rule 3: steps before the due date lapse once it has passed (never sent late).
        while position < day.n and offsets[position] < 0:
            position += 1
    # Rule 2: the step's day has come (no step after the last one).
    if position >= day.n or late < offsets[position]:
        return None
    return position


def _outside_policy(key: str) -> bool:
    """Steps the engine plans besides the policy's: the handover, instalment reminders."""
    return key == HANDOVER_STEP.key or steering.is_instalment_step(key)


def _handover(
    day: _PolicyDay,
    held: list[tuple[Invoice, Decimal, Sequence[tuple[str, dt.date]] | None, Any]],
    as_of: dt.date,
    entries: list[Due],
) -> None:
    """The handover action's entries: the client's formally notified invoices still unpaid
    (above the minimum balance); without any, its invoices go on as usual."""
    rank = day.n
    notified = [
        Due(invoice, rank, HANDOVER_STEP, balance)
        for invoice, balance, recorded, _promise in held
        if balance > day.min_balance
        and not invoice.disputed  # rule 1 holds for the handover too
        and (invoice.hold_until is None or invoice.hold_until < as_of)
        and any(key in day.notice for key, _on in recorded or ())
    ]
    if notified:
        entries.extend(notified)
        return
    for invoice, balance, recorded, promise in held:
        position = _next_due_step(invoice, balance, day, recorded, as_of)
        if position is not None and position != _UNKNOWN_STEP:
            entries.append(Due(invoice, position, day.steps[position], balance, promise))


def _unknown_steps(
    invoice: Invoice, day: _PolicyDay, recorded: Sequence[tuple[str, dt.date]] | None
) -> Problem:
    unknown = sorted(
        {key for key, _on in recorded or () if key not in day.index and not _outside_policy(key)}
    )
    return Problem(
        invoice.number,
        f"the journal records step(s) {', '.join(unknown)} that policy "
        f"{day.policy.name!r} does not have; the invoice is left out",
    )


class _ClientDays:
    """Rules 5 and 4 per client, once per plan: the client's policy for the day when the
    day is a business day (if the policy counts them), the gap since its last recorded
    action has passed and no formal notice keeps it quiet; None otherwise.  Clients due
    for their handover are in ``handover``; their invoices wait in ``held_back``."""

    __slots__ = (
        "_as_of",
        "_contacts",
        "_history",
        "_policies",
        "_resolve",
        "days",
        "handover",
        "held_back",
    )

    def __init__(
        self, resolve: Callable[[Client], ReminderPolicy], history: History, as_of: dt.date
    ) -> None:
        self._resolve = resolve
        self._contacts = history.contacts.get
        self._history = history
        self._as_of = as_of
        self._policies: dict[int, _PolicyDay] = {}
        #: The clients seen so far: their policy day, or None when not to be contacted today.
        self.days: dict[str, _PolicyDay | None] = {}
        self.handover: set[str] = set()
        self.held_back: dict[
            str, list[tuple[Invoice, Decimal, Sequence[tuple[str, dt.date]] | None, Any]]
        ] = {}

    def __call__(self, client: Client) -> _PolicyDay | None:
        day = self.days.get(client.id, _UNSEEN)
        if day is _UNSEEN:
            day = self.days[client.id] = self._first(client)
        return day  # type: ignore[no-any-return]

    def policy_day(self, client: Client) -> _PolicyDay:
        """The client's policy for the day, whatever the client rules say."""
        chosen = self._resolve(client)
        day = self._policies.get(id(chosen))
        if day is None or day.policy is not chosen:
            day = self._policies[id(chosen)] = _PolicyDay(chosen, self._as_of)
        return day

    def _first(self, client: Client) -> _PolicyDay | None:
        day = self.policy_day(client)
        if not day.active:  # rule 5
            return None
        last = self._contacts(client.id)
        if last is not None and (self._as_of - last).days < day.gap:  # rule 4
            return None
        if day.policy.after_formal_notice != "continue":
            mode, _why = steering.after_notice(client.id, day.policy, self._history, self._as_of)
            if mode == "quiet":
                return None
            if mode == "handover":
                self.handover.add(client.id)
        return day

    def hold_back(
        self,
        client_id: str,
        invoice: Invoice,
        balance: Decimal,
        recorded: Sequence[tuple[str, dt.date]] | None,
        promise: Any,
    ) -> None:
        """Keep an invoice of a client due for its handover until all are seen."""
        self.held_back.setdefault(client_id, []).append((invoice, balance, recorded, promise))

    def known(self, client_id: str) -> _PolicyDay:
        """The day of a client found due (so one that may be contacted today)."""
        day = self.days[client_id]
        assert day is not None
        return day
