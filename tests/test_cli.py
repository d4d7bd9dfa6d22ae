"""The ``relance`` command, through click's runner and through the installed entry point."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from cii import cii_invoice as build_cii
from factories import make_business, make_invoice
from relancelib import JournalError, Plan, ReminderPolicy, SqliteJournal, plan
from relancelib.cli import DEMO_JOURNAL, ExitCode, carry_out, cli
from relancelib.cli.output import cut_name, plan_table
from relancelib.config import load_config
from relancelib.io import read_portfolio
from relancelib.sample import load_sample

DAY = "2026-03-16"


def relance(*args: str | Path, cwd: Path | None = None) -> Result:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def entry_point() -> list[str]:
    """The installed console script, else ``python -m relancelib.cli``."""
    script = Path(sys.executable).with_name("relance")
    if script.exists():
        return [str(script)]
    found = shutil.which("relance")  # pragma: no cover - depends on the install
    return [found] if found else [sys.executable, "-m", "relancelib.cli"]  # pragma: no cover


def run_entry_point(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RELANCE_CONFIG"}
    return subprocess.run(
        [*entry_point(), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder with relance.toml and the sample portfolio as French CSV files; the client
    without an e-mail address gets one, so that every action of the day can be written."""
    result = relance("init", tmp_path / "relance.toml", "--sample")
    assert result.exit_code == 0, result.output
    clients = tmp_path / "clients.csv"
    text = clients.read_text(encoding="utf-8-sig")
    fixed = text.replace(
        "C004;Garage Mécanique du Rhône;;", "C004;Garage Mécanique du Rhône;garage@example.fr;"
    )
    assert fixed != text
    clients.write_text(fixed, encoding="utf-8-sig")
    return tmp_path


@pytest.fixture
def raw_workspace(tmp_path: Path) -> Path:
    """The sample portfolio as written by ``relance init --sample``, client C004 without e-mail."""
    result = relance("init", tmp_path / "relance.toml", "--sample")
    assert result.exit_code == 0, result.output
    return tmp_path


def records(folder: Path) -> list[tuple[str, str, str | None]]:
    with SqliteJournal(folder / "relance-journal.sqlite") as journal:
        return [(r.key, r.client_id, r.reference) for r in journal.records()]


def files(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} if folder.exists() else {}


def expected_plan(folder: Path) -> list[str]:
    """The keys of the day's actions, computed with the library itself."""
    config = load_config(folder / "relance.toml")
    read = read_portfolio(
        clients=folder / "clients.csv",
        invoices=folder / "factures.csv",
        payments=folder / "reglements.csv",
    )
    as_of = dt.date.fromisoformat(DAY)
    if not config.journal.exists():
        return [a.key for a in plan(read.invoices, read.clients, config.policy, as_of)]
    with SqliteJournal(config.journal) as journal:
        day = plan(read.invoices, read.clients, config.policy, as_of, journal)
    return [action.key for action in day.actions]


# ---------------------------------------------------------------------------------------------
# plan


def test_plan_prints_the_days_actions_as_a_table(workspace: Path) -> None:
    result = relance("plan", "--date", DAY, "--config", workspace / "relance.toml")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Plan for lundi 16 mars 2026" in out
    for column in ("Client", "Step", "Channel", "Invoices", "Total"):
        assert column in out
    assert "C001 Boulangerie Pâtisserie Gauthier" in out
    assert "relance_1" in out
    assert "1\u202f840,00\u00a0€" in out
    for key in expected_plan(workspace):
        assert key in out
    # Problems go to stderr: the overpaid invoice is left out, the 90-day terms are flagged.
    assert "FA-2026-0003: payments exceed the invoice amount" in result.stderr
    assert "payment terms of 90 days" in result.stderr


def test_plan_reads_the_config_from_the_current_folder(workspace: Path) -> None:
    result = relance("plan", "-d", "16/03/2026", cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "Plan for lundi 16 mars 2026" in result.stdout


def test_plan_as_json_for_programs(workspace: Path) -> None:
    result = relance("plan", "--date", DAY, "-c", workspace / "relance.toml", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == DAY
    assert [a["key"] for a in data["actions"]] == expected_plan(workspace)
    first = data["actions"][0]
    assert first["client_id"] == "C001"
    assert first["step"] == "relance_1"
    assert first["channel"] == "email"
    assert first["totals"] == {"EUR": "1840.00"}
    assert first["items"][0]["invoice"] == "FA-2026-0022"
    assert any(
        p["invoice"] == "FA-2026-0003" and p["severity"] == "error" for p in data["problems"]
    )
    assert data["import_problems"] == []


def test_plan_as_csv_for_spreadsheets(workspace: Path) -> None:
    result = relance("plan", "--date", DAY, "-c", workspace / "relance.toml", "-f", "csv")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    data = json.loads(
        relance("plan", "--date", DAY, "-c", workspace / "relance.toml", "-f", "json").stdout
    )
    items = sum(len(a["items"]) for a in data["actions"])
    assert len(lines) == 1 + items
    assert ";" in lines[0]
    assert any("FA-2026-0022" in line and "1840,00" in line for line in lines)


def test_plan_on_a_weekend_is_empty(workspace: Path) -> None:
    result = relance("plan", "--date", "2026-03-14", "-c", workspace / "relance.toml")
    assert result.exit_code == 0, result.output
    assert "Nothing is due on samedi 14 mars 2026." in result.stdout


def test_strict_exits_1_when_invoices_were_left_out(workspace: Path) -> None:
    result = relance("plan", "--date", DAY, "-c", workspace / "relance.toml", "--strict")
    assert result.exit_code == ExitCode.PROBLEMS == 1


def test_import_problems_are_reported_with_file_and_line(workspace: Path) -> None:
    invoices = workspace / "factures.csv"
    text = invoices.read_text(encoding="utf-8-sig")
    invoices.write_text(
        text + "FA-BAD;C001;31/02/2026;15/03/2026;100,00;EUR;non;;\r\n", encoding="utf-8-sig"
    )
    result = relance("plan", "--date", DAY, "-c", workspace / "relance.toml")
    assert result.exit_code == 0
    line = len(text.splitlines()) + 1
    assert f"factures.csv:{line}:" in result.stderr
    assert "Rows that could not be imported" in result.stderr
    strict = relance("plan", "--date", DAY, "-c", workspace / "relance.toml", "--strict")
    assert strict.exit_code == 1


# ---------------------------------------------------------------------------------------------
# run


def test_run_writes_each_action_and_records_it(workspace: Path) -> None:
    out = workspace / "sortie"
    result = relance("run", "--date", DAY, "--out", out, "-c", workspace / "relance.toml")
    assert result.exit_code == 0, result.output
    keys = expected_plan(workspace)  # the journal now says: nothing left
    assert keys == []
    stored = records(workspace)
    written = sorted(p.name for p in out.iterdir())
    assert len(stored) == len(written) > 20
    assert all(name.endswith(".eml") for name in written)  # relance_1 and courtoisie e-mails
    assert f"Recorded {len(stored)} action(s)" in result.stdout
    eml = named(out, f"{DAY}_C001_relance_1", ".eml").read_bytes()
    assert b"Message-ID: <rl-" in eml
    assert b"To: " in eml
    # The reference recorded is the e-mail's Message-ID.
    by_client = {client: reference for _key, client, reference in stored}
    assert by_client["C001"] is not None
    assert by_client["C001"].encode() in eml


def test_running_twice_the_same_day_writes_and_records_nothing_new(workspace: Path) -> None:
    out = workspace / "sortie"
    config = workspace / "relance.toml"
    first = relance("run", "--date", DAY, "--out", out, "-c", config)
    assert first.exit_code == 0, first.output
    before_files, before_records = files(out), records(workspace)
    second = relance("run", "--date", DAY, "--out", out, "-c", config)
    assert second.exit_code == 0, second.output
    assert "Nothing to write" in second.stdout
    assert files(out) == before_files
    assert records(workspace) == before_records


def test_dry_run_writes_the_files_but_records_nothing(workspace: Path) -> None:
    out = workspace / "apercu"
    config = workspace / "relance.toml"
    keys = expected_plan(workspace)
    result = relance("run", "--date", DAY, "--out", out, "--dry-run", "-c", config)
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was recorded" in result.stdout
    assert len(list(out.iterdir())) == len(keys)
    assert not (workspace / "relance-journal.sqlite").exists()  # not even created
    assert expected_plan(workspace) == keys  # still due
    assert records(workspace) == []


def test_dry_run_after_a_real_run_records_nothing_more(workspace: Path) -> None:
    config = workspace / "relance.toml"
    sample = load_sample()
    with SqliteJournal(workspace / "relance-journal.sqlite") as journal:
        sample.replay(journal, end=sample.as_of - dt.timedelta(days=3))
    before = records(workspace)
    result = relance("run", "--date", DAY, "--out", workspace / "apercu", "--dry-run", "-c", config)
    assert result.exit_code == 0, result.output
    assert list((workspace / "apercu").iterdir())
    assert records(workspace) == before


def test_a_client_without_e_mail_gets_the_step_by_letter(raw_workspace: Path) -> None:
    # french_default: an e-mail step falls back to a letter (issue 11), reported as a warning;
    # the escalation no longer stalls on the missing address.
    out = raw_workspace / "sortie"
    result = relance("run", "--date", DAY, "--out", out, "-c", raw_workspace / "relance.toml")
    assert result.exit_code == 0, result.output
    assert "goes by letter instead of email (fallback)" in result.output
    clients = {client for _key, client, _ref in records(raw_workspace)}
    assert {"C001", "C004"} <= clients


def test_manual_channels_are_written_but_left_to_record_by_hand(workspace: Path) -> None:
    config = workspace / "relance.toml"
    text = config.read_text(encoding="utf-8")
    start, end = text.index("[policy]"), text.index("# A softer policy")
    config.write_text(
        text[:start]
        + '[policy]\n[[policy.steps]]\nkey = "appel"\noffset_days = 1\nchannel = "phone"\n\n'
        + text[end:],
        encoding="utf-8",
    )
    out = workspace / "appels"
    result = relance("run", "--date", DAY, "--out", out, "--manual", "phone", "-c", config)
    assert result.exit_code == 0, result.output
    scripts = sorted(p.name for p in out.glob("*_appel_rl-*.txt"))
    emails = sorted(p.name for p in out.glob("*.eml"))  # the VIP clients' own policy
    assert len(scripts) > 10
    assert f"Recorded {len(emails)} action(s)" in result.stdout
    assert result.stdout.count("to record once done: relance record rl-") == len(scripts)
    keys = expected_plan(workspace)
    assert len(keys) == len(scripts)  # the calls are still due
    assert (
        relance("record", keys[0], "-r", "appel passé", "--date", DAY, "-c", config).exit_code == 0
    )
    assert len(expected_plan(workspace)) == len(keys) - 1


@pytest.mark.slow
def test_run_after_a_history_writes_letters_and_call_scripts(workspace: Path) -> None:
    sample = load_sample()
    with SqliteJournal(workspace / "relance-journal.sqlite") as journal:
        sample.replay(journal)
    out = workspace / "sortie"
    result = relance("run", "--date", DAY, "--out", out, "-c", workspace / "relance.toml")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert {Path(n).suffix for n in names} == {".eml", ".txt", ".pdf"}
    letter = named(out, f"{DAY}_C009_mise_en_demeure", ".pdf").name
    assert named(out, f"{DAY}_C004_relance_1", ".eml").name in names
    assert named(out, f"{DAY}_C005_lettre_relance", ".pdf").read_bytes().startswith(b"%PDF")
    assert "FA-2026-0016" in named(out, f"{DAY}_C012_appel", ".txt").read_text(encoding="utf-8")
    refs = {
        client: ref
        for _key, client, ref in records(workspace)
        if ref and not ref.startswith("simulation")
    }
    assert refs["C009"] == letter  # a letter: its file name
    assert refs["C001"].startswith("<rl-")  # an e-mail: its Message-ID
    assert "3 letters" in result.stdout
    assert "2 call scripts" in result.stdout


def test_a_run_that_finds_the_action_recorded_leaves_the_other_runs_file_and_writes_nothing(
    tmp_path: Path,
) -> None:
    sample = load_sample()
    out = tmp_path / "out"
    with SqliteJournal(tmp_path / "j.sqlite") as journal:
        day = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, journal)
        action = day.actions[0]
        # The other run: planned the same day, claimed, wrote and recorded the action first.
        first, first_failed = carry_out(
            [action], sample.creditor, out, journal, policy=sample.policy
        )
        assert first_failed == []
        assert len(first) == 1
        theirs = {p.name: p.read_bytes() for p in out.iterdir()}
        # This run planned before the other recorded it: its claim finds the action recorded.
        written, failed = carry_out([action], sample.creditor, out, journal, policy=sample.policy)
        assert len(journal.records()) == 1
    assert written == []
    assert len(failed) == 1
    assert "already recorded" in failed[0].reason
    assert not failed[0].stays_due
    assert {p.name: p.read_bytes() for p in out.iterdir()} == theirs


def cii_invoice(number: str, seller_siren: str, due: dt.date) -> bytes:
    """A Factur-X (CII) invoice from the suite's one CII builder (tests/cii.py)."""
    return build_cii(
        number,
        issue_date=due - dt.timedelta(days=30),
        due=due,
        seller_name="Imprimerie des Canuts SARL",
        seller_siren=seller_siren,
        buyer_id="C001",
        buyer_name="Boulangerie Pâtisserie Gauthier",
        buyer_siren=None,
        buyer_email=None,
        buyer_address=None,
        product="Affiches",
        net=Decimal("500.00"),
    )


def test_plan_from_a_facturx_folder_with_the_clients_file(workspace: Path) -> None:
    creditor_siren = load_sample().creditor.siren
    assert creditor_siren is not None
    folder = workspace / "factures-pdf"
    folder.mkdir()
    (folder / "FX-1.xml").write_bytes(cii_invoice("FX-1", creditor_siren, dt.date(2026, 3, 13)))
    (folder / "FX-2.xml").write_bytes(cii_invoice("FX-2", "552100554", dt.date(2026, 3, 13)))
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not an invoice")
    (folder / "lisez-moi.txt").write_text("ignored")
    config = workspace / "relance.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[sources]")
    config.write_text(
        # Two of the three files are refused on purpose: allow it (sources.max_rejected).
        text[:start]
        + '[sources]\nclients = "clients.csv"\nfacturx = "factures-pdf"\nmax_rejected = 0.9\n',
        encoding="utf-8",
    )
    result = relance("plan", "--date", DAY, "-c", config, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [
        (a["client_id"], a["step"], [i["invoice"] for i in a["items"]]) for a in data["actions"]
    ] == [("C001", "relance_1", ["FX-1"])]
    problems = " ".join(data["import_problems"])
    assert "FX-2.xml: issued by SIREN 552100554" in problems
    assert "notes.pdf" in problems
    assert "lisez-moi" not in problems
    # The buyer comes from the clients file (its e-mail address), not from the invoice.
    table = relance("plan", "--date", DAY, "-c", config)
    assert "C001 Boulangerie Pâtisserie Gauthier" in table.stdout
    run = relance("run", "--date", DAY, "-c", config, "--out", workspace / "out", "--dry-run")
    assert run.exit_code == 0, run.output
    eml = named(workspace / "out", f"{DAY}_C001_relance_1", ".dry-run.eml").read_bytes()
    parsed = email.message_from_bytes(eml, policy=email.policy.default)
    assert parsed["To"] == "Boulangerie Pâtisserie Gauthier <compta@boulangerie-gauthier.fr>"


# ---------------------------------------------------------------------------------------------
# record and history


def test_record_an_action_done_by_hand_then_see_it_in_history(workspace: Path) -> None:
    config = workspace / "relance.toml"
    key = expected_plan(workspace)[0]
    result = relance(
        "record",
        key,
        "--reference",
        "appel de Mme Gauthier, paiement promis",
        "--date",
        DAY,
        "-c",
        config,
    )
    assert result.exit_code == 0, result.output
    assert "Recorded relance_1 for C001" in result.stdout
    assert key not in expected_plan(workspace)
    again = relance("record", key, "--date", DAY, "-c", config)
    assert again.exit_code == 0
    assert "Already recorded on 2026-03-16 (reference appel de Mme Gauthier" in again.stdout
    history = relance("history", "-c", config)
    assert history.exit_code == 0, history.output
    assert key in history.stdout
    assert "appel de Mme Gauthier" in history.stdout
    only = relance("history", "C002", "-c", config)
    assert "No action recorded for client 'C002'." in only.stdout
    data = json.loads(relance("history", "C001", "-c", config, "--format", "json").stdout)
    assert data == [
        {
            "date": DAY,
            "client_id": "C001",
            "step": "relance_1",
            "channel": "email",
            "steps": [{"invoice": "FA-2026-0022", "step": "relance_1"}],
            "reference": "appel de Mme Gauthier, paiement promis",
            "key": key,
        }
    ]
    csv_out = relance("history", "-c", config, "-f", "csv").stdout.splitlines()
    assert csv_out[0] == "date,client_id,step,channel,invoices,reference,key"
    assert len(csv_out) == 2


def test_record_an_unknown_key_is_a_usage_error(workspace: Path) -> None:
    result = relance(
        "record", "rl-nope", "-r", "x", "--date", DAY, "-c", workspace / "relance.toml"
    )
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1
    assert "no action with key 'rl-nope' is due on 2026-03-16" in result.stderr


def test_history_without_a_journal_is_a_data_error(workspace: Path) -> None:
    result = relance("history", "-c", workspace / "relance.toml")
    assert result.exit_code == ExitCode.DATA
    assert "no journal yet" in result.stderr


# ---------------------------------------------------------------------------------------------
# Errors: one line, file, line and key, a documented exit code.


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("min_gap_days = 5 ", "min_gap_dayz = 5 ", "policy.min_gap_dayz"),
        ('iban = "FR76 3000 4012', 'iban = "FR76 3000 4013', "creditor.iban"),
        ("offset_days = 15\n", "offset_days = 5\n", "policies.vip.steps[2].offset_days"),
    ],
)
def test_bad_config_is_one_line_naming_file_line_and_key(
    workspace: Path, old: str, new: str, key: str
) -> None:
    config = workspace / "relance.toml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    config.write_text(bad, encoding="utf-8")
    line = next(n for n, content in enumerate(bad.splitlines(), 1) if new.strip() in content)
    result = relance("plan", "--date", DAY, "-c", config)
    assert result.exit_code == ExitCode.USAGE == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"relance: error: {config}:{line}: {key}: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_missing_config_is_a_usage_error(tmp_path: Path) -> None:
    result = relance("plan", "-c", tmp_path / "relance.toml")
    assert result.exit_code == 2
    assert "no such file (run 'relance init" in result.stderr


def test_missing_data_file_is_a_data_error(workspace: Path) -> None:
    (workspace / "factures.csv").unlink()
    result = relance("plan", "-c", workspace / "relance.toml", "--date", DAY)
    assert result.exit_code == ExitCode.DATA == 3
    assert (
        result.stderr
        == f"relance: error: {workspace / 'factures.csv'}: no such file (named in {workspace / 'relance.toml'})\n"
    )


def test_config_without_sources_is_a_usage_error(tmp_path: Path) -> None:
    assert relance("init", tmp_path / "relance.toml").exit_code == 0
    config = tmp_path / "relance.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("[sources]")], encoding="utf-8")
    result = relance("plan", "-c", config)
    assert result.exit_code == 2
    assert "sources: names no invoices" in result.stderr


@pytest.mark.parametrize("bad", ["31/02/2026", "2026-13-01", "demain", "16-03-2026"])
def test_bad_date_is_a_usage_error(workspace: Path, bad: str) -> None:
    result = relance("plan", "--date", bad, "-c", workspace / "relance.toml")
    assert result.exit_code == 2
    assert "Invalid value for '--date'" in result.stderr


def test_an_unexpected_error_is_one_line_with_exit_5(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in for a bug anywhere below the command.
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("relancelib.cli.loading.plan", broken)
    result = relance("plan", "--date", DAY, "-c", workspace / "relance.toml")
    assert result.exit_code == ExitCode.INTERNAL == 5
    assert result.stderr == (
        "relance: error: internal error: RuntimeError: boom; second line "
        "(run again with --debug for the traceback, and report it)\n"
    )


@pytest.mark.slow
def test_debug_shows_the_traceback(workspace: Path) -> None:
    config = workspace / "relance.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\nunknown = 1\n", encoding="utf-8")
    quiet = run_entry_point("plan", "-c", config, cwd=workspace)
    assert quiet.returncode == 2
    assert "Traceback" not in quiet.stderr
    loud = run_entry_point("plan", "-c", config, "--debug", cwd=workspace)
    assert loud.returncode != 0
    assert "Traceback" in loud.stderr
    assert "ConfigError" in loud.stderr


# ---------------------------------------------------------------------------------------------
# init, the entry point, demo


def test_init_writes_a_config_that_loads_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = relance("init", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "relance.toml")
    assert config.creditor.name == "Atelier Dupont SARL"
    again = relance("init", cwd=tmp_path)
    assert again.exit_code == 2
    assert "already exists (use --force" in again.stderr
    assert relance("init", "--force", cwd=tmp_path).exit_code == 0


@pytest.mark.slow
def test_entry_point_plan_through_a_real_process(workspace: Path) -> None:
    version = run_entry_point("--version", cwd=workspace)
    assert version.returncode == 0
    assert "relance, version" in version.stdout
    result = run_entry_point("plan", "--date", DAY, cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "C001 Boulangerie Pâtisserie Gauthier" in result.stdout


@pytest.mark.slow
def test_relance_config_environment_variable(
    workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    env = {**os.environ, "RELANCE_CONFIG": str(workspace / "relance.toml")}
    result = subprocess.run(
        [*entry_point(), "plan", "--date", DAY, "-f", "json"],
        cwd=elsewhere, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["actions"]


@pytest.mark.slow
def test_demo_runs_on_the_sample_portfolio(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run_entry_point("demo", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "relancelib demo — Imprimerie des Canuts SARL" in result.stdout
    assert "Plan for lundi 16 mars 2026" in result.stdout
    assert "Replayed the reminders" in result.stdout
    names = {p.name for p in out.iterdir()}
    assert DEMO_JOURNAL in names
    assert {Path(n).suffix for n in names} >= {".eml", ".pdf", ".txt"}
    assert named(out, f"{DAY}_C009_mise_en_demeure", ".pdf").name in names
    assert f"Wrote {len(names) - 1} file(s) to {out}/" in result.stdout
    # A fresh journal every time: running the demo again gives the same day.
    again = run_entry_point("demo", "--out", out, cwd=tmp_path)
    assert again.returncode == 0
    assert f"Wrote {len(names) - 1} file(s)" in again.stdout


def test_demo_on_another_day(tmp_path: Path) -> None:
    result = relance("demo", "--date", "2026-03-20", "--out", tmp_path / "d")
    assert result.exit_code == 0, result.output
    assert "vendredi 20 mars 2026" in result.stdout


# ---------------------------------------------------------------------------------------------
# docs/cli.md is checked against the code.

CLI_DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def test_documented_exit_codes_are_the_codes() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    table = {int(code) for code in re.findall(r"^\| (\d+) \|", text, flags=re.M)}
    assert table == {int(code) for code in ExitCode} | {130}


def test_every_command_and_option_is_documented() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"### `relance {name}`" in text
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help":
                    assert option in text, (name, option)


def test_help_lists_the_commands_and_exit_codes() -> None:
    result = relance("--help")
    assert result.exit_code == 0
    for name in ("plan", "run", "record", "history", "init", "demo"):
        assert name in result.stdout
    assert "Exit codes" in result.stdout


def test_progress_bar_on_a_terminal_does_not_change_the_result(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    sample = load_sample()
    day = plan(sample.invoices, sample.clients, sample.policy, sample.as_of)
    emails = [a for a in day.actions if a.client.email is not None]
    assert len(emails) >= 10  # enough for the bar to show
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    written, failed = carry_out(
        emails, sample.creditor, tmp_path / "out", None, policy=sample.policy, progress=terminal
    )
    assert failed == []
    assert len(written) == len(emails) == len(list((tmp_path / "out").iterdir()))
    assert "Writing messages" in screen.getvalue()


def test_a_journal_failure_after_writing_removes_the_file(tmp_path: Path) -> None:
    sample = load_sample()
    day = plan(sample.invoices, sample.clients, sample.policy, sample.as_of)
    journal = SqliteJournal(tmp_path / "j.sqlite")
    journal.close()  # recording now fails: the journal cannot store the action
    with pytest.raises(JournalError, match=r"closed database"):
        carry_out(day.actions[:1], sample.creditor, tmp_path / "out", journal, policy=sample.policy)
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.slow
def test_an_ascii_terminal_does_not_crash_a_run(workspace: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    env.pop("RELANCE_CONFIG", None)
    result = subprocess.run(
        [*entry_point(), "plan", "--date", DAY],
        cwd=workspace, capture_output=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"C001 Boulangerie P?tisserie Gauthier" in result.stdout


def named(folder: Path, stem: str, suffix: str) -> Path:
    """The one file of ``folder`` named ``<stem>_<action key><suffix>`` (issue 10: every
    action's file name holds its key)."""
    found = [
        p for p in folder.glob(f"{stem}_rl-*{suffix}") if p.name.count(".") == suffix.count(".")
    ]
    assert len(found) == 1, (stem, suffix, sorted(p.name for p in folder.iterdir()))
    return found[0]


# The plan table at the width it is printed at (issue 11: readable at 80 columns, no amount
# broken over lines; the key column may go).


def long_plan() -> Plan:
    """A client with a long name, long invoice numbers and amounts in the millions, and a
    client in dollars."""
    name = "Société Coopérative Agricole des Producteurs de Fruits et Légumes du Sud-Ouest"
    clients = [make_business("C-000123456", name), make_business("C2", "Café")]
    invoices = [
        make_invoice("FACT-2026-000001", "C-000123456", due=dt.date(2026, 1, 15), amount="1234567.89"),
        make_invoice("FACT-2026-000002", "C-000123456", due=dt.date(2026, 2, 1), amount="98765.43"),
        make_invoice("F9", "C2", due=dt.date(2026, 1, 15), amount="12.00", currency="USD"),
    ]
    return plan(invoices, clients, ReminderPolicy.french_default(), dt.date(2026, 3, 16))


def printed(renderable: object, width: int) -> list[str]:
    screen = Console(file=io.StringIO(), width=width, no_color=True, highlight=False)
    screen.print(renderable)
    return [line.rstrip() for line in screen.file.getvalue().splitlines()]  # type: ignore[attr-defined]


def test_the_plan_table_fits_80_columns_without_breaking_an_amount() -> None:
    assert printed(plan_table(long_plan()), 80) == [
        "                          Plan for lundi 16 mars 2026",
        "┏━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓",
        "┃                ┃ Step,      ┃              ┃                ┃                ┃",
        "┃ Client         ┃ channel    ┃ Invoices     ┃          Total ┃        Claimed ┃",
        "┡━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩",
        "│ C-000123456    │ relance_1  │ FACT-2026-00 │ 1\u202f333\u202f333,32\u00a0€ │ 1\u202f333\u202f333,32\u00a0€ │",
        "│ Société        │ e-mail     │ 0001         │                │                │",
        "│ Coopérative    │            │ FACT-2026-00 │                │                │",
        "│ Agricole des…  │            │ 0002         │                │                │",
        "│ C2 Café        │ relance_1  │ F9           │      12,00\u00a0$US │      12,00\u00a0$US │",
        "│                │ e-mail     │              │                │                │",
        "└────────────────┴────────────┴──────────────┴────────────────┴────────────────┘",
        "      Keys not shown at this width: relance plan --format json lists them.",
    ]


def test_the_sample_plan_at_80_columns_keeps_invoice_numbers_and_amounts_whole() -> None:
    sample = load_sample()
    day = plan(sample.invoices, sample.clients, sample.policy, sample.as_of)
    lines = printed(plan_table(day), 80)
    assert max(len(line) for line in lines) == 80
    assert lines[5] == "│ C001 Boulangerie     │ relance_1  │ FA-2026-0022 │  1\u202f840,00\u00a0€ │  1\u202f840,00\u00a0€ │"
    assert lines[6] == "│ Pâtisserie Gauthier  │ e-mail     │              │             │             │"
    for action in day.actions:
        assert action.key not in "\n".join(lines)
        for number, _step in action.steps:
            assert any(number in line for line in lines), number


def test_a_wide_console_shows_the_whole_name_and_the_keys() -> None:
    day = long_plan()
    lines = printed(plan_table(day), 160)
    text = "\n".join(lines)
    assert "Keys not shown" not in text
    for action in day.actions:
        assert action.key in text
    assert lines[4].startswith("│ C-000123456 Société Coopérative    │ relance_1 │ e-mail  │ FACT-2026-000001,")
    assert lines[5].startswith("│ Agricole des Producteurs de Fruits │")
    assert max(len(line) for line in lines) <= 160


def test_a_name_is_cut_at_a_word() -> None:
    assert cut_name("Société Coopérative Agricole des Producteurs", 30) == "Société Coopérative Agricole…"
    assert cut_name("Café", 30) == "Café"
    assert cut_name("A" * 50, 30) == "A" * 29 + "…"


def test_an_empty_plan_prints_an_empty_table_at_any_width() -> None:
    empty = plan([], [], ReminderPolicy.french_default(), dt.date(2026, 3, 16))
    assert "Keys not shown at this width" in "\n".join(printed(plan_table(empty), 80))
    assert "Client" in "\n".join(printed(plan_table(empty), 160))
