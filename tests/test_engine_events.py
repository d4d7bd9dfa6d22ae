"""Day-by-day scenarios of the collections workflow (issue 13): each event's effect on the
plan, with hand-worked dates, through a real MemoryJournal and SqliteJournal.

The invoice of every scenario: FA-1, 1 000,00 € issued Monday 5 January 2026, due Wednesday
4 February 2026, under ``ReminderPolicy.french_default()`` (``relance_1`` from Thursday
5 February, ``appel`` from Thursday 12 February, ``relance_2`` from Thursday 19 February...),
French public holidays, five days between two actions for a client.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import relancelib as rl
from relancelib.journal import MemoryJournal, SqliteJournal
from relancelib.journal.protocol import Journal

D = dt.date
POLICY = rl.ReminderPolicy.french_default()
CLIENT = rl.Client(
    "C1",
    "Hôtel du Lac",
    email="compta@hotel-du-lac.fr",
    phone="+33 4 79 00 00 00",
    address=rl.Address(("1 quai du Lac",), "73100", "Aix-les-Bains"),
)
ISSUED = D(2026, 1, 5)
DUE = D(2026, 2, 4)


def invoice(number: str = "FA-1", *payments: rl.Payment, amount: str = "1000.00") -> rl.Invoice:
    return rl.Invoice(
        number, "C1", ISSUED, DUE, Decimal(amount), payments=payments, sent_on=ISSUED
    )


@pytest.fixture(params=["memory", "sqlite"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Journal]:
    if request.param == "memory":
        yield MemoryJournal()
    else:
        with SqliteJournal(tmp_path / "journal.sqlite") as store:
            yield store


def steps(plan: rl.Plan) -> list[tuple[str, str]]:
    return [(item.invoice.number, item.step.key) for action in plan for item in action.items]


def run(
    invoices: list[rl.Invoice], journal: Journal, day: dt.date, policy: rl.ReminderPolicy = POLICY
) -> rl.Plan:
    """Plan the day and record what it says, as the daily run does."""
    plan = rl.plan(invoices, [CLIENT], policy, day, journal)
    for action in plan:
        assert journal.record(action, on=day)
    return plan


# --- promises -----------------------------------------------------------------------------


def test_a_promise_pauses_the_invoice_through_two_business_days_after_the_promised_day(
    journal: Journal,
) -> None:
    invoices = [invoice()]
    assert steps(run(invoices, journal, D(2026, 2, 5))) == [("FA-1", "relance_1")]
    # Monday 9 February: the client promises to pay by Friday 13 February.
    promise = rl.PromiseToPay(
        invoice_number="FA-1", until=D(2026, 2, 13), on=D(2026, 2, 9), note="au téléphone"
    )
    assert journal.add_event(promise)
    assert not journal.add_event(promise)  # the same fact twice is stored once
    # appel was due from 12 February; the grace runs to Tuesday 17 February inclusive.
    for day in (D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 16), D(2026, 2, 17)):
        assert steps(run(invoices, journal, day)) == [], day
    resumed = run(invoices, journal, D(2026, 2, 18))
    assert steps(resumed) == [("FA-1", "appel")]
    assert resumed.actions[0].items[0].promise == promise  # "malgré votre engagement du …"
    # The next reminder no longer mentions it.
    later = run(invoices, journal, D(2026, 2, 23))
    assert steps(later) == [("FA-1", "relance_2")]
    assert later.actions[0].items[0].promise is None


def test_a_kept_promise_of_part_of_the_balance_is_not_called_broken(journal: Journal) -> None:
    paid = rl.Payment(D(2026, 2, 12), Decimal("400.00"))
    invoices = [invoice("FA-1", paid)]
    run([invoice()], journal, D(2026, 2, 5))
    journal.add_event(
        rl.PromiseToPay(
            invoice_number="FA-1", until=D(2026, 2, 13), on=D(2026, 2, 9), amount=Decimal("400")
        )
    )
    plan = run(invoices, journal, D(2026, 2, 18))
    assert steps(plan) == [("FA-1", "appel")]
    item = plan.actions[0].items[0]
    assert item.balance == Decimal("600.00")
    assert item.promise is None


def test_a_promise_paid_in_full_ends_the_chase(journal: Journal) -> None:
    run([invoice()], journal, D(2026, 2, 5))
    journal.add_event(rl.PromiseToPay(client_id="C1", until=D(2026, 2, 13), on=D(2026, 2, 9)))
    paid = [invoice("FA-1", rl.Payment(D(2026, 2, 13), Decimal("1000.00")))]
    for day in (D(2026, 2, 18), D(2026, 3, 2), D(2026, 4, 1)):
        assert steps(run(paid, journal, day)) == []


# --- disputes and holds ----------------------------------------------------------------------


def test_a_dispute_stops_the_chase_until_resolved_then_it_resumes_where_it_stopped(
    journal: Journal,
) -> None:
    invoices = [invoice()]
    run(invoices, journal, D(2026, 2, 5))
    journal.add_event(
        rl.Dispute(invoice_number="FA-1", reason="livraison incomplète", on=D(2026, 2, 6))
    )
    for day in (D(2026, 2, 12), D(2026, 2, 19), D(2026, 3, 9)):
        assert steps(run(invoices, journal, day)) == [], day
    explained = rl.plan(invoices, [CLIENT], POLICY, D(2026, 3, 9), journal).explain("FA-1")
    assert explained.reason == "disputed since 2026-02-06: livraison incomplète"
    journal.add_event(rl.DisputeResolved(invoice_number="FA-1", on=D(2026, 3, 10)))
    assert steps(run(invoices, journal, D(2026, 3, 10))) == [("FA-1", "appel")]


def test_a_client_hold_stops_every_invoice_through_its_day_and_a_release_ends_it(
    journal: Journal,
) -> None:
    invoices = [invoice("FA-1"), invoice("FA-2")]
    journal.add_event(rl.Hold(client_id="C1", until=D(2026, 2, 20), on=D(2026, 2, 2)))
    assert steps(run(invoices, journal, D(2026, 2, 5))) == []
    assert steps(run(invoices, journal, D(2026, 2, 20))) == []
    journal.add_event(rl.HoldReleased(client_id="C1", on=D(2026, 2, 10)))
    # Released on 10 February: what was due comes out that day.
    assert steps(run(invoices, journal, D(2026, 2, 10))) == [
        ("FA-1", "relance_1"),
        ("FA-2", "relance_1"),
    ]


# --- cancellations -------------------------------------------------------------------------


def test_undoing_a_record_makes_its_step_due_again_under_a_new_key(journal: Journal) -> None:
    invoices = [invoice()]
    first = run(invoices, journal, D(2026, 2, 5)).actions[0]
    journal.add_event(
        rl.Cancellation(
            action_key=first.key, why="e-mail parti à la mauvaise adresse", on=D(2026, 2, 6)
        )
    )
    again = run(invoices, journal, D(2026, 2, 6))
    assert steps(again) == [("FA-1", "relance_1")]
    assert again.actions[0].key != first.key
    # Replanning the day before the cancellation still sees the first record.
    assert steps(rl.plan(invoices, [CLIENT], POLICY, D(2026, 2, 5), journal)) == []


# --- instalment plans ----------------------------------------------------------------------


def test_each_missed_instalment_is_chased_on_its_own_and_two_breaks_end_the_plan(
    journal: Journal,
) -> None:
    run([invoice()], journal, D(2026, 2, 5))
    schedule = rl.InstalmentPlan.split(
        "FA-1", Decimal("1000.00"), count=4, every_days=30, first=D(2026, 3, 2), on=D(2026, 2, 9)
    )
    assert [i.amount for i in schedule.instalments] == [Decimal("250.00")] * 4
    journal.add_event(schedule)
    assert steps(run([invoice()], journal, D(2026, 2, 19))) == []  # relance_2 replaced
    assert steps(run([invoice()], journal, D(2026, 3, 2))) == []  # due today
    gentle = run([invoice()], journal, D(2026, 3, 3))
    assert steps(gentle) == [("FA-1", "echeance_1_rappel")]
    item = gentle.actions[0].items[0]
    assert item.instalment == schedule.instalments[0]
    assert item.balance == Decimal("250.00")
    assert gentle.actions[0].demanded == {"EUR": Decimal("250.00")}
    assert steps(run([invoice()], journal, D(2026, 3, 9))) == []  # the firm one from 10 March
    assert steps(run([invoice()], journal, D(2026, 3, 10))) == [("FA-1", "echeance_1_relance")]
    # The first instalment is paid late; the second is missed: the plan breaks twice.
    late = [invoice("FA-1", rl.Payment(D(2026, 3, 12), Decimal("250.00")))]
    assert steps(run(late, journal, D(2026, 3, 16))) == []
    assert steps(run(late, journal, D(2026, 4, 2))) == [("FA-1", "echeance_2_rappel")]
    # 1 April + 2 business days (Easter Monday is 6 April) = 3 April: ended on 7 April,
    # and the whole balance is chased from where the escalation stood.
    ended = run(late, journal, D(2026, 4, 7))
    assert steps(ended) == [("FA-1", "appel")]
    assert ended.actions[0].items[0].balance == Decimal("750.00")


# --- after the formal notice ------------------------------------------------------------------


def notice_journal(journal: Journal) -> None:
    """FA-1 went through every step to its formal notice on Monday 23 March 2026 (due from
    Saturday 21 March)."""
    days = [D(2026, 2, 5), D(2026, 2, 12), D(2026, 2, 19), D(2026, 3, 6), D(2026, 3, 23)]
    for day in days:
        run([invoice()], journal, day)
    assert [r.step for r in journal.records()][-1] == "mise_en_demeure"


def test_quiet_sends_nothing_to_the_client_until_the_notice_deadline_has_passed(
    journal: Journal,
) -> None:
    notice_journal(journal)
    quiet = rl.ReminderPolicy("quiet", POLICY.steps, after_formal_notice="quiet")
    later = rl.Invoice("FA-2", "C1", D(2026, 3, 2), D(2026, 4, 1), Decimal("300.00"))
    invoices = [invoice(), later]
    # 23 March + 15 days at the post office + 8 days = Wednesday 15 April.
    assert POLICY.calendar.notice_deadline(D(2026, 3, 23)) == D(2026, 4, 15)
    for day in (D(2026, 3, 30), D(2026, 4, 2), D(2026, 4, 15)):
        assert steps(rl.plan(invoices, [CLIENT], quiet, day, journal)) == [], day
    assert steps(rl.plan(invoices, [CLIENT], quiet, D(2026, 4, 16), journal)) == [
        ("FA-2", "relance_1")
    ]
    # The default goes on: FA-2's courtesy e-mail before its due date.
    assert steps(rl.plan(invoices, [CLIENT], POLICY, D(2026, 3, 30), journal)) == [
        ("FA-2", "courtoisie")
    ]


def test_handover_hands_the_notified_invoices_over_once_then_waits_for_a_person(
    journal: Journal,
) -> None:
    notice_journal(journal)
    handover = rl.ReminderPolicy("handover", POLICY.steps, after_formal_notice="handover")
    later = rl.Invoice("FA-2", "C1", D(2026, 3, 2), D(2026, 4, 1), Decimal("300.00"))
    invoices = [invoice(), later]
    assert steps(run(invoices, journal, D(2026, 4, 15), handover)) == []
    handed = run(invoices, journal, D(2026, 4, 16), handover)
    assert steps(handed) == [("FA-1", "remise_contentieux")]
    assert handed.actions[0].step is handover.handover_step
    for day in (D(2026, 4, 20), D(2026, 5, 4)):
        assert steps(run(invoices, journal, day, handover)) == [], day
    journal.add_event(rl.HoldReleased(client_id="C1", on=D(2026, 5, 5), note="repris par Mme Roy"))
    assert steps(run(invoices, journal, D(2026, 5, 5), handover)) == [("FA-2", "relance_1")]


def test_the_handover_states_penalties_and_the_indemnity_to_date(journal: Journal) -> None:
    notice_journal(journal)
    handover = rl.ReminderPolicy("handover", POLICY.steps, after_formal_notice="handover")
    item = run([invoice()], journal, D(2026, 4, 16), handover).actions[0].items[0]
    # 1 000,00 € from 5 February (the day after the due date) to 16 April 2026: 71 days at
    # the ECB rate of 1 January 2026 (2,15 %) + 10 points = 12,15 % (LAW.md): 23,63 €.
    assert item.penalties is not None
    assert item.penalties.amount == Decimal("23.63")
    assert item.indemnity == Decimal("40")


def test_a_client_wide_promise_of_an_amount_is_kept_by_payments_on_any_of_its_invoices(
    journal: Journal,
) -> None:
    run([invoice("FA-1"), invoice("FA-2")], journal, D(2026, 2, 5))
    journal.add_event(
        rl.PromiseToPay(
            client_id="C1", until=D(2026, 2, 13), on=D(2026, 2, 9), amount=Decimal("500.00")
        )
    )
    # 500,00 € paid on FA-2 by the promised day: the promise is kept, FA-1 is chased on,
    # without "malgré votre engagement".
    paid = [invoice("FA-1"), invoice("FA-2", rl.Payment(D(2026, 2, 12), Decimal("500.00")))]
    explained = rl.plan(paid, [CLIENT], POLICY, D(2026, 2, 18), journal).explain("FA-1")
    assert "the promise of 2026-02-09 was kept (500.00 EUR paid)" in [
        rule.text for rule in explained.rules
    ]
    plan = run(paid, journal, D(2026, 2, 18))
    assert steps(plan) == [("FA-1", "appel"), ("FA-2", "appel")]
    assert [item.promise for item in plan.actions[0].items] == [None, None]


def test_a_client_wide_promise_of_an_amount_not_paid_is_broken_on_every_invoice(
    journal: Journal,
) -> None:
    invoices = [invoice("FA-1"), invoice("FA-2", rl.Payment(D(2026, 2, 12), Decimal("100.00")))]
    run([invoice("FA-1"), invoice("FA-2")], journal, D(2026, 2, 5))
    promise = rl.PromiseToPay(
        client_id="C1", until=D(2026, 2, 13), on=D(2026, 2, 9), amount=Decimal("500.00")
    )
    journal.add_event(promise)
    plan = run(invoices, journal, D(2026, 2, 18))
    assert [item.promise for item in plan.actions[0].items] == [promise, promise]
