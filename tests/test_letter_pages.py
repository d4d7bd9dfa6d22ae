"""The golden letters as the recipient sees them: each is laid out as a PDF, rendered to PNG
pages with pdftoppm (Debian poppler-utils) into ``tests/artefacts/letters`` for review by eye,
and checked for what can be checked by machine (A4, page counts, nothing lost)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from test_rendering import CASES, rendered

ARTEFACTS = Path(__file__).parent / "artefacts" / "letters"
LETTERS = sorted(c for c, (action, _creditor) in CASES.items() if action.channel.is_postal)
#: The pages each golden letter must fit in: a one-invoice reminder letter on one page.
MAX_PAGES = {"lettre_relance": 1}

pytest.importorskip("weasyprint")


@pytest.mark.parametrize("case", LETTERS)
def test_golden_letters_render_to_png_pages(case: str) -> None:
    pdf = rendered(case).to_pdf()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTEFACTS / f"{case}.pdf"
    source.write_bytes(pdf)
    for old in ARTEFACTS.glob(f"{case}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(ARTEFACTS / case)], check=True)
    pngs = sorted(ARTEFACTS.glob(f"{case}-*.png"))
    assert 1 <= len(pngs) <= MAX_PAGES.get(case, 2)
    assert all(png.read_bytes().startswith(b"\x89PNG") for png in pngs)
