"""The ``relance`` group: its commands, and every error turned into one line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from relancelib import __version__
from relancelib.cli.cancel import cancel_command
from relancelib.cli.claim import claim_group
from relancelib.cli.demo import demo_command
from relancelib.cli.dispute import dispute_command
from relancelib.cli.events import events_command
from relancelib.cli.evidence import evidence_command
from relancelib.cli.exits import ERROR_CODES, ExitCode, Failure
from relancelib.cli.explain import explain_command
from relancelib.cli.forget import forget_command
from relancelib.cli.history import history_command
from relancelib.cli.hold import hold_command
from relancelib.cli.init import init_command
from relancelib.cli.instalments import instalments_command
from relancelib.cli.options import debug_option
from relancelib.cli.outcome import outcome_command
from relancelib.cli.output import error
from relancelib.cli.plan import plan_command
from relancelib.cli.promise import promise_command
from relancelib.cli.rates import rates_command
from relancelib.cli.record import record_command
from relancelib.cli.release import release_command
from relancelib.cli.report import report_command
from relancelib.cli.resolve import resolve_command
from relancelib.cli.run import run_command, send_command
from relancelib.cli.verify import verify_command
from relancelib.outbox.results import describe_error, one_line

__all__ = ["cli", "main"]


class _Group(click.Group):
    """Turns every error into one line on stderr and a documented exit code (``--debug``:
    the traceback instead)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Failure as failure:
            if ctx.meta.get("relance.debug"):
                raise
            error(failure.message)
            ctx.exit(failure.code)
        except KeyboardInterrupt:
            error("interrupted")
            ctx.exit(130)
        except Exception as exc:
            if ctx.meta.get("relance.debug"):
                raise
            for kind, code in ERROR_CODES:
                if isinstance(exc, kind):
                    error(describe_error(exc))
                    ctx.exit(code)
            error(
                f"internal error: {type(exc).__name__}: {one_line(str(exc))} "
                "(run again with --debug for the traceback, and report it)"
            )
            ctx.exit(ExitCode.INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="relance")
@debug_option
def cli() -> None:
    """relance — French invoice dunning: whom to remind, about which invoices, today.

    Exit codes: 0 ok, 1 problems found (with --strict), 2 usage or configuration error,
    3 data error, 4 some actions could not be rendered, 5 internal error.
    """


for _command in (
    plan_command,
    run_command,
    send_command,
    record_command,
    promise_command,
    instalments_command,
    dispute_command,
    resolve_command,
    hold_command,
    release_command,
    outcome_command,
    cancel_command,
    events_command,
    explain_command,
    claim_group,
    verify_command,
    evidence_command,
    forget_command,
    history_command,
    report_command,
    init_command,
    demo_command,
    rates_command,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """The console script's entry point (``relance``)."""
    # Cron may run with an ASCII locale: a "€" must not turn a run into a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    cli.main(args=list(argv) if argv is not None else None, prog_name="relance")
