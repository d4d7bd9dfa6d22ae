"""The commented example config ``relance init`` writes (:data:`EXAMPLE_CONFIG`), and the same
with a given creditor and segment policies written in (:func:`example_config`)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from relancelib.checks import check_instance
from relancelib.errors import ConfigError
from relancelib.model import Creditor
from relancelib.policy import ReminderPolicy

__all__ = ["EXAMPLE_CONFIG", "example_config"]

#: The commented example ``relance init`` writes (it loads as is).
EXAMPLE_CONFIG = """\
# relance.toml — configuration of the `relance` command (relancelib).
# Reference of every key: docs/config.md. Relative paths are read from this file's folder.

# Where the journal of the reminders sent is kept (SQLite file, created on first use).
# It is the evidence trail: what was sent, when, by which channel, with which reference.
journal = "relance-journal.sqlite"

# A folder of templates overriding the built-in French ones: <step key>.j2 files.
# templates = "modeles"

# ---------------------------------------------------------------------------------------------
# The business that sends the reminders (printed on every letter).
[creditor]
name = "Atelier Dupont SARL"
siren = "732829320"                          # checked (Luhn key)
iban = "FR76 3000 6000 0112 3456 7890 189"   # checked (ISO 13616 key)
bic = "AGRIFRPP"
email = "compta@atelier-dupont.fr"
phone = "04 72 00 00 00"
payment_link = "https://paiement.atelier-dupont.fr"   # optional, https:// only
signatory = "Marie Dupont, gérante"                   # optional

[creditor.address]
lines = ["12 rue de la République"]
postal_code = "69002"
city = "Lyon"
# country = "FR"

# ---------------------------------------------------------------------------------------------
# The escalation. Either a preset:
[policy]
preset = "french_default"   # courtoisie -5, relance_1 +1, appel +8, relance_2 +15,
                            # lettre_relance +30, mise_en_demeure +45 (days from the due date)
min_gap_days = 5            # at least 5 days between two actions for a client
min_balance = 15.00         # balances of 15,00 € or less are not chased
business_days_only = true   # nothing on weekends and public holidays...
holidays = "FR"             # ...of this calendar ("FR-57", "FR-67", "FR-68" for Alsace-Moselle)

# ...or your own steps, in increasing order of offset (remove `preset` above):
# [[policy.steps]]
# key = "relance_1"          # also the template name unless `template` is given
# offset_days = 3            # days after the due date (negative: before it)
# channel = "email"          # email, phone, sms, letter, registered_letter
# [[policy.steps]]
# key = "mise_en_demeure"
# offset_days = 30
# channel = "registered_letter"
# include_penalties = true   # late-payment penalties and the 40 € indemnity

# A softer policy for the clients of one segment (the `segment` column of the clients file).
# Keys not given here are taken from [policy].
[policies.vip]
min_gap_days = 10

# ---------------------------------------------------------------------------------------------
# Where the invoices come from (see docs/import.md for the CSV columns).
[sources]
clients = "clients.csv"
invoices = "factures.csv"
payments = "reglements.csv"     # optional
# facturx = "factures-pdf"      # a folder of Factur-X PDF / CII XML invoices
# encoding = "auto"             # or "utf-8", "cp1252"

# ---------------------------------------------------------------------------------------------
# Rates published after this version of relancelib (the shipped tables stop at a known date).
# [[law.mro]]                   # ECB main refinancing rate, by date of effect
# start = 2026-07-01
# rate = 2.15
# source = "BCE, taux des opérations principales de refinancement"
# [[law.legal_interest]]        # legal interest rate of a half-year (CMF L313-2)
# start = 2026-07-01
# rate = 2.50                   # "all other cases"
# private_creditor_rate = 6.50  # optional
# source = "arrêté du ... fixant le taux de l'intérêt légal"
"""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(text, ensure_ascii=False)


def _creditor_block(creditor: Creditor) -> str:
    lines = ["[creditor]", f"name = {_toml_string(creditor.name)}"]
    for key in ("siren", "iban", "bic", "email", "phone", "payment_link", "signatory"):
        value = getattr(creditor, key)
        if key == "iban":
            value = creditor.formatted_iban
        if value is not None:
            lines.append(f"{key} = {_toml_string(value)}")
    address = creditor.address
    lines += [
        "",
        "[creditor.address]",
        f"lines = [{', '.join(_toml_string(line) for line in address.lines)}]",
        f"postal_code = {_toml_string(address.postal_code)}",
        f"city = {_toml_string(address.city)}",
        f"country = {_toml_string(address.country)}",
    ]
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    """A TOML key: bare when it can be, else quoted (``"Grands comptes"``)."""
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _segment_block(segment: str, policy: ReminderPolicy) -> str:
    segment = _toml_key(segment)
    lines = [
        f"[policies.{segment}]",
        f"min_gap_days = {policy.min_gap_days}",
        f"min_balance = {policy.min_balance}",
        f"business_days_only = {'true' if policy.business_days_only else 'false'}",
        f"holidays = {_toml_string(policy.holidays)}",
    ]
    for step in policy.steps:
        lines += [
            "",
            f"[[policies.{segment}.steps]]",
            f"key = {_toml_string(step.key)}",
            f"offset_days = {step.offset_days}",
            f"channel = {_toml_string(step.channel.value)}",
        ]
        if step.template is not None:
            lines.append(f"template = {_toml_string(step.template)}")
        if step.include_penalties:
            lines.append("include_penalties = true")
    return "\n".join(lines) + "\n"


def example_config(
    *,
    creditor: Creditor | None = None,
    segments: Mapping[str, ReminderPolicy] | None = None,
) -> str:
    """The commented example config, with ``creditor`` and per-segment ``segments`` policies
    written in when given (``relance init --sample`` uses the sample portfolio's)."""
    if creditor is not None:
        check_instance(creditor, Creditor, "creditor")
    if segments is not None:
        if not isinstance(segments, Mapping):
            raise ConfigError(
                "must be a mapping of segment names to ReminderPolicy objects",
                field="segments",
                value=segments,
            )
        for name, policy in segments.items():
            check_instance(name, str, "segments", what="a segment name (text)")
            check_instance(policy, ReminderPolicy, f"segments[{name!r}]")
    text = EXAMPLE_CONFIG
    if creditor is not None:
        start = text.index("[creditor]\n")
        end = text.index("# ----", start)
        text = text[:start] + _creditor_block(creditor) + "\n" + text[end:]
    if segments is not None:
        old = "[policies.vip]\nmin_gap_days = 10\n"
        blocks = "\n".join(_segment_block(name, segments[name]) for name in sorted(segments))
        text = text.replace(old, blocks)
    return text
