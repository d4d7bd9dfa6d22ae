"""The embedded sample portfolio: valid, varied, fixed in time, and a lively demo day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stdnum import iban as stdnum_iban
from stdnum.fr import siren as stdnum_siren

from relancelib import Calendar, ClientKind, MemoryJournal, Severity, SqliteJournal, plan
from relancelib.sample import Sample, load_sample, sample_policy, simulate, vip_policy


def test_sample_loads_the_same_every_time() -> None:
    first = load_sample()
    assert isinstance(first, Sample)
    assert first == load_sample()
    assert first.as_of == dt.date(2026, 3, 16)
    assert first.as_of.weekday() == 0  # a Monday
    assert first.history_start < first.as_of
    assert 25 <= len(first.clients) <= 40
    assert 50 <= len(first.invoices) <= 80


def test_demo_day_is_a_business_day_in_the_first_half_of_2026() -> None:
    sample = load_sample()
    assert Calendar("FR").is_business_day(sample.as_of)
    assert dt.date(2026, 1, 1) <= sample.as_of <= dt.date(2026, 6, 30)


def test_creditor_is_a_lyon_company_with_valid_bank_details() -> None:
    creditor = load_sample().creditor
    assert creditor.address.city == "Lyon"
    assert creditor.iban is not None
    assert creditor.iban.startswith("FR76")
    assert stdnum_iban.is_valid(creditor.iban)
    assert creditor.bic is not None
    assert creditor.siren is not None
    assert stdnum_siren.is_valid(creditor.siren)
    assert creditor.payment_link is not None
    assert creditor.payment_link.startswith("https://")
    assert creditor.email is not None


def test_clients_are_valid_and_varied() -> None:
    clients = load_sample().clients
    ids = [client.id for client in clients]
    assert len(ids) == len(set(ids))
    businesses = [c for c in clients if c.kind is ClientKind.BUSINESS]
    consumers = [c for c in clients if c.kind is ClientKind.CONSUMER]
    assert len(consumers) >= 3
    for client in businesses:
        assert stdnum_siren.is_valid(client.siren or ""), client
    for client in consumers:
        assert client.siren is None
    assert {c.segment for c in clients} == {"standard", "vip"}
    assert sum(1 for c in clients if c.email is None) == 1
    cities = {c.address.city for c in clients if c.address is not None}
    assert {"Paris", "Lyon", "Strasbourg", "Marseille"} <= cities
    strasbourg = [c for c in clients if c.address is not None and c.address.city == "Strasbourg"]
    assert all(c.address is not None and c.address.postal_code.startswith("67") for c in strasbourg)
    assert any(any(ch in c.name for ch in "éèêàçôÉ") for c in clients)  # accents survive


def test_invoices_cover_the_special_cases() -> None:
    sample = load_sample()
    invoices = sample.invoices
    as_of = sample.as_of
    known = {c.id for c in sample.clients}
    assert all(inv.client_id in known for inv in invoices)
    assert len({inv.number for inv in invoices}) == len(invoices)
    assert sum(inv.disputed for inv in invoices) == 1
    assert sum(inv.hold_until is not None and inv.hold_until >= as_of for inv in invoices) == 1
    assert sum(inv.balance(as_of) < 0 for inv in invoices) == 1  # overpaid
    assert sum(inv.sent_on is None for inv in invoices) == 1
    assert sum((inv.due_date - inv.issue_date).days > 60 for inv in invoices) == 1
    partly = [inv for inv in invoices if inv.payments and 0 < inv.balance(as_of) < inv.amount]
    assert len(partly) >= 3
    paid = [inv for inv in invoices if inv.payments and inv.balance(as_of) == 0]
    assert len(paid) >= 10
    assert any(inv.issue_date > as_of - dt.timedelta(days=15) for inv in invoices)  # not yet due


def test_vip_clients_get_the_softer_policy() -> None:
    sample = load_sample()
    vip = next(c for c in sample.clients if c.segment == "vip")
    other = next(c for c in sample.clients if c.segment == "standard")
    assert sample.policy(vip) == vip_policy()
    assert sample.policy(vip).min_gap_days > sample.policy(other).min_gap_days
    assert sample.policy(other).name == "french_default"
    assert sample.policy is sample_policy()


def test_demo_day_plan_shows_actions_at_many_steps() -> None:
    sample = load_sample()
    journal = MemoryJournal()
    history = sample.replay(journal)
    assert len(history) > 50
    assert all(sample.history_start <= a.on < sample.as_of for a in history)
    today = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, journal)
    assert len(today.actions) >= 8
    steps = {action.step.key for action in today.actions}
    assert {"courtoisie", "relance_1", "appel", "relance_2", "lettre_relance", "mise_en_demeure"} <= steps
    assert any(action.client.segment == "vip" for action in today.actions)
    errors = [p.message for p in today.problems if p.severity is Severity.ERROR]
    assert any("payments exceed" in message for message in errors)
    warnings = " ".join(p.message for p in today.warnings)
    assert "sent_on unset" in warnings
    assert "no e-mail address" in warnings
    assert "payment terms" in warnings


def test_disputed_and_held_invoices_are_never_chased_in_the_history() -> None:
    sample = load_sample()
    journal = MemoryJournal()
    sample.replay(journal)
    chased = {number for record in journal.records() for number in record.invoice_numbers}
    disputed = next(inv for inv in sample.invoices if inv.disputed)
    held = next(inv for inv in sample.invoices if inv.hold_until is not None)
    assert disputed.number not in chased
    assert held.number not in chased


def test_replaying_twice_records_nothing_new(tmp_path: Path) -> None:
    sample = load_sample()
    with SqliteJournal(tmp_path / "j.sqlite") as journal:
        first = sample.replay(journal)
        count = len(journal.records())
        again = simulate(
            journal,
            sample.history_start,
            sample.as_of,
            invoices=sample.invoices,
            clients=sample.clients,
            policy=sample.policy,
        )
        assert first
        assert again == ()
        assert len(journal.records()) == count
        assert all(r.reference is not None and r.reference.startswith("simulation ") for r in journal.records())


def test_replay_is_deterministic() -> None:
    sample = load_sample()
    one, two = MemoryJournal(), MemoryJournal()
    sample.replay(one)
    sample.replay(two)
    assert one.records() == two.records()
