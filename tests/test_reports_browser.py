"""The HTML report in a real browser: Debian's headless Chromium takes a screenshot and
prints it to PDF; the screenshot is not blank and shows the charts' colours, the PDF holds
the figures (as images) and the French figures (as text).  Also ``relance report``."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from relancelib import MemoryJournal
from relancelib.cli import cli
from relancelib.reports import insight_report, write_report
from relancelib.reports.plots import BUCKET_COLOURS
from relancelib.sample import load_sample

pytest.importorskip("matplotlib")
pypdf = pytest.importorskip("pypdf")
Image = pytest.importorskip("PIL.Image")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)  # fmt: skip
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def _chromium(tmp_path: Path, name: str, *args: str) -> None:
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{name}"
    subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def sample_page() -> str:
    sample = load_sample()
    journal = MemoryJournal()
    sample.replay(journal)
    steps = [step.key for step in sample.policy(sample.clients[0]).steps]
    return insight_report(
        sample.invoices,
        sample.clients,
        journal.records(),
        sample.as_of,
        creditor=sample.creditor.name,
        steps=steps,
    )


def test_the_page_is_self_contained_and_french(sample_page: str) -> None:
    assert sample_page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in sample_page
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', sample_page)) == 3
    assert "http://" not in sample_page
    assert "https://" not in sample_page
    assert "lundi 16 mars 2026" in sample_page
    assert "131\u202f071,68\u00a0€" in sample_page  # the receivables, French format
    assert "@media print" in sample_page


def test_client_names_are_escaped(sample_page: str) -> None:
    assert "Agence Événements &amp; Cie" in sample_page
    assert "Agence Événements & Cie" not in sample_page


@pytest.mark.slow
@needs_chromium
def test_report_renders_in_headless_chromium(sample_page: str, tmp_path: Path) -> None:
    page = write_report(tmp_path / "rapport.html", sample_page)
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, "shot", "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2400)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 50  # not blank: text, charts, tables
    counts = {rgb: n for n, rgb in colours}
    # The aging chart's buckets are on the first screen: its colours fill areas.
    for hex_colour in (BUCKET_COLOURS[0], BUCKET_COLOURS[-1]):
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert counts.get(rgb, 0) > 2_000, hex_colour

    pdf = tmp_path / "rapport.pdf"
    _chromium(tmp_path, "pdf", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    reader = pypdf.PdfReader(pdf)
    assert sum(len(p.images) for p in reader.pages) == 3  # the three figures, printed
    # NFKC: the PDF's text has ligatures ("ﬃ") and no-break spaces.
    raw = " ".join(p.extract_text() for p in reader.pages)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw))
    for expected in (
        "Point sur les créances clients",
        "Balance âgée",
        "DSO (méthode par épuisement)",
        "Prévision d'encaissements",
        "Efficacité des relances",
        "Profils de payeurs",
        "lundi 16 mars 2026",
    ):
        assert expected in text
    assert re.search(r"131\s?071,68\s?€", text)


def test_relance_report_on_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "rapport.html"
    result = CliRunner().invoke(cli, ["report", "--sample", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "lundi 16 mars 2026" in result.output
    page = out.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 3
    earlier = tmp_path / "avant.html"
    result = CliRunner().invoke(
        cli, ["report", "--sample", "--date", "02/03/2026", "-o", str(earlier), "--weeks", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "lundi 2 mars 2026" in earlier.read_text(encoding="utf-8")
