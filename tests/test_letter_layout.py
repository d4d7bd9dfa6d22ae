"""Letters laid out as the recipient gets them: a one-invoice formal notice on one A4 page,
its last paragraphs never left to the signature alone, the handover file and an instalment
plan letter on one page.  Each PDF is rendered to PNG with pdftoppm (poppler-utils) into
``tests/artefacts/layout`` for review by eye, and its pages counted.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from relancelib import Message
from relancelib.events import InstalmentPlan, PromiseToPay
from relancelib.policy import Channel
from relancelib.rendering import render, render_instalments
from test_rendering import BUSINESS, CREDITOR, F1, F2, rendered
from test_rendering_events import HISTORY, action_of, handover_action, item

pytest.importorskip("weasyprint")
pypdf = pytest.importorskip("pypdf")

ARTEFACTS = Path(__file__).parent / "artefacts" / "layout"


def pages(name: str, message: Message) -> list[str]:
    """The text of each page of ``message`` as a PDF; the PDF and its PNG pages are written
    to the artefacts folder (when pdftoppm is installed)."""
    pdf = message.to_pdf()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    if shutil.which("pdftoppm") is not None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        source = ARTEFACTS / f"{name}.pdf"
        source.write_bytes(pdf)
        for old in ARTEFACTS.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(source), str(ARTEFACTS / name)], check=True
        )
        pngs = sorted(ARTEFACTS.glob(f"{name}-*.png"))
        assert len(pngs) == len(reader.pages)
        assert all(png.read_bytes().startswith(b"\x89PNG") for png in pngs)
    return [page.extract_text() for page in reader.pages]


@pytest.mark.parametrize("case", ["mise_en_demeure_business", "mise_en_demeure_consumer"])
def test_a_one_invoice_formal_notice_fits_on_one_page(case: str) -> None:
    (page,) = pages(case, rendered(case))
    # Everything is on it, from the registered-letter mention to the signature.
    for words in ("RECOMMANDÉE", "Mise en demeure de payer", "Pour régler", "1344", "Marie Dupont"):
        assert words in page


def test_a_one_invoice_letter_with_a_promise_and_a_credit_fits_on_one_page() -> None:
    on = dt.date(2025, 3, 3)
    promise = PromiseToPay(on=dt.date(2025, 2, 20), until=dt.date(2025, 2, 25), client_id="C001")
    action = action_of(on, item(F1, "lettre_relance", on, promise=promise))
    (page,) = pages("lettre_relance_promise", render(action, CREDITOR, credits={"EUR": Decimal("120.00")}))
    assert "votre engagement du 20" in page
    assert "avoir de 120,00" in page


def test_the_signature_is_never_alone_on_the_last_page() -> None:
    texts = pages("mise_en_demeure_multi", rendered("mise_en_demeure_multi"))
    assert len(texts) == 2
    last = texts[-1]
    assert "Marie Dupont" in last
    assert "vaut mise en demeure au sens de l’article 1344" in last


def test_the_place_and_date_sit_above_the_envelope_window() -> None:
    reader = pypdf.PdfReader(io.BytesIO(rendered("mise_en_demeure_business").to_pdf()))
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        for start in ("Lyon, le", "Boulangerie Martin", "LETTRE RECOMMANDÉE"):
            if text.startswith(start) and start not in found:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found[start] = (x / 72 * 25.4, 297 - y / 72 * 25.4)

    reader.pages[0].extract_text(visitor_text=visit)
    place, window, mode = found["Lyon, le"], found["Boulangerie Martin"], found["LETTRE RECOMMANDÉE"]
    # The date over the recipient block, aligned with it, out of the window (from 47 mm).
    assert abs(place[0] - window[0]) < 1
    assert place[1] < 45 <= window[1] <= 56
    # The registered-letter mention on the left, level with the address block.
    assert mode[0] < 30
    assert 55 <= mode[1] <= 66


def test_the_handover_file_fits_on_one_page() -> None:
    (page,) = pages("remise_contentieux", render(handover_action(), CREDITOR, history=HISTORY))
    for words in ("Dossier de recouvrement contentieux", "1A 123 456 7890 1", "Pièces à joindre".upper()):
        assert words in page


def test_an_instalment_plan_letter_fits_on_one_page() -> None:
    plan = InstalmentPlan.split(
        "F-2025-0007", Decimal("4800.00"), count=6, every_days=30, first=dt.date(2025, 3, 15),
        on=dt.date(2025, 3, 5),
    )  # fmt: skip
    client = attrs.evolve(BUSINESS, email=None)
    message = render_instalments(plan, F2, client, CREDITOR, as_of=dt.date(2025, 3, 6), confirm=True)
    assert message.channel is Channel.LETTER
    (page,) = pages("echeancier_confirmation", message)
    assert "6e" in page

