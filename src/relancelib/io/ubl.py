"""The fields of an OASIS UBL 2.1 ``Invoice`` or ``CreditNote`` (EN 16931 UBL syntax, Peppol
BIS, the French CTC profiles), read with lxml XPath: only what a reminder needs."""

from __future__ import annotations

from typing import Any

from relancelib.io.xmlfields import EInvoiceFields, Path, to_date, to_decimal

__all__ = ["UBL_CREDIT_NOTE", "UBL_INVOICE", "read_ubl"]

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_SUM = "cac:LegalMonetaryTotal/"
_BUYER = "cac:AccountingCustomerParty/cac:Party/"
_SELLER = "cac:AccountingSupplierParty/cac:Party/"
_ADDRESS = _BUYER + "cac:PostalAddress/"


def _path(expression: str) -> Path:
    return Path(expression, _NS)


_PATHS = {
    "profile": _path("cbc:CustomizationID"),  # BT-24
    "number": _path("cbc:ID"),  # BT-1
    "type_code": _path("cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode"),  # BT-3
    "issue_date": _path("cbc:IssueDate"),  # BT-2
    "currency": _path("cbc:DocumentCurrencyCode"),  # BT-5
    "due": _path("cbc:DueDate | cac:PaymentMeans/cbc:PaymentDueDate"),  # BT-9
    "grand_total": _path(_SUM + "cbc:TaxInclusiveAmount"),  # BT-112
    "prepaid": _path(_SUM + "cbc:PrepaidAmount"),  # BT-113
    "due_amount": _path(_SUM + "cbc:PayableAmount"),  # BT-115
    "rounding": _path(_SUM + "cbc:PayableRoundingAmount"),  # BT-114
    "references": _path("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),  # BT-25
    "buyer_ids": _path(
        _BUYER + "cac:PartyIdentification/cbc:ID | " + _BUYER + "cac:PartyLegalEntity/cbc:CompanyID"
    ),  # BT-46, BT-47
    "buyer_name": _path(_BUYER + "cac:PartyLegalEntity/cbc:RegistrationName"),  # BT-44
    "buyer_trading_name": _path(_BUYER + "cac:PartyName/cbc:Name"),  # BT-45
    "buyer_siren": _path(_BUYER + "cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0002']"),
    "buyer_vat": _path(_BUYER + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"),
    "buyer_email": _path(
        _BUYER + "cbc:EndpointID[@schemeID='EM'] | " + _BUYER + "cac:Contact/cbc:ElectronicMail"
    ),  # BT-49, BT-58
    "buyer_lines": _path(
        _ADDRESS + "cbc:StreetName | " + _ADDRESS + "cbc:AdditionalStreetName | "
        + _ADDRESS + "cac:AddressLine/cbc:Line"
    ),  # BT-50, BT-51, BT-163
    "buyer_postal_code": _path(_ADDRESS + "cbc:PostalZone"),  # BT-53
    "buyer_city": _path(_ADDRESS + "cbc:CityName"),  # BT-52
    "buyer_country": _path(_ADDRESS + "cac:Country/cbc:IdentificationCode"),  # BT-55
    "seller_name": _path(_SELLER + "cac:PartyLegalEntity/cbc:RegistrationName"),  # BT-27
    "seller_siren": _path(_SELLER + "cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0002']"),
}  # fmt: skip


def read_ubl(root: Any, label: str, *, credit_note: bool) -> EInvoiceFields:
    """The fields of a UBL ``Invoice`` (or ``CreditNote``) document element."""
    p = _PATHS
    fields = EInvoiceFields("UBL", credit_note=credit_note)
    for name in ("profile", "number", "type_code", "currency", "buyer_siren", "buyer_vat",
                 "buyer_email", "buyer_postal_code", "buyer_city", "buyer_country",
                 "seller_name", "seller_siren"):  # fmt: skip
        setattr(fields, name, p[name].first(root))
    fields.buyer_name = p["buyer_name"].first(root) or p["buyer_trading_name"].first(root)
    fields.issue_date = to_date(p["issue_date"].first(root), label, "the issue date (BT-2)")
    fields.due_dates = sorted(
        {d for text in p["due"].all(root) if (d := to_date(text, label, "a due date (BT-9)"))}
    )
    for name, term in (("grand_total", "BT-112"), ("prepaid", "BT-113"),
                       ("due_amount", "BT-115"), ("rounding", "BT-114")):  # fmt: skip
        setattr(fields, name, to_decimal(p[name].first(root), label, term))
    fields.references = p["references"].all(root)
    fields.buyer_ids = p["buyer_ids"].all(root)
    fields.buyer_lines = p["buyer_lines"].all(root)
    return fields
