"""The evidence dossier of one client: what was sent, when, with which proof, and what is
owed today — one ZIP file, ready for an *injonction de payer*.

``messages/``: each message as written or sent (the bytes the claim's digest names);
``journal.json``: the client's records, amendments (LRAR numbers, receipt dates) and chain
entries with their hashes, and the whole journal's verification; ``summary.pdf``: the claim
with penalties to date (``summary.html`` when WeasyPrint is not installed).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from relancelib import law
from relancelib.errors import RelanceError
from relancelib.formatting import format_amount, format_date
from relancelib.journal import Amendment, LedgerJournal, Record, Verification
from relancelib.model import Client, Creditor, Invoice
from relancelib.outbox.files import file_digest
from relancelib.outbox.senders import split_target
from relancelib.rendering.letters import to_pdf

__all__ = ["write_evidence"]


def write_evidence(
    journal: LedgerJournal,
    client: Client,
    invoices: Sequence[Invoice],
    creditor: Creditor,
    out: str | os.PathLike[str],
    *,
    as_of: dt.date,
) -> Path:
    """Write the dossier of ``client`` (its ``invoices`` from the portfolio) to the ZIP file
    ``out``; return its path."""
    path = Path(out)
    records = journal.records(client.id)
    keys = {record.key for record in records}
    claims = [c for c in journal.claims(pending=False) if c.key in keys]
    verification = journal.verify()
    dossier = {
        "client": client.id,
        "as_of": as_of.isoformat(),
        "verification": {
            "ok": verification.ok,
            "entries": verification.entries,
            "head": verification.head,
            "problems": list(verification.problems),
        },
        "records": [
            {
                "key": r.key,
                "on": r.on.isoformat(),
                "channel": r.channel.value,
                "step": r.step,
                "invoices": [list(pair) for pair in r.steps],
                "reference": r.reference,
            }
            for r in records
        ],
        "amendments": [
            {
                "key": a.key,
                "on": a.on.isoformat(),
                "lrar": a.lrar,
                "receipt": None if a.receipt is None else a.receipt.isoformat(),
                "reference": a.reference,
                "note": a.note,
            }
            for a in journal.amendments()
            if a.key in keys
        ],
        "chain": [entry.to_json() for entry in journal.chain() if entry.key in keys],
    }
    owed = [i for i in invoices if i.client_id == client.id and i.balance(as_of) > 0]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        missing = []
        for claim in claims:
            _via, message = split_target(claim.target)
            found = file_digest(message)
            if found is None or (claim.digest is not None and found != claim.digest):
                missing.append(str(message))
                continue
            archive.write(message, f"messages/{message.name}")
        dossier["missing_messages"] = missing
        archive.writestr("journal.json", json.dumps(dossier, ensure_ascii=False, indent=2))
        amendments = [a for a in journal.amendments() if a.key in keys]
        page = _summary_html(client, creditor, owed, records, amendments, verification, as_of)
        try:
            archive.writestr("summary.pdf", to_pdf(page))
        except RelanceError:
            archive.writestr("summary.html", page)
    return path


def _summary_html(
    client: Client,
    creditor: Creditor,
    invoices: Sequence[Invoice],
    records: Sequence[Record],
    amendments: Sequence[Amendment],
    verification: Verification,
    as_of: dt.date,
) -> str:
    """A one-page summary: the invoices, their balance, penalties and indemnity to date,
    and the actions taken (with LRAR numbers)."""
    e = html.escape
    rows = []
    totals: dict[str, Decimal] = {}
    for invoice in invoices:
        balance = invoice.balance(as_of)
        try:
            found = law.claim(invoice, client, as_of)
            penalties = found.penalties.amount if found.penalties is not None else None
            indemnity = found.indemnity
        except RelanceError:
            penalties, indemnity = None, Decimal("0")
        due = balance + (penalties or 0)
        totals[invoice.currency] = totals.get(invoice.currency, Decimal("0")) + due
        rows.append(
            f"<tr><td>{e(invoice.number)}</td><td>{e(format_date(invoice.issue_date))}</td>"
            f"<td>{e(format_date(invoice.due_date))}</td>"
            f"<td>{e(format_amount(balance, invoice.currency))}</td>"
            f"<td>{e(_amount(penalties, invoice.currency))}</td>"
            f"<td>{e(format_amount(indemnity, 'EUR'))}</td></tr>"
        )
    actions = "".join(
        f"<li>{e(format_date(r.on))} — {e(r.step or '')} ({e(r.channel.value)}) — "
        f"{e(r.reference or '')}</li>"
        for r in records
    )
    letters = "".join(
        f"<li>{e(a.key)} : LRAR {e(a.lrar or '—')}, avis de réception signé le "
        f"{e('—' if a.receipt is None else format_date(a.receipt))}</li>"
        for a in amendments
    )
    penalty_text = {True: "intègre", False: "ALTÉRÉE"}[verification.ok]
    total = " + ".join(format_amount(v, c) for c, v in sorted(totals.items())) or "0"
    return (
        "<html><head><meta charset='utf-8'><style>body{font-family:sans-serif;font-size:10pt}"
        "td,th{border:1px solid #999;padding:2px 4px}table{border-collapse:collapse}</style>"
        f"</head><body><h1>Dossier de recouvrement — {e(client.name)}</h1>"
        f"<p>Créancier : {e(creditor.name)}. Débiteur : {e(client.name)} ({e(client.id)}). "
        f"Situation au {e(format_date(as_of))}.</p>"
        "<table><tr><th>Facture</th><th>Date</th><th>Échéance</th><th>Solde</th>"
        f"<th>Pénalités à date</th><th>Indemnité</th></tr>{''.join(rows)}</table>"
        f"<p>Total dû (principal et pénalités, hors indemnité) : {e(total)}</p>"
        f"<h2>Relances</h2><ul>{actions}</ul><h2>Lettres recommandées</h2><ul>{letters}</ul>"
        f"<p>Journal : chaîne d'empreintes SHA-256 {penalty_text} "
        f"(tête {e(verification.head)}).</p>"
        "</body></html>"
    )


def _amount(amount: Decimal | None, currency: str) -> str:
    return "à calculer" if amount is None else format_amount(amount, currency)
