"""Tests for relancelib.formatting: exact strings, with non-breaking spaces written as escapes.

fr_FR separators (Babel 2.19 / CLDR 46): U+202F NARROW NO-BREAK SPACE groups digits, U+00A0
NO-BREAK SPACE comes before the currency sign and before "%".
"""

from __future__ import annotations

import datetime as dt
import decimal
import doctest
from collections.abc import Callable
from decimal import Decimal

import pytest
from babel.numbers import format_currency, get_currency_precision, parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from relancelib import formatting
from relancelib.errors import InvalidFieldError, RelanceError, UnknownLocaleError
from relancelib.formatting import (
    amount_in_words,
    format_amount,
    format_date,
    format_days,
    format_number,
    format_percent,
)

NNBSP = "\u202f"
NBSP = "\u00a0"
LOCALES = ["fr_FR", "fr_BE", "fr_CH", "fr_CA", "en_GB"]


# ---------------------------------------------------------------------------------------------
# format_amount


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr_FR", "1\u202f234,56\u00a0€"),
        ("fr_BE", "1\u202f234,56\u00a0€"),
        ("fr_CH", "1'234,56\u00a0€"),
        ("fr_CA", "1\u00a0234,56\u00a0€"),
        ("en_GB", "€1,234.56"),
    ],
)
def test_format_amount_per_locale(locale: str, expected: str) -> None:
    assert format_amount(Decimal("1234.56"), locale=locale) == expected


def test_format_amount_design_example() -> None:
    assert format_amount(Decimal("1234.56")) == "1\u202f234,56\u00a0€"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12"), "12,00\u00a0€"),
        (Decimal("12.5"), "12,50\u00a0€"),
        (40, "40,00\u00a0€"),
        (Decimal("0"), "0,00\u00a0€"),
        (Decimal("0.05"), "0,05\u00a0€"),
        (Decimal("1000000"), "1\u202f000\u202f000,00\u00a0€"),
        (Decimal("-1234.56"), "-1\u202f234,56\u00a0€"),
        (Decimal("-0.004"), "0,00\u00a0€"),  # no negative zero
        (Decimal("0.005"), "0,01\u00a0€"),  # half-up, as amount_in_words rounds
        (Decimal("2.675"), "2,68\u00a0€"),
        (Decimal("2.665"), "2,67\u00a0€"),  # not half-even
        (Decimal("1E+3"), "1\u202f000,00\u00a0€"),
        (Decimal("123456789012.34"), "123\u202f456\u202f789\u202f012,34\u00a0€"),
    ],
)
def test_format_amount_shows_the_currency_decimals(amount: Decimal, expected: str) -> None:
    assert format_amount(amount) == expected


@pytest.mark.parametrize(
    ("currency", "locale", "expected"),
    [
        ("CHF", "fr_CH", "1'234,56\u00a0CHF"),
        ("CHF", "fr_FR", "1\u202f234,56\u00a0CHF"),
        ("USD", "fr_FR", "1\u202f234,56\u00a0$US"),
        ("CAD", "fr_CA", "1\u00a0234,56\u00a0$"),
        ("GBP", "en_GB", "£1,234.56"),
        ("JPY", "fr_FR", "1\u202f235\u00a0JPY"),  # no minor unit: rounded to the yen
    ],
)
def test_format_amount_other_currencies(currency: str, locale: str, expected: str) -> None:
    assert format_amount(Decimal("1234.56"), currency, locale=locale) == expected


@given(
    amount=st.decimals(min_value=-(10**12), max_value=10**12, places=3),
    locale=st.sampled_from([*LOCALES, "de_DE", "nl_BE", "it_CH", "en_US", "ar_EG"]),
    currency=st.sampled_from(["EUR", "CHF", "USD", "CAD", "GBP", "JPY", "KWD"]),
)
def test_format_amount_equals_babel_format_currency(
    amount: Decimal, locale: str, currency: str
) -> None:
    # Our fast path must give exactly what Babel's format_currency gives for the rounded value.
    digits = Decimal(1).scaleb(-get_currency_precision(currency))
    rounded = amount.quantize(digits, rounding=decimal.ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)
    assert format_amount(amount, currency, locale=locale) == format_currency(
        rounded, currency, locale=locale
    )


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=2))
def test_format_amount_round_trips_through_babel_parse_decimal(amount: Decimal) -> None:
    text = format_amount(amount)
    assert text.endswith("\u00a0€")
    assert parse_decimal(text.removesuffix("\u00a0€"), locale="fr_FR", strict=True) == amount


# ---------------------------------------------------------------------------------------------
# format_number, format_percent, format_days


@pytest.mark.parametrize(
    ("locale", "number", "percent"),
    [
        ("fr_FR", "1\u202f234,5", "13,15\u00a0%"),
        ("fr_BE", "1\u202f234,5", "13,15\u00a0%"),
        ("fr_CH", "1'234,5", "13,15%"),
        ("fr_CA", "1\u00a0234,5", "13,15\u00a0%"),
        ("en_GB", "1,234.5", "13.15%"),
    ],
)
def test_format_number_and_percent_per_locale(locale: str, number: str, percent: str) -> None:
    assert format_number(Decimal("1234.5"), locale=locale) == number
    assert format_percent(Decimal("13.15"), locale=locale) == percent


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("1234.567"), None, "1\u202f234,567"),
        (Decimal("2.50"), None, "2,5"),
        (1234, None, "1\u202f234"),
        (Decimal("-3.25"), None, "-3,25"),
        (Decimal("-0"), None, "0"),
        (Decimal("1234.567"), 2, "1\u202f234,57"),
        (Decimal("2.5"), 2, "2,50"),
        (Decimal("2.5"), 0, "3"),  # half-up
        (Decimal("0.0001"), None, "0,0001"),
    ],
)
def test_format_number(value: Decimal, decimals: int | None, expected: str) -> None:
    assert format_number(value, decimals=decimals) == expected


@pytest.mark.parametrize(
    ("rate", "decimals", "expected"),
    [
        (Decimal("13.15"), None, "13,15\u00a0%"),
        (Decimal("12.00"), None, "12\u00a0%"),
        (10, None, "10\u00a0%"),
        (Decimal("3.5"), None, "3,5\u00a0%"),
        (Decimal("0.71"), None, "0,71\u00a0%"),
        (Decimal("12"), 2, "12,00\u00a0%"),
        (Decimal("13.155"), 2, "13,16\u00a0%"),
        (Decimal("-0.5"), None, "-0,5\u00a0%"),
    ],
)
def test_format_percent(rate: Decimal, decimals: int | None, expected: str) -> None:
    assert format_percent(rate, decimals=decimals) == expected


@pytest.mark.parametrize(
    ("n", "locale", "expected"),
    [
        (0, "fr_FR", "0\u00a0jour"),
        (1, "fr_FR", "1\u00a0jour"),
        (8, "fr_FR", "8\u00a0jours"),
        (1000, "fr_FR", "1\u202f000\u00a0jours"),
        (8, "fr_CH", "8\u00a0jours"),
        (1, "en_GB", "1\u00a0day"),
        (0, "en_GB", "0\u00a0days"),
        (8, "en_GB", "8\u00a0days"),
    ],
)
def test_format_days(n: int, locale: str, expected: str) -> None:
    assert format_days(n, locale=locale) == expected


# ---------------------------------------------------------------------------------------------
# format_date


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("long", "1er février 2025"),
        ("full", "samedi 1er février 2025"),
        ("medium", "1er févr. 2025"),
        ("short", "01/02/2025"),
    ],
)
def test_format_date_first_of_month_fr_fr(style: formatting.DateStyle, expected: str) -> None:
    assert format_date(dt.date(2025, 2, 1), style=style) == expected


def test_format_date_design_examples() -> None:
    assert format_date(dt.date(2025, 2, 1)) == "1er février 2025"
    assert format_date(dt.date(2025, 2, 1), style="full") == "samedi 1er février 2025"


@pytest.mark.parametrize(
    ("d", "style", "expected"),
    [
        (dt.date(2025, 3, 15), "long", "15 mars 2025"),
        (dt.date(2025, 3, 15), "full", "samedi 15 mars 2025"),
        (dt.date(2025, 3, 15), "short", "15/03/2025"),
        (dt.date(2026, 1, 1), "long", "1er janvier 2026"),
        (dt.date(2026, 1, 1), "full", "jeudi 1er janvier 2026"),
        (dt.date(2025, 8, 11), "long", "11 août 2025"),
        (dt.date(2025, 8, 21), "long", "21 août 2025"),
        (dt.date(2025, 12, 31), "long", "31 décembre 2025"),
        (dt.date(2025, 2, 2), "long", "2 février 2025"),
    ],
)
def test_format_date_fr_fr(d: dt.date, style: formatting.DateStyle, expected: str) -> None:
    assert format_date(d, style=style) == expected


@pytest.mark.parametrize(
    ("locale", "style", "expected"),
    [
        ("fr_BE", "long", "1er février 2025"),
        ("fr_BE", "full", "samedi 1er février 2025"),
        ("fr_BE", "short", "1/02/25"),  # numeric: no ordinal
        ("fr_CH", "long", "1er février 2025"),
        ("fr_CH", "full", "samedi, 1er février 2025"),
        ("fr_CH", "short", "01.02.25"),
        ("fr_CA", "long", "1er février 2025"),
        ("fr_CA", "full", "samedi 1er février 2025"),
        ("fr_CA", "short", "2025-02-01"),
        ("en_GB", "long", "1 February 2025"),
        ("en_GB", "full", "Saturday, 1 February 2025"),
        ("en_GB", "short", "01/02/2025"),
    ],
)
def test_format_date_per_locale(locale: str, style: formatting.DateStyle, expected: str) -> None:
    assert format_date(dt.date(2025, 2, 1), style=style, locale=locale) == expected


def test_format_date_other_days_per_locale() -> None:
    d = dt.date(2025, 3, 15)
    assert [format_date(d, locale=loc) for loc in LOCALES] == [
        "15 mars 2025",
        "15 mars 2025",
        "15 mars 2025",
        "15 mars 2025",
        "15 March 2025",
    ]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_format_date_uses_1er_only_on_the_first_day(d: dt.date) -> None:
    text = format_date(d)
    assert ("1er " in text) == (d.day == 1)
    assert text.endswith(str(d.year))


# ---------------------------------------------------------------------------------------------
# amount_in_words


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1234.56", "mille deux cent trente-quatre euros et cinquante-six centimes"),
        ("80", "quatre-vingts euros"),
        ("81", "quatre-vingt-un euros"),
        ("200", "deux cents euros"),
        ("201", "deux cent un euros"),
        ("71", "soixante et onze euros"),
        ("21.62", "vingt et un euros et soixante-deux centimes"),
        ("1000000", "un million d'euros"),
        ("2000000", "deux millions d'euros"),
        ("1000000000", "un milliard d'euros"),
        ("2500000000", "deux milliards cinq cents millions d'euros"),
        ("1000000.50", "un million d'euros et cinquante centimes"),
        ("1000001", "un million un euros"),
        ("1500000", "un million cinq cent mille euros"),
        ("80000", "quatre-vingt mille euros"),
        ("200000", "deux cent mille euros"),
        ("1080", "mille quatre-vingts euros"),
        ("1.01", "un euro et un centime"),
        ("1", "un euro"),
        ("2", "deux euros"),
        ("0", "zéro euro"),
        ("0.50", "cinquante centimes"),
        ("0.01", "un centime"),
        ("12.00", "douze euros"),
        ("40", "quarante euros"),
        ("97.71", "quatre-vingt-dix-sept euros et soixante et onze centimes"),
        ("0.005", "un centime"),  # rounded half-up, as format_amount rounds
        (
            "987654321.99",
            "neuf cent quatre-vingt-sept millions six cent cinquante-quatre mille trois cent "
            "vingt et un euros et quatre-vingt-dix-neuf centimes",
        ),
    ],
)
def test_amount_in_words_fr_fr(amount: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount)) == expected


@pytest.mark.parametrize(
    ("amount", "fr_be", "fr_ch"),
    [
        ("71", "septante et un euros", "septante et un euros"),
        ("77", "septante-sept euros", "septante-sept euros"),
        ("80", "quatre-vingts euros", "huitante euros"),
        ("81", "quatre-vingt-un euros", "huitante et un euros"),
        ("91", "nonante et un euros", "nonante et un euros"),
        ("99", "nonante-neuf euros", "nonante-neuf euros"),
        ("80000", "quatre-vingt mille euros", "huitante mille euros"),
        ("201", "deux cent un euros", "deux cent un euros"),
        ("1000000", "un million d'euros", "un million d'euros"),
        (
            "1234.56",
            "mille deux cent trente-quatre euros et cinquante-six centimes",
            "mille deux cent trente-quatre euros et cinquante-six centimes",
        ),
        (
            "170.75",
            "cent septante euros et septante-cinq centimes",
            "cent septante euros et septante-cinq centimes",
        ),
    ],
)
def test_amount_in_words_belgian_and_swiss(amount: str, fr_be: str, fr_ch: str) -> None:
    assert amount_in_words(Decimal(amount), locale="fr_BE") == fr_be
    assert amount_in_words(Decimal(amount), locale="fr_CH") == fr_ch


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1234.56", "one thousand two hundred and thirty-four euros and fifty-six cents"),
        ("1.01", "one euro and one cent"),
        ("0", "zero euros"),
        ("0.50", "fifty cents"),
        ("1000000", "one million euros"),
        ("80", "eighty euros"),
    ],
)
def test_amount_in_words_en_gb(amount: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), locale="en_GB") == expected


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("71.71", "CAD", "fr_CA", "soixante et onze dollars et soixante et onze cents"),
        (
            "1234.56",
            "EUR",
            "fr_CA",
            "mille deux cent trente-quatre euros et cinquante-six centimes",
        ),
        ("1000000", "CHF", "fr_CH", "un million de francs"),
        ("2.05", "CHF", "fr_CH", "deux francs et cinq centimes"),
        ("1", "GBP", "fr_FR", "une livre sterling"),
        ("21", "GBP", "fr_FR", "vingt et une livres sterling"),
        ("21000", "GBP", "fr_FR", "vingt et une mille livres sterling"),
        ("1000000", "GBP", "fr_FR", "un million de livres sterling"),
        ("2.02", "GBP", "en_GB", "two pounds and two pence"),
        ("1.01", "GBP", "en_GB", "one pound and one penny"),
        ("10", "USD", "en_GB", "ten dollars"),
    ],
)
def test_amount_in_words_other_currencies(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert amount_in_words(Decimal(amount), currency, locale=locale) == expected


def test_amount_in_words_accepts_int() -> None:
    assert amount_in_words(80) == "quatre-vingts euros"


def test_amount_in_words_largest_amount() -> None:
    text = amount_in_words(Decimal("999999999999999999.99"))
    assert text.startswith("neuf cent quatre-vingt-dix-neuf billiards ")
    assert text.endswith(" euros et quatre-vingt-dix-neuf centimes")
    with pytest.raises(InvalidFieldError, match="too large"):
        amount_in_words(Decimal(10) ** 18)


@given(
    amount=st.decimals(min_value=0, max_value=10**15, places=2),
    locale=st.sampled_from(LOCALES),
    currency=st.sampled_from(["EUR", "CHF", "USD", "CAD", "GBP"]),
)
def test_amount_in_words_is_clean_and_stable(amount: Decimal, locale: str, currency: str) -> None:
    text = amount_in_words(amount, currency, locale=locale)
    assert "  " not in text
    assert text == text.strip()
    assert text
    assert "zéro centime" not in text
    assert "zero cent" not in text
    assert amount_in_words(amount, currency, locale=locale) == text
    formatting._amount_in_words.cache_clear()
    assert amount_in_words(amount, currency, locale=locale) == text


@given(st.decimals(min_value=0, max_value=10**12, places=2))
def test_amount_in_words_never_says_de_before_a_plain_number(amount: Decimal) -> None:
    text = amount_in_words(amount)
    # "d'euros" only right after a scale noun: "un million d'euros", never "mille d'euros".
    if "d'euros" in text:
        assert text.split(" d'euros")[0].endswith(("illion", "illions", "illiard", "illiards"))
    assert ("d'euros" in text) == (int(amount) >= 10**6 and int(amount) % 10**6 == 0)


# ---------------------------------------------------------------------------------------------
# Environment independence and caches


def test_nothing_reads_the_process_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANG", "LC_ALL", "LC_NUMERIC", "LC_MONETARY", "LC_TIME", "LANGUAGE"):
        monkeypatch.setenv(name, "de_DE.UTF-8")
    formatting._parse_locale.cache_clear()
    formatting._format_amount.cache_clear()
    formatting._format_date.cache_clear()
    assert format_amount(Decimal("1234.56")) == "1\u202f234,56\u00a0€"
    assert format_date(dt.date(2025, 2, 1)) == "1er février 2025"


def test_the_callers_decimal_context_does_not_matter() -> None:
    for cache in (
        formatting._format_amount,
        formatting._format_number,
        formatting._amount_in_words,
    ):
        cache.cache_clear()
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert format_amount(Decimal("1234.565")) == "1\u202f234,57\u00a0€"
        assert format_number(Decimal("1234.567"), decimals=2) == "1\u202f234,57"
        assert format_percent(Decimal("13.15")) == "13,15\u00a0%"
        assert format_days(1234) == "1\u202f234\u00a0jours"
        assert amount_in_words(Decimal("1234.56")) == (
            "mille deux cent trente-quatre euros et cinquante-six centimes"
        )


def test_equal_values_with_other_exponents_format_alike() -> None:
    # The result caches are keyed by value: Decimal("1.5") == Decimal("1.50") must not matter.
    assert format_number(Decimal("1.50")) == format_number(Decimal("1.5")) == "1,5"
    assert format_amount(Decimal("1.5")) == format_amount(Decimal("1.500")) == "1,50\u00a0€"
    assert format_amount(1) == format_amount(Decimal("1.00")) == "1,00\u00a0€"


# ---------------------------------------------------------------------------------------------
# Robustness: junk in, RelanceError out (never KeyError, TypeError or InvalidOperation).

JUNK = [
    None,
    "",
    "€",
    "12.50",
    float("nan"),
    1.5,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    True,
    object(),
    [],
    {},
    b"12",
    dt.date(2025, 1, 1),
]


def _calls(value: object) -> list[Callable[[], str]]:
    return [
        lambda: format_amount(value),  # type: ignore[arg-type]
        lambda: format_number(value),  # type: ignore[arg-type]
        lambda: format_percent(value),  # type: ignore[arg-type]
        lambda: amount_in_words(value),  # type: ignore[arg-type]
        lambda: format_days(value),  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_junk_values_raise_invalid_field_error(junk: object) -> None:
    for call in _calls(junk):
        with pytest.raises(InvalidFieldError):
            call()


@pytest.mark.parametrize(
    "junk", [*JUNK[:-1], dt.datetime(2025, 2, 1, 12, 0), "2025-02-01"], ids=repr
)
def test_junk_dates_raise_invalid_field_error(junk: object) -> None:
    with pytest.raises(InvalidFieldError, match="date"):
        format_date(junk)  # type: ignore[arg-type]


@pytest.mark.parametrize("style", [None, "", "LONG", "longue", 1, object(), []], ids=repr)
def test_bad_date_style_raises(style: object) -> None:
    with pytest.raises(InvalidFieldError, match="style"):
        format_date(dt.date(2025, 2, 1), style=style)  # type: ignore[arg-type]


def test_negative_values_where_invalid() -> None:
    with pytest.raises(InvalidFieldError, match="negative"):
        amount_in_words(Decimal("-1"))
    with pytest.raises(InvalidFieldError, match="days"):
        format_days(-1)


BAD_LOCALES = [
    None,
    "",
    "xx_YY",
    "fr_XX",
    "fr-FR",
    " fr_FR",
    "fr_FR\n",
    "default",
    42,
    object(),
    [],
]


@pytest.mark.parametrize("locale", BAD_LOCALES, ids=repr)
def test_unknown_locales_raise_unknown_locale_error(locale: object) -> None:
    calls: list[Callable[[], str]] = [
        lambda: format_amount(Decimal(1), locale=locale),  # type: ignore[arg-type]
        lambda: format_number(Decimal(1), locale=locale),  # type: ignore[arg-type]
        lambda: format_percent(Decimal(1), locale=locale),  # type: ignore[arg-type]
        lambda: format_date(dt.date(2025, 2, 1), locale=locale),  # type: ignore[arg-type]
        lambda: amount_in_words(Decimal(1), locale=locale),  # type: ignore[arg-type]
        lambda: format_days(1, locale=locale),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(UnknownLocaleError) as info:
            call()
        assert info.value.field == "locale"
        assert repr(locale)[:20] in str(info.value)


def test_words_need_a_language_we_write() -> None:
    # Babel knows German, so figures work; words and day counts are French or English only.
    assert format_amount(Decimal("1234.56"), locale="de_DE") == "1.234,56\u00a0€"
    with pytest.raises(UnknownLocaleError, match="de_DE"):
        amount_in_words(Decimal(1), locale="de_DE")
    with pytest.raises(UnknownLocaleError, match="de_DE"):
        format_days(1, locale="de_DE")


@pytest.mark.parametrize(
    "currency", [None, "", "€", "EURO", "eur", "XYZ", 978, object(), []], ids=repr
)
def test_unknown_currencies_raise_invalid_field_error(currency: object) -> None:
    for call in (format_amount, amount_in_words):
        with pytest.raises(InvalidFieldError) as info:
            call(Decimal(1), currency)  # type: ignore[arg-type]
        assert info.value.field == "currency"


def test_currency_without_words_is_named() -> None:
    assert format_amount(Decimal("1234"), "JPY") == "1\u202f234\u00a0JPY"
    with pytest.raises(InvalidFieldError, match="JPY"):
        amount_in_words(Decimal("1234"), "JPY")


@pytest.mark.parametrize("decimals", [-1, 21, 1.5, "2", True], ids=repr)
def test_bad_decimals_raise(decimals: object) -> None:
    with pytest.raises(InvalidFieldError, match="decimals"):
        format_number(Decimal(1), decimals=decimals)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match="decimals"):
        format_percent(Decimal(1), decimals=decimals)  # type: ignore[arg-type]


def test_float_error_message_suggests_decimal() -> None:
    with pytest.raises(InvalidFieldError, match=r"amount: 1\.5 .*floats are refused"):
        format_amount(1.5)  # type: ignore[arg-type]


def test_huge_amount_is_an_error_not_invalid_operation() -> None:
    with pytest.raises(InvalidFieldError, match="too large"):
        format_amount(Decimal("1e80"))


def test_errors_are_relance_errors_and_value_errors() -> None:
    with pytest.raises(RelanceError):
        format_amount(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="locale"):
        format_date(dt.date(2025, 2, 1), locale="xx_YY")


def test_public_names() -> None:
    assert formatting.__all__ == sorted(formatting.__all__)
    functions = [name for name in formatting.__all__ if name != "DateStyle"]
    for name in functions:
        assert getattr(formatting, name).__doc__


def test_module_doctest() -> None:
    assert doctest.testmod(formatting).failed == 0
