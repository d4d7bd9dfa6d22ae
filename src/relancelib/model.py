"""The domain model: clients, invoices, payments, addresses and the creditor.

Immutable, slotted ``attrs`` classes validated at construction: an object that exists is
valid.  Money is :class:`decimal.Decimal` quantized to the currency's minor unit
(``Decimal("12.5")`` euros is stored as ``Decimal("12.50")``); a ``float``, or an amount with
more decimals than the currency has, is refused rather than silently rounded.  Derive a copy
with :func:`attrs.evolve`; outside data (CSV, JSON rows) goes through ``from_mapping``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs
from stdnum import iban as _iban

from relancelib.checks import (
    check_amount,
    check_bic,
    check_bool,
    check_country,
    check_currency,
    check_date,
    check_email,
    check_iban,
    check_locale,
    check_optional_date,
    check_phone,
    check_rate,
    check_sequence,
    check_single_line,
    check_siren,
    check_text,
    check_vat_number,
    minor_unit,
    optional,
    to_money,
    validator,
)
from relancelib.errors import CurrencyMismatchError, InvalidFieldError
from relancelib.parsing import (
    blank_to_none,
    parse_amount,
    parse_bool,
    parse_client_kind,
    parse_date,
    require,
)

__all__ = [
    "Address",
    "Client",
    "ClientKind",
    "Creditor",
    "Invoice",
    "Payment",
    "check_currency",
    "check_date",
    "minor_unit",
    "to_money",
]


class ClientKind(enum.Enum):
    """Whether a client is a business (B2B) or a consumer (B2C): it changes the law that applies.

    Business debtors owe the Code de commerce L441-10 penalties and the D441-5 40 € indemnity;
    consumers owe legal interest from the formal notice (Code civil 1231-6).
    """

    BUSINESS = "business"
    CONSUMER = "consumer"


# ---------------------------------------------------------------------------------------------
# Field validators.  The checks themselves live in relancelib.checks (one home per rule).


def _text(field: str, *, multiline: bool = False) -> Any:
    """A validator for a required, non-blank string without control characters."""
    return validator(check_text, field, multiline=multiline)


def _date(field: str, *, optional: bool = False) -> Any:
    return validator(check_optional_date if optional else check_date, field)


# Converters to an identifier's compact form (None stays None); named for mypy's attrs plugin.
def _creditor_iban(value: Any) -> str | None:
    return None if value is None else check_iban(value, "Creditor.iban")


def _creditor_bic(value: Any) -> str | None:
    return None if value is None else check_bic(value, "Creditor.bic")


def _creditor_siren(value: Any) -> str | None:
    return None if value is None else check_siren(value, "Creditor.siren")


def _client_siren(value: Any) -> str | None:
    return None if value is None else check_siren(value, "Client.siren")


def _client_vat(value: Any) -> str | None:
    return None if value is None else check_vat_number(value, "Client.vat_number")


def _lines(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidFieldError(
            "must be a sequence of address lines, not a single string",
            field="Address.lines",
            value=value,
        )
    return tuple(value)


@attrs.frozen
class Address:
    """A postal address, as printed in the window of an envelope.

    ``lines`` are the street lines (building, street, PO box), without postal code and city;
    ``country`` is an ISO 3166-1 alpha-2 code.  A French postal code has five digits.
    """

    lines: tuple[str, ...] = attrs.field(converter=_lines)
    postal_code: str = attrs.field(validator=_text("Address.postal_code"))
    city: str = attrs.field(validator=_text("Address.city"))
    country: str = attrs.field(default="FR", validator=validator(check_country, "Address.country"))

    @lines.validator
    def _check_lines(self, _attr: Any, value: tuple[str, ...]) -> None:
        if not value:
            raise InvalidFieldError(
                "must hold at least one line", field="Address.lines", value=value
            )
        check = _text("Address.lines")
        for line in value:
            check(self, _attr, line)

    def __attrs_post_init__(self) -> None:
        if self.country == "FR" and not re.fullmatch(r"[0-9]{5}", self.postal_code):
            raise InvalidFieldError(
                "is not a French postal code (five digits)",
                field="Address.postal_code",
                value=self.postal_code,
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Address:
        """Build an address from a mapping with ``lines`` (list or newline-separated string)."""
        lines = require(data, "lines", "Address")
        if isinstance(lines, str):
            lines = [part for part in lines.splitlines() if part.strip()]
        return cls(
            lines,
            require(data, "postal_code", "Address"),
            require(data, "city", "Address"),
            data.get("country") or "FR",
        )


def _optional_address(_inst: Any, _attr: Any, value: Any) -> None:
    if value is not None and not isinstance(value, Address):
        raise InvalidFieldError(
            "must be an Address or None", field=f"{type(_inst).__name__}.address", value=value
        )


def _rate(value: Any) -> Decimal | None:
    return None if value is None else check_rate(value, "Client.penalty_rate")


def _kind(value: Any) -> ClientKind:
    if isinstance(value, ClientKind):
        return value
    raise InvalidFieldError("must be a ClientKind", field="Client.kind", value=value)


@attrs.frozen
class Client:
    """A debtor: the business or person who owes the invoices.

    ``kind`` decides the law (business: L441-10 penalties and 40 € indemnity; consumer:
    legal interest after formal notice).  ``segment`` selects template variants and
    per-segment policies (``"vip"``, ``"standard"``...).  ``penalty_rate`` is an optional
    contractual late-payment rate, a percentage per year, that replaces the default rate.
    ``siren`` and ``vat_number`` (intra-community VAT number) are kept in compact form.
    ``contact`` is the person the messages greet, with a civility: ``"Madame Durand"``
    ("Bonjour Madame Durand,"; letters "Madame,"); without it they open "Madame, Monsieur,".
    """

    id: str = attrs.field(validator=_text("Client.id"))
    name: str = attrs.field(validator=_text("Client.name"))
    email: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_email, "Client.email")
    )
    phone: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_phone, "Client.phone")
    )
    address: Address | None = attrs.field(default=None, kw_only=True, validator=_optional_address)
    kind: ClientKind = attrs.field(default=ClientKind.BUSINESS, kw_only=True, converter=_kind)
    locale: str = attrs.field(
        default="fr_FR", kw_only=True, validator=validator(check_locale, "Client.locale")
    )
    segment: str = attrs.field(default="standard", kw_only=True, validator=_text("Client.segment"))
    siren: str | None = attrs.field(default=None, kw_only=True, converter=_client_siren)
    vat_number: str | None = attrs.field(default=None, kw_only=True, converter=_client_vat)
    penalty_rate: Decimal | None = attrs.field(default=None, kw_only=True, converter=_rate)
    contact: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_single_line, "Client.contact")
    )

    @property
    def is_business(self) -> bool:
        """True for a business client (B2B)."""
        return self.kind is ClientKind.BUSINESS

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Client:
        """Build a client from outside data: strings for kind (``"business"``/``"consumer"``),
        the penalty rate and an address mapping are accepted; empty strings mean "not set"."""
        kind = blank_to_none(data.get("kind")) or ClientKind.BUSINESS
        if not isinstance(kind, ClientKind):
            kind = ClientKind(parse_client_kind(kind, "Client.kind"))
        address = data.get("address")
        if isinstance(address, Mapping):
            address = Address.from_mapping(address)
        rate = blank_to_none(data.get("penalty_rate"))
        return cls(
            require(data, "id", "Client"),
            require(data, "name", "Client"),
            email=blank_to_none(data.get("email")),
            phone=blank_to_none(data.get("phone")),
            address=address,
            kind=kind,
            locale=blank_to_none(data.get("locale")) or "fr_FR",
            segment=blank_to_none(data.get("segment")) or "standard",
            siren=blank_to_none(data.get("siren")),
            vat_number=blank_to_none(data.get("vat_number")),
            penalty_rate=None if rate is None else parse_amount(rate, "Client.penalty_rate"),
            contact=blank_to_none(data.get("contact")),
        )


def _payment_currency(value: Any) -> str | None:
    return None if value is None else check_currency(value, "Payment.currency")


@attrs.frozen
class Payment:
    """A payment received against an invoice, dated ``on``.

    ``currency=None`` means the invoice's currency.  A payment may predate the invoice
    (a deposit).  The amount must be positive.
    """

    on: dt.date = attrs.field(validator=_date("Payment.on"))
    amount: Decimal = attrs.field()
    currency: str | None = attrs.field(default=None, kw_only=True, converter=_payment_currency)
    reference: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_text, "Payment.reference")
    )

    def __attrs_post_init__(self) -> None:
        # Without a currency the minor unit is the invoice's, checked there; floats, NaN and
        # non-positive amounts are refused here.
        if self.currency is None:
            amount = check_amount(self.amount, "Payment.amount", allow_zero=False)
        else:
            amount = to_money(self.amount, self.currency, "Payment.amount", allow_zero=False)
        object.__setattr__(self, "amount", amount)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Payment:
        """Build a payment from outside data (ISO date string, decimal string amount)."""
        return cls(
            parse_date(require(data, "on", "Payment"), "Payment.on"),
            parse_amount(require(data, "amount", "Payment"), "Payment.amount"),
            currency=blank_to_none(data.get("currency")),
            reference=blank_to_none(data.get("reference")),
        )


def _payments(value: Any) -> tuple[Payment, ...]:
    return check_sequence(value, Payment, "Invoice.payments")


@attrs.frozen
class Invoice:
    """An invoice issued to a client.

    ``amount`` is the total including VAT.  ``disputed`` invoices and invoices on hold
    (through ``hold_until`` inclusive) are not chased.  ``sent_on`` is the date the invoice
    was sent to the client, the proof a letter step needs; ``delivered_on`` the date the
    goods were delivered or the service completed, from which a consumer's debt is
    time-barred (Code de la consommation L218-2; the issue date when unset).
    """

    number: str = attrs.field(validator=_text("Invoice.number"))
    client_id: str = attrs.field(validator=_text("Invoice.client_id"))
    issue_date: dt.date = attrs.field(validator=_date("Invoice.issue_date"))
    due_date: dt.date = attrs.field(validator=_date("Invoice.due_date"))
    amount: Decimal = attrs.field()
    currency: str = attrs.field(default="EUR", kw_only=True)
    payments: tuple[Payment, ...] = attrs.field(default=(), kw_only=True, converter=_payments)
    disputed: bool = attrs.field(
        default=False, kw_only=True, validator=validator(check_bool, "Invoice.disputed")
    )
    hold_until: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=_date("Invoice.hold_until", optional=True)
    )
    sent_on: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=_date("Invoice.sent_on", optional=True)
    )
    delivered_on: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=_date("Invoice.delivered_on", optional=True)
    )

    @currency.validator
    def _check_currency(self, _attr: Any, value: Any) -> None:
        check_currency(value, "Invoice.currency")

    def __attrs_post_init__(self) -> None:
        if self.due_date < self.issue_date:
            raise InvalidFieldError(
                f"is before the issue date {self.issue_date.isoformat()}",
                field="Invoice.due_date",
                value=self.due_date,
            )
        object.__setattr__(self, "amount", to_money(self.amount, self.currency, "Invoice.amount"))
        payments = []
        for payment in self.payments:
            if payment.currency is not None and payment.currency != self.currency:
                raise CurrencyMismatchError(
                    f"is in {payment.currency} but invoice {self.number} is in {self.currency}",
                    field="Payment.currency",
                    value=payment.currency,
                )
            amount = to_money(payment.amount, self.currency, "Payment.amount", allow_zero=False)
            # A payment without a currency is quantized here, to its invoice's minor unit.
            payments.append(
                payment
                if amount.as_tuple() == payment.amount.as_tuple()
                else attrs.evolve(payment, amount=amount)
            )
        object.__setattr__(self, "payments", tuple(payments))

    def paid(self, as_of: dt.date) -> Decimal:
        """The total of the payments dated on or before ``as_of``."""
        total = Decimal(0)
        for payment in self.payments:
            if payment.on <= as_of:
                total += payment.amount
        return total.quantize(minor_unit(self.currency))

    def balance(self, as_of: dt.date) -> Decimal:
        """The amount still due on ``as_of``: the amount less payments dated on or before it.

        Negative when the invoice was overpaid (the engine reports it as a problem).
        """
        return self.amount - self.paid(as_of)

    def days_overdue(self, as_of: dt.date) -> int:
        """Days since the due date on ``as_of`` (0 when not yet overdue)."""
        return max(0, (as_of - self.due_date).days)

    def is_held(self, as_of: dt.date) -> bool:
        """True when the invoice is on hold on ``as_of`` (hold_until on or after it)."""
        return self.hold_until is not None and self.hold_until >= as_of

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Invoice:
        """Build an invoice from outside data: ISO date strings, decimal strings, and
        ``payments`` as a sequence of mappings (see :meth:`Payment.from_mapping`)."""
        payments = [
            p if isinstance(p, Payment) else Payment.from_mapping(p)
            for p in data.get("payments") or ()
        ]
        hold = blank_to_none(data.get("hold_until"))
        sent = blank_to_none(data.get("sent_on"))
        delivered = blank_to_none(data.get("delivered_on"))
        disputed = blank_to_none(data.get("disputed"))
        disputed = False if disputed is None else parse_bool(disputed, "Invoice.disputed")
        return cls(
            require(data, "number", "Invoice"),
            require(data, "client_id", "Invoice"),
            parse_date(require(data, "issue_date", "Invoice"), "Invoice.issue_date"),
            parse_date(require(data, "due_date", "Invoice"), "Invoice.due_date"),
            parse_amount(require(data, "amount", "Invoice"), "Invoice.amount"),
            currency=blank_to_none(data.get("currency")) or "EUR",
            payments=payments,
            disputed=disputed,
            hold_until=None if hold is None else parse_date(hold, "Invoice.hold_until"),
            sent_on=None if sent is None else parse_date(sent, "Invoice.sent_on"),
            delivered_on=None
            if delivered is None
            else parse_date(delivered, "Invoice.delivered_on"),
        )


def _capital(value: Any) -> Decimal | None:
    if isinstance(value, str):
        value = parse_amount(value, "Creditor.share_capital")
    return None if value is None else to_money(value, "EUR", "Creditor.share_capital")


def _required_address(_inst: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, Address):
        raise InvalidFieldError("must be an Address", field="Creditor.address", value=value)


@attrs.frozen
class Creditor:
    """The business that sends the reminders: its identity and how to pay it.

    ``iban`` and ``bic`` are validated with python-stdnum and stored in compact form;
    ``payment_link`` is an optional URL of an online payment page; ``signatory`` the
    name printed under the letters.  The mentions of Code de commerce R123-237 printed on
    letters and e-mails: ``legal_form`` ("SARL"), ``share_capital`` (in euros), ``rcs_city``
    (the city of its RCS registry, printed with the SIREN); ``mediator`` the consumer
    mediator's name and contact, given to consumer clients (Code de la consommation L612-1,
    L616-1).
    """

    name: str = attrs.field(validator=_text("Creditor.name"))
    address: Address = attrs.field(kw_only=True, validator=_required_address)
    siren: str | None = attrs.field(default=None, kw_only=True, converter=_creditor_siren)
    iban: str | None = attrs.field(default=None, kw_only=True, converter=_creditor_iban)
    bic: str | None = attrs.field(default=None, kw_only=True, converter=_creditor_bic)
    email: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_email, "Creditor.email")
    )
    phone: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_phone, "Creditor.phone")
    )
    payment_link: str | None = attrs.field(default=None, kw_only=True)
    signatory: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_text, "Creditor.signatory")
    )
    legal_form: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_single_line, "Creditor.legal_form")
    )
    share_capital: Decimal | None = attrs.field(default=None, kw_only=True, converter=_capital)
    rcs_city: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_single_line, "Creditor.rcs_city")
    )
    mediator: str | None = attrs.field(
        default=None, kw_only=True, validator=optional(check_single_line, "Creditor.mediator")
    )

    @payment_link.validator
    def _check_link(self, _attr: Any, value: Any) -> None:
        if value is None:
            return
        if not isinstance(value, str) or not re.fullmatch(r"https://[^\s<>\"']+", value):
            raise InvalidFieldError(
                "must be an https:// URL", field="Creditor.payment_link", value=value
            )

    @property
    def formatted_iban(self) -> str | None:
        """The IBAN in groups of four, as printed on letters."""
        return None if self.iban is None else _iban.format(self.iban)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Creditor:
        """Build a creditor from outside data (an ``address`` mapping is accepted)."""
        address = require(data, "address", "Creditor")
        if isinstance(address, Mapping):
            address = Address.from_mapping(address)
        return cls(
            require(data, "name", "Creditor"),
            address=address,
            siren=blank_to_none(data.get("siren")),
            iban=blank_to_none(data.get("iban")),
            bic=blank_to_none(data.get("bic")),
            email=blank_to_none(data.get("email")),
            phone=blank_to_none(data.get("phone")),
            payment_link=blank_to_none(data.get("payment_link")),
            signatory=blank_to_none(data.get("signatory")),
            legal_form=blank_to_none(data.get("legal_form")),
            share_capital=blank_to_none(data.get("share_capital")),
            rcs_city=blank_to_none(data.get("rcs_city")),
            mediator=blank_to_none(data.get("mediator")),
        )
