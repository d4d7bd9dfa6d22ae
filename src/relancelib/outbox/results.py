"""What carrying out a plan did, action by action: written (and recorded), or not written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeAlias

import attrs

from relancelib.engine import Action
from relancelib.journal import Claim

__all__ = [
    "CarryOutResult",
    "NotWritten",
    "Outcome",
    "Resolved",
    "Uncertain",
    "Written",
    "describe_error",
    "one_line",
]


@attrs.frozen
class Written:
    """An action whose message was written: where, its reference, and whether this run
    recorded it (``False`` in a dry run and for the channels left to a person)."""

    action: Action
    path: Path
    #: What the journal records as proof: the e-mail's Message-ID, else the file name.
    reference: str
    recorded: bool
    #: How it left: ``file`` (written into the folder) or ``smtp`` (sent, its copy kept).
    via: str = attrs.field(default="file", kw_only=True)


@attrs.frozen
class NotWritten:
    """An action that could not be rendered or written: nothing was recorded for it."""

    action: Action
    reason: str
    #: False when another run recorded the action meanwhile: it is done, not due.
    stays_due: bool = True


@attrs.frozen
class Uncertain:
    """A claimed message that may or may not have left (an SMTP connection dropped after
    its data was sent, or an earlier run stopped in the middle of sending it): nothing is
    sent again until a person checks, then runs ``relance claim confirm KEY`` (it was
    received) or ``relance claim cancel KEY`` (it was not: the next run sends it)."""

    claim: Claim
    reason: str

    @property
    def key(self) -> str:
        """The action's key."""
        return self.claim.key


@attrs.frozen
class Resolved:
    """A claim left open by an earlier run, resolved at the start of this one:
    ``confirmed`` (its file is on disk: recorded), ``released`` (no file: it stays due),
    ``resent`` (delivered again with the same name or Message-ID, then recorded)."""

    claim: Claim
    outcome: str


#: What happened to one action.
Outcome: TypeAlias = Written | NotWritten | Uncertain


@attrs.frozen
class CarryOutResult:
    """What :func:`~relancelib.outbox.carry_out` did: one outcome per action, in the order
    of the actions; ``dry_run`` when no journal was given (nothing was recorded)."""

    out: Path
    outcomes: tuple[Outcome, ...]
    dry_run: bool
    #: Claims left open by earlier runs and what this run made of them.
    resolved: tuple[Resolved, ...] = attrs.field(default=(), kw_only=True)
    #: Open claims nobody can settle automatically (an SMTP send interrupted), earlier
    #: runs' and this run's: a person confirms or cancels each.
    uncertain: tuple[Uncertain, ...] = attrs.field(default=(), kw_only=True)

    @property
    def written(self) -> tuple[Written, ...]:
        """The actions whose message is on disk."""
        return tuple(o for o in self.outcomes if isinstance(o, Written))

    @property
    def failed(self) -> tuple[NotWritten, ...]:
        """The actions with no message on disk (and no record from this run)."""
        return tuple(o for o in self.outcomes if isinstance(o, NotWritten))

    @property
    def recorded(self) -> tuple[Written, ...]:
        """The written actions this run recorded in the journal."""
        return tuple(o for o in self.written if o.recorded)

    @property
    def to_record(self) -> tuple[Written, ...]:
        """The written actions a person records once done (``manual`` channels); none in a
        dry run, where nothing is recorded."""
        return () if self.dry_run else tuple(o for o in self.written if not o.recorded)

    @property
    def still_due(self) -> tuple[NotWritten, ...]:
        """The actions that could not be written and stay due (the next run tries again)."""
        return tuple(o for o in self.failed if o.stays_due)


def one_line(text: str) -> str:
    """``text`` on one line: its line breaks become ``"; "``."""
    return re.sub(r"\s*\n\s*", "; ", text.strip())


def describe_error(exc: BaseException) -> str:
    """Why an action failed, on one line: an OS error names its file."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return one_line(str(exc))
