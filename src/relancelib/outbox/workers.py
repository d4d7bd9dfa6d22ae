"""Rendering a run's messages in several processes (``carry_out(..., jobs=N)``).

Only the rendering moves: the worker processes turn actions into bytes (an e-mail, a PDF
letter, a script) and hand them back in the order of the actions; claiming, writing or
sending, and confirming stay in the calling process, one action after the other, as with
one process.  So the outbox's guarantees do not depend on the number of processes: a
message on disk or sent is a record, and a record is a message on disk or sent.

At most ``4 × jobs`` batches are in flight, so memory stays flat however many messages a
run has.  A worker ignores Ctrl-C (the calling process handles it) and ends by itself when
the calling process is gone (killed): it never writes anything, so a worker left over could
only waste time, and it does not.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from relancelib.engine import Action
from relancelib.errors import RelanceError
from relancelib.journal import Record
from relancelib.model import Creditor
from relancelib.outbox.payload import Payload, render_payload
from relancelib.outbox.results import describe_error

if TYPE_CHECKING:
    from relancelib.rendering import TemplatesLike

__all__ = ["NotRendered", "Rendered", "Task", "render_all"]

#: Actions a worker renders per batch: few enough to keep every process busy to the end.
BATCH = 8


@attrs.frozen
class NotRendered:
    """Why an action could not be rendered (a template error, a missing address…)."""

    reason: str


#: An action's message, or why it has none.
Rendered = Payload | NotRendered

# The worker's share of the run, set once when it starts.
_RUN: dict[str, object] = {}


class Task(NamedTuple):
    """What rendering one action needs besides the run's creditor and templates: the
    client's holiday calendar, available credit and (for the handover file) records."""

    action: Action
    calendar: str
    credits: Any = None
    history: tuple[Record, ...] = ()


def render_one(task: Task, creditor: Creditor, templates: TemplatesLike) -> Rendered:
    """``task``'s payload, or why its action could not be rendered."""
    try:
        return render_payload(
            task.action,
            creditor,
            templates=templates,
            calendar=task.calendar,
            credits=task.credits,
            history=task.history,
        )
    except (RelanceError, OSError) as exc:
        return NotRendered(describe_error(exc))


def _start(creditor: Creditor, templates: TemplatesLike, parent: int) -> None:
    _RUN.update(creditor=creditor, templates=templates)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="relance-parent-watch", daemon=True).start()


def _render_batch(batch: Sequence[Task]) -> list[Rendered]:
    creditor, templates = _RUN["creditor"], _RUN["templates"]
    assert isinstance(creditor, Creditor)
    return [render_one(task, creditor, templates) for task in batch]  # type: ignore[arg-type]


def _context() -> multiprocessing.context.BaseContext:
    # fork: the workers start with the templates compiled and the modules imported; where
    # there is no fork (Windows, macOS defaults aside), spawn.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def render_all(
    tasks: Iterable[Task],
    creditor: Creditor,
    templates: TemplatesLike,
    jobs: int,
) -> Iterator[Rendered]:
    """The payload of each task, in order, rendered by ``jobs`` processes."""
    pending = iter(tasks)
    batches = iter(lambda: list(itertools.islice(pending, BATCH)), [])
    with ProcessPoolExecutor(
        jobs, mp_context=_context(), initializer=_start, initargs=(creditor, templates, os.getpid())
    ) as pool:
        window: deque[Future[list[Rendered]]] = deque(
            pool.submit(_render_batch, batch) for batch in itertools.islice(batches, 4 * jobs)
        )
        while window:
            done = window.popleft().result()
            following = next(batches, None)
            if following is not None:
                window.append(pool.submit(_render_batch, following))
            yield from done
