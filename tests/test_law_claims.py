"""Tests for the law's per-invoice decisions: claim(), prescription_warning(),
payment_terms_warning(), check_rates(), and the default-rate cache.

Every expected figure is worked out by hand in a comment; ``a × r × d / 36500`` is
``amount × rate% × days / 365``, rounded once to the cent, half-up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relancelib import law, plan
from relancelib.errors import InvalidFieldError
from relancelib.law import (
    DEFAULT_RATES,
    PRESCRIPTION_WARNING_DAYS,
    Claim,
    Penalties,
    Rates,
    check_payment_terms,
    check_rates,
    claim,
    payment_terms_warning,
    prescription_date,
    prescription_warning,
)
from relancelib.law._penalties import _default_rate
from relancelib.model import Client, ClientKind, Invoice, Payment
from relancelib.policy import Channel, ReminderPolicy, Step

D = Decimal
date = dt.date

BUSINESS = Client("C1", "Boulangerie Martin", email="compta@martin.fr")
CONSUMER = Client("C1", "Jeanne Lefèvre", email="jeanne@example.fr", kind=ClientKind.CONSUMER)


DUE = date(2025, 3, 15)


def bill(
    due: dt.date = DUE,
    amount: str = "1000.00",
    *,
    payments: tuple[Payment, ...] = (),
    currency: str = "EUR",
) -> Invoice:
    return Invoice(
        "F-1",
        "C1",
        due - dt.timedelta(days=30),
        due,
        D(amount),
        payments=payments,
        currency=currency,
    )


# --------------------------------------------------------------------------------------------
# claim(): business clients, Code de commerce L441-10 II and D441-5


def test_business_claim_is_the_law_md_example_and_the_indemnity() -> None:
    # LAW.md §1: 1 000,00 € due 15 March 2025, until 14 May 2025: 60 days at 13,15 % (2025 H1)
    # 1000 × 13.15 × 60 / 36500 = 21.616… → 21,62 €; plus 40 € (D441-5).
    found = claim(bill(), BUSINESS, date(2025, 5, 14))
    assert found == Claim(found.penalties, D("40.00"), ())
    assert found.penalties is not None
    assert found.penalties.amount == D("21.62")
    assert found.penalties.days == 60
    assert found.penalties.rate == D("13.15")


def test_business_claim_uses_the_contractual_rate() -> None:
    # 15 % ≥ the floor 3 × 3.71 = 11.13 % (2025 H1): 1000 × 15 × 60 / 36500 = 24.657… → 24,66 €.
    client = attrs.evolve(BUSINESS, penalty_rate=D("15.00"))
    found = claim(bill(), client, date(2025, 5, 14))
    assert found.penalties is not None
    assert found.penalties.amount == D("24.66")
    assert found.penalties.rate == D("15.00")


def test_business_claim_counts_payments_up_to_as_of() -> None:
    # 400 € paid 14 April: 30 days on 1 000 € (16 March–14 April), then 30 days on 600 €
    # (15 April–14 May): (1000 × 30 + 600 × 30) × 13.15 / 36500 = 17.293… → 17,29 €.
    # The payment of 20 May is after as_of: it does not count.
    payments = (Payment(date(2025, 4, 14), D("400.00")), Payment(date(2025, 5, 20), D("100.00")))
    found = claim(bill(payments=payments), BUSINESS, date(2025, 5, 14))
    assert found.penalties is not None
    assert found.penalties.amount == D("17.29")
    assert found.penalties.days == 60


def test_claim_before_the_due_date_is_zero() -> None:
    # until = max(as_of, due date) = the due date: nothing is late yet, no rate is read.
    found = claim(bill(), BUSINESS, date(2025, 3, 1))
    assert found == Claim(Penalties.zero(), D("40.00"), ())


def test_the_indemnity_is_owed_in_euros_on_an_invoice_in_another_currency() -> None:
    # D441-5: 40 € per invoice whatever its currency (LAW.md section 10).
    found = claim(bill(currency="USD"), BUSINESS, date(2025, 5, 14))
    assert found.penalties is not None
    assert found.penalties.amount == D("21.62")
    assert found.indemnity == D("40.00")
    assert found.warnings == ()


def test_penalties_are_rounded_to_the_currency_minor_unit() -> None:
    # 1000 JPY × 13.15 % × 60 / 365 = 21.616… → 22 yen; 1000 KWD → 21.616 dinars.
    yen = Invoice("F-Y", "C1", date(2025, 2, 13), date(2025, 3, 15), D("1000"), currency="JPY")
    found = claim(yen, BUSINESS, date(2025, 5, 14))
    assert found.penalties is not None
    assert found.penalties.amount == D("22")
    assert str(found.penalties.amount) == "22"
    dinar = attrs.evolve(yen, amount=D("1000.000"), currency="KWD")
    found = claim(dinar, BUSINESS, date(2025, 5, 14))
    assert found.penalties is not None
    assert str(found.penalties.amount) == "21.616"


def test_penalties_run_through_the_last_known_rate_and_say_so() -> None:
    # Due 31 March 2026, on 1 August 2026: 2026 H1 is known (12.15 %), 2026 H2 is not.
    # 1 April–30 June 2026 = 91 days: 1000 × 12.15 × 91 / 36500 = 30.291… → 30,29 €.
    found = claim(bill(date(2026, 3, 31)), BUSINESS, date(2026, 8, 1))
    assert found.penalties is not None
    assert found.penalties.amount == D("30.29")
    assert found.penalties.through == date(2026, 6, 30)
    assert not found.penalties.complete
    assert found.indemnity == D("40.00")
    (warning,) = found.warnings
    assert warning.startswith("penalties computed through 2026-06-30 only (arrêtées au")
    assert "relance rates import" in warning
    assert "[[law.mro]]" in warning


def test_unknown_rate_leaves_the_penalties_out_with_a_warning() -> None:
    # Due 30 June 2026: interest runs from 1 July 2026, in 2026 H2, whose MRO rate the shipped
    # table (known through 2026-02-05) does not know: nothing at all can be computed.
    found = claim(bill(date(2026, 6, 30)), BUSINESS, date(2026, 8, 1))
    assert found.penalties is None
    assert found.indemnity == D("40.00")
    (warning,) = found.warnings
    assert warning.startswith("penalties not computed: no rate is known for these days; ")
    assert "relance rates import FILE" in warning


def test_passed_rates_fill_the_unknown_half_year() -> None:
    # MRO 2.15 % on 1 July 2026 → 12.15 %; 1 July–1 August 2026 = 32 days:
    # 1000 × 12.15 × 32 / 36500 = 10.652… → 10,65 €.
    rates = DEFAULT_RATES.with_mro(date(2026, 7, 1), D("2.15"), source="test")
    found = claim(bill(date(2026, 6, 30)), BUSINESS, date(2026, 8, 1), rates=rates)
    assert found.penalties is not None
    assert found.penalties.amount == D("10.65")
    assert found.warnings == ()


def test_a_contractual_rate_whose_floor_is_unknown_is_applied_with_a_warning() -> None:
    client = attrs.evolve(BUSINESS, penalty_rate=D("20.00"))
    found = claim(bill(date(2026, 6, 30)), client, date(2026, 8, 1))
    assert found.penalties is not None
    assert found.penalties.rate == D("20.00")
    assert found.penalties.complete
    (warning,) = found.warnings
    assert warning.startswith("the floor of the contractual rate")


def test_a_contractual_rate_below_the_floor_is_a_warning_not_an_error() -> None:
    # Floor of 2025 H1: 3 × 3.71 % = 11.13 % > 5 %.
    client = attrs.evolve(BUSINESS, penalty_rate=D("5.00"))
    found = claim(bill(), client, date(2025, 5, 14))
    assert found.penalties is None
    assert found.warnings == (
        "penalties not computed: rate: Decimal('5.00') is below the legal floor of 11.13 % "
        "(3 × the legal interest rate of 3.71 % for 2025 H1, the half-year in which interest starts; "
        "Code de commerce L441-10 II)",
    )


# --------------------------------------------------------------------------------------------
# claim(): consumers, Code civil 1231-6 and 1344-1


def test_consumer_owes_nothing_before_the_formal_notice() -> None:
    found = claim(bill(), CONSUMER, date(2025, 5, 14))
    assert found == Claim(Penalties.zero(), D("0.00"), ())


def test_consumer_owes_legal_interest_from_the_formal_notice() -> None:
    # Notice of 30 April 2025, until 14 May: 14 days at 3,71 % (2025 S1, all other cases):
    # 1000 × 3.71 × 14 / 36500 = 1.423… → 1,42 €; no indemnity.
    found = claim(bill(), CONSUMER, date(2025, 5, 14), notified_on=date(2025, 4, 30))
    assert found.penalties is not None
    assert (found.penalties.amount, found.penalties.days) == (D("1.42"), 14)
    assert found.indemnity == D("0.00")
    assert found.warnings == ()


def test_consumer_interest_takes_each_half_years_legal_rate() -> None:
    # 10 000 € notified 30 April 2025, until 14 July 2025: 61 days (May, June) at 3,71 % and
    # 14 days (1–14 July) at 2,76 %: 10000 × (61 × 3.71 + 14 × 2.76) / 36500
    # = 10000 × 264.95 / 36500 = 72.589… → 72,59 €.
    found = claim(
        bill(amount="10000.00"), CONSUMER, date(2025, 7, 14), notified_on=date(2025, 4, 30)
    )
    assert found.penalties is not None
    assert (found.penalties.amount, found.penalties.days) == (D("72.59"), 75)
    assert [p.rate for p in found.penalties.periods] == [D("3.71"), D("2.76")]


def test_a_notice_after_as_of_gives_no_interest() -> None:
    found = claim(bill(), CONSUMER, date(2025, 5, 14), notified_on=date(2025, 5, 20))
    assert found.penalties == Penalties.zero()


@pytest.mark.parametrize(
    ("invoice", "client", "as_of", "options", "field"),
    [
        ("F-1", BUSINESS, date(2025, 5, 14), {}, "invoice"),
        (bill(), "C1", date(2025, 5, 14), {}, "client"),
        (bill(), attrs.evolve(BUSINESS, id="C2"), date(2025, 5, 14), {}, "client"),
        (bill(), BUSINESS, dt.datetime(2025, 5, 14), {}, "as_of"),
        (bill(), BUSINESS, date(2025, 5, 14), {"notified_on": "2025-04-30"}, "notified_on"),
        (bill(), BUSINESS, date(2025, 5, 14), {"rates": DEFAULT_RATES.mro}, "rates"),
    ],
)
def test_claim_checks_its_arguments(
    invoice: object, client: object, as_of: object, options: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidFieldError) as info:
        claim(invoice, client, as_of, **options)  # type: ignore[arg-type]
    assert info.value.field == field


def test_claim_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        claim(bill(), CONSUMER, date(2025, 5, 14), date(2025, 4, 30))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("invoice", "client"),
    [
        (bill(), BUSINESS),
        (bill(payments=(Payment(date(2025, 4, 1), D("250.00")),)), BUSINESS),
        (bill(currency="USD"), BUSINESS),
        (bill(date(2026, 6, 30)), BUSINESS),
        (bill(), attrs.evolve(BUSINESS, penalty_rate=D("5.00"))),
        (bill(), CONSUMER),
    ],
)
def test_claim_is_what_the_engine_claims(invoice: Invoice, client: Client) -> None:
    # One step with penalties, 45 days after the due date, every day a working day.
    policy = ReminderPolicy(
        "p",
        [Step("mise_en_demeure", 45, Channel.EMAIL, include_penalties=True)],
        business_days_only=False,
    )
    as_of = invoice.due_date + dt.timedelta(days=47)
    today = plan([invoice], [client], policy, as_of)
    (item,) = today.actions[0].items
    found = claim(invoice, client, as_of)
    assert (item.penalties, item.indemnity) == (found.penalties, found.indemnity)
    assert sorted(p.message for p in today.problems) == sorted(found.warnings)


# --------------------------------------------------------------------------------------------
# prescription_warning(): Code de commerce L110-4, Code de la consommation L218-2


def test_prescription_warning_90_days_before_and_after() -> None:
    # Business, due 15 March 2020: time-barred after 15 March 2025 (5 years).
    invoice = bill(date(2020, 3, 15))
    # 14 December 2024 → 15 March 2025: 17 + 31 + 28 + 15 = 91 days: nothing yet.
    assert prescription_warning(invoice, BUSINESS, date(2024, 12, 14)) is None
    assert prescription_warning(invoice, BUSINESS, date(2024, 12, 15)) == (
        "the claim becomes time-barred on 2025-03-15 (90 days left, counted from the due "
        "date): only an acknowledgement of debt or a court claim interrupts it"
    )
    assert prescription_warning(invoice, BUSINESS, date(2025, 3, 15)) == (
        "the claim becomes time-barred on 2025-03-15 (0 days left, counted from the due "
        "date): only an acknowledgement of debt or a court claim interrupts it"
    )
    assert prescription_warning(invoice, BUSINESS, date(2025, 3, 16)) == (
        "the claim is time-barred since 2025-03-15 (prescription, 5 years from the due date)"
    )


def test_consumer_prescription_at_the_edge_of_the_fast_window() -> None:
    # Consumer, delivered 29 February 2024: time-barred after 28 February 2026 (2 years, 730
    # days, the shortest period there is).  639 days later: 91 days left; 640: 90 days left.
    invoice = attrs.evolve(bill(date(2024, 3, 30)), delivered_on=date(2024, 2, 29))
    assert prescription_date(invoice, CONSUMER) == date(2026, 2, 28)
    assert prescription_warning(invoice, CONSUMER, date(2024, 2, 29) + dt.timedelta(639)) is None
    assert prescription_warning(invoice, CONSUMER, date(2024, 2, 29) + dt.timedelta(640)) == (
        "the claim becomes time-barred on 2026-02-28 (90 days left, counted from the delivery "
        "date): only an acknowledgement of debt or a court claim interrupts it"
    )


def test_consumer_prescription_runs_from_the_issue_date_without_a_delivery_date() -> None:
    # L218-2 runs from the completion of the service (LAW.md section 10), not the due date.
    invoice = bill(date(2024, 3, 30))
    assert prescription_date(invoice, CONSUMER) == date(2026, 2, 28)  # issued 29 Feb 2024
    message = prescription_warning(invoice, CONSUMER, date(2026, 3, 1))
    assert message is not None
    assert "2 years from the issue date (no delivery date given)" in message


def _slow_prescription_warning(invoice: Invoice, client: Client, as_of: dt.date) -> str | None:
    """The warning computed for every invoice, without the fast window."""
    limit = prescription_date(invoice, client)
    left = (limit - as_of).days
    since = "the due date" if client.is_business else "the issue date (no delivery date given)"
    if left < 0:
        years = 5 if client.is_business else 2
        return f"the claim is time-barred since {limit.isoformat()} (prescription, {years} years from {since})"
    if left <= PRESCRIPTION_WARNING_DAYS:
        return (
            f"the claim becomes time-barred on {limit.isoformat()} ({left} days left, counted "
            f"from {since}): only an acknowledgement of debt or a court claim interrupts it"
        )
    return None


@given(
    due=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    overdue=st.integers(min_value=-60, max_value=6 * 366),
    consumer=st.booleans(),
)
def test_the_fast_window_never_hides_a_prescription_warning(
    due: dt.date, overdue: int, consumer: bool
) -> None:
    invoice = bill(due)
    client = CONSUMER if consumer else BUSINESS
    as_of = due + dt.timedelta(days=overdue)
    expected = _slow_prescription_warning(invoice, client, as_of)
    assert prescription_warning(invoice, client, as_of) == expected


def test_prescription_warning_checks_its_arguments() -> None:
    with pytest.raises(InvalidFieldError, match="client"):
        prescription_warning(bill(), attrs.evolve(BUSINESS, id="C9"), date(2025, 5, 14))
    with pytest.raises(InvalidFieldError, match="as_of"):
        prescription_warning(bill(), BUSINESS, dt.datetime(2025, 5, 14))


# --------------------------------------------------------------------------------------------
# payment_terms_warning(): Code de commerce L441-10 I


def test_payment_terms_warning() -> None:
    # Invoice of 15 January 2025: 60 days → 16 March; 45 days end of month: (A) 17 March,
    # (B) 31 March.  Due 1 April: 16 + 28 + 31 + 1 = 76 days, beyond every cap.
    issued = date(2025, 1, 15)
    assert payment_terms_warning(issued, date(2025, 3, 16)) is None  # 60 days
    assert payment_terms_warning(issued, date(2025, 3, 31)) is None  # 75 days, reading B
    assert payment_terms_warning(issued, date(2025, 4, 1)) == (
        "payment terms of 76 days (due 2025-04-01, invoiced 2025-01-15) exceed the legal caps "
        "of Code de commerce L441-10 I: 60 days from the invoice date (2025-03-16) or 45 days "
        "end of month (2025-03-17 reading end of month + 45 days, 2025-03-31 reading 45 days "
        "then end of month)"
    )


@given(
    issued=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    days=st.integers(min_value=0, max_value=200),
)
def test_payment_terms_warning_is_check_payment_terms(issued: dt.date, days: int) -> None:
    due = issued + dt.timedelta(days=days)
    expected = check_payment_terms(issued, due)
    assert payment_terms_warning(issued, due) == expected


class Day(dt.date):
    """A subclass of date (not a datetime): valid wherever a date is."""


def test_the_warnings_accept_a_subclass_of_date() -> None:
    # The fast argument test only lets plain dates through; anything else goes to the checks.
    issued, due = Day(2025, 1, 15), Day(2025, 4, 1)
    assert payment_terms_warning(issued, due) == check_payment_terms(issued, due)
    assert prescription_warning(bill(date(2020, 3, 15)), BUSINESS, Day(2025, 3, 16)) == (
        "the claim is time-barred since 2025-03-15 (prescription, 5 years from the due date)"
    )


def test_payment_terms_warning_refuses_a_due_date_before_the_issue_date() -> None:
    with pytest.raises(InvalidFieldError, match=r"due_date.*before the issue date 2025-01-15"):
        payment_terms_warning(date(2025, 1, 15), date(2025, 1, 14))


# --------------------------------------------------------------------------------------------
# check_rates() and the default-rate cache


def test_check_rates() -> None:
    assert check_rates(None) is DEFAULT_RATES
    rates = DEFAULT_RATES.with_mro(date(2026, 7, 1), D("2.15"), source="test")
    assert check_rates(rates) is rates
    with pytest.raises(
        InvalidFieldError, match=r"^rates: 'x' must be a relancelib.law.Rates or None"
    ):
        check_rates("x")
    # The engine's name for it until it calls claim().
    assert law._check_rates is check_rates


def test_rates_hold_their_tables_and_nothing_else() -> None:
    assert [field.name for field in attrs.fields(Rates)] == ["mro", "legal", "legal_private"]
    assert not hasattr(DEFAULT_RATES, "__dict__")
    assert not hasattr(DEFAULT_RATES, "_penalty_rates")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        DEFAULT_RATES.mro = DEFAULT_RATES.mro  # type: ignore[misc]
    law.commercial_penalty_rate(date(2025, 3, 1))
    assert attrs.asdict(DEFAULT_RATES, recurse=False) == {
        "mro": DEFAULT_RATES.mro,
        "legal": DEFAULT_RATES.legal,
        "legal_private": DEFAULT_RATES.legal_private,
    }


def test_equal_rates_share_the_default_rate_cache() -> None:
    source = "test_equal_rates_share_the_default_rate_cache"
    first = DEFAULT_RATES.with_mro(date(2026, 7, 1), D("1.90"), source=source)
    second = DEFAULT_RATES.with_mro(date(2026, 7, 1), D("1.90"), source=source)
    assert first == second
    assert first is not second
    assert first.mro is not second.mro
    assert hash(first) == hash(second)
    before = _default_rate.cache_info()
    assert law.commercial_penalty_rate(date(2026, 9, 1), rates=first) == D("11.90")
    middle = _default_rate.cache_info()
    assert middle.misses == before.misses + 1
    assert law.commercial_penalty_rate(date(2026, 9, 1), rates=second) == D("11.90")
    after = _default_rate.cache_info()
    assert (after.hits, after.misses) == (middle.hits + 1, middle.misses)


def test_a_different_table_is_a_different_cache_entry() -> None:
    source = "test_a_different_table_is_a_different_cache_entry"
    low = DEFAULT_RATES.with_mro(date(2026, 7, 1), D("1.00"), source=source)
    high = DEFAULT_RATES.with_mro(date(2026, 7, 1), D("3.00"), source=source)
    assert law.commercial_penalty_rate(date(2026, 9, 1), rates=low) == D("11.00")
    assert law.commercial_penalty_rate(date(2026, 9, 1), rates=high) == D("13.00")
