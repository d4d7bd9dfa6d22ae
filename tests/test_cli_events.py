"""The event commands through the real ``relance`` command, on the sample portfolio of
``relance init --sample`` and its SQLite journal: promise, instalments, dispute, resolve,
hold, release, outcome, cancel — and a cron user's weeks around a promise to pay."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from relancelib import ReminderPolicy, SqliteJournal, plan
from relancelib.config import load_config, load_portfolio
from relancelib.events import (
    CallOutcome,
    CallResult,
    Cancellation,
    Dispute,
    DisputeResolved,
    Hold,
    HoldReleased,
    PromiseToPay,
)
from test_cli import DAY, relance, run_entry_point

JOURNAL = "relance-journal.sqlite"
NNBSP, NBSP = "\u202f", "\u00a0"


def euros(text: str) -> str:
    """``"1 840,00 €"`` written with the narrow and the plain no-break spaces."""
    whole, _space, _sign = text.rpartition(" ")
    return whole.replace(" ", NNBSP) + NBSP + "€"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    result = relance("init", tmp_path / "relance.toml", "--sample")
    assert result.exit_code == 0, result.output
    return tmp_path


def run(folder: Path, *args: str) -> tuple[int, str, str]:
    """``relance ARGS -c FOLDER/relance.toml``, run in FOLDER (relative paths land there)."""
    result = relance(*args, "-c", folder / "relance.toml", cwd=folder)
    return result.exit_code, result.stdout, result.stderr


def events(folder: Path, **filters: str) -> tuple[object, ...]:
    with SqliteJournal(folder / JOURNAL, read_only=True) as journal:
        return journal.events(**filters)


def records(folder: Path, client_id: str) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    with SqliteJournal(folder / JOURNAL, read_only=True) as journal:
        return [(r.on.isoformat(), r.key, r.steps) for r in journal.records(client_id)]


def test_a_promise_is_recorded_once_and_says_so(workspace: Path) -> None:
    args = ("promise", "FA-2026-0022", "--until", "03/04/2026", "--date", "2026-03-17")
    code, out, err = run(workspace, *args, "--who", "Claire", "--note", "au téléphone")
    assert (code, err) == (0, "")
    label = (
        "facture FA-2026-0022 (C001 Boulangerie Pâtisserie Gauthier, solde "
        f"{euros('1 840,00 €')}) — règlement promis au 3 avril 2026."
    )
    assert out == f"Promesse de paiement enregistrée le 17 mars 2026 : {label}\n"
    code, out, err = run(workspace, *args, "--who", "Claire", "--note", "au téléphone")
    assert (code, err) == (0, "")
    assert out == f"Déjà enregistrée : promesse de paiement du 17 mars 2026, {label}\n"
    (promise,) = events(workspace)
    assert isinstance(promise, PromiseToPay)
    assert (promise.invoice_number, promise.who, promise.note) == (
        "FA-2026-0022",
        "Claire",
        "au téléphone",
    )
    # The journal knows the invoice's client: forget and the client's list find it.
    assert events(workspace, client_id="C001") == (promise,)


def test_a_promise_of_part_of_the_balance_as_json(workspace: Path) -> None:
    code, out, err = run(
        workspace,
        "promise",
        "C001",
        "--until",
        "2026-04-03",
        "--amount",
        "1 000,50",
        "--date",
        "2026-03-17",
        "--format",
        "json",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    (promise,) = events(workspace)
    assert data == {
        "recorded": True,
        "key": promise.key,  # type: ignore[attr-defined]
        "client_id": "C001",
        "event": {
            "kind": "promise",
            "on": "2026-03-17",
            "note": "",
            "who": "",
            "until": "2026-04-03",
            "invoice_number": None,
            "client_id": "C001",
            "amount": "1000.50",
        },
    }
    code, out, _err = run(
        workspace, "promise", "C001", "--until", "2026-04-03", "--amount", "1 000,50",
        "--date", "2026-03-17", "--format", "json",
    )  # fmt: skip
    assert json.loads(out)["recorded"] is False


def test_an_instalment_plan_splits_the_balance(workspace: Path) -> None:
    code, out, err = run(
        workspace, "instalments", "FA-2026-0002", "--count", "3", "--every", "30",
        "--date", "2026-03-17",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "Échéancier enregistré le 17 mars 2026 : facture FA-2026-0002 (C003 Traiteur "
        f"Bellecour SAS, solde {euros('6 780,00 €')}) — 3 échéances, total "
        f"{euros('6 780,00 €')} :\n"
        f"  1. 16 avril 2026 : {euros('2 260,00 €')}\n"
        f"  2. 16 mai 2026 : {euros('2 260,00 €')}\n"
        f"  3. 15 juin 2026 : {euros('2 260,00 €')}\n"
    )
    code, out, err = run(
        workspace, "instalments", "FA-2026-0028", "--count", "4", "--every", "7",
        "--first", "2026-04-01", "--date", "2026-03-17", "--format", "json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert json.loads(out)["event"]["instalments"] == [
        {"due": "2026-04-01", "amount": "368.75"},
        {"due": "2026-04-08", "amount": "368.75"},
        {"due": "2026-04-15", "amount": "368.75"},
        {"due": "2026-04-22", "amount": "368.75"},
    ]


def test_a_dispute_stops_and_its_resolution_resumes(workspace: Path) -> None:
    code, _out, err = run(workspace, "resolve", "FA-2026-0010", "--date", "2026-03-17")
    assert code == 2
    assert err == (
        "relance: error: no dispute open on invoice FA-2026-0010 on 2026-03-17 "
        "('relance dispute' records one)\n"
    )
    code, out, err = run(
        workspace, "dispute", "FA-2026-0010", "--reason", "livraison incomplète",
        "--date", "2026-03-17",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "Litige enregistré le 17 mars 2026 : facture FA-2026-0010 (C005 Cabinet d'architectes "
        f"Fourvière, solde {euros('4 200,00 €')}) — « livraison incomplète » ; plus de relance "
        "jusqu'à la fin du litige.\n"
    )
    plan = json.loads(run(workspace, "plan", "--date", "2026-03-17", "--format", "json")[1])
    assert not [a for a in plan["actions"] if a["client_id"] == "C005"]
    code, out, err = run(workspace, "resolve", "FA-2026-0010", "--date", "2026-03-20")
    assert (code, err) == (0, "")
    assert out.startswith("Fin de litige enregistrée le 20 mars 2026 : facture FA-2026-0010 ")
    assert out.endswith(" — les relances reprennent où elles s'étaient arrêtées.\n")
    kinds = [type(e) for e in events(workspace, invoice_number="FA-2026-0010")]
    assert kinds == [Dispute, DisputeResolved]
    code, out, err = run(workspace, "events", "FA-2026-0010")
    assert (code, err) == (0, "")
    assert out == (
        "2026-03-17 Litige : facture FA-2026-0010 — « livraison incomplète » ; plus de relance "
        "jusqu'à la fin du litige\n"
        "2026-03-20 Fin de litige : facture FA-2026-0010 — les relances reprennent où elles "
        "s'étaient arrêtées\n"
    )
    rows = json.loads(run(workspace, "events", "C005", "--format", "json")[1])
    assert [(row["kind"], row["on"]) for row in rows] == [
        ("dispute", "2026-03-17"),
        ("resolution", "2026-03-20"),
    ]
    assert run(workspace, "events", "C001")[1] == "No event recorded for C001.\n"


def test_a_hold_on_a_client_or_an_invoice_and_its_release(workspace: Path) -> None:
    code, out, err = run(
        workspace, "hold", "C007", "--until", "2026-03-31", "--date", "2026-03-17",
        "--note", "en congés",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "Mise en attente enregistrée le 17 mars 2026 : client C007 Éditions du Marais SARL — "
        "aucune relance jusqu'au 31 mars 2026 inclus.\n"
    )
    code, out, err = run(workspace, "hold", "FA-2026-0017", "--until", "1/4/2026", "-d", DAY)
    assert (code, err) == (0, "")
    assert out.startswith("Mise en attente enregistrée le 16 mars 2026 : facture FA-2026-0017 ")
    code, out, err = run(workspace, "release", "C007", "--date", "2026-03-18")
    assert (code, err) == (0, "")
    assert out == (
        "Levée de la mise en attente enregistrée le 18 mars 2026 : client C007 Éditions du "
        "Marais SARL — les relances reprennent.\n"
    )
    assert [type(e) for e in events(workspace, client_id="C007")] == [Hold, HoldReleased]
    assert [type(e) for e in events(workspace, client_id="C008")] == [Hold]
    code, _out, err = run(workspace, "release", "C008", "--date", "2026-03-18")
    assert (code, err) == (2, "relance: error: no hold on C008 on 2026-03-18 to release\n")
    code, _out, err = run(workspace, "hold", "C008", "--until", "2026-03-01", "-d", DAY)
    assert code == 2
    assert err == (
        "relance: error: --until 2026-03-01 is before the day of the hold (2026-03-16)\n"
    )


def test_outcome_and_cancel_name_a_recorded_action(workspace: Path) -> None:
    code, _out, err = run(workspace, "outcome", "rl-nope", "reached", "-d", DAY)
    assert (code, err) == (
        2,
        "relance: error: no recorded action with key 'rl-nope' ('relance history' lists them)\n",
    )
    code, _out, _err = run(workspace, "run", "--date", DAY, "--out", str(workspace / "sortie"))
    assert code == 0
    ((on, key, steps),) = records(workspace, "C004")
    assert (on, steps) == (DAY, (("FA-2026-0023", "relance_1"),))
    action = f"action {key} (C004, relance_1 du 16 mars 2026, facture FA-2026-0023)"
    code, out, err = run(workspace, "outcome", key, "wrong-number", "-d", "2026-03-17")
    assert (code, err) == (0, "")
    assert out == (
        f"Résultat d'appel enregistré le 17 mars 2026 : {action} — faux numéro.\n"
        "Corrigez le numéro du client dans le fichier des clients.\n"
    )
    code, out, err = run(
        workspace, "cancel", key, "--why", "lettre jamais postée", "-d", "2026-03-17",
        "--who", "Claire",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        f"Annulation enregistrée le 17 mars 2026 : {action} — « lettre jamais postée » ; ses "
        "étapes redeviennent dues (le prochain plan les reprend sous une nouvelle clé).\n"
    )
    outcome, cancel = events(workspace, client_id="C004")
    assert isinstance(outcome, CallOutcome)
    assert outcome.result is CallResult.WRONG_NUMBER
    assert isinstance(cancel, Cancellation)
    assert (cancel.action_key, cancel.who) == (key, "Claire")
    code, _out, err = run(workspace, "cancel", key, "--why", "autre", "-d", "2026-03-18")
    assert (code, err) == (
        2,
        f"relance: error: action {key} was already cancelled on 2026-03-17 "
        "(lettre jamais postée)\n",
    )
    # The next plan proposes the step again, under a new key, and it can be recorded.
    plan = json.loads(run(workspace, "plan", "--date", "2026-03-17", "--format", "json")[1])
    (again,) = [a for a in plan["actions"] if a["client_id"] == "C004"]
    assert again["step"] == "relance_1"
    assert again["key"] != key
    code, out, _err = run(workspace, "record", again["key"], "-r", "posté", "-d", "2026-03-17")
    assert code == 0, out
    assert [(r[0], r[2]) for r in records(workspace, "C004")] == [
        (DAY, (("FA-2026-0023", "relance_1"),)),
        ("2026-03-17", (("FA-2026-0023", "relance_1"),)),
    ]
    assert run(workspace, "verify")[0] == 0


def test_wrong_arguments_are_one_line_errors(workspace: Path) -> None:
    code, _out, err = run(workspace, "promise", "FA-404", "--until", "2026-04-03", "-d", DAY)
    assert (code, err) == (
        2,
        "relance: error: no invoice nor client 'FA-404' in the portfolio the config reads\n",
    )
    code, _out, err = run(workspace, "dispute", "C001", "--reason", "x", "-d", DAY)
    assert (code, err) == (
        2,
        "relance: error: no invoice 'C001' in the portfolio the config reads\n",
    )
    code, _out, err = run(
        workspace, "promise", "FA-2026-0022", "--until", "2026-04-03", "--amount", "beaucoup",
        "-d", DAY,
    )  # fmt: skip
    assert (code, err) == (
        2,
        "relance: error: --amount: 'beaucoup' is not an amount such as 1 234,50\n",
    )
    code, _out, err = run(
        workspace, "promise", "FA-2026-0022", "--until", "2026-03-01", "-d", "2026-03-17"
    )
    assert (code, err) == (
        2,
        "relance: error: --until 2026-03-01 is before the day of the promise (2026-03-17)\n",
    )
    assert not (workspace / JOURNAL).exists()  # nothing was recorded


def test_the_installed_command_records_an_event(workspace: Path) -> None:
    done = run_entry_point(
        "dispute", "FA-2026-0022", "--reason", "prix", "-d", DAY, "-f", "json",
        "-c", workspace / "relance.toml", cwd=workspace,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["event"]["reason"] == "prix"
    assert [type(e) for e in events(workspace)] == [Dispute]


# ---------------------------------------------------------------------------------------------
# A cron user: ``relance run`` every morning; on the 17th the client promises on the phone.
#
# FA-2026-0028 (C028, due Wednesday 11 March 2026) gets relance_1 on Monday 16 March; its
# next step, the call (due + 8 days, and 5 days after the last action), is due from Monday
# 23 March.  On the 17th the client promises to pay by Friday 27 March: with two business
# days of grace the invoice is paused through Tuesday 31 March and, unpaid, the call comes
# back on Wednesday 1 April.


@pytest.fixture(scope="module")
def cron(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("cron")
    assert relance("init", folder / "relance.toml", "--sample").exit_code == 0
    out = str(folder / "sortie")
    seen: dict[str, object] = {}
    assert run(folder, "run", "--date", DAY, "--out", out)[0] == 0
    before = json.loads(run(folder, "plan", "--date", "2026-03-23", "--format", "json")[1])
    seen["due without the promise"] = [
        a["step"] for a in before["actions"] if a["client_id"] == "C028"
    ]
    code, said, _err = run(
        folder, "promise", "FA-2026-0028", "--until", "2026-03-27", "--date", "2026-03-17"
    )
    assert code == 0, said
    for day in ("2026-03-17", "2026-03-23", "2026-03-27", "2026-03-31", "2026-04-01"):
        code, said, _err = run(folder, "run", "--date", day, "--out", out)
        assert code == 0, said
    seen["records"] = records(folder, "C028")
    seen["files"] = sorted(p.name for p in Path(out).iterdir() if "_C028_" in p.name)
    seen["folder"] = folder
    return seen


def test_a_promise_pauses_the_invoice_until_its_grace_is_over(cron: dict[str, object]) -> None:
    assert cron["due without the promise"] == ["appel"]
    recorded = cron["records"]
    assert isinstance(recorded, list)
    assert [(on, steps) for on, _key, steps in recorded] == [
        ("2026-03-16", (("FA-2026-0028", "relance_1"),)),
        ("2026-04-01", (("FA-2026-0028", "appel"),)),
    ]
    key = recorded[1][1]
    assert cron["files"] == [
        "2026-03-16_C028_relance_1_" + recorded[0][1] + ".eml",
        f"2026-04-01_C028_appel_{key}.txt",
    ]


def test_the_call_after_a_broken_promise_says_so(cron: dict[str, object]) -> None:
    folder = cron["folder"]
    assert isinstance(folder, Path)
    (script,) = (folder / "sortie").glob("2026-04-01_C028_appel_*.txt")
    assert (
        " Malgré votre engagement du 17 mars 2026 de régler cette facture au plus tard le "
        "27 mars 2026, ce règlement ne nous est pas parvenu.\u00a0»\n"
    ) in script.read_text(encoding="utf-8")


def test_the_cron_journal_verifies(cron: dict[str, object]) -> None:
    folder = cron["folder"]
    assert isinstance(folder, Path)
    shutil.copyfile(folder / JOURNAL, folder / "copy.sqlite")
    with SqliteJournal(folder / "copy.sqlite") as journal:
        assert journal.verify().ok
        (promise,) = journal.events(client_id="C028")
        assert isinstance(promise, PromiseToPay)


def test_release_resumes_a_client_handed_over_after_its_formal_notice(workspace: Path) -> None:
    # C021's only invoice, FA-2025-0426, due 7 January 2026: under after_formal_notice =
    # "handover" the file is handed over on 19 March (the notice of 23 February and its
    # deadline passed), then nothing until a person resumes the client.
    config = load_config(workspace / "relance.toml")
    portfolio = load_portfolio(config)
    invoices = [i for i in portfolio.invoices if i.client_id == "C021"]
    policy = ReminderPolicy(
        "handover", ReminderPolicy.french_default().steps, after_formal_notice="handover"
    )
    steps = []
    with SqliteJournal(workspace / JOURNAL) as journal:
        day = dt.date(2026, 1, 8)
        while day <= dt.date(2026, 3, 20):
            for action in plan(invoices, portfolio.clients, policy, day, journal).actions:
                journal.record(action)
                steps.append((day.isoformat(), action.step.key))
            day += dt.timedelta(days=1)
    assert steps[-2:] == [("2026-02-23", "mise_en_demeure"), ("2026-03-19", "remise_contentieux")]
    code, _out, err = run(workspace, "release", "C021", "-d", "2026-03-18")
    assert (code, err) == (2, "relance: error: no hold on C021 on 2026-03-18 to release\n")
    code, out, err = run(workspace, "release", "C021", "-d", "2026-03-20", "--who", "Claire")
    assert (code, err) == (0, "")
    assert out == (
        "Levée de la mise en attente enregistrée le 20 mars 2026 : client C021 Chantier Naval "
        "de l'Estaque — les relances reprennent.\n"
    )
    code, _out, err = run(workspace, "release", "C021", "-d", "2026-03-23")
    assert (code, err) == (2, "relance: error: no hold on C021 on 2026-03-23 to release\n")


# ---------------------------------------------------------------------------------------------
# docs/daily-work.md: its command lines run, in order, and the event commands print what the
# page shows.

DOCS = Path(__file__).resolve().parent.parent / "docs" / "daily-work.md"
EVENT_COMMANDS = {
    "promise", "instalments", "dispute", "resolve", "hold", "release", "outcome", "cancel",
    "events",
}  # fmt: skip


def console_commands(text: str) -> list[tuple[list[str], str]]:
    """The ``$ relance …`` lines of the page's console blocks, each with what follows it."""
    found: list[tuple[list[str], str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for chunk in re.split(r"^\$ relance ", block, flags=re.M)[1:]:
            line, _newline, output = chunk.partition("\n")
            found.append((shlex.split(line), output))
    return found


def test_the_daily_work_page_is_what_relance_prints(workspace: Path) -> None:
    sample_day = run(workspace, "run", "--date", DAY, "--out", "x", "--manual", "phone")
    assert sample_day[0] == 0
    commands = console_commands(DOCS.read_text(encoding="utf-8"))
    assert len(commands) > 15
    compared = 0
    for args, shown in commands:
        if "--date" not in args and args[0] != "events":
            args = [*args, "--date", "2026-03-23"]
        code, out, err = run(workspace, *args)
        assert code == 0, (args, err)
        if args[0] in EVENT_COMMANDS:
            printed = out.replace(NNBSP, " ").replace(NBSP, " ")
            assert printed == shown, args
            compared += 1
    assert compared >= 12
