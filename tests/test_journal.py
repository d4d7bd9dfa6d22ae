"""Journals: idempotent recording, history as of a day, SQLite across real processes."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from factories import make_invoice
from relancelib import (
    Action,
    Address,
    Channel,
    Client,
    InvalidFieldError,
    Journal,
    JournalError,
    MemoryJournal,
    Record,
    ReminderPolicy,
    SqliteJournal,
    plan,
)

D = dt.date
APRIL_1 = D(2025, 4, 1)


@pytest.fixture(params=["memory", "sqlite"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Journal:
    if request.param == "memory":
        return MemoryJournal()
    return SqliteJournal(tmp_path / "journal.sqlite3")


def action_for(
    client: Client, policy: ReminderPolicy, *numbers: str, on: dt.date = APRIL_1
) -> Action:
    result = plan([make_invoice(n) for n in numbers], [client], policy, on)
    (action,) = result.actions
    return action


def test_journals_implement_the_protocol(journal: Journal) -> None:
    assert isinstance(journal, Journal)


def test_record_is_idempotent_by_key(
    journal: Journal, business: Client, policy: ReminderPolicy
) -> None:
    action = action_for(business, policy, "F-1", "F-2")
    assert journal.record(action, on=D(2025, 4, 1), reference="<rl-1@atelier-dupont.fr>") is True
    assert journal.record(action, on=D(2025, 4, 2)) is False
    (record,) = journal.records()
    assert record == Record(
        action.key,
        "C001",
        (("F-1", "relance_1"), ("F-2", "relance_1")),
        D(2025, 4, 1),
        Channel.EMAIL,
        "<rl-1@atelier-dupont.fr>",
        step="relance_1",
    )
    assert record.invoice_numbers == ("F-1", "F-2")


def test_record_defaults_to_the_action_day(
    journal: Journal, business: Client, policy: ReminderPolicy
) -> None:
    action = action_for(business, policy, "F-1")
    assert journal.record(action)
    assert journal.records()[0].on == D(2025, 4, 1)


def test_a_step_already_recorded_under_another_grouping_is_not_recorded_twice(
    journal: Journal, business: Client, policy: ReminderPolicy
) -> None:
    # Two plans built from different invoice lists group F-1 differently: different keys,
    # but F-1's relance_1 must still be sent once only.
    alone = action_for(business, policy, "F-1")
    grouped = action_for(business, policy, "F-1", "F-2")
    assert alone.key != grouped.key
    assert journal.record(alone) is True
    assert journal.record(grouped) is False
    assert [r.key for r in journal.records()] == [alone.key]


def test_records_are_oldest_first_and_filter_by_client(
    journal: Journal, business: Client, consumer: Client, policy: ReminderPolicy
) -> None:
    later = action_for(business, policy, "F-1")
    earlier = plan([make_invoice("F-9", "C002")], [consumer], policy, D(2025, 4, 1)).actions[0]
    journal.record(later, on=D(2025, 4, 3))
    journal.record(earlier, on=D(2025, 4, 2))
    assert [r.client_id for r in journal.records()] == ["C002", "C001"]
    assert [r.client_id for r in journal.records(client_id="C001")] == ["C001"]
    assert journal.records(client_id="C404") == ()


def test_history_sees_the_journal_as_it_stood_on_a_day(
    journal: Journal, business: Client, policy: ReminderPolicy
) -> None:
    journal.record(action_for(business, policy, "F-1"), on=D(2025, 4, 1))
    journal.record(action_for(business, policy, "F-2"), on=D(2025, 4, 10))
    assert journal.history(D(2025, 3, 31)).steps == {}
    on_5 = journal.history(D(2025, 4, 5))
    assert dict(on_5.steps) == {"F-1": [("relance_1", D(2025, 4, 1))]}
    assert dict(on_5.contacts) == {"C001": D(2025, 4, 1)}
    on_10 = journal.history(D(2025, 4, 10))
    assert dict(on_10.contacts) == {"C001": D(2025, 4, 10)}
    assert sorted(on_10.steps) == ["F-1", "F-2"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on": "2025-04-01"}, "on"),
        ({"on": dt.datetime(2025, 4, 1)}, "on"),
        ({"reference": "a\r\nb"}, "reference"),
        ({"reference": ""}, "reference"),
    ],
)
def test_bad_record_arguments(
    journal: Journal,
    business: Client,
    policy: ReminderPolicy,
    kwargs: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(InvalidFieldError) as info:
        journal.record(action_for(business, policy, "F-1"), **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert journal.records() == ()


def test_recording_something_else_than_an_action_is_refused(journal: Journal) -> None:
    with pytest.raises(InvalidFieldError, match="must be an Action"):
        journal.record("rl-123")  # type: ignore[arg-type]


def test_sqlite_journal_persists_across_connections(
    tmp_path: Path, business: Client, policy: ReminderPolicy
) -> None:
    path = tmp_path / "journal.sqlite3"
    action = action_for(business, policy, "F-1")
    with SqliteJournal(path) as first:
        assert first.record(action, reference="LRAR 1A 123 456 7890 1")
    with SqliteJournal(str(path)) as second:
        assert second.record(action) is False
        assert second.records()[0].reference == "LRAR 1A 123 456 7890 1"
        assert plan([make_invoice("F-1")], [business], policy, D(2025, 4, 1), second).actions == ()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_sqlite_journal_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(JournalError, match="newer relancelib"):
        SqliteJournal(path)


def test_sqlite_journal_on_a_path_that_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match=r"SqliteJournal\.path"):
        SqliteJournal(tmp_path / "missing-folder" / "journal.sqlite3")


_WORKER = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from decimal import Decimal
    from pathlib import Path
    from relancelib import Client, Invoice, ReminderPolicy, SqliteJournal, plan

    path, go = sys.argv[1], Path(sys.argv[2])
    client = Client("C001", "Boulangerie Martin", email="compta@boulangerie-martin.fr")
    invoices = [Invoice(f"F-{i}", "C001", dt.date(2025, 3, 1), dt.date(2025, 3, 31), Decimal("10.00"))
                for i in range(5)]
    action = plan(invoices, [client], ReminderPolicy.french_default(), dt.date(2025, 4, 1)).actions[0]
    journal = SqliteJournal(path)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    print(journal.record(action), flush=True)
    """
)


@pytest.mark.slow
def test_two_processes_recording_the_same_action_store_it_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    SqliteJournal(path).close()
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(path), str(go)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    # Release all workers at once, when every one has planned and opened the journal.
    assert [worker.stdout.readline().strip() for worker in workers] == ["ready"] * 6  # type: ignore[union-attr]
    go.touch()
    outputs = sorted(worker.communicate(timeout=60)[0].strip() for worker in workers)
    assert [w.returncode for w in workers] == [0] * 6
    assert outputs == ["False"] * 5 + ["True"]
    with SqliteJournal(path) as journal:
        assert len(journal.records()) == 1
        assert len(journal.records()[0].steps) == 5


@pytest.mark.parametrize("breaker", ["\n", "\r", "\x00", "\x85", "\u2028", "\u2029"])
def test_a_reference_is_one_line_in_the_journal_as_in_a_payment(
    breaker: str, tmp_path: Path, business: Client, policy: ReminderPolicy
) -> None:
    """One line rule for every reference: what Payment refuses, record() refuses."""
    from relancelib import Payment

    reference = f"LRAR{breaker}123"
    with pytest.raises(InvalidFieldError, match=r"^Payment\.reference"):
        Payment(APRIL_1, 10, reference=reference)
    action = action_for(business, policy, "F-1")
    with SqliteJournal(tmp_path / "j.sqlite") as sqlite_journal:
        for journal in (MemoryJournal(), sqlite_journal):
            with pytest.raises(InvalidFieldError, match=r"^reference: "):
                journal.record(action, reference=reference)
            assert journal.records() == ()


def test_memory_and_sqlite_journals_index_the_same_history(tmp_path: Path) -> None:
    """The one History builder: both stores, and a replay of records, give equal histories."""
    from relancelib.journal import index_records

    invoices = [make_invoice("F-1", due=D(2025, 3, 1)), make_invoice("F-2", due=D(2025, 3, 20))]
    client = Client(
        "C001",
        "Boulangerie Martin",
        email="compta@martin.fr",
        address=Address(("1 rue",), "69002", "Lyon"),
    )
    policy = ReminderPolicy.french_default()
    memory = MemoryJournal()
    with SqliteJournal(tmp_path / "j.sqlite") as sqlite_journal:
        for day in (D(2025, 3, 3), D(2025, 3, 10), D(2025, 3, 21), D(2025, 4, 1)):
            for action in plan(invoices, [client], policy, day, memory):
                assert memory.record(action) is sqlite_journal.record(action) is True
        for as_of in (D(2025, 3, 9), D(2025, 3, 21), D(2025, 12, 31)):
            expected = index_records(memory.records(), as_of)
            assert sqlite_journal.history(as_of) == memory.history(as_of) == expected
        assert dict(memory.history(D(2025, 12, 31)).contacts) == {"C001": D(2025, 4, 1)}
