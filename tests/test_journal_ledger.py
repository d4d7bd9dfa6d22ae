"""The journals' claims, hash chain, verify(), forget(), amendments and the version-1 migration
(both stores, real SQLite files)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from relancelib import MemoryJournal, SqliteJournal, plan
from relancelib.engine import Plan
from relancelib.journal import ClaimStatus
from relancelib.sample import load_sample


@pytest.fixture(scope="module")
def day() -> Plan:
    sample = load_sample()
    history = MemoryJournal()
    sample.replay(history, end=sample.as_of)
    return plan(sample.invoices, sample.clients, sample.policy, sample.as_of, history)


@pytest.fixture(params=["memory", "sqlite"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    return MemoryJournal() if request.param == "memory" else SqliteJournal(tmp_path / "j.sqlite")


def test_claim_confirm_release_and_the_chain_verifies(journal: MemoryJournal, day: Plan) -> None:
    first, second = day.actions[:2]
    assert journal.claim(first, reference="<a@b>", target="file:/x") is ClaimStatus.CLAIMED
    assert journal.claim(first, reference="<a@b>", target="file:/x") is ClaimStatus.PENDING
    assert journal.confirm(first.key) is True
    assert journal.claim(first, reference="<a@b>", target="file:/x") is ClaimStatus.RECORDED
    journal.claim(second, reference="r", target="file:/y")
    journal.release(second.key, "no file")
    assert journal.claim(second, reference="r", target="file:/y") is ClaimStatus.CLAIMED
    assert journal.claims()[0].attempt == 2
    journal.amend(
        first.key, on=first.on, lrar="1A00000000001", receipt=first.on + dt.timedelta(days=3)
    )
    assert journal.amendments(first.key)[0].lrar == "1A00000000001"
    result = journal.verify()
    assert result.ok
    assert result.entries == 6
    assert [e.kind for e in journal.chain()] == [
        "claim",
        "record",
        "claim",
        "release",
        "claim",
        "amend",
    ]


def test_forget_erases_the_client_and_the_chain_still_verifies(
    journal: MemoryJournal, day: Plan
) -> None:
    action = day.actions[0]
    journal.record(action, reference="<rl@canuts.fr>")
    assert journal.forget(action.client.id, on=action.on) == 1
    (record,) = journal.records()
    assert record.client_id.startswith("forgotten-")
    assert record.reference is None
    assert journal.verify().ok
    assert action.client.id not in str([e.to_json() for e in journal.chain()])


def test_a_hand_edited_row_is_skipped_and_named_by_verify(tmp_path: Path, day: Plan) -> None:
    path = tmp_path / "j.sqlite"
    with SqliteJournal(path) as journal:
        for action in day.actions[:2]:
            journal.record(action)
    db = sqlite3.connect(path)
    db.execute("UPDATE records SET on_date = '2026-13-01' WHERE seq = 1")
    db.execute("UPDATE records SET reference = 'forged' WHERE seq = 2")
    db.commit()
    db.close()
    with SqliteJournal(path) as journal:
        assert len(journal.records()) == 1
        journal.history(dt.date(2030, 1, 1))
        problems = journal.verify().problems
    assert any("unreadable" in p for p in problems)
    assert any("differs from the chain" in p for p in problems)


def test_a_version_1_file_opens_and_is_migrated(tmp_path: Path, day: Plan) -> None:
    path = tmp_path / "v1.sqlite"
    with SqliteJournal(path) as journal:
        journal.record(day.actions[0], reference="<x@y>")
    db = sqlite3.connect(path)
    for table in ("chain", "claims", "amendments"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with SqliteJournal(path) as journal:
        assert journal.schema == 3
        assert [r.reference for r in journal.records()] == ["<x@y>"]
        assert journal.verify().ok
        assert journal.verify().entries == 1
    with SqliteJournal(path, read_only=True) as journal:
        assert len(journal.records()) == 1
