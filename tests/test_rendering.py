"""Tests for relancelib.rendering and the built-in French templates.

Actions are built directly with the public constructors (``Action``, ``ActionItem``,
``law.Penalties``), so these tests pin the rendering, not the engine or the law; a few go
through :func:`relancelib.plan` end to end.  Built-in messages are compared with the golden
files in ``tests/golden`` (``RELANCE_UPDATE_GOLDEN=1`` rewrites them).
"""

from __future__ import annotations

import datetime as dt
import difflib
import email
import email.policy
import io
import os
import re
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import segno
from segno import helpers as segno_helpers

from relancelib import (
    Action,
    ActionItem,
    Address,
    Calendar,
    Channel,
    Client,
    ClientKind,
    Creditor,
    InvalidFieldError,
    Invoice,
    MissingDataError,
    RelanceError,
    ReminderPolicy,
    Step,
    TemplateNotFoundError,
    TemplateRenderError,
    TemplateSecurityError,
    UnknownLocaleError,
    action_key,
    law,
    plan,
)
from relancelib.formatting import format_amount, format_date
from relancelib.rendering import (
    Message,
    builtin_templates,
    epc_qr_payload,
    paris_morning,
    render,
    render_plan,
)

GOLDEN = Path(__file__).parent / "golden"
NBSP = "\u00a0"
NNBSP = "\u202f"
POLICY = ReminderPolicy.french_default()

# ---------------------------------------------------------------------------------------------
# Real objects.

LYON = Address(("12 rue de la République",), "69002", "Lyon")

CREDITOR = Creditor(
    "Atelier Dupont SARL",
    address=LYON,
    siren="732829320",
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
    email="compta@atelier-dupont.fr",
    phone="+33 4 72 00 00 00",
    signatory="Marie Dupont, gérante",
    legal_form="SARL",
    share_capital=Decimal("10000"),
    rcs_city="Lyon",
    mediator="CM2C, 49 rue de Ponthieu, 75008 Paris – www.cm2c.net",
)

CREDITOR_LINK = attrs.evolve(CREDITOR, payment_link="https://pay.atelier-dupont.fr/r/C001")

CREDITOR_NO_BANK = Creditor(
    "Éditions Lefèvre",
    address=Address(("4 quai Saint-Antoine",), "69002", "Lyon"),
    email="factures@editions-lefevre.fr",
)

BUSINESS = Client(
    "C001",
    "Boulangerie Martin",
    email="compta@boulangerie-martin.fr",
    phone="04 78 00 00 01",
    address=Address(("3 place Bellecour",), "69002", "Lyon"),
    siren="552100554",
    contact="Madame Durand",
)

VIP = attrs.evolve(BUSINESS, id="C003", name="Hôtel Bellevue", segment="vip")

CONSUMER = Client(
    "C002",
    "Jeanne Lefèvre",
    email="jeanne.lefevre@example.fr",
    phone="06 12 34 56 78",
    address=Address(("8 rue des Lilas", "Bâtiment B"), "75011", "Paris"),
    kind=ClientKind.CONSUMER,
)

F1 = Invoice(
    "F-2025-0001",
    "C001",
    dt.date(2025, 1, 2),
    dt.date(2025, 2, 1),
    Decimal("1234.56"),
    sent_on=dt.date(2025, 1, 2),
)
F2 = Invoice(
    "F-2025-0007",
    "C001",
    dt.date(2025, 1, 15),
    dt.date(2025, 2, 14),
    Decimal("4800.00"),
    sent_on=dt.date(2025, 1, 15),
)
F3 = Invoice(
    "F-2025-0012",
    "C001",
    dt.date(2025, 2, 1),
    dt.date(2025, 3, 3),
    Decimal("89.90"),
    sent_on=dt.date(2025, 2, 1),
)
G1 = Invoice(
    "F-2025-0042",
    "C002",
    dt.date(2025, 3, 10),
    dt.date(2025, 4, 9),
    Decimal("480.00"),
    sent_on=dt.date(2025, 3, 10),
)


def penalties(amount: str, days: int, rate: str = "13.15", base: str = "1234.56") -> law.Penalties:
    """Hand-made penalties over one period ending ``days`` days after the day after due."""
    start = dt.date(2025, 2, 2)
    end = start + dt.timedelta(days=days - 1)
    period = law.Period(start, end, days, Decimal(rate), Decimal(base), Decimal(amount))
    return law.Penalties(Decimal(amount), days, (period,))


def make_action(
    step_key: str,
    on: dt.date,
    client: Client = BUSINESS,
    invoices: Sequence[Invoice] = (F1,),
    pens: Sequence[law.Penalties | None] | None = None,
    indemnity: Decimal | None = None,
    step: Step | None = None,
) -> Action:
    """An action as the engine builds it: every invoice at ``step_key``."""
    step = step or POLICY.step(step_key)
    if indemnity is None:
        indemnity = (
            Decimal("40.00") if step.include_penalties and client.is_business else Decimal("0")
        )
    pens = list(pens) if pens is not None else [None] * len(invoices)
    items = tuple(
        ActionItem(inv, step, inv.balance(on), inv.days_overdue(on), pen, indemnity)
        for inv, pen in zip(invoices, pens, strict=True)
    )
    totals: dict[str, Decimal] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, Decimal(0)) + item.balance
    key = action_key(client.id, [(item.invoice.number, step.key) for item in items])
    return Action(key, client, step, items, totals, on)


# The fixed set of actions whose built-in messages are kept as golden files.
P45 = penalties("20.01", 45)
CASES: dict[str, tuple[Action, Creditor]] = {
    "courtoisie": (make_action("courtoisie", dt.date(2025, 1, 27)), CREDITOR),
    "relance_1": (make_action("relance_1", dt.date(2025, 2, 3)), CREDITOR),
    "relance_1_vip": (make_action("relance_1", dt.date(2025, 2, 3), client=VIP), CREDITOR),
    "relance_1_multi_no_bank": (
        make_action("relance_1", dt.date(2025, 3, 4), invoices=(F1, F2, F3)),
        CREDITOR_NO_BANK,
    ),
    "appel": (make_action("appel", dt.date(2025, 2, 10)), CREDITOR),
    "relance_2": (make_action("relance_2", dt.date(2025, 2, 17)), CREDITOR_LINK),
    "lettre_relance": (
        make_action("lettre_relance", dt.date(2025, 3, 3), pens=[penalties("13.34", 30)]),
        CREDITOR,
    ),
    "mise_en_demeure_business": (
        make_action("mise_en_demeure", dt.date(2025, 3, 18), pens=[P45]),
        CREDITOR,
    ),
    "mise_en_demeure_consumer": (
        make_action(
            "mise_en_demeure",
            dt.date(2025, 5, 26),
            client=CONSUMER,
            invoices=(G1,),
            pens=[law.Penalties(Decimal("0.00"), 0, ())],
        ),
        CREDITOR,
    ),
    "mise_en_demeure_multi": (
        make_action(
            "mise_en_demeure",
            dt.date(2025, 3, 18),
            invoices=(F1, F2, F3),
            pens=[P45, penalties("56.22", 32, base="4800.00"), None],
        ),
        CREDITOR_LINK,
    ),
}


def rendered(case: str, **kwargs: object) -> Message:
    action, creditor = CASES[case]
    return render(action, creditor, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Golden files.

_DATA_URI = re.compile(r"data:image/(png|svg\+xml)[;,][^\"')\s]+")


def _normalise_html(html: str) -> str:
    # QR codes are checked by their payload (test_qr_*); keep the golden files readable.
    return _DATA_URI.sub(lambda m: f"data:image/{m.group(1)};(qr code)", html)


@pytest.mark.parametrize("case", sorted(CASES))
def test_builtin_messages_match_golden_files(case: str) -> None:
    message = rendered(case)
    parts = {
        f"{case}.subject.txt": message.subject + "\n",
        f"{case}.text.txt": message.text,
        f"{case}.html": _normalise_html(message.html),
    }
    update = os.environ.get("RELANCE_UPDATE_GOLDEN") == "1"
    failures = []
    for name, actual in parts.items():
        path = GOLDEN / name
        if update or not path.exists():
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            continue
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"golden/{name}",
                    "rendered",
                )
            )
            failures.append(diff)
    assert not failures, "rendered messages differ from golden files " + (
        "(RELANCE_UPDATE_GOLDEN=1 rewrites them):\n" + "\n".join(failures)
    )


# ---------------------------------------------------------------------------------------------
# Subjects, figures and typography.


@pytest.mark.parametrize(
    ("case", "subject"),
    [
        ("courtoisie", f"Échéance prochaine{NBSP}: facture F-2025-0001"),
        ("relance_1", f"Relance{NBSP}: facture F-2025-0001 en attente de règlement"),
        ("relance_1_vip", "Petit rappel concernant votre facture F-2025-0001"),
        (
            "relance_1_multi_no_bank",
            f"Relance{NBSP}: factures F-2025-0001, F-2025-0007 et F-2025-0012 en attente de règlement",
        ),
        ("appel", f"Appel de relance{NBSP}: Boulangerie Martin – 1{NNBSP}234,56{NBSP}€"),
        ("relance_2", f"Deuxième relance{NBSP}: facture F-2025-0001 impayée"),
        ("lettre_relance", "Rappel de paiement – facture F-2025-0001 restée impayée"),
        ("mise_en_demeure_business", "Mise en demeure de payer – facture F-2025-0001"),
    ],
)
def test_subject_of_each_step(case: str, subject: str) -> None:
    assert rendered(case).subject == subject


def test_every_default_step_has_a_builtin_template() -> None:
    names = builtin_templates()
    for step in POLICY.steps:
        assert step.key in names
    assert "relance_1.vip" in names
    assert not any(name.startswith("_") for name in names)


def test_dates_and_amounts_are_written_in_french() -> None:
    message = rendered("relance_1")
    assert "échéance le 1er février 2025" in message.text
    assert f"1{NNBSP}234,56{NBSP}€" in message.text
    assert f"1{NNBSP}234,56{NBSP}€" in message.html
    assert f"reste dû 1{NNBSP}234,56{NBSP}€ (2{NBSP}jours de retard)" in message.text
    assert "du 2 janvier 2025" in message.text


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_ordinary_space_before_high_punctuation(case: str) -> None:
    message = rendered(case)
    for text in (message.subject, message.text, re.sub(r"<[^>]*>", "", message.html)):
        body = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        assert not re.search(r" [:;?!»€]", body), re.search(r".{30} [:;?!»€].{10}", body)
        assert "« " not in body


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_message_greets_the_client_and_lists_invoices(case: str) -> None:
    action, creditor = CASES[case]
    message = render(action, creditor)
    assert action.client.name in message.text
    for item in action.items:
        assert item.invoice.number in message.text
        assert item.invoice.number in message.html
        assert format_amount(item.balance, item.currency) in message.text
    if creditor.iban:
        assert "FR76 3000 6000 0112 3456 7890 189" in message.text
        assert "AGRIFRPP" in message.text


def test_email_greets_by_name() -> None:
    assert rendered("relance_1").text.startswith("Bonjour Madame Durand,\n")
    assert "<p>Bonjour Madame Durand,</p>" in rendered("relance_1").html
    # Unknown contact person: "Madame, Monsieur," (never "Bonjour <company>,").
    action = make_action(
        "relance_1", dt.date(2025, 2, 3), client=attrs.evolve(BUSINESS, contact=None)
    )
    assert render(action, CREDITOR).text.startswith("Madame, Monsieur,\n")
    letter = rendered("lettre_relance").text
    assert "\nMadame,\n" in letter
    assert "Nous vous prions d’agréer, Madame, l’expression" in letter


def test_relance_2_offers_instalments_and_payment_link() -> None:
    message = rendered("relance_2")
    assert "échéancier" in message.text
    assert "https://pay.atelier-dupont.fr/r/C001" in message.text
    assert 'href="https://pay.atelier-dupont.fr/r/C001"' in message.html
    assert "au plus tard le mardi 25 février 2025" in message.text


def test_creditor_without_bank_details_asks_for_a_cheque() -> None:
    message = rendered("relance_1_multi_no_bank")
    assert "IBAN" not in message.text
    assert "chèque" in message.text
    assert "data:image" not in message.html
    assert "cid:" not in message.html
    assert message.qr_payload is None
    assert message.qr_cid is None
    assert [part.get_content_type() for part in _parse(message).iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert f"Total{NBSP}: 6{NNBSP}124,46{NBSP}€" in message.text


def test_call_script_says_whom_to_call_and_what_to_note() -> None:
    message = rendered("appel")
    assert message.channel is Channel.PHONE
    assert message.recipient == "04 78 00 00 01"
    assert "Boulangerie Martin – 04 78 00 00 01" in message.text
    assert "raison du retard" in message.text.lower()
    assert "Date de paiement promise" in message.text
    assert message.action_key in message.text
    assert message.action_key in message.html
    assert message.qr_payload is None  # no QR code drawn for a call script


# ---------------------------------------------------------------------------------------------
# Letters and the formal notice.


def test_letter_layout_for_a_window_envelope() -> None:
    message = rendered("lettre_relance")
    assert message.channel is Channel.LETTER
    assert message.recipient == "Boulangerie Martin\n3 place Bellecour\n69002 LYON"
    assert "size: A4" in message.html
    assert "Lyon, le 3 mars 2025" in message.text
    assert "Lyon, le 3 mars 2025" in message.html
    assert f"Objet{NBSP}: Rappel de paiement" in message.text
    assert "Lettre recommandée" not in message.text
    assert "data:image/svg+xml" in message.html  # the QR code, printed


def test_formal_notice_business() -> None:
    message = rendered("mise_en_demeure_business")
    text = message.text
    assert message.channel is Channel.REGISTERED_LETTER
    assert "Lettre recommandée avec accusé de réception" in text
    assert "mise en demeure" in text
    assert f"Objet{NBSP}: Mise en demeure de payer" in text
    assert f"principal{NBSP}: 1{NNBSP}234,56{NBSP}€" in text
    assert f"pénalités de retard{NBSP}: 20,01{NBSP}€ (45{NBSP}jours à 13,15{NBSP}%)" in text
    assert f"indemnité forfaitaire de recouvrement{NBSP}: 40,00{NBSP}€" in text
    assert f"Total réclamé{NBSP}: 1{NNBSP}294,57{NBSP}€" in text
    assert "(mille deux cent trente-quatre euros et cinquante-six centimes)" in text
    assert "L441-10" in text
    assert "D441-5" in text
    # Letter of Tuesday 18 March 2025: 8 days from receipt, and a date that leaves 15 days
    # at the post office + 8 days (LAW.md section 10; CPC 641-642): Thursday 10 April.
    assert message.deadline == dt.date(2025, 4, 10)
    assert f"dans un délai de 8{NBSP}jours à compter de la réception de la présente lettre" in text
    assert "au plus tard le jeudi 10 avril 2025" in text
    # Costs: decided by the judge (CPC 696, 700), never "restant à votre charge".
    assert "restant à votre charge" not in text
    assert "par le juge (articles 696 et 700" in text
    assert "à nos frais par un commissaire de justice" in text
    # Second person.
    assert "vous restez redevable" in text
    assert "injonction de payer" in text
    assert "1405" in text
    assert "petites créances" in text
    assert "commissaire de justice" in text
    assert "Marie Dupont, gérante" in text


def test_formal_notice_consumer_has_legal_interest_and_no_indemnity() -> None:
    message = rendered("mise_en_demeure_consumer")
    text = message.text
    assert "1231-6" in text
    assert "1344-1" in text
    assert "L441-10" not in text
    assert "40,00" not in text
    assert "indemnité" not in text
    assert "intérêts au taux légal" in text
    assert "Jeanne Lefèvre\n8 rue des Lilas\nBâtiment B\n75011 PARIS" in text
    assert "(quatre cent quatre-vingts euros)" in text


def test_formal_notice_without_penalty_figures_states_the_rule() -> None:
    message = rendered("mise_en_demeure_multi")
    assert "F-2025-0012" in message.text
    assert "au taux de l’article L441-10 du Code de commerce, à parfaire" in message.text
    # 6 124,46 € claimed: above the 5 000 € of the small-claims procedure.
    assert "petites créances" not in message.text
    assert "injonction de payer" in message.text


def test_formal_notice_deadline_follows_the_calendar() -> None:
    action = make_action("lettre_relance", dt.date(2025, 4, 10), pens=[P45])
    national = render(action, CREDITOR)
    moselle = render(action, CREDITOR, calendar=Calendar("FR-57"))
    by_code = render(action, CREDITOR, calendar="FR-57")
    assert national.deadline == dt.date(2025, 4, 18)
    assert "au plus tard le vendredi 18 avril 2025" in national.text
    assert moselle.deadline == by_code.deadline == dt.date(2025, 4, 22)
    assert "au plus tard le mardi 22 avril 2025" in moselle.text


def test_letter_date_and_deadline_days_are_arguments() -> None:
    action, creditor = CASES["mise_en_demeure_business"]
    message = render(action, creditor, as_of=dt.date(2025, 6, 2), deadline_days=8)
    assert message.date == dt.date(2025, 6, 2)
    assert "Lyon, le 2 juin 2025" in message.text
    assert "au plus tard le mercredi 25 juin 2025" in message.text  # 15 + 8 days
    longer = render(action, creditor, as_of=dt.date(2025, 6, 2), deadline_days=15)
    assert f"dans un délai de 15{NBSP}jours" in longer.text
    assert longer.deadline == dt.date(2025, 7, 2)


def test_first_of_the_month_is_written_1er() -> None:
    message = render(CASES["relance_1"][0], CREDITOR, as_of=dt.date(2025, 2, 1))
    assert message.date == dt.date(2025, 2, 1)
    assert "1er février 2025" in message.text


# ---------------------------------------------------------------------------------------------
# Escaping and header injection.

EVIL = "<script>alert(1)</script> & Fils"


def test_client_name_is_escaped_in_html_and_plain_in_text() -> None:
    client = attrs.evolve(BUSINESS, name=EVIL)
    for step in ("relance_1", "mise_en_demeure"):
        message = render(
            make_action(step, dt.date(2025, 3, 18), client=client, pens=[P45]), CREDITOR
        )
        assert "<script>" not in message.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Fils" in message.html
        assert EVIL in message.text
    email_message = render(make_action("relance_1", dt.date(2025, 2, 3), client=client), CREDITOR)
    assert EVIL in email_message.subject or "Fils" not in email_message.subject


def test_client_names_with_line_breaks_are_refused_by_the_model() -> None:
    with pytest.raises(InvalidFieldError):
        attrs.evolve(BUSINESS, name="Martin\r\nBcc: x@y.fr")


def test_a_template_cannot_forge_headers() -> None:
    templates = {
        "relance_1": (
            '{% block subject %}Relance {{ "\\r\\nBcc: x@y.fr" }} {{ client.name }}{% endblock %}'
            "{% block text %}Bonjour{% endblock %}"
        )
    }
    message = render(CASES["relance_1"][0], CREDITOR, templates=templates)
    assert "\n" not in message.subject
    assert "\r" not in message.subject
    assert message.subject == "Relance Bcc: x@y.fr Boulangerie Martin"
    parsed = email.message_from_bytes(message.to_email().as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "Relance Bcc: x@y.fr Boulangerie Martin"


def test_message_refuses_line_breaks_in_single_line_fields() -> None:
    message = rendered("relance_1")
    with pytest.raises(InvalidFieldError):
        attrs.evolve(message, subject="Relance\r\nBcc: x@y.fr")
    with pytest.raises(InvalidFieldError):
        attrs.evolve(message, recipient="a@b.fr\nBcc: x@y.fr")
    with pytest.raises(InvalidFieldError):
        attrs.evolve(message, recipient_name="Martin\nBcc: x@y.fr")


def test_repr_html_escapes_headers_and_body() -> None:
    client = attrs.evolve(BUSINESS, name=EVIL)
    message = render(make_action("relance_1", dt.date(2025, 2, 3), client=client), CREDITOR)
    preview = message._repr_html_()
    assert "<script>" not in preview
    assert "srcdoc=" in preview
    assert "sandbox" in preview
    assert "Relance" in preview


# ---------------------------------------------------------------------------------------------
# E-mail.


def _parse(message: Message) -> email.message.EmailMessage:
    raw = message.to_email().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_to_email_has_text_and_html_alternatives() -> None:
    message = rendered("relance_1")
    parsed = _parse(message)
    assert parsed.get_content_type() == "multipart/alternative"
    plain_part, html_part = parsed.iter_parts()
    assert plain_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "multipart/related"  # the HTML and its QR code
    assert html_part.get_param("type") == "text/html"
    assert [part.get_content_type() for part in html_part.iter_parts()] == [
        "text/html",
        "image/png",
    ]
    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content() == message.text
    assert html.get_content() == message.html


def test_to_email_headers() -> None:
    message = rendered("relance_1")
    parsed = _parse(message)
    assert parsed["From"].addresses[0].display_name == "Atelier Dupont SARL"
    assert parsed["From"].addresses[0].addr_spec == "compta@atelier-dupont.fr"
    assert parsed["To"].addresses[0].addr_spec == "compta@boulangerie-martin.fr"
    assert parsed["Subject"] == message.subject
    assert parsed["Date"].datetime == dt.datetime(
        2025, 2, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert parsed["Message-ID"] == f"<{message.action_key}@atelier-dupont.fr>"
    assert message.message_id == parsed["Message-ID"]
    assert parsed["X-Relance-Key"] == message.action_key


def test_accented_names_are_encoded_in_headers() -> None:
    message = render(
        make_action("relance_1", dt.date(2025, 5, 12), client=CONSUMER, invoices=(G1,)), CREDITOR
    )
    raw = message.to_email().as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii()
    assert b"=?utf-8?" in head
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"].addresses[0].display_name == "Jeanne Lefèvre"
    assert parsed["Subject"] == message.subject
    # Summer time: 09:00 in Paris is 07:00 UTC.
    assert parsed["Date"].datetime.utcoffset() == dt.timedelta(hours=2)


def test_display_names_with_specials_are_quoted() -> None:
    client = attrs.evolve(BUSINESS, name='Martin, "Le Fournil" & Cie')
    message = render(make_action("relance_1", dt.date(2025, 2, 3), client=client), CREDITOR)
    parsed = _parse(message)
    assert len(parsed["To"].addresses) == 1
    assert parsed["To"].addresses[0].display_name == 'Martin, "Le Fournil" & Cie'


def test_message_id_is_deterministic() -> None:
    first = rendered("relance_1")
    second = render(CASES["relance_1"][0], CREDITOR, as_of=dt.date(2025, 2, 4))
    assert first.message_id == second.message_id
    assert first.to_email()["Message-ID"] == second.to_email()["Message-ID"]
    assert first.to_email().as_bytes() == rendered("relance_1").to_email().as_bytes()


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _segno_png(qr: segno.QRCode) -> bytes:
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def _qr_image(parsed: email.message.EmailMessage) -> tuple[email.message.EmailMessage, str]:
    """The image part of a parsed e-mail and the HTML that refers to it."""
    _plain, related = parsed.iter_parts()
    html_part, image = related.iter_parts()
    assert isinstance(image, email.message.EmailMessage)
    return image, html_part.get_content()


@pytest.mark.parametrize("case", ["courtoisie", "relance_1", "relance_1_vip", "relance_2"])
def test_to_email_attaches_the_qr_code_as_an_inline_image(case: str) -> None:
    message = rendered(case)
    parsed = _parse(message)
    assert parsed.get_content_type() == "multipart/alternative"
    plain, related = parsed.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    assert related.get_param("type") == "text/html"
    assert related.get_boundary() != parsed.get_boundary()
    image, html = _qr_image(parsed)
    assert html == message.html
    assert image.get_content_type() == "image/png"
    assert image["Content-Transfer-Encoding"] == "base64"
    assert image.get_content_disposition() == "inline"
    assert image.get_filename() == "virement-sepa.png"
    # The HTML refers to the image by its Content-ID, which is built like the Message-ID.
    content_id = image["Content-ID"]
    assert content_id == f"<qr.{message.action_key}@atelier-dupont.fr>"
    assert f'src="cid:{content_id[1:-1]}"' in html
    assert message.qr_cid == content_id[1:-1]
    assert "data:image" not in html
    # The PNG is the EPC069-12 QR code that segno's helper draws for the same transfer.
    png = image.get_content()
    assert png.startswith(PNG_SIGNATURE)
    assert message.qr_payload is not None
    fields = message.qr_payload.split("\n")
    epc = segno_helpers.make_epc_qr(
        name=fields[5],
        iban=fields[6],
        amount=Decimal(fields[7][3:]),
        text=fields[10],
        bic=fields[4],
    )
    assert png == _segno_png(epc)
    side = (epc.symbol_size(scale=4, border=4))[0]
    assert int.from_bytes(png[16:20], "big") == int.from_bytes(png[20:24], "big") == side
    # Every line of the message stays short (base64 lines of 76 characters).
    assert max(len(line) for line in message.to_email().as_bytes().splitlines()) <= 78


@pytest.mark.parametrize("case", ["relance_1", "relance_2"])
def test_the_qr_code_scans_back_to_the_epc_payload(case: str) -> None:
    # A real decoder (ZXing) reads the attached PNG: what a banking app would scan.
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    message = rendered(case)
    image, _html = _qr_image(_parse(message))
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.get_content())))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    assert result.text == message.qr_payload
    lines = result.text.split("\n")
    assert lines[:2] == ["BCD", "002"]
    assert lines[3:5] == ["SCT", "AGRIFRPP"]
    assert lines[6] == "FR7630006000011234567890189"
    assert lines[7] == f"EUR{message.qr_payload.split(chr(10))[7][3:]}"


def test_to_email_with_the_qr_code_is_the_same_each_time() -> None:
    first = rendered("relance_2").to_email().as_bytes()
    assert first == rendered("relance_2").to_email().as_bytes()
    message = rendered("relance_2")
    assert message.to_email().as_bytes() == message.to_email().as_bytes() == first
    assert first.count(b"Content-ID: ") == 1


def test_qr_code_of_a_utf8_payload() -> None:
    creditor = attrs.evolve(CREDITOR, name="Ωmega Café SARL")
    message = render(CASES["relance_1"][0], creditor)
    assert message.qr_payload is not None
    assert message.qr_payload.split("\n")[2] == "1"  # UTF-8: Ω is not in ISO 8859-1
    image, _html = _qr_image(_parse(message))
    expected = segno.make_qr(message.qr_payload.encode("utf-8"), error="m", boost_error=False)
    assert image.get_content() == _segno_png(expected)


def test_repr_html_shows_the_qr_code_inline() -> None:
    message = rendered("relance_1")
    preview = message._repr_html_()
    assert "cid:" not in preview
    assert "data:image/png;base64," in preview
    assert "cid:" in message.html  # the message itself is unchanged


@pytest.mark.slow
def test_email_to_pdf_shows_the_qr_code(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("pypdf")
    import weasyprint

    message = rendered("relance_1")
    with caplog.at_level("WARNING", logger="weasyprint"):
        assert message.to_pdf().startswith(b"%PDF")
    assert not [r for r in caplog.records if "cid:" in r.getMessage()]  # "Failed to load image"
    seen: list[str] = []
    real = weasyprint.HTML

    def spy(*, string: str, **options: object) -> object:
        seen.append(string)
        return real(string=string, **options)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    message.to_pdf()
    assert "cid:" not in seen[0]
    assert '<img src="data:image/svg+xml' in seen[0]


def test_paris_morning_switches_with_summer_time() -> None:
    assert paris_morning(dt.date(2025, 3, 29)).utcoffset() == dt.timedelta(hours=1)
    assert paris_morning(dt.date(2025, 3, 30)).utcoffset() == dt.timedelta(hours=2)
    assert paris_morning(dt.date(2025, 10, 25)).utcoffset() == dt.timedelta(hours=2)
    assert paris_morning(dt.date(2025, 10, 26)).utcoffset() == dt.timedelta(hours=1)
    assert paris_morning(dt.date(2025, 6, 2)).hour == 9


def test_to_email_needs_the_creditor_email() -> None:
    creditor = attrs.evolve(CREDITOR, email=None)
    message = render(CASES["relance_1"][0], creditor)
    assert message.message_id is None
    with pytest.raises(MissingDataError, match=r"Creditor\.email"):
        message.to_email()


def test_letters_can_be_emailed_when_the_client_has_an_address() -> None:
    parsed = _parse(rendered("mise_en_demeure_business"))
    assert parsed["To"].addresses[0].addr_spec == "compta@boulangerie-martin.fr"
    client = attrs.evolve(BUSINESS, email=None)
    message = render(make_action("lettre_relance", dt.date(2025, 3, 3), client=client), CREDITOR)
    with pytest.raises(MissingDataError, match=r"Client\.email"):
        message.to_email()


# ---------------------------------------------------------------------------------------------
# Templates: overrides, variants, errors.


def test_mapping_overrides_a_builtin_template() -> None:
    templates = {
        "relance_1": (
            "{% block subject %}Rappel {{ client.name }}{% endblock %}"
            "{% block text %}Texte pour {{ client.name }} : {{ action.totals['EUR']|amount }}{% endblock %}"
            "{% block html %}<b>{{ client.name }}</b>{% endblock %}"
        )
    }
    message = render(
        make_action("relance_1", dt.date(2025, 2, 3), client=attrs.evolve(BUSINESS, name="A & B")),
        CREDITOR,
        templates=templates,
    )
    assert message.subject == "Rappel A & B"
    assert message.text == f"Texte pour A & B : 1{NNBSP}234,56{NBSP}€\n"
    assert message.html == "<b>A &amp; B</b>\n"
    assert message.template == "relance_1"
    # Other steps keep their built-in template.
    other = render(CASES["relance_2"][0], CREDITOR, templates=templates)
    assert other.subject.startswith("Deuxième relance")


def test_plain_source_is_the_text_body() -> None:
    templates = {"relance_1": "Bonjour {{ client.name }} <b>\n\nMerci."}
    message = render(CASES["relance_1"][0], CREDITOR, templates=templates)
    assert message.text == "Bonjour Boulangerie Martin <b>\n\nMerci.\n"
    assert message.subject == f"Relance{NBSP}: facture F-2025-0001 en attente de règlement"
    assert "<p>Bonjour Boulangerie Martin &lt;b&gt;</p>" in message.html
    assert "<p>Merci.</p>" in message.html


def test_html_only_template_gets_a_text_part() -> None:
    templates = {
        "relance_1": "{% block html %}<p>Bonjour {{ client.name }}</p><p>Merci</p>{% endblock %}"
    }
    message = render(CASES["relance_1"][0], CREDITOR, templates=templates)
    assert message.text == "Bonjour Boulangerie Martin\n\nMerci\n"
    assert message.subject.startswith("Relance")


def test_folder_overrides_and_can_reuse_the_builtin_macros(tmp_path: Path) -> None:
    (tmp_path / "relance_2.j2").write_text(
        "{% block subject %}Relance n°2 – {{ invoices_label }}{% endblock %}\n"
        '{% block text %}{% import "_macros.j2" as m with context %}{{ m.invoice_list_text() }}{% endblock %}\n',
        encoding="utf-8",
    )
    message = render(CASES["relance_2"][0], CREDITOR, templates=tmp_path)
    assert message.subject == "Relance n°2 – facture F-2025-0001"
    assert "- Facture F-2025-0001 du 2 janvier 2025" in message.text
    assert (
        render(CASES["relance_2"][0], CREDITOR, templates=str(tmp_path)).subject == message.subject
    )
    # A folder is read again when a template changes.
    (tmp_path / "relance_2.j2").write_text(
        "{% block subject %}Autre{% endblock %}", encoding="utf-8"
    )
    os.utime(tmp_path / "relance_2.j2", (1e10, 1e10))
    assert render(CASES["relance_2"][0], CREDITOR, templates=tmp_path).subject == "Autre"


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateNotFoundError):
        render(CASES["relance_1"][0], CREDITOR, templates=tmp_path / "absent")


def test_templates_of_the_wrong_type_are_refused() -> None:
    with pytest.raises(InvalidFieldError):
        render(CASES["relance_1"][0], CREDITOR, templates=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError):
        render(CASES["relance_1"][0], CREDITOR, templates={"relance_1": b"bytes"})  # type: ignore[dict-item]


def test_builtin_segment_variant_is_chosen() -> None:
    vip = rendered("relance_1_vip")
    assert vip.template == "relance_1.vip"
    assert vip.subject == "Petit rappel concernant votre facture F-2025-0001"
    standard = rendered("relance_1")
    assert standard.template == "relance_1"
    # A segment without a variant uses the plain template.
    other = render(make_action("relance_2", dt.date(2025, 2, 17), client=VIP), CREDITOR)
    assert other.template == "relance_2"


def test_user_variant_comes_first() -> None:
    templates = {
        "relance_1.vip": "{% block subject %}VIP {{ client.name }}{% endblock %}",
        "relance_1": "{% block subject %}Standard{% endblock %}",
    }
    assert (
        render(CASES["relance_1_vip"][0], CREDITOR, templates=templates).subject
        == "VIP Hôtel Bellevue"
    )
    assert render(CASES["relance_1"][0], CREDITOR, templates=templates).subject == "Standard"
    # A user's plain template wins over the built-in variant.
    only_plain = {"relance_1": "{% block subject %}Standard{% endblock %}"}
    assert render(CASES["relance_1_vip"][0], CREDITOR, templates=only_plain).subject == "Standard"


def test_step_template_name_is_used() -> None:
    step = Step("rappel", 3, Channel.EMAIL, template="relance_1")
    message = render(make_action("rappel", dt.date(2025, 2, 4), step=step), CREDITOR)
    assert message.template == "relance_1"
    assert message.step_key == "rappel"


def test_missing_template() -> None:
    step = Step("sms_1", 3, Channel.SMS)
    action = make_action("sms_1", dt.date(2025, 2, 4), step=step)
    with pytest.raises(TemplateNotFoundError, match="sms_1"):
        render(action, CREDITOR)
    message = render(action, CREDITOR, templates={"sms_1": "Facture {{ reference }} impayée."})
    assert message.channel is Channel.SMS
    assert message.recipient == "04 78 00 00 01"
    assert message.text == "Facture F-2025-0001 impayée.\n"
    assert message.subject == "Facture F-2025-0001"


def test_missing_variable_names_template_and_line() -> None:
    templates = {
        "relance_1": "{% block subject %}Objet{% endblock %}\n{% block text %}\nBonjour {{ client.nom }}\n{% endblock %}"
    }
    with pytest.raises(TemplateRenderError, match=r"relance_1\.j2'?, line 3") as info:
        render(CASES["relance_1"][0], CREDITOR, templates=templates)
    assert "nom" in str(info.value)
    assert not isinstance(info.value, TemplateSecurityError)
    with pytest.raises(TemplateRenderError, match=r"relance_1\.j2'?, line 1"):
        render(CASES["relance_1"][0], CREDITOR, templates={"relance_1": "{{ inconnu }}"})


def test_syntax_error_names_template_and_line() -> None:
    templates = {"relance_1": "Bonjour\n{% if %}\n"}
    with pytest.raises(TemplateRenderError, match=r"relance_1\.j2'?, line 2"):
        render(CASES["relance_1"][0], CREDITOR, templates=templates)


def test_error_inside_a_filter_is_a_render_error() -> None:
    templates = {"relance_1": "Total\n{{ 12|amount('ZZZ') }}"}
    with pytest.raises(TemplateRenderError, match="line 2"):
        render(CASES["relance_1"][0], CREDITOR, templates=templates)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ client.__class__ }}",
        "{{ client.__init__.__globals__ }}",
        "{{ qr._content_id }}",
        "{{ creditor.__attrs_attrs__ }}",
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_sandbox_violation(source: str) -> None:
    with pytest.raises(TemplateSecurityError, match=r"relance_1\.j2"):
        render(CASES["relance_1"][0], CREDITOR, templates={"relance_1": source})


def test_missing_import_is_template_not_found() -> None:
    templates = {"relance_1": '{% import "_absent.j2" as m %}x'}
    with pytest.raises(TemplateNotFoundError, match="_absent"):
        render(CASES["relance_1"][0], CREDITOR, templates=templates)


# ---------------------------------------------------------------------------------------------
# Missing data, locales and arguments.


@pytest.mark.parametrize(
    ("step_key", "attribute", "field"),
    [
        ("relance_1", "email", "Client.email"),
        ("appel", "phone", "Client.phone"),
        ("lettre_relance", "address", "Client.address"),
        ("mise_en_demeure", "address", "Client.address"),
    ],
)
def test_missing_contact_data(step_key: str, attribute: str, field: str) -> None:
    changes: dict[str, object] = {attribute: None}
    client = attrs.evolve(BUSINESS, **changes)  # type: ignore[arg-type]
    action = make_action(step_key, dt.date(2025, 3, 18), client=client)
    with pytest.raises(MissingDataError, match=field.replace(".", r"\.")):
        render(action, CREDITOR)


def test_unknown_locale() -> None:
    with pytest.raises(UnknownLocaleError):
        render(CASES["relance_1"][0], CREDITOR, locale="xx_YY")


def test_builtin_templates_write_french_only() -> None:
    with pytest.raises(UnknownLocaleError, match="French"):
        render(CASES["relance_1"][0], CREDITOR, locale="en_GB")
    english = render(
        CASES["relance_1"][0],
        CREDITOR,
        locale="en_GB",
        templates={
            "relance_1": "Dear {{ client.name }}, {{ totals['EUR']|amount }} by {{ deadline|date }}."
        },
    )
    assert english.text == "Dear Boulangerie Martin, €1,234.56 by 11 February 2025.\n"


def test_other_french_locales_format_their_way() -> None:
    swiss = render(CASES["mise_en_demeure_business"][0], CREDITOR, locale="fr_CH")
    assert swiss.locale == "fr_CH"
    assert "mise en demeure" in swiss.text


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"as_of": "2025-02-03"}, InvalidFieldError),
        ({"as_of": dt.datetime(2025, 2, 3, 10)}, InvalidFieldError),
        ({"deadline_days": -1}, InvalidFieldError),
        ({"deadline_days": True}, InvalidFieldError),
        ({"calendar": "XX"}, RelanceError),
        ({"locale": 3}, UnknownLocaleError),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        render(CASES["relance_1"][0], CREDITOR, **kwargs)  # type: ignore[arg-type]


def test_bad_action_or_creditor() -> None:
    with pytest.raises(InvalidFieldError):
        render("action", CREDITOR)  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError):
        render(CASES["relance_1"][0], "creditor")  # type: ignore[arg-type]


def test_message_is_frozen() -> None:
    message = rendered("relance_1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        message.subject = "autre"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# SEPA transfer QR code (EPC069-12).


def test_qr_payload_follows_epc069_12() -> None:
    message = rendered("mise_en_demeure_business")
    assert message.qr_payload is not None
    assert message.qr_payload.split("\n") == [
        "BCD",
        "002",
        "2",
        "SCT",
        "AGRIFRPP",
        "Atelier Dupont SARL",
        "FR7630006000011234567890189",
        "EUR1294.57",
        "",
        "",
        "F-2025-0001",
    ]


def test_qr_payload_is_what_segno_encodes() -> None:
    payload = epc_qr_payload(CREDITOR, Decimal("1200.00"), "F-2025-0001, F-2025-0007")
    assert payload.split("\n")[7] == "EUR1200"
    ours = segno.make_qr(payload.encode("iso-8859-1"), error="m", boost_error=False)
    theirs = segno_helpers.make_epc_qr(
        name="Atelier Dupont SARL",
        iban="FR7630006000011234567890189",
        amount=Decimal("1200.00"),
        text="F-2025-0001, F-2025-0007",
        bic="AGRIFRPP",
    )
    assert ours.matrix == theirs.matrix


def test_qr_payload_limits() -> None:
    creditor = attrs.evolve(CREDITOR, name="Ω" + "x" * 90, bic=None)
    payload = epc_qr_payload(creditor, Decimal("12.50"), "F" * 200)
    lines = payload.split("\n")
    assert lines[2] == "1"  # UTF-8: Ω is not in ISO 8859-1
    assert lines[4] == ""
    assert len(lines[5]) == 70
    assert len(lines[10]) == 140
    assert lines[7] == "EUR12.5"
    with pytest.raises(MissingDataError):
        epc_qr_payload(attrs.evolve(CREDITOR, iban=None), Decimal("1"), "F")


def test_qr_code_in_email_html_is_a_cid_reference_and_letters_print_it() -> None:
    mail = rendered("relance_1")
    cid = f"qr.{mail.action_key}@atelier-dupont.fr"  # like the Message-ID
    assert mail.qr_cid == cid
    assert f'<img src="cid:{cid}"' in mail.html
    assert "data:image" not in mail.html
    assert mail.qr_payload is not None
    assert "EUR1234.56" in mail.qr_payload
    for case in ("lettre_relance", "mise_en_demeure_business"):
        letter = rendered(case)
        assert "data:image/svg+xml" in letter.html
        assert "cid:" not in letter.html
        assert letter.qr_cid is None
        assert letter.qr_payload is not None


def test_render_does_not_draw_the_qr_code_of_an_email(monkeypatch: pytest.MonkeyPatch) -> None:
    from relancelib.rendering import qr  # where the QR code is drawn

    def refuse(*_args: object) -> None:
        raise AssertionError("QR code drawn")

    for name in ("_qr_code", "_qr_png", "_qr_uri"):
        monkeypatch.setattr(qr, name, refuse)
    for case in ("courtoisie", "relance_1", "relance_1_vip", "relance_2"):
        message = rendered(case)
        assert message.qr_cid is not None
    with pytest.raises(AssertionError, match="QR code drawn"):
        message.to_email()  # drawn here
    with pytest.raises(TemplateRenderError, match="QR code drawn"):
        rendered("lettre_relance")  # letters: drawn at render time (an SVG data: URI)


def test_a_user_template_can_still_inline_the_qr_code() -> None:
    templates = {"relance_1": '{% block html %}<img src="{{ qr.png }}">{% endblock %}'}
    message = render(CASES["relance_1"][0], CREDITOR, templates=templates)
    assert '<img src="data:image/png;base64,' in message.html
    assert message.qr_cid is None
    assert message.qr_payload is not None
    # The cid referred to outside the HTML is no reason to attach the image.
    in_text = {
        "relance_1": "{% block text %}{{ qr.cid }}{% endblock %}{% block html %}x{% endblock %}"
    }
    assert render(CASES["relance_1"][0], CREDITOR, templates=in_text).qr_cid is None


def test_message_qr_cid_is_checked() -> None:
    message = rendered("relance_1")
    for bad in ("qr.x@a.fr>\nBcc: x@y.fr", "<qr.x@a.fr>", "no-at-sign", "a b@c.fr", ""):
        with pytest.raises(InvalidFieldError, match=r"Message\.qr_cid"):
            attrs.evolve(message, qr_cid=bad)
    with pytest.raises(InvalidFieldError, match="qr_payload"):
        attrs.evolve(message, qr_payload=None)
    assert attrs.evolve(message, qr_cid=None, qr_payload=None).qr_cid is None


def test_no_qr_code_when_not_in_euros() -> None:
    chf = Invoice(
        "F-CH-1",
        "C001",
        dt.date(2025, 1, 2),
        dt.date(2025, 2, 1),
        Decimal("500.00"),
        currency="CHF",
    )
    message = render(make_action("relance_1", dt.date(2025, 2, 3), invoices=(chf,)), CREDITOR)
    assert "data:image" not in message.html
    assert "cid:" not in message.html
    assert message.qr_payload is None
    assert message.qr_cid is None
    assert "CHF" in message.text


# ---------------------------------------------------------------------------------------------
# PDF.


@pytest.mark.slow
def test_letter_to_pdf() -> None:
    pypdf = pytest.importorskip("pypdf")
    message = rendered("mise_en_demeure_business")
    document = message.to_pdf()
    assert document.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(document))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "F-2025-0001" in text
    assert "1\u202f234,56" in text or "1 234,56" in text
    assert "MISE EN DEMEURE" in text.upper()


@pytest.mark.slow
def test_recipient_block_sits_in_the_envelope_window() -> None:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(rendered("lettre_relance").to_pdf()))
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.startswith("Boulangerie Martin"):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x / 72 * 25.4, 297 - y / 72 * 25.4))

    reader.pages[0].extract_text(visitor_text=visit)
    assert found
    left, baseline = found[0]
    assert 100 <= left <= 110
    assert 45 <= baseline <= 56


def _glyph_widths(font: Any) -> tuple[dict[int, float], float]:
    """The advance of each glyph of a Type0 font (its CID font's /W), and the default /DW."""
    from pypdf.generic import ArrayObject

    cid_font = font.get_object()["/DescendantFonts"][0].get_object()
    table: dict[int, float] = {}
    w = cid_font.get("/W", ArrayObject())
    i = 0
    while i < len(w):
        if isinstance(w[i + 1], ArrayObject):  # c [w1 w2 ...]
            table.update((int(w[i]) + k, float(v)) for k, v in enumerate(w[i + 1]))
            i += 2
        else:  # c_first c_last w
            table.update((c, float(w[i + 2])) for c in range(int(w[i]), int(w[i + 1]) + 1))
            i += 3
    return table, float(cid_font.get("/DW", 1000))


def _page_runs(page: Any) -> list[tuple[float, float, str]]:
    """The text runs of a PDF page: (x start, x end, text), in points from the left edge.

    A run's end adds the advances of its glyphs (WeasyPrint writes Identity-H Type0 fonts:
    two bytes a glyph, widths in /W) and the TJ adjustments, through the text and current
    matrices.  The texts come from pypdf's extraction, with their start.
    """
    fonts = page["/Resources"]["/Font"]
    widths: dict[str, tuple[dict[int, float], float]] = {}
    state: dict[str, Any] = {}
    runs: list[tuple[float, float, str]] = []

    def to_page(t: float, cm: list[float], tm: list[float]) -> float:
        tx, ty = t * tm[0] + tm[4], t * tm[1] + tm[5]
        return tx * cm[0] + ty * cm[2] + cm[4]

    def visit(op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        if op == b"Tf":
            state["font"], state["size"] = args[0], float(args[1])
        elif op in (b"TJ", b"Tj"):
            if state["font"] not in widths:
                widths[state["font"]] = _glyph_widths(fonts[state["font"]])
            table, default = widths[state["font"]]
            advance = 0.0
            for item in args[0] if op == b"TJ" else [args[0]]:
                if hasattr(item, "original_bytes"):  # glyphs
                    raw = item.original_bytes
                    advance += sum(
                        table.get(int.from_bytes(raw[j : j + 2], "big"), default)
                        for j in range(0, len(raw), 2)
                    )
                else:  # a move left, in thousandths of the font size
                    advance -= float(item)
            end = advance / 1000 * state["size"]
            runs.append((to_page(0, cm, tm), to_page(end, cm, tm), ""))

    def text(value: str, cm: list[float], tm: list[float], *_: object) -> None:
        if value.strip():
            start = to_page(0, cm, tm)
            runs.append((start, start, value))

    page.extract_text(visitor_operand_before=visit)
    page.extract_text(visitor_text=text)
    return runs


def _text_runs(document: bytes) -> list[tuple[int, float, float, str]]:
    """Every text run drawn in a PDF: (page index, x start, x end, text)."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(document))
    return [(number, *run) for number, page in enumerate(reader.pages) for run in _page_runs(page)]


LETTER_TABLES: dict[str, tuple[Action, Creditor]] = {
    **{case: CASES[case] for case in CASES if CASES[case][0].channel.is_postal},
    "lettre_relance_consumer_multi": (
        make_action("lettre_relance", dt.date(2025, 6, 3), client=CONSUMER, invoices=(G1, G1)),
        CREDITOR,
    ),
    "lettre_relance_multi": (
        make_action(
            "lettre_relance",
            dt.date(2025, 3, 18),
            invoices=(F1, F2, F3),
            pens=[P45, penalties("56.22", 32, base="4800.00"), None],
        ),
        CREDITOR_LINK,
    ),
    # Figures as wide as they come: a long invoice number, hundreds of thousands of euros.
    "mise_en_demeure_wide": (
        make_action(
            "mise_en_demeure",
            dt.date(2026, 3, 18),
            invoices=(
                Invoice(
                    "FA-2025-000123-AVOIR-LONG",
                    "C001",
                    dt.date(2025, 9, 30),
                    dt.date(2025, 11, 30),
                    Decimal("987654.32"),
                ),
                F1,
            ),
            pens=[penalties("123456.78", 200, base="987654.32"), P45],
        ),
        CREDITOR,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(LETTER_TABLES))
def test_letter_tables_fit_the_text_width(case: str) -> None:
    pytest.importorskip("pypdf")
    action, creditor = LETTER_TABLES[case]
    runs = _text_runs(render(action, creditor).to_pdf())
    millimetre = 72 / 25.4
    left, right = 20 * millimetre, (210 - 20) * millimetre  # @page margins: 20 mm each side
    tolerance = 0.5  # points: rounding of justified lines
    overflowing = [
        (page, x0, x1)
        for page, x0, x1, _ in runs
        if x0 < left - tolerance or x1 > right + tolerance
    ]
    assert not overflowing, f"text outside the 170 mm between the margins: {overflowing[:5]}"
    # The whole table was drawn and read: every header, the last column included.
    headers = ["Facture", "Émise le", "Échéance", "Principal", "Total"]
    headers += ["Pénalités", "Indemnité"] if action.client.is_business else ["Intérêts légaux"]
    texts = " ".join(value for _page, _x0, _x1, value in runs if value)
    for header in headers:
        assert header in texts
    for item in action.items:
        assert format_amount(item.claimed, item.currency) in texts


@pytest.mark.slow
def test_to_pdf_without_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(RelanceError, match=r"relancelib\[pdf\]"):
        rendered("lettre_relance").to_pdf()


# ---------------------------------------------------------------------------------------------
# End to end with the engine.


def test_render_plan_from_the_engine() -> None:
    invoices = [F1, F2, G1]
    clients = [BUSINESS, CONSUMER]
    today = plan(invoices, clients, POLICY, dt.date(2025, 4, 10))
    messages = render_plan(today, CREDITOR)
    assert [m.client_id for m in messages] == [a.client.id for a in today.actions]
    assert [m.action_key for m in messages] == [a.key for a in today.actions]
    assert all(m.channel is Channel.EMAIL for m in messages)
    assert render_plan(today.actions, CREDITOR) == messages


def test_engine_penalties_are_printed() -> None:
    from relancelib import MemoryJournal

    journal = MemoryJournal()
    day = dt.date(2025, 1, 27)
    last: Action | None = None
    for offset in range(80):
        today = plan([F1], [BUSINESS], POLICY, day + dt.timedelta(days=offset), journal)
        for action in today.actions:
            journal.record(action)
            last = action
    assert last is not None
    assert last.step.key == "mise_en_demeure"
    item = last.items[0]
    assert item.penalties is not None
    message = render(last, CREDITOR)
    assert f"{item.penalties.amount:.2f}".replace(".", ",") in message.text
    assert "40,00" in message.text


def test_single_currency_conveniences() -> None:
    templates = {
        "relance_1": "{{ invoices|length }} {{ total|amount(currency) }} {{ claimed_total }} {{ as_of|date }}"
    }
    message = render(CASES["relance_1"][0], CREDITOR, templates=templates)
    assert message.text == f"1 1{NNBSP}234,56{NBSP}€ 1234.56 3 février 2025\n"
    chf = Invoice(
        "F-CH-1",
        "C001",
        dt.date(2025, 1, 2),
        dt.date(2025, 2, 1),
        Decimal("500.00"),
        currency="CHF",
    )
    mixed = make_action("relance_1", dt.date(2025, 2, 3), invoices=(F1, chf))
    with pytest.raises(TemplateRenderError, match="'total' is undefined"):
        render(mixed, CREDITOR, templates=templates)
    assert f"Total{NBSP}: 500,00{NBSP}CHF + 1{NNBSP}234,56{NBSP}€" in render(mixed, CREDITOR).text


def test_filters_are_also_named_after_the_formatting_functions() -> None:
    source = (
        "{{ action.totals['EUR']|format_amount }} | {{ action.on|format_date('full') }} | "
        "{{ 71|amount_in_words }} | {{ 13|format_percent }} | {{ 8|format_days }}"
    )
    action = CASES["relance_1"][0]
    message = render(action, CREDITOR, templates={"relance_1": source})
    total = action.totals["EUR"]
    expected = (
        f"{format_amount(total)} | {format_date(action.on, style='full')} | "
        "soixante et onze euros | 13\u00a0% | 8\u00a0jours"
    )
    assert message.text.strip() == expected


# ---------------------------------------------------------------------------------------------
# What messages demand (sections) and the law's wording (issue 11).

F_OTHER = Invoice(
    "F-2025-0020", "C001", dt.date(2025, 2, 1), dt.date(2025, 3, 3), Decimal("300.00")
)
F_SOON = Invoice("F-2025-0048", "C001", dt.date(2025, 3, 1), dt.date(2025, 3, 31), Decimal("75.00"))


def sectioned_action() -> Action:
    """A formal notice for F1, with F_OTHER at relance_1 and F_SOON not yet due."""
    on = dt.date(2025, 3, 18)
    items = (
        ActionItem(F1, POLICY.step("mise_en_demeure"), F1.amount, 45, P45, Decimal("40.00")),
        ActionItem(F_OTHER, POLICY.step("relance_1"), F_OTHER.amount, 15),
        ActionItem(F_SOON, POLICY.step("courtoisie"), F_SOON.amount, 0),
    )
    key = action_key("C001", [(i.invoice.number, i.step.key) for i in items])
    totals = {"EUR": sum((i.balance for i in items), Decimal(0))}
    return Action(key, BUSINESS, POLICY.step("mise_en_demeure"), items, totals, on)


def test_a_formal_notice_demands_and_notifies_its_own_items_only() -> None:
    action = sectioned_action()
    assert action.demanded == {"EUR": Decimal("1294.57")}
    message = render(action, CREDITOR)
    text = message.text
    assert message.subject == "Mise en demeure de payer – facture F-2025-0001"
    assert f"somme totale de 1{NNBSP}294,57{NBSP}€" in text
    assert "(mille deux cent trente-quatre euros et cinquante-six centimes)" in text
    assert "au titre de notre facture" in text
    # Other overdue invoices in a section of their own; upcoming ones only "pour mémoire".
    # F_OTHER is at relance_1: this notice is its first reminder, said in that step's words.
    assert (
        "Par ailleurs, sauf erreur de notre part, nous n’avons pas encore reçu le règlement de "
        f"la facture suivante, dont l’échéance est dépassée{NBSP}:\n- Facture F-2025-0020 du "
        f"1er février 2025, échue le 3 mars 2025{NBSP}: reste dû 300,00{NBSP}€ (15{NBSP}jours "
        "de retard)\n"
    ) in text
    assert "F-2025-0020" in text
    assert f"Pour mémoire, la facture suivante arrivera à échéance prochainement{NBSP}:" in text
    soon = [line for line in text.splitlines() if "F-2025-0048" in line]
    assert soon
    assert all("impayée" not in line for line in soon)
    assert "à régler le 31 mars 2025 au plus tard" in soon[0]
    assert message.qr_payload is not None
    assert "EUR1294.57" in message.qr_payload
    assert "Référence à indiquer" in text
    assert "F-2025-0001\n" in text


def test_grammar_follows_the_counts() -> None:
    one = rendered("mise_en_demeure_business").text
    many = rendered("mise_en_demeure_multi").text
    assert "au titre de notre facture" in one
    assert "au titre de nos factures" in many


def test_a_contractual_rate_is_the_rate_the_letter_states() -> None:
    client = attrs.evolve(BUSINESS, penalty_rate=Decimal("15.00"))
    message = render(make_action("lettre_relance", dt.date(2025, 3, 3), client=client), CREDITOR)
    assert f"au taux contractuel de 15{NBSP}% l’an" in message.text
    assert "majoré de 10 points" not in message.text


def test_penalties_stopped_at_the_last_known_rate_are_said_so() -> None:
    stopped = attrs.evolve(penalties("30.29", 91, rate="12.15"), through=dt.date(2026, 6, 30))
    message = render(make_action("lettre_relance", dt.date(2026, 8, 3), pens=[stopped]), CREDITOR)
    assert "arrêtées au 30 juin 2026, à parfaire" in message.text


def test_a_redated_letter_recomputes_its_penalties() -> None:
    action, creditor = CASES["mise_en_demeure_business"]
    (item,) = action.items
    assert item.penalties is not None
    later = render(action, creditor, as_of=dt.date(2025, 4, 1))
    # 1 234,56 € from 2 February to 1 April 2025: 59 days at 13,15 % = 26,24 €.
    assert f"26,24{NBSP}€ (59{NBSP}jours à 13,15{NBSP}%)" in later.text
    assert "calculées ci-dessus jusqu’à la date de la présente lettre" in later.text


def test_the_indemnity_is_40_euros_on_an_invoice_in_another_currency() -> None:
    usd = attrs.evolve(F1, currency="USD")
    message = render(make_action("lettre_relance", dt.date(2025, 3, 3), invoices=(usd,)), CREDITOR)
    assert f"indemnité forfaitaire de recouvrement{NBSP}: 40,00{NBSP}€" in message.text
    assert f"0,00{NBSP}$" not in message.text


def test_creditor_mentions_are_printed_on_letters_and_e_mails() -> None:
    mentions = (
        f"Atelier Dupont SARL – SARL au capital de 10{NNBSP}000{NBSP}€ – RCS Lyon 732 829 320"
    )
    for case in ("relance_1", "lettre_relance", "mise_en_demeure_business"):
        message = rendered(case)
        assert mentions in message.text, case
        assert mentions in message.html, case


def test_consumers_get_the_mediator_and_no_cash_flow_talk() -> None:
    notice = rendered("mise_en_demeure_consumer")
    assert "médiateur de la consommation" in notice.text
    assert "L612-1 et L616-1" in notice.text
    assert "médiateur" not in rendered("mise_en_demeure_business").text
    second = render(
        make_action("relance_2", dt.date(2025, 4, 24), client=CONSUMER, invoices=(G1,)), CREDITOR
    )
    assert "trésorerie" not in second.text
    assert "trésorerie" in rendered("relance_2").text


def test_an_e_mail_step_sent_by_letter_is_laid_out_as_a_letter() -> None:
    client = attrs.evolve(BUSINESS, email=None)
    action = attrs.evolve(
        make_action("relance_1", dt.date(2025, 2, 3), client=client), channel=Channel.LETTER
    )
    message = render(action, CREDITOR)
    assert message.channel is Channel.LETTER
    assert message.recipient == "Boulangerie Martin\n3 place Bellecour\n69002 LYON"
    assert "size: A4" in message.html
    assert "Lyon, le 3 février 2025" in message.text
