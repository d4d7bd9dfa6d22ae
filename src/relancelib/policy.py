"""Reminder policies: the ordered steps of an escalation and the rules between them.

A :class:`ReminderPolicy` is data: a name, an ordered tuple of :class:`Step` and a few
rules (minimum gap between two actions for a client, minimum balance worth chasing,
business days only and which holiday calendar).  :meth:`ReminderPolicy.french_default`
is the calendar a careful French accounts-receivable team follows.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from relancelib.checks import check_bool, check_decimal, check_sequence, check_text, validator
from relancelib.errors import InvalidFieldError
from relancelib.workdays import Calendar, check_calendar_code

if TYPE_CHECKING:
    from relancelib.model import Client

__all__ = ["Channel", "ReminderPolicy", "SegmentPolicies", "Step", "policy_chooser"]


class Channel(enum.Enum):
    """How an action reaches the client."""

    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"
    LETTER = "letter"
    REGISTERED_LETTER = "registered_letter"

    @property
    def is_postal(self) -> bool:
        """True for the channels that print a letter (simple or registered)."""
        return self in (Channel.LETTER, Channel.REGISTERED_LETTER)

    @property
    def contact_field(self) -> str:
        """The :class:`~relancelib.model.Client` field this channel needs: ``"email"``,
        ``"phone"`` or ``"address"``."""
        return _CONTACT[self][0]

    @property
    def contact_label(self) -> str:
        """What that field holds, in words: ``"e-mail address"``, ``"telephone number"``…"""
        return _CONTACT[self][1]


_CONTACT = {
    Channel.EMAIL: ("email", "e-mail address"),
    Channel.PHONE: ("phone", "telephone number"),
    Channel.SMS: ("phone", "telephone number"),
    Channel.LETTER: ("address", "postal address"),
    Channel.REGISTERED_LETTER: ("address", "postal address"),
}


_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def _check_key(_inst: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, str) or not _KEY.match(value):
        raise InvalidFieldError(
            "must be a lower-case identifier such as 'relance_1' (letters, digits, '_' and '-')",
            field="Step.key",
            value=value,
        )


def _check_offset(_inst: Any, _attr: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 3650:
        raise InvalidFieldError(
            "must be a whole number of days between -3650 and 3650",
            field="Step.offset_days",
            value=value,
        )


def _check_channel(_inst: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, Channel):
        raise InvalidFieldError("must be a Channel", field="Step.channel", value=value)


def _check_template(_inst: Any, _attr: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not _KEY.match(value)):
        raise InvalidFieldError(
            "must be a template name such as 'relance_1'", field="Step.template", value=value
        )


def _fallback(value: Any) -> tuple[Channel, ...]:
    channels = check_sequence(value, Channel, "Step.fallback")
    if len(set(channels)) != len(channels):
        raise InvalidFieldError("names a channel twice", field="Step.fallback", value=channels)
    return channels


def _check_flag(field: str) -> Any:
    return validator(check_bool, field)


@attrs.frozen
class Step:
    """One step of an escalation.

    ``offset_days`` counts from the invoice's due date (negative: before it).  ``template``
    names the template that writes it (default: the step's ``key``).  Steps with
    ``include_penalties=True`` carry the late-payment penalties and the recovery indemnity.
    ``fallback`` lists the channels tried, in order, when the client lacks the contact
    ``channel`` needs (an e-mail step without an e-mail address goes by letter); the engine
    reports each fallback as a warning.
    """

    key: str = attrs.field(validator=_check_key)
    offset_days: int = attrs.field(validator=_check_offset)
    channel: Channel = attrs.field(validator=_check_channel)
    template: str | None = attrs.field(default=None, kw_only=True, validator=_check_template)
    include_penalties: bool = attrs.field(
        default=False, kw_only=True, validator=_check_flag("Step.include_penalties")
    )
    fallback: tuple[Channel, ...] = attrs.field(default=(), kw_only=True, converter=_fallback)

    @fallback.validator
    def _check_fallback(self, _attr: Any, value: tuple[Channel, ...]) -> None:
        if self.channel in value:
            raise InvalidFieldError(
                f"names the step's own channel {self.channel.value!r}",
                field="Step.fallback",
                value=value,
            )

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The step's channel then its fallbacks: the order in which they are tried."""
        return (self.channel, *self.fallback)

    def channel_for(self, client: Client) -> Channel | None:
        """The first of :attr:`channels` the client has the contact for, else ``None``."""
        for channel in (self.channel, *self.fallback):
            if getattr(client, channel.contact_field) is not None:
                return channel
        return None

    @property
    def template_name(self) -> str:
        """The name of the template that writes this step."""
        return self.template or self.key

    @property
    def is_formal_notice(self) -> bool:
        """True for a step sent by registered letter: the *mise en demeure* (Code civil 1344)."""
        return self.channel is Channel.REGISTERED_LETTER


def _steps(value: Any) -> tuple[Step, ...]:
    return check_sequence(value, Step, "ReminderPolicy.steps")


def _check_name(_inst: Any, _attr: Any, value: Any) -> None:
    check_text(value, "ReminderPolicy.name")


def _check_gap(_inst: Any, _attr: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 366:
        raise InvalidFieldError(
            "must be a whole number of days from 1 to 366 (one action a day at most)",
            field="ReminderPolicy.min_gap_days",
            value=value,
        )


def _min_balance(value: Any) -> Decimal:
    amount = check_decimal(value, "ReminderPolicy.min_balance")
    if amount < 0:
        raise InvalidFieldError(
            "must be an amount of zero or more", field="ReminderPolicy.min_balance", value=value
        )
    return amount


#: What follows a formal notice (DESIGN.md "Events beyond sending").
AFTER_FORMAL_NOTICE = ("continue", "quiet", "handover")


def _check_after_notice(_inst: Any, _attr: Any, value: Any) -> None:
    if value not in AFTER_FORMAL_NOTICE:
        raise InvalidFieldError(
            f"must be one of {', '.join(AFTER_FORMAL_NOTICE)}",
            field="ReminderPolicy.after_formal_notice",
            value=value,
        )


def _check_count(field: str, low: int, high: int) -> Any:
    def check(_inst: Any, _attr: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidFieldError(
                f"must be a whole number from {low} to {high}", field=field, value=value
            )

    return check


def _calendar_code(value: Any) -> str:
    return check_calendar_code(value, field="ReminderPolicy.holidays")


@attrs.frozen
class ReminderPolicy:
    """An escalation: ordered steps and the rules that space them.

    ``min_gap_days`` is the least number of days between two actions for the same
    client (at least 1: one action a day at most); ``min_balance`` the balance an
    invoice must exceed to be chased; with ``business_days_only`` nothing is planned on
    weekends and on the public holidays of the ``holidays`` calendar (``"FR"``,
    ``"FR-57"``, ``"FR-67"``, ``"FR-68"``, overseas codes such as ``"FR-974"``...).
    Steps must have unique keys and strictly increasing offsets.

    The collections workflow (:mod:`relancelib.events`): a promise to pay pauses an invoice
    until the promised date plus ``promise_grace_days`` business days; an instalment plan
    missed ``instalment_breaks`` times ends; ``after_formal_notice`` says what follows a
    formal notice: ``"continue"`` (the default: the escalation goes on), ``"quiet"`` (no
    other action for that client until the notice's deadline has passed) or ``"handover"``
    (quiet, then one :attr:`handover_step` action if the notice's invoices are still
    unpaid, and nothing more for that client until a person resumes it with
    :class:`~relancelib.events.HoldReleased`).
    """

    name: str = attrs.field(validator=_check_name)
    steps: tuple[Step, ...] = attrs.field(converter=_steps)
    min_gap_days: int = attrs.field(default=5, kw_only=True, validator=_check_gap)
    min_balance: Decimal = attrs.field(default=Decimal("0"), kw_only=True, converter=_min_balance)
    business_days_only: bool = attrs.field(
        default=True, kw_only=True, validator=_check_flag("ReminderPolicy.business_days_only")
    )
    holidays: str = attrs.field(default="FR", kw_only=True, converter=_calendar_code)
    after_formal_notice: str = attrs.field(
        default="continue", kw_only=True, validator=_check_after_notice
    )
    promise_grace_days: int = attrs.field(
        default=2, kw_only=True, validator=_check_count("ReminderPolicy.promise_grace_days", 0, 60)
    )
    instalment_breaks: int = attrs.field(
        default=2, kw_only=True, validator=_check_count("ReminderPolicy.instalment_breaks", 1, 99)
    )
    _index: Mapping[str, int] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _notices: frozenset[str] = attrs.field(init=False, eq=False, hash=False, repr=False)

    @steps.validator
    def _check_steps(self, _attr: Any, steps: tuple[Step, ...]) -> None:
        if not steps:
            raise InvalidFieldError(
                "must hold at least one step", field="ReminderPolicy.steps", value=steps
            )
        seen: set[str] = set()
        previous: Step | None = None
        for step in steps:
            if step.key in seen:
                raise InvalidFieldError(
                    "appears twice", field="ReminderPolicy.steps", value=step.key
                )
            if previous is not None and step.offset_days <= previous.offset_days:
                raise InvalidFieldError(
                    f"is out of order: offset {step.offset_days} must be after "
                    f"{previous.key!r} (offset {previous.offset_days})",
                    field="ReminderPolicy.steps",
                    value=step.key,
                )
            seen.add(step.key)
            previous = step

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", {step.key: i for i, step in enumerate(self.steps)})
        notices = frozenset(step.key for step in self.steps if step.is_formal_notice)
        object.__setattr__(self, "_notices", notices)

    @property
    def handover_step(self) -> Step:
        """The step of the handover action (``after_formal_notice="handover"``): the
        litigation file for a lawyer, a court (*injonction de payer*) or a collection
        agency, written as a file like a letter; it is not one of :attr:`steps`."""
        return HANDOVER_STEP

    @property
    def calendar(self) -> Calendar:
        """The business-day calendar named by ``holidays``."""
        return Calendar.for_code(self.holidays)

    @property
    def notice_keys(self) -> frozenset[str]:
        """The keys of the formal-notice steps (computed once, at construction)."""
        return self._notices

    @property
    def positions(self) -> Mapping[str, int]:
        """Each step key's position in the escalation (computed once, at construction)."""
        return self._index

    def index(self, key: str) -> int:
        """The position of the step ``key`` in the escalation (raises for an unknown key)."""
        try:
            return self._index[key]
        except KeyError:
            raise InvalidFieldError(
                f"is not a step of policy {self.name!r}", field="step key", value=key
            ) from None

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def step(self, key: str) -> Step:
        """The step named ``key``."""
        return self.steps[self.index(key)]

    def step_after(self, key: str | None) -> Step | None:
        """The step that follows ``key`` (the first step for ``None``; ``None`` after the last)."""
        position = 0 if key is None else self.index(key) + 1
        return self.steps[position] if position < len(self.steps) else None

    @classmethod
    def french_default(cls, **overrides: Any) -> ReminderPolicy:
        """The default French calendar of reminders.

        ======================  ======  ===================  ================================
        key                     offset  channel              notes
        ======================  ======  ===================  ================================
        ``courtoisie``          −5      EMAIL                friendly heads-up before due date
        ``relance_1``           +1      EMAIL                courteous first reminder
        ``appel``               +8      PHONE                call script
        ``relance_2``           +15     EMAIL                firmer, payment solutions
        ``lettre_relance``      +30     LETTER               postal reminder, penalties shown
        ``mise_en_demeure``     +45     REGISTERED_LETTER    formal notice (LRAR), 8-day deadline
        ======================  ======  ===================  ================================

        A client without an e-mail address gets the e-mail steps by letter; the call falls back
        to an e-mail, then a letter (``Step.fallback``): no escalation stalls on a missing
        contact.  Keyword arguments override the policy's rules (``min_gap_days=7``,
        ``holidays="FR-67"``).
        """
        letter = (Channel.LETTER,)
        steps = (
            Step("courtoisie", -5, Channel.EMAIL, fallback=letter),
            Step("relance_1", 1, Channel.EMAIL, fallback=letter),
            Step("appel", 8, Channel.PHONE, fallback=(Channel.EMAIL, Channel.LETTER)),
            Step("relance_2", 15, Channel.EMAIL, fallback=letter),
            Step("lettre_relance", 30, Channel.LETTER, include_penalties=True),
            Step("mise_en_demeure", 45, Channel.REGISTERED_LETTER, include_penalties=True),
        )
        return cls("french_default", steps, **overrides)


def _read_only(value: object) -> Mapping[str, ReminderPolicy]:
    if not isinstance(value, Mapping):
        raise InvalidFieldError(
            "must be a mapping of segment names to ReminderPolicy",
            field="SegmentPolicies.segments",
            value=value,
        )
    for name, policy in value.items():
        check_text(name, "SegmentPolicies.segments")
        if not isinstance(policy, ReminderPolicy):
            raise InvalidFieldError(
                f"must map {name!r} to a ReminderPolicy",
                field="SegmentPolicies.segments",
                value=policy,
            )
    return MappingProxyType(dict(value))


def _check_default(_inst: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, ReminderPolicy):
        raise InvalidFieldError(
            "must be a ReminderPolicy", field="SegmentPolicies.default", value=value
        )


@attrs.frozen
class SegmentPolicies:
    """A callable ``Client -> ReminderPolicy``: the client's segment's policy, else ``default``.

    Pass it to :func:`relancelib.plan` as ``policy``.  The same policy object is returned
    for every client of a segment, so the engine works out each policy's day once.
    """

    default: ReminderPolicy = attrs.field(validator=_check_default)
    segments: Mapping[str, ReminderPolicy] = attrs.field(factory=dict, converter=_read_only)

    def __call__(self, client: Client) -> ReminderPolicy:
        return self.segments.get(client.segment, self.default)

    def policies(self) -> tuple[ReminderPolicy, ...]:
        """The default policy then the segments' policies, in segment order."""
        return (self.default, *(self.segments[name] for name in sorted(self.segments)))


def policy_chooser(policy: object) -> Callable[[Client], ReminderPolicy]:
    """The policy of each client from a :class:`ReminderPolicy` (the same for all) or a
    callable ``Client -> ReminderPolicy`` (checked on each call)."""
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


#: The handover of a client's unpaid invoices after a formal notice (see
#: ``ReminderPolicy.after_formal_notice``).
HANDOVER_STEP = Step(
    "remise_contentieux",
    0,
    Channel.LETTER,
    template="remise_contentieux",
    include_penalties=True,  # the file states penalties and indemnities to date
)
