"""From rows to model objects: one builder per kind of row, and the conversion of a whole
file that turns every row it cannot read into an :class:`ImportProblem`.

The model checks what it is given (a due date before the issue date, an unknown
currency...); its errors become problems naming the column the field came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import TypeVar

from relancelib import parsing
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.cells import CellError, RawRow, Row
from relancelib.io.columns import TableColumn
from relancelib.io.export import unneutralise_formula
from relancelib.io.results import ImportProblem, InvoicePayment
from relancelib.model import Address, Client, ClientKind, Invoice, Payment

__all__ = ["build_client", "build_invoice", "build_payment", "convert"]

T = TypeVar("T")

# Model attributes whose column has another name.
_ATTRIBUTE_COLUMNS = {"lines": "address"}


def _field_title(row: Row, error: RelanceError) -> str | None:
    """The column a model error is about: ``Invoice.due_date`` -> the due-date column."""
    if error.field is None:
        return None
    attribute = error.field.rsplit(".", 1)[-1]
    return row.title(_ATTRIBUTE_COLUMNS.get(attribute, attribute)) or error.field


def _file_mark(rows: Sequence[RawRow], schema: Sequence[TableColumn]) -> tuple[str | None, str]:
    """The decimal mark most of the file's amounts use (ties: the first one seen)."""
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


def convert(
    rows: Sequence[RawRow],
    schema: Sequence[TableColumn],
    build: Callable[[Row], T],
    key: Callable[[T], str] | None,
    source: str,
    what: str,
) -> tuple[list[T], list[int | None], list[ImportProblem]]:
    """Build each row; the items, their lines, and a problem per row left out (a cell or
    the model refused it, or ``key`` says it was already read)."""
    mark, origin = _file_mark(rows, schema)
    items: list[T] = []
    lines: list[int | None] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int | Hashable | None] = {}
    for raw in rows:
        row = Row(raw, mark, origin)
        try:
            item = build(row)
        except CellError as exc:
            problems.append(ImportProblem(source, raw.line, exc.field, exc.message, raw.label))
            continue
        except RelanceError as exc:
            title = _field_title(row, exc)
            problems.append(ImportProblem(source, raw.line, title, str(exc), raw.label))
            continue
        identity = None if key is None else key(item)
        if identity is not None and identity in seen:
            where = seen[identity]
            problems.append(
                ImportProblem(
                    source,
                    raw.line,
                    None,
                    f"{what} {identity!r} was already read "
                    f"({'line' if raw.line is not None else 'row'} {where}); this row is left out",
                    raw.label,
                )
            )
            continue
        if identity is not None:
            seen[identity] = raw.line if raw.line is not None else raw.label
        items.append(item)
        lines.append(raw.line)
    return items, lines, problems


def _amount(row: Row, field: str, currency: str | None) -> tuple[Decimal, str | None]:
    """The amount of ``field`` and the currency its text carried; a euro sign in an amount
    of another currency is refused, not converted."""
    found = row.number(field, required=True)
    assert found is not None
    sign = found[1]
    if sign is not None and currency is not None and sign != currency:
        raise CellError(row.title(field), f"is written in {sign} but the currency is {currency}")
    return found


def build_invoice(row: Row) -> Invoice:
    """An invoice from a row of the invoices file (payments come from another file)."""
    currency = row.text("currency") or "EUR"
    return Invoice(
        row.text("number", required=True),  # type: ignore[arg-type]
        row.text("client_id", required=True),  # type: ignore[arg-type]
        row.date("issue_date", required=True),  # type: ignore[arg-type]
        row.date("due_date", required=True),  # type: ignore[arg-type]
        _amount(row, "amount", currency)[0],
        currency=currency,
        disputed=row.flag("disputed"),
        hold_until=row.date("hold_until"),
        sent_on=row.date("sent_on"),
    )


def build_payment(row: Row) -> InvoicePayment:
    """A payment from a row of the payments file, with the number of its invoice."""
    currency = row.text("currency")
    amount, sign = _amount(row, "amount", currency)
    payment = Payment(
        row.date("on", required=True),  # type: ignore[arg-type]
        amount,
        currency=currency or sign,
        reference=row.text("reference"),
    )
    number = row.text("invoice", required=True)
    assert number is not None
    return InvoicePayment(number, payment, None, row.raw.line)


def build_client(row: Row) -> Client:
    """A client from a row of the clients file (address lines separated by ``|``)."""
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
    return Client(
        row.text("id", required=True),  # type: ignore[arg-type]
        row.text("name", required=True),  # type: ignore[arg-type]
        email=row.text("email"),
        phone=row.text("phone"),
        address=address,
        kind=ClientKind.BUSINESS if kind is None else ClientKind(kind),
        locale=row.text("locale") or "fr_FR",
        segment=row.text("segment") or "standard",
        siren=row.text("siren"),
        penalty_rate=None if rate is None else rate[0],
    )
