"""What the outbox gives the messages besides the action: the client's available credit
(``carry_out(credits=...)``, which ``relance run`` fills from the portfolio) and, for the
handover file, the client's records from the journal — in one process and in several."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

import relancelib as rl
from factories import make_creditor
from relancelib.journal import MemoryJournal
from relancelib.outbox import carry_out

D = dt.date
POLICY = rl.ReminderPolicy.french_default()
CLIENT = rl.Client(
    "C1",
    "Hôtel du Lac",
    email="compta@hotel-du-lac.fr",
    phone="+33 4 79 00 00 00",
    address=rl.Address(("1 quai du Lac",), "73100", "Aix-les-Bains"),
)


def invoice(number: str) -> rl.Invoice:
    return rl.Invoice(
        number, "C1", D(2026, 1, 5), D(2026, 2, 4), Decimal("1000.00"), sent_on=D(2026, 1, 5)
    )


def text_of(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    assert body is not None
    return str(body.get_content())


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_e_mail_carried_out_mentions_the_client_s_available_credit(
    tmp_path: Path, jobs: int
) -> None:
    actions = rl.plan([invoice("FA-1"), invoice("FA-2")], [CLIENT], POLICY, D(2026, 2, 5)).actions
    result = carry_out(
        actions,
        make_creditor(),
        tmp_path / "out",
        MemoryJournal(),
        policy=POLICY,
        credits={"C1": {"EUR": Decimal("120.00")}},
        jobs=jobs,
    )
    (written,) = result.written
    assert (
        "Nous disposons par ailleurs d\u2019un avoir de 120,00\u00a0\u20ac en votre faveur"
        in re.sub(r"[ \n]+", " ", text_of(written.path))  # lines joined, nbsp kept
    )


def test_a_client_without_credit_gets_no_sentence_about_one(tmp_path: Path) -> None:
    actions = rl.plan([invoice("FA-1")], [CLIENT], POLICY, D(2026, 2, 5)).actions
    result = carry_out(
        actions, make_creditor(), tmp_path / "out", MemoryJournal(), policy=POLICY, credits={}
    )
    assert "avoir" not in text_of(result.written[0].path)


def test_credits_that_are_not_a_mapping_are_refused_naming_the_argument(tmp_path: Path) -> None:
    with pytest.raises(rl.InvalidFieldError, match=r"^credits: "):
        carry_out((), make_creditor(), tmp_path, None, policy=POLICY, credits=[1])  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (make test)")
def test_the_handover_file_lists_the_reminders_the_journal_holds(tmp_path: Path) -> None:
    journal = MemoryJournal()
    for day in (D(2026, 2, 5), D(2026, 2, 12), D(2026, 2, 19), D(2026, 3, 6), D(2026, 3, 23)):
        for action in rl.plan([invoice("FA-1")], [CLIENT], POLICY, day, journal):
            journal.record(action, on=day)
    handover = rl.ReminderPolicy("handover", POLICY.steps, after_formal_notice="handover")
    actions = rl.plan([invoice("FA-1")], [CLIENT], handover, D(2026, 4, 16), journal).actions
    assert [a.step.key for a in actions] == ["remise_contentieux"]
    result = carry_out(actions, make_creditor(), tmp_path / "out", journal, policy=handover)
    (written,) = result.written
    text = subprocess.run(
        ["pdftotext", "-layout", str(written.path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for day in ("05/02/2026", "12/02/2026", "19/02/2026", "06/03/2026", "23/03/2026"):
        assert day in text, day


def test_relance_run_mentions_a_credit_note_of_the_export_in_the_client_s_e_mail(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from relancelib.cli.main import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "relance.toml"), "--sample"]).exit_code == 0
    with (tmp_path / "factures.csv").open("a", encoding="utf-8") as invoices:
        invoices.write("AV-2026-001;C003;10/02/2026;10/02/2026;-120,00;EUR;non;;10/02/2026\n")
    config = str(tmp_path / "relance.toml")
    out = tmp_path / "sortie"
    result = runner.invoke(cli, ["run", "--date", "2026-03-02", "--out", str(out), "-c", config])
    assert "C003 Traiteur Bellecour SAS: 120,00\u00a0€ — Avoir AV-2026-001" in result.output
    (mail,) = out.glob("2026-03-02_C003_*.eml")
    assert "d\u2019un avoir de 120,00\u00a0\u20ac en votre faveur" in text_of(mail)


def test_the_run_summary_counts_each_kind_of_file_in_the_singular_or_the_plural(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from relancelib.cli.main import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "relance.toml"), "--sample"]).exit_code == 0
    config = str(tmp_path / "relance.toml")
    for day in ("2026-03-02", "2026-03-09"):
        out = str(tmp_path / day)
        result = runner.invoke(cli, ["run", "--date", day, "--out", out, "-c", config])
    assert f"Wrote 23 file(s) to {out}/ (5 e-mails, 1 letter, 17 call scripts)." in result.output
