"""How a claimed message leaves: the :class:`Sender` protocol and the folder writer.

A sender delivers a message to a *target* (a string the claim stores: ``file:<path>`` or
``smtp:<path>``) and, after a crash, tells what it can about a claim left open: delivered,
not delivered, or unknown.  An idempotent sender may simply deliver again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from relancelib.errors import RelanceError
from relancelib.journal import Claim
from relancelib.outbox.files import file_digest, write_atomically
from relancelib.outbox.payload import Payload

__all__ = [
    "DeliveryError",
    "FileSender",
    "PermanentFailure",
    "Sender",
    "TemporaryFailure",
    "UncertainDelivery",
    "split_target",
]


class DeliveryError(RelanceError):
    """A message could not be delivered."""

    default_message = "delivery failed"


class PermanentFailure(DeliveryError):
    """Refused for good (an SMTP 5xx): nothing left; the action stays due, said per action."""


class TemporaryFailure(DeliveryError):
    """Not delivered, worth trying later (an SMTP 4xx, a refused connection, a timeout
    before the message was sent); nothing left."""


class UncertainDelivery(DeliveryError):
    """The message may or may not have left (the connection dropped after its data was
    sent): a person checks, then confirms or cancels the claim."""


def split_target(target: str) -> tuple[str, Path]:
    """``("file", path)`` or ``("smtp", path)`` from a claim's target."""
    via, _, path = target.partition(":")
    return via, Path(path)


@runtime_checkable
class Sender(Protocol):
    """What carries one message out."""

    #: How the target says it: ``file`` or ``smtp``.
    via: str
    #: True when delivering twice is harmless (same name, same Message-ID), so a claim
    #: whose fate is unknown is simply delivered again.
    idempotent: bool

    def deliver(self, payload: Payload, path: Path, recipients: tuple[str, ...]) -> None:
        """Deliver ``payload`` (its copy written at ``path``); raise a
        :class:`DeliveryError` subclass when it could not."""
        ...

    def check(self, claim: Claim) -> bool | None:
        """Whether an open claim's message was delivered: True, False, or None (cannot tell)."""
        ...


class FileSender:
    """Writes each message into a folder (atomically, never over another file).

    Idempotent and checkable: a claim whose file is on disk with the claimed bytes was
    delivered; one without was not.
    """

    via = "file"
    idempotent = True

    def deliver(self, payload: Payload, path: Path, recipients: tuple[str, ...]) -> None:
        """Write ``payload`` at ``path``."""
        write_atomically(path, payload.data)

    def check(self, claim: Claim) -> bool | None:
        """True when the claimed file is on disk with the claimed bytes."""
        _via, path = split_target(claim.target)
        found = file_digest(path)
        return found is not None and (claim.digest is None or found == claim.digest)
