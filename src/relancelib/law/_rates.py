"""The rate tables the law reads (:class:`Rates`) and the shipped ones (:data:`DEFAULT_RATES`).

The shipped tables are the dated, sourced CSV files in ``relancelib/law/data``; each is known
through a stated date.  A newer figure is passed with ``rates=DEFAULT_RATES.with_mro(...)``
(see ``docs/law.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from importlib import resources

import attrs

from relancelib.checks import check_instance
from relancelib.law._tables import Granularity, RateTable


@functools.cache
def _shipped(filename: str, column: str, name: str, granularity: Granularity) -> RateTable:
    text = (resources.files(__package__) / "data" / filename).read_text(encoding="utf-8")
    return RateTable.from_csv(text, name=name, column=column, granularity=granularity)


def _default_mro() -> RateTable:
    return _shipped(
        "ecb_mro.csv", "rate", "ECB main refinancing operations rate", Granularity.CHANGE
    )


def _default_legal() -> RateTable:
    return _shipped(
        "legal_interest_rate.csv",
        "other_cases",
        "legal interest rate (all other cases)",
        Granularity.HALF_YEAR,
    )


def _default_legal_private() -> RateTable:
    return _shipped(
        "legal_interest_rate.csv",
        "private_creditor",
        "legal interest rate (private creditor)",
        Granularity.HALF_YEAR,
    )


def _mro_table(value: object) -> RateTable:
    return check_instance(value, RateTable, "Rates.mro")


def _legal_table(value: object) -> RateTable:
    return check_instance(value, RateTable, "Rates.legal")


def _legal_private_table(value: object) -> RateTable:
    return check_instance(value, RateTable, "Rates.legal_private")


@attrs.frozen(kw_only=True)
class Rates:
    """The rate tables the law functions read; every field defaults to the shipped table.

    ``mro``: the ECB main refinancing operations rate by date of change (Code de commerce
    L441-10 II).  ``legal``: the legal interest rate, "all other cases" column, per half-year
    (Code monétaire et financier L313-2); ``legal_private``: the same for a creditor who is a
    private person.  Pass ``rates=`` to any law function (and to ``plan()``) to use a newer
    figure::

        rates = DEFAULT_RATES.with_mro(date(2026, 7, 1), Decimal("2.15"), source="ECB, ...")

    A ``Rates`` holds its tables and nothing else: what is worked out from them (the default
    late-payment rate of each half-year) is cached by the law's functions, keyed on the
    tables' value.
    """

    mro: RateTable = attrs.field(factory=_default_mro, converter=_mro_table)
    legal: RateTable = attrs.field(factory=_default_legal, converter=_legal_table)
    legal_private: RateTable = attrs.field(
        factory=_default_legal_private, converter=_legal_private_table
    )

    def with_mro(
        self, start: dt.date, rate: Decimal, *, source: str, known_through: dt.date | None = None
    ) -> Rates:
        """A copy with an MRO rate ``rate`` in force from ``start`` (:meth:`RateTable.extended`)."""
        return attrs.evolve(
            self, mro=self.mro.extended(start, rate, source=source, known_through=known_through)
        )

    def with_legal_rate(
        self,
        start: dt.date,
        rate: Decimal,
        *,
        source: str,
        private_creditor_rate: Decimal | None = None,
    ) -> Rates:
        """A copy with the legal interest rate of the half-year starting on ``start``
        (1 January or 1 July): ``rate`` for all other cases and, when given,
        ``private_creditor_rate`` for a private creditor (CMF L313-2)."""
        legal = self.legal.extended(start, rate, source=source)
        private = (
            self.legal_private
            if private_creditor_rate is None
            else self.legal_private.extended(start, private_creditor_rate, source=source)
        )
        return attrs.evolve(self, legal=legal, legal_private=private)


#: The shipped tables: MRO known through 2026-02-05, legal interest rate through 2026-06-30.
DEFAULT_RATES = Rates()


def check_rates(rates: object) -> Rates:
    """``rates`` if it is a :class:`Rates`; ``None`` means the shipped :data:`DEFAULT_RATES`.

    What every function taking ``rates=`` does with it (``plan()`` too), so a wrong value is
    refused with the same message whichever door it comes in by.
    """
    if rates is None:
        return DEFAULT_RATES
    return check_instance(
        rates, Rates, "rates", what="a relancelib.law.Rates or None (the shipped tables)"
    )
