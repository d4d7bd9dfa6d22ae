"""The engine, one test per rule of DESIGN.md's engine section."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from factories import make_invoice
from relancelib import (
    Address,
    Channel,
    Client,
    InvalidFieldError,
    Invoice,
    MemoryJournal,
    Payment,
    Plan,
    ReminderPolicy,
    Severity,
    Step,
    action_key,
    plan,
)

D = dt.date
DUE = D(2025, 3, 31)  # a Monday


def steps_of(result: Plan) -> list[tuple[str, str, str]]:
    return [
        (a.client.id, item.invoice.number, item.step.key)
        for a in result.actions
        for item in a.items
    ]


def test_nothing_is_planned_without_invoices(business: Client, policy: ReminderPolicy) -> None:
    result = plan([], [business], policy, D(2025, 4, 1))
    assert result == Plan(D(2025, 4, 1), (), ())
    assert len(result) == 0


# Rule 1: balance above min_balance, not disputed, not held.


def test_rule1_paid_invoice_is_not_chased(business: Client, policy: ReminderPolicy) -> None:
    invoice = make_invoice(payments=[Payment(D(2025, 3, 30), Decimal("1200.00"))])
    assert plan([invoice], [business], policy, D(2025, 4, 1)).actions == ()


def test_rule1_balance_must_be_above_min_balance(business: Client) -> None:
    policy = ReminderPolicy.french_default(min_balance=Decimal("15.00"))
    at_threshold = make_invoice(payments=[Payment(D(2025, 3, 30), Decimal("1185.00"))])
    above = make_invoice(payments=[Payment(D(2025, 3, 30), Decimal("1184.99"))])
    assert plan([at_threshold], [business], policy, D(2025, 4, 1)).actions == ()
    assert steps_of(plan([above], [business], policy, D(2025, 4, 1))) == [
        ("C001", "F-001", "relance_1")
    ]


def test_rule1_payment_after_as_of_does_not_count(business: Client, policy: ReminderPolicy) -> None:
    invoice = make_invoice(payments=[Payment(D(2025, 4, 2), Decimal("1200.00"))])
    result = plan([invoice], [business], policy, D(2025, 4, 1))
    assert result.actions[0].items[0].balance == Decimal("1200.00")


def test_rule1_disputed_invoice_is_not_chased(business: Client, policy: ReminderPolicy) -> None:
    assert plan([make_invoice(disputed=True)], [business], policy, D(2025, 4, 1)).actions == ()


def test_rule1_hold_until_on_or_after_as_of_holds(business: Client, policy: ReminderPolicy) -> None:
    held = make_invoice(hold_until=D(2025, 4, 1))
    assert plan([held], [business], policy, D(2025, 4, 1)).actions == ()
    assert steps_of(plan([held], [business], policy, D(2025, 4, 2))) == [
        ("C001", "F-001", "relance_1")
    ]


# Rule 2: as_of >= due_date + offset.


def test_rule2_step_is_due_on_its_offset_day_not_before(
    business: Client, policy: ReminderPolicy
) -> None:
    invoice = make_invoice()
    assert plan([invoice], [business], policy, D(2025, 3, 25)).actions == ()  # due - 6
    assert steps_of(plan([invoice], [business], policy, D(2025, 3, 26))) == [
        ("C001", "F-001", "courtoisie")
    ]


# Rule 3: negative offsets lapse once the due date has passed.


def test_rule3_courtoisie_can_still_go_on_the_due_date(
    business: Client, policy: ReminderPolicy
) -> None:
    assert steps_of(plan([make_invoice()], [business], policy, DUE)) == [
        ("C001", "F-001", "courtoisie")
    ]


def test_rule3_courtoisie_lapses_after_the_due_date(
    business: Client, policy: ReminderPolicy
) -> None:
    assert steps_of(plan([make_invoice()], [business], policy, D(2025, 4, 1))) == [
        ("C001", "F-001", "relance_1")
    ]


def test_an_invoice_found_60_days_late_gets_relance_1_first(
    business: Client, policy: ReminderPolicy
) -> None:
    # 30 May 2025 is due + 60 days: every later step's date has passed, yet steps are never skipped.
    assert steps_of(plan([make_invoice()], [business], policy, D(2025, 5, 30))) == [
        ("C001", "F-001", "relance_1")
    ]


# Rule 4: at least min_gap_days since the client's last action, whatever the invoice.


def test_rule4_gap_counts_any_action_for_the_client(
    business: Client, policy: ReminderPolicy
) -> None:
    other = make_invoice("F-000", due=D(2025, 3, 20))
    journal = MemoryJournal()
    first = plan([other], [business], policy, D(2025, 3, 21))
    assert steps_of(first) == [("C001", "F-000", "relance_1")]
    assert journal.record(first.actions[0], on=D(2025, 3, 27))
    invoice = make_invoice()
    # 27 March + 5 days = 1 April: on 31 March (4 days) the client may not be contacted.
    assert plan([invoice], [business], policy, D(2025, 3, 31), journal).actions == ()
    assert steps_of(plan([invoice], [business], policy, D(2025, 4, 1), journal)) == [
        ("C001", "F-001", "relance_1"),
    ]


def test_rule4_other_clients_are_not_held_back(
    business: Client, consumer: Client, policy: ReminderPolicy
) -> None:
    journal = MemoryJournal()
    a = make_invoice("F-A", "C001")
    b = make_invoice("F-B", "C002")
    first = plan([a], [business, consumer], policy, D(2025, 4, 1))
    journal.record(first.actions[0])
    assert steps_of(plan([a, b], [business, consumer], policy, D(2025, 4, 2), journal)) == [
        ("C002", "F-B", "relance_1"),
    ]


# Rule 5: business days only.


def test_rule5_nothing_on_a_weekend_and_catch_up_on_monday(
    business: Client, policy: ReminderPolicy
) -> None:
    invoice = make_invoice(due=D(2025, 4, 4))  # a Friday: relance_1 due Saturday 5 April
    assert plan([invoice], [business], policy, D(2025, 4, 5)).actions == ()
    assert plan([invoice], [business], policy, D(2025, 4, 6)).actions == ()
    assert steps_of(plan([invoice], [business], policy, D(2025, 4, 7))) == [
        ("C001", "F-001", "relance_1")
    ]


def test_rule5_nothing_on_a_public_holiday(business: Client, policy: ReminderPolicy) -> None:
    invoice = make_invoice(due=D(2025, 4, 30))
    assert plan([invoice], [business], policy, D(2025, 5, 1)).actions == ()  # Fête du Travail
    assert steps_of(plan([invoice], [business], policy, D(2025, 5, 2))) == [
        ("C001", "F-001", "relance_1")
    ]


def test_rule5_uses_the_policy_calendar(business: Client) -> None:
    invoice = make_invoice(due=D(2025, 4, 17))  # relance_1 due Good Friday 18 April 2025
    national = ReminderPolicy.french_default()
    moselle = ReminderPolicy.french_default(holidays="FR-57")
    assert steps_of(plan([invoice], [business], national, D(2025, 4, 18))) == [
        ("C001", "F-001", "relance_1")
    ]
    assert plan([invoice], [business], moselle, D(2025, 4, 18)).actions == ()


def test_rule5_can_be_switched_off(business: Client) -> None:
    policy = ReminderPolicy.french_default(business_days_only=False)
    assert steps_of(plan([make_invoice(due=D(2025, 4, 4))], [business], policy, D(2025, 4, 5))) == [
        ("C001", "F-001", "relance_1"),
    ]


# Recording, replanning, history.


def test_replanning_after_recording_gives_no_action(
    business: Client, policy: ReminderPolicy
) -> None:
    journal = MemoryJournal()
    result = plan([make_invoice()], [business], policy, D(2025, 4, 1), journal)
    assert (
        journal.record(result.actions[0], on=D(2025, 4, 1), reference="<m1@atelier-dupont.fr>")
        is True
    )
    assert journal.record(result.actions[0], on=D(2025, 4, 1)) is False
    assert plan([make_invoice()], [business], policy, D(2025, 4, 1), journal).actions == ()


def test_next_step_follows_the_last_recorded_one(business: Client, policy: ReminderPolicy) -> None:
    journal = MemoryJournal()
    invoice = make_invoice()
    journal.record(plan([invoice], [business], policy, D(2025, 4, 1)).actions[0])
    assert (
        plan([invoice], [business], policy, D(2025, 4, 8), journal).actions[0].step.key == "appel"
    )


def test_records_after_as_of_are_ignored(business: Client, policy: ReminderPolicy) -> None:
    journal = MemoryJournal()
    invoice = make_invoice()
    first = plan([invoice], [business], policy, D(2025, 4, 1))
    journal.record(first.actions[0], on=D(2025, 4, 1))
    # Replaying 1 April with a journal that knows later days gives 1 April's plan again.
    later = plan([invoice], [business], policy, D(2025, 4, 8), journal)
    journal.record(later.actions[0], on=D(2025, 4, 8))
    assert plan([invoice], [business], policy, D(2025, 3, 31), journal).actions[
        0
    ].key == action_key("C001", [("F-001", "courtoisie")])
    assert (
        plan([invoice], [business], policy, D(2025, 4, 7), journal).actions == ()
    )  # gap from 1 April
    assert plan([invoice], [business], policy, D(2025, 4, 8), journal).actions == ()


def test_what_is_due_and_not_recorded_stays_due(business: Client, policy: ReminderPolicy) -> None:
    invoice = make_invoice()
    keys = {
        plan([invoice], [business], policy, D(2025, 4, d)).actions[0].key for d in (1, 2, 3, 4, 7)
    }
    assert keys == {action_key("C001", [("F-001", "relance_1")])}


def test_journal_step_unknown_to_the_policy_is_an_error_problem(business: Client) -> None:
    journal = MemoryJournal()
    other = ReminderPolicy("other", [Step("rappel", 1, Channel.EMAIL)])
    invoice = make_invoice()
    journal.record(plan([invoice], [business], other, D(2025, 4, 1)).actions[0])
    result = plan([invoice], [business], ReminderPolicy.french_default(), D(2025, 4, 10), journal)
    assert result.actions == ()
    assert [(p.invoice_number, p.severity) for p in result.problems] == [("F-001", Severity.ERROR)]
    assert "rappel" in result.problems[0].message


# Grouping, keys, totals, order.


def test_one_action_per_client_at_the_most_advanced_step(
    business: Client, policy: ReminderPolicy
) -> None:
    journal = MemoryJournal()
    old = make_invoice("F-OLD", due=D(2025, 2, 28))
    journal.record(
        plan([old], [business], policy, D(2025, 3, 3)).actions[0]
    )  # relance_1 on 3 March
    new = make_invoice("F-NEW", due=D(2025, 3, 31))
    result = plan([old, new], [business], policy, D(2025, 4, 1), journal)
    (action,) = result.actions
    assert action.step.key == "appel"
    assert action.channel is Channel.PHONE
    assert [(i.invoice.number, i.step.key, i.days_overdue) for i in action.items] == [
        ("F-OLD", "appel", 32),
        ("F-NEW", "relance_1", 1),
    ]
    assert action.key == action_key("C001", [("F-NEW", "relance_1"), ("F-OLD", "appel")])
    assert action.on == D(2025, 4, 1)


def test_totals_and_claimed_per_currency(business: Client, policy: ReminderPolicy) -> None:
    eur = make_invoice("F-1", payments=[Payment(D(2025, 3, 1), Decimal("200.00"))])
    eur2 = make_invoice("F-2", amount="99.99")
    usd = Invoice(
        "F-3", "C001", D(2025, 3, 1), DUE, Decimal("50.00"), currency="USD", sent_on=D(2025, 3, 1)
    )
    (action,) = plan([eur, eur2, usd], [business], policy, D(2025, 4, 1)).actions
    assert dict(action.totals) == {"EUR": Decimal("1099.99"), "USD": Decimal("50.00")}
    assert dict(action.claimed) == dict(action.totals)  # no penalties on relance_1


def test_actions_are_sorted_by_client_id_whatever_the_input_order(policy: ReminderPolicy) -> None:
    clients = [Client(f"C{i}", f"Client {i}", email=f"c{i}@example.fr") for i in (3, 1, 2)]
    invoices = [make_invoice(f"F{i}", f"C{i}") for i in (2, 3, 1)]
    forward = plan(invoices, clients, policy, D(2025, 4, 1))
    backward = plan(invoices[::-1], {c.id: c for c in clients[::-1]}, policy, D(2025, 4, 1))
    assert [a.client.id for a in forward.actions] == ["C1", "C2", "C3"]
    assert forward == backward


def test_action_key_ignores_pair_order_and_day() -> None:
    assert action_key("C1", [("A", "x"), ("B", "y")]) == action_key("C1", [("B", "y"), ("A", "x")])
    assert action_key("C1", [("A", "x")]) != action_key("C2", [("A", "x")])
    assert action_key("C1", [("A", "x")]) != action_key("C1", [("A", "y")])
    assert action_key("C1", [("A", "x")]).startswith("rl-")


def test_policy_may_be_chosen_per_client(business: Client) -> None:
    vip = attrs.evolve(business, id="C-VIP", segment="vip")
    gentle = ReminderPolicy.french_default(min_gap_days=10)
    strict = ReminderPolicy("strict", [Step("relance", 3, Channel.EMAIL)])

    def choose(client: Client) -> ReminderPolicy:
        return gentle if client.segment == "vip" else strict

    invoices = [make_invoice("F-V", "C-VIP"), make_invoice("F-S", "C001")]
    assert steps_of(plan(invoices, [vip, business], choose, D(2025, 4, 1))) == [
        ("C-VIP", "F-V", "relance_1")
    ]
    assert steps_of(plan(invoices, [vip, business], choose, D(2025, 4, 3))) == [
        ("C-VIP", "F-V", "relance_1"),
        ("C001", "F-S", "relance"),
    ]


# Problems: inputs that do not fit together never stop a run.


def test_invoice_of_a_missing_client_is_left_out_and_reported(
    business: Client, policy: ReminderPolicy
) -> None:
    result = plan([make_invoice("F-X", "C404"), make_invoice()], [business], policy, D(2025, 4, 1))
    assert steps_of(result) == [("C001", "F-001", "relance_1")]
    assert [(p.invoice_number, p.severity, p.message) for p in result.problems] == [
        ("F-X", Severity.ERROR, "client 'C404' is not among the clients"),
    ]


def test_overpaid_invoice_is_an_error_problem(business: Client, policy: ReminderPolicy) -> None:
    invoice = make_invoice(payments=[Payment(D(2025, 3, 1), Decimal("1250.00"))])
    result = plan([invoice], [business], policy, D(2025, 4, 1))
    assert result.actions == ()
    assert [str(p) for p in result.problems] == [
        "error: F-001: payments exceed the invoice amount by 50.00 EUR"
    ]


def test_two_different_invoices_with_one_number_are_both_left_out(
    business: Client, policy: ReminderPolicy
) -> None:
    result = plan([make_invoice(), make_invoice(amount="5.00")], [business], policy, D(2025, 4, 1))
    assert result.actions == ()
    assert [p.invoice_number for p in result.errors] == ["F-001"]


def test_the_same_invoice_given_twice_counts_once(business: Client, policy: ReminderPolicy) -> None:
    result = plan([make_invoice(), make_invoice()], [business], policy, D(2025, 4, 1))
    assert steps_of(result) == [("C001", "F-001", "relance_1")]
    assert result.problems == ()


def test_client_given_twice_with_different_data_is_reported(
    business: Client, policy: ReminderPolicy
) -> None:
    twin = attrs.evolve(business, name="Autre nom")
    result = plan([make_invoice()], [business, twin], policy, D(2025, 4, 1))
    assert result.actions == ()
    assert result.problems[0].message == "client 'C001' is given twice with different data"


def test_an_unreachable_client_is_an_error_naming_what_is_missing(
    policy: ReminderPolicy,
) -> None:
    client = Client("C001", "Sans Courriel")
    result = plan([make_invoice()], [client], policy, D(2025, 4, 1))
    assert result.actions == ()
    assert [(p.severity, p.message) for p in result.problems] == [
        (
            Severity.ERROR,
            "client 'C001' cannot be reached for step relance_1: no e-mail address nor postal "
            "address; give one or change the policy",
        ),
    ]


def test_a_missing_e_mail_falls_back_to_a_letter_with_a_warning(policy: ReminderPolicy) -> None:
    client = Client("C001", "Sans Courriel", address=Address(("1 rue",), "69002", "Lyon"))
    result = plan([make_invoice()], [client], policy, D(2025, 4, 1))
    (action,) = result.actions
    assert action.channel is Channel.LETTER
    assert action.step.channel is Channel.EMAIL
    assert action.is_fallback
    assert [(p.severity, p.message) for p in result.problems] == [
        (
            Severity.WARNING,
            "client 'C001' has no e-mail address: step relance_1 goes by letter instead of "
            "email (fallback)",
        ),
    ]


def test_a_call_falls_back_to_an_e_mail_then_a_letter() -> None:
    step = ReminderPolicy.french_default().step("appel")
    address = Address(("1 rue",), "69002", "Lyon")
    assert step.channel_for(Client("C", "x", phone="0478000001")) is Channel.PHONE
    assert step.channel_for(Client("C", "x", email="a@x.fr", address=address)) is Channel.EMAIL
    assert step.channel_for(Client("C", "x", address=address)) is Channel.LETTER
    assert step.channel_for(Client("C", "x")) is None


def test_payment_terms_over_the_legal_cap_are_a_warning(
    business: Client, policy: ReminderPolicy
) -> None:
    invoice = Invoice("F-LONG", "C001", D(2025, 1, 15), D(2025, 4, 30), Decimal("100.00"))
    result = plan([invoice], [business], policy, D(2025, 4, 25))
    assert steps_of(result) == [("C001", "F-LONG", "courtoisie")]
    assert [(p.invoice_number, p.severity) for p in result.problems] == [
        ("F-LONG", Severity.WARNING)
    ]


def test_plan_problems_are_sorted_and_split(business: Client, policy: ReminderPolicy) -> None:
    result = plan(
        [make_invoice("F-B", "C9"), make_invoice("F-A", "C9")], [business], policy, D(2025, 4, 1)
    )
    assert [p.invoice_number for p in result.problems] == ["F-A", "F-B"]
    assert result.errors == result.problems
    assert result.warnings == ()


# Bad arguments are RelanceErrors naming the argument.


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"as_of": dt.datetime(2025, 4, 1)}, "as_of"),
        ({"as_of": "2025-04-01"}, "as_of"),
        ({"policy": "french_default"}, "policy"),
        ({"invoices": "F-001"}, "invoices"),
        ({"invoices": [object()]}, "invoices"),
        ({"clients": [None]}, "clients"),
        ({"journal": object()}, "journal"),
        ({"policy": lambda client: None}, "policy"),
    ],
)
def test_bad_arguments_raise_relance_errors(
    business: Client, policy: ReminderPolicy, kwargs: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {
        "invoices": [make_invoice()],
        "clients": [business],
        "policy": policy,
        "as_of": D(2025, 4, 1),
        "journal": None,
    }
    arguments.update(kwargs)
    with pytest.raises(InvalidFieldError) as info:
        plan(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field


def test_an_unreachable_step_leaves_out_its_invoice_not_the_clients_other_invoices() -> None:
    """No phone and no fallback for the call: that invoice is an ERROR; the client's invoice
    at an e-mail step still gets its e-mail (found by test_missed_days_lose_nothing)."""
    steps = (
        Step("relance_1", 1, Channel.EMAIL),
        Step("appel", 8, Channel.PHONE),
    )
    policy = ReminderPolicy("sans repli", steps, business_days_only=False)
    client = Client("C001", "Boulangerie Martin", email="compta@martin.fr")
    late = make_invoice("F-1", due=D(2025, 3, 1))
    fresh = make_invoice("F-2", due=D(2025, 3, 10))
    journal = MemoryJournal()
    (first,) = plan([late], [client], policy, D(2025, 3, 2), journal).actions
    journal.record(first)
    today = plan([late, fresh], [client], policy, D(2025, 3, 11), journal)
    (action,) = today.actions
    assert action.steps == (("F-2", "relance_1"),)
    assert action.channel is Channel.EMAIL
    assert [(p.invoice_number, p.severity, p.message) for p in today.problems] == [
        (
            "F-1",
            Severity.ERROR,
            "client 'C001' cannot be reached for step appel: no telephone number; give one or "
            "change the policy",
        )
    ]
