"""Journal events: the facts of the collections workflow besides sending.

An accounts-receivable person records what the client said and did: a **promise to pay**
(:class:`PromiseToPay`), an **instalment plan** (:class:`InstalmentPlan`), a **dispute**
(:class:`Dispute`) and its resolution (:class:`DisputeResolved`), a **hold**
(:class:`Hold`) and its release (:class:`HoldReleased`), what a **call** gave
(:class:`CallOutcome`), and the **cancellation** of a recorded action (:class:`Cancellation`:
an undo, with why).  Each is a frozen value dated ``on`` (the day it takes effect), with a
free ``note`` and ``who`` recorded it, and a stable :attr:`Event.key`: recording the same
fact twice stores it once.

Journals store them (``journal.add_event(event)``, ``journal.events()``) and
:func:`relancelib.plan` reads them as of its day through the :class:`~relancelib.History`
(:class:`EventIndex`): events dated after ``as_of`` are ignored, so a past day replans the
same.  The rules they drive are in :mod:`relancelib.engine` and ``docs/daily-work.md``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from relancelib.checks import (
    check_amount,
    check_date,
    check_integer,
    check_sequence,
    check_single_line,
    check_text,
)
from relancelib.errors import InvalidFieldError

__all__ = [
    "CallOutcome",
    "CallResult",
    "Cancellation",
    "Dispute",
    "DisputeResolved",
    "Event",
    "EventIndex",
    "Hold",
    "HoldReleased",
    "Instalment",
    "InstalmentPlan",
    "PromiseToPay",
    "event_from_dict",
]


class CallResult(enum.Enum):
    """What a phone call gave (the words of ``relance outcome``)."""

    REACHED = "reached"
    MESSAGE = "message"
    WRONG_NUMBER = "wrong-number"
    PROMISED = "promised"
    DISPUTED = "disputed"


def _text() -> Any:
    """A free text (may be empty, may span lines, no control characters)."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value != "":
            check_text(value, f"{type(instance).__name__}.{attribute.name}", multiline=True)

    return check


def _line(*, required: bool = True) -> Any:
    """A non-empty single line (or None / "" when not ``required``)."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not required and value in (None, ""):
            return
        check_single_line(value, f"{type(instance).__name__}.{attribute.name}")

    return check


def _date(instance: Any, attribute: Any, value: Any) -> None:
    check_date(value, f"{type(instance).__name__}.{attribute.name}")


@attrs.frozen(kw_only=True)
class Event:
    """What every event has: the day it takes effect (``on``), a free note, who recorded it.

    Subclasses add their facts; :attr:`key` hashes them all, so the same fact recorded twice
    (a retried command, two people) is stored once.
    """

    #: The event's name in journals and JSON (``"promise"``, ``"dispute"``...).
    kind: ClassVar[str] = "event"

    on: dt.date = attrs.field(validator=_date)
    note: str = attrs.field(default="", validator=_text())
    who: str = attrs.field(default="", validator=_line(required=False))

    @property
    def key(self) -> str:
        """The event's idempotency key: a hash of its kind and every field."""
        body = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return f"ev-{hashlib.sha256(body.encode('utf-8')).hexdigest()[:24]}"

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        """The invoices the event is about (empty for a client-wide or action event)."""
        number = getattr(self, "invoice_number", None)
        return () if number is None else (number,)

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data (what journals store); :func:`event_from_dict`
        reads it back."""
        data: dict[str, Any] = {"kind": self.kind}
        for field in attrs.fields(type(self)):
            data[field.name] = _jsonable(getattr(self, field.name))
        return data


def _jsonable(value: object) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_jsonable(part) for part in value]
    if isinstance(value, Instalment):
        return {"due": value.due.isoformat(), "amount": str(value.amount)}
    return value


def _one_target(event: Any) -> None:
    """Exactly one of ``invoice_number`` and ``client_id``."""
    if (event.invoice_number is None) == (event.client_id is None):
        raise InvalidFieldError(
            "give exactly one of invoice_number and client_id",
            field=f"{type(event).__name__}.invoice_number",
            value=event.invoice_number,
        )


@attrs.frozen(kw_only=True)
class PromiseToPay(Event):
    """The client promised to pay the invoice (or all of its invoices: ``client_id``) by
    ``until`` — ``amount`` when it promised part of the balance.

    The chase pauses until ``until`` plus two business days of grace; paid by then (the
    promised amount, or the balance) the promise is kept; otherwise it is broken, the chase
    resumes at the next step and the message says "malgré votre engagement du …".
    """

    kind: ClassVar[str] = "promise"

    until: dt.date = attrs.field(validator=_date)
    invoice_number: str | None = attrs.field(default=None, validator=_line(required=False))
    client_id: str | None = attrs.field(default=None, validator=_line(required=False))
    amount: Decimal | None = attrs.field(default=None)

    @amount.validator
    def _check_amount(self, _attribute: Any, value: object) -> None:
        if value is not None:
            check_amount(value, "PromiseToPay.amount", allow_zero=False)

    def __attrs_post_init__(self) -> None:
        _one_target(self)
        if self.until < self.on:
            raise InvalidFieldError(
                f"is before the day of the promise ({self.on.isoformat()})",
                field="PromiseToPay.until",
                value=self.until,
            )


@attrs.frozen
class Instalment:
    """One instalment of a plan: ``amount`` due on ``due``."""

    due: dt.date = attrs.field(validator=_date)
    amount: Decimal = attrs.field()

    @amount.validator
    def _check_amount(self, _attribute: Any, value: object) -> None:
        check_amount(value, "Instalment.amount", allow_zero=False)


def _instalments(value: object) -> tuple[Instalment, ...]:
    items = tuple(check_sequence(value, Instalment, "InstalmentPlan.instalments"))
    if not items:
        raise InvalidFieldError(
            "must hold at least one instalment", field="InstalmentPlan.instalments", value=value
        )
    for before, after in itertools.pairwise(items):
        if after.due <= before.due:
            raise InvalidFieldError(
                "must be in strictly increasing due dates",
                field="InstalmentPlan.instalments",
                value=after.due,
            )
    return items


@attrs.frozen(kw_only=True)
class InstalmentPlan(Event):
    """An *échéancier* agreed for an invoice: it replaces the invoice's due date for the
    amounts it covers.  Each missed instalment is chased on its own; a plan missed
    ``ReminderPolicy.instalment_breaks`` times ends and the whole balance is due again."""

    kind: ClassVar[str] = "instalments"

    invoice_number: str = attrs.field(validator=_line())
    instalments: tuple[Instalment, ...] = attrs.field(converter=_instalments)

    @classmethod
    def split(
        cls,
        invoice_number: str,
        amount: Decimal,
        *,
        count: int,
        every_days: int,
        first: dt.date,
        on: dt.date,
        note: str = "",
        who: str = "",
    ) -> InstalmentPlan:
        """``amount`` in ``count`` instalments ``every_days`` apart from ``first``; the
        cents that do not divide go on the last one."""
        count = check_integer(count, "count")
        every_days = check_integer(every_days, "every_days")
        if count < 1 or every_days < 1:
            raise InvalidFieldError(
                "count and every_days must be at least 1", field="count", value=(count, every_days)
            )
        amount = check_amount(amount, "amount", allow_zero=False)
        first = check_date(first, "first")
        exponent = amount.as_tuple().exponent
        quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
        share = (amount / count).quantize(quantum, rounding="ROUND_DOWN")
        if share <= 0:
            raise InvalidFieldError(
                f"is too small to split in {count}", field="amount", value=amount
            )
        parts = [share] * (count - 1) + [amount - share * (count - 1)]
        return cls(
            invoice_number=invoice_number,
            instalments=tuple(
                Instalment(first + dt.timedelta(days=every_days * i), part)
                for i, part in enumerate(parts)
            ),
            on=on,
            note=note,
            who=who,
        )

    @property
    def total(self) -> Decimal:
        """The sum of the instalments."""
        return sum((i.amount for i in self.instalments), Decimal("0"))


@attrs.frozen(kw_only=True)
class Dispute(Event):
    """The client disputes the invoice: the chase stops until :class:`DisputeResolved`."""

    kind: ClassVar[str] = "dispute"

    invoice_number: str = attrs.field(validator=_line())
    reason: str = attrs.field(validator=_line())


@attrs.frozen(kw_only=True)
class DisputeResolved(Event):
    """The dispute on the invoice is settled: the chase resumes where it stopped."""

    kind: ClassVar[str] = "resolution"

    invoice_number: str = attrs.field(validator=_line())


@attrs.frozen(kw_only=True)
class Hold(Event):
    """Nothing is sent about the invoice (or to the client) through ``until`` inclusive."""

    kind: ClassVar[str] = "hold"

    until: dt.date = attrs.field(validator=_date)
    invoice_number: str | None = attrs.field(default=None, validator=_line(required=False))
    client_id: str | None = attrs.field(default=None, validator=_line(required=False))

    def __attrs_post_init__(self) -> None:
        _one_target(self)


@attrs.frozen(kw_only=True)
class HoldReleased(Event):
    """The holds on the invoice (or the client) placed before this end now."""

    kind: ClassVar[str] = "release"

    invoice_number: str | None = attrs.field(default=None, validator=_line(required=False))
    client_id: str | None = attrs.field(default=None, validator=_line(required=False))

    def __attrs_post_init__(self) -> None:
        _one_target(self)


def _call_result(value: object) -> CallResult:
    if isinstance(value, CallResult):
        return value
    try:
        return CallResult(value)
    except (ValueError, TypeError):
        words = ", ".join(member.value for member in CallResult)
        raise InvalidFieldError(
            f"must be one of {words}", field="CallOutcome.result", value=value
        ) from None


@attrs.frozen(kw_only=True)
class CallOutcome(Event):
    """What the call of a recorded action (its key) gave."""

    kind: ClassVar[str] = "outcome"

    action_key: str = attrs.field(validator=_line())
    result: CallResult = attrs.field(converter=_call_result)


@attrs.frozen(kw_only=True)
class Cancellation(Event):
    """Undo a recorded action (its key), with why: its steps count as not done from ``on``
    (the engine plans them again, under a new action key)."""

    kind: ClassVar[str] = "cancellation"

    action_key: str = attrs.field(validator=_line())
    why: str = attrs.field(validator=_line())


_KINDS: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        PromiseToPay,
        InstalmentPlan,
        Dispute,
        DisputeResolved,
        Hold,
        HoldReleased,
        CallOutcome,
        Cancellation,
    )
}


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """The event :meth:`Event.to_dict` wrote (as a journal stores it)."""
    if not isinstance(data, Mapping):
        raise InvalidFieldError("must be a mapping", field="event", value=data)
    kind = _KINDS.get(data.get("kind"))  # type: ignore[arg-type]
    if kind is None:
        words = ", ".join(sorted(_KINDS))
        raise InvalidFieldError(
            f"must be one of {words}", field="event.kind", value=data.get("kind")
        )
    values: dict[str, Any] = {}
    for field in attrs.fields(kind):
        if field.name not in data:
            continue
        raw = data[field.name]
        values[field.name] = _field_value(field.name, raw)
    try:
        return kind(**values)
    except TypeError as exc:
        raise InvalidFieldError(str(exc), field="event", value=dict(data)) from None


_DATE_FIELDS = frozenset({"on", "until"})


def _field_value(name: str, raw: Any) -> Any:
    if raw is None:
        return None
    if name in _DATE_FIELDS:
        return _iso(raw, f"event.{name}")
    if name == "amount":
        return Decimal(str(raw))
    if name == "instalments":
        return tuple(
            Instalment(_iso(part.get("due"), "event.instalments"), Decimal(str(part.get("amount"))))
            for part in raw
        )
    return raw


def _iso(raw: object, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise InvalidFieldError("must be an ISO date", field=field, value=raw) from None


@attrs.frozen
class EventIndex:
    """The events a journal held on a day, indexed for the engine: per invoice and per
    client (each oldest first), and the cancelled action keys."""

    by_invoice: Mapping[str, tuple[Event, ...]] = attrs.field(factory=dict)
    by_client: Mapping[str, tuple[Event, ...]] = attrs.field(factory=dict)
    cancelled: frozenset[str] = frozenset()
    outcomes: Mapping[str, tuple[CallOutcome, ...]] = attrs.field(factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_invoice or self.by_client or self.cancelled or self.outcomes)

    @classmethod
    def of(cls, events: Iterable[Event], as_of: dt.date | None = None) -> EventIndex:
        """Index ``events`` dated on or before ``as_of`` (all when None), in date order
        (events of one day in the order given)."""
        chosen = [e for e in events if as_of is None or e.on <= as_of]
        chosen.sort(key=lambda e: e.on)
        by_invoice: dict[str, list[Event]] = {}
        by_client: dict[str, list[Event]] = {}
        outcomes: dict[str, list[CallOutcome]] = {}
        cancelled: set[str] = set()
        for event in chosen:
            if isinstance(event, Cancellation):
                cancelled.add(event.action_key)
            elif isinstance(event, CallOutcome):
                outcomes.setdefault(event.action_key, []).append(event)
            else:
                for number in event.invoice_numbers:
                    by_invoice.setdefault(number, []).append(event)
                client_id = getattr(event, "client_id", None)
                if client_id is not None:
                    by_client.setdefault(client_id, []).append(event)
        return cls(
            {k: tuple(v) for k, v in by_invoice.items()},
            {k: tuple(v) for k, v in by_client.items()},
            frozenset(cancelled),
            {k: tuple(v) for k, v in outcomes.items()},
        )
