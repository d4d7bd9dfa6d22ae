"""Tests for relancelib.checks: each check returns the value (converted where its rule says so)
or raises an InvalidFieldError naming the field and the refused value, with an exact message."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, localcontext

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relancelib.checks import (
    check_amount,
    check_bic,
    check_bool,
    check_currency,
    check_date,
    check_decimal,
    check_email,
    check_iban,
    check_instance,
    check_integer,
    check_locale,
    check_optional_date,
    check_phone,
    check_rate,
    check_sequence,
    check_single_line,
    check_siren,
    check_text,
    has_control_characters,
    minor_unit,
    optional,
    to_money,
    validator,
)
from relancelib.errors import InvalidFieldError, RelanceError, UnknownLocaleError

D = dt.date


# ---------------------------------------------------------------------------------------------
# Types: instance, sequence, date, bool, integer


def test_check_instance_returns_the_value() -> None:
    assert check_instance("Martin", str, "Client.name") == "Martin"


def test_check_instance_names_the_type() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Client\.name: 3 must be a str$"):
        check_instance(3, str, "Client.name")


def test_check_instance_says_what_was_expected() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Client\.name: 3 must be a client name$"):
        check_instance(3, str, "Client.name", what="a client name")


def test_check_sequence_returns_a_tuple() -> None:
    assert check_sequence((day for day in [D(2025, 3, 5)]), D, "dates") == (D(2025, 3, 5),)


def test_check_sequence_refuses_a_string() -> None:
    with pytest.raises(InvalidFieldError, match=r"^names: 'ab' must be a sequence of str$"):
        check_sequence("ab", str, "names")


def test_check_sequence_names_the_foreign_item() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^payments: 1 must hold only Payment objects$"
    ) as info:
        check_sequence(["a", 1], str, "payments", what="Payment")
    assert info.value.value == 1


def test_check_date_returns_the_date() -> None:
    assert check_date(D(2025, 3, 5), "Invoice.due") == D(2025, 3, 5)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.datetime(2025, 3, 5), r"datetime\.datetime\(2025, 3, 5, 0, 0\) .* not datetime"),
        ("2025-03-05", r"'2025-03-05' .* not str"),
    ],
)
def test_check_date_refuses_datetimes_and_text(value: object, shown: str) -> None:
    with pytest.raises(InvalidFieldError, match=rf"^Invoice\.due: {shown}$"):
        check_date(value, "Invoice.due")


def test_check_date_message() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Invoice\.due: 3 must be a datetime\.date, not int$"
    ):
        check_date(3, "Invoice.due")


def test_check_optional_date_allows_none() -> None:
    assert check_optional_date(None, "Payment.on") is None
    assert check_optional_date(D(2025, 3, 5), "Payment.on") == D(2025, 3, 5)


def test_check_optional_date_refuses_what_check_date_refuses() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Payment\.on: '' must be a datetime\.date"):
        check_optional_date("", "Payment.on")


@pytest.mark.parametrize("value", [True, False])
def test_check_bool_returns_true_and_false(value: bool) -> None:
    assert check_bool(value, "Client.b2b") is value


@pytest.mark.parametrize(("value", "shown"), [(1, "1"), ("yes", "'yes'"), (None, "None")])
def test_check_bool_refuses_other_truthy_values(value: object, shown: str) -> None:
    with pytest.raises(InvalidFieldError, match=rf"^Client\.b2b: {shown} must be True or False$"):
        check_bool(value, "Client.b2b")


def test_check_integer_returns_the_int() -> None:
    assert check_integer(15, "deadline_days") == 15


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "True"), (15.0, r"15\.0"), ("15", "'15'")],
    ids=["bool", "float", "str"],
)
def test_check_integer_refuses_bools_floats_and_text(value: object, shown: str) -> None:
    kind = type(value).__name__
    with pytest.raises(
        InvalidFieldError, match=rf"^deadline_days: {shown} must be a whole number, not {kind}$"
    ):
        check_integer(value, "deadline_days")


# ---------------------------------------------------------------------------------------------
# Numbers and money


def test_check_decimal_returns_the_decimal_and_converts_ints() -> None:
    assert check_decimal(Decimal("12.50"), "Invoice.amount") == Decimal("12.50")
    assert type(check_decimal(3, "Invoice.amount")) is Decimal


def test_check_decimal_refuses_floats_with_a_hint() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"^Invoice\.amount: 1\.5 must be a Decimal amount, not float "
        r"\(floats are refused: use Decimal\('…'\)\)$",
    ):
        check_decimal(1.5, "Invoice.amount")


@pytest.mark.parametrize(("value", "shown"), [(True, "True"), ("1", "'1'")], ids=["bool", "str"])
def test_check_decimal_refuses_bools_and_text(value: object, shown: str) -> None:
    kind = type(value).__name__
    with pytest.raises(
        InvalidFieldError, match=rf"^Invoice\.amount: {shown} must be a Decimal amount, not {kind}$"
    ):
        check_decimal(value, "Invoice.amount")


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_check_decimal_refuses_non_finite_decimals(text: str) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^Invoice\.amount: Decimal\('{text}'\) must be a finite number$",
    ):
        check_decimal(Decimal(text), "Invoice.amount")


def test_check_decimal_says_what_was_expected() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^amount: 'x' must be a Decimal or an int, not str$"
    ):
        check_decimal("x", "amount", what="a Decimal or an int")


def test_check_amount_allows_zero_by_default() -> None:
    assert check_amount(Decimal(0), "Invoice.amount") == 0


def test_check_amount_refuses_negative_amounts() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Invoice\.amount: Decimal\('-0\.01'\) must not be negative$"
    ):
        check_amount(Decimal("-0.01"), "Invoice.amount")


@pytest.mark.parametrize("text", ["0", "-0", "-1"])
def test_check_amount_without_zero_wants_a_positive_amount(text: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=rf"^Payment\.amount: Decimal\('{text}'\) must be positive$"
    ):
        check_amount(Decimal(text), "Payment.amount", allow_zero=False)


@pytest.mark.parametrize("text", ["0", "13.15", "100"])
def test_check_rate_accepts_percentages_from_0_to_100(text: str) -> None:
    assert check_rate(Decimal(text), "Client.penalty_rate") == Decimal(text)


@pytest.mark.parametrize("text", ["-0.01", "100.01"])
def test_check_rate_refuses_percentages_outside_0_to_100(text: str) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^rate: Decimal\('{re.escape(text)}'\) must be a percentage between 0 and 100$",
    ):
        check_rate(Decimal(text), "rate")


def test_check_rate_refuses_floats_with_an_example() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"^rate: 13\.15 must be a Decimal percentage per year such as Decimal\('13\.15'\), "
        r"not float \(floats are refused",
    ):
        check_rate(13.15, "rate")


def test_check_currency_returns_the_code() -> None:
    assert check_currency("EUR") == "EUR"


@pytest.mark.parametrize(("code", "shown"), [("eur", "'eur'"), ("ZZZ", "'ZZZ'"), (None, "None")])
def test_check_currency_refuses_unknown_codes_naming_currency(code: object, shown: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=rf"^currency: {shown} is not a known ISO 4217 currency code$"
    ):
        check_currency(code)


def test_check_currency_names_the_given_field() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Invoice\.currency: 'eur' is not"):
        check_currency("eur", "Invoice.currency")


@pytest.mark.parametrize(("currency", "unit"), [("EUR", "0.01"), ("JPY", "1"), ("BHD", "0.001")])
def test_minor_unit_is_the_currency_smallest_unit(currency: str, unit: str) -> None:
    assert str(minor_unit(currency)) == unit


def test_minor_unit_refuses_an_unknown_currency() -> None:
    with pytest.raises(InvalidFieldError, match=r"^currency: 'ZZZ' is not a known ISO 4217"):
        minor_unit("ZZZ")


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("10.5"), "EUR", "10.50"),
        (Decimal("1.2300"), "EUR", "1.23"),
        (5, "EUR", "5.00"),
        (Decimal("10"), "JPY", "10"),
        (Decimal("-0"), "EUR", "0.00"),
    ],
)
def test_to_money_quantizes_to_the_minor_unit(value: object, currency: str, expected: str) -> None:
    assert str(to_money(value, currency, "Invoice.amount")) == expected


@pytest.mark.parametrize(
    ("value", "currency", "unit"), [("10.555", "EUR", r"0\.01"), ("10.50", "JPY", "1")]
)
def test_to_money_refuses_rather_than_rounds(value: str, currency: str, unit: str) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^Invoice\.amount: Decimal\('{re.escape(value)}'\) has more decimals than "
        rf"{currency} allows \({unit}\); round it before passing it$",
    ):
        to_money(Decimal(value), currency, "Invoice.amount")


def test_to_money_refuses_an_amount_too_large_to_quantize() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Invoice\.amount: Decimal\('1E\+30'\) is too large$"
    ):
        to_money(Decimal("1E+30"), "EUR", "Invoice.amount")


def test_to_money_without_zero_wants_a_positive_amount() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Payment\.amount: 0 must be positive$"):
        to_money(0, "EUR", "Payment.amount", allow_zero=False)


def test_to_money_refuses_floats() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Invoice\.amount: 10\.5 must be a Decimal amount, not float"
    ):
        to_money(10.5, "EUR", "Invoice.amount")


def test_to_money_refuses_an_unknown_currency() -> None:
    with pytest.raises(InvalidFieldError, match=r"^currency: 'ZZZ' is not a known ISO 4217"):
        to_money(Decimal(1), "ZZZ", "Invoice.amount")


@given(
    st.one_of(
        st.integers(min_value=-5, max_value=10**20),
        st.decimals(places=3, min_value=-1, max_value=10**9),
        st.decimals(allow_nan=True, allow_infinity=True),
    ),
    st.sampled_from(["EUR", "JPY", "BHD", "CHF"]),
)
def test_to_money_never_changes_an_amount_it_accepts(value: Decimal | int, currency: str) -> None:
    """Accepted means equal to the value given, written with the currency's minor unit."""
    try:
        money = to_money(value, currency, "Invoice.amount")
    except InvalidFieldError:
        return
    assert money == value
    assert money.as_tuple().exponent == minor_unit(currency).as_tuple().exponent


# ---------------------------------------------------------------------------------------------
# Text


@pytest.mark.parametrize(
    ("text", "multiline", "expected"),
    [
        ("Facture F-001 · 1\u202f234,56\u00a0€", False, False),
        ("a\nb", False, True),
        ("a\nb", True, False),
        ("a\rb", True, True),
        ("a\tb", True, True),
        ("a\x7fb", False, True),
        ("a\x85b", True, True),
        ("a\u2028b", True, True),
        ("a\u2029b", False, True),
    ],
)
def test_has_control_characters(text: str, multiline: bool, expected: bool) -> None:
    assert has_control_characters(text, multiline=multiline) is expected


def test_check_text_returns_the_text() -> None:
    assert check_text("Boulangerie Martin", "Client.name") == "Boulangerie Martin"


def test_check_text_multiline_allows_the_line_feed_only() -> None:
    assert check_text("Madame,\nBonjour", "Letter.body", multiline=True) == "Madame,\nBonjour"
    with pytest.raises(
        InvalidFieldError, match=r"^Letter\.body: 'a\\r\\nb' must not contain control characters$"
    ):
        check_text("a\r\nb", "Letter.body", multiline=True)


def test_check_text_refuses_a_line_break_in_a_single_line() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Client\.name: 'a\\nb' must not contain control characters$"
    ):
        check_text("a\nb", "Client.name")


@pytest.mark.parametrize("text", ["", " ", "\u00a0\t"])
def test_check_text_refuses_blank_text(text: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=rf"^Client\.name: {re.escape(repr(text))} must not be empty$"
    ):
        check_text(text, "Client.name")


def test_check_text_refuses_non_strings() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Client\.name: 3 must be a string, not int$"):
        check_text(3, "Client.name")


# Cc is U+0000–U+001F and U+007F–U+009F (C0, DEL and C1, NEL among them).
LINE_BREAKS_AND_CONTROLS = st.characters(categories=("Cc",)) | st.sampled_from(["\u2028", "\u2029"])


@given(LINE_BREAKS_AND_CONTROLS, st.text(max_size=5), st.text(max_size=5))
def test_check_text_refuses_every_line_break_and_control_character(
    char: str, before: str, after: str
) -> None:
    """Drawn from Cc (C0, DEL, C1) plus U+2028 and U+2029."""
    with pytest.raises(InvalidFieldError, match=r" must not contain control characters$"):
        check_text(f"x{before}{char}{after}", "Letter.subject")


@given(LINE_BREAKS_AND_CONTROLS.filter(lambda char: char != "\n"))
def test_multiline_check_text_refuses_every_control_character_but_the_line_feed(
    char: str,
) -> None:
    with pytest.raises(InvalidFieldError, match=r" must not contain control characters$"):
        check_text(f"x\n{char}", "Letter.body", multiline=True)


def test_check_single_line_returns_the_line() -> None:
    assert check_single_line("relance_1", "Step.name") == "relance_1"


@pytest.mark.parametrize(
    ("value", "shown"), [("a\u2028b", r"'a\\u2028b'"), ("", "''"), (None, "None")]
)
def test_check_single_line_refuses_breaks_blanks_and_non_strings(value: object, shown: str) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^Step\.name: {shown} must be a non-empty single line of step name "
        r"\(no control characters or line breaks\)$",
    ):
        check_single_line(value, "Step.name", what="step name")


# ---------------------------------------------------------------------------------------------
# Locale


def test_check_locale_returns_the_babel_locale() -> None:
    assert str(check_locale("fr_FR")) == "fr_FR"


@pytest.mark.parametrize("name", ["xx_YY", "fr-FR", ""])
def test_check_locale_refuses_unknown_names(name: str) -> None:
    with pytest.raises(
        UnknownLocaleError, match=rf"^locale: {re.escape(repr(name))} is not a locale Babel knows$"
    ):
        check_locale(name)


def test_check_locale_refuses_non_strings_naming_the_field() -> None:
    with pytest.raises(
        UnknownLocaleError,
        match=r"^Client\.locale: 3 must be a locale name such as 'fr_FR', not int$",
    ):
        check_locale(3, "Client.locale")


# ---------------------------------------------------------------------------------------------
# Contacts and identifiers


@pytest.mark.parametrize("address", ["compta@martin.fr", "j.dupont+relance@mail.boulangerie.fr"])
def test_check_email_returns_the_address(address: str) -> None:
    assert check_email(address, "Client.email") == address


@pytest.mark.parametrize(
    "value",
    [
        "a@b",
        "@b.fr",
        "a@.fr",
        "a@b.",
        "a b@c.fr",
        "a@@b.fr",
        "a@b..fr",
        "a@b.fr\n",
        " a@b.fr",
        "<a@b.fr>",
        "Martin <a@b.fr>",
        None,
        3,
    ],
)
def test_check_email_refuses_what_is_not_an_address(value: object) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^Client\.email: {re.escape(repr(value))} is not a valid e-mail address$",
    ):
        check_email(value, "Client.email")


@pytest.mark.parametrize("phone", ["04 78 00 00 01", "+33 4 78 00 00 01", "+33 (0)4.78.00.00-01"])
def test_check_phone_returns_the_number_as_written(phone: str) -> None:
    assert check_phone(phone, "Client.phone") == phone


@pytest.mark.parametrize("value", ["12345", "", "téléphone", "04 78 00 00 01 poste 12", None])
def test_check_phone_refuses_what_is_not_a_number(value: object) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^Client\.phone: {re.escape(repr(value))} is not a valid telephone number$",
    ):
        check_phone(value, "Client.phone")


@pytest.mark.parametrize("siren", ["732829320", "732 829 320", "732829320 "])
def test_check_siren_returns_the_compact_siren(siren: str) -> None:
    assert check_siren(siren, "Client.siren") == "732829320"


def test_check_siren_converts_a_siret_to_its_siren() -> None:
    assert check_siren("732 829 320 00074", "Client.siren") == "732829320"


def test_check_siren_names_siret_for_an_invalid_siret() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"^Client\.siren: '732 829 320 00075' is not a valid SIRET "
        r"\(The number's checksum or check digit is invalid\.\)$",
    ):
        check_siren("732 829 320 00075", "Client.siren")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("732829321", r"The number's checksum or check digit is invalid\."),
        ("73282932", r"The number has an invalid length\."),
    ],
)
def test_check_siren_says_why_a_siren_is_invalid(value: str, why: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=rf"^Client\.siren: '{value}' is not a valid SIREN \({why}\)$"
    ):
        check_siren(value, "Client.siren")


def test_check_siren_wants_a_string() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Client\.siren: 732829320 must be a SIREN as a string$"
    ):
        check_siren(732829320, "Client.siren")


def test_check_iban_returns_the_compact_iban() -> None:
    iban = "FR76 3000 6000 0112 3456 7890 189"
    assert check_iban(iban, "Creditor.iban") == "FR7630006000011234567890189"


def test_check_iban_refuses_a_bad_checksum() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"^Creditor\.iban: 'FR76 3000 6000 0112 3456 7890 188' is not a valid IBAN "
        r"\(The number's checksum or check digit is invalid\.\)$",
    ):
        check_iban("FR76 3000 6000 0112 3456 7890 188", "Creditor.iban")


def test_check_bic_returns_the_compact_bic() -> None:
    assert check_bic("BNPA FR PP XXX", "Creditor.bic") == "BNPAFRPPXXX"


def test_check_bic_refuses_a_bad_length() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"^Creditor\.bic: 'BNPAFRP' is not a valid BIC \(The number has an invalid length\.\)$",
    ):
        check_bic("BNPAFRP", "Creditor.bic")


# ---------------------------------------------------------------------------------------------
# attrs helpers


@attrs.frozen(kw_only=True)
class Reminder:
    on: dt.date = attrs.field(validator=validator(check_date, "Reminder.on"))
    amount: Decimal = attrs.field(
        validator=validator(check_amount, "Reminder.amount", allow_zero=False)
    )
    until: dt.date | None = attrs.field(
        default=None, validator=optional(check_date, "Reminder.until")
    )


def test_validator_and_optional_accept_valid_values() -> None:
    reminder = Reminder(on=D(2025, 3, 5), amount=Decimal(1), until=D(2025, 4, 5))
    assert reminder.until == D(2025, 4, 5)
    assert Reminder(on=D(2025, 3, 5), amount=Decimal(1)).until is None


def test_validator_runs_the_check_with_its_field_and_options() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Reminder\.amount: Decimal\('0'\) must be positive$"
    ):
        Reminder(on=D(2025, 3, 5), amount=Decimal(0))


def test_optional_runs_the_check_on_a_value() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Reminder\.until: '' must be a datetime\.date"):
        Reminder(on=D(2025, 3, 5), amount=Decimal(1), until="")


# ---------------------------------------------------------------------------------------------
# Robustness, as python-stdnum tests it

FIELD = "Thing.field"

JUNK: list[tuple[str, object]] = [
    ("None", None),
    ("euro-sign", "€"),
    ("object", object()),
    ("float", 3.5),
    ("bytes", b"x"),
    ("list", ["x"]),
    ("float-nan", float("nan")),
    ("True", True),
]

# Every public check, called with the junk where its value goes.
CHECKS: dict[str, Callable[[object], object]] = {
    "check_instance": lambda value: check_instance(value, dt.date, FIELD),
    "check_sequence": lambda value: check_sequence(value, dt.date, FIELD),
    "check_date": lambda value: check_date(value, FIELD),
    "check_optional_date": lambda value: check_optional_date(value, FIELD),
    "check_bool": lambda value: check_bool(value, FIELD),
    "check_integer": lambda value: check_integer(value, FIELD),
    "check_decimal": lambda value: check_decimal(value, FIELD),
    "check_amount": lambda value: check_amount(value, FIELD),
    "check_rate": lambda value: check_rate(value, FIELD),
    "check_currency": lambda value: check_currency(value, FIELD),
    "to_money": lambda value: to_money(value, "EUR", FIELD),
    "check_text": lambda value: check_text(value, FIELD),
    "check_single_line": lambda value: check_single_line(value, FIELD),
    "check_locale": lambda value: check_locale(value, FIELD),
    "check_email": lambda value: check_email(value, FIELD),
    "check_phone": lambda value: check_phone(value, FIELD),
    "check_siren": lambda value: check_siren(value, FIELD),
    "check_iban": lambda value: check_iban(value, FIELD),
    "check_bic": lambda value: check_bic(value, FIELD),
    "validator": lambda value: validator(check_date, FIELD)(None, None, value),
    "optional": lambda value: optional(check_date, FIELD)(None, None, value),
}

# The junk a check rightly accepts, and what it returns then.
ACCEPTED: dict[tuple[str, str], object] = {
    ("check_optional_date", "None"): None,
    ("optional", "None"): None,
    ("check_bool", "True"): True,
    ("check_text", "euro-sign"): "€",
    ("check_single_line", "euro-sign"): "€",
}


@pytest.mark.parametrize(("junk_name", "junk"), JUNK, ids=[name for name, _ in JUNK])
@pytest.mark.parametrize("name", list(CHECKS))
def test_every_check_refuses_junk_naming_the_field(name: str, junk_name: str, junk: object) -> None:
    if (name, junk_name) in ACCEPTED:
        assert CHECKS[name](junk) == ACCEPTED[name, junk_name]
        return
    with pytest.raises(RelanceError) as info:
        CHECKS[name](junk)
    assert isinstance(info.value, ValueError)
    assert info.value.field == FIELD
    assert str(info.value).startswith(f"{FIELD}: ")


# minor_unit (and so to_money's currency) is cached, which takes a hashable argument: the
# currency junk is the hashable part of JUNK.
HASHABLE_JUNK = [(name, junk) for name, junk in JUNK if name != "list"]


@pytest.mark.parametrize(
    "junk", [junk for _, junk in HASHABLE_JUNK], ids=[n for n, _ in HASHABLE_JUNK]
)
def test_minor_unit_refuses_junk_naming_currency(junk: object) -> None:
    with pytest.raises(InvalidFieldError) as info:
        minor_unit(junk)  # type: ignore[arg-type]
    assert info.value.field == "currency"


@pytest.mark.parametrize(
    "junk", [junk for _, junk in HASHABLE_JUNK], ids=[n for n, _ in HASHABLE_JUNK]
)
def test_to_money_refuses_a_junk_currency_naming_currency(junk: object) -> None:
    with pytest.raises(InvalidFieldError) as info:
        to_money(Decimal(1), junk, FIELD)  # type: ignore[arg-type]
    assert info.value.field == "currency"


# Defects the tests above found, each fixed and pinned here.


def test_a_phone_number_with_a_trailing_line_feed_is_refused() -> None:
    with pytest.raises(
        InvalidFieldError, match=r"^Client\.phone: .* is not a valid telephone number$"
    ):
        check_phone("04 78 00 00 01\n", "Client.phone")


@pytest.mark.parametrize("char", ["\x80", "\x9b", "\x9f"])
def test_c1_control_characters_are_refused(char: str) -> None:
    assert has_control_characters(f"a{char}b")
    with pytest.raises(InvalidFieldError, match=r" must not contain control characters$"):
        check_text(f"Relance{char}2J", "Letter.subject")


def test_minor_unit_of_an_unhashable_value_is_a_relance_error() -> None:
    with pytest.raises(InvalidFieldError, match=r"^currency: \['x'\] is not a known ISO 4217"):
        minor_unit(["x"])  # type: ignore[arg-type]


def test_to_money_does_not_depend_on_the_callers_decimal_context() -> None:
    with localcontext() as context:
        context.prec = 6
        assert str(to_money(Decimal("12345.00"), "EUR", "Invoice.amount")) == "12345.00"


@pytest.mark.parametrize("address", ["x@-b.fr", "x@b-.fr", "a(comment)@b.fr"])
def test_malformed_domains_and_comments_are_not_e_mail_addresses(address: str) -> None:
    with pytest.raises(InvalidFieldError, match=r"is not a valid e-mail address$"):
        check_email(address, "Client.email")


def test_an_iban_that_is_not_text_says_an_iban() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Creditor\.iban: 3 must be an IBAN as a string$"):
        check_iban(3, "Creditor.iban")
