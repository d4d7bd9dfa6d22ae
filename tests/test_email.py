"""Tests for relancelib.rendering.email: the e-mail built with the standard library's API.

``Message.to_email()`` returns an ``EmailMessage`` made with ``set_content``,
``add_alternative`` and ``add_related``; these tests pin its structure, its headers as a
reader decodes them (``email.message_from_bytes(..., policy=email.policy.default)``) and the
``Date`` header in Europe/Paris on both sides of a daylight-saving switch.  What the messages
say is pinned by test_rendering.py and its golden files.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import pickle
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import make_business, make_creditor, make_invoice
from relancelib import Action, Client, Creditor, InvalidFieldError, ReminderPolicy, plan
from relancelib.rendering import Message, paris_morning, render

POLICY = ReminderPolicy.french_default()
CREDITOR = make_creditor()
# relance_1 is due the day after the due date (Monday 31 March 2025).
DUE = dt.date(2025, 3, 31)
ON = dt.date(2025, 4, 1)


def action_for(client: Client | None = None) -> Action:
    """The relance_1 action the engine plans for one overdue invoice of ``client``."""
    client = client or make_business()
    day_plan = plan([make_invoice("F-2025-0001", client.id, due=DUE)], [client], POLICY, ON)
    (action,) = day_plan.actions
    assert action.step.key == "relance_1"
    return action


def message_for(
    client: Client | None = None, creditor: Creditor = CREDITOR, **options: object
) -> Message:
    return render(action_for(client), creditor, **options)  # type: ignore[arg-type]


def parse(message: Message) -> EmailMessage:
    """The e-mail as a mail client reads it: its bytes parsed back."""
    parsed = email.message_from_bytes(message.to_email().as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def raw_header(message: Message, name: str) -> str:
    """The header ``name`` as written in the message's bytes, unfolded."""
    head = message.to_email().as_bytes().split(b"\n\n", 1)[0].decode("ascii")
    unfolded = head.replace("\n ", " ").replace("\n\t", " ")
    (line,) = [line for line in unfolded.splitlines() if line.startswith(f"{name}: ")]
    return line[len(name) + 2 :]


# ---------------------------------------------------------------------------------------------
# Structure.


def test_email_is_alternative_of_text_and_related_html_with_the_cid_image() -> None:
    message = message_for()
    assert message.qr_cid is not None
    mail = message.to_email()
    assert mail.get_content_type() == "multipart/alternative"
    text, related = mail.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    assert related.get_param("type") == "text/html"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == f"<{message.qr_cid}>"
    assert image.get_content_disposition() == "inline"
    assert image.get_filename() == "virement-sepa.png"
    assert f'src="cid:{message.qr_cid}"' in html.get_content()


def test_parsed_email_has_the_same_parts_and_contents() -> None:
    message = message_for()
    parsed = parse(message)
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]
    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content() == message.text
    assert html.get_content() == message.html
    (image,) = (part for part in parsed.walk() if part.get_content_maintype() == "image")
    assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")


def test_email_without_qr_code_has_no_related_part() -> None:
    message = message_for(creditor=attrs.evolve(CREDITOR, iban=None, bic=None))
    assert message.qr_cid is None
    parsed = parse(message)
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]


def test_bodies_are_utf8_quoted_printable_and_every_line_short() -> None:
    message = message_for()
    raw = message.to_email().as_bytes()
    assert raw.isascii()  # 7-bit: no relay has to convert it
    assert max(len(line) for line in raw.splitlines()) <= 78
    for part in parse(message).walk():
        if part.get_content_maintype() == "text":
            assert part.get_content_charset() == "utf-8"
            assert part["Content-Transfer-Encoding"] == "quoted-printable"


def test_boundaries_come_from_the_action_key_so_the_bytes_never_change() -> None:
    message = message_for()
    mail = message.to_email()
    assert mail.get_boundary() == f"=_{message.action_key}"
    _text, related = mail.iter_parts()
    assert related.get_boundary() == f"=-{message.action_key}"
    assert message_for().to_email().as_bytes() == mail.as_bytes()


# ---------------------------------------------------------------------------------------------
# Headers, decoded as a reader decodes them.


def test_accented_subject_and_names_round_trip() -> None:
    client = make_business(name="Pâtisserie Hélène & Fils")
    creditor = attrs.evolve(CREDITOR, name="Éditions Lefèvre")
    templates = {
        "relance_1": (
            "{% block subject %}Échéance dépassée : facture {{ reference }} — "
            "réglez-la avant le {{ deadline|date }}{% endblock %}"
            "{% block text %}Bonjour {{ client.name }}{% endblock %}"
        )
    }
    message = message_for(client, creditor, templates=templates)
    subject = "Échéance dépassée : facture F-2025-0001 — réglez-la avant le 9 avril 2025"
    assert message.subject == subject
    head = message.to_email().as_bytes().split(b"\n\n", 1)[0]
    assert head.isascii()
    assert b"=?utf-8?" in head  # RFC 2047 encoded words
    parsed = parse(message)
    assert parsed["Subject"] == subject
    assert parsed["From"].addresses[0].display_name == "Éditions Lefèvre"
    assert parsed["From"].addresses[0].addr_spec == "compta@atelier-dupont.fr"
    assert parsed["To"].addresses[0].display_name == "Pâtisserie Hélène & Fils"
    assert parsed["To"].addresses[0].addr_spec == "compta@boulangerie-martin.fr"


def test_display_name_with_specials_is_quoted() -> None:
    message = message_for(make_business(name='Martin, "Le Fournil" & Cie'))
    assert raw_header(message, "To") == (
        '"Martin, \\"Le Fournil\\" & Cie" <compta@boulangerie-martin.fr>'
    )
    (address,) = parse(message)["To"].addresses
    assert address.display_name == 'Martin, "Le Fournil" & Cie'


def test_message_id_and_relance_key_headers() -> None:
    message = message_for()
    assert message.message_id == f"<{message.action_key}@atelier-dupont.fr>"
    assert raw_header(message, "Message-ID") == message.message_id
    assert raw_header(message, "X-Relance-Key") == message.action_key
    parsed = parse(message)
    assert parsed["Message-ID"] == message.message_id
    assert parsed["MIME-Version"] == "1.0"


def test_internationalised_domains_are_written_in_idna() -> None:
    client = make_business(email="compta@boulangerie-müller.fr")
    creditor = attrs.evolve(CREDITOR, email="compta@éditions.fr")
    message = message_for(client, creditor)
    assert message.message_id == f"<{message.action_key}@xn--ditions-9xa.fr>"
    assert message.qr_cid == f"qr.{message.action_key}@xn--ditions-9xa.fr"
    assert raw_header(message, "To") == ("Boulangerie Martin <compta@xn--boulangerie-mller-f3b.fr>")
    assert raw_header(message, "From") == "Atelier Dupont SARL <compta@xn--ditions-9xa.fr>"


# ---------------------------------------------------------------------------------------------
# Date: 09:00 in Paris, from the IANA database.


@pytest.mark.parametrize(
    ("day", "header"),
    [
        (dt.date(2025, 1, 15), "Wed, 15 Jan 2025 09:00:00 +0100"),
        (dt.date(2025, 7, 15), "Tue, 15 Jul 2025 09:00:00 +0200"),
        # Summer time starts on the last Sunday of March, ends on the last Sunday of October.
        (dt.date(2025, 3, 29), "Sat, 29 Mar 2025 09:00:00 +0100"),
        (dt.date(2025, 3, 30), "Sun, 30 Mar 2025 09:00:00 +0200"),
        (dt.date(2025, 10, 25), "Sat, 25 Oct 2025 09:00:00 +0200"),
        (dt.date(2025, 10, 26), "Sun, 26 Oct 2025 09:00:00 +0100"),
        (dt.date(2024, 2, 29), "Thu, 29 Feb 2024 09:00:00 +0100"),
    ],
)
def test_date_header_is_nine_in_the_morning_in_paris(day: dt.date, header: str) -> None:
    message = message_for(as_of=day)
    assert raw_header(message, "Date") == header
    parsed = parse(message)["Date"].datetime
    assert parsed == dt.datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Europe/Paris"))


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month, 31)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def test_paris_morning_follows_the_eu_summer_time_rule_every_year() -> None:
    # Directive 2000/84/EC: summer time from the last Sunday of March to the last Sunday of
    # October — what the hand-written rule computed before zoneinfo replaced it.
    for year in range(2001, 2040):
        start, end = _last_sunday(year, 3), _last_sunday(year, 10)
        for day in (start - dt.timedelta(days=1), start, end - dt.timedelta(days=1), end):
            morning = paris_morning(day)
            summer = start <= day < end
            assert morning.utcoffset() == dt.timedelta(hours=2 if summer else 1), day
            assert (morning.hour, morning.minute) == (9, 0)
            assert morning.tzinfo == ZoneInfo("Europe/Paris")


# ---------------------------------------------------------------------------------------------
# The single-line checks (relancelib.checks) guard every header field.


@pytest.mark.parametrize(
    "field", ["subject", "recipient", "recipient_name", "sender", "message_id", "action_key"]
)
@pytest.mark.parametrize("breaker", ["\r\nBcc: x@y.fr", "\u2028Bcc: x@y.fr", "\x00", "\x85", "\t"])
def test_header_fields_refuse_line_breaks_and_control_characters(field: str, breaker: str) -> None:
    message = message_for()
    value = str(getattr(message, field)) + breaker
    with pytest.raises(InvalidFieldError, match=rf"Message\.{field}"):
        attrs.evolve(message, **{field: value})


def test_a_letter_recipient_is_a_block_of_lines() -> None:
    action = action_for()
    step = POLICY.step("lettre_relance")
    items = tuple(attrs.evolve(item, step=step) for item in action.items)
    letter = render(attrs.evolve(action, step=step, items=items, channel=step.channel), CREDITOR)
    assert "\n" in letter.recipient
    assert attrs.evolve(letter, recipient="Martin\n3 place Bellecour").recipient.count("\n") == 1
    with pytest.raises(InvalidFieldError, match=r"Message\.recipient"):
        attrs.evolve(letter, recipient="Martin\r\n3 place Bellecour")
    with pytest.raises(InvalidFieldError, match=r"Message\.recipient"):
        attrs.evolve(letter, recipient="  ")


def test_optional_header_fields_may_be_empty() -> None:
    message = attrs.evolve(message_for(), recipient_name="", message_id=None)
    assert message.recipient_name == ""
    (address,) = parse(message)["To"].addresses
    assert address.display_name == ""
    assert address.addr_spec == "compta@boulangerie-martin.fr"
    # Without a stored Message-ID, the e-mail gets the deterministic one.
    assert parse(message)["Message-ID"] == f"<{message.action_key}@atelier-dupont.fr>"


# ---------------------------------------------------------------------------------------------
# Headers encoded and folded once (relancelib.rendering.headers): what a reader decodes is
# what was set, whatever the text; the bytes are what the standard generator writes.

SINGLE_LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=160
).filter(lambda text: text.strip() != "")


# Names as invoices have them: letters (accented too), digits, punctuation, spaces.
NAMES = st.text(
    alphabet="abcdefXYZéèàçÉÈœßÆøåñüÿ0123456789 \u00a0&.,'\"-()/°€", min_size=1, max_size=60
).filter(lambda text: text.strip() != "")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(subject=SINGLE_LINE, name=NAMES)
def test_any_subject_and_name_round_trip_in_short_ascii_lines(subject: str, name: str) -> None:
    message = attrs.evolve(message_for(), subject=subject, recipient_name=name, sender=name)
    raw = message.to_email().as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii()
    assert max(len(line) for line in head.splitlines()) <= 78 or "  " in subject + name
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
    # A reader's parser trims and folds the white space of a display name (NBSP included).
    for header in ("To", "From"):
        assert parsed[header].addresses[0].display_name.split() == name.split()
    assert parsed["To"].addresses[0].addr_spec == "compta@boulangerie-martin.fr"


def test_headers_read_like_the_standard_library_s() -> None:
    message = message_for(make_business(name="Pâtisserie Hélène & Fils"))
    mail = message.to_email()
    assert mail["Subject"] == message.subject  # the text, not its encoded words
    (address,) = mail["To"].addresses  # parsed from the wire form on first use
    assert address.display_name == "Pâtisserie Hélène & Fils"
    assert mail["Content-Type"].params["boundary"] == f"=_{message.action_key}"
    assert str(mail["Date"]) == "Tue, 01 Apr 2025 09:00:00 +0200"


def test_as_bytes_is_what_the_standard_generator_writes() -> None:
    import io
    from email.generator import BytesGenerator

    mail = message_for().to_email()
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=mail.policy).flatten(mail)
    assert mail.as_bytes() == out.getvalue() == bytes(mail)
    crlf = mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))
    assert crlf == out.getvalue().replace(b"\n", b"\r\n")
    assert pickle.loads(pickle.dumps(mail)).as_bytes() == mail.as_bytes()
