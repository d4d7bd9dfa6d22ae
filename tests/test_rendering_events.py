"""What the messages say of the collections workflow (issues 11 and 13): broken promises,
missed instalments, other overdue invoices in the words of their own step, available credit,
a phone step that goes out in writing, the handover file and the instalment plan messages.

Actions are built directly (``ActionItem(..., promise=...)``): these tests pin the wording;
the engine's own tests of those fields are elsewhere.  Exact strings, non-breaking spaces
written as escapes.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from relancelib import (
    Action,
    ActionItem,
    Channel,
    InvalidFieldError,
    Invoice,
    MemoryJournal,
    MissingDataError,
    Payment,
    ReminderPolicy,
    Step,
    action_key,
    plan,
)
from relancelib.events import Instalment, InstalmentPlan, PromiseToPay
from relancelib.io.results import Credit, Portfolio
from relancelib.journal import Record
from relancelib.policy import HANDOVER_STEP
from relancelib.rendering import INSTALMENT_TEMPLATES, builtin_templates, render, render_instalments
from test_rendering import (
    BUSINESS,
    CONSUMER,
    CREDITOR,
    F1,
    F2,
    F3,
    NBSP,
    NNBSP,
    P45,
    POLICY,
    make_action,
    penalties,
)

EUR_1234 = f"1{NNBSP}234,56{NBSP}€"


def action_of(on: dt.date, *items: ActionItem, client=BUSINESS, channel=None) -> Action:  # type: ignore[no-untyped-def]
    """An action with these items; its step is the latest of theirs (as the engine does)."""
    step = max((item.step for item in items), key=lambda s: s.offset_days)
    totals: dict[str, Decimal] = {}
    for item in items:
        totals[item.currency] = totals.get(item.currency, Decimal(0)) + item.balance
    key = action_key(client.id, [(i.invoice.number, i.step.key) for i in items])
    channel = channel or step.channel
    return Action(key, client, step, items, totals, on, channel=channel)


def item(invoice: Invoice, step_key: str, on: dt.date, **kwargs: object) -> ActionItem:
    step = POLICY.step(step_key) if step_key != HANDOVER_STEP.key else HANDOVER_STEP
    return ActionItem(invoice, step, invoice.balance(on), invoice.days_overdue(on), **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# A broken promise to pay: "malgré votre engagement du … de régler … au plus tard le …".

PROMISE = PromiseToPay(
    on=dt.date(2025, 2, 20), until=dt.date(2025, 3, 5), invoice_number="F-2025-0001"
)
SAID = (
    "Malgré votre engagement du 20 février 2025 de régler cette facture au plus tard le "
    "5 mars 2025, ce règlement ne nous est pas parvenu."
)


@pytest.mark.parametrize("step_key", ["relance_1", "relance_2", "lettre_relance", "mise_en_demeure"])
def test_a_broken_promise_is_recalled_in_e_mails_and_letters(step_key: str) -> None:
    on = dt.date(2025, 3, 10)
    pens = P45 if POLICY.step(step_key).include_penalties else None
    action = action_of(on, item(F1, step_key, on, promise=PROMISE, penalties=pens))
    message = render(action, CREDITOR)
    assert f"\n{SAID}\n" in message.text
    assert f"<p>{SAID}</p>" in message.html


def test_the_call_script_says_the_broken_promise() -> None:
    on = dt.date(2025, 3, 10)
    message = render(action_of(on, item(F1, "appel", on, promise=PROMISE)), CREDITOR)
    assert (
        f"Je vous appelle au sujet de notre facture F-2025-0001, pour un montant de {EUR_1234}. "
        f"{SAID[:-1]}.{NBSP}»"
    ) in message.text
    assert SAID in message.html


def test_a_promised_amount_partly_paid_is_said_as_it_is() -> None:
    on = dt.date(2025, 3, 10)
    paid = attrs.evolve(F1, payments=(Payment(dt.date(2025, 3, 3), Decimal("200.00")),))
    promise = attrs.evolve(PROMISE, amount=Decimal("500.00"))
    message = render(action_of(on, item(paid, "relance_2", on, promise=promise)), CREDITOR)
    assert (
        f"Malgré votre engagement du 20 février 2025 de régler 500,00{NBSP}€ au plus tard le "
        f"5 mars 2025, nous n’avons reçu que 200,00{NBSP}€ à ce jour.\n"
    ) in message.text


def test_a_promise_among_several_invoices_names_its_invoice() -> None:
    on = dt.date(2025, 3, 10)
    promise = attrs.evolve(PROMISE, invoice_number="F-2025-0007")
    action = action_of(on, item(F1, "relance_2", on), item(F2, "relance_2", on, promise=promise))
    text = render(action, CREDITOR).text
    assert "de régler la facture F-2025-0007 au plus tard le 5 mars 2025" in text
    # A client-wide promise covers "vos factures".
    client_wide = PromiseToPay(on=dt.date(2025, 2, 20), until=dt.date(2025, 3, 5), client_id="C001")
    action = action_of(on, item(F1, "relance_2", on, promise=client_wide), item(F2, "relance_2", on))
    assert "de régler vos factures au plus tard" in render(action, CREDITOR).text


def test_no_promise_no_sentence() -> None:
    on = dt.date(2025, 3, 10)
    assert "engagement" not in render(action_of(on, item(F1, "relance_2", on)), CREDITOR).text


# ---------------------------------------------------------------------------------------------
# A missed instalment of an agreed plan: never the whole invoice called unpaid.

DUE = Instalment(dt.date(2025, 3, 15), Decimal("411.52"))


def instalment_action(step_key: str, on: dt.date = dt.date(2025, 3, 18)) -> Action:
    step = POLICY.step(step_key)
    pens = penalties("0.44", 3, base="411.52") if step.include_penalties else None
    indemnity = Decimal("40.00") if step.include_penalties else Decimal("0")
    missed = ActionItem(F1, step, Decimal("411.52"), 3, pens, indemnity, instalment=DUE)
    return action_of(on, missed)


LINE = (
    f"- Échéance de 411,52{NBSP}€ due le 15 mars 2025 au titre de l’échéancier convenu pour la "
    f"facture F-2025-0001{NBSP}: reste dû 411,52{NBSP}€ (3{NBSP}jours de retard)\n"
)


def test_a_missed_instalment_in_a_first_reminder() -> None:
    message = render(instalment_action("relance_1"), CREDITOR)
    assert message.subject == (
        f"Relance{NBSP}: échéance du 15 mars 2025 (facture F-2025-0001) en attente de règlement"
    )
    assert (
        "nous n’avons pas encore reçu le règlement de l’échéance suivante, dont la date est "
        f"dépassée{NBSP}:\n\nClient{NBSP}: Boulangerie Martin\n{LINE}Total{NBSP}: 411,52{NBSP}€\n"
    ) in message.text
    assert "En cas de question ou de désaccord sur cette échéance" in message.text
    assert "Facture F-2025-0001 du" not in message.text
    assert "<td style=\"padding:6px;border-bottom:1px solid #eeeeee\">15 mars 2025</td>" in (
        message.html
    )


def test_a_missed_instalment_is_unpaid_not_the_invoice() -> None:
    second = render(instalment_action("relance_2"), CREDITOR)
    assert second.subject == (
        f"Deuxième relance{NBSP}: échéance du 15 mars 2025 (facture F-2025-0001) impayée"
    )
    assert f"Malgré notre précédente relance, l’échéance suivante reste impayée à ce jour{NBSP}:" in (
        second.text
    )
    assert LINE in second.text
    letter = render(instalment_action("lettre_relance"), CREDITOR).text
    assert (
        "nous constatons que l’échéance suivante, convenue avec Boulangerie Martin, reste "
        f"impayée à ce jour{NBSP}:\n\n- Échéance de 411,52{NBSP}€ due le 15 mars 2025 au titre de "
        "l’échéancier convenu pour la facture F-2025-0001 (3\u00a0jours de retard)\u00a0:\n"
    ) in letter
    notice = render(instalment_action("mise_en_demeure"), CREDITOR).text
    assert (
        "vous restez redevable envers Atelier Dupont SARL des sommes suivantes, au titre de "
        f"l’échéancier convenu pour notre facture F-2025-0001{NBSP}:"
    ) in notice
    for text in (second.text, letter, notice):
        assert "facture F-2025-0001 restée impayée" not in text
        assert "facture suivante" not in text


def test_the_call_script_of_a_missed_instalment() -> None:
    text = render(instalment_action("appel"), CREDITOR).text
    assert (
        "Je vous appelle au sujet de l’échéance du 15 mars 2025 (facture F-2025-0001), pour un "
        f"montant de 411,52{NBSP}€."
    ) in text


# ---------------------------------------------------------------------------------------------
# Other overdue invoices, in the words of their own step.


def test_other_overdue_invoices_are_written_in_the_words_of_their_step() -> None:
    on = dt.date(2025, 3, 18)
    custom = Step("rappel_maison", 20, Channel.EMAIL)
    action = action_of(
        on,
        item(F1, "lettre_relance", on, penalties=P45),
        item(F2, "relance_2", on),
        item(F3, "relance_1", on),
        ActionItem(F3, custom, Decimal("10.00"), 15),
        ActionItem(attrs.evolve(F3, number="F-2025-0013"), POLICY.step("appel"), Decimal("5.00"), 15),
    )
    text = render(action, CREDITOR).text
    assert (
        "Par ailleurs, sauf erreur de notre part, nous n’avons pas encore reçu le règlement de "
        f"la facture suivante, dont l’échéance est dépassée{NBSP}:\n- Facture F-2025-0012 du "
        f"1er février 2025, échue le 3 mars 2025{NBSP}: reste dû 89,90{NBSP}€ (15{NBSP}jours de "
        "retard)\n"
    ) in text
    assert (
        "Par ailleurs, la facture suivante a déjà fait l’objet d’un premier rappel et reste en "
        f"attente de règlement{NBSP}:\n- Facture F-2025-0013"
    ) in text
    assert (
        "Par ailleurs, malgré nos précédents rappels, la facture suivante reste impayée"
        f"{NBSP}:\n- Facture F-2025-0007"
    ) in text
    # A step of the user's own policy: a neutral sentence.
    assert f"Par ailleurs, la facture suivante reste à régler{NBSP}:\n- Facture F-2025-0012" in text
    # In the order of the escalation: relance_1 (+1), appel (+8), relance_2 (+15), custom (+20).
    words = ("sauf erreur", "premier rappel", "nos précédents", "reste à régler")
    order = [text.index(word) for word in words]
    assert order == sorted(order)


def test_several_other_invoices_at_one_step_agree_in_number() -> None:
    on = dt.date(2025, 3, 18)
    action = action_of(
        on,
        item(F1, "mise_en_demeure", on, penalties=P45, indemnity=Decimal("40.00")),
        item(F2, "lettre_relance", on),
        item(F3, "lettre_relance", on),
    )
    message = render(action, CREDITOR)
    heading = (
        "Par ailleurs, malgré nos relances répétées, les factures suivantes restent impayées à "
        f"ce jour{NBSP}:"
    )
    assert f"\n{heading}\n- Facture F-2025-0007" in message.text
    assert f"<p>{heading}</p>" in message.html
    # Listed, never demanded: the notice's sum is its own invoice's.
    assert f"somme totale de 1{NNBSP}294,57{NBSP}€" in message.text


# ---------------------------------------------------------------------------------------------
# Available credit ("avoir disponible").

CREDIT = (
    f"Nous disposons par ailleurs d’un avoir de 120,00{NBSP}€ en votre faveur, non imputé et non "
    f"déduit des sommes ci-dessus{NBSP}: vous pouvez le déduire de votre règlement en nous le "
    "signalant."
)


@pytest.mark.parametrize(
    "step_key", ["courtoisie", "relance_1", "relance_2", "lettre_relance", "mise_en_demeure"]
)
def test_every_message_mentions_the_available_credit(step_key: str) -> None:
    on = {"courtoisie": dt.date(2025, 1, 27)}.get(step_key, dt.date(2025, 3, 18))
    pens = [P45] if POLICY.step(step_key).include_penalties else None
    message = render(make_action(step_key, on, pens=pens), CREDITOR, credits={"EUR": Decimal("120.00")})
    assert f"\n{CREDIT}\n" in message.text
    assert f"<p>{CREDIT}</p>" in message.html
    assert "avoir" not in render(make_action(step_key, on, pens=pens), CREDITOR).text


def test_the_call_script_and_other_currencies_say_the_credit() -> None:
    script = render(
        make_action("appel", dt.date(2025, 2, 10)),
        CREDITOR,
        credits={"USD": Decimal("50.00"), "EUR": Decimal("120.00")},
    )
    assert (
        "Avoir disponible en faveur du client (non imputé, non déduit ci-dessus)"
        f"{NBSP}: 120,00{NBSP}€ et de 50,00{NBSP}$US{NBSP}; proposez de l’imputer sur le "
        "règlement."
    ) in script.text


def test_the_credits_of_a_portfolio_are_summed_per_currency() -> None:
    credits = (
        Credit("C001", Decimal("100.00"), "EUR", dt.date(2025, 1, 10), "AV-1"),
        Credit("C001", Decimal("20.00"), "EUR", dt.date(2025, 1, 20), "Acompte"),
    )
    message = render(make_action("relance_1", dt.date(2025, 2, 3)), CREDITOR, credits=credits)
    assert f"\n{CREDIT}\n" in message.text


def test_a_zero_credit_is_no_credit() -> None:
    message = render(make_action("relance_1", dt.date(2025, 2, 3)), CREDITOR, credits={"EUR": Decimal("0")})
    assert "avoir" not in message.text


@pytest.mark.parametrize(
    ("credits", "field"),
    [
        ([("EUR", Decimal("1"))], "credits"),
        ({"EUR": 120.0}, "credits[EUR]"),
        ({"EUR": Decimal("-1")}, "credits[EUR]"),
        ({"EUR": Decimal("1.001")}, "credits[EUR]"),
        ({"XXY": Decimal("1")}, "credits"),
        ("120 EUR", "credits"),
    ],
)
def test_bad_credits_name_the_field(credits: object, field: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        render(make_action("relance_1", dt.date(2025, 2, 3)), CREDITOR, credits=credits)  # type: ignore[arg-type]
    assert caught.value.field == field


# ---------------------------------------------------------------------------------------------
# The phone step when the client cannot be called: a message written for the client.


def test_a_phone_step_by_e_mail_is_not_the_call_script() -> None:
    client = attrs.evolve(BUSINESS, phone=None)
    action = attrs.evolve(make_action("appel", dt.date(2025, 2, 10), client=client), channel=Channel.EMAIL)
    message = render(action, CREDITOR)
    assert message.channel is Channel.EMAIL
    assert message.recipient == "compta@boulangerie-martin.fr"
    assert message.template == "appel.ecrit"
    assert message.subject == (
        f"Règlement de notre facture F-2025-0001{NBSP}: pouvons-nous faire le point{NBSP}?"
    )
    assert message.text.startswith(
        "Bonjour Madame Durand,\n\nNous souhaitions faire le point avec vous par téléphone au "
        "sujet de notre facture F-2025-0001, dont le règlement ne nous est pas parvenu, mais "
        f"nous ne disposons pas de votre numéro{NBSP}:\n"
    )
    for script_words in ("FICHE D’APPEL", "DÉROULÉ", "Consignez", "À NOTER"):
        assert script_words not in message.text
        assert script_words.lower() not in message.html.lower()
    assert "FR76 3000 6000 0112 3456 7890 189" in message.text
    assert message.to_email()["To"] == "Boulangerie Martin <compta@boulangerie-martin.fr>"


def test_a_phone_step_by_letter_is_a_letter_for_the_client() -> None:
    client = attrs.evolve(BUSINESS, phone=None, email=None)
    action = attrs.evolve(make_action("appel", dt.date(2025, 2, 10), client=client), channel=Channel.LETTER)
    message = render(action, CREDITOR)
    assert message.channel is Channel.LETTER
    assert "size: A4" in message.html
    assert "\nMadame,\n\nNous souhaitions faire le point" in message.text
    assert "FICHE" not in message.text


def test_a_user_written_variant_and_a_custom_phone_step() -> None:
    client = attrs.evolve(BUSINESS, phone=None)
    action = attrs.evolve(make_action("appel", dt.date(2025, 2, 10), client=client), channel=Channel.EMAIL)
    mine = render(action, CREDITOR, templates={"appel.ecrit": "Appelez-nous."})
    assert mine.text == "Appelez-nous.\n"
    # A phone step of the user's own policy, without a written variant: the built-in one.
    step = Step("coup_de_fil", 10, Channel.PHONE, fallback=(Channel.EMAIL,))
    custom = attrs.evolve(action, step=step, items=tuple(attrs.evolve(i, step=step) for i in action.items))
    assert render(custom, CREDITOR, templates={"coup_de_fil": "script"}).template == "appel.ecrit"
    assert "appel.ecrit" in builtin_templates()


# ---------------------------------------------------------------------------------------------
# The handover file.

LRAR = "1A 123 456 7890 1"
HISTORY = (
    Record("rl-a", "C001", (("F-2025-0001", "relance_1"),), dt.date(2025, 2, 3), Channel.EMAIL,
           "<rl-a@atelier-dupont.fr>", step="relance_1"),
    Record("rl-b", "C001", (("F-2025-0001", "appel"),), dt.date(2025, 2, 10), Channel.PHONE,
           step="appel"),
    Record("rl-e", "C001", (("F-2025-0001", "mise_en_demeure"),), dt.date(2025, 3, 18),
           Channel.REGISTERED_LETTER, LRAR, step="mise_en_demeure"),
    Record("rl-x", "C009", (("F-9", "relance_1"),), dt.date(2025, 3, 18), Channel.EMAIL),
    Record("rl-later", "C001", (("F-2025-0007", "relance_1"),), dt.date(2025, 5, 2), Channel.EMAIL),
)  # fmt: skip


def handover_action(client=BUSINESS) -> Action:  # type: ignore[no-untyped-def]
    on = dt.date(2025, 4, 14)
    handed = ActionItem(
        F1, HANDOVER_STEP, F1.amount, 72, penalties("32.01", 72), Decimal("40.00")
    )
    return action_of(on, handed, client=client)


def test_the_handover_file_lists_the_evidence() -> None:
    message = render(handover_action(), CREDITOR, history=HISTORY, credits={"EUR": Decimal("120.00")})
    text = message.text
    assert message.subject == "Dossier de recouvrement contentieux – Boulangerie Martin"
    assert message.template == "remise_contentieux"
    assert text.startswith("DOSSIER DE RECOUVREMENT CONTENTIEUX\n")
    assert "Il n’est pas adressé au débiteur." in text
    # Not addressed to the client: no greeting, no salutation.
    for greeting in ("Bonjour", "Madame,", "Madame, Monsieur", "Nous vous prions"):
        assert greeting not in text
    assert f"SIREN{NBSP}: 552 100 554\n" in text
    assert f"Adresse{NBSP}: 3 place Bellecour, 69002 LYON\n" in text
    assert (
        "- Facture F-2025-0001 du 2 janvier 2025, échéance le 1er février 2025 (72\u00a0jours de "
        f"retard){NBSP}:\n    montant TTC{NBSP}: {EUR_1234}{NBSP}; reste dû{NBSP}: {EUR_1234}\n"
        f"    pénalités de retard à ce jour{NBSP}: 32,01{NBSP}€ (72{NBSP}jours à 13,15{NBSP}%)\n"
        f"    indemnité forfaitaire de recouvrement{NBSP}: 40,00{NBSP}€\n"
        f"    prescription{NBSP}: 1er février 2030"
    ) in text
    assert f"Total à recouvrer à ce jour{NBSP}: 1{NNBSP}306,57{NBSP}€\n" in text
    assert f"non imputé{NBSP}: 120,00{NBSP}€ (à déduire des sommes réclamées)" in text
    assert (
        "4. RELANCES EFFECTUÉES\n"
        f"- 3 février 2025 – Première relance – e-mail – réf. <rl-a@atelier-dupont.fr> – facture F-2025-0001\n"
        "- 10 février 2025 – Appel téléphonique – téléphone – facture F-2025-0001\n"
        "- 18 mars 2025 – Mise en demeure – lettre recommandée avec accusé de réception – réf. "
        f"{LRAR} – facture F-2025-0001\n\n"
    ) in text
    # The notice's deadline: 18 March + 15 days at the post office + 8 days (render's rule).
    assert (
        f"Adressée le 18 mars 2025 par lettre recommandée avec accusé de réception n° {LRAR}, "
        f"pour la facture F-2025-0001. Délai de paiement imparti{NBSP}: au plus tard le jeudi "
        "10 avril 2025, expiré sans paiement intégral.\n"
    ) in text
    assert "F-9" not in text
    assert "2 mai 2025" not in text
    assert LRAR in message.html
    assert "rl-a@atelier-dupont.fr" in message.html


def test_a_handover_without_history_or_address_says_what_is_missing() -> None:
    client = attrs.evolve(BUSINESS, address=None, siren=None)
    message = render(handover_action(client), CREDITOR)
    assert message.recipient == "Boulangerie Martin"
    assert f"Adresse{NBSP}: inconnue (à rechercher avant toute procédure)" in message.text
    assert f"SIREN{NBSP}: non renseigné" in message.text
    assert "Aucune relance n’est consignée dans le journal." in message.text
    assert "Aucune mise en demeure n’est consignée dans le journal" in message.text


def test_history_must_hold_records() -> None:
    with pytest.raises(InvalidFieldError) as caught:
        render(handover_action(), CREDITOR, history=[("2025-03-18", "mise_en_demeure")])  # type: ignore[list-item]
    assert caught.value.field == "history"


# ---------------------------------------------------------------------------------------------
# Instalment plan messages.

PLAN = InstalmentPlan.split(
    "F-2025-0001", Decimal("1234.56"), count=3, every_days=30, first=dt.date(2025, 3, 15),
    on=dt.date(2025, 3, 5),
)  # fmt: skip
SCHEDULE = (
    f"- 1re échéance{NBSP}: 411,52{NBSP}€ le 15 mars 2025\n"
    f"- 2e échéance{NBSP}: 411,52{NBSP}€ le 14 avril 2025\n"
    f"- 3e échéance{NBSP}: 411,52{NBSP}€ le 14 mai 2025\n"
    f"Total{NBSP}: {EUR_1234}\n"
)


def test_an_instalment_plan_is_proposed() -> None:
    message = render_instalments(PLAN, F1, BUSINESS, CREDITOR, as_of=dt.date(2025, 3, 5))
    assert message.subject == "Proposition d’échéancier – facture F-2025-0001"
    assert message.channel is Channel.EMAIL
    assert message.step_key == INSTALMENT_TEMPLATES[0] == "echeancier_proposition"
    assert message.action_key == PLAN.key
    assert message.deadline == dt.date(2025, 3, 15)
    assert (
        "Bonjour Madame Durand,\n\nAfin de vous faciliter le règlement de notre facture "
        "F-2025-0001 du 2 janvier 2025, dont le montant restant dû s’élève à "
        f"{EUR_1234}, nous vous proposons de le régler en 3 échéances{NBSP}:\n\n{SCHEDULE}\n"
        "Pour accepter cet échéancier, il vous suffit de nous confirmer votre accord en réponse "
        "à ce message, avant le 15 mars 2025, date de la première échéance.\n"
    ) in message.text
    assert "<td style=\"padding:6px 12px;border-bottom:1px solid #eeeeee\">14 avril 2025</td>" in (
        message.html
    )


def test_an_instalment_plan_is_confirmed_by_letter_when_there_is_no_e_mail() -> None:
    client = attrs.evolve(BUSINESS, email=None)
    message = render_instalments(
        PLAN, F1, client, CREDITOR, as_of=dt.date(2025, 3, 6), confirm=True
    )
    assert message.channel is Channel.LETTER
    assert message.subject == "Confirmation de votre échéancier – facture F-2025-0001"
    assert (
        "Nous vous confirmons l’échéancier convenu le 5 mars 2025 pour le règlement de notre "
        f"facture F-2025-0001 du 2 janvier 2025, soit {EUR_1234} en 3 échéances{NBSP}:\n\n"
        f"{SCHEDULE}\nMerci de régler chaque échéance à sa date, en indiquant la référence "
        "F-2025-0001.\n"
    ) in message.text
    assert "size: A4" in message.html


def test_a_plan_for_part_of_the_balance_says_what_stays_due() -> None:
    part = InstalmentPlan(
        invoice_number="F-2025-0001",
        instalments=(Instalment(dt.date(2025, 3, 15), Decimal("600.00")),),
        on=dt.date(2025, 3, 5),
    )
    text = render_instalments(part, F1, BUSINESS, CREDITOR, as_of=dt.date(2025, 3, 5)).text
    assert f"nous vous proposons d’en régler 600,00{NBSP}€ en 1 échéance{NBSP}:" in text
    assert (
        f"Le reste de la facture, soit 634,56{NBSP}€, demeure payable à son échéance du "
        "1er février 2025."
    ) in text


def test_render_instalments_checks_what_belongs_together() -> None:
    with pytest.raises(InvalidFieldError) as caught:
        render_instalments(PLAN, F2, BUSINESS, CREDITOR, as_of=dt.date(2025, 3, 5))
    assert caught.value.field == "plan.invoice_number"
    with pytest.raises(InvalidFieldError) as caught:
        render_instalments(PLAN, F1, CONSUMER, CREDITOR, as_of=dt.date(2025, 3, 5))
    assert caught.value.field == "invoice.client_id"
    with pytest.raises(MissingDataError):
        render_instalments(
            PLAN, F1, attrs.evolve(BUSINESS, address=None), CREDITOR,
            as_of=dt.date(2025, 3, 5), channel=Channel.LETTER,
        )  # fmt: skip
    with pytest.raises(InvalidFieldError) as caught:
        render_instalments(
            PLAN, F1, BUSINESS, CREDITOR, as_of=dt.date(2025, 3, 5), channel=Channel.PHONE
        )
    assert caught.value.field == "channel"


# ---------------------------------------------------------------------------------------------
# French typography in the new messages: a no-break space before : ; ? ! » and €.


def new_messages() -> dict[str, object]:
    on = dt.date(2025, 3, 10)
    no_phone = attrs.evolve(BUSINESS, phone=None)
    credit = {"EUR": Decimal("120.00")}
    return {
        "promise": render(action_of(on, item(F1, "relance_2", on, promise=PROMISE)), CREDITOR),
        "instalment_letter": render(instalment_action("lettre_relance"), CREDITOR),
        "instalment_script": render(instalment_action("appel"), CREDITOR, credits=credit),
        "written_call": render(
            attrs.evolve(make_action("appel", on, client=no_phone), channel=Channel.EMAIL),
            CREDITOR,
            credits=credit,
        ),
        "handover": render(handover_action(), CREDITOR, history=HISTORY, credits=credit),
        "proposal": render_instalments(PLAN, F1, BUSINESS, CREDITOR, as_of=dt.date(2025, 3, 5)),
        "confirmation": render_instalments(
            PLAN, F1, attrs.evolve(BUSINESS, email=None), CREDITOR, as_of=on, confirm=True
        ),
    }


@pytest.mark.parametrize("name", sorted(new_messages()))
def test_no_ordinary_space_before_high_punctuation(name: str) -> None:
    message = new_messages()[name]
    for text in (message.subject, message.text, message.html):  # type: ignore[attr-defined]
        body = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        body = re.sub(r"<[^>]*>", "", body)
        assert not re.search(r" [:;?!»€]", body), re.search(r".{30} [:;?!»€].{10}", body)
        assert "« " not in body


# ---------------------------------------------------------------------------------------------
# docs/templates.md says what the templates write.

DOCS = Path(__file__).resolve().parent.parent / "docs" / "templates.md"


def test_the_documented_section_headings_are_what_letters_say() -> None:
    rows = re.findall(r"^  \| `?([\w ]+?)`? \| « (.+?) » \|$", DOCS.read_text("utf-8"), flags=re.M)
    assert len(rows) == 5
    on = dt.date(2025, 3, 18)
    custom = Step("autre", 20, Channel.EMAIL)
    for key, heading in rows:
        step = custom if key == "any other key" else POLICY.step(key)
        action = action_of(
            on, item(F1, "mise_en_demeure", on, penalties=P45), ActionItem(F2, step, F2.amount, 32)
        )
        expected = heading.replace(" :", f"{NBSP}:")
        assert f"\n{expected}\n- Facture F-2025-0007" in render(action, CREDITOR).text


def test_the_documented_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text("utf-8"), flags=re.S)
    assert len(blocks) == 2
    on = dt.date(2025, 3, 18)
    journal = MemoryJournal()
    namespace: dict[str, object] = {
        "today": plan([F1], [BUSINESS], POLICY, dt.date(2025, 2, 3)),
        "creditor": CREDITOR,
        "portfolio": Portfolio(
            clients=(BUSINESS,),
            invoices=(F1,),
            credits=(Credit("C001", Decimal("120.00"), "EUR", on, "AV-1"),),
        ),
        "journal": journal,
        "invoice": F1,
        "client": BUSINESS,
        "first_day": dt.date(2025, 3, 15),
    }
    exec(compile(blocks[0], "templates.md", "exec"), namespace)
    assert f"\n{CREDIT}\n" in namespace["message"].text  # type: ignore[attr-defined]
    namespace["today"] = dt.date(2025, 3, 5)
    exec(compile(blocks[1], "templates.md", "exec"), namespace)
    assert SCHEDULE in namespace["proposal"].text  # type: ignore[attr-defined]
    assert namespace["confirmation"].step_key == "echeancier_confirmation"  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# End to end: the engine's actions over the weeks, a real journal with its events.


def chase(invoices: list[Invoice], policy: ReminderPolicy, journal: MemoryJournal, days: int):  # type: ignore[no-untyped-def]
    """Plan, render and record every day from 20 January 2025; yields (day, action, message)."""
    day = dt.date(2025, 1, 20)
    for _ in range(days):
        for action in plan(invoices, [BUSINESS], policy, day, journal).actions:
            message = render(action, CREDITOR, history=journal.records(action.client.id))
            reference = "1A 000 111 2222 3" if action.channel is Channel.REGISTERED_LETTER else None
            journal.record(action, reference=reference)
            yield day, action, message
        day += dt.timedelta(days=1)


def test_the_handover_file_of_a_real_chase() -> None:
    policy = attrs.evolve(ReminderPolicy.french_default(), after_formal_notice="handover")
    sent = list(chase([F1], policy, MemoryJournal(), 90))
    day, _action, message = sent[-1]
    assert [a.step.key for _d, a, _m in sent][-2:] == ["mise_en_demeure", "remise_contentieux"]
    text = message.text
    assert (
        "4. RELANCES EFFECTUÉES\n"
        "- 27 janvier 2025 – Rappel avant échéance – e-mail – facture F-2025-0001\n"
        "- 3 février 2025 – Première relance – e-mail – facture F-2025-0001\n"
        "- 10 février 2025 – Appel téléphonique – téléphone – facture F-2025-0001\n"
        "- 17 février 2025 – Deuxième relance – e-mail – facture F-2025-0001\n"
        "- 3 mars 2025 – Lettre de relance – courrier simple – facture F-2025-0001\n"
        "- 18 mars 2025 – Mise en demeure – lettre recommandée avec accusé de réception – réf. "
        "1A 000 111 2222 3 – facture F-2025-0001\n"
    ) in text
    # The engine hands over the day after the deadline the notice printed.
    assert day == dt.date(2025, 4, 11)
    assert "au plus tard le jeudi 10 avril 2025, expiré sans paiement intégral." in text


def test_a_broken_promise_and_a_missed_instalment_in_real_messages() -> None:
    journal = MemoryJournal()
    journal.add_event(PromiseToPay(on=dt.date(2025, 2, 5), until=dt.date(2025, 2, 12), invoice_number=F1.number))
    journal.add_event(
        InstalmentPlan.split(
            F2.number, F2.amount, count=3, every_days=30, first=dt.date(2025, 2, 17),
            on=dt.date(2025, 2, 4),
        )
    )  # fmt: skip
    said = {day: message.text for day, _action, message in chase([F1, F2], POLICY, journal, 45)}
    call = said[dt.date(2025, 2, 17)]
    assert (
        f"Je vous appelle au sujet de notre facture F-2025-0001, pour un montant de {EUR_1234}. "
        "Malgré votre engagement du 5 février 2025 de régler cette facture au plus tard le "
        "12 février 2025, ce règlement ne nous est pas parvenu."
    ) in call
    assert (
        "Par ailleurs, sauf erreur de notre part, nous n’avons pas encore reçu le règlement de "
        f"l’échéance suivante, dont la date est dépassée{NBSP}:\n- Échéance de 1{NNBSP}600,00"
        f"{NBSP}€ due le 17 février 2025 au titre de l’échéancier convenu pour la facture "
        "F-2025-0007"
    ) in said[dt.date(2025, 2, 24)]
    assert "malgré notre précédent rappel, l’échéance suivante reste impayée" in said[
        dt.date(2025, 3, 3)
    ]
