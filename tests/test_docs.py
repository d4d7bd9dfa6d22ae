"""The documentation's examples and figures are checked against the code, so they never rot."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

import relancelib as rl

ROOT = Path(__file__).resolve().parent.parent


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (block,) = python_blocks(ROOT / "README.md")
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "relances.sqlite3").exists()
    journal = namespace["journal"]
    assert isinstance(journal, rl.SqliteJournal)
    assert [r.step for r in journal.records()] == ["relance_1"]
    journal.close()


def test_getting_started_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in python_blocks(ROOT / "docs" / "getting-started.md"):
        exec(compile(block, "getting-started.md", "exec"), namespace)
    assert "[('Boulangerie Martin', 'courtoisie', 'email')]" in capsys.readouterr().out
    journal = namespace["journal"]
    assert isinstance(journal, rl.SqliteJournal)
    journal.close()


def test_concepts_timeline_is_what_the_engine_does() -> None:
    text = (ROOT / "docs" / "concepts.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| (\d{4}-\d\d-\d\d) \| (\w+) \| (\w+) \|", text, flags=re.M)
    client = rl.Client(
        "C1",
        "Boulangerie Martin",
        email="compta@martin.fr",
        phone="04 78 00 00 01",
        address=rl.Address(["3 place Bellecour"], "69002", "Lyon"),
    )
    invoice = rl.Invoice(
        "F-2025-042",
        "C1",
        dt.date(2025, 3, 31),
        dt.date(2025, 4, 30),
        Decimal("1200.00"),
        sent_on=dt.date(2025, 3, 31),
    )
    journal = rl.MemoryJournal()
    policy = rl.ReminderPolicy.french_default()
    happened = []
    penalties = []
    day = dt.date(2025, 4, 1)
    while day <= dt.date(2025, 7, 1):
        for action in rl.plan([invoice], [client], policy, day, journal).actions:
            happened.append((day.isoformat(), action.step.key, action.channel.value))
            if action.items[0].penalties is not None:
                penalties.append(action.items[0].penalties.amount)
            journal.record(action)
        day += dt.timedelta(days=1)
    assert happened == documented
    assert penalties == [Decimal("12.97"), Decimal("20.32")]


def test_concepts_catch_up_example() -> None:
    client = rl.Client("C1", "Boulangerie Martin", email="compta@martin.fr", phone="04 78 00 00 01")
    invoice = rl.Invoice(
        "F-2025-042", "C1", dt.date(2025, 3, 31), dt.date(2025, 4, 30), Decimal("1200.00")
    )
    journal = rl.MemoryJournal()
    policy = rl.ReminderPolicy.french_default()
    happened = []
    day = dt.date(2025, 4, 1)
    while day <= dt.date(2025, 5, 31):
        if not dt.date(2025, 5, 1) <= day < dt.date(2025, 5, 20):
            for action in rl.plan([invoice], [client], policy, day, journal).actions:
                happened.append((day, action.step.key))
                journal.record(action)
        day += dt.timedelta(days=1)
    assert happened[1:3] == [(dt.date(2025, 5, 20), "relance_1"), (dt.date(2025, 5, 26), "appel")]


def test_every_public_name_is_in_the_api_reference() -> None:
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in rl.__all__ if name != "__version__" and f"`{name}" not in api]
    assert missing == []


def test_every_public_name_has_a_docstring() -> None:
    undocumented = [
        name
        for name in rl.__all__
        if name != "__version__" and not (getattr(rl, name).__doc__ or "").strip()
    ]
    assert undocumented == []


def test_cookbook_recipes_run_and_print_what_they_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8")
    namespace: dict[str, object] = {}
    for block in python_blocks(ROOT / "docs" / "cookbook.md"):
        exec(compile(block, "cookbook.md", "exec"), namespace)
        # The page shows non-breaking spaces as plain ones; "  — " starts an explanation.
        out = capsys.readouterr().out.replace("\u00a0", " ").replace("\u202f", " ")
        printed = [line.rstrip() for line in out.split("\n")]
        expected = [
            line[2:].split("  — ")[0].rstrip() for line in block.split("\n") if line.startswith("# ")
        ]
        for line in expected:
            assert line in printed, (line, printed)
    assert "Petit rappel" in text
