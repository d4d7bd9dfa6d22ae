"""One partition planned: pandas frames of a set of clients in, one pandas frame out.

This is the function every worker runs (through ``map_partitions``).  It reads the rows with
the library's own readers (:func:`relancelib.io.invoices_from_frame` and its siblings), so a
cell means the same thing here as in a CSV file; it indexes the journal's rows with
:class:`relancelib.journal.HistoryBuilder`; and it calls :func:`relancelib.plan`.  It needs
pandas only, not Dask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from relancelib.actions import History, Plan
from relancelib.display import PLAN_COLUMNS, plan_records
from relancelib.engine import plan
from relancelib.io import (
    ImportProblem,
    allocate_credit_notes,
    attach_payments,
    clients_from_frame,
    invoices_from_frame,
    payments_from_frame,
)
from relancelib.io.cells import is_missing, plain_value
from relancelib.journal import HistoryBuilder
from relancelib.model import Client
from relancelib.parsing import parse_date
from relancelib.policy import ReminderPolicy

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ACTION_COLUMNS",
    "AMOUNT_COLUMNS",
    "JOURNAL_COLUMNS",
    "OUTPUT_COLUMNS",
    "PROBLEM_COLUMNS",
    "PartitionHistory",
    "action_rows",
    "output_frame",
    "plan_of_partition",
    "plan_partition",
]

#: The columns of the actions frame: those of :data:`relancelib.display.PLAN_COLUMNS`.
ACTION_COLUMNS: tuple[str, ...] = tuple(english for english, _french in PLAN_COLUMNS)
#: The amount columns: exact decimal text (``str(Decimal)``), never floats.
AMOUNT_COLUMNS = ("balance", "penalties", "indemnity")
#: The columns of the problems frame.
PROBLEM_COLUMNS = ("invoice", "severity", "message")
#: The columns of the journal's state, one row per (invoice, step) pair recorded.
JOURNAL_COLUMNS = ("key", "client_id", "invoice", "step", "on")
#: What one partition returns: ``kind`` (``"action"`` or ``"problem"``), then both schemas.
OUTPUT_COLUMNS: tuple[str, ...] = ("kind", *ACTION_COLUMNS, *PROBLEM_COLUMNS[1:])

PolicyArg = ReminderPolicy | Callable[[Client], ReminderPolicy]


class PartitionHistory:
    """A journal's state for the clients of one partition: what :func:`relancelib.plan` reads
    of a journal (its ``history(as_of)``), built from rows with ``JOURNAL_COLUMNS``."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Iterable[tuple[Any, Any, Any, Any]]) -> None:
        #: (client_id, invoice or None, step or None, on)
        self._rows = [
            (str(client), _text(invoice), _text(step), _day(on))
            for client, invoice, step, on in rows
        ]

    def history(self, as_of: dt.date) -> History:
        """The rows dated on or before ``as_of``, indexed as a journal indexes its records."""
        builder = HistoryBuilder()
        for client_id, invoice, step, on in self._rows:
            if on > as_of:
                continue
            if invoice is None or step is None:
                builder.contact(client_id, on)
            else:
                builder.add(client_id, ((invoice, step),), on)
        return builder.history()


def _text(value: object) -> str | None:
    value = plain_value(value)
    return None if is_missing(value) else str(value)


def _day(value: object) -> dt.date:
    value = plain_value(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()  # type: ignore[no-any-return]
    return parse_date(str(value), "on")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def action_rows(result: Plan) -> list[dict[str, Any]]:
    """The rows of ``result`` as the actions frame holds them: :func:`plan_records`, with the
    amounts as exact decimal text and the due date as ISO text (see ``docs/scaling.md``)."""
    rows = plan_records(result)
    for row in rows:
        for column in AMOUNT_COLUMNS:
            row[column] = _amount(row[column])
        row["due_date"] = row["due_date"].isoformat()
    return rows


def _columns(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """The partition with its index (the client id) back as a column."""
    if frame is None:
        return None
    if frame.index.name is not None and frame.index.name not in frame.columns:
        frame = frame.reset_index()
    return frame


def _import_rows(problems: Iterable[ImportProblem]) -> list[dict[str, Any]]:
    return [
        {"kind": "problem", "invoice": None, "severity": "error", "message": str(problem)}
        for problem in problems
    ]


def plan_of_partition(
    invoices: pd.DataFrame,
    clients: pd.DataFrame,
    payments: pd.DataFrame | None,
    journal: pd.DataFrame | None,
    policy: PolicyArg,
    as_of: dt.date,
) -> tuple[Plan, list[ImportProblem]]:
    """The :class:`Plan` of one partition and the problems of the rows that could not be
    read (which the plan does not see)."""
    invoices_read = invoices_from_frame(_columns(invoices), name="invoices")  # type: ignore[arg-type]
    clients_read = clients_from_frame(_columns(clients), name="clients")  # type: ignore[arg-type]
    problems = [*invoices_read.problems, *clients_read.problems]
    chosen = invoices_read.items
    if invoices_read.credit_notes:
        chosen, _credits = allocate_credit_notes(chosen, invoices_read.credit_notes)
    payments = _columns(payments)
    if payments is not None and len(payments):
        payments_read = payments_from_frame(payments, name="payments")
        attached = attach_payments(chosen, payments_read.items)
        chosen = attached.items
        problems += [*payments_read.problems, *attached.problems]
    journal = _columns(journal)
    history = None
    if journal is not None:
        columns = (journal[column] for column in ("client_id", "invoice", "step", "on"))
        history = PartitionHistory(zip(*columns, strict=True))
    return plan(chosen, clients_read.items, policy, as_of, history), problems


def plan_partition(
    invoices: pd.DataFrame,
    clients: pd.DataFrame,
    payments: pd.DataFrame | None,
    journal: pd.DataFrame | None,
    policy: PolicyArg,
    as_of: dt.date,
) -> pd.DataFrame:
    """Plan one partition: the rows of its actions and its problems in one frame
    (``OUTPUT_COLUMNS``; rows that could not be read are problems too)."""
    result, problems = plan_of_partition(invoices, clients, payments, journal, policy, as_of)
    rows: list[dict[str, Any]] = [{"kind": "action", **row} for row in action_rows(result)]
    rows += _import_rows(problems)
    rows += [
        {
            "kind": "problem",
            "invoice": problem.invoice_number,
            "severity": problem.severity.value,
            "message": problem.message,
        }
        for problem in result.problems
    ]
    return output_frame(rows)


def output_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame of one partition's output rows, with the schema's dtypes (``meta`` when
    ``rows`` is empty)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))
    text = {column: "string" for column in OUTPUT_COLUMNS if column != "days_overdue"}
    frame = frame.astype(text)
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    return frame
