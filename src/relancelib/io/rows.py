"""From rows to model objects: one builder per kind of row, and the conversion of a whole
file that turns every row it cannot read into an :class:`ImportProblem`.

The model checks what it is given (a due date before the issue date, an unknown
currency...); its errors become problems naming the column the field came from.  An
optional cell the model refuses on a client (an e-mail, a phone, a SIREN, a VAT number) is
dropped with a warning instead: the client is still chased.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from stdnum.fr import tva as _tva

from relancelib import parsing
from relancelib.checks import check_email, check_phone, check_siren, check_vat_number
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.cells import CellError, RawRow, Row
from relancelib.io.columns import TableColumn
from relancelib.io.export import unneutralise_formula
from relancelib.io.results import CreditNote, ImportProblem, InvoicePayment
from relancelib.model import Address, Client, ClientKind, Invoice, Payment

__all__ = [
    "BALANCE_REFERENCE",
    "Built",
    "Converter",
    "build_client",
    "build_invoice",
    "build_payment",
    "convert",
]

T = TypeVar("T")

# Model attributes whose column has another name.
_ATTRIBUTE_COLUMNS = {"lines": "address"}
#: Rows looked at to find the decimal mark of a file before the first row is built.
MARK_SAMPLE = 1000
#: The reference of the payment a ``Reste dû`` column stands for.
BALANCE_REFERENCE = "règlement (d'après le reste dû exporté)"
# Words of a type column that make a row a credit note (folded): French exports, Odoo's
# move_type, Dolibarr's type code 2, UNTDID 1001 code 381.
_CREDIT_WORDS = frozenset(
    {"avoir", "av", "avoir_client", "credit_note", "credit", "refund", "out_refund", "2", "381"}
)


class Built(NamedTuple):
    """A row built: the item, its line, the warnings of the cells dropped, and the balance
    the export gave for it (``None`` when the file has no balance column).  A named tuple:
    one is made per row of a 1M-line export."""

    item: Any
    line: int | None
    label: Hashable | None
    warnings: tuple[tuple[str | None, str], ...] = ()
    balance: Decimal | None = None


def _field_title(row: Row, error: RelanceError) -> str | None:
    """The column a model error is about: ``Invoice.due_date`` -> the due-date column."""
    if error.field is None:
        return None
    attribute = error.field.rsplit(".", 1)[-1]
    return row.title(_ATTRIBUTE_COLUMNS.get(attribute, attribute)) or error.field


def _file_mark(rows: Sequence[RawRow], schema: Sequence[TableColumn]) -> tuple[str | None, str]:
    """The decimal mark most of ``rows``' amounts use (ties: the first one seen)."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    number_fields = [column.field for column in schema if column.number]
    for raw in rows:
        for field in number_fields:
            cell = raw.cells.get(field)
            if cell is None or not isinstance(cell[1], str) or not cell[1].strip():
                continue
            try:
                text = unneutralise_formula(cell[1].strip())
                mark = parsing.parse_number(text, error=DataImportError).mark
            except RelanceError:
                continue
            if mark is not None:
                counts[mark] = counts.get(mark, 0) + 1
                where = f"line {raw.line}" if raw.line is not None else f"row {raw.label!r}"
                first.setdefault(mark, where)
    if not counts:
        return None, ""
    order = list(first)
    mark = max(order, key=lambda m: (counts[m], -order.index(m)))
    return mark, f"{counts[mark]} amount(s), the first on {first[mark]}"


class Converter:
    """Builds the rows of one file: each row through ``build`` (a problem when a cell or the
    model refuses it), and the items through ``key`` (a problem when it was already read).

    ``head`` are the first rows of the file: the file's decimal mark is the one most of
    their amounts use, so that a file of any size is read in bounded memory.
    """

    def __init__(
        self,
        head: Sequence[RawRow],
        schema: Sequence[TableColumn],
        build: Callable[[Row], Any],
        key: Callable[[Any], str] | None,
        source: str,
        what: str,
    ) -> None:
        self.mark, self.origin = _file_mark(head, schema)
        self._build = build
        self._key = key
        self._source = source
        self._what = what
        self._seen: dict[str, int | Hashable | None] = {}

    def build(self, raw: RawRow) -> Built | ImportProblem:
        """The row built, or the problem that leaves it out."""
        row = Row(raw, self.mark, self.origin)
        try:
            item = self._build(row)
        except CellError as exc:
            return ImportProblem(self._source, raw.line, exc.field, exc.message, raw.label)
        except RelanceError as exc:
            title = _field_title(row, exc)
            return ImportProblem(self._source, raw.line, title, str(exc), raw.label)
        return self.keep(item, raw.line, raw.label, tuple(row.warnings), row.balance)

    def keep(
        self,
        item: Any,
        line: int | None,
        label: Hashable | None,
        warnings: tuple[tuple[str | None, str], ...] = (),
        balance: Decimal | None = None,
        identity: str | None = None,
    ) -> Built | ImportProblem:
        """``item`` built from ``line`` (or the row ``label``), unless its key (``identity``
        when the caller knows it) was read."""
        if self._key is not None:
            if identity is None:
                identity = self._key(item)
            here = line if line is not None else label
            where = self._seen.setdefault(identity, here)
            if where != here:
                return ImportProblem(
                    self._source,
                    line,
                    None,
                    f"{self._what} {identity!r} was already read "
                    f"({'line' if line is not None else 'row'} {where}); this row is left out",
                    label,
                )
        return Built(item, line, label, warnings, balance)


def convert(
    rows: Iterable[RawRow | ImportProblem],
    schema: Sequence[TableColumn],
    build: Callable[[Row], T],
    key: Callable[[T], str] | None,
    source: str,
    what: str,
) -> Iterator[Built | ImportProblem]:
    """Build each row, one at a time: a :class:`Built` per row read, a problem per row left
    out (a cell or the model refused it, or ``key`` says it was already read).

    The file's decimal mark is the one most amounts of its first :data:`MARK_SAMPLE` rows
    use, so that a file of any size is read in bounded memory.
    """
    iterator = iter(rows)
    head = list(itertools.islice(iterator, MARK_SAMPLE))
    converter = Converter(
        [r for r in head if isinstance(r, RawRow)], schema, build, key, source, what
    )
    for raw in itertools.chain(head, iterator):
        yield raw if isinstance(raw, ImportProblem) else converter.build(raw)


def _amount(row: Row, field: str, currency: str | None) -> tuple[Decimal, str | None]:
    """The amount of ``field`` and the currency its text carried; a euro sign in an amount
    of another currency is refused, not converted."""
    found = row.number(field, required=True)
    assert found is not None
    sign = found[1]
    if sign is not None and currency is not None and sign != currency:
        raise CellError(row.title(field), f"is written in {sign} but the currency is {currency}")
    return found


def _settled_on(row: Row, export_date: dt.date | None, what: str) -> dt.date:
    paid_on = row.date("paid_on")
    if paid_on is not None:
        return paid_on
    if export_date is None:
        raise CellError(
            row.title("balance") or row.title("matched"),
            f"{what} but the payment has no date: add a 'Date de règlement' column or give "
            "the export date (export_date=, sources.export_date)",
        )
    return export_date


def build_invoice(row: Row, export_date: dt.date | None = None) -> Invoice | CreditNote:
    """An invoice (or a credit note) from a row of the invoices file.

    A balance column (``Reste dû``) gives what is left to pay: the difference with the amount
    becomes one payment dated by ``Date de règlement``, else by ``export_date``.  A filled
    ``Lettrage`` without balance column means the invoice is settled.  A negative amount or
    a type column saying ``Avoir`` makes the row a credit note.
    """
    currency = row.text("currency") or "EUR"
    amount = _amount(row, "amount", currency)[0]
    kind = row.text("kind")
    number = row.text("number", required=True)
    client_id = row.text("client_id", required=True)
    issue_date = row.date("issue_date", required=True)
    assert number is not None
    assert client_id is not None
    assert issue_date is not None
    found = row.number("balance")
    balance = None if found is None else found[0]
    row.balance = balance
    if amount < 0 or (kind is not None and parsing.fold(kind) in _CREDIT_WORDS):
        available = abs(amount) if balance is None else abs(balance)
        return CreditNote(
            number,
            client_id,
            issue_date,
            available,
            currency,
            row.text("applies_to"),
            None,
            row.raw.line,
        )
    payments: tuple[Payment, ...] = ()
    if balance is not None:
        if balance < 0 or balance > amount:
            raise CellError(
                row.title("balance"),
                f"{balance} is not between 0 and the amount {amount}: an overpaid invoice is "
                "not read (enter the overpayment as a payment on account)",
            )
        if balance < amount:
            on = _settled_on(row, export_date, f"{amount - balance} is paid")
            payments = (Payment(on, amount - balance, reference=BALANCE_REFERENCE),)
    elif (matched := row.text("matched")) is not None:
        on = _settled_on(row, export_date, f"lettrage {matched!r} says it is paid")
        payments = (Payment(on, amount, reference=f"lettrage {matched}"),)
    return Invoice(
        number,
        client_id,
        issue_date,
        row.date("due_date", required=True),  # type: ignore[arg-type]
        amount,
        currency=currency,
        payments=payments,
        disputed=row.flag("disputed"),
        hold_until=row.date("hold_until"),
        sent_on=row.date("sent_on"),
    )


def build_payment(row: Row) -> InvoicePayment:
    """A payment from a row of the payments file, with the number of its invoice (or, for a
    payment on account, the client it came from)."""
    currency = row.text("currency")
    amount, sign = _amount(row, "amount", currency)
    payment = Payment(
        row.date("on", required=True),  # type: ignore[arg-type]
        amount,
        currency=currency or sign,
        reference=row.text("reference"),
    )
    number = row.text("invoice")
    client_id = row.text("client_id")
    if number is None and client_id is None:
        raise CellError(
            row.title("invoice"), "names no invoice (and no client for a payment on account)"
        )
    return InvoicePayment(number, payment, None, row.raw.line, client_id)


def _optional(row: Row, field: str, check: Callable[[str], Any]) -> Any:
    """The cell checked by ``check``, or ``None`` with a warning when it refuses it."""
    value = row.text(field)
    if value is None:
        return None
    try:
        return check(value)
    except (RelanceError, ValueError) as exc:
        row.warnings.append((row.title(field), f"{value!r} is left out: {exc}"))
        return None


def _identifiers(row: Row) -> tuple[str | None, str | None]:
    """The SIREN and the intra-community VAT number of a row: the SIREN column (or a SIRET),
    else the SIREN a French VAT number carries (``FR`` + key + SIREN); an invalid one is
    dropped with a warning."""
    siren = _optional(row, "siren", lambda value: check_siren(value, "Client.siren"))
    vat = _optional(row, "vat_number", lambda value: check_vat_number(value, "Client.vat_number"))
    if siren is None and vat is not None and vat.startswith("FR"):
        siren = str(_tva.to_siren(vat))
    return siren, vat


def build_client(row: Row) -> Client:
    """A client from a row of the clients file (address lines separated by ``|``, or given
    by several columns such as ``Adresse 1`` and ``Adresse 2``)."""
    kind = row.client_kind("kind")
    lines_text = row.text("address")
    postal_code = row.text("postal_code")
    city = row.text("city")
    country = row.text("country")
    address = None
    if lines_text is not None or postal_code is not None or city is not None:
        lines = [part.strip() for part in re.split(r"[|\n]", lines_text or "") if part.strip()]
        address = Address(lines, postal_code, city, country or "FR")  # type: ignore[arg-type]
    elif country is not None:
        raise CellError(row.title("country"), "a country without address, postal code and city")
    rate = row.number("penalty_rate")
    # Warnings come in the order of the columns: e-mail, phone, then the identifiers.
    email = _optional(row, "email", lambda value: check_email(value, "Client.email"))
    phone = _optional(row, "phone", lambda value: check_phone(value, "Client.phone"))
    siren, vat_number = _identifiers(row)
    return Client(
        row.text("id", required=True),  # type: ignore[arg-type]
        row.text("name", required=True),  # type: ignore[arg-type]
        email=email,
        phone=phone,
        address=address,
        kind=ClientKind.BUSINESS if kind is None else ClientKind(kind),
        locale=row.text("locale") or "fr_FR",
        segment=row.text("segment") or "standard",
        siren=siren,
        vat_number=vat_number,
        penalty_rate=None if rate is None else rate[0],
    )
