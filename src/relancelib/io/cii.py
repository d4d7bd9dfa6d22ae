"""The fields of a UN/CEFACT Cross Industry Invoice (CII D16B: Factur-X and ZUGFeRD 2, every
profile from MINIMUM to EXTENDED), read with lxml XPath: only what a reminder needs."""

from __future__ import annotations

from typing import Any

from relancelib.io.xmlfields import EInvoiceFields, Path, to_date, to_decimal

__all__ = ["CII_NAMESPACE", "read_cii"]

CII_NAMESPACE = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
_NS = {
    "rsm": CII_NAMESPACE,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
_DOC = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/"
_TX = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
_SET = _TX + "ram:ApplicableHeaderTradeSettlement/"
_SUM = _SET + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
_BUYER = _TX + "ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/"
_SELLER = _TX + "ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
_ADDRESS = _BUYER + "ram:PostalTradeAddress/"


def _path(expression: str) -> Path:
    return Path(expression, _NS)


_PATHS = {
    "profile": _path(
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/"
        "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    ),
    "number": _path(_DOC + "ram:ID"),  # BT-1
    "type_code": _path(_DOC + "ram:TypeCode"),  # BT-3
    "issue_date": _path(_DOC + "ram:IssueDateTime/udt:DateTimeString"),  # BT-2
    "currency": _path(_SET + "ram:InvoiceCurrencyCode"),  # BT-5
    "due": _path(_SET + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
    "grand_total": _path(_SUM + "ram:GrandTotalAmount"),  # BT-112
    "prepaid": _path(_SUM + "ram:TotalPrepaidAmount"),  # BT-113
    "due_amount": _path(_SUM + "ram:DuePayableAmount"),  # BT-115
    "rounding": _path(_SUM + "ram:RoundingAmount"),  # BT-114
    "references": _path(_SET + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),  # BT-25
    "buyer_id": _path(_BUYER + "ram:ID"),  # BT-46
    "buyer_legal": _path(_BUYER + "ram:SpecifiedLegalOrganization/ram:ID"),  # BT-47
    "buyer_global": _path(_BUYER + "ram:GlobalID"),  # BT-46 with a scheme
    "buyer_name": _path(_BUYER + "ram:Name"),  # BT-44
    "buyer_siren": _path(_BUYER + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']"),
    "buyer_vat": _path(_BUYER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),  # BT-48
    "buyer_email": _path(_BUYER + "ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']"),
    "buyer_contact_email": _path(
        _BUYER + "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"
    ),  # BT-58
    "buyer_lines": _path(
        _ADDRESS + "ram:LineOne | " + _ADDRESS + "ram:LineTwo | " + _ADDRESS + "ram:LineThree"
    ),
    "buyer_postal_code": _path(_ADDRESS + "ram:PostcodeCode"),  # BT-53
    "buyer_city": _path(_ADDRESS + "ram:CityName"),  # BT-52
    "buyer_country": _path(_ADDRESS + "ram:CountryID"),  # BT-55
    "seller_name": _path(_SELLER + "ram:Name"),  # BT-27
    "seller_siren": _path(_SELLER + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']"),
}  # fmt: skip


def read_cii(root: Any, label: str) -> EInvoiceFields:
    """The fields of a CII document (``root`` is its ``rsm:CrossIndustryInvoice`` element)."""
    p = _PATHS
    fields = EInvoiceFields("CII")
    for name in ("profile", "number", "type_code", "currency", "buyer_name", "buyer_siren",
                 "buyer_vat", "buyer_email", "buyer_postal_code", "buyer_city",
                 "buyer_country", "seller_name", "seller_siren"):  # fmt: skip
        setattr(fields, name, p[name].first(root))
    fields.issue_date = to_date(p["issue_date"].first(root), label, "the issue date (BT-2)")
    fields.due_dates = sorted(
        {d for text in p["due"].all(root) if (d := to_date(text, label, "a due date (BT-9)"))}
    )
    for name, term in (("grand_total", "BT-112"), ("prepaid", "BT-113"),
                       ("due_amount", "BT-115"), ("rounding", "BT-114")):  # fmt: skip
        setattr(fields, name, to_decimal(p[name].first(root), label, term))
    fields.buyer_email = fields.buyer_email or p["buyer_contact_email"].first(root)
    fields.references = p["references"].all(root)
    fields.buyer_ids = [
        *p["buyer_id"].all(root),
        *p["buyer_legal"].all(root),
        *p["buyer_global"].all(root),
    ]
    fields.buyer_lines = p["buyer_lines"].all(root)
    return fields
