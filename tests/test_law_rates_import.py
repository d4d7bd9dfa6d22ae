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
from relancelib.errors import DataImportError

# ECB Data Portal, "csvdata" export of FM.B.U2.EUR.4F.KR.MRR_FR.LEV (one row per business day).
ECB_CSV = """KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,DATA_TYPE_FM,TIME_PERIOD,OBS_VALUE,OBS_STATUS,TITLE
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-06-30,2.15,A,Main refinancing operations - fixed rate tenders (fixed rate) (date of changes) - Level
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-07-01,2.15,A,Main refinancing operations - fixed rate tenders (fixed rate) (date of changes) - Level
FM.B.U2.EUR.4F.KR.MRR_FR.LEV,B,U2,EUR,4F,KR,MRR_FR,LEV,2026-07-02,2.15,A,Main refinancing operations - fixed rate tenders (fixed rate) (date of changes) - Level
"""

# Banque de France Webstat SDMX-CSV: DATAFLOW, the dimensions, TIME_PERIOD, OBS_VALUE, titles.
# The figures are test values, not the published rates.
BDF_CSV = """DATAFLOW,FREQ,REF_AREA,SERIES,TIME_PERIOD,OBS_VALUE,TITLE_COMPL
BDF:MIR1(1.0),S,FR,TXLEGAL_PART,2026-S2,6.50,Taux de l'intérêt légal - créances des particuliers
BDF:MIR1(1.0),S,FR,TXLEGAL_AUTRES,2026-S2,2.50,Taux de l'intérêt légal - autres cas
"""


def test_an_ecb_export_extends_the_mro_table() -> None:
    rows = law.read_sdmx_csv(ECB_CSV, "ecb.csv")
    assert [(r.kind, r.start, r.rate, r.known_through) for r in rows] == [
        ("mro", dt.date(2026, 6, 30), Decimal("2.15"), dt.date(2026, 7, 2))
    ]
    rates = law.extend_rates(rows)
    assert rates.mro.known_through == dt.date(2026, 7, 2)
    # 2026 H2: MRO 2.15 % on 1 July + 10 points.
    assert law.commercial_penalty_rate(dt.date(2026, 8, 1), rates=rates) == Decimal("12.15")


def test_a_banque_de_france_export_gives_both_legal_rates() -> None:
    rows = law.read_sdmx_csv(BDF_CSV, "bdf.csv")
    assert sorted((r.kind, r.start, r.rate) for r in rows) == [
        ("legal", dt.date(2026, 7, 1), Decimal("2.50")),
        ("legal_private", dt.date(2026, 7, 1), Decimal("6.50")),
    ]
    rates = law.extend_rates(rows)
    assert law.legal_interest_rate(dt.date(2026, 9, 1), rates=rates) == Decimal("2.50")
    assert law.legal_interest_rate(
        dt.date(2026, 9, 1), private_creditor=True, rates=rates
    ) == Decimal("6.50")


def test_the_user_rates_file_round_trips() -> None:
    rows = law.read_sdmx_csv(ECB_CSV, "ecb.csv") + law.read_sdmx_csv(BDF_CSV, "bdf.csv")
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
    (tmp_path / "ecb.csv").write_text(ECB_CSV, encoding="utf-8")
    (tmp_path / "bdf.csv").write_text(BDF_CSV, encoding="utf-8")
    assert invoke("rates", "import", "ecb.csv", cwd=tmp_path)[0] == 0
    assert invoke("rates", "import", "bdf.csv", cwd=tmp_path)[0] == 0
    saved = (tmp_path / law.USER_RATES_FILE).read_text(encoding="utf-8")
    assert "mro,2026-06-30,2.15,2026-07-02" in saved
    assert "legal_private,2026-07-01,6.50" in saved
    code, out, err = invoke("rates", "--date", "2026-07-03", cwd=tmp_path)
    assert "known through 2026-07-02" in out
    assert "MRO" not in err  # 2026 H2 is now computable through 31 December
