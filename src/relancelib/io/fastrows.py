"""The common invoice row of a large export, built without the general row machinery.

Reading a 1M-line export must reach 50,000 rows a second (issue 12).  The general path
(:class:`~relancelib.io.cells.Row` and :func:`~relancelib.io.rows.build_invoice`, then
``Invoice(...)`` whose validators run one closure per field) took about 37 µs of CPU a row,
of which about 10 µs went to the ``Invoice`` and ``Payment`` constructors alone; this path
takes 15 to 17 µs (``benchmarks/README.md``, io.py).  Most rows of an export are alike: a
number, a client, two dates, an amount and, perhaps, what is left to pay, a dispute flag, a
hold or a sending date, the currency ``EUR``.  :class:`FastInvoices` builds those rows
directly, and declines (returns ``None``) every other row, which then takes the general
path: a row with a type, a lettrage, a payment date or another currency, a credit note, a
cell starting with a formula character, a euro sign, anything a check refuses.  So a
problem always comes from the general path, with the same words.

The checks are the model's own, called once per row here with the same functions
(:func:`~relancelib.checks.has_control_characters` — what is left of ``check_text`` for a
stripped, non-blank string —, :func:`~relancelib.checks.to_money`,
:func:`~relancelib.checks.check_date`, :mod:`relancelib.parsing`), and the objects are made
with ``object.__new__`` and ``object.__setattr__`` (how attrs' own frozen ``__init__`` sets
them) instead of running the validators a second time.  The fast path is switched off if
the model's fields ever differ from the ones set here, and ``tests/test_io_fastrows.py``
checks that both paths give equal objects and identical problems for the same rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from relancelib import parsing
from relancelib.checks import check_date, check_text, has_control_characters, to_money
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.cells import TRIGGERS, cached_date
from relancelib.io.columns import INVOICE_COLUMNS
from relancelib.io.reading import CsvTable
from relancelib.io.results import ImportProblem
from relancelib.io.rows import BALANCE_REFERENCE, MARK_SAMPLE, Built, Converter
from relancelib.model import Invoice, Payment

__all__ = ["FastInvoices", "convert_invoices"]

#: The fields :class:`FastInvoices` reads; a row with any other field filled is declined.
#: (A currency is read when it is the default, ``EUR``.)
FAST_FIELDS = frozenset(
    {
        "number",
        "client_id",
        "issue_date",
        "due_date",
        "amount",
        "balance",
        "currency",
        "disputed",
        "hold_until",
        "sent_on",
    }
)
_INVOICE_FIELDS = (
    "number",
    "client_id",
    "issue_date",
    "due_date",
    "amount",
    "currency",
    "payments",
    "disputed",
    "hold_until",
    "sent_on",
    "delivered_on",
)
_PAYMENT_FIELDS = ("on", "amount", "currency", "reference")
#: Whether the model has exactly the fields set here (if not, every row takes the general
#: path: a new field is never left unset).
ENABLED = (
    tuple(field.name for field in attrs.fields(Invoice)) == _INVOICE_FIELDS
    and tuple(field.name for field in attrs.fields(Payment)) == _PAYMENT_FIELDS
)
# The reference of a balance payment passes Payment.reference's check (checked once here).
check_text(BALANCE_REFERENCE, "Payment.reference")

_new = object.__new__
_set = object.__setattr__


class _Decline(Exception):
    """A row the fast path leaves to the general one."""


class FastInvoices:
    """Builds the common invoice row of one file (``fields``: the header map's field ->
    columns; ``mark``: the file's decimal mark; ``export_date``: the date of a payment a
    balance column stands for)."""

    def __init__(
        self,
        fields: Mapping[str, tuple[int, ...]],
        mark: str | None,
        export_date: object,
        *,
        share_ids: bool = False,
    ) -> None:
        self.enabled = ENABLED and all(len(indexes) == 1 for indexes in fields.values())
        index = {field: indexes[0] for field, indexes in fields.items() if indexes}
        self._cells = tuple(
            index.get(field, -1) for field in ("number", "client_id", "issue_date", "due_date")
        )
        self._amount = index.get("amount", -1)
        self._balance = index.get("balance")
        self._currency = index.get("currency")
        self._disputed = index.get("disputed")
        self._hold_until = index.get("hold_until")
        self._sent_on = index.get("sent_on")
        self._other = tuple(i for field, i in index.items() if field not in FAST_FIELDS)
        self.enabled = self.enabled and -1 not in (*self._cells, self._amount)
        self._mark = mark
        # An export repeats a client's code on each of its invoices: when the invoices are
        # kept (``share_ids``), one string per client (a million invoices of 250,000 clients
        # hold 250,000 strings, not a million); a stream keeps nothing, so shares nothing.
        self._ids: dict[str, str] | None = {} if share_ids else None
        self._on: dt.date | None
        try:
            self._on = None if export_date is None else check_date(export_date, "export_date")
        except RelanceError:
            self._on = None

    def _number(self, text: str) -> Decimal:
        scanned = parsing.parse_number(text, error=DataImportError)
        if scanned.currency is not None or (
            scanned.mark is not None and self._mark is not None and scanned.mark != self._mark
        ):
            raise _Decline
        return scanned.value

    def _optional_date(self, values: Sequence[str], index: int | None) -> dt.date | None:
        text = "" if index is None else values[index].strip()
        if not text:
            return None
        if text[0] in TRIGGERS:
            raise _Decline
        return cached_date(text)

    def build(self, values: Sequence[str]) -> tuple[Invoice, Decimal | None] | None:
        """The invoice of a row and the balance it gave, or ``None`` to take the general path."""
        for index in self._other:
            if values[index].strip():
                return None
        if self._currency is not None and values[self._currency].strip() not in ("", "EUR"):
            return None
        i_number, i_client, i_issue, i_due = self._cells
        number = values[i_number].strip()
        client_id = values[i_client].strip()
        issue_text = values[i_issue].strip()
        due_text = values[i_due].strip()
        amount_text = values[self._amount].strip()
        balance_text = "" if self._balance is None else values[self._balance].strip()
        if not (number and client_id and issue_text and due_text and amount_text) or (
            number[0] in TRIGGERS
            or client_id[0] in TRIGGERS
            or issue_text[0] in TRIGGERS
            or due_text[0] in TRIGGERS
            or amount_text[0] in TRIGGERS
            or (balance_text and balance_text[0] in TRIGGERS)
        ):
            return None
        # check_text(number) and check_text(client_id): both are stripped, non-blank
        # strings, so what is left of the check is the control characters, of either one.
        if has_control_characters(number + client_id):
            return None
        try:
            issue_date = cached_date(issue_text)
            due_date = cached_date(due_text)
            if due_date < issue_date:
                return None
            amount = self._number(amount_text)
            if amount < 0:
                return None
            disputed = False
            if self._disputed is not None:
                flag = values[self._disputed].strip()
                if flag:
                    if flag[0] in TRIGGERS:
                        return None
                    disputed = parsing.parse_bool(flag, error=DataImportError)
            hold_until = self._optional_date(values, self._hold_until)
            sent_on = self._optional_date(values, self._sent_on)
            payments: tuple[Payment, ...] = ()
            balance = None
            if balance_text:
                # An unpaid invoice: the same text, the same number (read once).
                balance = amount if balance_text == amount_text else self._number(balance_text)
                if balance < 0 or balance > amount:
                    return None
                if balance < amount:
                    if self._on is None:
                        return None
                    paid = to_money(amount - balance, "EUR", "Payment.amount", allow_zero=False)
                    payment = _new(Payment)
                    _set(payment, "on", self._on)
                    _set(payment, "amount", paid)
                    _set(payment, "currency", None)
                    _set(payment, "reference", BALANCE_REFERENCE)
                    payments = (payment,)
            invoice = _new(Invoice)
            _set(invoice, "number", number)
            if self._ids is not None:
                client_id = self._ids.setdefault(client_id, client_id)
            _set(invoice, "client_id", client_id)
            _set(invoice, "issue_date", issue_date)
            _set(invoice, "due_date", due_date)
            _set(invoice, "amount", to_money(amount, "EUR", "Invoice.amount"))
            _set(invoice, "currency", "EUR")
            _set(invoice, "payments", payments)
            _set(invoice, "disputed", disputed)
            _set(invoice, "hold_until", hold_until)
            _set(invoice, "sent_on", sent_on)
            _set(invoice, "delivered_on", None)
        except (_Decline, RelanceError):
            return None
        return invoice, balance


def convert_invoices(
    table: CsvTable,
    build: Callable[..., Any],
    export_date: object,
    key: Callable[[Any], str],
    *,
    kept: bool = False,
) -> Iterator[Built | ImportProblem]:
    """:func:`~relancelib.io.rows.convert` for an invoices file: the common rows through
    :class:`FastInvoices`, the others through ``build`` (the general path); ``kept`` when
    the caller keeps every invoice (then equal client ids share one string)."""
    entries = table.values()
    head = list(itertools.islice(entries, MARK_SAMPLE))
    raw_row = table.raw_row
    converter = Converter(
        [raw_row(*entry) for entry in head if isinstance(entry, tuple)],
        INVOICE_COLUMNS,
        build,
        key,
        table.label,
        "invoice",
    )
    fast = FastInvoices(table.map.fields, converter.mark, export_date, share_ids=kept)
    quick = fast.build if fast.enabled else None
    keep = converter.keep
    general = converter.build
    for entry in itertools.chain(head, entries):
        if not isinstance(entry, tuple):
            yield entry
            continue
        line, values = entry
        made = None if quick is None else quick(values)
        if made is None:
            yield general(raw_row(line, values))
        else:
            yield keep(made[0], line, None, (), made[1], made[0].number)
