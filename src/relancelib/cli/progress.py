"""Writing the day's messages with a progress bar: :func:`relancelib.outbox.carry_out` on a
terminal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from relancelib import outbox
from relancelib.config import Config
from relancelib.engine import Action, PolicyLike
from relancelib.journal import Journal
from relancelib.model import Creditor
from relancelib.outbox import CarryOutResult, NotWritten, Sender, Written
from relancelib.policy import Channel

__all__ = ["PROGRESS_FROM", "carry_out", "write_messages"]

#: From this many actions on, ``run`` shows a progress bar (on a terminal only).
PROGRESS_FROM = 10


def write_messages(
    actions: Sequence[Action],
    creditor: Creditor,
    out: Path,
    journal: Journal | None,
    *,
    policy: PolicyLike,
    config: Config | None = None,
    manual: Iterable[Channel] = (),
    screen: Console | None = None,
    email: Sender | None = None,
) -> CarryOutResult:
    """:func:`relancelib.outbox.carry_out`, with a progress bar on ``screen`` when it is a
    terminal and there are many actions; the templates are the config's."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=screen,
        transient=True,
        disable=screen is None or not screen.is_terminal or len(actions) < PROGRESS_FROM,
    )
    with bar:
        task = bar.add_task("Writing messages", total=len(actions))
        return outbox.carry_out(
            actions,
            creditor,
            out,
            journal,
            policy=policy,
            templates=None if config is None else config.templates,
            manual=manual,
            progress=lambda _outcome: bar.advance(task),
            email=email,
        )


def carry_out(
    actions: Sequence[Action],
    creditor: Creditor,
    out: Path,
    journal: Journal | None,
    *,
    policy: PolicyLike,
    config: Config | None = None,
    progress: Console | None = None,
    manual: Iterable[Channel] = (),
) -> tuple[list[Written], list[NotWritten]]:
    """:func:`write_messages` as the command line offered it before the outbox: the written
    and the failed actions.  New code calls :func:`relancelib.outbox.carry_out`."""
    result = write_messages(
        actions, creditor, out, journal, policy=policy, config=config, manual=manual,
        screen=progress,
    )  # fmt: skip
    return list(result.written), list(result.failed)
