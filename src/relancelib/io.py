"""Import and export: French CSV exports, pandas DataFrames, Factur-X invoices, aged balance.

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
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import enum
import io
import numbers
import os
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

import attrs

from relancelib.engine import Plan
from relancelib.errors import DataImportError, InvalidFieldError, RelanceError
from relancelib.model import Address, Client, ClientKind, Invoice, Payment, minor_unit, to_money

if TYPE_CHECKING:
    import pandas as pd

    from relancelib.journal import Record

__all__ = [
    "AGED_BUCKETS",
    "CsvStyle",
    "FacturXInvoice",
    "ImportProblem",
    "ImportResult",
    "InvoicePayment",
    "Portfolio",
    "aged_balance",
    "attach_payments",
    "clients_from_frame",
    "invoices_from_frame",
    "neutralise_formula",
    "parse_amount",
    "parse_date",
    "payments_from_frame",
    "plan_to_csv",
    "plan_to_frame",
    "read_clients_csv",
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

T = TypeVar("T")

#: What the readers accept: a path, the file's bytes, or an open binary or text file.
Source: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes] | IO[str]"
#: What the writers accept: a path or an open text file (opened with ``newline=""``).
Target: TypeAlias = "str | os.PathLike[str] | IO[str]"


# ---------------------------------------------------------------------------------------------
# Results


@attrs.frozen
class ImportProblem:
    """A row (or a file) that could not be read, and why.

    ``source`` is the file name; ``line`` the 1-based line of the file where the row starts
    (the header is line 1); ``row`` the index label for a DataFrame row; ``field`` the column
    as written in the file.
    """

    source: str
    line: int | None
    field: str | None
    message: str
    row: Hashable | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
        elif self.row is not None:
            where += f"[{self.row!r}]"
        column = f" [{self.field}]" if self.field else ""
        return f"{where}:{column} {self.message}"


@attrs.frozen
class ImportResult(Generic[T]):
    """What a reader could read: the ``items``, the ``problems`` of the rows it could not.

    ``lines[i]`` is the line ``items[i]`` was read from (``None`` for a DataFrame or a
    Factur-X file); ``encoding`` is the encoding the file was decoded with (``"utf-8"``,
    ``"utf-8-sig"`` when it starts with a byte-order mark, ``"cp1252"``...);
    ``ignored_columns`` are the columns of the file no field uses.
    """

    items: tuple[T, ...]
    problems: tuple[ImportProblem, ...] = ()
    encoding: str | None = None
    source: str | None = None
    lines: tuple[int | None, ...] = ()
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every row was read."""
        return not self.problems

    def raise_on_problems(self) -> tuple[T, ...]:
        """The items, or :class:`DataImportError` listing every problem when there is one."""
        if self.problems:
            listed = "\n".join(f"  {problem}" for problem in self.problems)
            raise DataImportError(f"{len(self.problems)} row(s) could not be read:\n{listed}")
        return self.items


@attrs.frozen
class InvoicePayment:
    """A payment read from a file, with the number of the invoice it pays.

    :func:`attach_payments` adds it to its invoice; ``source`` and ``line`` say where it was
    read, so that a payment for an unknown invoice is reported at its line.
    """

    invoice_number: str
    payment: Payment
    source: str | None = None
    line: int | None = None


@attrs.frozen
class Portfolio:
    """Clients and invoices (payments attached) read together by :func:`read_portfolio`."""

    clients: tuple[Client, ...]
    invoices: tuple[Invoice, ...]
    problems: tuple[ImportProblem, ...] = ()
    encodings: Mapping[str, str | None] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        """True when every row of every file was read and fits."""
        return not self.problems


# ---------------------------------------------------------------------------------------------
# Cell parsers


_SPACES = " \u00a0\u202f"
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMBER_CHARS = re.compile(r"[0-9.," + _SPACES + "]+")
_SPACE_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:[" + _SPACES + r"][0-9]{3})+")
_PLAIN = re.compile(r"[0-9]+")


def _bad(text: object, why: str) -> DataImportError:
    return DataImportError(f"{text!r} {why}", value=text)


def parse_date(text: str) -> dt.date:
    """Read a date written ``dd/mm/yyyy`` (``d/m/yyyy`` too) or ``yyyy-mm-dd``.

    >>> parse_date("05/03/2025"), parse_date("2025-03-05")
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 5))

    A date that does not exist (``31/02/2025``) and any other format (two-digit years,
    ``mm/dd/yyyy`` with a month above 12, a time of day) raise :class:`DataImportError`.
    """
    if not isinstance(text, str):
        raise _bad(text, "is not a date written dd/mm/yyyy")
    value = text.strip()
    if match := _DMY.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise _bad(text, "is not a date written dd/mm/yyyy or yyyy-mm-dd")
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _bad(text, f"is not a valid date ({exc})") from None


@attrs.frozen
class _Number:
    value: Decimal
    #: The decimal mark the text used ("," or "."), None for a whole number.
    mark: str | None
    #: "EUR" when the text carried a euro sign.
    currency: str | None = None


def _scan_number(text: str) -> _Number:
    """Read ``1 234,50``, ``1234,50``, ``1.234,50``, ``1234.50``, ``1,234.50`` exactly."""
    value = text.strip()
    currency = None
    if value.endswith("€") or value.startswith("€"):
        currency = "EUR"
        value = value.strip("€").strip(_SPACES)
    sign = ""
    if value[:1] in ("-", "+"):
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    if not value or not _NUMBER_CHARS.fullmatch(value) or not value[0].isdigit():
        raise _bad(text, "is not an amount such as 1 234,50")
    commas, points = value.count(","), value.count(".")
    spaced = any(space in value for space in _SPACES)
    mark: str | None
    if commas and points:
        # Both appear: the last one is the decimal mark, the other groups thousands.
        mark = "," if value.rfind(",") > value.rfind(".") else "."
        group = "." if mark == "," else ","
        if value.count(mark) != 1 or spaced:
            raise _bad(text, "mixes several thousands separators")
        whole, fraction = value.split(mark)
        whole = _ungroup(whole, group, text)
    elif commas + points == 0:
        whole, fraction, mark = _ungroup(value, None, text), "", None
    else:
        separator = "," if commas else "."
        count = commas or points
        if count > 1:
            # 1.234.567: repeated, so it groups thousands.
            if spaced:
                raise _bad(text, "mixes several thousands separators")
            whole, fraction, mark = _ungroup(value, separator, text), "", None
        else:
            whole, fraction = value.split(separator)
            if not spaced and re.fullmatch(r"[1-9][0-9]{0,2}", whole) and len(fraction) == 3:
                raise _bad(
                    text,
                    f"is ambiguous: {separator!r} may separate thousands ({whole}{fraction}) or "
                    f"decimals ({whole}.{fraction}); write it with its cents and without "
                    f"thousands separator, e.g. {whole}{fraction},00",
                )
            whole, mark = _ungroup(whole, None, text), separator
    if fraction and not fraction.isdigit():
        raise _bad(text, "is not an amount such as 1 234,50")
    if mark is not None and not fraction:
        raise _bad(text, "has a decimal mark but no decimals")
    number = Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    return _Number(number, mark, currency)


def _ungroup(whole: str, group: str | None, text: str) -> str:
    """Remove thousands separators from the whole part, checking groups of three digits."""
    if _PLAIN.fullmatch(whole):
        return whole
    pattern = (
        _SPACE_GROUPED
        if group is None
        else re.compile(r"[1-9][0-9]{0,2}(?:" + re.escape(group) + r"[0-9]{3})+")
    )
    if group is not None and any(space in whole for space in _SPACES):
        raise _bad(text, "mixes several thousands separators")
    if not pattern.fullmatch(whole):
        raise _bad(text, "has misplaced thousands separators")
    return re.sub(r"[^0-9]", "", whole)


def parse_amount(text: str) -> Decimal:
    """Read an amount written the French or the English way, exactly.

    ``1 234,50`` (space, U+00A0 or U+202F between thousands), ``1234,50``, ``1.234,50``,
    ``1234.50`` and ``1,234.50`` all give ``Decimal("1234.50")``.  ``1.234`` and ``1,234``
    could be a thousand or a decimal number: they raise :class:`DataImportError`.
    """
    if not isinstance(text, str):
        raise _bad(text, "is not an amount such as 1 234,50")
    return _scan_number(text).value


# The canonical spreadsheet formula-injection triggers (OWASP "CSV Injection").
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED_FORMULA = re.compile(r"'+[=+\-@\t\r]")


def neutralise_formula(text: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (one starting with ``=``,
    ``+``, ``-``, ``@``, tab or carriage return), and to such a cell already prefixed, so
    that :func:`unneutralise_formula` removes exactly one ``'``."""
    return "'" + text if _FORMULA.match(text) else text


def unneutralise_formula(text: str) -> str:
    """Undo :func:`neutralise_formula`: remove the ``'`` it put before a formula trigger."""
    return text[1:] if _ESCAPED_FORMULA.match(text) else text


_neutralise = neutralise_formula
_unneutralise = unneutralise_formula


_TRUE = frozenset({"oui", "o", "vrai", "true", "yes", "y", "1", "x"})
_FALSE = frozenset({"non", "n", "faux", "false", "no", "0"})
_KINDS = {
    "entreprise": ClientKind.BUSINESS,
    "professionnel": ClientKind.BUSINESS,
    "pro": ClientKind.BUSINESS,
    "b2b": ClientKind.BUSINESS,
    "business": ClientKind.BUSINESS,
    "particulier": ClientKind.CONSUMER,
    "b2c": ClientKind.CONSUMER,
    "consumer": ClientKind.CONSUMER,
}


def _fold(text: str) -> str:
    """Lower-case, without accents, words joined by ``_``: ``Échéance`` → ``echeance``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


# ---------------------------------------------------------------------------------------------
# Column schemas


@attrs.frozen
class _Column:
    field: str
    #: Accepted (folded) header names; the first is the French name the writers use.
    names: tuple[str, ...]
    required: bool = False
    number: bool = False


_INVOICE_COLUMNS = (
    _Column(
        "number",
        (
            "numero",
            "number",
            "numero_facture",
            "numero_de_facture",
            "n_facture",
            "no_facture",
            "invoice_number",
            "facture",
        ),
        True,
    ),
    _Column("client_id", ("client", "client_id", "code_client", "id_client"), True),
    _Column(
        "issue_date",
        ("date_facture", "issue_date", "date_de_facture", "date_emission", "date"),
        True,
    ),
    _Column("due_date", ("echeance", "due_date", "date_echeance", "date_d_echeance"), True),
    _Column("amount", ("montant_ttc", "amount", "montant", "total_ttc"), True, number=True),
    _Column("currency", ("devise", "currency")),
    _Column("disputed", ("litige", "disputed")),
    _Column("hold_until", ("suspendu_jusqu_au", "hold_until")),
    _Column("sent_on", ("envoyee_le", "sent_on", "date_envoi")),
)

_PAYMENT_COLUMNS = (
    _Column("invoice", ("facture", "invoice", "numero_facture", "invoice_number"), True),
    _Column(
        "on", ("date", "on", "date_paiement", "date_de_paiement", "date_reglement", "paid_on"), True
    ),
    _Column("amount", ("montant", "amount"), True, number=True),
    _Column("currency", ("devise", "currency")),
    _Column("reference", ("reference", "ref")),
)

_CLIENT_COLUMNS = (
    _Column("id", ("id", "code_client", "client_id", "client", "code"), True),
    _Column("name", ("nom", "name", "raison_sociale"), True),
    _Column("email", ("email", "e_mail", "courriel", "mail")),
    _Column("phone", ("telephone", "phone", "tel")),
    _Column("address", ("adresse", "address")),
    _Column("postal_code", ("code_postal", "postal_code", "cp")),
    _Column("city", ("ville", "city")),
    _Column("country", ("pays", "country")),
    _Column("kind", ("type", "kind")),
    _Column("siren", ("siren",)),
    _Column("segment", ("segment",)),
    _Column("penalty_rate", ("taux_penalites", "penalty_rate"), number=True),
    _Column("locale", ("langue", "locale")),
)


def _map_header(
    header: Sequence[str], schema: Sequence[_Column], source: str
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Which column gives which field; a missing required column is a DataImportError."""
    by_name = {name: column for column in schema for name in column.names}
    found: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        column = by_name.get(_fold(title))
        if column is None:
            if title.strip():
                ignored.append(title.strip())
            continue
        if column.field in found:
            first = header[found[column.field]].strip()
            raise DataImportError(
                f"{source}: columns {first!r} and {title.strip()!r} both give the "
                f"{column.field} field; keep one"
            )
        found[column.field] = index
    missing = [column for column in schema if column.required and column.field not in found]
    if missing:
        names = "; ".join(
            f"{column.names[0]!r} (or {', '.join(repr(n) for n in column.names[1:])})"
            for column in missing
        )
        raise DataImportError(
            f"{source}: missing required column {names}; the header is "
            f"{', '.join(repr(t) for t in header)}"
        )
    return found, tuple(ignored)


# ---------------------------------------------------------------------------------------------
# Rows


class _CellError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, str) and not value.strip()


def _plain_value(value: object) -> object:
    # numpy scalars (from a DataFrame) become the matching Python object.
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


@attrs.frozen
class _RawRow:
    line: int | None
    label: Hashable | None
    #: field -> (column title as written, raw value)
    cells: Mapping[str, tuple[str, object]]


class _Row:
    """Typed access to the cells of one row; each getter raises _CellError naming the column."""

    def __init__(self, raw: _RawRow, file_mark: str | None, mark_origin: str) -> None:
        self.raw = raw
        self.file_mark = file_mark
        self.mark_origin = mark_origin

    def title(self, field: str) -> str | None:
        cell = self.raw.cells.get(field)
        return None if cell is None else cell[0]

    def _value(self, field: str) -> object:
        cell = self.raw.cells.get(field)
        if cell is None:
            return None
        value = _plain_value(cell[1])
        if _is_missing(value):
            return None
        if isinstance(value, str):
            return _unneutralise(value.strip())
        return value

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self._value(field)
        if value is None:
            if required:
                raise _CellError(self.title(field), "is empty")
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return str(value)
        raise _CellError(
            self.title(field),
            f"{value!r} is a {type(value).__name__}, not text (read the column as text, "
            "e.g. pandas dtype=str)",
        )

    def date(self, field: str, *, required: bool = False) -> dt.date | None:
        value = self._value(field)
        if value is None:
            if required:
                raise _CellError(self.title(field), "is empty")
            return None
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0) or value.tzinfo is not None:
                raise _CellError(self.title(field), f"{value!r} has a time of day, not a date")
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return parse_date(value)
            except DataImportError as exc:
                raise _CellError(self.title(field), str(exc)) from None
        raise _CellError(self.title(field), f"{value!r} is not a date")

    def number(self, field: str, *, required: bool = False) -> tuple[Decimal, str | None] | None:
        """The number and the currency its text carried (a euro sign), if any."""
        value = self._value(field)
        title = self.title(field)
        if value is None:
            if required:
                raise _CellError(title, "is empty")
            return None
        if isinstance(value, Decimal) or (
            isinstance(value, numbers.Integral) and not isinstance(value, bool)
        ):
            return Decimal(value), None  # type: ignore[arg-type]
        if isinstance(value, float):
            raise _CellError(
                title,
                f"{value!r} is a float, refused to avoid binary rounding; read the column as "
                "text (pandas dtype=str) or as Decimal",
            )
        if not isinstance(value, str):
            raise _CellError(title, f"{value!r} is not an amount")
        try:
            scanned = _scan_number(value)
        except DataImportError as exc:
            raise _CellError(title, str(exc)) from None
        if (
            scanned.mark is not None
            and self.file_mark is not None
            and scanned.mark != self.file_mark
        ):
            raise _CellError(
                title,
                f"{value!r} uses {scanned.mark!r} as decimal mark but this file uses "
                f"{self.file_mark!r} ({self.mark_origin}); two formats in one file are "
                "not read",
            )
        return scanned.value, scanned.currency

    def flag(self, field: str) -> bool:
        value = self._value(field)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        text = _fold(str(value))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _CellError(self.title(field), f"{value!r} is not oui/non (or true/false)")


# Model attributes whose column has another name.
_ATTRIBUTE_COLUMNS = {"lines": "address"}


def _field_title(row: _Row, error: RelanceError) -> str | None:
    """The column a model error is about: ``Invoice.due_date`` -> the due-date column."""
    if error.field is None:
        return None
    attribute = error.field.rsplit(".", 1)[-1]
    return row.title(_ATTRIBUTE_COLUMNS.get(attribute, attribute)) or error.field


def _file_mark(rows: Sequence[_RawRow], schema: Sequence[_Column]) -> tuple[str | None, str]:
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
                mark = _scan_number(_unneutralise(cell[1].strip())).mark
            except DataImportError:
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


def _convert(
    rows: Sequence[_RawRow],
    schema: Sequence[_Column],
    build: Callable[[_Row], T],
    key: Callable[[T], str] | None,
    source: str,
    what: str,
) -> tuple[list[T], list[int | None], list[ImportProblem]]:
    mark, origin = _file_mark(rows, schema)
    items: list[T] = []
    lines: list[int | None] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int | Hashable | None] = {}
    for raw in rows:
        row = _Row(raw, mark, origin)
        try:
            item = build(row)
        except _CellError as exc:
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


def _money(row: _Row, field: str, currency: str) -> Decimal:
    found = row.number(field, required=True)
    assert found is not None
    value, sign = found
    if sign is not None and sign != currency:
        raise _CellError(row.title(field), f"is written in {sign} but the currency is {currency}")
    return value


def _build_invoice(row: _Row) -> Invoice:
    currency = row.text("currency") or "EUR"
    return Invoice(
        row.text("number", required=True),  # type: ignore[arg-type]
        row.text("client_id", required=True),  # type: ignore[arg-type]
        row.date("issue_date", required=True),  # type: ignore[arg-type]
        row.date("due_date", required=True),  # type: ignore[arg-type]
        _money(row, "amount", currency),
        currency=currency,
        disputed=row.flag("disputed"),
        hold_until=row.date("hold_until"),
        sent_on=row.date("sent_on"),
    )


def _build_payment(row: _Row) -> InvoicePayment:
    currency = row.text("currency")
    found = row.number("amount", required=True)
    assert found is not None
    amount, sign = found
    if sign is not None and currency is not None and sign != currency:
        raise _CellError(
            row.title("amount"), f"is written in {sign} but the currency is {currency}"
        )
    payment = Payment(
        row.date("on", required=True),  # type: ignore[arg-type]
        amount,
        currency=currency or sign,
        reference=row.text("reference"),
    )
    number = row.text("invoice", required=True)
    assert number is not None
    return InvoicePayment(number, payment, None, row.raw.line)


def _build_client(row: _Row) -> Client:
    kind_text = row.text("kind")
    kind = ClientKind.BUSINESS
    if kind_text is not None:
        try:
            kind = _KINDS[_fold(kind_text)]
        except KeyError:
            raise _CellError(
                row.title("kind"), f"{kind_text!r} is not 'entreprise' or 'particulier'"
            ) from None
    lines_text = row.text("address")
    postal_code = row.text("postal_code")
    city = row.text("city")
    country = row.text("country")
    address = None
    if lines_text is not None or postal_code is not None or city is not None:
        lines = [part.strip() for part in re.split(r"[|\n]", lines_text or "") if part.strip()]
        address = Address(lines, postal_code, city, country or "FR")  # type: ignore[arg-type]
    elif country is not None:
        raise _CellError(row.title("country"), "a country without address, postal code and city")
    rate = row.number("penalty_rate")
    return Client(
        row.text("id", required=True),  # type: ignore[arg-type]
        row.text("name", required=True),  # type: ignore[arg-type]
        email=row.text("email"),
        phone=row.text("phone"),
        address=address,
        kind=kind,
        locale=row.text("locale") or "fr_FR",
        segment=row.text("segment") or "standard",
        siren=row.text("siren"),
        penalty_rate=None if rate is None else rate[0],
    )


# ---------------------------------------------------------------------------------------------
# CSV reading


def _source_name(source: object, name: str | None) -> str:
    if name is not None:
        return name
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if isinstance(source, bytes):
        return "<bytes>"
    given = getattr(source, "name", None)
    return given if isinstance(given, str) else "<stream>"


def _load_bytes(source: Source, name: str) -> bytes | str:
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise DataImportError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if isinstance(source, bytes):
        return source
    if not callable(getattr(source, "read", None)):
        raise DataImportError(
            "must be a path, the file's bytes or an open file", field="source", value=source
        )
    content = source.read()
    if not isinstance(content, (bytes, str)):
        raise DataImportError(f"{name}: the file object gave {type(content).__name__}, not data")
    return content


def _decode(data: bytes | str, encoding: str | None, name: str) -> tuple[str, str | None]:
    """The text and the encoding it was read with (None for a text stream)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    if encoding is not None and not isinstance(encoding, str):
        raise InvalidFieldError(
            "must be an encoding name such as 'cp1252'", field="encoding", value=encoding
        )
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise DataImportError(f"unknown encoding {encoding!r}", field="encoding") from None
        except UnicodeDecodeError as exc:
            raise DataImportError(
                f"{name}: cannot be decoded as {encoding} ({_where(data, exc.start)})"
            ) from None
        return text.removeprefix("\ufeff"), encoding
    candidates: tuple[str, ...] = (
        ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "cp1252")
    )
    for candidate in candidates:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError as exc:
            failure = exc
    raise DataImportError(
        f"{name}: is neither UTF-8 nor Windows-1252 ({_where(data, failure.start)}); "
        "pass encoding=..."
    )


def _where(data: bytes, position: int) -> str:
    line = data.count(b"\n", 0, position) + 1
    return f"byte {data[position]:#04x} on line {line}"


def _items(values: object, kind: type[T], field: str) -> tuple[T, ...]:
    """``values`` as a tuple, checking it is an iterable of ``kind`` (never a string)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidFieldError(
            f"must be an iterable of {kind.__name__}", field=field, value=values
        )
    items = tuple(values)
    for item in items:
        if not isinstance(item, kind):
            raise InvalidFieldError(
                f"must hold only {kind.__name__} objects", field=field, value=item
            )
    return items


_DELIMITERS = (";", "\t", ",")


def _sniff(first_line: str, name: str) -> str:
    counts = [(first_line.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    count, _order, delimiter = max(counts)
    if count == 0:
        raise DataImportError(
            f"{name}: cannot tell the separator: the header line has no ';', tab or ','; "
            "pass delimiter=..."
        )
    return delimiter


def _csv_rows(
    source: Source,
    *,
    encoding: str | None,
    delimiter: str | None,
    name: str | None,
    schema: Sequence[_Column],
) -> tuple[list[_RawRow], list[ImportProblem], str, str | None, tuple[str, ...]]:
    label = _source_name(source, name)
    text, used = _decode(_load_bytes(source, label), encoding, label)
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise DataImportError(f"{label}: is empty (no header line)")
    # Excel's "sep=;" first line names the separator.
    hint = re.fullmatch(r"sep=([;,\t])", first.strip(" \r\n"))
    if delimiter is None:
        delimiter = hint.group(1) if hint else _sniff(first, label)
    elif delimiter not in _DELIMITERS:
        raise DataImportError("must be ';', ',' or a tab", field="delimiter", value=delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[_RawRow] = []
    problems: list[ImportProblem] = []
    header: list[str] | None = None
    columns: dict[str, int] = {}
    ignored: tuple[str, ...] = ()
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataImportError(f"{label}:{reader.line_num}: unreadable CSV ({exc})") from None
        line, start = start, reader.line_num + 1
        if not any(value.strip() for value in values):
            continue
        if header is None and hint is not None:
            hint = None
            continue
        if header is None:
            header = values
            columns, ignored = _map_header(header, schema, label)
            continue
        if len(values) != len(header):
            problems.append(
                ImportProblem(
                    label,
                    line,
                    None,
                    f"has {len(values)} fields but the header has {len(header)}; "
                    f"check the separator {delimiter!r} and the quotes",
                )
            )
            continue
        cells = {field: (header[index].strip(), values[index]) for field, index in columns.items()}
        rows.append(_RawRow(line, None, cells))
    assert header is not None
    return rows, problems, label, used, ignored


def _read_csv(
    source: Source,
    schema: Sequence[_Column],
    build: Callable[[_Row], T],
    key: Callable[[T], str] | None,
    what: str,
    *,
    encoding: str | None,
    delimiter: str | None,
    name: str | None,
) -> ImportResult[T]:
    rows, problems, label, used, ignored = _csv_rows(
        source, encoding=encoding, delimiter=delimiter, name=name, schema=schema
    )
    items, lines, more = _convert(rows, schema, build, key, label, what)
    everything = sorted(problems + more, key=lambda p: p.line or 0)
    return ImportResult(tuple(items), tuple(everything), used, label, tuple(lines), ignored)


def read_invoices_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
) -> ImportResult[Invoice]:
    """Read invoices from a CSV export (columns in ``docs/import.md``).

    ``encoding=None`` tries UTF-8 (with or without byte-order mark), then Windows-1252, and
    says which in :attr:`ImportResult.encoding`; ``delimiter=None`` takes the most frequent
    of ``;``, tab and ``,`` in the header line.  ``name`` names the file in problems (the
    path by default).  Payments come from another file: see :func:`read_payments_csv`.
    """
    return _read_csv(
        source,
        _INVOICE_COLUMNS,
        _build_invoice,
        lambda invoice: invoice.number,
        "invoice",
        encoding=encoding,
        delimiter=delimiter,
        name=name,
    )


def read_clients_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
) -> ImportResult[Client]:
    """Read clients from a CSV export (see :func:`read_invoices_csv` for the options)."""
    return _read_csv(
        source,
        _CLIENT_COLUMNS,
        _build_client,
        lambda client: client.id,
        "client",
        encoding=encoding,
        delimiter=delimiter,
        name=name,
    )


def read_payments_csv(
    source: Source,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    name: str | None = None,
) -> ImportResult[InvoicePayment]:
    """Read payments, each with the number of the invoice it pays; attach them to their
    invoices with :func:`attach_payments`.  Two identical lines are two payments."""
    rows, problems, label, used, ignored = _csv_rows(
        source, encoding=encoding, delimiter=delimiter, name=name, schema=_PAYMENT_COLUMNS
    )
    items, lines, more = _convert(rows, _PAYMENT_COLUMNS, _build_payment, None, label, "payment")
    located = tuple(attrs.evolve(item, source=label) for item in items)
    everything = sorted(problems + more, key=lambda p: p.line or 0)
    return ImportResult(located, tuple(everything), used, label, tuple(lines), ignored)


def attach_payments(
    invoices: Iterable[Invoice], payments: Iterable[InvoicePayment]
) -> ImportResult[Invoice]:
    """Add each payment to the invoice it names (after the invoice's own payments).

    Returns new invoices (:func:`attrs.evolve`), in the order given.  A payment for an
    unknown invoice, for a number two invoices share, or that the invoice refuses (another
    currency, more decimals than the currency has) is reported at its line and not attached.
    """
    table: dict[str, Invoice] = {}
    shared: set[str] = set()
    order: list[str] = []
    for invoice in _items(invoices, Invoice, "invoices"):
        if invoice.number in table:
            shared.add(invoice.number)
        else:
            order.append(invoice.number)
        table.setdefault(invoice.number, invoice)
    problems: list[ImportProblem] = []
    for entry in _items(payments, InvoicePayment, "payments"):
        where = (entry.source or "<payments>", entry.line, None)
        number = entry.invoice_number
        if number in shared:
            problems.append(
                ImportProblem(*where, f"two invoices carry number {number!r}; payment not attached")
            )
            continue
        found = table.get(number)
        if found is None:
            problems.append(
                ImportProblem(
                    *where, f"invoice {number!r} is not among the invoices; payment not attached"
                )
            )
            continue
        try:
            payment = entry.payment
            if payment.currency is None:
                # The invoice's currency: store the amount at its minor unit, as the model does.
                exact = to_money(payment.amount, found.currency, "Payment.amount", allow_zero=False)
                payment = attrs.evolve(payment, amount=exact)
            table[number] = attrs.evolve(found, payments=(*found.payments, payment))
        except RelanceError as exc:
            problems.append(
                ImportProblem(*where, f"payment not attached to invoice {number!r}: {exc}")
            )
    return ImportResult(tuple(table[number] for number in order), tuple(problems))


def read_portfolio(
    *,
    clients: Source,
    invoices: Source,
    payments: Source | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Portfolio:
    """Read clients, invoices and (optionally) payments, attach the payments, and check that
    every invoice's client was read: an invoice whose client is missing is left out and
    reported at its line."""
    options: dict[str, Any] = {"encoding": encoding, "delimiter": delimiter}
    client_result = read_clients_csv(clients, **options)
    invoice_result = read_invoices_csv(invoices, **options)
    problems = [*client_result.problems, *invoice_result.problems]
    encodings = {
        client_result.source or "<clients>": client_result.encoding,
        invoice_result.source or "<invoices>": invoice_result.encoding,
    }
    read_invoices = invoice_result.items
    if payments is not None:
        payment_result = read_payments_csv(payments, **options)
        problems.extend(payment_result.problems)
        encodings[payment_result.source or "<payments>"] = payment_result.encoding
        attached = attach_payments(read_invoices, payment_result.items)
        problems.extend(attached.problems)
        read_invoices = attached.items
    known = {client.id for client in client_result.items}
    line_of = dict(
        zip((inv.number for inv in invoice_result.items), invoice_result.lines, strict=True)
    )
    kept = []
    for invoice in read_invoices:
        if invoice.client_id in known:
            kept.append(invoice)
            continue
        problems.append(
            ImportProblem(
                invoice_result.source or "<invoices>",
                line_of.get(invoice.number),
                None,
                f"client {invoice.client_id!r} of invoice {invoice.number!r} is not in "
                f"{client_result.source}; the invoice is left out",
            )
        )
    return Portfolio(tuple(client_result.items), tuple(kept), tuple(problems), encodings)


# ---------------------------------------------------------------------------------------------
# pandas


def _frame_rows(
    frame: pd.DataFrame, schema: Sequence[_Column], name: str
) -> tuple[list[_RawRow], tuple[str, ...]]:
    header = [str(column) for column in frame.columns]
    columns, ignored = _map_header(header, schema, name)
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        if all(_is_missing(_plain_value(value)) for value in values):
            continue
        cells = {field: (header[index], values[index]) for field, index in columns.items()}
        rows.append(_RawRow(None, label, cells))
    return rows, ignored


def _read_frame(
    frame: pd.DataFrame,
    schema: Sequence[_Column],
    build: Callable[[_Row], T],
    key: Callable[[T], str] | None,
    what: str,
    name: str,
) -> ImportResult[T]:
    rows, ignored = _frame_rows(frame, schema, name)
    items, lines, problems = _convert(rows, schema, build, key, name, what)
    return ImportResult(tuple(items), tuple(problems), None, name, tuple(lines), ignored)


def invoices_from_frame(frame: pd.DataFrame, *, name: str = "DataFrame") -> ImportResult[Invoice]:
    """Read invoices from a DataFrame with the same columns as the CSV files.

    Cells may be strings (read as in a CSV file), dates or Timestamps at midnight, ``int``
    or ``Decimal`` amounts; ``float`` amounts are refused (binary rounding): read the file
    with ``dtype=str``.  Problems name the row's index label.
    """
    return _read_frame(frame, _INVOICE_COLUMNS, _build_invoice, lambda i: i.number, "invoice", name)


def clients_from_frame(frame: pd.DataFrame, *, name: str = "DataFrame") -> ImportResult[Client]:
    """Read clients from a DataFrame with the same columns as the CSV files."""
    return _read_frame(frame, _CLIENT_COLUMNS, _build_client, lambda c: c.id, "client", name)


def payments_from_frame(
    frame: pd.DataFrame, *, name: str = "DataFrame"
) -> ImportResult[InvoicePayment]:
    """Read payments from a DataFrame with the same columns as the CSV files."""
    result = _read_frame(frame, _PAYMENT_COLUMNS, _build_payment, None, "payment", name)
    return attrs.evolve(result, items=tuple(attrs.evolve(p, source=name) for p in result.items))


#: The columns of :func:`plan_to_frame` and :func:`plan_to_csv` (English, French header).
_PLAN_COLUMNS = (
    ("client_id", "client"),
    ("client_name", "nom_client"),
    ("action_key", "cle_action"),
    ("action_step", "etape_action"),
    ("item_step", "etape_facture"),
    ("channel", "canal"),
    ("invoice", "facture"),
    ("due_date", "echeance"),
    ("days_overdue", "jours_retard"),
    ("balance", "solde"),
    ("penalties", "penalites"),
    ("indemnity", "indemnite"),
    ("currency", "devise"),
)


def _plan_records(plan: Plan) -> list[dict[str, Any]]:
    if not isinstance(plan, Plan):
        raise InvalidFieldError("must be a Plan", field="plan", value=plan)
    records = []
    for action in plan.actions:
        for item in action.items:
            records.append(
                {
                    "client_id": action.client.id,
                    "client_name": action.client.name,
                    "action_key": action.key,
                    "action_step": action.step.key,
                    "item_step": item.step.key,
                    "channel": action.channel.value,
                    "invoice": item.invoice.number,
                    "due_date": item.invoice.due_date,
                    "days_overdue": item.days_overdue,
                    "balance": item.balance,
                    "penalties": None if item.penalties is None else item.penalties.amount,
                    "indemnity": item.indemnity,
                    "currency": item.currency,
                }
            )
    return records


def plan_to_frame(plan: Plan) -> pd.DataFrame:
    """One row per invoice of each action of ``plan``.

    Amounts stay exact :class:`~decimal.Decimal` objects (``object`` columns) and dates
    :class:`datetime.date` objects: convert explicitly (``.astype(float)``) when binary
    rounding is acceptable, e.g. for a chart.  ``penalties`` is ``None`` on steps without
    penalties; ``channel`` is the channel's value (``"email"``).
    """
    import pandas as pd

    return pd.DataFrame(_plan_records(plan), columns=[english for english, _fr in _PLAN_COLUMNS])


def records_to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """One row per (invoice, step) pair of each journal record, oldest first as given.

    Columns: ``key``, ``client_id``, ``on`` (a date), ``channel`` (its value), ``step`` (the
    action's step), ``invoice``, ``invoice_step``, ``reference``.
    """
    import pandas as pd

    from relancelib.journal import Record

    rows = []
    for record in _items(records, Record, "records"):
        pairs: Sequence[tuple[str | None, str | None]] = record.steps or ((None, None),)
        for number, step in pairs:
            rows.append(
                {
                    "key": record.key,
                    "client_id": record.client_id,
                    "on": record.on,
                    "channel": record.channel.value,
                    "step": getattr(record, "step", None),
                    "invoice": number,
                    "invoice_step": step,
                    "reference": record.reference,
                }
            )
    columns = ["key", "client_id", "on", "channel", "step", "invoice", "invoice_step", "reference"]
    return pd.DataFrame(rows, columns=columns)


#: The buckets of :func:`aged_balance`, by days past the due date.
AGED_BUCKETS = ("not due", "1-30", "31-60", "61-90", "> 90")
_TOTAL = "Total"


def _bucket(days: int) -> int:
    if days <= 0:
        return 0
    if days <= 30:
        return 1
    if days <= 60:
        return 2
    if days <= 90:
        return 3
    return 4


def aged_balance(invoices: Iterable[Invoice], as_of: dt.date) -> pd.DataFrame:
    """The aged balance (*balance âgée*) on ``as_of``: each client's balances by age.

    Rows are indexed by ``(client_id, currency)`` — amounts in different currencies are
    never added — sorted, then one ``("Total", currency)`` row per currency.  Columns are
    :data:`AGED_BUCKETS` (days past the due date on ``as_of``) and ``total``.  Cells are
    exact :class:`~decimal.Decimal` amounts quantized to the currency (``object``
    columns).  Balances are :meth:`Invoice.balance` on ``as_of``: invoices issued after
    ``as_of`` and settled ones are left out; disputed and held invoices are included (they
    are still owed), and an overpaid invoice counts as a negative balance (a credit).
    """
    import pandas as pd

    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise InvalidFieldError("must be a datetime.date", field="as_of", value=as_of)
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for invoice in _items(invoices, Invoice, "invoices"):
        if invoice.issue_date > as_of:
            continue
        balance = invoice.balance(as_of)
        if balance == 0:
            continue
        zero = Decimal(0).quantize(minor_unit(invoice.currency))
        cells = sums.setdefault((invoice.client_id, invoice.currency), [zero] * len(AGED_BUCKETS))
        cells[_bucket((as_of - invoice.due_date).days)] += balance
    keys = sorted(sums)
    data = [[*sums[key], sum(sums[key], Decimal(0))] for key in keys]
    for currency in sorted({currency for _client, currency in keys}):
        rows = [row for key, row in zip(keys, data, strict=True) if key[1] == currency]
        zero = Decimal(0).quantize(minor_unit(currency))
        totals = [sum((row[i] for row in rows), zero) for i in range(len(AGED_BUCKETS) + 1)]
        keys.append((_TOTAL, currency))
        data.append(totals)
    index = pd.MultiIndex.from_tuples(keys, names=["client_id", "currency"])
    return pd.DataFrame(data, index=index, columns=[*AGED_BUCKETS, "total"], dtype=object)


# ---------------------------------------------------------------------------------------------
# Factur-X


@attrs.frozen
class FacturXInvoice:
    """An invoice read from a Factur-X / ZUGFeRD PDF or a CII XML file.

    ``buyer`` is the client the invoice was issued to; ``seller_name`` and ``seller_siren``
    say who issued it (check it is you before chasing); ``profile`` is the guideline
    identifier (``urn:...:factur-x.eu:1p0:basic``); ``warnings`` list what was read but
    left out (an address or an e-mail address the model refuses, a due amount that
    differs from the grand total less prepaid amounts).
    """

    invoice: Invoice
    buyer: Client
    seller_name: str | None
    seller_siren: str | None
    profile: str | None
    source: str
    warnings: tuple[str, ...] = ()


# drafthorse has no public accessors for parsed values: an element keeps its text in
# ``_text``, a date or a decimal in ``_value``, an amount with currency in ``_amount``.


def _dh_text(element: Any) -> str | None:
    text = getattr(element, "_text", None)
    if text is None:
        return None
    text = str(text).strip()
    return text or None


def _dh_value(element: Any) -> Any:
    value = getattr(element, "_value", None)
    return None if value == "" else value


def _dh_amount(element: Any) -> Decimal | None:
    amount = getattr(element, "_amount", None)
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, str) and amount.strip():
        return Decimal(amount)
    return None


_CREDIT_NOTES = frozenset({"381", "261", "262", "396", "532"})


def read_facturx(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    client_id: str | None = None,
    name: str | None = None,
) -> FacturXInvoice:
    """Read the invoice of a Factur-X / ZUGFeRD PDF (or of a bare CII XML file).

    The XML is extracted with ``facturx.get_xml_from_pdf`` and read with drafthorse's
    ``Document.parse``.  It maps the invoice number (BT-1), issue date (BT-2), due date
    (BT-9), grand total (BT-112, the amount including VAT), currency (BT-5) and the buyer
    (BT-44 name, BT-46/BT-47 identifier, address and SIREN) to a client; a prepaid amount
    (BT-113) becomes a payment dated on the issue date.  ``client_id`` replaces the buyer's
    identifier (needed when the invoice gives none).  A file that is not a Factur-X invoice,
    a credit note, or an invoice without due date raises :class:`DataImportError` naming
    the file.
    """
    label = _source_name(source, name)
    data = _load_bytes(source, label)
    if isinstance(data, str):
        raise DataImportError(f"{label}: open the file in binary mode ('rb')")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF"):
        import facturx

        try:
            _xml_name, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
        # A third-party boundary: pypdf raises its own errors for a damaged PDF.
        except Exception as exc:
            raise DataImportError(f"{label}: is not a readable PDF ({exc})") from None
        if not xml:
            raise DataImportError(
                f"{label}: is a PDF without an embedded Factur-X/ZUGFeRD invoice (no CII XML "
                "attachment such as factur-x.xml)"
            )
    elif head.startswith(b"<"):
        xml = data
    else:
        raise DataImportError(f"{label}: is neither a PDF nor an XML file")
    return _facturx_invoice(xml, label, client_id)


def _facturx_invoice(xml: bytes, label: str, client_id: str | None) -> FacturXInvoice:
    from drafthorse.models.document import Document  # type: ignore[import-untyped, unused-ignore]

    try:
        document: Any = Document.parse(xml, strict=False)
    # A third-party boundary: lxml and drafthorse raise many kinds of errors on bad XML.
    except Exception as exc:
        raise DataImportError(
            f"{label}: is not a Cross Industry Invoice (CII) XML: {exc}"
        ) from None
    warnings: list[str] = []
    header = document.header
    type_code = _dh_text(header.type_code)
    if type_code in _CREDIT_NOTES:
        raise DataImportError(
            f"{label}: is a credit note (type {type_code}), not an invoice to collect"
        )
    number = _dh_text(header.id)
    issue_date = _dh_value(header.issue_date_time)
    settlement = document.trade.settlement
    currency = _dh_text(settlement.currency_code)
    summation = settlement.monetary_summation
    grand_total = _dh_amount(summation.grand_total)
    due_dates = sorted({_dh_value(term.due) for term in settlement.terms.children} - {None})
    missing = [
        what
        for what, value in (
            ("the invoice number (BT-1)", number),
            ("the issue date (BT-2)", issue_date),
            ("the currency (BT-5)", currency),
            ("the grand total (BT-112)", grand_total),
            ("a due date (BT-9, SpecifiedTradePaymentTerms/DueDateDateTime)", due_dates),
        )
        if not value
    ]
    if missing:
        raise DataImportError(f"{label}: the invoice has no {', no '.join(missing)}")
    if len(due_dates) > 1:
        listed = ", ".join(d.isoformat() for d in due_dates)
        warnings.append(f"several due dates ({listed}); the earliest is used")
    prepaid = _dh_value(summation.prepaid_total)
    payments = []
    if isinstance(prepaid, Decimal) and prepaid > 0:
        payments.append(Payment(issue_date, prepaid, reference="TotalPrepaidAmount (BT-113)"))
    due_amount = _dh_value(summation.due_amount)
    rounding = _dh_value(summation.rounding_amount)
    assert grand_total is not None
    expected = (
        grand_total
        - (prepaid if isinstance(prepaid, Decimal) else 0)
        + (rounding if isinstance(rounding, Decimal) else 0)
    )
    if isinstance(due_amount, Decimal) and due_amount != expected:
        warnings.append(
            f"the amount due for payment (BT-115) {due_amount} differs from the grand total less "
            f"prepaid amounts {expected}; the invoice is read at its grand total"
        )
    buyer = _facturx_client(document.trade.agreement.buyer, label, client_id, warnings)
    try:
        invoice = Invoice(
            number,  # type: ignore[arg-type]
            buyer.id,
            issue_date,
            due_dates[0],
            grand_total,
            currency=currency,  # type: ignore[arg-type]
            payments=payments,
        )
    except RelanceError as exc:
        raise DataImportError(f"{label}: {exc}") from None
    seller = document.trade.agreement.seller
    seller_siren = None
    organisation = seller.legal_organization.id
    if getattr(organisation, "_scheme_id", None) == "0002":
        seller_siren = _dh_text(organisation)
    return FacturXInvoice(
        invoice,
        buyer,
        _dh_text(seller.name),
        seller_siren,
        _dh_text(document.context.guideline_parameter.id),
        label,
        tuple(warnings),
    )


def _facturx_client(party: Any, label: str, client_id: str | None, warnings: list[str]) -> Client:
    name = _dh_text(party.name)
    organisation = party.legal_organization.id
    identifiers = [
        client_id,
        _dh_text(party.id),
        _dh_text(organisation),
        *(str(text).strip() for _scheme, text in party.global_id.children if text),
    ]
    identifier = next((value for value in identifiers if value), None)
    if name is None or identifier is None:
        what = "name (BT-44)" if name is None else "identifier (BT-46/BT-47); pass client_id="
        raise DataImportError(f"{label}: the buyer has no {what}")
    base = Client(identifier, name)
    fields: dict[str, Any] = {}
    if getattr(organisation, "_scheme_id", None) == "0002":
        fields["siren"] = _dh_text(organisation)
    electronic = party.electronic_address.uri_ID
    if getattr(electronic, "_scheme_id", None) == "EM":
        fields["email"] = _dh_text(electronic)
    else:
        fields["email"] = _dh_text(party.contact.email.address)
    address = party.address
    lines = [_dh_text(address.line_one), _dh_text(address.line_two), _dh_text(address.line_three)]
    postal_code, city = _dh_text(address.postcode), _dh_text(address.city_name)
    if any(lines) or postal_code or city:
        try:
            fields["address"] = Address(
                [line for line in lines if line],
                postal_code,  # type: ignore[arg-type]
                city,  # type: ignore[arg-type]
                _dh_text(address.country_id) or "FR",
            )
        except RelanceError as exc:
            warnings.append(f"the buyer's address is left out: {exc}")
    for key, value in fields.items():
        if value is None:
            continue
        try:
            base = attrs.evolve(base, **{key: value})
        except RelanceError as exc:
            warnings.append(f"the buyer's {key} is left out: {exc}")
    return base


def read_facturx_files(
    sources: Iterable[str | os.PathLike[str] | bytes | IO[bytes]],
) -> ImportResult[FacturXInvoice]:
    """Read many Factur-X files: each file that cannot be read is a problem naming it."""
    items: list[FacturXInvoice] = []
    problems: list[ImportProblem] = []
    if isinstance(sources, (str, bytes, os.PathLike)) or not isinstance(sources, Iterable):
        raise InvalidFieldError("must be an iterable of files", field="sources", value=sources)
    for position, source in enumerate(sources):
        label = _source_name(
            source, None if not isinstance(source, bytes) else f"<bytes #{position}>"
        )
        try:
            items.append(read_facturx(source, name=label))
        except DataImportError as exc:
            message = str(exc).removeprefix(f"{label}: ")
            problems.append(ImportProblem(label, None, None, message))
    return ImportResult(tuple(items), tuple(problems), None, None, (None,) * len(items))


# ---------------------------------------------------------------------------------------------
# Export


class CsvStyle(enum.Enum):
    """How the writers lay out a CSV file.

    ``FRENCH``: ``;`` separator, decimal comma, ``dd/mm/yyyy`` dates, ``oui``/``non``, the
    French column names, and a UTF-8 byte-order mark when writing to a path (French Excel
    then shows the accents).  ``INTERNATIONAL``: ``,``, decimal point, ISO dates,
    ``true``/``false``, the English column names, UTF-8.  Both are read back by the readers.
    """

    FRENCH = "fr"
    INTERNATIONAL = "intl"


@contextlib.contextmanager
def _open_target(target: Target, style: CsvStyle, encoding: str | None) -> Iterator[IO[str]]:
    if isinstance(target, (str, os.PathLike)):
        chosen = encoding or ("utf-8-sig" if style is CsvStyle.FRENCH else "utf-8")
        with open(target, "w", newline="", encoding=chosen) as handle:
            yield handle
    else:
        yield target


def _cell(value: object, style: CsvStyle, currency: str | None = None) -> str:
    french = style is CsvStyle.FRENCH
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("oui" if value else "non") if french else ("true" if value else "false")
    if isinstance(value, dt.date):
        return (
            f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if french else value.isoformat()
        )
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text and currency is not None and minor_unit(currency).as_tuple().exponent == -3:
            # 1,234 could be read as a thousand: currencies with three decimals get a fourth.
            text += "0"
        return text.replace(".", ",") if french else text
    return _neutralise(str(value))


def _write(
    rows: Iterable[Sequence[str]],
    header: Sequence[str],
    target: Target,
    style: CsvStyle,
    encoding: str | None,
) -> None:
    if not isinstance(style, CsvStyle):
        raise InvalidFieldError("must be a CsvStyle", field="style", value=style)
    delimiter = ";" if style is CsvStyle.FRENCH else ","
    with _open_target(target, style, encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _titles(schema: Sequence[_Column], style: CsvStyle, fields: Sequence[str]) -> list[str]:
    """French column names, or the English ones (the field names, which are aliases too)."""
    if style is not CsvStyle.FRENCH:
        return list(fields)
    by_field = {column.field: column for column in schema}
    return [by_field[field].names[0] for field in fields]


def write_invoices_csv(
    invoices: Iterable[Invoice],
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write invoices in the format :func:`read_invoices_csv` reads back to equal invoices.

    Payments are not written here: write them with :func:`write_payments_csv`.  A text cell
    a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return) is written with a leading ``'``, which the readers remove.
    """
    fields = ("number", "client_id", "issue_date", "due_date", "amount", "currency",
              "disputed", "hold_until", "sent_on")  # fmt: skip
    rows = (
        [
            _cell(inv.number, style),
            _cell(inv.client_id, style),
            _cell(inv.issue_date, style),
            _cell(inv.due_date, style),
            _cell(inv.amount, style, inv.currency),
            _cell(inv.currency, style),
            _cell(inv.disputed, style),
            _cell(inv.hold_until, style),
            _cell(inv.sent_on, style),
        ]
        for inv in _items(invoices, Invoice, "invoices")
    )
    _write(rows, _titles(_INVOICE_COLUMNS, style, fields), target, style, encoding)


def write_payments_csv(
    invoices: Iterable[Invoice],
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write the payments of ``invoices``, one per line with its invoice's number, in the
    format :func:`read_payments_csv` reads back."""
    fields = ("invoice", "on", "amount", "currency", "reference")
    rows = (
        [
            _cell(inv.number, style),
            _cell(payment.on, style),
            _cell(payment.amount, style, inv.currency),
            _cell(payment.currency, style),
            _cell(payment.reference, style),
        ]
        for inv in _items(invoices, Invoice, "invoices")
        for payment in inv.payments
    )
    _write(rows, _titles(_PAYMENT_COLUMNS, style, fields), target, style, encoding)


def write_clients_csv(
    clients: Iterable[Client],
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write clients in the format :func:`read_clients_csv` reads back (address lines are
    joined with ``|``)."""
    fields = ("id", "name", "email", "phone", "address", "postal_code", "city", "country",
              "kind", "siren", "segment", "penalty_rate", "locale")  # fmt: skip
    french = style is CsvStyle.FRENCH
    kinds = {
        ClientKind.BUSINESS: "entreprise" if french else "business",
        ClientKind.CONSUMER: "particulier" if french else "consumer",
    }
    rows = []
    for client in _items(clients, Client, "clients"):
        address = client.address
        rate = client.penalty_rate
        rows.append(
            [
                _cell(client.id, style),
                _cell(client.name, style),
                _cell(client.email, style),
                _cell(client.phone, style),
                _cell(None if address is None else " | ".join(address.lines), style),
                _cell(None if address is None else address.postal_code, style),
                _cell(None if address is None else address.city, style),
                _cell(None if address is None else address.country, style),
                kinds[client.kind],
                _cell(client.siren, style),
                _cell(client.segment, style),
                "" if rate is None else _cell(rate, style),
                _cell(client.locale, style),
            ]
        )
    _write(rows, _titles(_CLIENT_COLUMNS, style, fields), target, style, encoding)


def plan_to_csv(
    plan: Plan,
    target: Target,
    *,
    style: CsvStyle = CsvStyle.FRENCH,
    encoding: str | None = None,
) -> None:
    """Write the plan, one line per invoice of each action (the columns of
    :func:`plan_to_frame`; French column names in the French style)."""
    records = _plan_records(plan)
    header = [french if style is CsvStyle.FRENCH else english for english, french in _PLAN_COLUMNS]
    rows = (
        [
            _cell(_quantized(record, english), style, record["currency"])
            if english in _MONEY
            else _cell(record[english], style)
            for english, _french in _PLAN_COLUMNS
        ]
        for record in records
    )
    _write(rows, header, target, style, encoding)


_MONEY = frozenset({"balance", "penalties", "indemnity"})


def _quantized(record: Mapping[str, Any], field: str) -> Decimal | None:
    value: Decimal | None = record[field]
    return None if value is None else value.quantize(minor_unit(record["currency"]))
