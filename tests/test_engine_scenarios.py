"""Scenario tests of the engine: replay a calendar day by day and check the exact dates.

Every expected date is worked out by hand in the comments, from the policy's offsets, the
5-day minimum gap of ``ReminderPolicy.french_default()`` and the 2025 calendar:

    April 2025: Fri 18 Good Friday (Alsace-Moselle only), Mon 21 Easter Monday
    May 2025:   Thu 1 Labour Day, Thu 8 Victory Day, Thu 29 Ascension
    June 2025:  Mon 9 Whit Monday
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs
import pytest

from relancelib import (
    Address,
    Channel,
    Client,
    ClientKind,
    Invoice,
    MemoryJournal,
    Payment,
    Plan,
    Record,
    ReminderPolicy,
    Severity,
    Step,
    plan,
)

D = dt.date
DAY = dt.timedelta(days=1)

MARTIN = Client(
    "C1",
    "Boulangerie Martin",
    email="compta@martin.fr",
    phone="01 23 45 67 89",
    address=Address(["12 rue de la Paix"], "75002", "Paris"),
    siren="732829320",
)
DURAND = Client(
    "C2",
    "Élodie Durand",
    email="elodie@durand.fr",
    address=Address(["3 rue des Lilas"], "57000", "Metz"),
    kind=ClientKind.CONSUMER,
)


def invoice(
    number: str, issued: dt.date, due: dt.date, amount: str = "1200.00", **options: object
) -> Invoice:
    options.setdefault("sent_on", issued)
    return Invoice(number, "C1", issued, due, Decimal(amount), **options)  # type: ignore[arg-type]


def replay(
    invoices: Sequence[Invoice] | Callable[[dt.date], Sequence[Invoice]],
    policy: ReminderPolicy | Callable[[Client], ReminderPolicy],
    first: dt.date,
    last: dt.date,
    *,
    clients: Sequence[Client] = (MARTIN, DURAND),
    journal: MemoryJournal | None = None,
) -> tuple[list[tuple[dt.date, str]], dict[dt.date, Plan]]:
    """Plan every day from ``first`` to ``last`` and record every action.

    ``invoices`` may be a function of the day (an invoice put on hold on some day).
    Returns the (date, action step) pairs recorded, and the plans.
    """
    journal = journal if journal is not None else MemoryJournal()
    done: list[tuple[dt.date, str]] = []
    plans: dict[dt.date, Plan] = {}
    day = first
    while day <= last:
        today = invoices(day) if callable(invoices) else invoices
        plans[day] = plan(today, clients, policy, day, journal)
        for action in plans[day].actions:
            assert journal.record(action)
            done.append((day, action.step.key))
        day += DAY
    return done, plans


FRENCH = ReminderPolicy.french_default()


def test_an_invoice_due_on_30_april_2025_under_the_french_default_policy() -> None:
    bill = invoice("F-2025-041", D(2025, 3, 31), D(2025, 4, 30))
    done, plans = replay([bill], FRENCH, D(2025, 4, 1), D(2025, 6, 30))
    assert done == [
        # courtoisie: due − 5 = Friday 25 April, a business day.
        (D(2025, 4, 25), "courtoisie"),
        # relance_1: due + 1 = Thursday 1 May, Labour Day → Friday 2 May (gap 7 ≥ 5).
        (D(2025, 5, 2), "relance_1"),
        # appel: due + 8 = Thursday 8 May, Victory Day → Friday 9 May (gap 7 ≥ 5).
        (D(2025, 5, 9), "appel"),
        # relance_2: due + 15 = Thursday 15 May (gap 6 ≥ 5).
        (D(2025, 5, 15), "relance_2"),
        # lettre_relance: due + 30 = Friday 30 May; the day after Ascension is worked.
        (D(2025, 5, 30), "lettre_relance"),
        # mise_en_demeure: due + 45 = Saturday 14 June → Monday 16 June.
        (D(2025, 6, 16), "mise_en_demeure"),
    ]
    assert plans[D(2025, 5, 1)].actions == ()
    assert plans[D(2025, 5, 8)].actions == ()
    notice = plans[D(2025, 6, 16)].actions[0]
    assert notice.channel is Channel.REGISTERED_LETTER
    (item,) = notice.items
    assert item.days_overdue == 47
    assert item.balance == Decimal("1200.00")
    assert item.penalties is not None
    assert item.penalties.amount > 0
    assert item.indemnity == Decimal("40.00")  # D441-5: business client
    assert notice.claimed["EUR"] == Decimal("1240.00") + item.penalties.amount
    assert notice.totals == {"EUR": Decimal("1200.00")}
    assert plans[D(2025, 6, 16)].problems == ()


def test_an_invoice_found_60_days_late_starts_at_the_first_reminder() -> None:
    # Due Monday 3 February 2025; first run 60 days later, Friday 4 April.
    bill = invoice("F-2025-007", D(2025, 1, 3), D(2025, 2, 3))
    done, _plans = replay([bill], FRENCH, D(2025, 4, 4), D(2025, 6, 30))
    assert done == [
        # courtoisie lapsed long ago; every later step has come, one at a time, 5 days apart.
        (D(2025, 4, 4), "relance_1"),
        (D(2025, 4, 9), "appel"),  # 4 + 5 = Wednesday 9 April
        (D(2025, 4, 14), "relance_2"),  # 9 + 5 = Monday 14 April
        # 14 + 5 = Saturday 19 → Sunday 20 → Easter Monday 21 → Tuesday 22 April.
        (D(2025, 4, 22), "lettre_relance"),
        (D(2025, 4, 28), "mise_en_demeure"),  # 22 + 5 = Sunday 27 → Monday 28 April
    ]


def test_two_invoices_of_a_client_are_grouped_at_the_most_advanced_step() -> None:
    first = invoice("F-A", D(2025, 2, 1), D(2025, 3, 3), "500.00")  # due Monday 3 March
    second = invoice("F-B", D(2025, 2, 10), D(2025, 3, 10), "250.00")  # due Monday 10 March
    journal = MemoryJournal()
    _done, plans = replay([first, second], FRENCH, D(2025, 2, 1), D(2025, 5, 31), journal=journal)
    recorded = [(r.on, r.steps, r.step, r.channel) for r in journal.records()]
    assert recorded == [
        # F-A courtoisie: due − 5 = Wednesday 26 February.
        (D(2025, 2, 26), (("F-A", "courtoisie"),), "courtoisie", Channel.EMAIL),
        # F-A relance_1: due + 1 = Tuesday 4 March (gap 6); F-B's courtoisie comes on 5 March.
        (D(2025, 3, 4), (("F-A", "relance_1"),), "relance_1", Channel.EMAIL),
        # Gap to Sunday 9 → Monday 10 March, F-B's due date: its courtoisie has not lapsed;
        # F-A's appel (due + 8 = 11 March) has not come.
        (D(2025, 3, 10), (("F-B", "courtoisie"),), "courtoisie", Channel.EMAIL),
        # Gap to Saturday 15 → Monday 17 March: F-A appel (11 March) and F-B relance_1
        # (11 March) together; the call is the most advanced step.
        (D(2025, 3, 17), (("F-A", "appel"), ("F-B", "relance_1")), "appel", Channel.PHONE),
        # Saturday 22 → Monday 24 March: F-A relance_2 (18 March) and F-B appel (18 March).
        (D(2025, 3, 24), (("F-A", "relance_2"), ("F-B", "appel")), "relance_2", Channel.EMAIL),
        # Saturday 29 → Monday 31 March: F-B relance_2 (25 March); F-A's letter is on 2 April.
        (D(2025, 3, 31), (("F-B", "relance_2"),), "relance_2", Channel.EMAIL),
        # Saturday 5 → Monday 7 April: F-A lettre_relance (2 April); F-B's is on 9 April.
        (D(2025, 4, 7), (("F-A", "lettre_relance"),), "lettre_relance", Channel.LETTER),
        # Saturday 12 → Monday 14 April: F-B lettre_relance; F-A's notice is on 17 April.
        (D(2025, 4, 14), (("F-B", "lettre_relance"),), "lettre_relance", Channel.LETTER),
        # Saturday 19 → Easter Monday 21 → Tuesday 22 April: F-A mise_en_demeure.
        (
            D(2025, 4, 22),
            (("F-A", "mise_en_demeure"),),
            "mise_en_demeure",
            Channel.REGISTERED_LETTER,
        ),
        # Sunday 27 → Monday 28 April: F-B mise_en_demeure (due + 45 = 24 April).
        (
            D(2025, 4, 28),
            (("F-B", "mise_en_demeure"),),
            "mise_en_demeure",
            Channel.REGISTERED_LETTER,
        ),
    ]
    grouped = plans[D(2025, 3, 17)].actions[0]
    assert [item.step.key for item in grouped.items] == ["appel", "relance_1"]
    assert grouped.totals == {"EUR": Decimal("750.00")}


def test_a_saturday_run_gives_nothing_and_monday_catches_up() -> None:
    # Due Friday 7 March 2025: courtoisie due − 5 = Sunday 2 → Monday 3 March;
    # relance_1 due + 1 = Saturday 8 March.
    bill = invoice("F-2025-020", D(2025, 2, 5), D(2025, 3, 7))
    journal = MemoryJournal()
    replay([bill], FRENCH, D(2025, 3, 3), D(2025, 3, 3), journal=journal)
    assert plan([bill], [MARTIN], FRENCH, D(2025, 3, 8), journal).actions == ()
    assert plan([bill], [MARTIN], FRENCH, D(2025, 3, 9), journal).actions == ()
    monday = plan([bill], [MARTIN], FRENCH, D(2025, 3, 10), journal)
    assert [a.steps for a in monday.actions] == [(("F-2025-020", "relance_1"),)]
    # Not recorded on Monday: still due on Tuesday, under the same idempotency key.
    tuesday = plan([bill], [MARTIN], FRENCH, D(2025, 3, 11), journal)
    assert [a.key for a in tuesday.actions] == [monday.actions[0].key]
    # Without the business-day rule, Saturday is a day like any other.
    every_day = ReminderPolicy.french_default(business_days_only=False)
    saturday = plan([bill], [MARTIN], every_day, D(2025, 3, 8), journal)
    assert [a.steps for a in saturday.actions] == [(("F-2025-020", "relance_1"),)]


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        (
            "FR",
            [
                (D(2025, 4, 14), "courtoisie"),  # due − 5 = Saturday 12 → Monday 14 April
                (D(2025, 4, 18), "relance_1"),  # due + 1 = Good Friday, worked in Paris
                (D(2025, 4, 25), "appel"),  # due + 8 = Friday 25 April
            ],
        ),
        (
            "FR-57",
            [
                (D(2025, 4, 14), "courtoisie"),
                # Good Friday is a holiday in Moselle (L3134-13), then the weekend and
                # Easter Monday: Tuesday 22 April.
                (D(2025, 4, 22), "relance_1"),
                (D(2025, 4, 25), "appel"),  # gap 3 ≥ 3
            ],
        ),
    ],
)
def test_good_friday_2025_in_alsace_moselle_and_in_the_rest_of_france(
    calendar: str, expected: list[tuple[dt.date, str]]
) -> None:
    bill = invoice("F-2025-030", D(2025, 3, 17), D(2025, 4, 17))  # due Thursday 17 April
    policy = ReminderPolicy.french_default(holidays=calendar, min_gap_days=3)
    done, _plans = replay([bill], policy, D(2025, 4, 1), D(2025, 4, 30))
    assert done == expected


@pytest.mark.parametrize(
    ("paid", "expected"),
    [
        # 950.00 paid on Thursday 10 April leaves 50.00, not above the 50.00 minimum: stop.
        (
            "950.00",
            [
                (D(2025, 3, 26), "courtoisie"),  # due − 5 = Wednesday 26 March
                (D(2025, 4, 1), "relance_1"),  # due + 1 = Tuesday 1 April
                (D(2025, 4, 8), "appel"),  # due + 8 = Tuesday 8 April
            ],
        ),
        # One cent less paid leaves 50.01: the chase goes on.
        (
            "949.99",
            [
                (D(2025, 3, 26), "courtoisie"),
                (D(2025, 4, 1), "relance_1"),
                (D(2025, 4, 8), "appel"),
                (D(2025, 4, 15), "relance_2"),  # due + 15 = Tuesday 15 April
                (D(2025, 4, 30), "lettre_relance"),  # due + 30 = Wednesday 30 April
                (D(2025, 5, 15), "mise_en_demeure"),  # due + 45 = Thursday 15 May
            ],
        ),
    ],
)
def test_a_partial_payment_down_to_the_minimum_balance_stops_the_chase(
    paid: str, expected: list[tuple[dt.date, str]]
) -> None:
    policy = ReminderPolicy.french_default(min_balance=Decimal("50.00"))
    bill = invoice(
        "F-2025-012",
        D(2025, 3, 1),
        D(2025, 3, 31),
        "1000.00",
        payments=[Payment(D(2025, 4, 10), Decimal(paid))],
    )
    done, plans = replay([bill], policy, D(2025, 3, 1), D(2025, 6, 30))
    assert done == expected
    for day, _step in expected[3:]:
        assert plans[day].actions[0].items[0].balance == Decimal("50.01")


def test_an_invoice_put_on_hold_resumes_after_hold_until_where_it_stopped() -> None:
    bill = invoice("F-2025-015", D(2025, 3, 1), D(2025, 3, 31))  # due Monday 31 March
    held = attrs.evolve(bill, hold_until=D(2025, 4, 30))

    def invoices_on(day: dt.date) -> list[Invoice]:
        # Put on hold on Friday 4 April (a dispute being settled), until 30 April inclusive.
        return [held if day >= D(2025, 4, 4) else bill]

    done, plans = replay(invoices_on, FRENCH, D(2025, 3, 1), D(2025, 6, 30))
    assert done == [
        (D(2025, 3, 26), "courtoisie"),  # due − 5 = Wednesday 26 March
        (D(2025, 4, 1), "relance_1"),  # due + 1 = Tuesday 1 April
        # appel (due + 8 = 8 April) waits for the hold: Thursday 1 May is Labour Day,
        # so Friday 2 May.
        (D(2025, 5, 2), "appel"),
        # relance_2 (15 April) has long come: 2 + 5 = Wednesday 7 May.
        (D(2025, 5, 7), "relance_2"),
        # lettre_relance (30 April): 7 + 5 = Monday 12 May.
        (D(2025, 5, 12), "lettre_relance"),
        # mise_en_demeure: due + 45 = Thursday 15 May; 12 + 5 = Saturday 17 → Monday 19 May.
        (D(2025, 5, 19), "mise_en_demeure"),
    ]
    assert plans[D(2025, 4, 8)].actions == ()
    assert plans[D(2025, 4, 30)].actions == ()


def test_problems_are_reported_and_never_stop_the_run() -> None:
    as_of = D(2025, 6, 2)  # Monday
    orphan = Invoice("F-404", "C404", D(2025, 3, 1), D(2025, 3, 31), Decimal("80.00"))
    overpaid = Invoice(
        "F-OVER",
        "C2",
        D(2025, 3, 1),
        D(2025, 3, 31),
        Decimal("100.00"),
        payments=[Payment(D(2025, 4, 2), Decimal("150.00"))],
    )
    twin_a = Invoice("F-DUP", "C2", D(2025, 3, 1), D(2025, 3, 31), Decimal("10.00"))
    twin_b = Invoice("F-DUP", "C2", D(2025, 3, 1), D(2025, 3, 31), Decimal("20.00"))
    # Due Wednesday 30 April, never proved sent; relance_2 done on 15 May, so the letter
    # (due + 30 = 30 May) is due on Monday 2 June.
    unproved = Invoice("F-LETTRE", "C1", D(2025, 3, 31), D(2025, 4, 30), Decimal("300.00"))
    journal = MemoryJournal(
        [Record("k-1", "C1", (("F-LETTRE", "relance_2"),), D(2025, 5, 15), Channel.EMAIL)]
    )
    copy = attrs.evolve(unproved)  # the same invoice given twice is not a conflict
    today = plan(
        [orphan, overpaid, twin_a, unproved, twin_b, copy], [MARTIN, DURAND], FRENCH, as_of, journal
    )

    assert [action.steps for action in today.actions] == [(("F-LETTRE", "lettre_relance"),)]
    found = {(p.invoice_number, p.severity) for p in today.problems}
    assert found == {
        ("F-404", Severity.ERROR),
        ("F-OVER", Severity.ERROR),
        ("F-DUP", Severity.ERROR),
        ("F-LETTRE", Severity.WARNING),
    }
    messages = {p.invoice_number: p.message for p in today.problems}
    assert "C404" in messages["F-404"]
    assert "50.00" in messages["F-OVER"]
    assert "sent_on" in messages["F-LETTRE"]
    assert today.errors == tuple(p for p in today.problems if p.severity is Severity.ERROR)
    assert len(today.warnings) == 1


def test_conflicting_clients_and_unknown_journal_steps_leave_invoices_out() -> None:
    as_of = D(2025, 4, 2)  # Wednesday
    other_martin = attrs.evolve(MARTIN, name="Martin & Fils")
    theirs = invoice("F-C1", D(2025, 3, 1), D(2025, 3, 31))
    hers = Invoice("F-C2", "C2", D(2025, 3, 1), D(2025, 3, 31), Decimal("90.00"))
    journal = MemoryJournal(
        [Record("k-1", "C2", (("F-C2", "rappel_maison"),), D(2025, 3, 1), Channel.EMAIL)]
    )
    today = plan([theirs, hers], [MARTIN, DURAND, other_martin], FRENCH, as_of, journal)
    assert today.actions == ()
    assert {(p.invoice_number, p.severity) for p in today.problems} == {
        ("F-C1", Severity.ERROR),
        ("F-C2", Severity.ERROR),
    }
    messages = {p.invoice_number: p.message for p in today.problems}
    assert "C1" in messages["F-C1"]
    assert "rappel_maison" in messages["F-C2"]
    # The same client given twice is no conflict.
    again = plan([theirs], [MARTIN, DURAND, MARTIN], FRENCH, as_of)
    assert [a.steps for a in again.actions] == [(("F-C1", "relance_1"),)]


def test_a_policy_per_client_segment() -> None:
    # VIP clients get a gentler policy: one call 10 days after the due date, nothing before.
    vip = ReminderPolicy("vip", [Step("appel_vip", 10, Channel.PHONE)], min_gap_days=7)
    cherished = attrs.evolve(DURAND, segment="vip", phone="06 12 34 56 78")

    def choose(client: Client) -> ReminderPolicy:
        return vip if client.segment == "vip" else FRENCH

    bills = [
        invoice("F-M", D(2025, 3, 1), D(2025, 3, 31)),
        Invoice("F-D", "C2", D(2025, 3, 1), D(2025, 3, 31), Decimal("90.00")),
    ]
    done, plans = replay(bills, choose, D(2025, 3, 24), D(2025, 4, 30), clients=[MARTIN, cherished])
    by_client = {
        day: [(a.client.id, a.step.key) for a in today.actions]
        for day, today in plans.items()
        if today.actions
    }
    assert by_client == {
        D(2025, 3, 26): [("C1", "courtoisie")],  # due − 5 = Wednesday 26 March
        D(2025, 4, 1): [("C1", "relance_1")],  # due + 1 = Tuesday 1 April
        # appel due + 8 = Tuesday 8 April, and the VIP call due + 10 = Thursday 10 April.
        D(2025, 4, 8): [("C1", "appel")],
        D(2025, 4, 10): [("C2", "appel_vip")],
        D(2025, 4, 15): [("C1", "relance_2")],  # due + 15 = Tuesday 15 April
        D(2025, 4, 30): [("C1", "lettre_relance")],  # due + 30 = Wednesday 30 April
    }
    assert len(done) == 6


def test_a_consumer_gets_the_same_calendar_without_indemnity_nor_penalties_before_notice() -> None:
    bill = Invoice(
        "F-2025-042",
        "C2",
        D(2025, 3, 31),
        D(2025, 4, 30),
        Decimal("1200.00"),
        sent_on=D(2025, 3, 31),
    )
    done, plans = replay([bill], FRENCH, D(2025, 4, 1), D(2025, 6, 30))
    # The same dates as for the business client above.
    assert [on for on, _step in done] == [
        D(2025, 4, 25),
        D(2025, 5, 2),
        D(2025, 5, 9),
        D(2025, 5, 15),
        D(2025, 5, 30),
        D(2025, 6, 16),
    ]
    # No telephone number: the call falls back to an e-mail (french_default), reported.
    call = plans[D(2025, 5, 9)]
    assert call.actions[0].channel is Channel.EMAIL
    assert call.actions[0].step.channel is Channel.PHONE
    assert [(p.invoice_number, p.severity) for p in call.problems] == [
        ("F-2025-042", Severity.WARNING)
    ]
    assert "telephone number: step appel goes by email instead of phone" in call.problems[0].message
    # Code civil 1231-6: a consumer owes legal interest from the formal notice on, and no
    # recovery indemnity (D441-5 is for business debtors): nothing more is claimed yet.
    (item,) = plans[D(2025, 6, 16)].actions[0].items
    assert item.penalties is not None
    assert item.penalties.amount == 0
    assert item.indemnity == 0
    assert plans[D(2025, 6, 16)].actions[0].claimed == {"EUR": Decimal("1200.00")}
