"""The insight report: one self-contained HTML page for the morning meeting.

Plots are embedded as base64 PNG images, labels and numbers are French
(:mod:`relancelib.formatting`), and the page prints on A4 (each figure kept on one page).
Every text that comes from the data is escaped.  The page's day is an argument: nothing
here reads the clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from relancelib.checks import check_instance, check_sequence, check_single_line
from relancelib.errors import InvalidFieldError
from relancelib.formatting import format_amount, format_date, format_number, format_percent
from relancelib.journal import Record
from relancelib.model import Client, Invoice
from relancelib.reports._ledger import as_mapping, checked_invoices
from relancelib.reports.aging import AGING_BUCKETS, TOTAL, aging
from relancelib.reports.dso import dso_over_time, receivables
from relancelib.reports.forecast import cash_forecast, expected_payments
from relancelib.reports.payers import payer_profiles, step_effectiveness
from relancelib.reports.plots import (
    figure_png,
    plot_aging,
    plot_cash_forecast,
    plot_comparison,
    plot_dso,
)
from relancelib.reports.simulation import compare_policies

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from relancelib.reports.simulation import SimulationResult

__all__ = ["REPORT_CSS", "insight_report", "write_report"]

#: The page's style sheet (screen and print).
REPORT_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; margin: 2em auto;
       max-width: 60em; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #1565c0; padding-bottom: 0.2em;
     margin-top: 1.6em; }
.subtitle { color: #555; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8em; }
.card { border: 1px solid #cfd8dc; border-radius: 6px; padding: 0.6em 0.9em; min-width: 10em; }
.card .value { font-size: 1.35em; font-weight: bold; color: #0d47a1; }
.card .label { font-size: 0.85em; color: #555; }
figure { margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.85em; color: #555; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; break-inside: avoid; }
th, td { border: 1px solid #cfd8dc; padding: 0.25em 0.6em; }
th { background: #eceff1; text-align: left; }
td.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f5f5f5; }
.note { font-size: 0.85em; color: #555; }
footer { margin-top: 2em; font-size: 0.8em; color: #777; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _amount(value: object, currency: str = "EUR") -> str:
    assert isinstance(value, Decimal | int)
    return _e(format_amount(value, currency))


def _days(value: Decimal | None) -> str:
    return "—" if value is None else _e(f"{format_number(value, decimals=1)} j")


def _share(value: float) -> str:
    if math.isnan(value):
        return "—"
    return _e(format_percent(Decimal(round(value * 100)), decimals=0))


def _number(value: float) -> str:
    if math.isnan(value):
        return "—"
    return _e(format_number(Decimal(str(round(value, 1))), decimals=1))


def _figure(figure: Figure, alt: str, caption: str) -> str:
    data = base64.b64encode(figure_png(figure)).decode("ascii")
    return (
        f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], total: int | None = None) -> str:
    """Rows of already escaped cells; a cell starting with ``\\x00`` is right-aligned."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for index, row in enumerate(rows):
        out.append('<tr class="total">' if index == total else "<tr>")
        for cell in row:
            if cell.startswith("\x00"):
                out.append(f'<td class="n">{cell[1:]}</td>')
            else:
                out.append(f"<td>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _n(cell: str) -> str:
    return "\x00" + cell


def insight_report(
    invoices: Iterable[Invoice],
    clients: Iterable[Client],
    records: Iterable[object],
    as_of: dt.date,
    *,
    title: str = "Point sur les créances clients",
    creditor: str | None = None,
    steps: Sequence[str] = (),
    comparison: Mapping[str, SimulationResult] | None = None,
    weeks: int = 12,
    currency: str = "EUR",
) -> str:
    """The report on ``as_of`` as one HTML page (a string): key figures, the aged balance,
    the DSO over the last 13 weeks, the weekly cash-in forecast, step effectiveness, the
    latest payers and, with ``comparison`` (policy name → simulation), the policies side
    by side.  ``steps`` orders the steps (the policy's keys); ``records`` are the journal's."""
    invoices, day = checked_invoices(invoices, as_of)
    records = check_sequence(records, Record, "records", what="journal Record")
    names = {client.id: client.name for client in check_sequence(clients, Client, "clients")}
    title = check_single_line(title, "title")
    if creditor is not None:
        creditor = check_single_line(creditor, "creditor")
    steps = check_sequence(steps, str, "steps", what="step key")
    if comparison is not None:
        as_mapping(comparison, "comparison", "a mapping of names to results")
    snap = receivables(invoices, day, currency=currency)
    aged = aging(invoices, day)
    dates = [day - dt.timedelta(weeks=k) for k in range(12, -1, -1)]
    dso = dso_over_time(invoices, dates, currency=currency)
    forecast = cash_forecast(expected_payments(invoices, day), day, weeks=weeks, currency=currency)
    effectiveness = step_effectiveness(invoices, records, day, steps=steps)
    profiles = payer_profiles(invoices, records, day, steps=steps)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        f"<title>{_e(title)} — {_e(format_date(day))}</title>",
        f"<style>{REPORT_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="subtitle">{_e(creditor + " — ") if creditor else ""}situation au '
        f"{_e(format_date(day, style='full'))}</p>",
        '<div class="cards">',
    ]
    cards = (
        ("Encours clients", _amount(snap.total, currency)),
        ("dont échu", _amount(snap.overdue, currency)),
        ("DSO (méthode par épuisement)", _days(snap.dso_count_back())),
        ("DSO (méthode simple, 90 jours)", _days(snap.dso_simple())),
        ("DSO minimal (non échu)", _days(snap.best_possible_dso())),
        ("Retard moyen pondéré", _days(snap.weighted_days_late())),
    )
    for label, value in cards:
        parts.append(
            f'<div class="card"><div class="value">{value}</div>'
            f'<div class="label">{_e(label)}</div></div>'
        )
    parts.append("</div>")
    parts.append(_aging_section(aged, names, currency))
    parts.append("<h2>Délai moyen de paiement (DSO)</h2>")
    parts.append(
        _figure(
            plot_dso(dso),
            "Courbe du DSO sur 13 semaines",
            "DSO chaque semaine. Méthode par épuisement : l'encours est imputé sur le chiffre "
            "d'affaires des mois précédents, du plus récent au plus ancien. Méthode simple : "
            "encours ÷ chiffre d'affaires des 90 derniers jours × 90.",
        )
    )
    parts.append(_forecast_section(forecast, currency))
    parts.append(_effectiveness_section(effectiveness))
    parts.append(_profiles_section(profiles, names))
    if comparison:
        parts.append(_comparison_section(comparison))
    parts.append(
        f"<footer>Rapport établi par relancelib sur les données au {_e(format_date(day))}. "
        "Montants TTC ; une devise à la fois.</footer></body></html>"
    )
    return "\n".join(parts)


def _aging_section(aged: object, names: Mapping[str, str], currency: str) -> str:
    import pandas as pd

    assert isinstance(aged, pd.DataFrame)
    out = ["<h2>Balance âgée</h2>"]
    if not len(aged) or currency not in aged.index.get_level_values("currency"):
        return out[0] + '<p class="note">Aucun encours.</p>'
    out.append(
        _figure(
            plot_aging(aged, names=names, currency=currency),
            "Barres empilées de la balance âgée par client",
            "Les clients qui doivent le plus, leur encours réparti par ancienneté du retard.",
        )
    )
    rows = aged.xs(currency, level="currency")
    clients = rows.drop(index=TOTAL, errors="ignore")
    top = sorted(clients.index, key=lambda c: (-clients.loc[c, "total"], c))[:10]
    body = [
        [_e(names.get(c, c)), *(_n(_amount(clients.loc[c, b], currency)) for b in AGING_BUCKETS),
         _n(_amount(clients.loc[c, "total"], currency))]
        for c in top
    ]  # fmt: skip
    body.append(
        [
            "Total",
            *(_n(_amount(rows.loc[TOTAL, b], currency)) for b in AGING_BUCKETS),
            _n(_amount(rows.loc[TOTAL, "total"], currency)),
        ]
    )
    out.append(_table(["Client", *AGING_BUCKETS, "Total"], body, total=len(body) - 1))
    return "".join(out)


def _forecast_section(forecast: object, currency: str) -> str:
    import pandas as pd

    assert isinstance(forecast, pd.DataFrame)
    body = [
        [
            _e(format_date(week)),  # type: ignore[arg-type]  # the index holds dates
            _n(_amount(row["expected"], currency)),
            _n(_amount(row["without_history"], currency)),
            _n(_e(row["invoices"])),
        ]
        for week, row in forecast.iterrows()
    ]
    later = forecast.attrs.get("later", Decimal(0))
    return (
        "<h2>Prévision d'encaissements</h2>"
        + _figure(
            plot_cash_forecast(forecast, currency=currency),
            "Histogramme des encaissements attendus par semaine",
            "Date de paiement attendue de chaque facture ouverte d'après l'historique du client "
            "(à défaut, celui de tout le portefeuille).",
        )
        + _table(["Semaine du", "Attendu", "dont sans historique", "Factures"], body)
        + f'<p class="note">Attendu au-delà : {_amount(later, currency)}.</p>'
    )


def _effectiveness_section(frame: object) -> str:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    body = [
        [
            _e(step),
            _n(_e(row["sent"])),
            _n(_e(row["paid_within"])),
            _n(_share(row["share_paid"])),
            _n(_e(row["pending"])),
        ]
        for step, row in frame.iterrows()
    ]
    return (
        "<h2>Efficacité des relances</h2>"
        + _table(["Étape", "Envoyées", "Payées sous 14 jours", "Taux", "Trop récentes"], body)
        + '<p class="note">Factures payées en totalité dans les 14 jours suivant l\'envoi.</p>'
    )


def _profiles_section(frame: object, names: Mapping[str, str]) -> str:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    paid = frame[frame["paid"] > 0].sort_values(["mean_days_late", "paid"], ascending=False)
    body = [
        [
            _e(names.get(str(client), client)),
            _n(_e(row["paid"])),
            _n(_e(row["open"])),
            _n(_number(row["mean_days_late"])),
            _n(_number(row["std_days_late"])),
            _n(_share(row["paid_sans relance"]) if "paid_sans relance" in row else "—"),
        ]
        for client, row in paid.head(10).iterrows()
    ]
    return (
        "<h2>Profils de payeurs</h2>"
        + _table(
            ["Client", "Payées", "Ouvertes", "Retard moyen (j)", "Écart type (j)", "Sans relance"],
            body,
        )
        + '<p class="note">Les dix clients aux plus longs retards moyens (factures payées).</p>'
    )


def _comparison_section(results: Mapping[str, SimulationResult]) -> str:
    table = compare_policies(results)
    body = []
    for label, row in table.iterrows():
        cells = [_e(label)]
        for value in row:
            if isinstance(value, Decimal):
                text = _e(format_number(value, decimals=2 if "€" in str(label) else 1))
            else:
                text = "—" if value is None else _e(value)
            cells.append(_n(text))
        body.append(cells)
    return (
        "<h2>Simulation de politiques</h2>"
        + _figure(
            plot_comparison(results),
            "Comparaison des politiques simulées",
            "Même portefeuille, mêmes clients (tirages identiques) ; seule la politique change.",
        )
        + _table(["", *map(str, table.columns)], body)
    )


def write_report(path: str | Path, page: str) -> Path:
    """Write the report ``page`` to ``path`` (UTF-8) and return the path."""
    check_instance(page, str, "page", what="the report's HTML text")
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidFieldError("must be a file path", field="path", value=path)
    target = Path(path)
    try:
        target.write_text(page, encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path, a lone surrogate
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InvalidFieldError(f"cannot be written ({reason})", field="path", value=path) from None
    return target
