"""A journal that grows for years (issue 15): ``SqliteJournal.history_for`` reads only what
concerns the invoices being planned, and ``record_many`` records a day's actions in one
transaction — both with the same answers as the whole-journal reads and one-by-one records.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import relancelib as rl
from relancelib.journal import MemoryJournal, SqliteJournal

D = dt.date
POLICY = rl.ReminderPolicy.french_default()
CLIENTS = [
    rl.Client(f"C{i}", f"Client {i}", email=f"c{i}@example.fr", phone="+33 1 23 45 67 89")
    for i in range(4)
]


def invoices(count: int) -> list[rl.Invoice]:
    return [
        rl.Invoice(
            f"FA-{n}",
            f"C{n % 4}",
            D(2026, 1, 5) + dt.timedelta(days=n),
            D(2026, 2, 4) + dt.timedelta(days=n),
            Decimal("100.00") + n,
        )
        for n in range(count)
    ]


def replay(journal: rl.Journal, portfolio: list[rl.Invoice], days: list[dt.date]) -> None:
    """Plan and record each day, as the daily run does."""
    for day in days:
        for action in rl.plan(portfolio, CLIENTS, POLICY, day, journal):
            journal.record(action, on=day)


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
DAYS = st.lists(
    st.dates(min_value=D(2026, 1, 26), max_value=D(2026, 6, 30)), min_size=1, max_size=12
).map(sorted)


@SETTINGS
@given(days=DAYS, planned=st.integers(min_value=1, max_value=12), cancel=st.booleans())
def test_history_for_the_planned_invoices_agrees_with_the_whole_history(
    tmp_path_factory: object, days: list[dt.date], planned: int, cancel: bool
) -> None:
    folder = tmp_path_factory.mktemp("growth")  # type: ignore[attr-defined]
    portfolio = invoices(12)
    with SqliteJournal(folder / "journal.sqlite") as journal:
        replay(journal, portfolio, days)
        records = journal.records()
        if cancel and records:
            journal.add_event(rl.Cancellation(action_key=records[0].key, why="erreur", on=days[-1]))
        chosen = portfolio[:planned]
        numbers = [i.number for i in chosen]
        clients = {i.client_id for i in chosen}
        for as_of in {days[0], days[-1], days[-1] + dt.timedelta(days=30)}:
            whole = journal.history(as_of)
            part = journal.history_for(as_of, numbers, clients)
            assert {n: list(whole.steps.get(n, ())) for n in numbers} == {
                n: list(part.steps.get(n, ())) for n in numbers
            }
            assert {c: d for c, d in whole.contacts.items() if c in clients} == dict(part.contacts)
            assert {c: list(whole.actions[c]) for c in clients if c in whole.actions} == {
                c: list(v) for c, v in part.actions.items()
            }
            assert {p: r for p, r in whole.revisions.items() if p[0] in numbers} == dict(
                part.revisions
            )
            assert part.events == whole.events


@SETTINGS
@given(days=DAYS)
def test_a_plan_over_an_sqlite_journal_equals_the_plan_over_the_same_records_in_memory(
    tmp_path_factory: object, days: list[dt.date]
) -> None:
    folder = tmp_path_factory.mktemp("same")  # type: ignore[attr-defined]
    portfolio = invoices(12)
    memory = MemoryJournal()
    replay(memory, portfolio, days)
    with SqliteJournal(folder / "journal.sqlite") as journal:
        replay(journal, portfolio, days)
        later = days[-1] + dt.timedelta(days=10)
        # The planned invoices are a few of those the journal knows (history_for is used).
        few = portfolio[:3]
        assert rl.plan(few, CLIENTS, POLICY, later, journal) == rl.plan(
            few, CLIENTS, POLICY, later, memory
        )


def test_record_many_stores_a_day_in_one_transaction_with_the_same_answers(
    tmp_path: Path,
) -> None:
    portfolio = invoices(8)
    day = D(2026, 2, 12)
    actions = list(rl.plan(portfolio, CLIENTS, POLICY, day))
    assert len(actions) == 4
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        assert journal.record(actions[1], on=day)
        # Already recorded (by key), new, new, the same action twice in one batch.
        answers = journal.record_many([actions[1], actions[0], actions[2], actions[2]], on=day)
        assert answers == (False, True, True, False)
        stored = [actions[1].key, actions[0].key, actions[2].key]
        assert [r.key for r in journal.records()] == stored
        assert journal.verify().ok
        # A pair already recorded by another action: that one only is refused, atomically.
        clash = rl.Action(
            "rl-clash", actions[3].client, actions[3].step, actions[0].items, actions[0].totals, day
        )
        assert journal.record_many([clash, actions[3]], on=day) == (False, True)
        assert len(journal.records()) == 4
        assert journal.verify().ok
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        (pairs,) = db.execute("SELECT COUNT(*) FROM record_steps").fetchone()
    assert pairs == sum(len(a.items) for a in actions)


def test_record_many_refuses_junk_naming_the_field(tmp_path: Path) -> None:
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        with pytest.raises(rl.RelanceError, match="actions"):
            journal.record_many([object()])  # type: ignore[list-item]
        assert journal.records() == ()


def test_record_many_gives_the_answers_of_record_one_by_one_in_memory_too() -> None:
    day = D(2026, 2, 12)
    actions = list(rl.plan(invoices(8), CLIENTS, POLICY, day))
    one_by_one, batch = MemoryJournal(), MemoryJournal()
    given = [actions[1], actions[0], actions[1], actions[2]]
    expected = tuple(one_by_one.record(action, on=day) for action in given)
    assert expected == (True, True, False, True)
    assert batch.record_many(given, on=day) == expected
    assert batch.records() == one_by_one.records()
    assert batch.verify().ok
