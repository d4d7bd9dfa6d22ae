"""Reading the cells of one row, from a CSV file or a DataFrame, as typed values.

Each getter of :class:`Row` reads through :mod:`relancelib.parsing` (dates, amounts, yes/no
words) and :mod:`relancelib.checks` (the float refusal), so a cell means what the same text
means everywhere else in relancelib; a cell it cannot read raises :class:`CellError` naming
the column as written in the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import numbers
from collections.abc import Hashable, Mapping
from decimal import Decimal

import attrs

from relancelib import parsing
from relancelib.checks import check_decimal
from relancelib.errors import DataImportError, RelanceError
from relancelib.io.export import unneutralise_formula

__all__ = [
    "TRIGGERS",
    "CellError",
    "RawRow",
    "Row",
    "cached_date",
    "is_missing",
    "parse_amount",
    "parse_date",
    "plain_value",
]


def parse_date(text: str) -> dt.date:
    """Read a date written ``dd/mm/yyyy`` (``d/m/yyyy`` too) or ``yyyy-mm-dd``.

    >>> parse_date("05/03/2025"), parse_date("2025-03-05")
    (datetime.date(2025, 3, 5), datetime.date(2025, 3, 5))

    A date that does not exist (``31/02/2025``) and any other format (two-digit years,
    ``mm/dd/yyyy`` with a month above 12, a time of day) raise :class:`DataImportError`.
    """
    return parsing.parse_date(text, error=DataImportError)


def parse_amount(text: str) -> Decimal:
    """Read an amount written the French or the English way, exactly.

    ``1 234,50`` (space, U+00A0 or U+202F between thousands), ``1234,50``, ``1.234,50``,
    ``1234.50`` and ``1,234.50`` all give ``Decimal("1234.50")``.  ``1.234`` and ``1,234``
    could be a thousand or a decimal number: they raise :class:`DataImportError`.
    """
    if not isinstance(text, str):  # a number is not text to read
        raise DataImportError(f"{text!r} is not an amount such as 1 234,50", value=text)
    return parsing.parse_amount(text, error=DataImportError)


#: The first characters of a cell :func:`unneutralise_formula` may change.
TRIGGERS = frozenset("'=+-@\t\r")


@functools.lru_cache(maxsize=4096)
def cached_date(text: str) -> dt.date:
    """:func:`relancelib.parsing.parse_date`, remembered: an export repeats its dates."""
    return parsing.parse_date(text, error=DataImportError)


class CellError(Exception):
    """A cell that cannot be read: ``field`` is its column as written, ``message`` why."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def is_missing(value: object) -> bool:
    """Whether a cell is empty: ``None``, blank text, or pandas' NaN, NA and NaT."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, str) and not value.strip()


def plain_value(value: object) -> object:
    """The Python object for a numpy scalar (from a DataFrame); any other value as it is."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


@attrs.frozen
class RawRow:
    """One row as read: its line (CSV) or index label (DataFrame), and its cells."""

    line: int | None
    label: Hashable | None
    #: field -> (column title as written, raw value)
    cells: Mapping[str, tuple[str, object]]


class Row:
    """Typed access to the cells of one row; each getter raises CellError naming the column.

    ``file_mark`` is the decimal mark most of the file's amounts use (``mark_origin`` says
    where it was seen): an amount written with the other mark is refused, never guessed.
    """

    def __init__(self, raw: RawRow, file_mark: str | None, mark_origin: str) -> None:
        self.raw = raw
        self.file_mark = file_mark
        self.mark_origin = mark_origin
        #: (column, message) of the optional cells a builder dropped.
        self.warnings: list[tuple[str | None, str]] = []
        #: The balance the row's export gave (``Reste dû``), when it has one.
        self.balance: Decimal | None = None

    def title(self, field: str) -> str | None:
        """The column of ``field`` as written in the file (None when the file has none)."""
        cell = self.raw.cells.get(field)
        return None if cell is None else cell[0]

    def _value(self, field: str) -> object:
        cell = self.raw.cells.get(field)
        if cell is None:
            return None
        value = cell[1]
        if type(value) is str:  # a CSV cell: the common case, kept short
            text = value.strip()
            if not text:
                return None
            return unneutralise_formula(text) if text[0] in TRIGGERS else text
        value = plain_value(value)
        if is_missing(value):
            return None
        if isinstance(value, str):
            return unneutralise_formula(value.strip())
        return value

    def _present(self, field: str, required: bool) -> object:
        value = self._value(field)
        if value is None and required:
            raise CellError(self.title(field), "is empty")
        return value

    def text(self, field: str, *, required: bool = False) -> str | None:
        """The cell as text (a whole number as its digits)."""
        value = self._present(field, required)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return str(value)
        raise CellError(
            self.title(field),
            f"{value!r} is a {type(value).__name__}, not text (read the column as text, "
            "e.g. pandas dtype=str)",
        )

    def date(self, field: str, *, required: bool = False) -> dt.date | None:
        """The cell as a date: a date, a datetime at midnight, or text ``parse_date`` reads."""
        value = self._present(field, required)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0) or value.tzinfo is not None:
                raise CellError(self.title(field), f"{value!r} has a time of day, not a date")
            return value.date()
        if isinstance(value, str):
            try:
                return cached_date(value)
            except RelanceError as exc:
                raise CellError(self.title(field), str(exc)) from None
        if isinstance(value, dt.date):
            try:
                return parsing.parse_date(value, error=DataImportError)
            except RelanceError as exc:
                raise CellError(self.title(field), str(exc)) from None
        raise CellError(self.title(field), f"{value!r} is not a date")

    def number(self, field: str, *, required: bool = False) -> tuple[Decimal, str | None] | None:
        """The number and the currency its text carried (a euro sign), if any."""
        value = self._present(field, required)
        title = self.title(field)
        if value is None:
            return None
        if not isinstance(value, str):
            try:
                return check_decimal(value, field), None
            except RelanceError:
                if isinstance(value, float):
                    raise CellError(
                        title,
                        f"{value!r} is a float, refused to avoid binary rounding; read the "
                        "column as text (pandas dtype=str) or as Decimal",
                    ) from None
                raise CellError(title, f"{value!r} is not an amount") from None
        try:
            scanned = parsing.parse_number(value, error=DataImportError)
        except RelanceError as exc:
            raise CellError(title, str(exc)) from None
        if (
            scanned.mark is not None
            and self.file_mark is not None
            and scanned.mark != self.file_mark
        ):
            raise CellError(
                title,
                f"{value!r} uses {scanned.mark!r} as decimal mark but this file uses "
                f"{self.file_mark!r} ({self.mark_origin}); two formats in one file are "
                "not read",
            )
        return scanned.value, scanned.currency

    def flag(self, field: str) -> bool:
        """The cell as yes/no (empty is no): a bool, or a word ``parse_bool`` reads."""
        value = self._value(field)
        if value is None:
            return False
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = str(value)  # 1 and 0 from a DataFrame
        try:
            return parsing.parse_bool(value, error=DataImportError)
        except RelanceError as exc:
            raise CellError(self.title(field), str(exc)) from None

    def client_kind(self, field: str) -> str | None:
        """The cell as a client kind word ``parse_client_kind`` reads (``"business"`` or
        ``"consumer"``), None when empty; the message names the French words a file uses."""
        text = self.text(field)
        if text is None:
            return None
        try:
            return parsing.parse_client_kind(text, error=DataImportError)
        except RelanceError:
            raise CellError(
                self.title(field), f"{text!r} is not 'entreprise' or 'particulier'"
            ) from None
