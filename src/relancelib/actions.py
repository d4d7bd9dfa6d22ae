"""What the engine decides: a :class:`Plan` of :class:`Action` objects (one per client, each
with its :class:`ActionItem` per invoice), the :class:`Problem` list, and the
:class:`History` the engine reads from a journal.

These are plain frozen values; :func:`relancelib.plan` (in :mod:`relancelib.engine`) makes
them.  Notebook displays and DataFrames go through :mod:`relancelib.display`, imported only
when asked.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from relancelib import law
from relancelib.checks import MONEY_CONTEXT, check_sequence, check_text, minor_unit
from relancelib.errors import InvalidFieldError
from relancelib.events import EventIndex, Instalment, PromiseToPay
from relancelib.model import Client, Invoice
from relancelib.policy import Channel, Step

if TYPE_CHECKING:
    import pandas

    from relancelib.explain import Explanation

__all__ = [
    "Action",
    "ActionItem",
    "History",
    "HistorySource",
    "Plan",
    "Problem",
    "Severity",
    "action_key",
]


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
    :class:`relancelib.law.Penalties`, in the invoice's currency) and ``indemnity`` (the
    D441-5 recovery indemnity, always in euros whatever the invoice's currency) are filled on
    steps with ``include_penalties=True``.

    ``promise`` is the promise to pay the client broke on this invoice, when the item is
    its first reminder since (the message says "malgré votre engagement du …");
    ``instalment`` is the missed instalment of an agreed plan that the item chases (its
    ``balance`` is then what is unpaid of that instalment, not of the invoice).
    """

    invoice: Invoice
    step: Step
    balance: Decimal
    days_overdue: int
    penalties: law.Penalties | None = None
    indemnity: Decimal = Decimal("0")
    promise: PromiseToPay | None = attrs.field(default=None, kw_only=True)
    instalment: Instalment | None = attrs.field(default=None, kw_only=True)

    @property
    def currency(self) -> str:
        """The invoice's currency."""
        return self.invoice.currency

    @property
    def claimed(self) -> Decimal:
        """Balance plus penalties, plus the recovery indemnity when the invoice is in euros
        (in the invoice's currency; :attr:`claims` has the indemnity of any invoice)."""
        with localcontext(MONEY_CONTEXT):
            total = self.balance
            if self.penalties is not None:
                total += self.penalties.amount
            if self.indemnity and self.invoice.currency == INDEMNITY_CURRENCY:
                total += self.indemnity
            return total

    @property
    def claims(self) -> dict[str, Decimal]:
        """What is claimed on the invoice per currency: :attr:`claimed` in the invoice's
        currency and, for an invoice in another currency, the indemnity in euros (D441-5)."""
        claims = {self.invoice.currency: self.claimed}
        if self.indemnity and self.invoice.currency != INDEMNITY_CURRENCY:
            claims[INDEMNITY_CURRENCY] = self.indemnity
        return claims

    @property
    def is_upcoming(self) -> bool:
        """True for an invoice at a step before its due date (never claimed, "pour mémoire")."""
        return self.step.offset_days < 0


_ZERO = Decimal("0")
#: Code de commerce D441-5: the recovery indemnity is a sum in euros, whatever the currency.
INDEMNITY_CURRENCY = "EUR"


def sum_claims(items: Iterable[ActionItem]) -> dict[str, Decimal]:
    """What ``items`` claim, per currency (sorted), in the library's money context."""
    totals: dict[str, Decimal] = {}
    with localcontext(MONEY_CONTEXT):
        for item in items:
            for currency, amount in item.claims.items():
                totals[currency] = totals.get(currency, _ZERO) + amount
        return {cur: amount.quantize(minor_unit(cur)) for cur, amount in sorted(totals.items())}


# Converters that check an Action's fields as they are set: they run before the defaults
# computed from the items (claimed, demanded), so junk gets a clear error, not an
# AttributeError.  Cheap type tests only: the engine builds tens of thousands a day.
def _key(value: object) -> str:
    if type(value) is not str:
        raise InvalidFieldError("must be a string", field="Action.key", value=value)
    return value


def _client(value: object) -> Client:
    if not isinstance(value, Client):
        raise InvalidFieldError("must be a Client", field="Action.client", value=value)
    return value


def _step(value: object) -> Step:
    if not isinstance(value, Step):
        raise InvalidFieldError("must be a Step", field="Action.step", value=value)
    return value


def _items(value: object) -> tuple[ActionItem, ...]:
    if type(value) is not tuple or not value:
        raise InvalidFieldError(
            "must be a non-empty tuple of ActionItem", field="Action.items", value=value
        )
    for item in value:
        if type(item) is not ActionItem:
            raise InvalidFieldError(
                "must hold ActionItem objects", field="Action.items", value=item
            )
    return value


def _totals(value: object) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping):
        raise InvalidFieldError(
            "must be a mapping currency -> Decimal", field="Action.totals", value=value
        )
    return value


def _on(value: object) -> dt.date:
    if type(value) is not dt.date:
        raise InvalidFieldError("must be a datetime.date", field="Action.on", value=value)
    return value


def _claimed_default(action: Action) -> dict[str, Decimal]:
    return sum_claims(action.items)


def _demanded_default(action: Action) -> dict[str, Decimal]:
    return sum_claims(action.own_items)


def _channel_default(action: Action) -> Channel:
    return action.step.channel


@attrs.frozen
class Action:
    """What to do today for one client: its due invoices, grouped.

    ``step`` is the most advanced step among the items (it picks the template);
    ``channel`` is the channel actually used: the step's, or one of its fallbacks when the
    client lacks the contact (``step.channel`` stays the planned one).  ``totals`` maps each
    currency to the principal due of all items and ``claimed`` to principal + penalties +
    indemnities.  ``demanded`` is what the message demands: the ``claimed`` of the action's
    own items (:attr:`own_items`, at the action's step) only; other overdue items are listed
    in their own section and upcoming ones "pour mémoire".  ``key`` is a stable idempotency
    key built from the client id and the (invoice, step) pairs: the same pending action keeps
    its key from one day to the next.
    """

    key: str = attrs.field(converter=_key)
    client: Client = attrs.field(converter=_client)
    step: Step = attrs.field(converter=_step)
    items: tuple[ActionItem, ...] = attrs.field(converter=_items)
    totals: Mapping[str, Decimal] = attrs.field(hash=False, converter=_totals)
    on: dt.date = attrs.field(converter=_on)
    claimed: Mapping[str, Decimal] = attrs.field(
        default=attrs.Factory(_claimed_default, takes_self=True), kw_only=True, hash=False
    )
    channel: Channel = attrs.field(
        default=attrs.Factory(_channel_default, takes_self=True), kw_only=True
    )
    demanded: Mapping[str, Decimal] = attrs.field(
        default=attrs.Factory(_demanded_default, takes_self=True), kw_only=True, hash=False
    )

    @property
    def own_items(self) -> tuple[ActionItem, ...]:
        """The items at the action's step: what the message demands (and, for a formal
        notice, what it notifies)."""
        key = self.step.key
        return tuple(item for item in self.items if item.step.key == key)

    @property
    def other_items(self) -> tuple[ActionItem, ...]:
        """The other overdue items: at an earlier step, their due date passed."""
        key = self.step.key
        return tuple(item for item in self.items if item.step.key != key and not item.is_upcoming)

    @property
    def upcoming_items(self) -> tuple[ActionItem, ...]:
        """The items not yet due (a step before the due date), named only "pour mémoire"."""
        key = self.step.key
        return tuple(item for item in self.items if item.step.key != key and item.is_upcoming)

    @property
    def is_fallback(self) -> bool:
        """True when the action goes through a fallback channel, not its step's."""
        return self.channel is not self.step.channel

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
    _explainer: Any = attrs.field(
        default=None, kw_only=True, eq=False, repr=False, alias="explainer"
    )

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

    @property
    def incomplete(self) -> tuple[str, ...]:
        """The invoices whose penalties (or legal interest) could not be computed in full:
        none at all, or only through the last day a rate is known ("à parfaire")."""
        return tuple(
            item.invoice.number
            for action in self.actions
            for item in action.items
            if item.step.include_penalties
            and (item.penalties is None or item.penalties.through is not None)
        )

    def explain(self, invoice_number: str) -> Explanation:
        """Why ``invoice_number`` is or is not chased on the plan's day, rule by rule (a
        plan made by :func:`relancelib.plan` only: it keeps its inputs for this)."""
        check_text(invoice_number, "invoice_number")
        if self._explainer is None:
            raise InvalidFieldError(
                "cannot be explained: only a plan made by relancelib.plan() keeps its inputs",
                field="plan",
                value=self.as_of,
            )
        return self._explainer(self, invoice_number)  # type: ignore[no-any-return]

    def action_for(self, client_id: str) -> Action | None:
        """The action for ``client_id``, or ``None`` when nothing is due for that client."""
        for action in self.actions:
            if action.client.id == client_id:
                return action
        return None

    def to_frame(self) -> pandas.DataFrame:
        """One row per action item as a pandas DataFrame (needs ``relancelib[pandas]``)."""
        from relancelib.display import plan_to_frame

        return plan_to_frame(self)

    def _repr_html_(self) -> str:
        from relancelib.display import plan_html

        return plan_html(self)


@attrs.frozen
class History:
    """What a journal knew on a given day, indexed for the engine.

    ``steps`` maps an invoice number to the (step key, date) pairs recorded for it;
    ``contacts`` maps a client id to the date of its last recorded action; ``actions`` maps
    a client id to the (action step key, date) of each of its records, oldest first (what
    follows a formal notice reads it).  Cancelled records count in none of them:
    ``revisions`` maps an (invoice, step) pair to the number of times a record of it was
    cancelled (the pair's next action gets a new key), and ``events`` indexes the journal's
    events (:mod:`relancelib.events`) dated on or before the day.
    """

    steps: Mapping[str, Sequence[tuple[str, dt.date]]] = attrs.field(factory=dict)
    contacts: Mapping[str, dt.date] = attrs.field(factory=dict)
    actions: Mapping[str, Sequence[tuple[str, dt.date]]] = attrs.field(factory=dict, kw_only=True)
    revisions: Mapping[tuple[str, str], int] = attrs.field(factory=dict, kw_only=True)
    events: EventIndex = attrs.field(factory=EventIndex, kw_only=True)


class HistorySource(Protocol):
    """What :func:`plan` needs of a journal: its history as it stood on a day."""

    def history(self, as_of: dt.date) -> History:
        """The records dated on or before ``as_of``, indexed."""
        ...


def action_key(client_id: str, steps: Iterable[tuple[str, str]]) -> str:
    """The idempotency key of an action: a hash of the client id and its (invoice, step) pairs.

    It does not depend on the day nor on the order of the pairs.
    """
    check_text(client_id, "client_id")
    pairs = check_sequence(steps, tuple, "steps", what="(invoice number, step key) pairs")
    for pair in pairs:
        if len(pair) != 2 or not all(isinstance(part, str) for part in pair):
            raise InvalidFieldError(
                "must hold (invoice number, step key) pairs of strings", field="steps", value=pair
            )
    return _action_key(client_id, pairs)


def _action_key(
    client_id: str,
    steps: Iterable[tuple[str, str]],
    revisions: Mapping[tuple[str, str], int] | None = None,
) -> str:
    """:func:`action_key` on checked arguments (the engine's: its inputs are valid models).

    ``revisions`` counts the cancelled records of a pair: a pair planned again after its
    record was cancelled gets a key of its own (the cancelled key stays taken)."""
    parts = [client_id, *(f"{number}\x1e{step}" for number, step in sorted(steps))]
    if revisions:
        parts += [
            f"{number}\x1e{step}\x1d{revisions[number, step]}"
            for number, step in sorted(steps)
            if (number, step) in revisions
        ]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"rl-{digest[:24]}"
