"""A :class:`Record`: one action carried out, as a journal stores it, and the checks of what
``record()`` is given."""

from __future__ import annotations

import datetime as dt

import attrs

from relancelib.checks import check_date, check_instance, check_single_line
from relancelib.engine import Action
from relancelib.errors import InvalidFieldError
from relancelib.policy import Channel

__all__ = ["Record", "check_client_id", "check_record_args", "record_of"]


@attrs.frozen
class Record:
    """One action carried out: what was done, for whom, when, how, with which reference.

    ``steps`` holds the (invoice number, step key) pairs the action covered; ``step`` is
    the action's own (most advanced) step key, which chose the channel and template.
    """

    key: str
    client_id: str
    steps: tuple[tuple[str, str], ...]
    on: dt.date
    channel: Channel
    reference: str | None = None
    step: str | None = attrs.field(default=None, kw_only=True)

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        """The invoices the action covered."""
        return tuple(number for number, _step in self.steps)


def check_client_id(value: object) -> str | None:
    """A client id (a string) or ``None``: the filter of ``records(client_id)``."""
    if value is not None and not isinstance(value, str):
        raise InvalidFieldError(
            "must be a client id (a string) or None", field="client_id", value=value
        )
    return value


def check_record_args(
    action: object, on: object, reference: object
) -> tuple[Action, dt.date, str | None]:
    """The checked arguments of ``Journal.record``: an Action, a date, a single-line reference
    (a Message-ID, an LRAR number) — the same line rule as every other reference."""
    checked = check_instance(action, Action, "action", what="an Action from relancelib.plan()")
    when = check_date(checked.on if on is None else on, "on")
    line = None
    if reference is not None:
        line = check_single_line(reference, "reference", what="text (a Message-ID, an LRAR number)")
    return checked, when, line


def record_of(action: Action, on: dt.date, reference: str | None) -> Record:
    """The record of ``action`` carried out on ``on``."""
    return Record(
        action.key,
        action.client.id,
        action.steps,
        on,
        action.channel,
        reference,
        step=action.step.key,
    )
