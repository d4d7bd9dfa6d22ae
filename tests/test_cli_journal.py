"""The journal's commands through the real ``relance`` command: verify, evidence, forget, claim
list/confirm/cancel, record --lrar/--receipt; and the read-only ones on a read-only file."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
import stat
import zipfile
from pathlib import Path

import pypdf
import pytest

from relancelib import SqliteJournal, plan
from relancelib.config import load_config
from relancelib.io import read_portfolio
from test_cli import DAY, expected_plan, records, relance

JOURNAL = "relance-journal.sqlite"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The sample portfolio from ``relance init --sample``, every client with an e-mail."""
    result = relance("init", tmp_path / "relance.toml", "--sample")
    assert result.exit_code == 0, result.output
    clients = tmp_path / "clients.csv"
    text = clients.read_text(encoding="utf-8-sig")
    fixed = text.replace(
        "C004;Garage Mécanique du Rhône;;", "C004;Garage Mécanique du Rhône;garage@example.fr;"
    )
    clients.write_text(fixed, encoding="utf-8-sig")
    return tmp_path


def run_day(folder: Path) -> Path:
    out = folder / "sortie"
    result = relance("run", "--date", DAY, "--out", out, "-c", folder / "relance.toml")
    assert result.exit_code == 0, result.output
    return out


def journal_rows(folder: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(folder / JOURNAL) as db:
        return db.execute("SELECT * FROM records ORDER BY key").fetchall()


# ---------------------------------------------------------------------------------------------
# read-only commands


def test_the_reading_commands_work_on_a_read_only_journal_and_write_nothing(
    workspace: Path,
) -> None:
    config = workspace / "relance.toml"
    run_day(workspace)
    path = workspace / JOURNAL
    with sqlite3.connect(path) as db:  # a journal in the classic rollback mode, closed cleanly
        assert db.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert not extra.exists()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    path.chmod(0o444)
    folder_before = sorted(p.name for p in workspace.iterdir())
    try:
        for args in (
            ("plan", "--date", DAY),
            ("plan", "--date", DAY, "--format", "json"),
            ("history",),
            ("history", "C001", "--format", "json"),
            ("verify",),
            ("claim", "list"),
            ("evidence", "C001", "--date", DAY, "--out", workspace / "d.zip"),
        ):
            result = relance(*args, "-c", config)
            assert result.exit_code == 0, (args, result.output)
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never WAL
        assert sorted(p.name for p in workspace.iterdir()) == sorted([*folder_before, "d.zip"])
    finally:
        path.chmod(0o644)


def test_plan_without_a_journal_creates_none(workspace: Path) -> None:
    result = relance("plan", "--date", DAY, "-c", workspace / "relance.toml")
    assert result.exit_code == 0, result.output
    assert not (workspace / JOURNAL).exists()
    assert relance("verify", "-c", workspace / "relance.toml").exit_code != 0
    assert not (workspace / JOURNAL).exists()


# ---------------------------------------------------------------------------------------------
# verify


def test_verify_passes_then_names_a_row_edited_by_hand(workspace: Path) -> None:
    config = workspace / "relance.toml"
    run_day(workspace)
    result = relance("verify", "-c", config)
    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout
    assert "Head hash: " in result.stdout
    key = records(workspace)[0][0]
    with sqlite3.connect(workspace / JOURNAL) as db:
        db.execute("UPDATE records SET reference = 'rien envoyé' WHERE key = ?", (key,))
    tampered = relance("verify", "-c", config)
    assert tampered.exit_code == 1
    assert "problem" in tampered.stdout
    assert key in tampered.stdout


# ---------------------------------------------------------------------------------------------
# evidence


def test_evidence_writes_a_dossier_with_the_messages_the_records_and_a_summary_pdf(
    workspace: Path,
) -> None:
    config = workspace / "relance.toml"
    out = run_day(workspace)
    mine = [(key, ref) for key, client, ref in records(workspace) if client == "C001"]
    assert mine
    target = workspace / "dossier.zip"
    result = relance("evidence", "C001", "--date", DAY, "--out", target, "-c", config)
    assert result.exit_code == 0, result.output
    assert str(target) in result.stdout
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        dossier = json.loads(archive.read("journal.json"))
        messages = {n: archive.read(n) for n in names if n.startswith("messages/")}
        summary = archive.read("summary.pdf")
    assert dossier["client"] == "C001"
    assert dossier["verification"]["ok"] is True
    assert {r["key"] for r in dossier["records"]} == {key for key, _ in mine}
    assert dossier["chain"]
    assert all("hash" in json.dumps(entry) for entry in dossier["chain"])
    assert dossier["missing_messages"] == []
    assert messages
    for name, data in messages.items():
        assert (out / Path(name).name).read_bytes() == data
        assert "C001" in name
    reader = pypdf.PdfReader(io.BytesIO(summary))
    assert "C001" in "".join(page.extract_text() for page in reader.pages) or reader.pages


# ---------------------------------------------------------------------------------------------
# forget


def test_forget_erases_the_personal_data_and_the_chain_still_verifies(workspace: Path) -> None:
    config = workspace / "relance.toml"
    run_day(workspace)
    refs = [ref for _key, client, ref in records(workspace) if client == "C001"]
    assert refs
    assert all(refs)
    result = relance("forget", "C001", "--yes", "--date", DAY, "-c", config)
    assert result.exit_code == 0, result.output
    assert "Forgot client C001" in result.stdout
    assert relance("verify", "-c", config).exit_code == 0
    remaining = records(workspace)
    assert "C001" not in {client for _key, client, _ref in remaining}
    assert not {ref for *_, ref in remaining} & set(refs)
    history = relance("history", "-c", config, "--format", "json")
    assert history.exit_code == 0
    assert "C001" not in history.stdout
    for ref in refs:
        assert ref not in history.stdout
    with sqlite3.connect(workspace / JOURNAL) as db:
        db.execute("VACUUM")
    raw = (workspace / JOURNAL).read_bytes()
    for ref in refs:
        assert ref.encode() not in raw
    again = relance("forget", "C001", "--yes", "-c", config)
    assert again.exit_code != 0


# ---------------------------------------------------------------------------------------------
# claim list / confirm / cancel


def claim_two(folder: Path) -> list[str]:
    """Claim the first two actions of the day as a run that stopped would have."""
    config = load_config(folder / "relance.toml")
    read = read_portfolio(
        clients=folder / "clients.csv",
        invoices=folder / "factures.csv",
        payments=folder / "reglements.csv",
    )
    day = plan(read.invoices, read.clients, config.policy, dt.date.fromisoformat(DAY), None)
    keys = []
    with SqliteJournal(folder / JOURNAL) as journal:
        for action in day.actions[:2]:
            journal.claim(
                action, reference=f"<{action.key}@test>", target=f"smtp:{folder / action.key}.eml"
            )
            keys.append(action.key)
    return keys


def test_claims_are_listed_then_confirmed_or_cancelled(workspace: Path) -> None:
    config = workspace / "relance.toml"
    assert relance("claim", "list", "-c", config).stdout.strip() == "No open claim."
    first, second = claim_two(workspace)
    listed = relance("claim", "list", "-c", config)
    assert listed.exit_code == 0
    assert first in listed.stdout
    assert second in listed.stdout
    assert f"<{first}@test>" in listed.stdout
    confirmed = relance("claim", "confirm", first, "-c", config)
    assert confirmed.exit_code == 0, confirmed.output
    assert f"Confirmed {first}: recorded." in confirmed.stdout
    cancelled = relance("claim", "cancel", second, "-c", config)
    assert cancelled.exit_code == 0, cancelled.output
    assert "the next run sends it again" in cancelled.stdout
    assert relance("claim", "list", "-c", config).stdout.strip() == "No open claim."
    assert [k for k, *_ in records(workspace)] == [first]
    due = expected_plan(workspace)
    assert first not in due
    assert second in due
    unknown = relance("claim", "confirm", "rl-nope", "-c", config)
    assert unknown.exit_code != 0
    assert "no open claim" in unknown.output
    assert relance("verify", "-c", config).exit_code == 0


# ---------------------------------------------------------------------------------------------
# record --lrar / --receipt


def test_record_lrar_and_receipt_are_an_amendment_shown_by_history(workspace: Path) -> None:
    config = workspace / "relance.toml"
    run_day(workspace)
    with SqliteJournal(workspace / JOURNAL) as journal:
        letter = journal.records()[0]  # a letter in real life; any record takes an amendment
    before = journal_rows(workspace)
    result = relance(
        "record", letter.key, "--lrar", "1A12345678901", "--receipt", "2026-03-20",
        "--date", "2026-03-17", "-c", config,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Added to the record of" in result.stdout
    assert "LRAR 1A12345678901" in result.stdout
    assert journal_rows(workspace) == before  # the record itself is not overwritten
    table = relance("history", "-c", config)
    assert table.exit_code == 0, table.output
    assert "1A12345678901" in table.stdout
    assert "receipt 2026-03-20" in table.stdout
    rows = json.loads(relance("history", "-c", config, "--format", "json").stdout)
    amended = next(r for r in rows if r["key"] == letter.key)
    assert amended["amendments"] == [
        {
            "date": "2026-03-17",
            "lrar": "1A12345678901",
            "receipt": "2026-03-20",
            "reference": None,
            "note": None,
        }
    ]
    assert relance("verify", "-c", config).exit_code == 0
    nothing = relance("record", letter.key, "--date", "2026-03-17", "-c", config)
    assert nothing.exit_code == 0
    assert "Already recorded on" in nothing.stdout
