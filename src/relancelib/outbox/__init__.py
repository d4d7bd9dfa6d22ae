"""Carrying a plan out: claim each action in the journal, write or send it, then confirm.

:func:`carry_out` takes the day's actions and returns a :class:`CarryOutResult`: one
:class:`Written`, :class:`NotWritten` or :class:`Uncertain` outcome per action, in order,
each also handed to a ``progress`` callback as soon as it is known, and the claims left open
by earlier runs that it resolved.  An action is claimed before anything leaves and recorded
only once its file is on disk or its e-mail accepted; one that cannot be rendered, written or
sent is released and stays due.  See "Carrying a plan out (outbox)" in the design and
``docs/reliability.md``.

Modules: ``carry`` (:func:`carry_out`, :func:`resolve_claims`: the protocol), ``results``
(the outcomes), ``files`` (file names, atomic no-clobber writing), ``payload`` (the bytes of
a message per channel), ``senders`` (the :class:`Sender` protocol, the folder writer, the
delivery errors), ``smtp`` (:class:`SmtpSender`), ``workers`` (rendering in several
processes: ``carry_out(..., jobs=N)``), ``evidence`` (the dossier of a client).
"""

from __future__ import annotations

from relancelib.outbox.carry import carry_out, resolve_claims
from relancelib.outbox.files import file_name, write_atomically
from relancelib.outbox.payload import Payload, render_payload
from relancelib.outbox.results import (
    CarryOutResult,
    NotWritten,
    Outcome,
    Resolved,
    Uncertain,
    Written,
)
from relancelib.outbox.senders import (
    DeliveryError,
    FileSender,
    PermanentFailure,
    Sender,
    TemporaryFailure,
    UncertainDelivery,
)
from relancelib.outbox.smtp import SmtpSender, envelope_address

__all__ = [
    "CarryOutResult",
    "DeliveryError",
    "FileSender",
    "NotWritten",
    "Outcome",
    "Payload",
    "PermanentFailure",
    "Resolved",
    "Sender",
    "SmtpSender",
    "TemporaryFailure",
    "Uncertain",
    "UncertainDelivery",
    "Written",
    "carry_out",
    "envelope_address",
    "file_name",
    "render_payload",
    "resolve_claims",
    "write_atomically",
]
