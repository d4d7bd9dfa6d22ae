"""pandas DataFrames in and out: invoices, clients and payments from a frame with the CSV
columns; the plan and the journal as frames.  pandas is imported only when called."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import attrs

from relancelib.checks import check_instance
from relancelib.display import plan_to_frame, records_to_frame
from relancelib.errors import DataImportError
from relancelib.io.cells import RawRow, Row, is_missing, plain_value
from relancelib.io.columns import (
    CLIENT_COLUMNS,
    INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    TableColumn,
    map_header,
)
from relancelib.io.results import CreditNote, ImportProblem, ImportResult, InvoicePayment
from relancelib.io.rows import build_client, build_invoice, build_payment, convert
from relancelib.model import Client, Invoice

if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "clients_from_frame",
    "invoices_from_frame",
    "payments_from_frame",
    "plan_to_frame",
    "records_to_frame",
]

T = TypeVar("T")


def _check_frame(frame: object, name: object) -> None:
    """A pandas DataFrame (anything else raises :class:`DataImportError`), and its name."""
    check_instance(name, str, "name", what="a name (text) for the problems")
    try:
        import pandas as pd
    except ImportError:
        raise DataImportError(
            "reading a DataFrame needs pandas: pip install 'relancelib[pandas]'", field="frame"
        ) from None
    if not isinstance(frame, pd.DataFrame):
        raise DataImportError("must be a pandas DataFrame", field="frame", value=frame)


def _frame_rows(
    frame: pd.DataFrame, schema: Sequence[TableColumn], name: str
) -> tuple[list[RawRow], tuple[str, ...]]:
    _check_frame(frame, name)
    header = [str(column) for column in frame.columns]
    mapped = map_header(header, schema, name)
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        if all(is_missing(plain_value(value)) for value in values):
            continue
        cells: dict[str, tuple[str, object]] = {}
        for field, indexes in mapped.fields.items():
            if len(indexes) == 1:
                cells[field] = (header[indexes[0]], values[indexes[0]])
            else:
                parts = [str(values[i]).strip() for i in indexes if not is_missing(values[i])]
                cells[field] = (header[indexes[0]], "|".join(p for p in parts if p))
        rows.append(RawRow(None, label, cells))
    return rows, mapped.ignored


def _read_frame(
    frame: pd.DataFrame,
    schema: Sequence[TableColumn],
    build: Callable[[Row], T],
    key: Callable[[T], str] | None,
    what: str,
    name: str,
) -> ImportResult[T]:
    rows, ignored = _frame_rows(frame, schema, name)
    items: list[T] = []
    lines: list[int | None] = []
    problems: list[ImportProblem] = []
    warnings: list[ImportProblem] = []
    notes: list[CreditNote] = []
    for entry in convert(rows, schema, build, key, name, what):
        if isinstance(entry, ImportProblem):
            problems.append(entry)
            continue
        warnings.extend(
            ImportProblem(name, None, field, text, entry.label) for field, text in entry.warnings
        )
        if isinstance(entry.item, CreditNote):
            notes.append(attrs.evolve(entry.item, source=name))
            continue
        items.append(entry.item)
        lines.append(entry.line)
    return ImportResult(
        tuple(items),
        tuple(problems),
        None,
        name,
        tuple(lines),
        ignored,
        tuple(warnings),
        tuple(notes),
        rows=len(rows),
    )


def invoices_from_frame(frame: pd.DataFrame, *, name: str = "DataFrame") -> ImportResult[Invoice]:
    """Read invoices from a DataFrame with the same columns as the CSV files.

    Cells may be strings (read as in a CSV file), dates or Timestamps at midnight, ``int``
    or ``Decimal`` amounts; ``float`` amounts are refused (binary rounding): read the file
    with ``dtype=str``.  Problems name the row's index label.
    """
    return _read_frame(frame, INVOICE_COLUMNS, build_invoice, lambda i: i.number, "invoice", name)  # type: ignore[arg-type]


def clients_from_frame(frame: pd.DataFrame, *, name: str = "DataFrame") -> ImportResult[Client]:
    """Read clients from a DataFrame with the same columns as the CSV files."""
    return _read_frame(frame, CLIENT_COLUMNS, build_client, lambda c: c.id, "client", name)


def payments_from_frame(
    frame: pd.DataFrame, *, name: str = "DataFrame"
) -> ImportResult[InvoicePayment]:
    """Read payments from a DataFrame with the same columns as the CSV files."""
    result = _read_frame(frame, PAYMENT_COLUMNS, build_payment, None, "payment", name)
    return attrs.evolve(result, items=tuple(attrs.evolve(p, source=name) for p in result.items))
