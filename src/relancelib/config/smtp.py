"""The ``[smtp]`` table of ``relance.toml``: the server ``relance send`` and ``relance run
--send`` send e-mails through.

The password is never in the file: ``password_env`` names the environment variable that
holds it, read by the command when it sends (never stored, never printed).

```toml
[smtp]
host = "smtp.example.fr"
port = 587
security = "starttls"        # "starttls", "ssl" or "none"
username = "relances@example.fr"
password_env = "RELANCE_SMTP_PASSWORD"
from = "relances@example.fr" # default: the creditor's e-mail
rate = 30                    # messages a minute at most
retries = 3                  # more tries of a temporary failure (4xx), with backoff
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from relancelib.checks import check_email
from relancelib.errors import RelanceError

if TYPE_CHECKING:
    from relancelib.config.positions import KeyPath
    from relancelib.config.reader import Reader

__all__ = ["SMTP_KEYS", "SmtpSettings", "read_smtp"]

#: The keys of [smtp] (docs/config.md documents each).
SMTP_KEYS = ("from", "host", "password_env", "port", "rate", "retries", "security", "username")

_SECURITIES = ("starttls", "ssl", "none")
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@attrs.frozen
class SmtpSettings:
    """The SMTP server of the config (the password is only the name of a variable)."""

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password_env: str | None = None
    sender: str | None = None
    rate: int | None = None
    retries: int = 3


def read_smtp(reader: Reader, value: Any) -> SmtpSettings:
    """The validated ``[smtp]`` table."""
    path: KeyPath = ("smtp",)
    table = reader.table(path, value, SMTP_KEYS)
    if "host" not in table:
        raise reader.error((*path, "host"), "is required: the SMTP server's name")
    host = reader.string((*path, "host"), table["host"])
    security = table.get("security", "starttls")
    if security not in _SECURITIES:
        raise reader.error(
            (*path, "security"), f"must be one of {', '.join(_SECURITIES)}", security
        )
    port = _DEFAULT_PORTS[security]
    if "port" in table:
        port = reader.integer((*path, "port"), table["port"])
        if not 0 < port < 65536:
            raise reader.error((*path, "port"), "must be a port number (1-65535)", port)
    sender = reader.optional_string(table, path, "from")
    if sender is not None:
        try:
            sender = check_email(sender, "smtp.from")
        except RelanceError as exc:
            raise reader.refused((*path, "from"), exc) from None
    counts: dict[str, int | None] = {"rate": None, "retries": 3}
    for key in counts:
        if key in table:
            number = reader.integer((*path, key), table[key])
            if not 0 <= number <= 10_000:
                raise reader.error((*path, key), "must be between 0 and 10000", number)
            counts[key] = number
    username = reader.optional_string(table, path, "username")
    password_env = reader.optional_string(table, path, "password_env")
    if username is not None and password_env is None:
        raise reader.error(
            (*path, "password_env"),
            "is required with a username: the name of the environment variable holding "
            "the password (never the password itself)",
        )
    return SmtpSettings(
        host,
        port,
        security,
        username,
        password_env,
        sender,
        counts["rate"],
        counts["retries"] or 0,
    )
