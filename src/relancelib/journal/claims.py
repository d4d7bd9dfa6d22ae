"""Claims and amendments: what a journal holds besides records.

A :class:`Claim` says "this action is being written or sent, as this reference, to this
target" — it is stored *before* anything leaves and closed by ``confirm`` (which records
the action) or ``release`` (nothing left; the action stays due).  An :class:`Amendment`
adds to a record after the fact (the LRAR number, the date of the signed receipt) without
overwriting it.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Sequence
from typing import Any

import attrs

from relancelib.checks import check_date, check_single_line
from relancelib.engine import Action
from relancelib.errors import InvalidFieldError
from relancelib.journal.record import Record
from relancelib.policy import Channel

__all__ = [
    "Amendment",
    "Claim",
    "ClaimState",
    "ClaimStatus",
    "amendment_fields",
    "check_key",
    "claim_fields",
    "claim_from_row",
    "claim_of",
    "record_fields",
    "record_from_fields",
]


class ClaimStatus(enum.Enum):
    """What ``claim()`` found: the action is now claimed by this call (``CLAIMED``), an
    earlier claim is still open (``PENDING``: resolve it), or it is already recorded."""

    CLAIMED = "claimed"
    PENDING = "pending"
    RECORDED = "recorded"


class ClaimState(enum.Enum):
    """The state of a stored claim."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    RELEASED = "released"


@attrs.frozen
class Claim:
    """An action claimed before it is written or sent: its record-to-be, the reference it
    leaves with (Message-ID or file name), where it goes (``target``: a file path, or
    ``smtp:<host>``), the SHA-256 of its bytes, the attempt number and the state."""

    record: Record
    target: str
    digest: str | None
    attempt: int = 1
    state: ClaimState = ClaimState.PENDING

    @property
    def key(self) -> str:
        """The action's key."""
        return self.record.key


@attrs.frozen
class Amendment:
    """An addition to a recorded action: an LRAR number, the date its receipt was signed,
    a new reference, a note.  Journals keep every amendment, oldest first."""

    key: str
    on: dt.date
    lrar: str | None = None
    receipt: dt.date | None = None
    reference: str | None = None
    note: str | None = None


def check_key(value: object) -> str:
    """An action key: one line of text."""
    return check_single_line(value, "key", what="an action key")


def _line(value: object, field: str) -> str | None:
    return None if value is None else check_single_line(value, field)


def check_amendment(
    key: object,
    on: object,
    lrar: object,
    receipt: object,
    reference: object,
    note: object,
) -> Amendment:
    """The checked arguments of ``amend()``."""
    amendment = Amendment(
        check_key(key),
        check_date(on, "on"),
        _line(lrar, "lrar"),
        None if receipt is None else check_date(receipt, "receipt"),
        _line(reference, "reference"),
        _line(note, "note"),
    )
    if (amendment.lrar, amendment.receipt, amendment.reference, amendment.note) == (None,) * 4:
        raise InvalidFieldError(
            "says nothing to add (an LRAR number, a receipt date...)", field="amend"
        )
    return amendment


def claim_of(action: Action, on: dt.date, reference: str, target: str, digest: str | None) -> Claim:
    """The claim of ``action`` (carried out on ``on``)."""
    record = Record(
        action.key,
        action.client.id,
        action.steps,
        on,
        action.channel,
        check_single_line(reference, "reference"),
        step=action.step.key,
    )
    return Claim(record, check_single_line(target, "target"), digest)


def record_fields(record: Record) -> dict[str, Any]:
    """The fields a chain entry keeps of a record."""
    return {
        "client_id": record.client_id,
        "steps": [list(pair) for pair in record.steps],
        "on": record.on.isoformat(),
        "channel": record.channel.value,
        "reference": record.reference,
        "step": record.step,
    }


def record_from_fields(key: str, fields: dict[str, Any]) -> Record:
    """The record a chain entry describes (raises on malformed fields)."""
    return Record(
        key,
        str(fields["client_id"]),
        tuple((str(n), str(s)) for n, s in fields["steps"]),
        dt.date.fromisoformat(fields["on"]),
        Channel(fields["channel"]),
        fields["reference"],
        step=fields["step"],
    )


def claim_fields(claim: Claim) -> dict[str, Any]:
    """The fields a chain entry keeps of a claim."""
    return {
        **record_fields(claim.record),
        "target": claim.target,
        "digest": claim.digest,
        "attempt": claim.attempt,
    }


def amendment_fields(amendment: Amendment) -> dict[str, Any]:
    """The fields a chain entry keeps of an amendment."""
    return {
        "on": amendment.on.isoformat(),
        "lrar": amendment.lrar,
        "receipt": None if amendment.receipt is None else amendment.receipt.isoformat(),
        "reference": amendment.reference,
        "note": amendment.note,
    }


def claim_from_row(row: Sequence[Any]) -> Claim | None:
    """A row of a store's ``claims`` table — (key, client_id, step, on_date, channel, steps
    as JSON, reference, target, digest, attempt, state), ``on_date`` a date or its ISO
    text — as a :class:`Claim`; None for a row edited by hand into something that is not one."""
    key, client, step, on, channel, steps, reference, target, digest, attempt, state = row
    try:
        record = Record(
            key,
            client,
            tuple((str(n), str(s)) for n, s in json.loads(steps)),
            on if isinstance(on, dt.date) else dt.date.fromisoformat(on),
            Channel(channel),
            reference,
            step=step,
        )
        return Claim(record, target, digest, int(attempt), ClaimState(state))
    except (TypeError, ValueError):
        return None
