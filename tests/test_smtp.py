"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1) with injected faults.

The server's log is the oracle: every due e-mail is delivered exactly once, across faults,
uncertain sends settled by a person, and reruns.  Counts are printed (docs/reliability.md).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from relancelib import Channel, MemoryJournal, SqliteJournal, plan
from relancelib.engine import Action, Plan
from relancelib.outbox import (
    NotWritten,
    PermanentFailure,
    SmtpSender,
    Uncertain,
    Written,
    carry_out,
    envelope_address,
)
from relancelib.sample import Sample, load_sample

#: Injected faults and deliveries, summed over the module (printed at the end).
COUNTS = {"faults": 0, "delivered": 0}


class FaultyHandler:
    """An SMTP handler that logs each accepted message and plays queued faults first."""

    def __init__(self) -> None:
        self.log: list[tuple[str, tuple[str, ...]]] = []
        self.faults: list[str] = []
        self.lock = threading.Lock()

    def _fault(self, stage: str) -> str | None:
        with self.lock:
            if self.faults and self.faults[0].startswith(stage):
                COUNTS["faults"] += 1
                return self.faults.pop(0).split(":", 1)[1]
        return None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        fault = self._fault("rcpt")
        if fault is not None:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        fault = self._fault("data")
        if fault == "drop":
            server.transport.close()  # the message came in whole, no reply goes out
            return "250 never sent"
        if fault is not None:
            return fault
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.log.append((str(parsed["Message-ID"]), tuple(envelope.rcpt_tos)))
            COUNTS["delivered"] += 1
        return "250 OK"

    def ids(self) -> list[str]:
        return [message_id for message_id, _to in self.log]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[FaultyHandler, int]]:
    handler = FaultyHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def sample() -> Sample:
    return load_sample()


@pytest.fixture(scope="module")
def day(sample: Sample) -> Plan:
    history = MemoryJournal()
    sample.replay(history, end=sample.as_of)
    return plan(sample.invoices, sample.clients, sample.policy, sample.as_of, history)


def emails(day: Plan) -> list[Action]:
    return [a for a in day.actions if a.channel is Channel.EMAIL and a.client.email]


def sender(port: int, **options: Any) -> SmtpSender:
    defaults: dict[str, Any] = {
        "security": "none",
        "sender": "relances@canuts.fr",
        "backoff": 0.01,
        "timeout": 2.0,
    }
    return SmtpSender("127.0.0.1", port, **(defaults | options))


def carry(sample: Sample, actions: list[Action], out: Path, journal: Any, smtp: SmtpSender) -> Any:
    with smtp:
        return carry_out(actions, sample.creditor, out, journal, policy=sample.policy, email=smtp)


def test_every_due_email_is_sent_once_and_recorded_with_its_message_id(
    tmp_path: Path, sample: Sample, day: Plan, smtp: tuple[FaultyHandler, int]
) -> None:
    handler, port = smtp
    actions = emails(day)
    with SqliteJournal(tmp_path / "j.sqlite") as journal:
        result = carry(sample, actions, tmp_path / "out", journal, sender(port))
        again = carry(sample, actions, tmp_path / "out", journal, sender(port))
        assert journal.verify().ok
        references = sorted(r.reference or "" for r in journal.records())
    assert all(isinstance(o, Written) and o.via == "smtp" for o in result.outcomes)
    assert sorted(handler.ids()) == references
    assert len(handler.log) == len(actions) == len(set(handler.ids()))
    assert all(isinstance(o, NotWritten) and not o.stays_due for o in again.outcomes)
    # The copy of each message as sent is kept in the folder.
    assert len(list((tmp_path / "out").glob("*.eml"))) == len(actions)


def test_temporary_failures_are_retried_with_backoff_then_sent_once(
    tmp_path: Path, sample: Sample, day: Plan, smtp: tuple[FaultyHandler, int]
) -> None:
    handler, port = smtp
    handler.faults = [
        "data:451 4.3.0 try again later",
        "rcpt:421 4.7.0 too busy",
        "data:451 4.3.0 later",
    ]
    waits: list[float] = []
    actions = emails(day)[:3]
    journal = MemoryJournal()
    result = carry(sample, actions, tmp_path / "out", journal, sender(port, sleep=waits.append))
    assert [type(o) for o in result.outcomes] == [Written] * 3
    assert len(handler.log) == 3 == len(set(handler.ids()))
    assert waits == [0.01, 0.02, 0.04]  # all three faults hit the first message
    assert journal.verify().ok


def test_a_5xx_is_a_permanent_failure_said_per_action_and_left_due(
    tmp_path: Path, sample: Sample, day: Plan, smtp: tuple[FaultyHandler, int]
) -> None:
    handler, port = smtp
    handler.faults = ["rcpt:550 5.1.1 mailbox unknown"]
    actions = emails(day)[:2]
    journal = MemoryJournal()
    result = carry(sample, actions, tmp_path / "out", journal, sender(port))
    first, second = result.outcomes
    assert isinstance(first, NotWritten)
    assert first.stays_due
    assert (
        first.reason
        == f"550 {envelope_address(actions[0].client.email or '')} refused: 5.1.1 mailbox unknown"
    )
    assert isinstance(second, Written)
    assert [r.key for r in journal.records()] == [actions[1].key]
    # Left due: the next run sends it.
    rerun = carry(sample, actions, tmp_path / "out", journal, sender(port))
    assert isinstance(rerun.outcomes[0], Written)
    assert len(handler.log) == 2 == len(set(handler.ids()))


def test_retries_run_out_after_4xx_and_the_action_stays_due(
    tmp_path: Path, sample: Sample, day: Plan, smtp: tuple[FaultyHandler, int]
) -> None:
    handler, port = smtp
    handler.faults = ["data:451 busy"] * 3
    waits: list[float] = []
    journal = MemoryJournal()
    result = carry(
        sample,
        emails(day)[:1],
        tmp_path / "out",
        journal,
        sender(port, retries=2, sleep=waits.append),
    )
    (outcome,) = result.outcomes
    assert isinstance(outcome, NotWritten)
    assert outcome.reason == "451 message refused: busy"
    assert waits == [0.01, 0.02]  # backoff doubles
    assert journal.records() == ()
    assert journal.claims() == ()
    assert handler.log == []


def test_a_refused_connection_leaves_every_email_due(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nobody listens
    COUNTS["faults"] += 1
    journal = MemoryJournal()
    result = carry(
        sample,
        emails(day)[:2],
        tmp_path / "out",
        journal,
        sender(port, retries=1, sleep=lambda _s: None),
    )
    assert all(isinstance(o, NotWritten) and o.stays_due for o in result.outcomes)
    assert all("cannot connect" in o.reason for o in result.outcomes if isinstance(o, NotWritten))
    assert journal.records() == ()


def test_a_server_that_never_answers_times_out_and_nothing_is_recorded(
    tmp_path: Path, sample: Sample, day: Plan
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # accepts connections, never says a word
        COUNTS["faults"] += 1
        journal = MemoryJournal()
        smtp = sender(silent.getsockname()[1], retries=0, timeout=0.3)
        result = carry(sample, emails(day)[:1], tmp_path / "out", journal, smtp)
    (outcome,) = result.outcomes
    assert isinstance(outcome, NotWritten)
    assert "timed out" in outcome.reason
    assert journal.records() == ()
    assert journal.claims() == ()


def test_a_connection_dropped_after_the_data_is_uncertain_until_a_person_settles_it(
    tmp_path: Path, sample: Sample, day: Plan, smtp: tuple[FaultyHandler, int]
) -> None:
    handler, port = smtp
    handler.faults = ["data:drop"]
    actions = emails(day)[:3]
    with SqliteJournal(tmp_path / "j.sqlite") as journal:
        result = carry(sample, actions, tmp_path / "out", journal, sender(port))
        assert isinstance(result.outcomes[0], Uncertain)
        assert [type(o) for o in result.outcomes[1:]] == [Written, Written]
        assert [u.key for u in result.uncertain] == [actions[0].key]
        # The next run does not send it again: it is still uncertain.
        rerun = carry(sample, actions, tmp_path / "out", journal, sender(port))
        assert [u.key for u in rerun.uncertain] == [actions[0].key]
        assert len(handler.log) == 2
        # The server's log shows it never arrived: the person cancels; the next run sends it,
        # with the same Message-ID.
        journal.release(actions[0].key, "not in the server's log")
        final = carry(sample, actions, tmp_path / "out", journal, sender(port))
        assert isinstance(final.outcomes[0], Written)
        assert journal.verify().ok
        assert len(journal.records()) == 3
    assert len(handler.log) == 3 == len(set(handler.ids()))


def test_an_idn_recipient_is_sent_with_its_domain_idna_encoded(
    tmp_path: Path, sample: Sample, day: Plan, smtp: tuple[FaultyHandler, int]
) -> None:
    import attrs

    handler, port = smtp
    action = emails(day)[0]
    client = attrs.evolve(action.client, email="compta@société.fr")
    idn = attrs.evolve(action, client=client)
    result = carry(
        sample,
        [idn],
        tmp_path / "out",
        MemoryJournal(),
        sender(port, sender="relances@canuts-société.fr"),
    )
    assert isinstance(result.outcomes[0], Written)
    assert handler.log[0][1] == ("compta@xn--socit-esab.fr",)
    assert envelope_address("compta@société.fr") == "compta@xn--socit-esab.fr"
    with pytest.raises(PermanentFailure, match="non-ASCII local part"):
        envelope_address("société@example.fr")


def test_the_rate_limit_spaces_the_messages(
    tmp_path: Path, sample: Sample, day: Plan, smtp: tuple[FaultyHandler, int]
) -> None:
    handler, port = smtp
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))
        now[0] += seconds

    smtp_sender = sender(port, rate=120, sleep=sleep, clock=lambda: now[0])
    carry(sample, emails(day)[:3], tmp_path / "out", MemoryJournal(), smtp_sender)
    assert waits == [0.5, 0.5]  # 120 a minute: one every half second
    assert len(handler.log) == 3


def test_the_sender_never_shows_its_password() -> None:
    smtp = SmtpSender("mail.example.fr", 587, username="u", password="s3cret-pw", sender="a@b.fr")
    assert "s3cret-pw" not in repr(smtp)


def test_zz_print_the_counts() -> None:
    print(f"\nSMTP faults injected: {COUNTS['faults']}, messages delivered: {COUNTS['delivered']}")
