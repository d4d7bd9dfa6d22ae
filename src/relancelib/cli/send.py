"""``relance send``: ``relance run --send`` — e-mails sent through the config's ``[smtp]``
server, the rest written into the folder; and the sender the command builds from the config."""

from __future__ import annotations

import os

from relancelib.cli.exits import ExitCode, fail
from relancelib.config import Config
from relancelib.outbox import SmtpSender

__all__ = ["smtp_sender"]


def smtp_sender(config: Config) -> SmtpSender:
    """The :class:`SmtpSender` of the config's ``[smtp]`` table; the password is read from
    the environment variable it names (never printed)."""
    settings = config.smtp
    if settings is None:
        fail("sending needs an [smtp] table in the config (docs/config.md)", ExitCode.USAGE)
    password = None
    if settings.password_env is not None:
        password = os.environ.get(settings.password_env)
        if not password:
            fail(
                f"the environment variable {settings.password_env} (smtp.password_env) "
                "is not set: it holds the SMTP password",
                ExitCode.USAGE,
            )
    sender = settings.sender or config.creditor.email
    if sender is None:
        fail("sending needs smtp.from or creditor.email (the sender's address)", ExitCode.USAGE)
    # RELANCE_SMTP_BACKOFF: seconds before the first retry (tests make it short).
    backoff = float(os.environ.get("RELANCE_SMTP_BACKOFF", "2"))
    return SmtpSender(
        settings.host,
        settings.port,
        security=settings.security,
        username=settings.username,
        password=password,
        sender=sender,
        rate=settings.rate,
        retries=settings.retries,
        backoff=backoff,
        timeout=float(os.environ.get("RELANCE_SMTP_TIMEOUT", "30")),
    )
