"""The journal contract, run over every store: MemoryJournal, SqliteJournal and PostgresJournal
(on a real PostgreSQL server, tests/postgres.py).

Recording is atomic and idempotent by key and by (invoice, step) pair; records come oldest
first; history(as_of) sees the journal as it stood that day; claims, amendments, the hash
chain, verify() and forget() behave the same in every store.  Then several real processes
record the same actions into one PostgreSQL journal: each is stored once, one True each.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from factories import make_invoice
from postgres import (
    SQL_STORES,
    STORES,
    PostgresServer,
    SqlRunner,
    hand_editor,
    new_schema,
    open_journal,
    postgres_server,
)
from relancelib import (
    Action,
    Channel,
    Client,
    InvalidFieldError,
    Journal,
    JournalError,
    MemoryJournal,
    Record,
    ReminderPolicy,
    plan,
)
from relancelib.engine import Plan
from relancelib.journal import ClaimState, ClaimStatus, LedgerJournal, index_records
from relancelib.journal.postgres import PostgresJournal
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
    """A journal in a database, and a way to edit its tables by hand behind its back."""
    opened = open_journal(request.param, request, tmp_path)
    yield opened, hand_editor(opened, request)
    opened.close()


@pytest.fixture(scope="module")
def day() -> Plan:
    """The sample's day, planned over its replayed history: actions at every step."""
    sample = load_sample()
    history = MemoryJournal()
    sample.replay(history, end=sample.as_of)
    return plan(sample.invoices, sample.clients, sample.policy, sample.as_of, history)


def action_for(
    client: Client, policy: ReminderPolicy, *numbers: str, on: dt.date = APRIL_1
) -> Action:
    (action,) = plan([make_invoice(n) for n in numbers], [client], policy, on).actions
    return action


# -- records ---------------------------------------------------------------------------------


def test_every_store_implements_the_ledger_protocol(journal: LedgerJournal) -> None:
    assert isinstance(journal, Journal)
    assert isinstance(journal, LedgerJournal)


def test_record_is_idempotent_by_key(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    action = action_for(business, policy, "F-1", "F-2")
    assert journal.record(action, on=D(2025, 4, 1), reference="<rl-1@atelier-dupont.fr>") is True
    assert journal.record(action, on=D(2025, 4, 2)) is False
    assert journal.records() == (
        Record(
            action.key,
            "C001",
            (("F-1", "relance_1"), ("F-2", "relance_1")),
            D(2025, 4, 1),
            Channel.EMAIL,
            "<rl-1@atelier-dupont.fr>",
            step="relance_1",
        ),
    )


def test_record_defaults_to_the_action_day_and_keeps_the_items_order(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    action = action_for(business, policy, "F-9", "F-10", "F-1")
    assert journal.record(action)
    (record,) = journal.records()
    assert record.on == D(2025, 4, 1)
    assert record.steps == action.steps
    assert record.reference is None


def test_a_pair_recorded_under_another_grouping_is_not_recorded_twice(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    alone = action_for(business, policy, "F-1")
    grouped = action_for(business, policy, "F-1", "F-2")
    assert alone.key != grouped.key
    assert journal.record(grouped) is True
    assert journal.record(alone) is False
    assert [r.key for r in journal.records()] == [grouped.key]
    assert len(journal.chain()) == 1  # the refused record left nothing behind


def test_records_are_oldest_first_then_in_recording_order_and_filter_by_client(
    journal: LedgerJournal, business: Client, consumer: Client, policy: ReminderPolicy
) -> None:
    late = action_for(business, policy, "F-1")
    early = plan([make_invoice("F-9", "C002")], [consumer], policy, APRIL_1).actions[0]
    same_day = action_for(business, policy, "F-3")
    journal.record(late, on=D(2025, 4, 3))
    journal.record(early, on=D(2025, 4, 2))
    journal.record(same_day, on=D(2025, 4, 3))
    assert [r.key for r in journal.records()] == [early.key, late.key, same_day.key]
    assert [r.key for r in journal.records(client_id="C001")] == [late.key, same_day.key]
    assert journal.records(client_id="C404") == ()


def test_history_sees_the_journal_as_it_stood_on_a_day(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    journal.record(action_for(business, policy, "F-1"), on=D(2025, 4, 1))
    journal.record(action_for(business, policy, "F-2"), on=D(2025, 4, 10))
    assert journal.history(D(2025, 3, 31)).steps == {}
    assert dict(journal.history(D(2025, 3, 31)).contacts) == {}
    on_5 = journal.history(D(2025, 4, 5))
    assert dict(on_5.steps) == {"F-1": [("relance_1", D(2025, 4, 1))]}
    assert dict(on_5.contacts) == {"C001": D(2025, 4, 1)}
    on_10 = journal.history(D(2025, 4, 10))
    assert dict(on_10.contacts) == {"C001": D(2025, 4, 10)}
    assert dict(on_10.steps) == {
        "F-1": [("relance_1", D(2025, 4, 1))],
        "F-2": [("relance_1", D(2025, 4, 10))],
    }


def test_a_replayed_portfolio_gives_every_store_the_same_records_and_history(
    journal: LedgerJournal,
) -> None:
    sample = load_sample()
    memory = MemoryJournal()
    assert len(sample.replay(memory)) == len(sample.replay(journal)) > 100
    assert journal.records() == memory.records()
    assert journal.records("C003") == memory.records("C003")
    for as_of in (D(2026, 1, 4), D(2026, 2, 1), sample.as_of):
        assert journal.history(as_of) == memory.history(as_of)
        assert journal.history(as_of) == index_records(memory.records(), as_of)
    replanned = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, journal)
    assert replanned.actions == plan(
        sample.invoices, sample.clients, sample.policy, sample.as_of, memory
    ).actions
    for action in replanned.actions:
        assert journal.record(action)
    after = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, journal)
    assert after.actions == ()
    assert journal.verify().ok


def test_invoice_numbers_with_quotes_commas_and_braces_come_back_as_they_were(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    numbers = ["F-1,2", 'F"3"', "F'4", "F{5}", "F\\6", "F\u00a07 é", "NULL", "F;8 --"]
    action = action_for(business, policy, *numbers)
    assert journal.record(action, reference="<'; DROP TABLE records; --@x>")
    assert journal.record(action) is False
    (record,) = journal.records()
    assert record.steps == action.steps
    assert sorted(n for n, _ in record.steps) == sorted(numbers)
    assert record.reference == "<'; DROP TABLE records; --@x>"
    assert sorted(journal.history(APRIL_1).steps) == sorted(numbers)
    alone = action_for(business, policy, "F{5}")
    assert journal.record(alone) is False  # the same pair, under another key
    assert journal.verify().ok


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on": "2025-04-01"}, "on"),
        ({"on": dt.datetime(2025, 4, 1)}, "on"),
        ({"reference": "a\r\nb"}, "reference"),
        ({"reference": ""}, "reference"),
    ],
)
def test_bad_record_arguments_are_refused_and_nothing_is_stored(
    journal: LedgerJournal,
    business: Client,
    policy: ReminderPolicy,
    kwargs: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(InvalidFieldError) as info:
        journal.record(action_for(business, policy, "F-1"), **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert journal.records() == ()
    with pytest.raises(InvalidFieldError, match="must be an Action"):
        journal.record("rl-123")  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match=r"^client_id: 7 must be a client id"):
        journal.records(client_id=7)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError, match=r"^as_of: "):
        journal.history("2025-04-01")  # type: ignore[arg-type]


# -- claims, amendments, the chain -----------------------------------------------------------


def test_the_claims_lifecycle(journal: LedgerJournal, day: Plan) -> None:
    first, second = day.actions[:2]
    assert journal.claim(first, reference="<a@b>", target="file:/x") is ClaimStatus.CLAIMED
    assert journal.claim(first, reference="<a@b>", target="file:/x") is ClaimStatus.PENDING
    (open_claim,) = journal.claims()
    assert (open_claim.key, open_claim.target, open_claim.attempt) == (first.key, "file:/x", 1)
    assert open_claim.record.reference == "<a@b>"
    assert open_claim.record.steps == first.steps
    assert journal.records() == ()  # a claim is not a record
    assert journal.confirm(first.key) is True
    assert journal.records()[0].reference == "<a@b>"
    assert journal.claim(first, reference="<a@b>", target="file:/x") is ClaimStatus.RECORDED
    with pytest.raises(JournalError, match="no open claim"):
        journal.confirm(first.key)
    assert journal.claim(second, reference="r", target="file:/y", digest="ab" * 32) is (
        ClaimStatus.CLAIMED
    )
    journal.release(second.key, "no file")
    assert journal.claims() == ()
    with pytest.raises(JournalError, match="no open claim"):
        journal.release(second.key, "twice")
    assert journal.claim(second, reference="r", target="file:/y") is ClaimStatus.CLAIMED
    assert [c.attempt for c in journal.claims()] == [2]
    states = {c.key: c.state for c in journal.claims(pending=False)}
    assert states == {first.key: ClaimState.CONFIRMED, second.key: ClaimState.PENDING}
    assert [e.kind for e in journal.chain()] == ["claim", "record", "claim", "release", "claim"]
    assert journal.verify().ok


def test_a_claim_is_refused_once_a_pair_is_recorded_under_another_key(
    journal: LedgerJournal, business: Client, policy: ReminderPolicy
) -> None:
    grouped = action_for(business, policy, "F-1", "F-2")
    journal.record(action_for(business, policy, "F-2"))
    assert journal.claim(grouped, reference="r", target="file:/z") is ClaimStatus.RECORDED
    assert journal.claims(pending=False) == ()


def test_amendments_are_kept_beside_the_record_oldest_first(
    journal: LedgerJournal, day: Plan
) -> None:
    first, second = day.actions[:2]
    journal.record(first)
    journal.record(second)
    on = first.on
    journal.amend(first.key, on=on, lrar="1A00000000001")
    journal.amend(second.key, on=on, note="appelé")
    journal.amend(first.key, on=on + dt.timedelta(days=3), receipt=on + dt.timedelta(days=2))
    assert [(a.key, a.lrar, a.receipt, a.note) for a in journal.amendments()] == [
        (first.key, "1A00000000001", None, None),
        (second.key, None, None, "appelé"),
        (first.key, None, on + dt.timedelta(days=2), None),
    ]
    assert [a.on for a in journal.amendments(first.key)] == [on, on + dt.timedelta(days=3)]
    with pytest.raises(JournalError, match=r"^key: 'rl-none' no record with key rl-none$"):
        journal.amend("rl-none", on=on, note="x")
    with pytest.raises(InvalidFieldError, match="says nothing to add"):
        journal.amend(first.key, on=on)
    assert len(journal.amendments()) == 3
    assert journal.records()[0].reference is None  # never an overwrite
    assert journal.verify().ok


def test_the_chain_links_every_change_and_verify_names_its_head(
    journal: LedgerJournal, day: Plan
) -> None:
    for action in day.actions[:3]:
        journal.record(action, reference=f"<{action.key}@x>")
    journal.amend(day.actions[0].key, on=day.actions[0].on, lrar="1A2")
    entries = journal.chain()
    assert [(e.seq, e.kind) for e in entries] == [
        (1, "record"), (2, "record"), (3, "record"), (4, "amend"),
    ]  # fmt: skip
    assert [e.prev for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert entries[0].values["reference"] == f"<{day.actions[0].key}@x>"
    result = journal.verify()
    assert (result.ok, result.entries, result.head) == (True, 4, entries[-1].hash)


def test_exclusive_is_reentrant(journal: LedgerJournal, day: Plan) -> None:
    with journal.exclusive(), journal.exclusive():
        assert journal.record(day.actions[0])
    with journal.exclusive():
        assert journal.claim(day.actions[1], reference="r", target="file:/x") is (
            ClaimStatus.CLAIMED
        )


# -- forgetting ------------------------------------------------------------------------------


def test_forget_erases_one_client_and_the_chain_still_verifies(
    journal: LedgerJournal, day: Plan
) -> None:
    mine = [a for a in day.actions if a.client.id == "C001"]
    others = [a for a in day.actions if a.client.id != "C001"][:2]
    assert mine
    for action in mine + others:
        journal.record(action, reference="<rl@canuts.fr>")
    journal.amend(mine[0].key, on=mine[0].on, lrar="1A99", note="signé par M. Dupont")
    before = journal.history(day.as_of)
    assert journal.forget("C001", on=day.as_of) == len(mine) + 1
    kept = {r.key: r for r in journal.records()}
    for action in mine:
        assert kept[action.key].client_id.startswith("forgotten-")
        assert kept[action.key].reference is None
        assert kept[action.key].steps == action.steps  # the engine still knows what was sent
    assert [kept[a.key].client_id for a in others] == [a.client.id for a in others]
    assert [kept[a.key].reference for a in others] == ["<rl@canuts.fr>"] * 2
    assert journal.records("C001") == ()
    (amendment,) = journal.amendments()
    assert (amendment.lrar, amendment.note) == (None, None)
    text = json.dumps([e.to_json() for e in journal.chain()])
    assert '"C001"' not in text
    assert "M. Dupont" not in text
    assert journal.chain()[-1].kind == "forget"
    assert journal.verify().ok
    assert journal.history(day.as_of).steps == before.steps
    assert journal.forget("C001", on=day.as_of) == 0


def test_forget_erases_a_claim_never_recorded(journal: LedgerJournal, day: Plan) -> None:
    action = day.actions[0]
    journal.claim(action, reference="<x@y>", target="file:/out/x.eml")
    assert journal.forget(action.client.id, on=day.as_of) == 1
    (claim,) = journal.claims()
    assert (claim.record.reference, claim.target) == ("-", "-")
    assert claim.record.client_id.startswith("forgotten-")
    assert journal.verify().ok


# -- tampering (the stores in a database) ----------------------------------------------------


def test_verify_names_rows_edited_added_or_deleted_by_hand(
    sql_journal: tuple[LedgerJournal, SqlRunner], day: Plan
) -> None:
    journal, run = sql_journal
    first, second, third, fourth = day.actions[:4]
    for action in (first, second, third, fourth):
        journal.record(action, reference="<r@x>")
    assert journal.verify().ok
    run(f"UPDATE records SET reference = 'forged' WHERE key = '{first.key}'")
    run(f"UPDATE records SET channel = 'fax' WHERE key = '{second.key}'")
    run(
        "DELETE FROM record_steps WHERE record_seq ="
        f" (SELECT seq FROM records WHERE key = '{third.key}')"
    )
    run(f"DELETE FROM records WHERE key = '{third.key}'")
    run(
        "INSERT INTO records (key, client_id, step, on_date, channel, reference)"
        " VALUES ('rl-forged', 'C001', 'relance_1', '2026-03-16', 'email', NULL)"
    )
    problems = journal.verify().problems
    assert f"record {first.key}: differs from the chain (edited by hand?)" in problems
    assert any(p.startswith("record ") and "unreadable" in p and second.key in p for p in problems)
    assert f"record {third.key}: in the chain but missing from the table" in problems
    assert "record rl-forged: not in the chain (added by hand?)" in problems
    assert len(problems) == 4
    assert fourth.key in [r.key for r in journal.records()]


def test_verify_names_a_chain_entry_edited_or_removed_by_hand(
    sql_journal: tuple[LedgerJournal, SqlRunner], day: Plan
) -> None:
    journal, run = sql_journal
    for action in day.actions[:3]:
        journal.record(action)
    run("UPDATE chain SET key = 'rl-other' WHERE seq = 1")
    run("DELETE FROM chain WHERE seq = 2")
    problems = journal.verify().problems
    assert "entry 1 (record rl-other): hash does not match" in problems
    assert "entry 3: expected entry 2 (one missing or moved)" in problems
    assert "entry 3: not linked to the entry before it" in problems
    assert not journal.verify().ok


# -- several processes, one PostgreSQL journal -----------------------------------------------

_WORKER = textwrap.dedent(
    """
    import datetime as dt, json, random, sys, time
    from decimal import Decimal
    from pathlib import Path
    from relancelib import Client, Invoice, ReminderPolicy, plan
    from relancelib.journal.postgres import PostgresJournal
    from relancelib.sample import load_sample

    dsn, schema, go, seed = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    sample = load_sample()
    actions = list(plan(sample.invoices, sample.clients, sample.policy, sample.as_of).actions)
    client = Client("Z001", "Boulangerie Martin", email="compta@boulangerie-martin.fr")
    invoices = [Invoice(f"Z-{i}", "Z001", dt.date(2025, 3, 1), dt.date(2025, 3, 31),
                        Decimal("10.00")) for i in (1, 2)]
    policy = ReminderPolicy.french_default()
    # Two groupings of Z-1's first reminder: different keys, one (invoice, step) pair.
    alone = plan(invoices[:1], [client], policy, dt.date(2025, 4, 1)).actions[0]
    grouped = plan(invoices, [client], policy, dt.date(2025, 4, 1)).actions[0]
    actions += [alone, grouped]
    random.Random(seed).shuffle(actions)
    journal = PostgresJournal(dsn, schema=schema)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    print(json.dumps([[a.key, journal.record(a)] for a in actions]), flush=True)
    """
)


@pytest.mark.slow
def test_processes_recording_the_same_actions_store_each_once_and_one_wins(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    schema = new_schema()
    PostgresJournal(postgres_server.dsn, schema=schema).close()
    sample = load_sample()
    expected = {a.key for a in plan(sample.invoices, sample.clients, sample.policy,
                                    sample.as_of).actions}  # fmt: skip
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, postgres_server.dsn, schema, str(go), str(seed)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(6)
    ]
    # Release every worker at once, when each has planned and opened the journal.
    assert [w.stdout.readline().strip() for w in workers] == ["ready"] * 6  # type: ignore[union-attr]
    go.touch()
    outputs = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert [w.returncode for w in workers] == [0] * 6
    wins = Counter(key for output in outputs for key, stored in output if stored)
    calls = Counter(key for output in outputs for key, _stored in output)
    assert len(expected) == 29
    assert {key: wins[key] for key in expected} == dict.fromkeys(expected, 1)
    z_keys = set(calls) - expected  # the two groupings of Z-1: one of them, once
    assert len(z_keys) == 2
    assert sum(wins[key] for key in z_keys) == 1
    with PostgresJournal(postgres_server.dsn, schema=schema) as journal:
        records = journal.records()
        assert len(records) == len(expected) + 1
        assert {r.key for r in records} == expected | {k for k in z_keys if wins[k]}
        pairs = [pair for record in records for pair in record.steps]
        assert len(pairs) == len(set(pairs))
        result = journal.verify()
        assert result.ok
        assert result.entries == len(records)
