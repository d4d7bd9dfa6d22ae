"""The handover file (*dossier de recouvrement contentieux*): what the journal says was sent.

:func:`~relancelib.rendering.render` gives the ``remise_contentieux`` template the client's
records (``history``: what was sent, when, through which channel, with which reference) and
the last formal notice (``notice``: the last registered letter).  The file is written for a
lawyer, a court (*injonction de payer*) or a collection agency: it is not addressed to the
client, so a client without a postal address still gets one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from relancelib import law
from relancelib.engine import Action
from relancelib.journal import Record
from relancelib.model import Client
from relancelib.policy import Channel
from relancelib.rendering.letters import address_lines

__all__ = ["dossier_recipient", "history_lines", "last_notice", "prescriptions"]


def dossier_recipient(client: Client) -> tuple[str, list[str]]:
    """Whom the handover file is about: the debtor's postal block (its name alone when no
    address is known)."""
    lines = [client.name] if client.address is None else address_lines(client.name, client.address)
    return "\n".join(lines), lines


def history_lines(records: Sequence[Record]) -> tuple[Record, ...]:
    """The records a handover file lists, oldest first (the same day in the order given)."""
    return tuple(sorted(records, key=lambda record: record.on))


def last_notice(records: Sequence[Record]) -> Record | None:
    """The last formal notice among ``records``: the last one sent by registered letter."""
    notices = [r for r in records if r.channel is Channel.REGISTERED_LETTER]
    return max(notices, key=lambda record: record.on) if notices else None


def prescriptions(action: Action) -> dict[str, dt.date]:
    """The last day of each invoice's limitation period (:func:`relancelib.law.prescription_date`):
    a formal notice does not interrupt it, a court claim does."""
    return {
        item.invoice.number: law.prescription_date(item.invoice, action.client)
        for item in action.items
    }
