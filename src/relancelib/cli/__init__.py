"""The ``relance`` command: daily dunning runs from cron, on a ``relance.toml`` config.

``relance plan`` shows the day's plan, ``relance run`` writes the day's messages (.eml
e-mails, .pdf letters, .txt call scripts) and records them in the journal, ``relance
record`` records an action done by hand, ``relance history`` shows the journal, ``relance
init`` writes an example config and ``relance demo`` runs on the embedded sample portfolio.
The collections workflow records journal events: ``promise``, ``instalments``, ``dispute``,
``resolve``, ``hold``, ``release``, ``outcome``, ``cancel`` (``events`` lists them), and
``explain`` says why an invoice is or is not chased.  See ``docs/cli.md`` and
``docs/daily-work.md``.

This is the application layer: it is the only part of relancelib that reads the clock
(``--date`` defaults to today), the environment (``RELANCE_CONFIG``) and the terminal.  It
holds no library logic: the config and its sources are :mod:`relancelib.config`'s
(:func:`~relancelib.config.load_portfolio`), writing and recording the messages is
:mod:`relancelib.outbox`'s.

Exit codes (:class:`ExitCode`): 0 ok; 1 problems found, with ``--strict``; 2 usage or
configuration error; 3 data error (a source file or the journal cannot be read); 4 some
actions could not be rendered or written (nothing was recorded for them; the others were
done); 5 internal error (a bug: run again with ``--debug`` for the traceback).

Modules: ``main`` (the group, :func:`main`), ``exits`` (:class:`ExitCode`), ``options``
(shared options, :class:`DateType`), ``output`` (consoles, tables, JSON, the summary),
``loading`` (config, journal, the day's plan), ``progress`` (the progress bar over the
outbox), ``journaling`` (what the event commands share), and one module per command:
``plan``, ``run``, ``send``, ``record``, ``history``, ``claim``, ``verify``, ``evidence``,
``forget``, ``rates``, ``report``, ``promise``, ``instalments``, ``dispute``, ``resolve``,
``hold``, ``release``, ``outcome``, ``cancel``, ``events``, ``explain``, ``init``, ``demo``.
"""

from __future__ import annotations

from relancelib.cli.demo import DEFAULT_DEMO_DIR, DEMO_JOURNAL
from relancelib.cli.exits import ExitCode
from relancelib.cli.init import SAMPLE_FILES as SAMPLE_FILES
from relancelib.cli.main import cli, main
from relancelib.cli.options import DATE, DEFAULT_CONFIG, DateType
from relancelib.cli.output import plan_table
from relancelib.cli.progress import PROGRESS_FROM as PROGRESS_FROM
from relancelib.cli.progress import carry_out
from relancelib.outbox import NotWritten, Written

__all__ = [
    "DATE",
    "DEFAULT_CONFIG",
    "DEFAULT_DEMO_DIR",
    "DEMO_JOURNAL",
    "DateType",
    "ExitCode",
    "NotWritten",
    "Written",
    "carry_out",
    "cli",
    "main",
    "plan_table",
]
