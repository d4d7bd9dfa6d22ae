"""Domain model: validation at construction, money, balances, outside-data constructors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from relancelib import (
    Address,
    Client,
    ClientKind,
    Creditor,
    CurrencyMismatchError,
    InvalidFieldError,
    Invoice,
    Payment,
    RelanceError,
    UnknownLocaleError,
)

D = dt.date


def test_relance_error_is_a_value_error_naming_field_and_value() -> None:
    with pytest.raises(
        ValueError, match=r"Invoice\.amount: Decimal\('-3\.00'\) must not be negative"
    ) as info:
        Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("-3.00"))
    assert isinstance(info.value, RelanceError)
    assert info.value.field == "Invoice.amount"
    assert info.value.value == Decimal("-3.00")


def test_amount_is_quantized_to_the_currency_minor_unit() -> None:
    assert (
        Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("10.5"))
        .amount.as_tuple()
        .exponent
        == -2
    )
    assert str(Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), 12).amount) == "12.00"
    assert (
        str(
            Invoice(
                "F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("1000"), currency="JPY"
            ).amount
        )
        == "1000"
    )


def test_amount_with_more_decimals_than_the_currency_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidFieldError, match="more decimals than EUR"):
        Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("10.005"))


@pytest.mark.parametrize("bad", [10.5, "10.50", None, True, Decimal("NaN"), Decimal("Infinity")])
def test_non_decimal_amounts_are_refused(bad: object) -> None:
    with pytest.raises(InvalidFieldError, match=r"Invoice\.amount"):
        Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), bad)  # type: ignore[arg-type]


def test_float_error_suggests_decimal() -> None:
    with pytest.raises(InvalidFieldError, match=r"floats are refused: use Decimal"):
        Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), 10.5)  # type: ignore[arg-type]


def test_due_date_before_issue_date_is_refused() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"Invoice\.due_date: datetime\.date\(2024, 12, 31\) is before the issue date 2025-01-01",
    ):
        Invoice("F1", "C1", D(2025, 1, 1), D(2024, 12, 31), Decimal("1.00"))


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"Invoice\.currency: 'EURO' is not a known ISO 4217"
    ):
        Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("1.00"), currency="EURO")


def test_payment_in_another_currency_is_refused_naming_both() -> None:
    with pytest.raises(CurrencyMismatchError, match="is in USD but invoice F1 is in EUR"):
        Invoice(
            "F1",
            "C1",
            D(2025, 1, 1),
            D(2025, 1, 31),
            Decimal("100.00"),
            payments=[Payment(D(2025, 1, 5), Decimal("10.00"), currency="USD")],
        )


def test_datetime_is_not_a_date() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"Invoice\.issue_date: .* must be a datetime\.date, not datetime"
    ):
        Invoice("F1", "C1", dt.datetime(2025, 1, 1, 12), D(2025, 1, 31), Decimal("1.00"))  # type: ignore[arg-type]


def test_balance_counts_payments_dated_on_or_before_as_of_including_deposits() -> None:
    invoice = Invoice(
        "F1",
        "C1",
        D(2025, 1, 10),
        D(2025, 2, 10),
        Decimal("1000.00"),
        payments=(
            Payment(D(2025, 1, 2), Decimal("100.00")),  # a deposit before the invoice
            Payment(D(2025, 2, 15), Decimal("250.50")),
        ),
    )
    assert invoice.balance(D(2025, 1, 1)) == Decimal("1000.00")
    assert invoice.balance(D(2025, 2, 14)) == Decimal("900.00")
    assert invoice.balance(D(2025, 2, 15)) == Decimal("649.50")
    assert invoice.paid(D(2025, 12, 31)) == Decimal("350.50")


def test_overpayment_is_allowed_at_construction_and_gives_a_negative_balance() -> None:
    invoice = Invoice(
        "F1",
        "C1",
        D(2025, 1, 1),
        D(2025, 1, 31),
        Decimal("10.00"),
        payments=[Payment(D(2025, 1, 5), Decimal("12.00"))],
    )
    assert invoice.balance(D(2025, 2, 1)) == Decimal("-2.00")


def test_days_overdue_is_zero_before_and_on_the_due_date() -> None:
    invoice = Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("10.00"))
    assert invoice.days_overdue(D(2025, 1, 20)) == 0
    assert invoice.days_overdue(D(2025, 1, 31)) == 0
    assert invoice.days_overdue(D(2025, 2, 10)) == 10


def test_hold_until_is_inclusive() -> None:
    invoice = Invoice(
        "F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("10.00"), hold_until=D(2025, 2, 5)
    )
    assert invoice.is_held(D(2025, 2, 5))
    assert not invoice.is_held(D(2025, 2, 6))


def test_payment_must_be_positive() -> None:
    with pytest.raises(InvalidFieldError, match=r"Payment\.amount"):
        Payment(D(2025, 1, 1), Decimal("0"))


def test_payment_without_currency_takes_the_invoice_unit() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"Payment\.amount: Decimal\('1\.001'\) has more decimals"
    ):
        Invoice(
            "F1",
            "C1",
            D(2025, 1, 1),
            D(2025, 1, 31),
            Decimal("10.00"),
            payments=[Payment(D(2025, 1, 5), Decimal("1.001"))],
        )


@pytest.mark.parametrize(
    "bad", ["not-an-email", "a@b", "a b@c.fr", "x@y.fr\r\nBcc: z@w.fr", "@example.fr", "a@@b.fr"]
)
def test_malformed_email_is_refused(bad: str) -> None:
    with pytest.raises(InvalidFieldError, match=r"Client\.email: .* is not a valid e-mail address"):
        Client("C1", "Martin", email=bad)


def test_valid_email_and_phone_are_kept_as_given() -> None:
    client = Client(
        "C1", "Martin", email="jean.martin+compta@exemple.fr", phone="+33 6 12 34 56 78"
    )
    assert client.email == "jean.martin+compta@exemple.fr"
    assert client.phone == "+33 6 12 34 56 78"


def test_siren_is_validated_with_stdnum_and_stored_compact() -> None:
    assert Client("C1", "Martin", siren="552 100 554").siren == "552100554"
    with pytest.raises(InvalidFieldError, match=r"Client\.siren: '552100555' is not a valid SIREN"):
        Client("C1", "Martin", siren="552100555")


def test_client_defaults_follow_the_design() -> None:
    client = Client("C1", "Martin")
    assert (client.kind, client.locale, client.segment, client.email, client.penalty_rate) == (
        ClientKind.BUSINESS,
        "fr_FR",
        "standard",
        None,
        None,
    )
    assert client.is_business


def test_unknown_locale_is_refused() -> None:
    with pytest.raises(UnknownLocaleError, match=r"Client\.locale: 'xx_YY'"):
        Client("C1", "Martin", locale="xx_YY")


def test_client_fields_after_name_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Client("C1", "Martin", "a@b.fr")  # type: ignore[misc]


def test_penalty_rate_is_a_decimal_percentage() -> None:
    assert Client("C1", "Martin", penalty_rate=Decimal("15")).penalty_rate == Decimal("15")
    with pytest.raises(InvalidFieldError, match=r"Client\.penalty_rate"):
        Client("C1", "Martin", penalty_rate=12.5)  # type: ignore[arg-type]


def test_french_postal_code_has_five_digits() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"Address\.postal_code: '6900' is not a French postal code"
    ):
        Address(["1 rue X"], "6900", "Lyon")
    assert Address(["Rue du Marché 1"], "1204", "Genève", "CH").country == "CH"


def test_address_lines_cannot_be_a_single_string() -> None:
    with pytest.raises(InvalidFieldError, match=r"Address\.lines"):
        Address("1 rue X", "69001", "Lyon")  # type: ignore[arg-type]


def test_creditor_iban_is_validated_and_formatted(creditor: Creditor) -> None:
    assert creditor.iban == "FR7630006000011234567890189"
    assert creditor.formatted_iban == "FR76 3000 6000 0112 3456 7890 189"
    with pytest.raises(
        InvalidFieldError,
        match=r"Creditor\.iban: 'FR76 3000 6000 0112 3456 7890 188' is not a valid IBAN",
    ):
        attrs.evolve(creditor, iban="FR76 3000 6000 0112 3456 7890 188")


def test_creditor_payment_link_must_be_https(creditor: Creditor) -> None:
    with pytest.raises(InvalidFieldError, match=r"Creditor\.payment_link"):
        attrs.evolve(creditor, payment_link="javascript:alert(1)")


def test_models_are_frozen_and_evolve_revalidates() -> None:
    invoice = Invoice("F1", "C1", D(2025, 1, 1), D(2025, 1, 31), Decimal("10.00"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        invoice.amount = Decimal("1.00")  # type: ignore[misc]
    assert attrs.evolve(invoice, disputed=True).disputed is True
    with pytest.raises(InvalidFieldError):
        attrs.evolve(invoice, due_date=D(2024, 1, 1))


def test_invoice_from_mapping_reads_strings_exactly() -> None:
    invoice = Invoice.from_mapping(
        {
            "number": "F-2025-001",
            "client_id": "C1",
            "issue_date": "2025-01-15",
            "due_date": "2025-02-14",
            "amount": "1234.50",
            "payments": [{"on": "2025-02-01", "amount": "234.50", "reference": "VIR-1"}],
            "disputed": "non",
            "hold_until": "",
        }
    )
    assert invoice.amount == Decimal("1234.50")
    assert invoice.payments == (Payment(D(2025, 2, 1), Decimal("234.50"), reference="VIR-1"),)
    assert invoice.disputed is False
    assert invoice.hold_until is None


def test_from_mapping_names_the_missing_or_bad_field() -> None:
    with pytest.raises(InvalidFieldError, match=r"Invoice\.due_date: None is required"):
        Invoice.from_mapping(
            {"number": "F1", "client_id": "C1", "issue_date": "2025-01-01", "amount": "1"}
        )
    with pytest.raises(InvalidFieldError, match=r"Invoice\.issue_date: '31/02/2025' is not a (valid )?date"):
        Invoice.from_mapping(
            {
                "number": "F1",
                "client_id": "C1",
                "issue_date": "31/02/2025",
                "due_date": "2025-03-01",
                "amount": "1",
            }
        )


def test_client_and_creditor_from_mapping() -> None:
    client = Client.from_mapping(
        {
            "id": "C9",
            "name": "Mme Dupré",
            "kind": "consumer",
            "email": "",
            "address": {
                "lines": "4 allée des Tilleuls\nBât. B",
                "postal_code": "67000",
                "city": "Strasbourg",
            },
        }
    )
    assert client.kind is ClientKind.CONSUMER
    assert client.email is None
    assert client.address is not None
    assert client.address.lines == ("4 allée des Tilleuls", "Bât. B")
    with pytest.raises(
        InvalidFieldError, match=r"Client\.kind: 'company' is not 'entreprise' or 'particulier' \(or business/consumer\)"
    ):
        Client.from_mapping({"id": "C9", "name": "X", "kind": "company"})
    creditor = Creditor.from_mapping(
        {
            "name": "ACME",
            "address": {"lines": ["1 rue A"], "postal_code": "69001", "city": "Lyon"},
            "iban": "FR7630006000011234567890189",
        }
    )
    assert creditor.address.city == "Lyon"


@pytest.mark.parametrize(
    "name", ["Evil\r\nBcc: x@y.fr", "Evil\nBcc: x@y.fr", "Evil\u2028Bcc: x@y.fr", "A\x00B"]
)
def test_names_with_line_breaks_are_refused_before_they_reach_an_e_mail_header(name: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=r"Client\.name: .* must not contain control characters"
    ):
        Client("C1", name)


def test_invoice_quantizes_its_payments_to_its_currency() -> None:
    """A payment without a currency takes its invoice's minor unit: one amount, written one way."""
    invoice = Invoice(
        "F1", "C1", dt.date(2025, 1, 1), dt.date(2025, 1, 31), Decimal("100"),
        payments=(Payment(dt.date(2025, 1, 5), 10), Payment(dt.date(2025, 1, 6), Decimal("2.5"))),
    )
    assert [str(p.amount) for p in invoice.payments] == ["10.00", "2.50"]


def test_siret_is_accepted_where_a_siren_is_asked_and_stored_as_its_siren() -> None:
    assert Client("C1", "Acme", siren="732 829 320 00074").siren == "732829320"
    with pytest.raises(InvalidFieldError, match=r"Client\.siren: '73282932000075' is not a valid SIRET"):
        Client("C1", "Acme", siren="73282932000075")


def test_a_client_keeps_its_intra_community_vat_number_in_compact_form() -> None:
    client = Client("C1", "Hôtel du Lac", vat_number="FR 40 303 265 045")
    assert client.vat_number == "FR40303265045"
    read = Client.from_mapping({"id": "C1", "name": "N", "vat_number": "FR40303265045"})
    assert read.vat_number == "FR40303265045"
    assert Client.from_mapping({"id": "C1", "name": "N", "vat_number": ""}).vat_number is None


def test_an_invalid_vat_number_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidFieldError) as caught:
        Client("C1", "Hôtel du Lac", vat_number="FR41303265045")
    assert str(caught.value).startswith(
        "Client.vat_number: 'FR41303265045' is not a valid intra-community VAT number"
    )
