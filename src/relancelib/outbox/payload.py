"""The bytes of an action's message, as its channel stores it: an e-mail, a letter, a script."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from relancelib.engine import Action
from relancelib.journal import Record
from relancelib.model import Creditor
from relancelib.policy import Channel
from relancelib.rendering import render

if TYPE_CHECKING:
    from relancelib.rendering import TemplatesLike

__all__ = ["Payload", "render_payload"]


@attrs.frozen
class Payload:
    """A rendered message ready to leave: its bytes, and the Message-ID and recipients of
    an e-mail."""

    data: bytes
    message_id: str | None = None
    recipients: tuple[str, ...] = ()


def render_payload(
    action: Action,
    creditor: Creditor,
    *,
    templates: TemplatesLike = None,
    calendar: str = "FR",
    credits: Any = None,
    history: Sequence[Record] = (),
) -> Payload:
    """Render ``action``: an e-mail as a MIME message (.eml), a letter as a PDF, a call or an
    SMS as its UTF-8 script.  ``credits`` (the client's available credit) and ``history``
    (its records, listed by the handover file) go to :func:`~relancelib.rendering.render`."""
    message = render(
        action, creditor, templates=templates, calendar=calendar, credits=credits, history=history
    )
    channel = action.channel
    if channel is Channel.EMAIL:
        return Payload(message.to_email().as_bytes(), message.message_id, (message.recipient,))
    if channel.is_postal:
        return Payload(message.to_pdf())
    return Payload(message.text.encode("utf-8"))
