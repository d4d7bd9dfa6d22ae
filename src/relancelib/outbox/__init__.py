"""Carrying a plan out: each action rendered, written to a folder, then recorded.

:func:`carry_out` takes the day's actions and returns a :class:`CarryOutResult`: one
:class:`Written` or :class:`NotWritten` outcome per action, in order, each also handed to a
``progress`` callback as soon as it is known.  An action is recorded in the journal only
once its file is on disk; one that cannot be rendered or written records nothing and stays
due.  See "Carrying a plan out (outbox)" in the design.

Modules: ``carry`` (:func:`carry_out`, the protocol), ``results`` (the outcomes),
``files`` (file names, atomic writing), ``payload`` (the bytes of a message per channel).
"""

from __future__ import annotations

from relancelib.outbox.carry import carry_out
from relancelib.outbox.files import file_name, write_atomically
from relancelib.outbox.payload import Payload, render_payload
from relancelib.outbox.results import CarryOutResult, NotWritten, Outcome, Written

__all__ = [
    "CarryOutResult",
    "NotWritten",
    "Outcome",
    "Payload",
    "Written",
    "carry_out",
    "file_name",
    "render_payload",
    "write_atomically",
]
