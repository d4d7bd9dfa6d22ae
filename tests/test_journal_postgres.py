"""What only the PostgreSQL journal has: its tables created once by processes opening it at once,
the outbox lock across processes (and its release when the holder dies), schemas, the DSN's
password kept out of messages, a lost connection, psycopg missing — on a real server
(tests/postgres.py).  The journal contract itself is in test_journal_contract.py."""

from __future__ import annotations

import datetime as dt
import math
import re
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import psycopg
import pytest

from postgres import PostgresServer, new_schema, postgres_server
from relancelib import InvalidFieldError, JournalError, MemoryJournal, RelanceError, plan
from relancelib.engine import Plan
from relancelib.journal import ClaimStatus
from relancelib.journal.postgres import PostgresJournal
from relancelib.outbox import carry_out
from relancelib.sample import Sample, load_sample

__all__ = ["postgres_server"]  # the session's server, imported as a fixture

_TABLES = ["amendments", "chain", "claims", "events", "meta", "record_steps", "records"]


@pytest.fixture(scope="module")
def sample() -> Sample:
    return load_sample()


@pytest.fixture(scope="module")
def day(sample: Sample) -> Plan:
    history = MemoryJournal()
    sample.replay(history, end=sample.as_of)
    return plan(sample.invoices, sample.clients, sample.policy, sample.as_of, history)


def sql(server: PostgresServer, statement: str) -> list[tuple[object, ...]]:
    """Run one statement on the server by hand, its rows (none for a command)."""
    with psycopg.connect(server.dsn, autocommit=True) as db:
        cursor = db.execute(statement)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def start(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_the_journal_persists_and_plan_reads_it(
    postgres_server: PostgresServer, sample: Sample, day: Plan
) -> None:
    schema = new_schema()
    with PostgresJournal(postgres_server.dsn, schema=schema) as first:
        assert repr(first) == f"PostgresJournal({first.dsn!r}, schema={schema!r})"
        assert first.schema_version == 1
        for action in day.actions:
            assert first.record(action, reference=f"<{action.key}@x>")
    with PostgresJournal(postgres_server.dsn, schema=schema) as second:
        assert second.record(day.actions[0]) is False
        assert len(second.records()) == len(day.actions)
        replanned = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, second)
        assert [a for a in replanned.actions if a.on == sample.as_of and a.key in
                {b.key for b in day.actions}] == []  # fmt: skip
    tables = sql(
        postgres_server,
        "SELECT table_name FROM information_schema.tables"
        f" WHERE table_schema = '{schema}' ORDER BY table_name",
    )
    assert [name for (name,) in tables] == _TABLES


def test_two_schemas_are_two_journals(postgres_server: PostgresServer, day: Plan) -> None:
    with (
        PostgresJournal(postgres_server.dsn, schema=new_schema()) as one,
        PostgresJournal(postgres_server.dsn, schema=new_schema()) as other,
    ):
        assert one.record(day.actions[0]) is True
        assert other.record(day.actions[0]) is True
        assert len(one.records()) == len(other.records()) == 1
        with one.exclusive(), other.exclusive():  # one outbox lock per journal
            pass


def test_two_journals_on_one_schema_take_turns_and_the_chain_stays_one_line(
    postgres_server: PostgresServer, day: Plan
) -> None:
    schema = new_schema()
    with (
        PostgresJournal(postgres_server.dsn, schema=schema) as one,
        PostgresJournal(postgres_server.dsn, schema=schema) as other,
    ):
        # Each sees the chain end moved by the other before almost every record.
        for i, action in enumerate(day.actions):
            assert (one if i % 3 else other).record(action) is True
            assert (other if i % 3 else one).record(action) is False
        assert one.records() == other.records()
        assert [r.key for r in one.records()] == [a.key for a in day.actions]
        entries = other.chain()
        assert [e.seq for e in entries] == list(range(1, len(day.actions) + 1))
        assert one.verify().ok


_OPEN = """
    import sys, time
    from pathlib import Path
    from relancelib.journal.postgres import PostgresJournal
    go = Path(sys.argv[3])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    with PostgresJournal(sys.argv[1], schema=sys.argv[2]) as journal:
        print(journal.schema_version, flush=True)
"""


@pytest.mark.slow
def test_processes_opening_a_new_journal_at_once_create_its_tables_once(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    schema, go = new_schema(), tmp_path / "go"
    workers = [start(_OPEN, postgres_server.dsn, schema, str(go)) for _ in range(6)]
    assert [w.stdout.readline().strip() for w in workers] == ["ready"] * 6  # type: ignore[union-attr]
    go.touch()
    assert [w.communicate(timeout=60)[0].strip() for w in workers] == ["1"] * 6
    assert [w.returncode for w in workers] == [0] * 6
    tables = sql(
        postgres_server,
        f"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}'",
    )
    assert tables == [(len(_TABLES),)]
    assert sql(postgres_server, f'SELECT name, value FROM "{schema}".meta') == [("schema", "1")]


_HOLD = """
    import sys
    from relancelib.journal.postgres import PostgresJournal
    journal = PostgresJournal(sys.argv[1], schema=sys.argv[2])
    with journal.exclusive():
        print("held", flush=True)
        sys.stdin.readline()  # until killed
"""


@pytest.mark.slow
def test_the_outbox_lock_waits_for_another_process_and_frees_when_it_dies(
    postgres_server: PostgresServer,
) -> None:
    schema = new_schema()
    PostgresJournal(postgres_server.dsn, schema=schema).close()
    holder = start(_HOLD, postgres_server.dsn, schema)
    assert holder.stdout.readline().strip() == "held"  # type: ignore[union-attr]
    got = threading.Event()

    def take() -> None:
        with PostgresJournal(postgres_server.dsn, schema=schema) as journal, journal.exclusive():
            got.set()

    waiter = threading.Thread(target=take, daemon=True)
    waiter.start()
    assert not got.wait(1.0)  # another process holds it
    holder.send_signal(signal.SIGKILL)  # dies without releasing anything
    holder.wait(timeout=30)
    assert got.wait(30.0)
    waiter.join(timeout=30)
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.stdout is not None
    holder.stdout.close()


_CLAIM = """
    import sys, time
    from pathlib import Path
    from relancelib import plan
    from relancelib.events import Dispute
    from relancelib.journal.postgres import PostgresJournal
    from relancelib.sample import load_sample
    sample = load_sample()
    action = plan(sample.invoices, sample.clients, sample.policy, sample.as_of).actions[0]
    journal = PostgresJournal(sys.argv[1], schema=sys.argv[2])
    go = Path(sys.argv[3])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    status = journal.claim(action, reference="<x@y>", target="file:/out/x.eml").value
    dispute = Dispute(on=sample.as_of, invoice_number=action.steps[0][0], reason="prix")
    print(status, journal.add_event(dispute), flush=True)
"""


@pytest.mark.slow
def test_processes_claiming_the_same_action_or_adding_the_same_event_one_wins(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    schema, go = new_schema(), tmp_path / "go"
    PostgresJournal(postgres_server.dsn, schema=schema).close()
    workers = [start(_CLAIM, postgres_server.dsn, schema, str(go)) for _ in range(5)]
    assert [w.stdout.readline().strip() for w in workers] == ["ready"] * 5  # type: ignore[union-attr]
    go.touch()
    outputs = sorted(w.communicate(timeout=60)[0].strip() for w in workers)
    assert [line.split()[0] for line in outputs] == ["claimed"] + ["pending"] * 4
    assert sorted(line.split()[1] for line in outputs) == ["False"] * 4 + ["True"]
    with PostgresJournal(postgres_server.dsn, schema=schema) as journal:
        assert len(journal.claims()) == 1
        assert len(journal.events()) == 1
        assert sorted(e.kind for e in journal.chain()) == ["claim", "event"]
        assert journal.verify().ok


def test_the_outbox_carries_a_plan_out_with_a_postgres_journal(
    postgres_server: PostgresServer, tmp_path: Path, sample: Sample, day: Plan
) -> None:
    actions = [a for a in day.actions if not a.channel.is_postal and a.client.email][:6]
    out = tmp_path / "out"
    with PostgresJournal(postgres_server.dsn, schema=new_schema()) as journal:
        result = carry_out(actions, sample.creditor, out, journal, policy=sample.policy)
        assert len(result.recorded) == len(actions)
        assert sorted(p.name for p in out.iterdir()) == sorted(w.path.name for w in result.written)
        assert {r.reference for r in journal.records()} == {w.reference for w in result.written}
        assert journal.claims() == ()
        again = carry_out(actions, sample.creditor, out, journal, policy=sample.policy)
        assert again.recorded == ()
        assert len(list(out.iterdir())) == len(actions)
        assert journal.verify().ok


def test_a_journal_of_a_newer_relancelib_is_refused(postgres_server: PostgresServer) -> None:
    schema = new_schema()
    PostgresJournal(postgres_server.dsn, schema=schema).close()
    sql(postgres_server, f"UPDATE \"{schema}\".meta SET value = '2' WHERE name = 'schema'")
    with pytest.raises(JournalError) as info:
        PostgresJournal(postgres_server.dsn, schema=schema)
    assert str(info.value) == (
        f"PostgresJournal.schema: '{schema}' was written by a newer relancelib "
        "(schema 2, this one reads 1)"
    )


def _drop_connections(server: PostgresServer) -> None:
    """Terminate the journals' server processes, as a server restart would."""
    sql(
        server,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = 'relancelib'",
    )


def test_a_lost_connection_fails_one_call_and_the_next_connects_again(
    postgres_server: PostgresServer, day: Plan
) -> None:
    with PostgresJournal(postgres_server.dsn, schema=new_schema()) as journal:
        journal.record(day.actions[0])
        _drop_connections(postgres_server)
        with pytest.raises(JournalError, match=f"^cannot record action {day.actions[1].key} "):
            journal.record(day.actions[1])
        assert journal.record(day.actions[1]) is True
        _drop_connections(postgres_server)
        with pytest.raises(JournalError, match=r"^PostgresJournal\.schema: '\w+' cannot read"):
            journal.records()
        assert [r.key for r in journal.records()] == [a.key for a in day.actions[:2]]
        assert journal.verify().ok


def test_a_connection_lost_under_the_outbox_lock_is_not_silently_replaced(
    postgres_server: PostgresServer, day: Plan
) -> None:
    with PostgresJournal(postgres_server.dsn, schema=new_schema()) as journal:
        with journal.exclusive():
            _drop_connections(postgres_server)
            with pytest.raises(JournalError):
                journal.claim(day.actions[0], reference="r", target="file:/x")
            with pytest.raises(JournalError, match=r"and the outbox lock with it$"):
                journal.claim(day.actions[0], reference="r", target="file:/x")
        assert journal.claim(day.actions[0], reference="r", target="file:/x") is (
            ClaimStatus.CLAIMED
        )


def test_an_unreachable_server_is_a_journal_error_that_hides_the_password(
    tmp_path: Path,
) -> None:
    dsn = f"host={tmp_path} port=5999 user=relance password=s3cret dbname=compta"
    with pytest.raises(JournalError) as info:
        PostgresJournal(dsn, timeout=2)
    assert info.value.field == "PostgresJournal.dsn"
    assert str(info.value).startswith("PostgresJournal.dsn: 'user=relance dbname=compta host=")
    assert "cannot connect to PostgreSQL" in str(info.value)
    assert "s3cret" not in str(info.value)
    url = "postgresql://relance:s3cret@localhost:1/compta"
    with pytest.raises(JournalError) as info:
        PostgresJournal(url, timeout=2)
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dsn": None}, "PostgresJournal.dsn"),
        ({"dsn": ""}, "PostgresJournal.dsn"),
        ({"dsn": "host=x\x00"}, "PostgresJournal.dsn"),
        ({"dsn": b"host=x"}, "PostgresJournal.dsn"),
        ({"schema": "Relance"}, "PostgresJournal.schema"),
        ({"schema": "1relance"}, "PostgresJournal.schema"),
        ({"schema": "pg_relance"}, "PostgresJournal.schema"),
        ({"schema": 'a"; DROP TABLE x; --'}, "PostgresJournal.schema"),
        ({"schema": "r" * 64}, "PostgresJournal.schema"),
        ({"schema": None}, "PostgresJournal.schema"),
        ({"timeout": 0}, "PostgresJournal.timeout"),
        ({"timeout": math.nan}, "PostgresJournal.timeout"),
        ({"timeout": True}, "PostgresJournal.timeout"),
        ({"timeout": "30"}, "PostgresJournal.timeout"),
    ],
)
def test_bad_arguments_name_their_field(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"dsn": "host=/nowhere dbname=x", **kwargs}
    with pytest.raises(InvalidFieldError) as info:
        PostgresJournal(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field


def test_without_psycopg_relancelib_imports_and_the_journal_names_the_extra() -> None:
    code = """
        import sys
        sys.modules["psycopg"] = None  # as if the extra were not installed
        import relancelib
        from relancelib.journal.postgres import PostgresJournal
        try:
            PostgresJournal("host=/nowhere dbname=x")
        except relancelib.RelanceError as error:
            print(error)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "PostgresJournal needs psycopg 3: install it with pip install 'relancelib[postgres]'"
    )
    assert issubclass(JournalError, RelanceError)


def test_dates_come_back_as_dates(postgres_server: PostgresServer, day: Plan) -> None:
    action = day.actions[0]
    with PostgresJournal(postgres_server.dsn, schema=new_schema()) as journal:
        journal.record(action, on=dt.date(2026, 3, 17))
        journal.claim(day.actions[1], reference="r", target="file:/x", on=dt.date(2026, 3, 18))
        journal.amend(action.key, on=dt.date(2026, 3, 20), receipt=dt.date(2026, 3, 19))
        assert journal.records()[0].on == dt.date(2026, 3, 17)
        assert journal.claims()[0].record.on == dt.date(2026, 3, 18)
        (amendment,) = journal.amendments()
        assert (amendment.on, amendment.receipt) == (dt.date(2026, 3, 20), dt.date(2026, 3, 19))
        assert journal.claim(day.actions[1], reference="r", target="file:/x") is (
            ClaimStatus.PENDING
        )


def test_the_scaling_page_example_runs(postgres_server: PostgresServer, sample: Sample) -> None:
    text = (Path(__file__).parent.parent / "docs" / "scaling.md").read_text(encoding="utf-8")
    section = text[text.index("## 2. PostgreSQL") : text.index("## 3. ")]
    (block,) = re.findall(r"```py\n(.*?)```", section, flags=re.S)
    schema = new_schema()
    code = re.sub(r'^dsn = ".*$', f"dsn = {postgres_server.dsn!r}", block, flags=re.M)
    code = code.replace('schema="relance"', f"schema={schema!r}")
    assert code.count(postgres_server.dsn) == 1
    namespace = {
        "invoices": sample.invoices,
        "clients": sample.clients,
        "policy": sample.policy,
        "as_of": sample.as_of,
    }
    exec(compile(code, "scaling.md", "exec"), namespace)
    with PostgresJournal(postgres_server.dsn, schema=schema) as journal:
        expected = plan(sample.invoices, sample.clients, sample.policy, sample.as_of).actions
        assert [r.key for r in journal.records()] == [a.key for a in expected]
