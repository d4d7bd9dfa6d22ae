"""Sending over TLS: STARTTLS and SMTPS (SSL from the start) against a real aiosmtpd server on
127.0.0.1, with a self-signed certificate the test makes (the ``cryptography`` package).

The client checks the certificate against that one authority and the host name (an IP
address in the certificate): the same checks as with a real server.  The server's log is
the oracle: what it received, over which protocol, from which login.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from relancelib import Channel, MemoryJournal, plan
from relancelib.engine import Action
from relancelib.outbox import NotWritten, SmtpSender, Written, carry_out
from relancelib.sample import Sample, load_sample
from test_smtp import free_port

PASSWORD = "tr3s-secr3t"


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key: (certificate, key) PEM files."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relancelib test SMTP")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - dt.timedelta(days=3650))
        .not_valid_after(start + dt.timedelta(days=36500))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def server_context(authority: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*authority)
    return context


def client_context(authority: tuple[Path, Path]) -> ssl.SSLContext:
    """Verifies the server's certificate and host name against the test's authority only."""
    return ssl.create_default_context(cafile=str(authority[0]))


class Log:
    """What the server received: (Message-ID, TLS version, login) per message."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str | None, bytes | None]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        secured = server.transport.get_extra_info("ssl_object")
        tls = secured.version() if secured is not None else None
        login = session.auth_data.login if session.auth_data else None
        with self.lock:
            self.messages.append((str(parsed["Message-ID"]), tls, login))
        return "250 OK"


class Server(NamedTuple):
    log: Log
    port: int
    security: str


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and data.password == PASSWORD.encode()
    # handled=False: aiosmtpd answers 535 itself.
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


@pytest.fixture(params=["starttls", "ssl"])
def server(authority: tuple[Path, Path], request: pytest.FixtureRequest) -> Iterator[Server]:
    """An SMTP server on 127.0.0.1: ``starttls`` (TLS required before MAIL and AUTH) or
    ``ssl`` (TLS from the first byte), with LOGIN/PLAIN authentication."""
    log, port = Log(), free_port()
    # SMTPS: aiosmtpd sees no STARTTLS, so it must not wait for one before AUTH.
    options: dict[str, Any] = {"authenticator": authenticate, "auth_require_tls": False}
    if request.param == "starttls":
        options |= {"tls_context": server_context(authority), "require_starttls": True}
    else:
        options |= {"ssl_context": server_context(authority)}
    controller = Controller(log, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield Server(log, port, request.param)
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def sample() -> Sample:
    return load_sample()


@pytest.fixture(scope="module")
def emails(sample: Sample) -> list[Action]:
    history = MemoryJournal()
    sample.replay(history, end=sample.as_of)
    day = plan(sample.invoices, sample.clients, sample.policy, sample.as_of, history)
    return [a for a in day.actions if a.channel is Channel.EMAIL and a.client.email][:3]


def send(sample: Sample, actions: list[Action], out: Path, sender: SmtpSender) -> Any:
    with sender:
        return carry_out(
            actions, sample.creditor, out, MemoryJournal(), policy=sample.policy, email=sender
        )


def sender(port: int, security: str, context: ssl.SSLContext, **options: Any) -> SmtpSender:
    defaults: dict[str, Any] = {"username": "relances", "password": PASSWORD, "backoff": 0.01}
    return SmtpSender(
        "127.0.0.1", port, security=security, sender="relances@canuts.fr", timeout=5.0,
        ssl_context=context, **(defaults | options),
    )  # fmt: skip


def test_messages_go_over_tls_with_the_certificate_checked_and_a_login(
    server: Server, authority: tuple[Path, Path], sample: Sample, emails: list[Action],
    tmp_path: Path,
) -> None:  # fmt: skip
    smtp = sender(server.port, server.security, client_context(authority))
    result = send(sample, emails, tmp_path, smtp)
    assert all(isinstance(o, Written) and o.via == "smtp" for o in result.outcomes)
    assert sorted(m for m, _tls, _login in server.log.messages) == sorted(
        o.reference for o in result.written
    )
    assert len(server.log.messages) == len(emails) == 3
    assert {tls for _m, tls, _login in server.log.messages} <= {"TLSv1.2", "TLSv1.3"}
    assert {login for _m, _tls, login in server.log.messages} == {b"relances"}


def test_a_certificate_the_client_does_not_trust_sends_nothing(
    server: Server, sample: Sample, emails: list[Action], tmp_path: Path
) -> None:
    # The system's authorities do not know the test's certificate.
    untrusting = ssl.create_default_context()
    smtp = sender(server.port, server.security, untrusting, retries=0)
    (outcome,) = send(sample, emails[:1], tmp_path, smtp).outcomes
    assert isinstance(outcome, NotWritten)
    assert outcome.stays_due
    assert "certificate verify failed" in outcome.reason
    assert server.log.messages == []


def test_a_wrong_password_is_refused_and_never_shown(
    server: Server, authority: tuple[Path, Path], sample: Sample, emails: list[Action],
    tmp_path: Path,
) -> None:  # fmt: skip
    smtp = sender(server.port, server.security, client_context(authority), password="faux")
    (outcome,) = send(sample, emails[:1], tmp_path, smtp).outcomes
    assert isinstance(outcome, NotWritten)
    assert outcome.stays_due
    assert outcome.reason == "127.0.0.1: authentication refused (535)"
    assert server.log.messages == []


@pytest.mark.parametrize("server", ["starttls"], indirect=True)
def test_a_server_that_requires_starttls_refuses_plain_text(
    server: Server, sample: Sample, emails: list[Action], tmp_path: Path
) -> None:
    plain = sender(server.port, "none", ssl.create_default_context(), username=None, retries=0)
    (outcome,) = send(sample, emails[:1], tmp_path, plain).outcomes
    assert isinstance(outcome, NotWritten)
    assert outcome.stays_due
    assert outcome.reason.startswith("530 sender refused")
    assert server.log.messages == []
