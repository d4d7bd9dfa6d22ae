"""relancelib.outbox (render, write, record each action) and config.load_portfolio."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import attrs
import pytest

from relancelib import (
    Channel,
    ConfigError,
    DataImportError,
    JournalError,
    MemoryJournal,
    SqliteJournal,
    plan,
)
from relancelib.config import EXAMPLE_CONFIG, example_config, load_portfolio, parse_config
from relancelib.engine import Action, Plan
from relancelib.io import read_portfolio, write_clients_csv, write_invoices_csv, write_payments_csv
from relancelib.model import Client
from relancelib.outbox import CarryOutResult, NotWritten, Outcome, Written, carry_out, file_name
from relancelib.sample import Sample, load_sample

# ---------------------------------------------------------------------------------------------
# carry_out


@pytest.fixture(scope="module")
def sample() -> Sample:
    return load_sample()


@pytest.fixture(scope="module")
def day(sample: Sample) -> Plan:
    """The sample's day after its replayed history: actions at several steps."""
    history = MemoryJournal()
    sample.replay(history, end=sample.as_of)
    return plan(sample.invoices, sample.clients, sample.policy, sample.as_of, history)


def without_letters(day: Plan) -> list[Action]:
    """The day's e-mails and calls that can be written (letters are PDFs: slow)."""
    return [
        action
        for action in day.actions
        if not action.channel.is_postal
        and (action.channel is not Channel.EMAIL or action.client.email is not None)
    ]


def on_disk(folder: Path) -> dict[str, Path]:
    """Each message file in ``folder`` by the reference its record carries: an e-mail's
    Message-ID, else the file name."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".eml":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            found[str(message["Message-ID"])] = path
        else:
            found[path.name] = path
    return found


def test_each_action_is_written_then_recorded_in_a_sqlite_journal(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    actions = without_letters(day)
    assert {a.channel for a in actions} == {Channel.EMAIL, Channel.PHONE}
    out = tmp_path / "out"
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        result = carry_out(actions, sample.creditor, out, journal, policy=sample.policy)
    assert isinstance(result, CarryOutResult)
    assert result.out == out
    assert not result.dry_run
    assert result.failed == () == result.still_due == result.to_record
    assert len(result.written) == len(result.recorded) == len(actions)
    with SqliteJournal(tmp_path / "journal.sqlite") as reopened:
        records = reopened.records()
    by_key = {a.key: a for a in actions}
    assert sorted(r.key for r in records) == sorted(by_key)
    for record in records:
        assert (record.on, record.channel) == (sample.as_of, by_key[record.key].channel)
    # A message on disk is a message recorded, and a record is a message on disk.
    files = on_disk(out)
    assert len(files) == len(list(out.iterdir())) == len(records)
    assert set(files) == {r.reference for r in records}
    for written in result.written:
        assert files[written.reference] == written.path
        assert written.path.name == file_name(written.action)


def test_progress_gets_one_outcome_per_action_in_order(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    unreachable = next(
        attrs.evolve(a, client=attrs.evolve(a.client, email=None))
        for a in day.actions
        if a.channel is Channel.EMAIL
    )
    actions = [*without_letters(day)[:3], unreachable, *without_letters(day)[3:6]]
    seen: list[Outcome] = []
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        result = carry_out(
            actions, sample.creditor, tmp_path / "out", journal, policy=sample.policy,
            progress=seen.append,
        )  # fmt: skip
    assert seen == list(result.outcomes)
    assert [outcome.action for outcome in seen] == actions
    assert [type(outcome) for outcome in seen] == [Written] * 3 + [NotWritten] + [Written] * 3


def test_an_action_that_cannot_be_rendered_records_nothing_and_stays_due(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    action = next(a for a in without_letters(day) if a.channel is Channel.EMAIL)
    unreachable = attrs.evolve(action, client=attrs.evolve(action.client, email=None))
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        result = carry_out(
            [unreachable], sample.creditor, tmp_path / "out", journal, policy=sample.policy
        )
        assert not journal.records()
    (miss,) = result.still_due
    assert miss.action == unreachable
    assert "e-mail" in miss.reason
    assert "\n" not in miss.reason
    assert list((tmp_path / "out").iterdir()) == []


def test_a_dry_run_writes_the_files_and_nothing_to_the_journal(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    actions = without_letters(day)[:4]
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        before = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, journal)
        result = carry_out(actions, sample.creditor, tmp_path / "out", None, policy=sample.policy)
        assert not journal.records()
        again = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, journal)
    assert result.dry_run
    assert [w.recorded for w in result.written] == [False] * len(actions)
    assert result.recorded == () == result.to_record
    assert {p.name for p in (tmp_path / "out").iterdir()} == {w.path.name for w in result.written}
    assert again.actions == before.actions


def test_manual_channels_are_written_and_left_to_record(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    actions = without_letters(day)
    calls = [a for a in actions if a.channel is Channel.PHONE]
    assert calls
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        result = carry_out(
            actions, sample.creditor, tmp_path / "out", journal, policy=sample.policy,
            manual=[Channel.PHONE],
        )  # fmt: skip
        recorded = {r.key for r in journal.records()}
    assert [w.action for w in result.to_record] == calls
    assert all(w.path.is_file() and w.path.suffix == ".txt" for w in result.to_record)
    assert recorded == {a.key for a in actions} - {a.key for a in calls}


def test_an_action_another_run_recorded_is_not_written_again(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    action = without_letters(day)[0]
    with SqliteJournal(tmp_path / "journal.sqlite") as journal:
        assert journal.record(action, on=action.on, reference="by the other run")
        result = carry_out(
            [action], sample.creditor, tmp_path / "out", journal, policy=sample.policy
        )
        assert [r.reference for r in journal.records()] == ["by the other run"]
    (miss,) = result.failed
    assert not miss.stays_due
    assert result.still_due == ()
    assert list((tmp_path / "out").iterdir()) == []


def test_a_journal_that_cannot_record_removes_the_file_and_raises(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    journal = SqliteJournal(tmp_path / "journal.sqlite")
    journal.close()
    seen: list[Outcome] = []
    with pytest.raises(JournalError):
        carry_out(
            without_letters(day)[:1], sample.creditor, tmp_path / "out", journal,
            policy=sample.policy, progress=seen.append,
        )  # fmt: skip
    assert seen == []
    assert list((tmp_path / "out").iterdir()) == []


def test_nothing_to_carry_out_still_makes_the_folder(tmp_path: Path, sample: Sample) -> None:
    result = carry_out([], sample.creditor, tmp_path / "a" / "b", None, policy=sample.policy)
    assert result.outcomes == ()
    assert (tmp_path / "a" / "b").is_dir()


# ---------------------------------------------------------------------------------------------
# load_portfolio

CREDITOR = EXAMPLE_CONFIG[: EXAMPLE_CONFIG.index("# ---", EXAMPLE_CONFIG.index("[creditor]"))]


def test_csv_sources_are_read_together(tmp_path: Path, sample: Sample) -> None:
    write_clients_csv(sample.clients, tmp_path / "clients.csv")
    write_invoices_csv(sample.invoices, tmp_path / "factures.csv")
    write_payments_csv(sample.invoices, tmp_path / "reglements.csv")
    config = parse_config(example_config(creditor=sample.creditor), base_dir=tmp_path)
    portfolio = load_portfolio(config)
    read = read_portfolio(
        clients=tmp_path / "clients.csv",
        invoices=tmp_path / "factures.csv",
        payments=tmp_path / "reglements.csv",
    )
    assert portfolio.clients == read.clients
    assert portfolio.invoices == read.invoices
    assert portfolio.problems == read.problems == ()
    assert [i.number for i in portfolio.invoices] == [i.number for i in sample.invoices]


def test_a_config_without_invoices_is_a_config_error() -> None:
    config = parse_config(CREDITOR + '[sources]\nclients = "clients.csv"\n')
    with pytest.raises(ConfigError, match=r"^relance\.toml: sources: names no invoices"):
        load_portfolio(config)


def test_a_missing_source_file_is_a_data_error_naming_it(tmp_path: Path) -> None:
    config = parse_config(
        CREDITOR + '[sources]\nclients = "clients.csv"\ninvoices = "factures.csv"\n',
        base_dir=tmp_path,
    )
    (tmp_path / "clients.csv").write_text("id;nom\n", encoding="utf-8")
    with pytest.raises(DataImportError) as info:
        load_portfolio(config)
    assert str(info.value) == f"{tmp_path / 'factures.csv'}: no such file (named in the config)"


def test_a_missing_facturx_folder_is_a_data_error(tmp_path: Path) -> None:
    config = parse_config(CREDITOR + '[sources]\nfacturx = "absent"\n', base_dir=tmp_path)
    with pytest.raises(DataImportError, match=r"absent: no such folder \(sources\.facturx\)"):
        load_portfolio(config)


def test_facturx_invoices_merge_with_the_clients_file(tmp_path: Path) -> None:
    from cii import cii_invoice

    folder = tmp_path / "factures"
    folder.mkdir()
    (folder / "a.xml").write_bytes(cii_invoice("FA-1", buyer_id="C042"))
    (folder / "b.xml").write_bytes(cii_invoice("FA-2", seller_siren="552100554"))
    (folder / "notes.txt").write_text("not an invoice", encoding="utf-8")
    (folder / "c.XML").write_bytes(b"<broken")
    write_clients_csv(
        [Client("C042", "SGE, comptabilité", email="relances@sge.fr", segment="vip")],
        tmp_path / "clients.csv",
    )
    config = parse_config(
        # Two of the three e-invoices are refused on purpose: allow it (sources.max_rejected).
        CREDITOR + '[sources]\nclients = "clients.csv"\nfacturx = "factures"\nmax_rejected = 0.9\n',
        base_dir=tmp_path,
    )
    portfolio = load_portfolio(config)
    assert [i.number for i in portfolio.invoices] == ["FA-1"]
    (client,) = portfolio.clients
    assert (client.id, client.email, client.segment) == ("C042", "relances@sge.fr", "vip")
    problems = [str(p) for p in portfolio.problems]
    assert any(p.startswith(f"{folder / 'c.XML'}: ") for p in problems), problems
    assert any(
        p.startswith(f"{folder / 'b.xml'}: issued by SIREN 552100554, not by Atelier Dupont SARL")
        and p.endswith("the invoice is left out")
        for p in problems
    ), problems
    assert not any("notes.txt" in p for p in problems)
