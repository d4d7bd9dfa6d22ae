"""Carrying a plan out: render each action, write its file, then record it.

The order is the protocol: an action that fails to render or to be written records nothing
and stays due (the next run writes it); an action is recorded only once its file is on
disk, and a file whose recording failed is removed (the next run writes it again).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from relancelib.engine import Action, PolicyLike
from relancelib.errors import RelanceError
from relancelib.journal import Journal
from relancelib.model import Client, Creditor
from relancelib.outbox.files import file_name, write_atomically
from relancelib.outbox.payload import render_payload
from relancelib.outbox.results import CarryOutResult, NotWritten, Outcome, Written, describe_error
from relancelib.policy import Channel, ReminderPolicy

if TYPE_CHECKING:
    from relancelib.rendering import TemplatesLike

__all__ = ["carry_out"]


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
) -> CarryOutResult:
    """Render each action, write its file into the folder ``out``, then record it in
    ``journal``; return what happened to each action, in order.

    ``journal=None`` is a dry run: the files are written, nothing is recorded.  Actions of
    the ``manual`` channels are written but not recorded (a person records them once done,
    e.g. a call once made).  ``policy`` gives each client's holiday calendar (letter
    deadlines), ``templates`` overrides built-in templates as in
    :func:`~relancelib.rendering.render`.  ``progress`` is called with each action's
    outcome as soon as it is known.  When the journal says another run recorded the action
    meanwhile, the file just written is removed.  A journal that fails to record raises
    (after removing the file it could not record).
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    by_hand = frozenset(manual)
    resolve = policy if not isinstance(policy, ReminderPolicy) else (lambda _client: policy)
    outcomes: list[Outcome] = []
    for action in actions:
        outcome = _carry_one(
            action,
            creditor,
            folder,
            None if action.channel in by_hand else journal,
            policy=resolve,
            templates=templates,
        )
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    return CarryOutResult(folder, tuple(outcomes), dry_run=journal is None)


def _carry_one(
    action: Action,
    creditor: Creditor,
    folder: Path,
    journal: Journal | None,
    *,
    policy: Callable[[Client], ReminderPolicy],
    templates: TemplatesLike,
) -> Outcome:
    """Render, write, record one action (``journal=None``: write only)."""
    try:
        calendar = policy(action.client).holidays
        payload = render_payload(action, creditor, templates=templates, calendar=calendar)
        path = folder / file_name(action)
        write_atomically(path, payload.data)
    except (RelanceError, OSError) as exc:
        return NotWritten(action, describe_error(exc))
    reference = payload.message_id or path.name
    if journal is None:
        return Written(action, path, reference, recorded=False)
    try:
        recorded = journal.record(action, on=action.on, reference=reference)
    except BaseException:
        # Not recorded, so not written either: the next run writes it again.
        path.unlink(missing_ok=True)
        raise
    if not recorded:
        path.unlink(missing_ok=True)
        return NotWritten(action, "already recorded by another run (file removed)", stays_due=False)
    return Written(action, path, reference, recorded=True)
