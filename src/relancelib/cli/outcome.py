"""``relance outcome``: what the call of a recorded action gave."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from relancelib.cli.journaling import Built, event_options, find_record, make, record_label, store
from relancelib.config import Config
from relancelib.events import CallOutcome, CallResult

__all__ = ["outcome_command"]

#: What to do next, after each result ({invoice}: the action's invoice, when it has one).
_NEXT = {
    CallResult.PROMISED: "Pour suspendre les relances : relance promise {invoice} --until DATE",
    CallResult.DISPUTED: "Pour arrêter les relances : relance dispute {invoice} --reason …",
    CallResult.WRONG_NUMBER: "Corrigez le numéro du client dans le fichier des clients.",
}


@click.command("outcome")
@click.argument("key")
@click.argument("result", type=click.Choice([r.value for r in CallResult]))
@event_options
def outcome_command(
    key: str,
    result: str,
    day: dt.date | None,
    who: str,
    note: str,
    output: str,
    config_path: Path | None,
) -> None:
    """Record what the call of the recorded action KEY gave: reached (client joint),
    message (message laissé), wrong-number (faux numéro), promised (paiement promis) or
    disputed (facture contestée)."""

    def build(config: Config, as_of: dt.date) -> Built:
        record = find_record(config, key)
        event = make(CallOutcome, on=as_of, action_key=key, result=result, note=note, who=who)
        numbers = record.invoice_numbers
        invoice = numbers[0] if len(numbers) == 1 else "FACTURE"
        then = _NEXT.get(CallResult(result), "").format(invoice=invoice)
        return Built(event, record_label(record), record.client_id, then=then)

    store(config_path, build, day=day, output=output)
