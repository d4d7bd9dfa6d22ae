"""Journal events in both stores: stored once by key, read back by client and invoice, seen as
of a day, cancellations (history, re-recording, claims), a version-2 SQLite file migrated,
verify after tampering, forget."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from factories import make_business, make_invoice
from relancelib import (
    Client,
    InvalidFieldError,
    Invoice,
    Journal,
    JournalError,
    MemoryJournal,
    ReminderPolicy,
    SqliteJournal,
    plan,
)
from relancelib.engine import Action
from relancelib.events import (
    CallOutcome,
    CallResult,
    Cancellation,
    Dispute,
    DisputeResolved,
    Hold,
    InstalmentPlan,
    PromiseToPay,
)
from relancelib.journal import ClaimStatus, LedgerJournal, index_records

D = dt.date
APRIL_1 = D(2025, 4, 1)  # a Tuesday: relance_1 of invoices due on 31 March
V2_FILE = Path(__file__).parent / "data" / "journal-v2.sqlite"


@pytest.fixture(params=["memory", "sqlite"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> LedgerJournal:
    if request.param == "memory":
        return MemoryJournal()
    return SqliteJournal(tmp_path / "journal.sqlite3")


@pytest.fixture
def invoices() -> list[Invoice]:
    return [make_invoice("F-1"), make_invoice("F-2"), make_invoice("F-9", "C002")]


@pytest.fixture
def clients() -> list[Client]:
    return [make_business(), make_business("C002", "Boulangerie Martin")]


def planned(
    invoices: list[Invoice], clients: list[Client], day: dt.date, journal: Journal | None = None
) -> tuple[Action, ...]:
    return plan(invoices, clients, ReminderPolicy.french_default(), day, journal).actions


def first_action(journal: LedgerJournal, invoices: list[Invoice], clients: list[Client]) -> Action:
    action = planned(invoices, clients, APRIL_1, journal)[0]
    assert action.client.id == "C001"
    assert journal.record(action, reference="<rl-1@atelier-dupont.fr>")
    return action


def test_an_event_is_stored_once_by_its_key(journal: LedgerJournal) -> None:
    promise = PromiseToPay(
        on=D(2025, 4, 2), until=D(2025, 4, 20), invoice_number="F-1", note="au téléphone"
    )
    assert journal.add_event(promise) is True
    assert journal.add_event(promise) is False
    again = PromiseToPay(
        on=D(2025, 4, 2), until=D(2025, 4, 20), invoice_number="F-1", note="au téléphone"
    )
    assert journal.add_event(again) is False
    assert journal.events() == (promise,)
    entries = [e for e in journal.chain() if e.kind == "event"]
    assert [e.key for e in entries] == [promise.key]


def test_events_are_read_oldest_first_by_client_and_by_invoice(
    journal: LedgerJournal, invoices: list[Invoice], clients: list[Client]
) -> None:
    first_action(journal, invoices, clients)
    dispute = Dispute(on=D(2025, 4, 9), invoice_number="F-2", reason="livraison incomplète")
    hold = Hold(on=D(2025, 4, 3), until=D(2025, 4, 30), client_id="C002", who="marie")
    plan_ = InstalmentPlan.split(
        "F-9", Decimal("1200.00"), count=3, every_days=30, first=D(2025, 5, 1), on=D(2025, 4, 5)
    )
    lone = Dispute(on=D(2025, 4, 4), invoice_number="F-404", reason="inconnue")
    for event in (dispute, hold, lone):
        assert journal.add_event(event)
    assert journal.add_event(plan_, client_id="C002")
    assert journal.events() == (hold, lone, plan_, dispute)
    # F-2's client comes from its record; F-9's from the caller; the hold names its own.
    assert journal.events(client_id="C001") == (dispute,)
    assert journal.events(client_id="C002") == (hold, plan_)
    assert journal.events(invoice_number="F-9") == (plan_,)
    assert journal.events(invoice_number="F-2", client_id="C002") == ()
    assert journal.events(client_id="C404") == ()


def test_history_sees_the_events_of_its_day_only(journal: LedgerJournal) -> None:
    early = Dispute(on=D(2025, 4, 2), invoice_number="F-1", reason="prix")
    late = DisputeResolved(on=D(2025, 4, 10), invoice_number="F-1")
    journal.add_event(late)
    journal.add_event(early)
    assert journal.history(D(2025, 4, 1)).events.by_invoice == {}
    assert journal.history(D(2025, 4, 9)).events.by_invoice == {"F-1": (early,)}
    assert journal.history(D(2025, 4, 10)).events.by_invoice == {"F-1": (early, late)}
    assert journal.history(D(2030, 1, 1)).events.by_invoice == {"F-1": (early, late)}


def test_outcomes_and_cancellations_name_a_recorded_action(
    journal: LedgerJournal, invoices: list[Invoice], clients: list[Client]
) -> None:
    with pytest.raises(JournalError, match="no record with key rl-nothing"):
        journal.add_event(Cancellation(on=APRIL_1, action_key="rl-nothing", why="erreur"))
    action = first_action(journal, invoices, clients)
    with pytest.raises(JournalError, match=r"is before the record of .* \(2025-04-01\)"):
        journal.add_event(CallOutcome(on=D(2025, 3, 31), action_key=action.key, result="reached"))
    outcome = CallOutcome(on=APRIL_1, action_key=action.key, result="message", who="paul")
    assert journal.add_event(outcome)
    assert outcome.result is CallResult.MESSAGE
    assert journal.history(APRIL_1).events.outcomes == {action.key: (outcome,)}
    # An outcome is about the action's client.
    assert journal.events(client_id="C001") == (outcome,)
    cancel = Cancellation(on=D(2025, 4, 2), action_key=action.key, why="mauvais client")
    assert journal.add_event(cancel)
    assert journal.add_event(cancel) is False
    with pytest.raises(JournalError, match="was already cancelled on 2025-04-02"):
        journal.add_event(Cancellation(on=D(2025, 4, 3), action_key=action.key, why="encore"))


def test_a_cancelled_record_counts_only_in_revisions_from_its_day(
    journal: LedgerJournal, invoices: list[Invoice], clients: list[Client]
) -> None:
    action = first_action(journal, invoices, clients)
    other = planned(invoices, clients, APRIL_1, journal)[0]
    assert other.client.id == "C002"
    assert journal.record(other, on=APRIL_1)
    journal.add_event(Cancellation(on=D(2025, 4, 3), action_key=action.key, why="erreur"))
    before = journal.history(D(2025, 4, 2))
    assert before.steps["F-1"] == [("relance_1", APRIL_1)]
    assert before.contacts == {"C001": APRIL_1, "C002": APRIL_1}
    assert before.actions == {"C001": [("relance_1", APRIL_1)], "C002": [("relance_1", APRIL_1)]}
    assert before.revisions == {}
    after = journal.history(D(2025, 4, 3))
    assert dict(after.steps) == {"F-9": [("relance_1", APRIL_1)]}
    assert after.contacts == {"C002": APRIL_1}
    assert after.actions == {"C002": [("relance_1", APRIL_1)]}
    assert after.revisions == {("F-1", "relance_1"): 1, ("F-2", "relance_1"): 1}
    assert after.events.cancelled == {action.key}
    # The records themselves stay (the evidence trail): only their effect is undone.
    assert [r.key for r in journal.records()] == [action.key, other.key]
    replay = index_records(journal.records(), D(2025, 4, 3), journal.events())
    assert replay == after


def test_after_a_cancellation_the_step_is_recorded_again_under_a_new_key(
    journal: LedgerJournal, invoices: list[Invoice], clients: list[Client]
) -> None:
    action = first_action(journal, invoices, clients)
    assert [a.client.id for a in planned(invoices, clients, D(2025, 4, 2), journal)] == ["C002"]
    journal.add_event(Cancellation(on=D(2025, 4, 2), action_key=action.key, why="erreur"))
    (again, _other) = planned(invoices, clients, D(2025, 4, 2), journal)
    assert again.steps == action.steps
    assert again.key != action.key
    assert journal.record(action, on=D(2025, 4, 2)) is False  # a key is never reused
    assert journal.claim(again, reference="<rl-2@x>", target="out/2.eml") is ClaimStatus.CLAIMED
    assert journal.confirm(again.key) is True
    assert journal.record(again) is False
    history = journal.history(D(2025, 4, 2))
    assert history.steps["F-1"] == [("relance_1", D(2025, 4, 2))]
    assert history.revisions == {("F-1", "relance_1"): 1, ("F-2", "relance_1"): 1}
    # Recorded and not cancelled: the pair is refused to any other action.
    clone = planned(invoices, clients, D(2025, 4, 2))[0]
    assert journal.record(clone, on=D(2025, 4, 2)) is False
    assert journal.claim(clone, reference="<c@x>", target="out/c.eml") is ClaimStatus.RECORDED


def test_actions_are_oldest_first_whatever_the_order_of_recording(
    invoices: list[Invoice], clients: list[Client]
) -> None:
    journal = MemoryJournal()
    journal.record(planned(invoices[1:2], clients, D(2025, 4, 16))[0])
    journal.record(planned(invoices[:1], clients, APRIL_1)[0])
    assert journal.history(D(2025, 5, 1)).actions == {
        "C001": [("relance_1", APRIL_1), ("relance_1", D(2025, 4, 16))]
    }


def test_a_version_2_file_is_migrated_keeping_its_records_and_chain(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    shutil.copyfile(V2_FILE, path)
    with SqliteJournal(path, read_only=True) as old:
        assert old.schema == 2
        assert old.events() == ()
        assert old.history(D(2025, 5, 1)).steps["F-1"] == [
            ("relance_1", APRIL_1),
            ("appel", D(2025, 4, 16)),
        ]
        head = old.verify().head
    with SqliteJournal(path) as journal:
        assert journal.schema == 3
        records = journal.records()
        assert [(r.step, r.reference) for r in records] == [
            ("relance_1", "<rl-1@atelier-dupont.fr>"),
            ("appel", "<rl-2@atelier-dupont.fr>"),
        ]
        assert [a.note for a in journal.amendments()] == ["appel: a bien reçu"]
        verification = journal.verify()
        assert verification.ok
        assert verification.entries == 4
        assert verification.head == head
        call = records[1]
        assert journal.add_event(Cancellation(on=D(2025, 4, 17), action_key=call.key, why="non"))
        clients = [make_business()]
        invoices = [make_invoice("F-1"), make_invoice("F-2")]
        (again,) = planned(invoices, clients, D(2025, 4, 17), journal)
        assert again.steps == call.steps
        assert again.key != call.key
        assert journal.record(again)
        assert journal.verify().ok
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (3,)
    indexes = db.execute("SELECT sql FROM sqlite_master WHERE name = 'record_steps_live'")
    assert "WHERE cancelled = 0" in indexes.fetchone()[0]
    db.close()


def test_verify_shows_an_event_edited_added_or_removed_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    promise = PromiseToPay(on=APRIL_1, until=D(2025, 4, 20), invoice_number="F-1")
    hold = Hold(on=APRIL_1, until=D(2025, 4, 30), client_id="C001")
    with SqliteJournal(path) as journal:
        journal.add_event(promise)
        journal.add_event(hold)
        assert journal.verify().ok
    db = sqlite3.connect(path)
    db.execute("UPDATE events SET body = replace(body, '2025-04-20', '2025-06-20')")
    db.execute("DELETE FROM events WHERE kind = 'hold'")
    db.execute(
        "INSERT INTO events (key, kind, on_date, body) VALUES ('ev-forged', 'dispute',"
        " '2025-04-01', '{}')"
    )
    db.commit()
    db.close()
    with SqliteJournal(path) as journal:
        problems = journal.verify().problems
        assert journal.events() == (promise.__class__(
            on=APRIL_1, until=D(2025, 6, 20), invoice_number="F-1"
        ),)
        assert [p[:29] for p in journal.unreadable] == ["event 3 (ev-forged): unreadab"]
    assert problems == (
        f"event {promise.key}: differs from the chain (edited by hand?)",
        "event ev-forged: not in the chain (added by hand?)",
        f"event {hold.key}: in the chain but missing from the table",
    )
    db = sqlite3.connect(path)
    db.execute("UPDATE chain SET body = replace(body, '2025-04-30', '2025-05-30')")
    db.commit()
    db.close()
    with SqliteJournal(path) as journal:
        assert any("hash does not match" in p for p in journal.verify().problems)


def test_forget_erases_the_personal_text_of_a_clients_events(
    journal: LedgerJournal, invoices: list[Invoice], clients: list[Client]
) -> None:
    action = first_action(journal, invoices, clients)
    dispute = Dispute(
        on=D(2025, 4, 2), invoice_number="F-1", reason="M. Dupont conteste", who="marie"
    )
    hold = Hold(on=D(2025, 4, 2), until=D(2025, 4, 30), client_id="C001", note="en congés")
    cancel = Cancellation(on=D(2025, 4, 3), action_key=action.key, why="adresse de M. Dupont")
    other = Dispute(on=D(2025, 4, 2), invoice_number="F-9", reason="prix", who="paul")
    for event in (dispute, hold, cancel):
        assert journal.add_event(event)
    assert journal.add_event(other, client_id="C002")
    erased = journal.forget("C001", on=D(2025, 5, 1))
    assert erased == 4  # the record's entry and its three events
    verification = journal.verify()
    assert verification.ok, verification.problems
    assert journal.events(client_id="C001") == ()
    assert journal.events(client_id="C002") == (other,)
    forgotten = [e for e in journal.events() if e != other]
    assert [(type(e).__name__, e.note, e.who) for e in forgotten] == [
        ("Dispute", "", ""),
        ("Hold", "", ""),
        ("Cancellation", "", ""),
    ]
    assert isinstance(forgotten[0], Dispute)
    assert forgotten[0].reason == "-"
    assert isinstance(forgotten[2], Cancellation)
    assert forgotten[2].why == "-"
    assert isinstance(forgotten[1], Hold)
    assert (forgotten[1].client_id or "").startswith("forgotten-")
    text = repr([e.values for e in journal.chain()])
    for word in ("Dupont conteste", "marie", "en congés", "adresse de M."):
        assert word not in text
    # The cancellation still counts: the step stays undone.
    assert journal.history(D(2025, 5, 1)).revisions == {
        ("F-1", "relance_1"): 1,
        ("F-2", "relance_1"): 1,
    }


def test_a_client_known_only_by_its_events_can_be_forgotten(journal: LedgerJournal) -> None:
    journal.add_event(PromiseToPay(on=APRIL_1, until=D(2025, 4, 9), client_id="C7", who="léa"))
    assert journal.forget("C7", on=D(2025, 5, 1)) == 1
    (promise,) = journal.events()
    assert promise.who == ""
    assert isinstance(promise, PromiseToPay)
    assert (promise.client_id or "").startswith("forgotten-")
    assert journal.verify().ok


def test_bad_arguments_are_refused_with_the_field(journal: LedgerJournal) -> None:
    with pytest.raises(InvalidFieldError, match="event"):
        journal.add_event("a promise")  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match="client_id"):
        journal.events(client_id=7)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match="invoice_number"):
        journal.events(invoice_number=7)  # type: ignore[arg-type]
    hold = Hold(on=APRIL_1, until=D(2025, 4, 9), client_id="C1")
    with pytest.raises(JournalError, match="names client 'C1', not 'C2'"):
        journal.add_event(hold, client_id="C2")
    assert journal.events() == ()


def test_the_memory_journals_live_index_follows_its_events(
    invoices: list[Invoice], clients: list[Client]
) -> None:
    journal = MemoryJournal()
    action = first_action(journal, invoices, clients)
    assert journal.history(D(2030, 1, 1)).events.cancelled == frozenset()
    journal.add_event(Cancellation(on=D(2025, 4, 5), action_key=action.key, why="erreur"))
    assert journal.history(D(2030, 1, 1)).events.cancelled == {action.key}
    assert journal.history(D(2025, 4, 4)).steps["F-1"] == [("relance_1", APRIL_1)]
    assert "F-1" not in journal.history(D(2025, 4, 5)).steps
