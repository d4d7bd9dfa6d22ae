"""Import and export: French CSV exports, pandas DataFrames, Factur-X invoices.

Reading never stops at the first bad row: every row that cannot be read becomes an
:class:`ImportProblem` naming the file, the line and the column, and the good rows still
load (beancount's errors-as-values).  Nothing is silently changed: an amount that could
be read two ways (``1.234``), a date that does not exist (``31/02/2025``) or a decimal mark
that differs from the rest of the file is reported, never guessed.  Problems with the file
itself (it cannot be decoded, a required column is missing) raise
:class:`~relancelib.errors.DataImportError` naming the file and the column.

pandas (``relancelib[pandas]``) and factur-x/drafthorse (``relancelib[facturx]``) are
optional: they are imported inside the functions that need them.  The column names, the
accepted formats and the formula-injection rule are documented in ``docs/import.md``.

One file per concept: ``results`` (what the readers return), ``sources`` (paths, bytes,
files), ``encoding``, ``columns`` (the header vocabulary), ``presets`` (known exports),
``cells`` (one cell, read through :mod:`relancelib.parsing`), ``rows`` (rows to model
objects), ``fastrows`` (the common invoice row of a large export, built directly),
``reading`` (a CSV file streamed), ``readers`` (the CSV readers), ``portfolio``
(payments attached, credit notes allocated), ``rejections`` (too many rows left out),
``frames`` (pandas), ``einvoice`` (the e-invoice entry points), ``cii`` and ``ubl`` (the two
XML syntaxes), ``export`` (CSV out, and the formula-injection rule).  ``aged_balance``
lives in :mod:`relancelib.reports` and is re-exported here as before.
"""

from __future__ import annotations

from relancelib.io.cells import parse_amount, parse_date
from relancelib.io.einvoice import (
    FacturXInvoice,
    read_einvoice,
    read_einvoice_files,
    read_facturx,
    read_facturx_files,
)
from relancelib.io.export import (
    CsvStyle,
    neutralise_formula,
    plan_to_csv,
    unneutralise_formula,
    write_clients_csv,
    write_invoices_csv,
    write_payments_csv,
)
from relancelib.io.frames import (
    clients_from_frame,
    invoices_from_frame,
    payments_from_frame,
    plan_to_frame,
    records_to_frame,
)
from relancelib.io.portfolio import allocate_credit_notes, attach_payments, read_portfolio
from relancelib.io.presets import PRESETS
from relancelib.io.readers import (
    iter_invoices_csv,
    read_clients_csv,
    read_invoices_csv,
    read_payments_csv,
)
from relancelib.io.rejections import check_rejections
from relancelib.io.results import (
    Credit,
    CreditNote,
    ImportProblem,
    ImportResult,
    InvoicePayment,
    Portfolio,
)
from relancelib.io.sources import Source as Source
from relancelib.io.sources import Target as Target
from relancelib.reports.aging import AGED_BUCKETS, aged_balance

__all__ = [
    "AGED_BUCKETS",
    "PRESETS",
    "Credit",
    "CreditNote",
    "CsvStyle",
    "FacturXInvoice",
    "ImportProblem",
    "ImportResult",
    "InvoicePayment",
    "Portfolio",
    "aged_balance",
    "allocate_credit_notes",
    "attach_payments",
    "check_rejections",
    "clients_from_frame",
    "invoices_from_frame",
    "iter_invoices_csv",
    "neutralise_formula",
    "parse_amount",
    "parse_date",
    "payments_from_frame",
    "plan_to_csv",
    "plan_to_frame",
    "read_clients_csv",
    "read_einvoice",
    "read_einvoice_files",
    "read_facturx",
    "read_facturx_files",
    "read_invoices_csv",
    "read_payments_csv",
    "read_portfolio",
    "records_to_frame",
    "unneutralise_formula",
    "write_clients_csv",
    "write_invoices_csv",
    "write_payments_csv",
]
