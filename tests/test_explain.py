"""``Plan.explain``: why an invoice is or is not chased on a day, rule by rule (issue 13).

One hand-worked case per rule, each checked as the exact text ``str(explanation)`` prints.
The invoice of every case: F-1, 1 200,00 € issued Monday 3 February 2025, due Wednesday
5 March 2025, of client C001 (e-mail, telephone, address), under a policy of three e-mail
steps — ``courtoisie`` three days before the due date (from Sunday 2 March), ``relance_1``
the day after it (from Thursday 6 March), ``relance_2`` fifteen days after it (from
Thursday 20 March), both falling back to a letter — five days between two actions, chased
above 15 €, French business days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from factories import make_business, make_invoice
from relancelib import Invoice, MemoryJournal, Payment, ReminderPolicy, explain, plan
from relancelib.events import Dispute, Event, Hold, Instalment, InstalmentPlan, PromiseToPay
from relancelib.explain import Explanation
from relancelib.policy import Channel, Step

D = dt.date
POLICY = ReminderPolicy(
    "standard",
    (
        Step("courtoisie", -3, Channel.EMAIL),
        Step("relance_1", 1, Channel.EMAIL, fallback=(Channel.LETTER,)),
        Step("relance_2", 15, Channel.EMAIL, fallback=(Channel.LETTER,)),
    ),
    min_gap_days=5,
    min_balance=Decimal("15"),
)
CLIENT = make_business("C001")
INVOICE = make_invoice("F-1", "C001", due=D(2025, 3, 5), amount="1200.00", terms_days=30)
MONDAY = D(2025, 3, 10)

# What every case on Monday 10 March says of the next step: courtoisie lapsed on the due date.
NEXT = "no step done; relance_1 is due from 2025-03-06; lapsed before the due date: courtoisie"


def explained(
    day: dt.date = MONDAY,
    events: tuple[Event, ...] = (),
    invoice: Invoice = INVOICE,
    journal: MemoryJournal | None = None,
    **client: Any,
) -> Explanation:
    """Plan ``day`` for the one invoice (with ``events`` in the journal) and explain F-1."""
    journal = journal if journal is not None else MemoryJournal()
    for event in events:
        journal.add_event(event, client_id="C001")
    who = make_business("C001", **client)
    return plan([invoice], [who], POLICY, day, journal).explain("F-1")


def test_a_chased_invoice_says_its_step_and_the_lapse_of_courtoisie() -> None:
    assert str(explained()) == (
        "F-1: chased on 2025-03-10 at step relance_1\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [  ok] business day: 2025-03-10 is a business day\n"
        f"  [  ok] next step: {NEXT}\n"
        "  [  ok] channel: by email"
    )


def test_a_balance_at_or_under_the_threshold_stops_the_chase() -> None:
    paid = Invoice(
        "F-1",
        "C001",
        D(2025, 2, 3),
        D(2025, 3, 5),
        Decimal("1200.00"),
        payments=(Payment(D(2025, 3, 1), Decimal("1190.00")),),
        sent_on=D(2025, 2, 3),
    )
    assert str(explained(invoice=paid)) == (
        "F-1: not chased on 2025-03-10: 10.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [STOP] balance: 10.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [  ok] business day: 2025-03-10 is a business day\n"
        f"  [  ok] next step: {NEXT}\n"
        "  [  ok] channel: by email"
    )


def test_a_dispute_stops_the_chase() -> None:
    dispute = Dispute(on=D(2025, 3, 7), invoice_number="F-1", reason="livraison incomplète")
    assert str(explained(events=(dispute,))) == (
        "F-1: not chased on 2025-03-10: disputed since 2025-03-07: livraison incomplète\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [STOP] events: disputed since 2025-03-07: livraison incomplète\n"
        "  [  ok] business day: 2025-03-10 is a business day\n"
        f"  [  ok] next step: {NEXT}\n"
        "  [  ok] channel: by email"
    )


def test_the_export_disputed_flag_stops_the_chase() -> None:
    flagged = make_invoice("F-1", "C001", due=D(2025, 3, 5), amount="1200.00", disputed=True)
    assert str(explained(invoice=flagged)) == (
        "F-1: not chased on 2025-03-10: the invoice is marked disputed in the export\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [STOP] dispute: the invoice is marked disputed in the export\n"
        "  [  ok] business day: 2025-03-10 is a business day\n"
        f"  [  ok] next step: {NEXT}\n"
        "  [  ok] channel: by email"
    )


def test_a_hold_on_the_client_stops_the_chase_through_its_day() -> None:
    hold = Hold(on=D(2025, 3, 7), until=D(2025, 3, 14), client_id="C001", note="en congés")
    assert str(explained(events=(hold,))) == (
        "F-1: not chased on 2025-03-10: the client is on hold through 2025-03-14\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [STOP] events: the client is on hold through 2025-03-14\n"
        "  [  ok] business day: 2025-03-10 is a business day\n"
        f"  [  ok] next step: {NEXT}\n"
        "  [  ok] channel: by email"
    )
    # The day after its last day the chase goes on.
    assert explained(D(2025, 3, 17), events=(hold,)).chased


# Promised Friday 7 March to pay by Wednesday 12 March: two business days of grace, so the
# invoice is paused through Friday 14 March and the promise is broken from Monday 17 March.
PROMISE = PromiseToPay(on=D(2025, 3, 7), until=D(2025, 3, 12), invoice_number="F-1")


def test_a_promise_pauses_the_chase_through_its_grace() -> None:
    assert str(explained(D(2025, 3, 14), events=(PROMISE,))) == (
        "F-1: not chased on 2025-03-14: promised on 2025-03-07 to pay by 2025-03-12: paused "
        "through 2025-03-14 (2 business day(s) of grace)\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-14 (chased above 15)\n"
        "  [STOP] events: promised on 2025-03-07 to pay by 2025-03-12: paused through "
        "2025-03-14 (2 business day(s) of grace)\n"
        "  [  ok] business day: 2025-03-14 is a business day\n"
        "  [  ok] next step: no step done; relance_1 is due from 2025-03-06; lapsed before the "
        "due date: courtoisie\n"
        "  [  ok] channel: by email"
    )


def test_a_broken_promise_is_said_and_the_chase_resumes() -> None:
    assert str(explained(D(2025, 3, 17), events=(PROMISE,))) == (
        "F-1: chased on 2025-03-17 at step relance_1\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-17 (chased above 15)\n"
        "  [  --] events: the promise of 2025-03-07 to pay by 2025-03-12 was broken\n"
        "  [  --] promise: the next message says the promise was broken\n"
        "  [  ok] business day: 2025-03-17 is a business day\n"
        "  [  ok] next step: no step done; relance_1 is due from 2025-03-06; lapsed before the "
        "due date: courtoisie\n"
        "  [  ok] channel: by email"
    )


def test_a_next_step_not_yet_due_says_from_when() -> None:
    # Friday 28 February: courtoisie comes on Sunday 2 March.
    assert str(explained(D(2025, 2, 28))) == (
        "F-1: not chased on 2025-02-28: no step done; courtoisie is due from 2025-03-02\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-02-28 (chased above 15)\n"
        "  [  ok] business day: 2025-02-28 is a business day\n"
        "  [STOP] next step: no step done; courtoisie is due from 2025-03-02"
    )


def test_the_gap_since_the_clients_last_action_stops_the_chase() -> None:
    journal = MemoryJournal()
    first = plan([INVOICE], [CLIENT], POLICY, D(2025, 3, 6), journal)
    assert journal.record(first.actions[0])
    # relance_1 went on Thursday 6 March: four days later the gap of five is not over (and
    # relance_2 comes only on Thursday 20 March).
    assert str(explained(D(2025, 3, 10), journal=journal)) == (
        "F-1: not chased on 2025-03-10: last action for client 'C001' on 2025-03-06, 4 day(s) "
        "ago (at least 5)\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [  ok] business day: 2025-03-10 is a business day\n"
        "  [STOP] gap: last action for client 'C001' on 2025-03-06, 4 day(s) ago (at least 5)\n"
        "  [STOP] next step: last step done: relance_1 on 2025-03-06; relance_2 is due from "
        "2025-03-20"
    )


def test_a_public_holiday_stops_the_chase() -> None:
    # Easter Monday, 21 April 2025: relance_1 is due but nothing is planned that day.
    assert str(explained(D(2025, 4, 21))) == (
        "F-1: not chased on 2025-04-21: 2025-04-21 is not a business day\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-04-21 (chased above 15)\n"
        "  [STOP] business day: 2025-04-21 is not a business day\n"
        "  [  ok] next step: no step done; relance_1 is due from 2025-03-06; lapsed before the "
        "due date: courtoisie\n"
        "  [  ok] channel: by email"
    )


def test_a_client_without_email_is_chased_through_the_fallback_channel() -> None:
    assert str(explained(email=None)) == (
        "F-1: chased on 2025-03-10 at step relance_1\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-10 (chased above 15)\n"
        "  [  ok] business day: 2025-03-10 is a business day\n"
        f"  [  ok] next step: {NEXT}\n"
        "  [  ok] channel: email falls back to letter\n"
        "  [  --] problem (warning): client 'C001' has no e-mail address: step relance_1 goes "
        "by letter instead of email (fallback)"
    )


# Quiet after a formal notice: relance_1 on Thursday 6 March, the notice (registered letter)
# on Thursday 13 March; its deadline leaves 15 days at the post office then 8 days to pay:
# 5 April, a Saturday, so Monday 7 April.
QUIET = ReminderPolicy(
    "ferme",
    (
        Step("relance_1", 1, Channel.EMAIL),
        Step("mise_en_demeure", 8, Channel.REGISTERED_LETTER),
        Step("contentieux", 20, Channel.LETTER),
    ),
    min_gap_days=5,
    after_formal_notice="quiet",
)


def test_quiet_until_the_deadline_of_the_formal_notice() -> None:
    journal = MemoryJournal()
    for day in (D(2025, 3, 6), D(2025, 3, 13)):
        (action,) = plan([INVOICE], [CLIENT], QUIET, day, journal).actions
        assert journal.record(action)
    assert str(plan([INVOICE], [CLIENT], QUIET, D(2025, 4, 7), journal).explain("F-1")) == (
        "F-1: not chased on 2025-04-07: the formal notice of 2025-03-13 (deadline "
        "2025-04-07): quiet until its deadline has passed\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-04-07 (chased above 0)\n"
        "  [  ok] business day: 2025-04-07 is a business day\n"
        "  [  ok] gap: last action for client 'C001' on 2025-03-13, 25 day(s) ago (at least 5)\n"
        "  [STOP] after formal notice: the formal notice of 2025-03-13 (deadline 2025-04-07): "
        "quiet until its deadline has passed\n"
        "  [  ok] next step: last step done: mise_en_demeure on 2025-03-13; contentieux is due "
        "from 2025-03-25\n"
        "  [  ok] channel: by letter"
    )
    assert str(plan([INVOICE], [CLIENT], QUIET, D(2025, 4, 8), journal).explain("F-1")) == (
        "F-1: chased on 2025-04-08 at step contentieux\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-04-08 (chased above 0)\n"
        "  [  ok] business day: 2025-04-08 is a business day\n"
        "  [  ok] gap: last action for client 'C001' on 2025-03-13, 26 day(s) ago (at least 5)\n"
        "  [  ok] after formal notice: the formal notice of 2025-03-13 (deadline 2025-04-07): "
        "its deadline has passed\n"
        "  [  ok] next step: last step done: mise_en_demeure on 2025-03-13; contentieux is due "
        "from 2025-03-25\n"
        "  [  ok] channel: by letter"
    )


# Agreed on Friday 7 March: 600,00 € on Thursday 20 March, 600,00 € on Sunday 20 April.
INSTALMENTS = InstalmentPlan(
    on=D(2025, 3, 7),
    invoice_number="F-1",
    instalments=(
        Instalment(D(2025, 3, 20), Decimal("600.00")),
        Instalment(D(2025, 4, 20), Decimal("600.00")),
    ),
)


def test_an_instalment_plan_pauses_until_an_instalment_is_missed() -> None:
    assert str(explained(D(2025, 3, 14), events=(INSTALMENTS,))) == (
        "F-1: not chased on 2025-03-14: instalment plan of 2025-03-07: next instalment of "
        "600.00 EUR due 2025-03-20\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-14 (chased above 15)\n"
        "  [STOP] events: instalment plan of 2025-03-07: next instalment of 600.00 EUR due "
        "2025-03-20\n"
        "  [  ok] business day: 2025-03-14 is a business day\n"
        f"  [  ok] next step: {NEXT}\n"
        "  [  ok] channel: by email"
    )
    # The day after the first instalment's due date, unpaid: its gentle reminder.
    assert str(explained(D(2025, 3, 21), events=(INSTALMENTS,))) == (
        "F-1: chased on 2025-03-21 at step echeance_1_rappel\n"
        "  [  ok] balance: 1200.00 EUR due on 2025-03-21 (chased above 15)\n"
        "  [  ok] business day: 2025-03-21 is a business day\n"
        "  [  ok] instalment: a missed instalment is chased at step echeance_1_rappel"
    )


def test_to_dict_is_the_explanation_as_json_ready_data() -> None:
    dispute = Dispute(on=D(2025, 3, 7), invoice_number="F-1", reason="livraison incomplète")
    assert explained(events=(dispute,)).to_dict() == {
        "invoice": "F-1",
        "date": "2025-03-10",
        "chased": False,
        "step": None,
        "reason": "disputed since 2025-03-07: livraison incomplète",
        "rules": [
            {
                "rule": "balance",
                "passed": True,
                "text": "1200.00 EUR due on 2025-03-10 (chased above 15)",
            },
            {
                "rule": "events",
                "passed": False,
                "text": "disputed since 2025-03-07: livraison incomplète",
            },
            {"rule": "business day", "passed": True, "text": "2025-03-10 is a business day"},
            {"rule": "next step", "passed": True, "text": NEXT},
            {"rule": "channel", "passed": True, "text": "by email"},
        ],
    }
    chased = explained().to_dict()
    assert (chased["chased"], chased["step"], chased["reason"]) == (
        True,
        "relance_1",
        "chased today at step relance_1",
    )


def test_the_notebook_shows_the_reason_then_one_row_per_rule_escaped() -> None:
    dispute = Dispute(on=D(2025, 3, 7), invoice_number="F-1", reason="prix > devis & remise")
    assert explained(events=(dispute,))._repr_html_() == (
        "<p><strong>F-1</strong> \u2014 disputed since 2025-03-07: prix &gt; devis &amp; "
        "remise</p>"
        "<table><thead><tr><th></th><th>règle</th><th>constat</th></tr></thead><tbody>"
        "<tr><td>\u2714</td><td>balance</td>"
        "<td>1200.00 EUR due on 2025-03-10 (chased above 15)</td></tr>"
        "<tr><td>\u2718</td><td>events</td>"
        "<td>disputed since 2025-03-07: prix &gt; devis &amp; remise</td></tr>"
        "<tr><td>\u2714</td><td>business day</td><td>2025-03-10 is a business day</td></tr>"
        f"<tr><td>\u2714</td><td>next step</td><td>{NEXT}</td></tr>"
        "<tr><td>\u2714</td><td>channel</td><td>by email</td></tr>"
        "</tbody></table>"
    )


def test_explain_plans_then_explains() -> None:
    journal = MemoryJournal()
    journal.add_event(PROMISE, client_id="C001")
    direct = explain("F-1", [INVOICE], [CLIENT], POLICY, D(2025, 3, 14), journal)
    assert direct == plan([INVOICE], [CLIENT], POLICY, D(2025, 3, 14), journal).explain("F-1")
    assert not direct.chased


def test_an_invoice_not_given_is_explained_as_such() -> None:
    assert str(plan([INVOICE], [CLIENT], POLICY, MONDAY).explain("F-9")) == (
        "F-9: not chased on 2025-03-10: not among the invoices given\n"
        "  [STOP] invoice: not among the invoices given"
    )


@pytest.mark.parametrize("number", ["", "F-1\n"])
def test_explain_refuses_a_number_that_is_no_invoice_number(number: str) -> None:
    from relancelib.errors import RelanceError

    with pytest.raises(RelanceError, match="invoice_number"):
        plan([INVOICE], [CLIENT], POLICY, MONDAY).explain(number)
