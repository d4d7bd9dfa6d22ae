"""Writing the day's messages with progress: :func:`relancelib.outbox.carry_out` with a bar
on a terminal, and for logs (cron: no terminal) a start line, a line every
:data:`EVERY_ACTIONS` actions or :data:`EVERY_SECONDS` seconds, and an end line — never one
line per file."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from relancelib import outbox
from relancelib.cli.output import print_summary
from relancelib.config import Config
from relancelib.engine import Action, PolicyLike
from relancelib.journal import Journal
from relancelib.model import Creditor
from relancelib.outbox import CarryOutResult, NotWritten, Outcome, Sender, Uncertain, Written
from relancelib.policy import Channel

__all__ = [
    "EVERY_ACTIONS",
    "EVERY_SECONDS",
    "PROGRESS_FROM",
    "LogProgress",
    "carry_out",
    "print_run_summary",
    "write_messages",
]

#: From this many actions on, ``run`` shows its progress (a bar on a terminal, lines in logs),
#: and its summary counts the files instead of listing them (in logs).
PROGRESS_FROM = 10
#: In logs, a progress line every this many actions…
EVERY_ACTIONS = 500
#: … or every this many seconds, whichever comes first.
EVERY_SECONDS = 30.0


class LogProgress:
    """Progress as log lines (cron mails them): a start line, a line every ``every``
    actions or ``seconds`` seconds, an end line with the rate."""

    def __init__(
        self,
        screen: Console,
        total: int,
        out: Path,
        *,
        jobs: int = 1,
        every: int = EVERY_ACTIONS,
        seconds: float = EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.screen, self.total, self.out, self.jobs = screen, total, out, jobs
        self.every, self.seconds, self.clock = every, seconds, clock
        self.done = self.written = self.failed = self.uncertain = 0
        self.started = self.shown = clock()

    def start(self) -> None:
        """The start line."""
        processes = f", rendered by {self.jobs} processes" if self.jobs > 1 else ""
        self._line(f"Carrying out {self.total} action(s) into {self.out}/{processes}.")
        self.started = self.shown = self.clock()

    def __call__(self, outcome: Outcome) -> None:
        self.done += 1
        if isinstance(outcome, Written):
            self.written += 1
        elif isinstance(outcome, Uncertain):
            self.uncertain += 1
        else:
            self.failed += 1
        now = self.clock()
        if self.done < self.total and (
            self.done % self.every == 0 or now - self.shown >= self.seconds
        ):
            self.shown = now
            elapsed = now - self.started
            self._line(f"  {self.done}/{self.total} after {elapsed:.0f} s: {self._counts()}")

    def finish(self) -> None:
        """The end line: how long it took, how many a second."""
        elapsed = self.clock() - self.started
        per_second = self.done / elapsed if elapsed > 0 else 0.0
        rate = f" ({per_second:.{0 if per_second >= 10 else 1}f}/s)" if per_second else ""
        self._line(f"  {self.done}/{self.total} done in {elapsed:.1f} s{rate}: {self._counts()}")

    def _counts(self) -> str:
        counts = f"{self.written} written, {self.failed} not written"
        return counts + (f", {self.uncertain} uncertain" if self.uncertain else "")

    def _line(self, text: str) -> None:
        self.screen.print(text, markup=False, highlight=False, soft_wrap=True)


def print_run_summary(out: Console, result: CarryOutResult) -> None:
    """:func:`~relancelib.cli.output.print_summary`, without the list of files when it is
    long and nobody reads it on a terminal (cron): the counts, what to record by hand and
    what failed stay."""
    if out.is_terminal or len(result.written) < PROGRESS_FROM:
        print_summary(out, result)
        return
    buffer = io.StringIO()
    print_summary(Console(file=buffer, width=out.width, no_color=True, highlight=False), result)
    files = {f"  {item.path}" for item in result.written}
    for line in buffer.getvalue().splitlines():
        if line not in files:
            out.print(line, markup=False, highlight=False, soft_wrap=True)


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
    jobs: int = 1,
    credits: Mapping[str, Any] | None = None,
) -> CarryOutResult:
    """:func:`relancelib.outbox.carry_out`, with its progress on ``screen`` when there are
    many actions: a bar on a terminal, :class:`LogProgress` lines elsewhere (cron); the
    templates are the config's; ``jobs`` processes render the messages; ``credits`` maps a
    client id to its available credit."""
    if screen is not None and not screen.is_terminal and len(actions) >= PROGRESS_FROM:
        log = LogProgress(screen, len(actions), out, jobs=jobs)
        log.start()
        result = outbox.carry_out(
            actions, creditor, out, journal, policy=policy,
            templates=None if config is None else config.templates, manual=manual,
            progress=log, email=email, jobs=jobs, credits=credits,
        )  # fmt: skip
        log.finish()
        return result
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
            jobs=jobs,
            credits=credits,
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
