"""Sending e-mails through an SMTP server, with the standard library's :mod:`smtplib`.

:class:`SmtpSender` keeps a copy of each message in the outbox folder (the message as sent,
for the evidence dossier), then sends it: STARTTLS, SSL or plain, authentication, a rate
limit, retries with backoff on temporary failures (4xx, refused connection, timeout), a
permanent failure on 5xx.  The envelope addresses are IDNA-encoded (``compta@société.fr``
goes out as ``compta@xn--socit-esab.fr``).  SMTP is not idempotent: when the connection
drops after the message's data went out, the sender cannot know whether it was accepted and
says so (:class:`UncertainDelivery`) instead of sending it twice.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from relancelib.checks import check_integer, check_single_line
from relancelib.errors import InvalidFieldError
from relancelib.journal import Claim
from relancelib.outbox.files import write_atomically
from relancelib.outbox.payload import Payload
from relancelib.outbox.senders import PermanentFailure, TemporaryFailure, UncertainDelivery

__all__ = ["SECURITIES", "SmtpSender", "envelope_address"]

#: How the connection is secured: STARTTLS on a plain port, SSL from the start, or none.
SECURITIES = ("starttls", "ssl", "none")


def envelope_address(address: str) -> str:
    """``address`` as the SMTP envelope needs it: ASCII, the domain IDNA-encoded.

    A local part (before the ``@``) that is not ASCII needs SMTPUTF8, which this sender
    does not use: a :class:`PermanentFailure` says so.
    """
    if not isinstance(address, str):
        raise InvalidFieldError("must be an e-mail address (text)", field="address", value=address)
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise PermanentFailure(f"not an e-mail address: {address!r}")
    if not local.isascii():
        raise PermanentFailure(f"{address}: a non-ASCII local part needs SMTPUTF8 (not supported)")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise PermanentFailure(f"{address}: the domain cannot be IDNA-encoded") from None
    return f"{local}@{ascii_domain}"


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA sends it: CRLF line ends, leading dots doubled, ``.`` at the end."""
    lines = re.sub(rb"\r\n|\n|\r", b"\r\n", data)
    lines = re.sub(rb"(?m)^\.", b"..", lines)
    if not lines.endswith(b"\r\n"):
        lines += b"\r\n"
    return lines + b".\r\n"


class SmtpSender:
    """Sends each e-mail through one SMTP server, keeping its copy in the outbox folder.

    ``password`` is given by the caller (the command line reads it from the environment
    variable the config names); it is never stored in a claim nor shown in a message.
    ``rate`` is the most messages a minute (None: no limit); ``retries`` how many more
    times a temporary failure is tried, after ``backoff``, then twice that, and so on.
    """

    via = "smtp"
    idempotent = False

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        sender: str,
        rate: float | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(security, str) or security not in SECURITIES:
            raise InvalidFieldError(
                f"must be one of {', '.join(SECURITIES)}", field="smtp.security", value=security
            )
        check_single_line(host, "smtp.host", what="host name")
        if not 0 < check_integer(port, "smtp.port") < 65536:
            raise InvalidFieldError(
                "must be a TCP port (1 to 65535)", field="smtp.port", value=port
            )
        for value, field in ((username, "smtp.username"), (password, "smtp.password")):
            if value is not None and not isinstance(value, str):
                raise InvalidFieldError("must be text or None", field=field, value="…")
        if check_integer(retries, "smtp.retries") < 0:
            raise InvalidFieldError("must not be negative", field="smtp.retries", value=retries)
        for number, field in ((rate, "smtp.rate"), (backoff, "smtp.backoff"),
                              (timeout, "smtp.timeout")):  # fmt: skip
            if number is None and field == "smtp.rate":
                continue
            if (
                isinstance(number, bool)
                or not isinstance(number, (int, float))
                or not 0 <= number < float("inf")
            ):
                raise InvalidFieldError(
                    "must be a finite number, not negative", field=field, value=number
                )
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise InvalidFieldError(
                "must be an ssl.SSLContext or None", field="ssl_context", value=ssl_context
            )
        if not callable(sleep) or not callable(clock):
            raise InvalidFieldError("must be callable", field="sleep/clock", value=sleep)
        self.host, self.port, self.security = host, port, security
        self._username, self._password = username, password
        self.sender = envelope_address(sender)
        self._interval = 0.0 if not rate else 60.0 / rate
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self._context = ssl_context
        self._sleep, self._clock = sleep, clock
        self._connection: smtplib.SMTP | None = None
        self._last: float | None = None
        #: How many messages this sender handed to the server (accepted with 250).
        self.sent = 0

    def __repr__(self) -> str:
        # Never the password.
        return f"SmtpSender({self.host!r}, {self.port}, security={self.security!r})"

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT and close the connection (if one is open)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    def check(self, claim: Claim) -> bool | None:
        """SMTP cannot tell whether an earlier attempt was accepted."""
        return None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        context = self._context or ssl.create_default_context()
        try:
            if self.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            connection.ehlo()
            if self.security == "starttls":
                connection.starttls(context=context)
                connection.ehlo()
            if self._username:
                connection.login(self._username, self._password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentFailure(
                f"{self.host}: authentication refused ({exc.smtp_code})"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise _failure(exc.smtp_code, f"{self.host}: {_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(
                f"{self.host}:{self.port}: cannot connect ({_reason(exc)})"
            ) from None
        self._connection = connection
        return connection

    def deliver(self, payload: Payload, path: Path, recipients: tuple[str, ...]) -> None:
        """Keep the copy at ``path``, then send, retrying temporary failures."""
        if not recipients:
            raise PermanentFailure("the message has no recipient")
        envelope = tuple(envelope_address(r) for r in recipients)
        write_atomically(path, payload.data)
        attempt = 0
        while True:
            try:
                self._send_once(payload.data, envelope)
                return
            except TemporaryFailure:
                self.close()
                if attempt >= self.retries:
                    raise
                self._sleep(self.backoff * 2**attempt)
                attempt += 1

    def _pace(self) -> None:
        if self._interval and self._last is not None:
            wait = self._last + self._interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last = self._clock()

    def _send_once(self, data: bytes, recipients: tuple[str, ...]) -> None:
        self._pace()
        connection = self._connect()
        data_sent = False
        try:
            code, reply = connection.mail(self.sender)
            if code != 250:
                raise _failure(code, f"sender refused: {_text(reply)}")
            for recipient in recipients:
                code, reply = connection.rcpt(recipient)
                if code not in (250, 251):
                    raise _failure(code, f"{recipient} refused: {_text(reply)}")
            connection.putcmd("data")
            code, reply = connection.getreply()
            if code != 354:
                raise _failure(code, f"DATA refused: {_text(reply)}")
            data_sent = True
            connection.send(_dot_stuffed(data))
            code, reply = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._connection = None
            if data_sent:
                raise UncertainDelivery(
                    f"{self.host}: the connection dropped after the message was sent "
                    f"({_reason(exc)}): it may or may not have been accepted"
                ) from None
            raise TemporaryFailure(f"{self.host}: connection lost ({_reason(exc)})") from None
        except (PermanentFailure, TemporaryFailure):
            self._reset(connection)
            raise
        if code != 250:
            self._reset(connection)
            raise _failure(code, f"message refused: {_text(reply)}")
        self.sent += 1

    def _reset(self, connection: smtplib.SMTP) -> None:
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            self._connection = None


def _failure(code: int, message: str) -> PermanentFailure | TemporaryFailure:
    """A 4xx reply is temporary, anything else unexpected permanent."""
    text = f"{code} {message}"
    return TemporaryFailure(text) if 400 <= code < 500 else PermanentFailure(text)


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return _text(str(exc)) or type(exc).__name__
