"""Carrying a plan out: claim each action in the journal, write or send it, then confirm.

The order is the protocol ("Carrying a plan out" in the design):

1. under the journal's outbox lock (one carrier at a time), claims left open by a run that
   stopped are resolved: a file on disk with the claimed bytes is confirmed, a missing one
   released (the action stays due), an idempotent sender delivers again, an SMTP send is
   reported :class:`~relancelib.outbox.Uncertain`;
2. each action is rendered, claimed with its Message-ID or file name, written or sent, then
   confirmed (recorded); a failure releases the claim, and the action stays due.

A message on disk or sent is a recorded message, and a record is a message on disk or sent.
No run deletes a file it did not write.
"""

from __future__ import annotations

import email.parser
import email.policy
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relancelib.checks import check_instance, check_integer, check_sequence
from relancelib.engine import Action, PolicyLike
from relancelib.errors import InvalidFieldError, RelanceError
from relancelib.journal import Claim, ClaimStatus, Journal, LedgerJournal, Record
from relancelib.model import Client, Creditor
from relancelib.outbox.files import digest_of, file_name, write_atomically
from relancelib.outbox.payload import Payload
from relancelib.outbox.results import (
    CarryOutResult,
    NotWritten,
    Outcome,
    Resolved,
    Uncertain,
    Written,
    describe_error,
)
from relancelib.outbox.senders import (
    DeliveryError,
    FileSender,
    Sender,
    UncertainDelivery,
    split_target,
)
from relancelib.outbox.workers import NotRendered, Rendered, Task, render_all, render_one
from relancelib.policy import HANDOVER_STEP, Channel, ReminderPolicy

if TYPE_CHECKING:
    from relancelib.rendering import TemplatesLike

__all__ = ["carry_out", "resolve_claims"]


def carry_out(
    actions: Sequence[Action],
    creditor: Creditor,
    out: str | os.PathLike[str],
    journal: Journal | None,
    *,
    policy: PolicyLike,
    templates: TemplatesLike = None,
    manual: Iterable[Channel] = (),
    progress: Callable[[Outcome], None] | None = None,
    email: Sender | None = None,
    jobs: int = 1,
    credits: Mapping[str, Any] | None = None,
) -> CarryOutResult:
    """Claim, write or send, then confirm each action; return what happened to each, in order.

    ``journal=None`` is a dry run: the files are written with ``.dry-run`` in their names,
    nothing is sent nor recorded.  Actions of the ``manual`` channels are written but not
    claimed nor recorded (a person records them once done, e.g. a call once made).
    ``email`` sends e-mails (an :class:`~relancelib.outbox.SmtpSender`); without it they are
    written as .eml files.  ``policy`` gives each client's holiday calendar (letter
    deadlines), ``templates`` overrides built-in templates as in
    :func:`~relancelib.rendering.render`.  ``progress`` is called with each action's outcome
    as soon as it is known.  A journal that fails raises, leaving the claim for the next run.
    ``jobs`` > 1 renders the messages in that many processes (:mod:`.workers`); claiming,
    writing or sending and confirming stay here, in order, whatever ``jobs`` is.
    ``credits`` maps a client id to its available credit (``Portfolio.credits_of(id)`` or a
    currency → amount mapping), which its message mentions; the handover file lists the
    client's records from ``journal``.
    """
    actions = check_sequence(actions, Action, "actions", what="Action (from relancelib.plan())")
    check_instance(creditor, Creditor, "creditor")
    by_hand = frozenset(check_sequence(manual, Channel, "manual"))
    if policy is None or not (isinstance(policy, ReminderPolicy) or callable(policy)):
        raise InvalidFieldError(
            "must be a ReminderPolicy or a function of the client", field="policy", value=policy
        )
    _check_callbacks(progress, email)
    if check_integer(jobs, "jobs") < 1:
        raise InvalidFieldError("must be 1 or more (processes)", field="jobs", value=jobs)
    folder = _folder(out)
    resolve = policy if not isinstance(policy, ReminderPolicy) else (lambda _client: policy)
    if credits is not None and not isinstance(credits, Mapping):
        raise InvalidFieldError(
            "must map client ids to their available credit", field="credits", value=credits
        )
    carrier = _Carrier(creditor, folder, resolve, templates, email, jobs)
    carrier.credits = credits or {}
    carrier.journal = journal
    if journal is None:
        outcomes = carrier.each(
            actions, progress, lambda a, r: carrier.write_only(a, r, dry_run=True)
        )
        return CarryOutResult(folder, outcomes, dry_run=True)
    if not isinstance(journal, LedgerJournal):
        raise RelanceError(
            f"{type(journal).__name__} cannot claim actions: carry a plan out with a "
            "MemoryJournal, an SqliteJournal or a PostgresJournal"
        )
    with journal.exclusive():
        resolved, uncertain = resolve_claims(journal, email=email)
        outcomes = carrier.each(
            actions,
            progress,
            lambda a, r: (
                carrier.write_only(a, r) if a.channel in by_hand else carrier.carry(a, r, journal)
            ),
        )
    known = {u.key for u in uncertain}
    uncertain += tuple(o for o in outcomes if isinstance(o, Uncertain) and o.key not in known)
    return CarryOutResult(folder, outcomes, dry_run=False, resolved=resolved, uncertain=uncertain)


def resolve_claims(
    journal: LedgerJournal, *, email: Sender | None = None
) -> tuple[tuple[Resolved, ...], tuple[Uncertain, ...]]:
    """Resolve the claims left open by runs that stopped (call it holding
    ``journal.exclusive()``): what was resolved, and what stays uncertain."""
    if not isinstance(journal, LedgerJournal):
        raise InvalidFieldError(
            "must be a journal that records claims (MemoryJournal, SqliteJournal, PostgresJournal)",
            field="journal",
            value=journal,
        )
    _check_callbacks(None, email)
    resolved: list[Resolved] = []
    uncertain: list[Uncertain] = []
    files = FileSender()
    for claim in journal.claims():
        via, path = split_target(claim.target)
        if via == "file":
            if files.check(claim):
                journal.confirm(claim.key)
                resolved.append(Resolved(claim, "confirmed"))
            else:
                journal.release(claim.key, "no file on disk after a stopped run")
                resolved.append(Resolved(claim, "released"))
        elif email is not None and email.idempotent and email.via == via:
            resolved.append(_resend(journal, claim, email, path))
        else:
            uncertain.append(
                Uncertain(claim, "a run stopped while sending it: it may or may not have left")
            )
    return tuple(resolved), tuple(uncertain)


def _folder(out: object) -> Path:
    """``out`` as the outbox folder, created if needed."""
    if not isinstance(out, (str, os.PathLike)) or not str(out).strip() or "\0" in str(out):
        raise InvalidFieldError("must be a folder path", field="out", value=out)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidFieldError(
            f"cannot be created ({exc.strerror or exc})", field="out", value=out
        ) from None
    return folder


def _check_callbacks(progress: object, email: object) -> None:
    if progress is not None and not callable(progress):
        raise InvalidFieldError(
            "must be a function of an outcome", field="progress", value=progress
        )
    if email is not None and not isinstance(email, Sender):
        raise InvalidFieldError(
            "must be a Sender (an SmtpSender) or None", field="email", value=email
        )


def _resend(journal: LedgerJournal, claim: Claim, sender: Sender, path: Path) -> Resolved:
    """Deliver an idempotent sender's claimed message again, from its copy, and confirm."""
    try:
        data = path.read_bytes()
    except OSError:
        journal.release(claim.key, "its copy is missing: not sent")
        return Resolved(claim, "released")
    headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(data)
    recipients = tuple(a.addr_spec for a in getattr(headers["To"], "addresses", ()))
    sender.deliver(Payload(data, claim.record.reference, recipients), path, recipients)
    journal.confirm(claim.key)
    return Resolved(claim, "resent")


class _Carrier:
    """Renders and carries out one action at a time (the state shared by a run)."""

    def __init__(
        self,
        creditor: Creditor,
        folder: Path,
        policy: Callable[[Client], ReminderPolicy],
        templates: TemplatesLike,
        email: Sender | None,
        jobs: int,
    ) -> None:
        self.creditor, self.folder, self.policy = creditor, folder, policy
        self.templates, self.email, self.jobs = templates, email, jobs
        self.files = FileSender()
        self.credits: Mapping[str, Any] = {}
        self.journal: Journal | None = None

    def each(
        self,
        actions: Sequence[Action],
        progress: Callable[[Outcome], None] | None,
        carry: Callable[[Action, Rendered], Outcome],
    ) -> tuple[Outcome, ...]:
        outcomes = []
        for action, rendered in zip(actions, self.rendered(actions), strict=True):
            outcome = carry(action, rendered)
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
        return tuple(outcomes)

    def rendered(self, actions: Sequence[Action]) -> Iterator[Rendered]:
        """Each action's payload, in order: rendered here one at a time, or by ``jobs``
        processes when there is more than one action a process."""
        tasks = (self.task(action) for action in actions)
        if self.jobs > 1 and len(actions) > self.jobs:
            return render_all(tasks, self.creditor, self.templates, self.jobs)
        return (render_one(task, self.creditor, self.templates) for task in tasks)

    def task(self, action: Action) -> Task:
        """What rendering ``action`` needs: the client's calendar and credit, and for the
        handover file the client's records."""
        client = action.client
        history: tuple[Record, ...] = ()
        if action.step is HANDOVER_STEP and self.journal is not None:
            history = self.journal.records(client.id)
        return Task(action, self.policy(client).holidays, self.credits.get(client.id), history)

    def write_only(self, action: Action, rendered: Rendered, *, dry_run: bool = False) -> Outcome:
        """Write the file, claim and record nothing (a dry run, a manual channel)."""
        if isinstance(rendered, NotRendered):
            return NotWritten(action, rendered.reason)
        try:
            path = self.folder / file_name(action, dry_run=dry_run)
            write_atomically(path, rendered.data)
        except (RelanceError, OSError) as exc:
            return NotWritten(action, describe_error(exc))
        return Written(action, path, rendered.message_id or path.name, recorded=False)

    def carry(self, action: Action, payload: Rendered, journal: LedgerJournal) -> Outcome:
        """Claim, write or send, confirm."""
        if isinstance(payload, NotRendered):
            return NotWritten(action, payload.reason)
        sender: Sender = self.files
        if action.channel is Channel.EMAIL and self.email is not None:
            sender = self.email
        path = self.folder / file_name(action)
        reference = payload.message_id or path.name
        status = journal.claim(
            action,
            reference=reference,
            target=f"{sender.via}:{path.absolute()}",
            digest=digest_of(payload.data),
        )
        if status is ClaimStatus.RECORDED:
            return NotWritten(action, "already recorded by another run", stays_due=False)
        if status is ClaimStatus.PENDING:
            claim = next(c for c in journal.claims() if c.key == action.key)
            return Uncertain(
                claim, "an earlier claim is still open: check it, then confirm or cancel"
            )
        try:
            sender.deliver(payload, path, payload.recipients)
        except UncertainDelivery as exc:
            claim = next(c for c in journal.claims() if c.key == action.key)
            return Uncertain(claim, describe_error(exc))
        except (DeliveryError, RelanceError, OSError) as exc:
            reason = describe_error(exc)
            journal.release(action.key, reason)
            return NotWritten(action, reason)
        journal.confirm(action.key)
        return Written(action, path, reference, recorded=True, via=sender.via)
