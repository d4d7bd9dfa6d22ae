"""What relancelib reads from an e-invoice, whatever its syntax: :class:`EInvoiceFields`,
filled by :mod:`relancelib.io.cii` or :mod:`relancelib.io.ubl` with lxml XPath."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from relancelib.errors import DataImportError

__all__ = ["EInvoiceFields", "Path", "parse_xml"]


@attrs.define
class EInvoiceFields:
    """The few business terms (EN 16931 BT numbers) a reminder needs, as text."""

    syntax: str
    number: str | None = None
    type_code: str | None = None
    issue_date: dt.date | None = None
    due_dates: list[dt.date] = attrs.field(factory=list)
    currency: str | None = None
    grand_total: Decimal | None = None
    prepaid: Decimal | None = None
    due_amount: Decimal | None = None
    rounding: Decimal | None = None
    profile: str | None = None
    references: list[str] = attrs.field(factory=list)
    buyer_ids: list[str] = attrs.field(factory=list)
    buyer_name: str | None = None
    buyer_siren: str | None = None
    buyer_vat: str | None = None
    buyer_email: str | None = None
    buyer_lines: list[str] = attrs.field(factory=list)
    buyer_postal_code: str | None = None
    buyer_city: str | None = None
    buyer_country: str | None = None
    seller_name: str | None = None
    seller_siren: str | None = None
    credit_note: bool = False


def parse_xml(data: bytes, label: str) -> Any:
    """The root element of ``data``; no entity, no network, comments dropped."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DataImportError(f"{label}: is not well-formed XML ({exc})") from None


class Path:
    """A compiled XPath to text, relative to a context element."""

    def __init__(self, expression: str, namespaces: dict[str, str]) -> None:
        from lxml import etree

        self._xpath = etree.XPath(expression, namespaces=namespaces, smart_strings=False)

    def all(self, context: Any) -> list[str]:
        """The stripped, non-empty texts found."""
        found = self._xpath(context)
        texts = [item if isinstance(item, str) else (item.text or "") for item in found]
        return [text.strip() for text in texts if text and text.strip()]

    def first(self, context: Any) -> str | None:
        found = self.all(context)
        return found[0] if found else None


#: The lexical space of xs:decimal: no exponent, no NaN, no infinity.
_XS_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def to_decimal(text: str | None, label: str, term: str) -> Decimal | None:
    """An XML decimal (``104.90``), exactly; ``NaN``, ``INF`` or ``1E3`` are not amounts
    (not xs:decimal) and raise :class:`DataImportError` naming the file and the term."""
    if text is None:
        return None
    if not _XS_DECIMAL.fullmatch(text):
        raise DataImportError(f"{label}: {term} {text!r} is not a number")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern lets through only decimals
        raise DataImportError(f"{label}: {term} {text!r} is not a number") from None


def to_date(text: str | None, label: str, term: str) -> dt.date | None:
    """A date written ``YYYYMMDD`` (UN/CEFACT format 102) or ``YYYY-MM-DD``."""
    if text is None:
        return None
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise DataImportError(f"{label}: {term} {text!r} is not a date") from None
