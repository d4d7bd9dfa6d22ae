"""French late-payment law: rates, penalties, interest, indemnity, claims, terms, prescription.

Pure functions on :class:`decimal.Decimal`: nothing here is computed in ``float``, reads the
clock or rounds more than once.  Rates are percentages per year (``Decimal("13.15")`` is
13,15 %).  The rate tables ship as dated, sourced CSV files in ``relancelib/law/data`` and are
known through a stated date; a lookup outside a table raises
:class:`~relancelib.errors.RateUnknownError` — the library never guesses a rate.  Pass a
newer figure with ``rates=DEFAULT_RATES.with_mro(...)`` (see ``docs/law.md``).

The legal facts and the readings chosen are those of the project's fact sheet (``LAW.md``):

- business debtors: Code de commerce L441-10 II late-payment penalties (ECB MRO rate + 10
  points, or a contractual rate of at least 3 × the legal interest rate) and the D441-5
  recovery indemnity of 40 €;
- consumers: interest at the legal rate (Code monétaire et financier L313-2) from the formal
  notice (Code civil 1231-6, 1344-1);
- payment terms (L441-10 I) and limitation periods (Code de commerce L110-4, Code de la
  consommation L218-2).

One module per rule: ``_tables`` (:class:`RateTable`), ``_rates`` (:class:`Rates`, the shipped
tables), ``_accrual`` (:class:`Penalties`, :class:`Period`: simple interest period by period),
``_penalties`` (L441-10 II), ``_interest`` (legal interest), ``_indemnity`` (D441-5),
``_claims`` (:func:`claim`: all of it for one invoice), ``_terms`` (L441-10 I),
``_prescription`` (L110-4, L218-2).

relancelib computes; it does not give legal advice.
"""

from __future__ import annotations

from relancelib.law._accrual import Penalties, Period
from relancelib.law._claims import RATES_FIX, Claim, claim
from relancelib.law._claims import _claim as _claim
from relancelib.law._half_years import half_year
from relancelib.law._indemnity import recovery_indemnity
from relancelib.law._interest import _legal_interest as _legal_interest
from relancelib.law._interest import legal_interest, legal_interest_rate
from relancelib.law._penalties import _late_penalties as _late_penalties
from relancelib.law._penalties import commercial_penalty_rate, late_penalties
from relancelib.law._prescription import (
    PRESCRIPTION_WARNING_DAYS,
    prescription_date,
    prescription_warning,
    time_barred,
)
from relancelib.law._rates import DEFAULT_RATES, Rates, check_rates
from relancelib.law._screen import LawScreen
from relancelib.law._sdmx import (
    MRO_SERIES,
    USER_RATES_FILE,
    extend_rates,
    read_sdmx_csv,
    read_user_rates,
    write_user_rates,
)
from relancelib.law._sdmx import RateRow as ImportedRate
from relancelib.law._tables import Granularity, RateRow, RateTable
from relancelib.law._terms import Reading as Reading
from relancelib.law._terms import (
    check_payment_terms,
    payment_terms_limit,
    payment_terms_warning,
)

__all__ = [
    "DEFAULT_RATES",
    "MRO_SERIES",
    "PRESCRIPTION_WARNING_DAYS",
    "RATES_FIX",
    "USER_RATES_FILE",
    "Claim",
    "Granularity",
    "ImportedRate",
    "LawScreen",
    "Penalties",
    "Period",
    "RateRow",
    "RateTable",
    "Rates",
    "check_payment_terms",
    "check_rates",
    "claim",
    "commercial_penalty_rate",
    "extend_rates",
    "half_year",
    "late_penalties",
    "legal_interest",
    "legal_interest_rate",
    "payment_terms_limit",
    "payment_terms_warning",
    "prescription_date",
    "prescription_warning",
    "read_sdmx_csv",
    "read_user_rates",
    "recovery_indemnity",
    "time_barred",
    "write_user_rates",
]

# Not public.  _claim is claim() without its argument checks, for a caller whose arguments are
# validated models (the checks cost about 1.3 µs of the ~10 µs of a claim; the engine calls
# claim()).  prescription_warning() and payment_terms_warning() have no unchecked twin: they
# test plainly valid arguments inline, about 0.1 µs per invoice above an unchecked version.
# _check_rates, _late_penalties and _legal_interest are the names engine.py used before it
# called claim(), kept for now.
_check_rates = check_rates
