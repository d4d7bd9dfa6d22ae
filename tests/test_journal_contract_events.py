"""The journal contract for events (relancelib.events), run over every store: MemoryJournal,
SqliteJournal and PostgresJournal (on a real server, tests/postgres.py).

An event is stored once by key, with the client it is about; a call outcome or a
cancellation names a recorded action; a cancellation frees the action's (invoice, step)
pairs for a new key while the old key stays taken; history(as_of) carries the events of that
day and counts cancelled pairs as revisions; forget erases events' personal text; verify
names an event row edited by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import make_invoice
from postgres import SQL_STORES, STORES, SqlRunner, hand_editor, open_journal, postgres_server
from relancelib import (
    Action,
    Client,
    InvalidFieldError,
    JournalError,
    MemoryJournal,
    ReminderPolicy,
    plan,
)
from relancelib.engine import History
from relancelib.events import (
    CallOutcome,
    CallResult,
    Cancellation,
    Dispute,
    DisputeResolved,
    Hold,
    PromiseToPay,
)
from relancelib.journal import ClaimStatus, LedgerJournal
from relancelib.sample import load_sample

__all__ = ["postgres_server"]  # the session's server, imported as a fixture

D = dt.date
APRIL_1 = D(2025, 4, 1)


@pytest.fixture(params=STORES)
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerJournal]:
    opened = open_journal(request.param, request, tmp_path)
    yield opened
    if not isinstance(opened, MemoryJournal):
        opened.close()


@pytest.fixture(params=SQL_STORES)
def sql_journal(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[LedgerJournal, SqlRunner]]:
    opened = open_journal(request.param, request, tmp_path)
    yield opened, hand_editor(opened, request)
    opened.close()


def day_plan(
    client: Client, policy: ReminderPolicy, journal: LedgerJournal, on: dt.date = APRIL_1
) -> tuple[Action, ...]:
    invoices = [make_invoice("F-1"), make_invoice("F-2")]
    return plan(invoices, [client], policy, on, journal).actions


def test_an_event_is_stored_once_with_its_client(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    (action,) = day_plan(business, policy, journal)
    journal.record(action)
    dispute = Dispute(on=D(2025, 4, 3), invoice_number="F-1", reason="livraison incomplète")
    hold = Hold(on=D(2025, 4, 2), until=D(2025, 4, 30), client_id="C001", who="Mme Roux")
    promise = PromiseToPay(on=D(2025, 4, 3), until=D(2025, 4, 20), invoice_number="F-9")
    assert journal.add_event(dispute) is True
    assert journal.add_event(dispute) is False
    assert journal.add_event(hold) is True
    assert journal.add_event(promise, client_id="C002") is True
    # Oldest first; the dispute names only F-1: its client is that of F-1's latest record.
    assert journal.events() == (hold, dispute, promise)
    assert journal.events(client_id="C001") == (hold, dispute)
    assert journal.events(client_id="C002") == (promise,)
    assert journal.events(invoice_number="F-1") == (dispute,)
    assert journal.events(client_id="C001", invoice_number="F-9") == ()
    assert [(e.kind, e.key) for e in journal.chain()][1:] == [
        ("event", dispute.key), ("event", hold.key), ("event", promise.key),
    ]  # fmt: skip
    assert journal.verify().ok


def test_an_event_naming_another_client_than_given_is_refused(journal: LedgerJournal) -> None:
    hold = Hold(on=APRIL_1, until=D(2025, 4, 30), client_id="C001")
    with pytest.raises(JournalError, match=r"^event\.client_id: 'C001' names client"):
        journal.add_event(hold, client_id="C002")
    assert journal.events() == ()
    assert journal.chain() == ()


def test_outcomes_and_cancellations_name_a_recorded_action(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    (action,) = day_plan(business, policy, journal)
    outcome = CallOutcome(on=APRIL_1, action_key=action.key, result=CallResult.REACHED)
    with pytest.raises(JournalError, match=f"^action_key: '{action.key}' no record with key"):
        journal.add_event(outcome)
    journal.record(action, on=D(2025, 4, 2))
    with pytest.raises(JournalError, match=r"^CallOutcome\.on: .* is before the record of"):
        journal.add_event(outcome)
    later = CallOutcome(on=D(2025, 4, 2), action_key=action.key, result="promised")
    assert journal.add_event(later) is True
    cancel = Cancellation(on=D(2025, 4, 3), action_key=action.key, why="mauvaise adresse")
    assert journal.add_event(cancel) is True
    again = Cancellation(on=D(2025, 4, 4), action_key=action.key, why="encore")
    with pytest.raises(JournalError, match="was already cancelled on 2025-04-03"):
        journal.add_event(again)
    assert journal.events(client_id="C001") == (later, cancel)
    assert journal.verify().ok


def test_a_cancellation_frees_the_pairs_for_a_new_key_and_keeps_the_old_key_taken(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    (first,) = day_plan(business, policy, journal)
    assert journal.record(first)
    assert day_plan(business, policy, journal) == ()
    journal.add_event(Cancellation(on=APRIL_1, action_key=first.key, why="envoyé par erreur"))
    (second,) = day_plan(business, policy, journal)
    assert second.key != first.key
    assert second.steps == first.steps
    assert journal.record(first) is False  # the cancelled key stays taken
    assert journal.claim(first, reference="r", target="file:/x") is ClaimStatus.RECORDED
    assert journal.claim(second, reference="r", target="file:/x") is ClaimStatus.CLAIMED
    assert journal.confirm(second.key) is True
    assert journal.record(second) is False
    assert [r.key for r in journal.records()] == [first.key, second.key]
    history = journal.history(APRIL_1)
    assert dict(history.revisions) == {("F-1", "relance_1"): 1, ("F-2", "relance_1"): 1}
    assert dict(history.steps) == {"F-1": [("relance_1", APRIL_1)], "F-2": [("relance_1", APRIL_1)]}
    assert history.events.cancelled == frozenset({first.key})
    assert day_plan(business, policy, journal) == ()
    assert journal.verify().ok


def test_history_carries_the_events_of_its_day(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    (action,) = day_plan(business, policy, journal)
    journal.record(action)
    dispute = Dispute(on=D(2025, 4, 3), invoice_number="F-1", reason="prix contesté")
    resolved = DisputeResolved(on=D(2025, 4, 10), invoice_number="F-1")
    cancel = Cancellation(on=D(2025, 4, 8), action_key=action.key, why="doublon")
    for event in (dispute, resolved, cancel):
        journal.add_event(event)
    before = journal.history(D(2025, 4, 2))
    assert not before.events
    assert dict(before.revisions) == {}
    on_5 = journal.history(D(2025, 4, 5))
    assert dict(on_5.events.by_invoice) == {"F-1": (dispute,)}
    assert on_5.events.cancelled == frozenset()
    assert dict(on_5.steps) == {"F-1": [("relance_1", APRIL_1)], "F-2": [("relance_1", APRIL_1)]}
    on_10 = journal.history(D(2025, 4, 10))
    assert dict(on_10.events.by_invoice) == {"F-1": (dispute, resolved)}
    assert dict(on_10.steps) == {}
    assert dict(on_10.contacts) == {}
    memory = MemoryJournal(journal.records())
    for event in journal.events():
        memory.add_event(event)
    for as_of in (D(2025, 4, 2), D(2025, 4, 5), D(2025, 4, 10)):
        assert journal.history(as_of) == memory.history(as_of)


def test_forget_erases_the_events_personal_text_and_the_chain_verifies(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    (action,) = day_plan(business, policy, journal)
    journal.record(action)
    dispute = Dispute(
        on=D(2025, 4, 3), invoice_number="F-1", reason="colis abîmé", who="Paul Martin",
        note="appel de Paul Martin",
    )  # fmt: skip
    other = Hold(on=D(2025, 4, 3), until=D(2025, 5, 1), client_id="C777", who="Mme Roux")
    journal.add_event(dispute)
    journal.add_event(other)
    assert journal.forget("C001", on=D(2025, 4, 4)) == 2  # the record and the dispute
    (erased,) = journal.events(invoice_number="F-1")
    assert (erased.who, erased.note, erased.reason) == ("", "", "-")  # type: ignore[attr-defined]
    assert journal.events(client_id="C001") == ()
    assert journal.events(client_id="C777") == (other,)
    text = json.dumps([e.to_json() for e in journal.chain()], ensure_ascii=False)
    assert "Paul Martin" not in text
    assert "colis abîmé" not in text
    assert "Mme Roux" in text
    assert journal.verify().ok


def test_verify_names_an_event_row_edited_added_or_deleted_by_hand(
    sql_journal: tuple[LedgerJournal, SqlRunner], business: Client, policy: ReminderPolicy
) -> None:
    journal, run = sql_journal
    (action,) = day_plan(business, policy, journal)
    journal.record(action)
    first = Dispute(on=D(2025, 4, 3), invoice_number="F-1", reason="prix")
    second = Hold(on=D(2025, 4, 3), until=D(2025, 5, 1), client_id="C001")
    journal.add_event(first)
    journal.add_event(second)
    assert journal.verify().ok
    run(f"UPDATE events SET client_id = 'C999' WHERE key = '{first.key}'")
    run(f"DELETE FROM events WHERE key = '{second.key}'")
    run(
        "INSERT INTO events (key, kind, on_date, client_id, invoice_number, action_key, body)"
        " VALUES ('ev-forged', 'hold', '2025-04-03', 'C001', NULL, NULL, '{}')"
    )
    problems = journal.verify().problems
    assert f"event {first.key}: differs from the chain (edited by hand?)" in problems
    assert f"event {second.key}: in the chain but missing from the table" in problems
    assert "event ev-forged: not in the chain (added by hand?)" in problems


def _restricted(history: History, numbers: set[str], clients: set[str]) -> tuple[object, ...]:
    """What the engine reads of ``history`` when it plans ``numbers`` of ``clients``."""
    return (
        {n: list(v) for n, v in history.steps.items() if n in numbers},
        {c: d for c, d in history.contacts.items() if c in clients},
        {c: list(v) for c, v in history.actions.items() if c in clients},
        {p: n for p, n in history.revisions.items() if p[0] in numbers},
        history.events,
    )


def test_history_for_the_planned_invoices_agrees_with_the_whole_history(
    sql_journal: tuple[LedgerJournal, SqlRunner],
) -> None:
    journal, _run = sql_journal
    sample = load_sample()
    actions = sample.replay(journal)
    first = actions[0]
    journal.add_event(Cancellation(on=D(2026, 2, 2), action_key=first.key, why="erreur"))
    journal.add_event(Dispute(on=D(2026, 2, 3), invoice_number=first.steps[0][0], reason="x"))
    history_for = journal.history_for  # type: ignore[attr-defined]
    chosen = sample.invoices[::3]
    numbers = {invoice.number for invoice in chosen}
    clients = {invoice.client_id for invoice in chosen} | {first.client.id}
    numbers |= {number for number, _step in first.steps}
    for as_of in (D(2026, 1, 20), D(2026, 2, 2), sample.as_of):
        part = history_for(as_of, sorted(numbers), clients)
        whole = journal.history(as_of)
        assert _restricted(part, numbers, clients) == _restricted(whole, numbers, clients)
    assert set(part.revisions) == set(first.steps)  # the cancelled record's pairs
    assert part.events.cancelled == frozenset({first.key})
    assert dict(history_for(sample.as_of, [], []).steps) == {}


def test_record_many_gives_the_answers_of_record_one_by_one(
    sql_journal: tuple[LedgerJournal, SqlRunner], business: Client, policy: ReminderPolicy
) -> None:
    journal, _run = sql_journal
    (grouped,) = day_plan(business, policy, journal)
    alone = plan([make_invoice("F-1")], [business], policy, APRIL_1).actions[0]
    other = plan([make_invoice("F-7")], [business], policy, APRIL_1).actions[0]
    journal.record(other)
    record_many = journal.record_many  # type: ignore[attr-defined]
    # Within the batch too: the pair F-1 relance_1 once, the key once.
    assert record_many([grouped, alone, grouped, other], on=D(2025, 4, 2)) == (
        True, False, False, False,
    )  # fmt: skip
    assert [r.key for r in journal.records()] == [other.key, grouped.key]
    assert journal.records()[1].on == D(2025, 4, 2)
    assert record_many([]) == ()
    with pytest.raises(InvalidFieldError, match=r"^actions: "):
        record_many([object()])
    assert [e.kind for e in journal.chain()] == ["record", "record"]
    assert journal.verify().ok


def test_record_many_day_by_day_keeps_what_record_keeps(
    sql_journal: tuple[LedgerJournal, SqlRunner],
) -> None:
    journal, _run = sql_journal
    sample = load_sample()
    memory = MemoryJournal()
    days: dict[dt.date, list[Action]] = {}
    for action in sample.replay(memory):
        days.setdefault(action.on, []).append(action)
    for day, actions in days.items():
        answers = journal.record_many(actions + actions[:1], on=day)  # type: ignore[attr-defined]
        assert answers == (True,) * len(actions) + (False,)
    assert [(r.key, r.steps, r.on) for r in journal.records()] == [
        (r.key, r.steps, r.on) for r in memory.records()
    ]
    assert len(journal.chain()) == len(memory.records())
    assert journal.verify().ok
