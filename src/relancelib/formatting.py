r"""French (and English) presentation of amounts, numbers, rates, dates and amounts in words.

Figures come from Babel (CLDR data), words from num2words; relancelib only composes them
(currency names, "1er", elisions).  Nothing here reads the clock, the process locale or the
environment: ``locale`` is always an argument, ``"fr_FR"`` by default, and Babel is never
called with ``date=None`` or ``locale=None``.

For ``fr_FR`` Babel (CLDR 46, Babel 2.19) groups digits with U+202F NARROW NO-BREAK SPACE and
puts U+00A0 NO-BREAK SPACE before the currency sign and before ``%``::

    >>> format_amount(Decimal("1234.56"))
    '1\u202f234,56\xa0€'

Amounts are rounded to the currency's minor unit with ``ROUND_HALF_UP`` by both
:func:`format_amount` and :func:`amount_in_words`, so the figures and the words of a letter
always agree.  Every function refuses ``float``, ``bool``, ``None``, strings and non-finite
decimals with :class:`~relancelib.errors.InvalidFieldError` and unknown locales with
:class:`~relancelib.errors.UnknownLocaleError`.

Results are memoised (Babel ``Locale`` objects, parsed patterns, and the formatted strings of
recent values), because the renderer formats the same dates and amounts many times a second.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Literal, NamedTuple

from babel import Locale
from babel.dates import (
    DateTimePattern,
    get_date_format,
    parse_pattern,
    tokenize_pattern,
    untokenize_pattern,
)
from babel.numbers import NumberPattern, get_currency_precision, get_currency_symbol
from num2words import num2words

from relancelib import checks
from relancelib.checks import check_currency, check_date, check_decimal, check_locale, minor_unit
from relancelib.errors import InvalidFieldError, UnknownLocaleError

__all__ = [
    "DateStyle",
    "amount_in_words",
    "format_amount",
    "format_date",
    "format_days",
    "format_number",
    "format_percent",
]

DateStyle = Literal["short", "medium", "long", "full"]
"""The CLDR date lengths :func:`format_date` accepts."""

_STYLES: frozenset[str] = frozenset(("short", "medium", "long", "full"))

# Our own arithmetic context: the caller's (thread-global) decimal context must not change
# how an amount is rounded.
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)

# Amounts in words stop below 10**18 (a trillion in the French long scale): far above any
# invoice, and below the sizes where num2words' scale names are unreliable.
_WORDS_LIMIT = 10**18

_CACHE_SIZE = 4096


# ---------------------------------------------------------------------------------------------
# Argument checks.  Each raises a RelanceError naming the argument and the refused value.


def _locale(locale: object) -> Locale:
    """The Babel ``Locale`` for ``locale`` (cached), or UnknownLocaleError."""
    return check_locale(locale, "locale")


# The cached Babel parse behind check_locale (tests clear it).
_parse_locale = checks._parse_locale


def _language(locale: object, what: str) -> str:
    """The language of ``locale`` when relancelib can write ``what`` in it (fr or en)."""
    language = _locale(locale).language
    if language not in ("fr", "en"):
        raise UnknownLocaleError(
            f"relancelib cannot write {what} in this language (French and English only)",
            field="locale",
            value=locale,
        )
    return language


def _number(value: object, field: str) -> Decimal:
    """``value`` as a finite Decimal; ``int`` and ``Decimal`` only (no float, bool, str)."""
    return check_decimal(value, field, what="a Decimal or an int")


def _currency(currency: object) -> str:
    return check_currency(currency, "currency")


def _to_minor_unit(amount: Decimal, currency: str, value: object) -> Decimal:
    """``amount`` rounded half-up to the minor unit of ``currency``, with no negative zero."""
    try:
        rounded = amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP, context=_CONTEXT)
    except InvalidOperation:
        raise InvalidFieldError("is too large", field="amount", value=value) from None
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _decimals(decimals: object) -> int | None:
    if decimals is None:
        return None
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 20:
        raise InvalidFieldError(
            "must be None or an int from 0 to 20", field="decimals", value=decimals
        )
    return decimals


# ---------------------------------------------------------------------------------------------
# Numbers, amounts and rates (Babel).


class _CurrencyFormat(NamedTuple):
    locale: Locale
    pattern: NumberPattern  # the locale's standard currency pattern, fixed to the minor unit
    symbol: str  # the locale's symbol for the currency ("€", "CHF", "$US"...)


@functools.lru_cache(maxsize=1024)
def _currency_format(locale: str, currency: str) -> _CurrencyFormat:
    babel_locale = _parse_locale(locale)
    pattern = copy.copy(babel_locale.currency_formats["standard"])
    digits = get_currency_precision(currency)
    pattern.frac_prec = (digits, digits)
    return _CurrencyFormat(babel_locale, pattern, get_currency_symbol(currency, babel_locale))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _format_amount(amount: Decimal, currency: str, locale: str) -> str:
    fmt = _currency_format(locale, currency)
    with localcontext(_CONTEXT):
        if "¤¤" in fmt.pattern.pattern:  # pragma: no cover - no CLDR standard pattern has these
            return str(fmt.pattern.apply(amount, fmt.locale, currency=currency))
        # Same output as babel.numbers.format_currency (a test checks it), but Babel would look
        # up the currency's plural long name on every call for a "¤¤¤" that standard patterns
        # lack: half its run time.  So Babel formats the number and we put in the symbol.
        return str(fmt.pattern.apply(amount, fmt.locale)).replace("¤", fmt.symbol)


def format_amount(amount: Decimal | int, currency: str = "EUR", *, locale: str = "fr_FR") -> str:
    r"""Format a money amount with its currency sign, as the locale writes it.

    Always shows the currency's decimals, rounded half-up (``Decimal("12")`` →
    ``"12,00\u00a0€"``); negative amounts get the locale's minus sign.  For ``fr_FR``:
    ``format_amount(Decimal("1234.56"))`` → ``"1\u202f234,56\u00a0€"``.
    """
    value = _number(amount, "amount")
    _locale(locale)
    code = _currency(currency)
    return _format_amount(_to_minor_unit(value, code, amount), code, locale)


@functools.lru_cache(maxsize=1024)
def _number_pattern(
    locale: str, kind: Literal["decimal", "percent"], decimals: int | None
) -> tuple[Locale, NumberPattern]:
    babel_locale = _parse_locale(locale)
    formats = babel_locale.decimal_formats if kind == "decimal" else babel_locale.percent_formats
    pattern: NumberPattern = formats[None]
    if decimals is not None:
        pattern = copy.copy(pattern)
        pattern.frac_prec = (decimals, decimals)
    return babel_locale, pattern


def _fixed(value: Decimal, decimals: int | None, field: str, original: object) -> Decimal:
    """``value`` rounded half-up to ``decimals`` places (as amounts are), without a negative zero.

    We round before Babel so that Babel's own rounding (half-even) never applies.
    """
    if decimals is not None:
        try:
            value = value.quantize(
                Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_CONTEXT
            )
        except InvalidOperation:
            raise InvalidFieldError("is too large", field=field, value=original) from None
    return value.copy_abs() if value.is_zero() else value


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _format_number(
    value: Decimal, locale: str, kind: Literal["decimal", "percent"], decimals: int | None
) -> str:
    babel_locale, pattern = _number_pattern(locale, kind, decimals)
    # Babel computes in the current decimal context: use ours, not whatever the caller set.
    with localcontext(_CONTEXT):
        if kind == "percent":
            value = value.scaleb(-2)  # Babel's percent patterns multiply by 100
        if decimals is None:
            return str(pattern.apply(value, babel_locale, decimal_quantization=False))
        return str(pattern.apply(value, babel_locale))


def format_number(
    value: Decimal | int, *, locale: str = "fr_FR", decimals: int | None = None
) -> str:
    r"""Format a number with the locale's separators: ``Decimal("1234.5")`` → ``"1\u202f234,5"``.

    By default every significant decimal is shown and trailing zeros are dropped
    (``Decimal("2.50")`` → ``"2,5"``); ``decimals=n`` rounds half-up to exactly ``n`` decimals.
    """
    number = _number(value, "value")
    _locale(locale)
    places = _decimals(decimals)
    return _format_number(_fixed(number, places, "value", value), locale, "decimal", places)


def format_percent(
    rate: Decimal | int, *, locale: str = "fr_FR", decimals: int | None = None
) -> str:
    r"""Format a rate given in percent (``Decimal("13.15")`` is 13,15 %): ``"13,15\u00a0%"``.

    The space before ``%`` is Babel's: U+00A0 NO-BREAK SPACE for French locales, none for
    ``en_GB`` (``"13.15%"``).  Decimals are shown as for :func:`format_number`
    (``Decimal("12.00")`` → ``"12\u00a0%"``) unless ``decimals`` is given.
    """
    number = _number(rate, "rate")
    _locale(locale)
    places = _decimals(decimals)
    return _format_number(_fixed(number, places, "rate", rate), locale, "percent", places)


# ---------------------------------------------------------------------------------------------
# Dates (Babel, plus the French ordinal "1er").


@functools.lru_cache(maxsize=256)
def _date_pattern(locale: str, style: str, first_of_month: bool) -> tuple[Locale, DateTimePattern]:
    babel_locale = _parse_locale(locale)
    pattern = get_date_format(style, locale=babel_locale)  # type: ignore[arg-type]
    if first_of_month and babel_locale.language == "fr":
        tokens = tokenize_pattern(pattern.pattern)
        # French writes the first day of a month as an ordinal, "1er février", but only with
        # the month in letters: the numeric "01/02/2025" stays as it is.
        month_in_letters = any(
            kind == "field" and isinstance(value, tuple) and value[0] in "ML" and value[1] >= 3
            for kind, value in tokens
        )
        if month_in_letters:
            tokens = [
                ("chars", "1er") if kind == "field" and value == ("d", 1) else (kind, value)
                for kind, value in tokens
            ]
            return babel_locale, parse_pattern(untokenize_pattern(tokens))
    return babel_locale, pattern


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _format_date(d: dt.date, style: str, locale: str) -> str:
    babel_locale, pattern = _date_pattern(locale, style, d.day == 1)
    return str(pattern.apply(d, babel_locale))


def format_date(d: dt.date, *, style: DateStyle = "long", locale: str = "fr_FR") -> str:
    """Format a date as the locale writes it: ``date(2025, 2, 1)`` → ``"1er février 2025"``.

    ``style`` is a CLDR length: ``"short"`` (``"01/02/2025"``), ``"medium"``, ``"long"`` (the
    default) or ``"full"`` (``"samedi 1er février 2025"``).  French locales write the first day
    of a month as ``1er`` whenever the month is in letters.  A ``datetime`` is refused: a due
    date is a day, and its time zone would be a guess.
    """
    check_date(d, "date")
    if not isinstance(style, str) or style not in _STYLES:
        raise InvalidFieldError(
            "must be one of 'short', 'medium', 'long', 'full'", field="style", value=style
        )
    _locale(locale)
    return _format_date(d, style, locale)


# ---------------------------------------------------------------------------------------------
# Day counts.


_DAY_WORDS = {"fr": ("jour", "jours"), "en": ("day", "days")}


def format_days(n: int, *, locale: str = "fr_FR") -> str:
    r"""A number of days with its noun: ``"1 jour"``, ``"8 jours"``, ``"8 days"``.

    A U+00A0 NO-BREAK SPACE joins the number and the noun.  The plural follows the locale's
    CLDR rule, so ``0`` is ``"0 jour"`` in French and ``"0 days"`` in English.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidFieldError("must be an int of zero or more", field="days", value=n)
    _language(locale, "day counts")
    return _format_days(n, locale)


@functools.lru_cache(maxsize=1024)
def _format_days(n: int, locale: str) -> str:
    babel_locale = _parse_locale(locale)
    singular, plural = _DAY_WORDS[babel_locale.language]
    noun = singular if babel_locale.plural_form(n) == "one" else plural
    # U+00A0 keeps the number and its unit on one line, as French typography wants.
    return f"{_format_number(Decimal(n), locale, 'decimal', 0)}\u00a0{noun}"


# ---------------------------------------------------------------------------------------------
# Amounts in words (num2words for the numbers, relancelib for the currency words).


class _Unit(NamedTuple):
    """How one currency is written in one language."""

    major: tuple[str, str]  # singular, plural
    minor: tuple[str, str]
    feminine: bool = False  # French "une livre", "vingt et une livres"


_CURRENCY_WORDS: dict[str, dict[str, _Unit]] = {
    "fr": {
        "EUR": _Unit(("euro", "euros"), ("centime", "centimes")),
        "CHF": _Unit(("franc", "francs"), ("centime", "centimes")),
        "USD": _Unit(("dollar", "dollars"), ("cent", "cents")),
        "CAD": _Unit(("dollar", "dollars"), ("cent", "cents")),
        "GBP": _Unit(("livre sterling", "livres sterling"), ("penny", "pence"), feminine=True),
    },
    "en": {
        "EUR": _Unit(("euro", "euros"), ("cent", "cents")),
        "CHF": _Unit(("franc", "francs"), ("centime", "centimes")),
        "USD": _Unit(("dollar", "dollars"), ("cent", "cents")),
        "CAD": _Unit(("dollar", "dollars"), ("cent", "cents")),
        "GBP": _Unit(("pound", "pounds"), ("penny", "pence")),
    },
}


def _dialect_table(tens: tuple[int, ...], names: dict[int, str]) -> dict[str, str]:
    """Map num2words' French words for 70-99 to the Belgian/Swiss ones (septante, nonante...).

    num2words 0.5.14 has "fr_BE" and "fr_CH", but they get the agreement rules wrong
    ("deux cents un", "un millions", "quatre-vingt" for 80 in Belgium), so we spell with the
    correct "fr" and swap only the tens that differ.
    """
    table: dict[str, str] = {}
    for n in range(70, 100):
        ten = n // 10
        if ten not in tens:
            continue
        unit = n % 10
        name = names[ten]
        if unit == 0:
            spelled = name
        elif unit == 1:
            spelled = f"{name} et un"
        else:
            spelled = f"{name}-{num2words(unit, lang='fr')}"
        table[num2words(n, lang="fr")] = spelled
    if 8 in tens:
        table["quatre-vingt"] = names[8]  # 80 before "mille" ("quatre-vingt mille")
    return table


_SEPTANTE = {7: "septante", 8: "huitante", 9: "nonante"}
_DIALECTS: dict[str, dict[str, str]] = {
    # Belgium: septante, nonante; 80 stays quatre-vingts.
    "BE": _dialect_table((7, 9), _SEPTANTE),
    # Switzerland (Romandy): septante, huitante, nonante.
    "CH": _dialect_table((7, 8, 9), _SEPTANTE),
}
_DIALECT_RE = {
    region: re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(k) for k in sorted(t, key=len, reverse=True))
        + r")(?![\w-])"
    )
    for region, t in _DIALECTS.items()
}

# "un million d'euros", "deux milliards de francs": a round scale noun takes "de".
_SCALE_NOUN = re.compile(r"(?:illions?|illiards?)$")
# A feminine unit makes the last "un" agree: "vingt et une livres", "vingt et une mille livres";
# "un million de livres" keeps "un" (million is a masculine noun).
_FINAL_UN = re.compile(r"(?:^|(?<=[ -]))un(?=(?: mille)?$)")


def _french_words(n: int, region: str | None) -> str:
    words: str = num2words(n, lang="fr")
    pattern = _DIALECT_RE.get(region or "")
    if pattern is not None:
        table = _DIALECTS[region or ""]
        words = pattern.sub(lambda m: table[m.group(1)], words)
    return words


def _english_words(n: int) -> str:
    # num2words writes "one thousand, two hundred and thirty-four"; amounts on letters and
    # cheques are written without the commas.
    words: str = num2words(n, lang="en")
    return words.replace(",", "")


def _in_french(units: int, cents: int, unit: _Unit, region: str | None) -> str:
    parts = []
    if units or not cents:
        words = _french_words(units, region)
        if unit.feminine:
            words = _FINAL_UN.sub("une", words)
        # "zéro euro", "un euro", "deux euros": French nouns are plural from two.
        noun = unit.major[0] if units < 2 else unit.major[1]
        if _SCALE_NOUN.search(words):
            noun = (" d'" if noun[0] in "aeiouy" else " de ") + noun
        else:
            noun = " " + noun
        parts.append(words + noun)
    if cents:
        noun = unit.minor[0] if cents < 2 else unit.minor[1]
        parts.append(f"{_french_words(cents, region)} {noun}")
    return " et ".join(parts)


def _in_english(units: int, cents: int, unit: _Unit) -> str:
    parts = []
    if units or not cents:
        noun = unit.major[0] if units == 1 else unit.major[1]
        parts.append(f"{_english_words(units)} {noun}")
    if cents:
        noun = unit.minor[0] if cents == 1 else unit.minor[1]
        parts.append(f"{_english_words(cents)} {noun}")
    return " and ".join(parts)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _amount_in_words(amount: Decimal, currency: str, locale: str) -> str:
    babel_locale = _parse_locale(locale)
    language = babel_locale.language
    unit = _CURRENCY_WORDS[language][currency]
    units = int(amount)
    cents = int(amount.scaleb(2, context=_CONTEXT)) % 100
    if language == "fr":
        return _in_french(units, cents, unit, babel_locale.territory)
    return _in_english(units, cents, unit)


def amount_in_words(amount: Decimal | int, currency: str = "EUR", *, locale: str = "fr_FR") -> str:
    """Write a non-negative amount in words, as on a cheque or a formal notice.

    ``amount_in_words(Decimal("1234.56"))`` →
    ``"mille deux cent trente-quatre euros et cinquante-six centimes"``.  The amount is
    rounded half-up to the cent as :func:`format_amount` rounds it.  French follows the
    traditional spelling (``"quatre-vingts euros"``, ``"deux cent un euros"``,
    ``"un million d'euros"``, ``"zéro euro"``); with no euros, only the cents are written
    (``"cinquante centimes"``); ``fr_BE`` says septante/nonante and ``fr_CH`` also huitante.
    Currencies: EUR, CHF, USD, CAD and GBP; languages: French and English.
    """
    value = _number(amount, "amount")
    if value < 0:
        raise InvalidFieldError(
            "must not be negative to be written in words", field="amount", value=amount
        )
    language = _language(locale, "amounts in words")
    code = _currency(currency)
    if code not in _CURRENCY_WORDS[language]:
        supported = ", ".join(sorted(_CURRENCY_WORDS[language]))
        raise InvalidFieldError(
            f"cannot be written in words (supported: {supported})",
            field="currency",
            value=currency,
        )
    rounded = _to_minor_unit(value, code, amount)
    if rounded >= _WORDS_LIMIT:
        raise InvalidFieldError("is too large to be written in words", field="amount", value=amount)
    return _amount_in_words(rounded, code, locale)
