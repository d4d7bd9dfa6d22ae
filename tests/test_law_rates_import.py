"""`relance rates` and `relance rates import FILE`: the official SDMX-CSV series (ECB Data
Portal MRO rate, Banque de France Webstat legal interest rates) into the user rates file that
`plan` reads.  The files are written here in the formats those portals export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from relancelib import law
from relancelib.cli.main import cli
from relancelib.errors import DataImportError, RelanceError

# The ECB Data Portal's csvdata export (detail=dataonly: its first ten columns) of the MRO
# series FM.D.U2.EUR.4F.KR.MRR_FR.LEV, which holds one observation per change of rate.  The
# figures are the shipped table's (law/data/ecb_mro.csv).
ECB_CSV = """KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,DATA_TYPE_FM,TIME_PERIOD,OBS_VALUE
FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-04-23,2.4
FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-11,2.15
"""

# The older Statistical Data Warehouse key, business-daily, with the full export's attribute
# columns (a quoted title holding commas).
ECB_DAILY_CSV = """KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,DATA_TYPE_FM,TIME_PERIOD,OBS_VALUE,OBS_STATUS,OBS_CONF,TITLE
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-06-30,2.15,A,F,"Main refinancing operations - fixed rate tenders (fixed rate) (date of changes) - Level"
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-07-01,2.15,A,F,"Main refinancing operations - fixed rate tenders (fixed rate) (date of changes) - Level"
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-07-02,2.15,A,F,"Main refinancing operations - fixed rate tenders (fixed rate) (date of changes) - Level"
"""

# Banque de France Webstat's export of its `observations` dataset: semicolon-separated,
# series_key;time_period;obs_value;obs_status.  The legal interest rates' series keys are not
# confirmed (see law/_sdmx.py): these two are placeholders, and the figures test values.
PRIVATE_KEY = "PLACEHOLDER.S.LEGAL.PRIVATE"
OTHER_KEY = "PLACEHOLDER.S.LEGAL.OTHER"
WEBSTAT_CSV = f"""series_key;time_period;obs_value;obs_status
{PRIVATE_KEY};2026-S1;6.67;A
{PRIVATE_KEY};2026-S2;6.50;A
{OTHER_KEY};2026-S1;2.62;A
{OTHER_KEY};2026-S2;2.50;A
{OTHER_KEY};2027-S1;;M
"""
WEBSTAT_KINDS = {PRIVATE_KEY: "legal_private", OTHER_KEY: "legal"}

# The same export with a title column, in the arrêtés' words: the file then tells the two
# rates apart by itself (what `relance rates import` needs).
WEBSTAT_TITLED_CSV = f"""series_key;time_period;obs_value;obs_status;title_fr
{PRIVATE_KEY};2026-S2;6.50;A;Taux de l'intérêt légal - créances des personnes physiques
{OTHER_KEY};2026-S2;2.50;A;Taux de l'intérêt légal - autres cas
"""


def test_an_ecb_export_of_changes_is_known_through_its_download() -> None:
    rows = law.read_sdmx_csv(ECB_CSV, "ecb.csv")
    assert [(r.kind, r.start, r.rate, r.known_through) for r in rows] == [
        ("mro", dt.date(2025, 4, 23), Decimal("2.4"), dt.date(2025, 6, 11)),
        ("mro", dt.date(2025, 6, 11), Decimal("2.15"), dt.date(2025, 6, 11)),
    ]
    assert rows[0].source == "ecb.csv, series FM.D.U2.EUR.4F.KR.MRR_FR.LEV"
    # The file alone says nothing after 11 June 2025; its download day says no change since.
    assert law.extend_rates(rows) == law.DEFAULT_RATES
    rates = law.extend_rates(law.read_sdmx_csv(ECB_CSV, "ecb.csv", downloaded_on=dt.date(2026, 7, 2)))
    assert rates.mro.known_through == dt.date(2026, 7, 2)
    # 2026 H2: MRO 2.15 % on 1 July + 10 points.
    assert law.commercial_penalty_rate(dt.date(2026, 8, 1), rates=rates) == Decimal("12.15")


def test_an_older_business_daily_export_extends_the_mro_table() -> None:
    rows = law.read_sdmx_csv(ECB_DAILY_CSV, "ecb.csv")
    assert [(r.kind, r.start, r.rate, r.known_through) for r in rows] == [
        ("mro", dt.date(2026, 6, 30), Decimal("2.15"), dt.date(2026, 7, 2))
    ]
    rates = law.extend_rates(rows)
    assert rates.mro.known_through == dt.date(2026, 7, 2)
    assert law.commercial_penalty_rate(dt.date(2026, 8, 1), rates=rates) == Decimal("12.15")


def test_a_webstat_export_gives_both_legal_rates_when_told_which_is_which() -> None:
    rows = law.read_sdmx_csv(WEBSTAT_CSV, "webstat.csv", kinds=WEBSTAT_KINDS)
    assert sorted((r.kind, r.start, r.rate, r.known_through) for r in rows) == [
        ("legal", dt.date(2026, 1, 1), Decimal("2.62"), dt.date(2026, 6, 30)),
        ("legal", dt.date(2026, 7, 1), Decimal("2.50"), dt.date(2026, 12, 31)),
        ("legal_private", dt.date(2026, 1, 1), Decimal("6.67"), dt.date(2026, 6, 30)),
        ("legal_private", dt.date(2026, 7, 1), Decimal("6.50"), dt.date(2026, 12, 31)),
    ]
    rates = law.extend_rates(rows)
    assert law.legal_interest_rate(dt.date(2026, 9, 1), rates=rates) == Decimal("2.50")
    assert law.legal_interest_rate(
        dt.date(2026, 9, 1), private_creditor=True, rates=rates
    ) == Decimal("6.50")


def test_a_webstat_export_with_titles_tells_the_rates_apart() -> None:
    rows = law.read_sdmx_csv(WEBSTAT_TITLED_CSV, "webstat.csv")
    assert sorted((r.kind, r.start, r.rate) for r in rows) == [
        ("legal", dt.date(2026, 7, 1), Decimal("2.50")),
        ("legal_private", dt.date(2026, 7, 1), Decimal("6.50")),
    ]


def test_an_unnamed_series_is_not_guessed() -> None:
    with pytest.raises(DataImportError) as caught:
        law.read_sdmx_csv(WEBSTAT_CSV, "webstat.csv")
    assert str(caught.value) == (
        f"webstat.csv: series {OTHER_KEY} is neither the ECB MRO rate "
        "(FM.D.U2.EUR.4F.KR.MRR_FR.LEV) nor a legal interest rate relancelib can tell: no "
        "title names 'particuliers' or 'autres cas'; pass "
        f"kinds={{'{OTHER_KEY}': 'legal' or 'legal_private'}}, or write the figures in "
        "relance.toml ([[law.legal_interest]])"
    )


def test_a_kind_that_is_no_rate_is_refused() -> None:
    with pytest.raises(RelanceError) as caught:
        law.read_sdmx_csv(WEBSTAT_CSV, "webstat.csv", kinds={PRIVATE_KEY: "eonia"})
    assert str(caught.value) == (
        "ImportedRate.kind: 'eonia' must be one of mro, legal, legal_private"
    )


def test_a_negative_figure_names_the_file() -> None:
    text = ECB_CSV.replace(",2.15\n", ",-0.5\n")
    with pytest.raises(DataImportError) as caught:
        law.read_sdmx_csv(text, "ecb.csv")
    assert str(caught.value) == (
        "ecb.csv: Decimal('-0.5') must be a percentage between 0 and 100 (2025-06-11)"
    )


def test_the_user_rates_file_round_trips() -> None:
    rows = law.read_sdmx_csv(ECB_CSV, "ecb.csv") + law.read_sdmx_csv(
        WEBSTAT_CSV, "webstat.csv", kinds=WEBSTAT_KINDS
    )
    assert law.read_user_rates(law.write_user_rates(rows)) == sorted(
        rows, key=lambda r: (r.kind, r.start)
    )


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n1,2\n",
        "KEY,TIME_PERIOD,OBS_VALUE\nX,2026-13,1\n",
        "KEY,TIME_PERIOD,OBS_VALUE\nX,2026-S2,abc\n",
    ],
)
def test_junk_is_a_data_import_error(text: str) -> None:
    with pytest.raises(DataImportError):
        law.read_sdmx_csv(text, "junk.csv")


def invoke(*args: str | Path, cwd: Path) -> tuple[int, str, str]:
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_relance_rates_import_feeds_the_plan(tmp_path: Path) -> None:
    assert invoke("init", tmp_path / "relance.toml", "--sample", cwd=tmp_path)[0] == 0
    code, out, err = invoke("rates", "--date", "2026-06-15", cwd=tmp_path)
    assert code == 0
    assert "known through 2026-02-05" in out
    # Shipped tables: penalties computable through 2026-06-30, 15 days away.
    assert "relance rates import" in err
    assert "[[law.mro]]" in err
    (tmp_path / "ecb.csv").write_text(ECB_DAILY_CSV, encoding="utf-8")
    (tmp_path / "bdf.csv").write_text(WEBSTAT_TITLED_CSV, encoding="utf-8")
    assert invoke("rates", "import", "ecb.csv", cwd=tmp_path)[0] == 0
    assert invoke("rates", "import", "bdf.csv", cwd=tmp_path)[0] == 0
    saved = (tmp_path / law.USER_RATES_FILE).read_text(encoding="utf-8")
    assert "mro,2026-06-30,2.15,2026-07-02" in saved
    assert "legal_private,2026-07-01,6.50" in saved
    code, out, err = invoke("rates", "--date", "2026-07-03", cwd=tmp_path)
    assert "known through 2026-07-02" in out
    assert "MRO" not in err  # 2026 H2 is now computable through 31 December


def test_the_rate_functions_refuse_junk_naming_the_argument() -> None:
    row = law.read_sdmx_csv(ECB_CSV, "ecb.csv")[0]
    cases = [
        (lambda: law.extend_rates(["x"]), "rows: 'x' must hold only ImportedRate objects"),
        (lambda: law.extend_rates(None), "rows: None must be a sequence of ImportedRate"),
        (lambda: law.extend_rates([row], base="x"), "base: 'x' must be a Rates"),
        (lambda: law.write_user_rates("x"), "rows: 'x' must be a sequence of ImportedRate"),
        (
            lambda: law.ImportedRate("mro", dt.date(2026, 1, 1), 2.15, dt.date(2026, 1, 1), "s"),
            "ImportedRate.rate: 2.15 must be a Decimal percentage per year such as "
            "Decimal('13.15'), not float (floats are refused: use Decimal('…'))",
        ),
        (
            lambda: law.ImportedRate("mro", dt.date(2026, 1, 1), Decimal(2), None, "s"),
            "ImportedRate.known_through: None must be a datetime.date, not NoneType",
        ),
        (
            lambda: law.read_sdmx_csv(ECB_CSV, kinds=[("a", "mro")]),
            "kinds: [('a', 'mro')] must be a dict",
        ),
        (
            lambda: law.read_sdmx_csv(ECB_CSV, downloaded_on="2026-07-02"),
            "downloaded_on: '2026-07-02' must be a datetime.date, not str",
        ),
    ]
    for call, expected in cases:
        with pytest.raises(RelanceError) as caught:
            call()  # type: ignore[no-untyped-call]
        assert str(caught.value) == expected
