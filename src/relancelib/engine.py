"""The deterministic escalation engine: :func:`plan`.

``plan()`` is a pure function: given invoices, clients, a policy, a day and what the
journal says was already done, it returns the :class:`Plan` of that day — one
:class:`Action` per client with the invoices due for their next step — and the
:class:`Problem` list of inputs that did not fit together.  It reads no clock, no file
and no global state, and never raises for data that is individually valid.

The rules (see ``docs/concepts.md`` for a worked timeline): an invoice's next step is
the step after the last one recorded for it; it is due when its balance is above the
policy's minimum, it is neither disputed nor held, the step's offset from the due date
has come, at least ``min_gap_days`` have passed since the client's last action, and the
day is a business day.  Steps before the due date lapse once it has passed; no other
step is ever skipped or repeated, and what is due stays due until it is recorded.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import attrs

from relancelib import law
from relancelib.errors import InvalidFieldError, RateUnknownError, RelanceError
from relancelib.model import Client, ClientKind, Invoice, check_date, minor_unit
from relancelib.policy import Channel, ReminderPolicy, Step

if TYPE_CHECKING:
    import pandas

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
    "plan",
]

PolicyLike: TypeAlias = "ReminderPolicy | Callable[[Client], ReminderPolicy]"

#: How many days before the prescription date an invoice is reported (Plan.problems).
PRESCRIPTION_WARNING_DAYS = 90
# Below this many days overdue no prescription (2 years at the shortest) can be near.
_PRESCRIPTION_CHECK_DAYS = 2 * 365 - PRESCRIPTION_WARNING_DAYS - 1
_UNSEEN: Any = object()


class Severity(enum.Enum):
    """How serious a :class:`Problem` is: an ``ERROR`` leaves the invoice out of the plan,
    a ``WARNING`` is worth a look but the invoice is still chased."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Problem:
    """Something about one invoice that a person should look at."""

    invoice_number: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.invoice_number}: {self.message}"


@attrs.frozen
class ActionItem:
    """One invoice in an action, at its own step.

    ``balance`` is the principal still due on the plan's day; ``penalties`` (a
    :class:`relancelib.law.Penalties`) and ``indemnity`` are filled on steps with
    ``include_penalties=True``.
    """

    invoice: Invoice
    step: Step
    balance: Decimal
    days_overdue: int
    penalties: law.Penalties | None = None
    indemnity: Decimal = Decimal("0")

    @property
    def currency(self) -> str:
        """The invoice's currency."""
        return self.invoice.currency

    @property
    def claimed(self) -> Decimal:
        """Balance plus penalties plus recovery indemnity."""
        extra = self.penalties.amount if self.penalties is not None else Decimal(0)
        return self.balance + extra + self.indemnity


_ZERO = Decimal("0")


def _sum_by_currency(
    items: Iterable[ActionItem], value: Callable[[ActionItem], Decimal]
) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, _ZERO) + value(item)
    return {cur: amount.quantize(minor_unit(cur)) for cur, amount in sorted(totals.items())}


def _claimed_default(action: Action) -> dict[str, Decimal]:
    return _sum_by_currency(action.items, lambda item: item.claimed)


@attrs.frozen
class Action:
    """What to do today for one client: its due invoices, grouped.

    ``step`` is the most advanced step among the items (it picks the channel and the
    template); ``totals`` maps each currency to the principal due and ``claimed`` to
    principal + penalties + indemnities.  ``key`` is a stable idempotency key built
    from the client id and the (invoice, step) pairs: the same pending action keeps
    its key from one day to the next.
    """

    key: str
    client: Client
    step: Step
    items: tuple[ActionItem, ...]
    totals: Mapping[str, Decimal] = attrs.field(hash=False)
    on: dt.date
    claimed: Mapping[str, Decimal] = attrs.field(
        default=attrs.Factory(_claimed_default, takes_self=True), kw_only=True, hash=False
    )

    @property
    def channel(self) -> Channel:
        """The channel of the action's step."""
        return self.step.channel

    @property
    def invoices(self) -> tuple[Invoice, ...]:
        """The invoices of the action, in the order of its items."""
        return tuple(item.invoice for item in self.items)

    @property
    def steps(self) -> tuple[tuple[str, str], ...]:
        """The (invoice number, step key) pairs the action carries out."""
        return tuple((item.invoice.number, item.step.key) for item in self.items)

    def _repr_html_(self) -> str:
        # Notebook display; the HTML is built outside the engine, imported only when shown.
        from relancelib.display import action_html

        return action_html(self)


@attrs.frozen
class Plan:
    """The day's decisions (``actions``, sorted by client id) and the ``problems`` found."""

    as_of: dt.date
    actions: tuple[Action, ...] = ()
    problems: tuple[Problem, ...] = ()

    def __iter__(self) -> Any:
        return iter(self.actions)

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that left an invoice out of the plan."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems worth a look that did not stop the chase."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    def action_for(self, client_id: str) -> Action | None:
        """The action for ``client_id``, or ``None`` when nothing is due for that client."""
        for action in self.actions:
            if action.client.id == client_id:
                return action
        return None

    def to_frame(self) -> pandas.DataFrame:
        """One row per action item as a pandas DataFrame (needs ``relancelib[pandas]``)."""
        from relancelib.io import plan_to_frame

        return plan_to_frame(self)

    def _repr_html_(self) -> str:
        from relancelib.display import plan_html

        return plan_html(self)


@attrs.frozen
class History:
    """What a journal knew on a given day, indexed for the engine.

    ``steps`` maps an invoice number to the (step key, date) pairs recorded for it;
    ``contacts`` maps a client id to the date of its last recorded action.
    """

    steps: Mapping[str, Sequence[tuple[str, dt.date]]] = attrs.field(factory=dict)
    contacts: Mapping[str, dt.date] = attrs.field(factory=dict)


class HistorySource(Protocol):
    """What :func:`plan` needs of a journal: its history as it stood on a day."""

    def history(self, as_of: dt.date) -> History:
        """The records dated on or before ``as_of``, indexed."""
        ...


def action_key(client_id: str, steps: Iterable[tuple[str, str]]) -> str:
    """The idempotency key of an action: a hash of the client id and its (invoice, step) pairs.

    It does not depend on the day nor on the order of the pairs.
    """
    parts = [client_id, *(f"{number}\x1e{step}" for number, step in sorted(steps))]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"rl-{digest[:24]}"


# ---------------------------------------------------------------------------------------------


class _PolicyDay:
    """Per-policy work done once per plan: is today a business day, step positions."""

    __slots__ = (
        "active",
        "gap",
        "index",
        "min_balance",
        "n",
        "notice",
        "offsets",
        "policy",
        "steps",
    )

    def __init__(self, policy: ReminderPolicy, as_of: dt.date) -> None:
        self.policy = policy
        self.steps = policy.steps
        self.n = len(policy.steps)
        self.offsets = tuple(step.offset_days for step in policy.steps)
        self.index = policy.positions
        self.notice = frozenset(step.key for step in policy.steps if step.is_formal_notice)
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
    if isinstance(clients, (str, bytes)) or not isinstance(clients, Iterable):
        raise InvalidFieldError("must be an iterable of Client", field="clients", value=clients)
    given = list(clients)
    for client in given:
        if type(client) is not Client and not isinstance(client, Client):
            raise InvalidFieldError("must hold only Client objects", field="clients", value=client)
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


def _unique_invoices(invoices: Iterable[Invoice], problems: list[Problem]) -> list[Invoice]:
    if isinstance(invoices, (str, bytes)) or not isinstance(invoices, Iterable):
        raise InvalidFieldError("must be an iterable of Invoice", field="invoices", value=invoices)
    given = list(invoices)
    for invoice in given:
        if type(invoice) is not Invoice and not isinstance(invoice, Invoice):
            raise InvalidFieldError(
                "must hold only Invoice objects", field="invoices", value=invoice
            )
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


def _policy_resolver(policy: object) -> Callable[[Client], ReminderPolicy]:
    if isinstance(policy, ReminderPolicy):
        return lambda _client: policy
    if callable(policy):

        def resolve(client: Client) -> ReminderPolicy:
            chosen = policy(client)
            if not isinstance(chosen, ReminderPolicy):
                raise InvalidFieldError(
                    f"returned {type(chosen).__name__} for client {client.id!r}, "
                    "not a ReminderPolicy",
                    field="policy",
                    value=policy,
                )
            return chosen

        return resolve
    raise InvalidFieldError(
        "must be a ReminderPolicy or a callable Client -> ReminderPolicy",
        field="policy",
        value=policy,
    )


def _history(journal: object, as_of: dt.date) -> History:
    if journal is None:
        return History()
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
    """
    as_of = check_date(as_of, "as_of")
    tables = law._check_rates(rates)
    problems: list[Problem] = []
    resolve_policy = _policy_resolver(policy)
    client_table, client_conflicts = _client_table(clients)
    unique = _unique_invoices(invoices, problems)
    history = _history(journal, as_of)
    steps_of = history.steps.get
    contact_of = history.contacts.get

    policy_days: dict[int, _PolicyDay] = {}
    # Per client: its _PolicyDay when it may be contacted today, else None.
    client_days: dict[str, _PolicyDay | None] = {}
    due: dict[str, list[tuple[Invoice, int, Decimal]]] = {}
    today = as_of.toordinal()

    for invoice in unique:
        client_id = invoice.client_id
        client = client_table.get(client_id)
        if client is None:
            why = (
                f"client {client_id!r} is given twice with different data"
                if client_id in client_conflicts
                else f"client {client_id!r} is not among the clients"
            )
            problems.append(Problem(invoice.number, why))
            continue

        balance = invoice.amount
        for payment in invoice.payments:
            if payment.on <= as_of:
                balance -= payment.amount
        if balance <= 0:
            if balance < 0:
                problems.append(
                    Problem(
                        invoice.number,
                        f"payments exceed the invoice amount by {-balance} {invoice.currency}",
                    )
                )
            continue
        due_ordinal = invoice.due_date.toordinal()
        if today - due_ordinal >= _PRESCRIPTION_CHECK_DAYS:
            _check_prescription(invoice, client, as_of, problems)
        if due_ordinal - invoice.issue_date.toordinal() > 60:
            terms = law.check_payment_terms(invoice.issue_date, invoice.due_date)
            if terms is not None:
                problems.append(Problem(invoice.number, terms, Severity.WARNING))

        day = client_days.get(client_id, _UNSEEN)
        if day is _UNSEEN:
            day = _client_day(client, resolve_policy, policy_days, as_of, contact_of(client_id))
            client_days[client_id] = day
        if (
            day is None
            or balance <= day.min_balance
            or invoice.disputed
            or (invoice.hold_until is not None and invoice.hold_until >= as_of)
        ):
            continue

        recorded = steps_of(invoice.number)
        position = 0
        if recorded:
            index = day.index
            try:
                # The most advanced recorded step, in policy order (not the latest dated).
                position = -1
                for key, _on in recorded:
                    reached = index[key]
                    if reached > position:
                        position = reached
                position += 1
            except KeyError:
                unknown = sorted({key for key, _on in recorded if key not in index})
                problems.append(
                    Problem(
                        invoice.number,
                        f"the journal records step(s) {', '.join(unknown)} that policy "
                        f"{day.policy.name!r} does not have; the invoice is left out",
                    )
                )
                continue
        offsets = day.offsets
        if today > due_ordinal:
            # Steps before the due date lapse once it has passed: never sent late.
            while position < day.n and offsets[position] < 0:
                position += 1
        if position >= day.n or today - due_ordinal < offsets[position]:
            continue
        due.setdefault(client_id, []).append((invoice, position, balance))

    actions = tuple(
        _build_action(
            client_table[cid], _active(client_days[cid]), entries, as_of, history, tables, problems
        )
        for cid, entries in sorted(due.items())
    )
    problems.sort(key=lambda p: (p.invoice_number, p.severity.value, p.message))
    return Plan(as_of, actions, tuple(problems))


def _active(day: _PolicyDay | None) -> _PolicyDay:
    # Only clients that may be contacted today (a _PolicyDay, not None) have due invoices.
    assert day is not None
    return day


def _client_day(
    client: Client,
    resolve_policy: Callable[[Client], ReminderPolicy],
    policy_days: dict[int, _PolicyDay],
    as_of: dt.date,
    last_contact: dt.date | None,
) -> _PolicyDay | None:
    """The client's policy for today, or None when the client may not be contacted today."""
    chosen = resolve_policy(client)
    day = policy_days.get(id(chosen))
    if day is None or day.policy is not chosen:
        day = policy_days[id(chosen)] = _PolicyDay(chosen, as_of)
    if not day.active:
        return None
    if last_contact is not None and (as_of - last_contact).days < day.gap:
        return None
    return day


def _check_prescription(
    invoice: Invoice, client: Client, as_of: dt.date, problems: list[Problem]
) -> None:
    limit = law.prescription_date(invoice, client)
    left = (limit - as_of).days
    if left < 0:
        message = f"the claim is time-barred since {limit.isoformat()} (prescription)"
    elif left <= PRESCRIPTION_WARNING_DAYS:
        message = (
            f"the claim becomes time-barred on {limit.isoformat()} ({left} days left): "
            "only an acknowledgement of debt or a court claim interrupts it"
        )
    else:
        return
    problems.append(Problem(invoice.number, message, Severity.WARNING))


def _build_action(
    client: Client,
    day: _PolicyDay,
    entries: list[tuple[Invoice, int, Decimal]],
    as_of: dt.date,
    history: History,
    rates: law.Rates,
    problems: list[Problem],
) -> Action:
    if len(entries) > 1:
        entries.sort(key=lambda e: (e[0].due_date, e[0].issue_date, e[0].number))
    items = []
    totals: dict[str, Decimal] = {}
    claimed: dict[str, Decimal] = {}
    top_position = 0
    for invoice, position, balance in entries:
        step = day.steps[position]
        top_position = max(top_position, position)
        penalties: law.Penalties | None = None
        indemnity = _ZERO
        currency = invoice.currency
        if step.include_penalties:
            penalties, indemnity = _penalties(invoice, client, day, as_of, history, rates, problems)
        if step.channel.is_postal and invoice.sent_on is None:
            problems.append(
                Problem(
                    invoice.number,
                    f"no proof that the invoice was sent (sent_on unset) for the {step.key} letter",
                    Severity.WARNING,
                )
            )
        item = ActionItem(
            invoice,
            step,
            balance,
            max(0, (as_of - invoice.due_date).days),
            penalties,
            indemnity,
        )
        items.append(item)
        totals[currency] = totals.get(currency, _ZERO) + balance
        claimed[currency] = claimed.get(currency, _ZERO) + item.claimed
    top = day.steps[top_position]
    if getattr(client, top.channel.contact_field) is None:
        for item in items:
            problems.append(
                Problem(
                    item.invoice.number,
                    f"client {client.id!r} has no {top.channel.contact_label} for step {top.key} "
                    f"({top.channel.value}); give one or change the policy",
                    Severity.WARNING,
                )
            )
    if len(totals) > 1:
        totals = dict(sorted(totals.items()))
        claimed = dict(sorted(claimed.items()))
    return Action(
        action_key(client.id, [(item.invoice.number, item.step.key) for item in items]),
        client,
        top,
        tuple(items),
        totals,
        as_of,
        claimed=claimed,
    )


def _penalties(
    invoice: Invoice,
    client: Client,
    day: _PolicyDay,
    as_of: dt.date,
    history: History,
    rates: law.Rates,
    problems: list[Problem],
) -> tuple[law.Penalties | None, Decimal]:
    """Late-payment penalties (business) or legal interest (consumer) and the indemnity."""
    payments = tuple(p for p in invoice.payments if p.on <= as_of)
    until = max(as_of, invoice.due_date)
    indemnity = law.recovery_indemnity(client)
    if indemnity and invoice.currency != "EUR":
        problems.append(
            Problem(
                invoice.number,
                "the 40 € recovery indemnity (D441-5) is not added to an invoice in "
                f"{invoice.currency}",
                Severity.WARNING,
            )
        )
        indemnity = Decimal("0")
    try:
        # The law's unchecked entry points: every argument comes from validated models.
        if client.kind is ClientKind.BUSINESS:
            penalties = law._late_penalties(
                invoice.amount,
                invoice.due_date,
                until,
                client.penalty_rate,
                payments,
                True,
                365,
                rates,
            )
        else:
            notices = [on for key, on in history.steps.get(invoice.number, ()) if key in day.notice]
            start = min(notices) if notices else until
            penalties = law._legal_interest(
                invoice.amount, start, max(start, until), payments, rates
            )
    except RateUnknownError as exc:
        problems.append(
            Problem(
                invoice.number,
                f"penalties not computed: {exc}; pass rates=... to plan() with the missing rate",
                Severity.WARNING,
            )
        )
        return None, indemnity
    except RelanceError as exc:
        problems.append(Problem(invoice.number, f"penalties not computed: {exc}", Severity.WARNING))
        return None, indemnity
    return penalties, indemnity
