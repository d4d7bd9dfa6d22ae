"""Tests for relancelib.parsing: outside words (dates, amounts, yes/no, client kinds) read
exactly, and refused with "field: 'text' reason" (or "'text' reason" without a field) in the
error class the caller chose."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relancelib import ClientKind
from relancelib.errors import DataImportError, InvalidFieldError, RelanceError
from relancelib.formatting import format_amount
from relancelib.parsing import (
    CLIENT_KIND_WORDS,
    FALSE_WORDS,
    TRUE_WORDS,
    Number,
    blank_to_none,
    fold,
    parse_amount,
    parse_bool,
    parse_client_kind,
    parse_date,
    parse_number,
    require,
)

D = dt.date


# ---------------------------------------------------------------------------------------------
# fold, blank_to_none, require


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Échéance de paiement ", "echeance_de_paiement"),
        ("\ufeffDate", "date"),
        ("N° facture", "n_facture"),
        ("Montant TTC (€)", "montant_ttc"),
        ("ﬁn", "fin"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@given(st.text())
def test_folded_words_are_lowercase_ascii(text: str) -> None:
    """Lower-case ASCII letters and digits, joined by single underscores."""
    assert re.fullmatch(r"([a-z0-9]+(_[a-z0-9]+)*)?", fold(text))


@given(st.text())
def test_folding_twice_changes_nothing(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize("text", ["", " ", "\t\n", "\u00a0", "\u202f"])
def test_blank_to_none_turns_blank_text_into_none(text: str) -> None:
    assert blank_to_none(text) is None


@pytest.mark.parametrize("value", ["x", 0, Decimal(0), False, None, b" "])
def test_blank_to_none_keeps_everything_else(value: object) -> None:
    assert blank_to_none(value) is value


def test_require_returns_the_value_even_zero() -> None:
    assert require({"amount": 0}, "amount", "Invoice") == 0


@pytest.mark.parametrize(
    ("data", "shown"), [({}, "None"), ({"amount": None}, "None"), ({"amount": " "}, "' '")]
)
def test_require_refuses_a_missing_or_blank_value(data: dict[str, object], shown: str) -> None:
    with pytest.raises(InvalidFieldError, match=rf"^Invoice\.amount: {shown} is required$"):
        require(data, "amount", "Invoice")


def test_require_wants_a_mapping() -> None:
    with pytest.raises(InvalidFieldError, match=r"^Invoice: \['F1'\] must be a mapping$"):
        require(["F1"], "amount", "Invoice")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# parse_date


@pytest.mark.parametrize("text", ["05/03/2025", "5/3/2025", "2025-03-05", " 05/03/2025 "])
def test_parse_date_reads_french_and_iso_dates(text: str) -> None:
    assert parse_date(text) == D(2025, 3, 5)


def test_parse_date_passes_a_date_through() -> None:
    day = D(2025, 3, 5)
    assert parse_date(day) is day


@pytest.mark.parametrize(
    "value",
    ["05/03/25", "2025-3-5", "2025/03/05", "05-03-2025", "2025-03-05T10:00", "", None, 20250305],
)
def test_parse_date_refuses_other_formats(value: object) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^{re.escape(repr(value))} is not a date written dd/mm/yyyy or yyyy-mm-dd$",
    ):
        parse_date(value)


def test_parse_date_refuses_a_datetime() -> None:
    with pytest.raises(
        InvalidFieldError,
        match=r"^Invoice\.due: datetime\.datetime\(2025, 3, 5, 0, 0\) is not a date written",
    ):
        parse_date(dt.datetime(2025, 3, 5), "Invoice.due")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("03/15/2025", r"month must be in 1\.\.12"),
        ("00/01/2025", "day is out of range for month"),
        ("29/02/2025", "day is out of range for month"),
        ("0000-01-01", "year 0 is out of range"),
    ],
)
def test_parse_date_refuses_days_that_do_not_exist(text: str, why: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=rf"^Invoice\.due: '{text}' is not a valid date \({why}\)$"
    ) as info:
        parse_date(text, "Invoice.due")
    assert info.value.field == "Invoice.due"
    assert info.value.value == text


def test_parse_date_raises_the_error_class_asked_for() -> None:
    with pytest.raises(
        DataImportError,
        match=r"^'31/02/2025' is not a valid date \(day is out of range for month\)$",
    ) as info:
        parse_date("31/02/2025", error=DataImportError)
    assert type(info.value) is DataImportError


@given(st.dates())
def test_dates_written_dd_mm_yyyy_and_iso_read_the_same_day(day: dt.date) -> None:
    padded = f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    unpadded = f"{day.day}/{day.month}/{day.year:04d}"
    assert [parse_date(padded), parse_date(unpadded), parse_date(day.isoformat())] == [day] * 3


# ---------------------------------------------------------------------------------------------
# parse_number, parse_amount


@pytest.mark.parametrize(
    "text",
    [
        "1 234,50",
        "1\u00a0234,50",
        "1\u202f234,50",
        "1234,50",
        "1.234,50",
        "1234.50",
        "1,234.50",
        "1\u202f234,50\u00a0€",
        "€1,234.50",
    ],
)
def test_parse_amount_reads_french_and_english_amounts(text: str) -> None:
    assert str(parse_amount(text)) == "1234.50"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50 €", Number(Decimal("1234.50"), ",", "EUR")),
        ("€1,234.50", Number(Decimal("1234.50"), ".", "EUR")),
        ("1234", Number(Decimal("1234"), None, None)),
        ("1 234 567", Number(Decimal("1234567"), None, None)),
        ("1.234.567", Number(Decimal("1234567"), None, None)),
        ("-12,5", Number(Decimal("-12.5"), ",", None)),
        ("+0,05", Number(Decimal("0.05"), ",", None)),
        ("0.123", Number(Decimal("0.123"), ".", None)),
    ],
)
def test_parse_number_records_the_decimal_mark_and_the_euro_sign(
    text: str, expected: Number
) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(("mark", "word"), [(".", "'.'"), (",", "','")])
def test_parse_amount_refuses_an_ambiguous_thousands_separator(mark: str, word: str) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^Invoice\.amount: '1{re.escape(mark)}234' is ambiguous: {re.escape(word)} may "
        r"separate thousands \(1234\) or decimals \(1\.234\); write it with its cents and "
        r"without thousands separator, e\.g\. 1234,00$",
    ):
        parse_amount(f"1{mark}234", "Invoice.amount")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "is not an amount such as 1 234,50"),
        ("€", "is not an amount such as 1 234,50"),
        ("douze", "is not an amount such as 1 234,50"),
        ("12 EUR", "is not an amount such as 1 234,50"),
        ("--12", "is not an amount such as 1 234,50"),
        (",50", "is not an amount such as 1 234,50"),
        ("12,", "has a decimal mark but no decimals"),
        ("1 234.567,00", "mixes several thousands separators"),
        ("1,234,567.89.1", "mixes several thousands separators"),
        ("1,23,456.00", "has misplaced thousands separators"),
        ("1234 567", "has misplaced thousands separators"),
        ("1.2.3", "has misplaced thousands separators"),
    ],
)
def test_parse_amount_says_why_it_refuses_a_text(text: str, why: str) -> None:
    with pytest.raises(InvalidFieldError, match=rf"^{re.escape(repr(text))} {why}$"):
        parse_amount(text)


@pytest.mark.parametrize(("value", "expected"), [(12, "12"), (Decimal("12.50"), "12.50")])
def test_parse_amount_returns_ints_and_decimals_as_decimals(value: object, expected: str) -> None:
    amount = parse_amount(value)
    assert type(amount) is Decimal
    assert str(amount) == expected


@pytest.mark.parametrize(("value", "shown"), [(3.5, r"3\.5"), (True, "True")])
def test_parse_amount_refuses_floats_and_bools(value: object, shown: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=rf"^Invoice\.amount: {shown} is not an amount such as 1 234,50$"
    ):
        parse_amount(value, "Invoice.amount")


@given(
    st.integers(min_value=0, max_value=10**14 - 1).map(lambda cents: Decimal(cents).scaleb(-2)),
    st.sampled_from(["fr_FR", "en_GB"]),
)
def test_format_amount_output_parses_back_to_the_same_decimal(amount: Decimal, locale: str) -> None:
    """Both locales round-trip, currency sign included: fr_FR writes "1\u202f234,56\u00a0€"
    (U+202F between thousands, U+00A0 before the sign), en_GB "€1,234.56"; both always show
    the cents, so a grouped amount is never ambiguous."""
    text = format_amount(amount, "EUR", locale=locale)
    assert str(parse_amount(text)) == str(amount)
    assert parse_number(text).currency == "EUR"


# ---------------------------------------------------------------------------------------------
# parse_bool, parse_client_kind


def test_vocabularies_are_folded_and_disjoint() -> None:
    words = [*TRUE_WORDS, *FALSE_WORDS, *CLIENT_KIND_WORDS]
    assert [fold(word) for word in words] == words
    assert not TRUE_WORDS & FALSE_WORDS


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" Oui ", True), ("VRAI", True), ("x", True), ("Non", False), ("faux", False), ("0", False)],
)
def test_parse_bool_reads_yes_and_no_words(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize("value", [True, False])
def test_parse_bool_passes_a_bool_through(value: bool) -> None:
    assert parse_bool(value) is value


@pytest.mark.parametrize(("value", "shown"), [("peut-être", "'peut-être'"), ("", "''"), (1, "1")])
def test_parse_bool_refuses_other_words(value: object, shown: str) -> None:
    with pytest.raises(
        InvalidFieldError, match=rf"^Client\.b2b: {shown} is not oui/non \(or true/false\)$"
    ):
        parse_bool(value, "Client.b2b")


ACCENTS = ["", "\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u0327"]


@st.composite
def vocabulary_words_as_people_write_them(draw: st.DrawFn) -> tuple[str, str]:
    """A yes/no word, each letter in either case with or without an accent, composed or not."""
    word = draw(st.sampled_from(sorted(TRUE_WORDS | FALSE_WORDS)))
    letters = [
        (char.upper() if draw(st.booleans()) else char) + draw(st.sampled_from(ACCENTS))
        for char in word
    ]
    form = draw(st.sampled_from(["NFC", "NFD"]))
    return word, unicodedata.normalize(form, "".join(letters))


@given(vocabulary_words_as_people_write_them())
def test_parse_bool_accepts_every_vocabulary_word_in_any_case_and_accent(
    written: tuple[str, str],
) -> None:
    word, text = written
    assert parse_bool(text) is (word in TRUE_WORDS)


@pytest.mark.parametrize(("word", "kind"), sorted(CLIENT_KIND_WORDS.items()))
def test_parse_client_kind_reads_every_kind_word(word: str, kind: str) -> None:
    assert parse_client_kind(word.upper()) == kind


def test_client_kind_words_name_client_kinds() -> None:
    assert {ClientKind(kind) for kind in CLIENT_KIND_WORDS.values()} == set(ClientKind)


@pytest.mark.parametrize(
    ("text", "kind"), [("Entreprise", "business"), (" Particulier ", "consumer")]
)
def test_parse_client_kind_folds_case_and_spaces(text: str, kind: str) -> None:
    assert parse_client_kind(text) == kind


@pytest.mark.parametrize(("value", "shown"), [("autre", "'autre'"), (None, "None")])
def test_parse_client_kind_refuses_other_words(value: object, shown: str) -> None:
    with pytest.raises(
        InvalidFieldError,
        match=rf"^Client\.kind: {shown} is not 'entreprise' or 'particulier' "
        r"\(or business/consumer\)$",
    ):
        parse_client_kind(value, "Client.kind")


# ---------------------------------------------------------------------------------------------
# Field and error class, for every parser

PARSERS: dict[str, Callable[..., object]] = {
    "parse_date": parse_date,
    "parse_amount": parse_amount,
    "parse_number": parse_number,
    "parse_bool": parse_bool,
    "parse_client_kind": parse_client_kind,
}


@pytest.mark.parametrize("name", list(PARSERS))
def test_every_parser_raises_the_error_class_asked_for_naming_the_field(name: str) -> None:
    with pytest.raises(DataImportError) as info:
        PARSERS[name]("n/a", "Invoice.x", error=DataImportError)
    assert type(info.value) is DataImportError
    assert info.value.field == "Invoice.x"
    assert info.value.value == "n/a"
    assert str(info.value).startswith("Invoice.x: 'n/a' is not ")


@pytest.mark.parametrize("name", list(PARSERS))
def test_every_parser_without_a_field_starts_with_the_text(name: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        PARSERS[name]("n/a")
    assert info.value.field is None
    assert str(info.value).startswith("'n/a' is not ")


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

# Every public function of parsing that takes an outside value and a field, called with the
# junk where that value goes.  parse_number (typed str: the readers call it with strings) is
# fed junk strings only, below; fold takes no field.
ENTRY_POINTS: dict[str, Callable[[object], object]] = {
    "parse_date": lambda value: parse_date(value, FIELD),
    "parse_amount": lambda value: parse_amount(value, FIELD),
    "parse_bool": lambda value: parse_bool(value, FIELD),
    "parse_client_kind": lambda value: parse_client_kind(value, FIELD),
    "require": lambda value: require(value, "amount", FIELD),  # type: ignore[arg-type]
    "require (value)": lambda value: require({"field": value}, "field", "Thing"),
    "parse_date (DataImportError)": lambda value: parse_date(value, FIELD, error=DataImportError),
    "parse_amount (DataImportError)": lambda value: parse_amount(
        value, FIELD, error=DataImportError
    ),
}

# The junk a parser rightly accepts: a bool for parse_bool, any present value for require.
ACCEPTED: set[tuple[str, str]] = {("parse_bool", "True")} | {
    ("require (value)", name) for name, _ in JUNK if name != "None"
}


@pytest.mark.parametrize(("junk_name", "junk"), JUNK, ids=[name for name, _ in JUNK])
@pytest.mark.parametrize("name", list(ENTRY_POINTS))
def test_every_parser_refuses_junk_naming_the_field(
    name: str, junk_name: str, junk: object
) -> None:
    if (name, junk_name) in ACCEPTED:
        assert ENTRY_POINTS[name](junk) is junk
        return
    with pytest.raises(RelanceError) as info:
        ENTRY_POINTS[name](junk)
    assert isinstance(info.value, ValueError)
    assert info.value.field == FIELD
    assert str(info.value).startswith(f"{FIELD}: ")


@pytest.mark.parametrize("text", ["€", "", " ", "x", "€€", "-", "1,2,3", "\x00"])
def test_parse_number_refuses_junk_text_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidFieldError) as info:
        parse_number(text, FIELD)
    assert info.value.field == FIELD


@pytest.mark.parametrize(("junk_name", "junk"), JUNK, ids=[name for name, _ in JUNK])
def test_blank_to_none_returns_junk_unchanged(junk_name: str, junk: object) -> None:
    assert blank_to_none(junk) is junk


# Defects found by the tests above, each fixed and pinned here.


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("-Infinity")])
def test_parse_amount_refuses_non_finite_decimals(value: Decimal) -> None:
    with pytest.raises(InvalidFieldError, match=r"^Invoice\.amount: .* must be a finite number$"):
        parse_amount(value, "Invoice.amount")


@pytest.mark.parametrize("junk", [None, ["x"], b"x"])
def test_parse_number_refuses_what_is_not_text(junk: object) -> None:
    with pytest.raises(InvalidFieldError, match=r"^Invoice\.amount: .* is not an amount such as"):
        parse_number(junk, "Invoice.amount")  # type: ignore[arg-type]


def test_one_euro_sign_only() -> None:
    with pytest.raises(InvalidFieldError, match=r"is not an amount such as 1 234,50$"):
        parse_amount("€€12€")


def test_dates_are_written_with_ascii_digits() -> None:
    with pytest.raises(InvalidFieldError, match=r"is not a date written dd/mm/yyyy or yyyy-mm-dd$"):
        parse_date("\u0660\u0665/\u0660\u0663/\u0662\u0660\u0662\u0665")


def test_fold_names_what_is_not_text() -> None:
    with pytest.raises(InvalidFieldError, match=r"^text: None must be a string, not NoneType$"):
        fold(None)  # type: ignore[arg-type]
