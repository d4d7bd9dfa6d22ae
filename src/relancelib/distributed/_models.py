"""Model objects to the pandas frames the partitions read, through the library's own CSV
writers (:func:`relancelib.io.write_invoices_csv` and its siblings, international style), so
that the readers give back equal objects: one home for the format both ways."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from relancelib.checks import check_sequence
from relancelib.distributed._frames import journal_frame
from relancelib.io import CsvStyle, write_clients_csv, write_invoices_csv, write_payments_csv
from relancelib.model import Client, Invoice

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["frames_from_models"]


def _frame(write: Callable[..., None], items: Iterable[Any]) -> pd.DataFrame:
    import pandas as pd

    buffer = io.StringIO()
    write(items, buffer, style=CsvStyle.INTERNATIONAL)
    buffer.seek(0)
    # Every cell as text: amounts stay exact decimal text, never floats.
    return pd.read_csv(buffer, dtype=str, keep_default_na=False)


def frames_from_models(
    clients: Iterable[Client], invoices: Iterable[Invoice], journal: Any = None
) -> dict[str, pd.DataFrame]:
    """``clients``, ``invoices``, their payments (with their invoice's ``client_id``, the
    partitioning key) and, when given, ``journal``'s state (:func:`journal_frame`) as pandas
    frames of text cells, ready for :func:`partition_by_client`."""
    invoices = check_sequence(invoices, Invoice, "invoices")
    frames = {
        "clients": _frame(write_clients_csv, check_sequence(clients, Client, "clients")),
        "invoices": _frame(write_invoices_csv, invoices),
        "payments": _frame(write_payments_csv, invoices),
    }
    owner = {invoice.number: invoice.client_id for invoice in invoices}
    frames["payments"]["client_id"] = frames["payments"]["invoice"].map(owner)
    if journal is not None:
        frames["journal"] = journal_frame(journal)
    return frames
