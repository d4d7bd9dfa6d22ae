"""The one home of every value check: a date, an amount, a rate, a line of text, a sequence.

Each check returns the value (converted where the rule says so) or raises
:class:`~relancelib.errors.InvalidFieldError` naming the field and the refused value.
Every part of relancelib — the model's validators, the law's argument checks, the journal,
the renderer, the readers — calls these, so a value means the same thing whichever door it
comes in by.  Reading *outside words* (``"oui"``, ``"05/03/2025"``, ``"1 234,50"``) is
:mod:`relancelib.parsing`'s job; this module checks Python values.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from email.errors import HeaderParseError
from email.headerregistry import Address as _MailAddress
from typing import Any, TypeVar

from babel import Locale
from babel import UnknownLocaleError as _BabelUnknownLocale
from babel.numbers import get_currency_precision, list_currencies
from stdnum import bic as _bic
from stdnum import iban as _iban
from stdnum.eu import vat as _vat
from stdnum.exceptions import ValidationError as _StdnumError
from stdnum.fr import siren as _siren
from stdnum.fr import siret as _siret

from relancelib.errors import InvalidFieldError, UnknownLocaleError

__all__ = [
    "check_amount",
    "check_bic",
    "check_bool",
    "check_country",
    "check_currency",
    "check_date",
    "check_decimal",
    "check_email",
    "check_iban",
    "check_instance",
    "check_integer",
    "check_locale",
    "check_optional_date",
    "check_phone",
    "check_rate",
    "check_sequence",
    "check_single_line",
    "check_siren",
    "check_text",
    "check_vat_number",
    "has_control_characters",
    "minor_unit",
    "optional",
    "to_money",
    "validator",
]

T = TypeVar("T")

#: Control characters (C0, DEL and C1 — U+009B is a terminal's escape introducer), and the
#: Unicode line breaks (NEL, LS, PS) that would split an e-mail header or a CSV line: never
#: allowed in a single line of text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: In multi-line text, the line feed is allowed (and only it: CR, VT, FF and the Unicode
#: line breaks are normalised by whoever reads the text, not stored).
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")

#: The largest percentage accepted as a rate (a rate per year).
MAX_RATE = Decimal(100)


def _type_name(value: object) -> str:
    return type(value).__name__


def check_instance(value: object, kind: type[T], field: str, *, what: str | None = None) -> T:
    """Return ``value`` if it is a ``kind``, else raise ``"must be a <what>"``."""
    _check_kind(kind)
    if not isinstance(value, kind):
        raise InvalidFieldError(f"must be {what or 'a ' + kind.__name__}", field=field, value=value)
    return value


def _check_kind(kind: object) -> None:
    if not isinstance(kind, type):
        raise InvalidFieldError("must be a class", field="kind", value=kind)


def check_sequence(
    value: object, kind: type[T], field: str, *, what: str | None = None
) -> tuple[T, ...]:
    """Return ``value`` as a tuple of ``kind``; a string, a non-iterable or a foreign item
    raises (``"must be a sequence of Payment"``, ``"must hold only Payment objects"``)."""
    _check_kind(kind)
    name = what or kind.__name__
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidFieldError(f"must be a sequence of {name}", field=field, value=value)
    items = tuple(value)
    for item in items:
        if not isinstance(item, kind):
            raise InvalidFieldError(f"must hold only {name} objects", field=field, value=item)
    return items


def check_date(value: object, field: str) -> dt.date:
    """Return ``value`` if it is a ``datetime.date``, else raise naming ``field``.

    A ``datetime`` is refused too: it is a date with a time, and every rule here counts
    whole days.
    """
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidFieldError(
            f"must be a datetime.date, not {_type_name(value)}", field=field, value=value
        )
    return value


def check_optional_date(value: object, field: str) -> dt.date | None:
    """:func:`check_date`, with ``None`` allowed."""
    return None if value is None else check_date(value, field)


def check_bool(value: object, field: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (not 0, 1 or ``"yes"``)."""
    if not isinstance(value, bool):
        raise InvalidFieldError("must be True or False", field=field, value=value)
    return value


def check_decimal(value: object, field: str, *, what: str = "a Decimal amount") -> Decimal:
    """``value`` as a finite Decimal: ``Decimal`` and ``int`` only.

    This is where floats are refused, once for the whole library: a float has already been
    rounded to binary, and ``0.1 + 0.2`` is not an amount anyone invoiced.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        hint = " (floats are refused: use Decimal('…'))" if isinstance(value, float) else ""
        raise InvalidFieldError(
            f"must be {what}, not {_type_name(value)}{hint}", field=field, value=value
        )
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidFieldError("must be a finite number", field=field, value=value)
    return number


def check_amount(value: object, field: str, *, allow_zero: bool = True) -> Decimal:
    """``value`` as a finite, non-negative (or, ``allow_zero=False``, positive) Decimal."""
    amount = check_decimal(value, field)
    if amount < 0 or (not allow_zero and amount == 0):
        raise InvalidFieldError(
            "must not be negative" if allow_zero else "must be positive",
            field=field,
            value=value,
        )
    return amount


def check_rate(value: object, field: str) -> Decimal:
    """A percentage per year between 0 and 100 (``Decimal("13.15")`` is 13,15 %)."""
    rate = check_decimal(
        value, field, what="a Decimal percentage per year such as Decimal('13.15')"
    )
    if not 0 <= rate <= MAX_RATE:
        raise InvalidFieldError("must be a percentage between 0 and 100", field=field, value=value)
    return rate


@functools.cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: object, field: str = "currency") -> str:
    """Return ``code`` if it is an ISO 4217 currency code Babel knows, else raise."""
    if not isinstance(code, str) or code not in _known_currencies():
        raise InvalidFieldError("is not a known ISO 4217 currency code", field=field, value=code)
    return code


def minor_unit(currency: str) -> Decimal:
    """The smallest unit of ``currency`` as a Decimal exponent: ``Decimal("0.01")`` for EUR."""
    return _minor_unit(check_currency(currency))


@functools.cache
def _minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-get_currency_precision(currency))


#: Money is checked and quantized in this context, whatever the caller's (thread-global)
#: decimal context: Python's default 28 digits, so an amount that needs more is refused.
MONEY_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP, traps=[InvalidOperation])


def to_money(value: object, currency: str, field: str, *, allow_zero: bool = True) -> Decimal:
    """Check ``value`` is a finite, non-negative amount and quantize it to ``currency``'s unit.

    ``int`` and ``Decimal`` are accepted; ``float`` (binary rounding), ``bool``, strings and
    anything else are refused.  An amount with more decimals than the currency allows is
    refused rather than rounded.
    """
    amount = check_amount(value, field, allow_zero=allow_zero)
    unit = minor_unit(currency)
    try:
        # copy_abs: Decimal("-0") is zero, stored without its sign.
        quantized = (amount if amount else amount.copy_abs()).quantize(unit, context=MONEY_CONTEXT)
    except InvalidOperation:
        raise InvalidFieldError("is too large", field=field, value=value) from None
    if quantized != amount:
        raise InvalidFieldError(
            f"has more decimals than {currency} allows ({unit}); round it before passing it",
            field=field,
            value=value,
        )
    return quantized


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a control character (a line break too, unless ``multiline``:
    then only ``\\n`` is allowed)."""
    if not isinstance(text, str):
        raise InvalidFieldError(
            f"must be a string, not {_type_name(text)}", field="text", value=text
        )
    return (_CONTROL_BUT_NEWLINE if multiline else _CONTROL).search(text) is not None


def check_text(value: object, field: str, *, multiline: bool = False) -> str:
    """A non-blank string without control characters (one line unless ``multiline``)."""
    if not isinstance(value, str):
        raise InvalidFieldError(
            f"must be a string, not {_type_name(value)}", field=field, value=value
        )
    if not value.strip():
        raise InvalidFieldError("must not be empty", field=field, value=value)
    if has_control_characters(value, multiline=multiline):
        raise InvalidFieldError("must not contain control characters", field=field, value=value)
    return value


def check_single_line(value: object, field: str, *, what: str = "text") -> str:
    """A non-blank single line of ``what`` — what goes into an e-mail header, a journal
    reference or a file name: a line break there would forge a header or a record."""
    if (
        not isinstance(value, str)
        or not value.strip()
        or has_control_characters(value, multiline=False)
    ):
        raise InvalidFieldError(
            f"must be a non-empty single line of {what} (no control characters or line breaks)",
            field=field,
            value=value,
        )
    return value


@functools.lru_cache(maxsize=256)
def _parse_locale(name: str) -> Locale:
    return Locale.parse(name)


def check_locale(value: object, field: str = "locale") -> Locale:
    """The Babel ``Locale`` named ``value`` (cached), or :class:`UnknownLocaleError`."""
    if not isinstance(value, str):
        raise UnknownLocaleError(
            f"must be a locale name such as 'fr_FR', not {_type_name(value)}",
            field=field,
            value=value,
        )
    try:
        return _parse_locale(value)
    except (ValueError, TypeError, _BabelUnknownLocale):
        raise UnknownLocaleError("is not a locale Babel knows", field=field, value=value) from None


def validator(check: Any, field: str, **options: Any) -> Any:
    """An ``attrs`` validator running ``check(value, field, **options)``."""

    def run(_inst: Any, _attr: Any, value: Any) -> None:
        check(value, field, **options)

    return run


def optional(check: Any, field: str, **options: Any) -> Any:
    """An ``attrs`` validator running ``check`` unless the value is ``None``."""

    def run(_inst: Any, _attr: Any, value: Any) -> None:
        if value is not None:
            check(value, field, **options)

    return run


def check_integer(value: object, field: str) -> int:
    """Return ``value`` if it is an ``int``: a whole number, not a ``bool``, a float or text."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidFieldError(
            f"must be a whole number, not {_type_name(value)}", field=field, value=value
        )
    return value


# ---------------------------------------------------------------------------------------------
# Contacts and identifiers.


def check_email(value: object, field: str) -> str:
    """An e-mail address ``local@domain.tld``, parsed by the stdlib's ``headerregistry``."""
    if not isinstance(value, str) or has_control_characters(value) or value.count("@") != 1:
        raise InvalidFieldError("is not a valid e-mail address", field=field, value=value)
    try:
        parsed = _MailAddress(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError):
        raise InvalidFieldError("is not a valid e-mail address", field=field, value=value) from None
    if (
        not parsed.username
        or "." not in parsed.domain
        or parsed.domain.startswith(".")
        or parsed.domain.endswith(".")
        or " " in value
        or "(" in value
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in parsed.domain.split("."))
    ):
        raise InvalidFieldError("is not a valid e-mail address", field=field, value=value)
    return value


#: A domain label (RFC 1035 as relaxed by RFC 1123): letters, digits and inner hyphens; any
#: non-ASCII letter too, for internationalised domains (IDNA-encoded when sent).
_DOMAIN_LABEL = re.compile(r"(?!-)[\w-]{1,63}(?<!-)")


_PHONE = re.compile(r"\+?[0-9][0-9 .()\-]{5,24}")


def check_phone(value: object, field: str) -> str:
    """A telephone number as people write it (``04 78 00 00 01``, ``+33 4 78 00 00 01``)."""
    if not isinstance(value, str) or not _PHONE.fullmatch(value):
        raise InvalidFieldError("is not a valid telephone number", field=field, value=value)
    return value


def _stdnum_check(module: Any, label: str, value: object, field: str) -> str:
    """Validate with a python-stdnum ``module`` and return the compact form
    (``"552 100 554"`` → ``"552100554"``: the same number, written one way)."""
    if not isinstance(value, str):
        article = "an" if label[0] in "AEIOU" else "a"
        raise InvalidFieldError(f"must be {article} {label} as a string", field=field, value=value)
    try:
        return str(module.validate(value))
    except _StdnumError as exc:
        raise InvalidFieldError(
            f"is not a valid {label} ({exc})", field=field, value=value
        ) from None


def check_siren(value: object, field: str) -> str:
    """A SIREN in compact form; a SIRET (SIREN + establishment number, as exports often carry
    where a SIREN is asked) is accepted and converted with ``stdnum.fr.siret.to_siren``."""
    if isinstance(value, str) and len(_siret.compact(value)) == 14:
        return str(_siret.to_siren(_stdnum_check(_siret, "SIRET", value, field)))
    return _stdnum_check(_siren, "SIREN", value, field)


def check_iban(value: object, field: str) -> str:
    """An IBAN (checksum and country format by python-stdnum), in compact form."""
    return _stdnum_check(_iban, "IBAN", value, field)


def check_bic(value: object, field: str) -> str:
    """A BIC (python-stdnum), in compact form."""
    return _stdnum_check(_bic, "BIC", value, field)


def check_vat_number(value: object, field: str) -> str:
    """An intra-community VAT number (*numéro de TVA intracommunautaire*, python-stdnum's
    ``stdnum.eu.vat``: ``FR`` + key + SIREN for France), in compact form."""
    return _stdnum_check(_vat, "intra-community VAT number", value, field)


@functools.cache
def _territories() -> frozenset[str]:
    codes = Locale("en").territories
    # "ZZ" is CLDR's "Unknown Region", not a country.
    return frozenset(
        c for c in codes if isinstance(c, str) and c.isalpha() and len(c) == 2 and c != "ZZ"
    )


def check_country(value: object, field: str) -> str:
    """An ISO 3166-1 alpha-2 country code that CLDR (Babel) knows (``"FR"``, ``"BE"``...)."""
    if not isinstance(value, str) or value not in _territories():
        raise InvalidFieldError(
            "is not an ISO 3166-1 alpha-2 country code", field=field, value=value
        )
    return value
