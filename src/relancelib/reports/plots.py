"""Plots of the measures and of simulations, with French labels and French numbers.

matplotlib is an optional extra (``pip install relancelib[plot]``), imported only when a
plot is drawn.  Each function returns a :class:`matplotlib.figure.Figure` made without
``pyplot`` (no global state, safe in servers and threads); a notebook shows it with
``display(figure)``, :func:`figure_png` turns it into PNG bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from relancelib.formatting import format_number
from relancelib.reports.aging import AGING_BUCKETS, TOTAL

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from relancelib.reports.simulation import SimulationResult

__all__ = [
    "BUCKET_COLOURS",
    "figure_png",
    "plot_aging",
    "plot_cash_forecast",
    "plot_comparison",
    "plot_dso",
]

#: One colour per aging bucket, from "not due" (green) to "over 90 days" (dark red).
BUCKET_COLOURS = ("#4caf50", "#cddc39", "#ffc107", "#ff7043", "#b71c1c")
_SERIES = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a")


def _figure(
    width: float = 9.0, height: float = 4.5, rows: int = 1, cols: int = 1
) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return figure, figure.subplots(rows, cols, squeeze=False)


def _french_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(
        FuncFormatter(lambda value, _pos: format_number(Decimal(round(value))))
    )


def _day_labels(days: Iterable[dt.date]) -> list[str]:
    return [f"{d.day:02d}/{d.month:02d}" for d in days]


def plot_aging(
    aging: pd.DataFrame,
    *,
    top: int = 12,
    currency: str = "EUR",
    names: Mapping[str, str] | None = None,
) -> Figure:
    """Stacked horizontal bars of :func:`~relancelib.reports.aging`: the ``top`` clients
    owing the most in ``currency``, each bar split by bucket, the rest grouped as
    "autres clients".  ``names`` maps client ids to the names shown (default: the ids)."""
    rows = aging.xs(currency, level="currency") if len(aging) else aging
    clients = rows.drop(index=TOTAL, errors="ignore")
    clients = clients.loc[sorted(clients.index, key=lambda c: (-clients.loc[c, "total"], c))]
    shown = clients.iloc[:top]
    if len(clients) > top:
        import pandas as pd

        rest = {c: [sum(clients.iloc[top:][c], Decimal(0))] for c in [*AGING_BUCKETS, "total"]}
        shown = pd.concat([shown, pd.DataFrame(rest, index=["autres clients"])])
    figure, axes = _figure(9.0, 0.45 * max(4, len(shown)) + 1.6)
    ax = axes[0][0]
    labels = [(names or {}).get(str(label), str(label)) for label in shown.index][::-1]
    left = [0.0] * len(labels)
    for bucket, colour in zip(AGING_BUCKETS, BUCKET_COLOURS, strict=True):
        values = [float(v) for v in shown[bucket]][::-1] if len(shown) else []
        ax.barh(labels, values, left=left, color=colour, label=bucket)
        left = [a + b for a, b in zip(left, values, strict=True)]
    _french_axis(ax.xaxis)
    ax.set_xlabel(f"montant dû ({currency})")
    ax.set_title("Balance âgée : encours par client et par ancienneté")
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=5, fontsize="small", frameon=False
    )
    ax.grid(axis="x", alpha=0.3)
    return figure


def plot_dso(dso: pd.DataFrame) -> Figure:
    """The DSO over time (:func:`~relancelib.reports.dso_over_time`): count-back, simple
    and best possible, in days."""
    figure, axes = _figure()
    ax = axes[0][0]
    days = list(dso.index)
    for column, label, colour in (
        ("dso_count_back", "DSO (méthode par épuisement)", _SERIES[0]),
        ("dso_simple", "DSO (méthode simple)", _SERIES[1]),
        ("best_possible_dso", "DSO minimal (encours non échu)", _SERIES[2]),
    ):
        values = [float(v) if v is not None else float("nan") for v in dso[column]]
        ax.plot(range(len(days)), values, marker="o", markersize=3, color=colour, label=label)
    ax.set_xticks(range(len(days)), _day_labels(days), rotation=45, fontsize="small")
    ax.set_ylabel("jours")
    ax.set_ylim(bottom=0)
    ax.set_title("Délai moyen de paiement des clients (DSO)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return figure


def plot_cash_forecast(forecast: pd.DataFrame, *, currency: str = "EUR") -> Figure:
    """Bars of the cash expected per week (:func:`~relancelib.reports.cash_forecast`)."""
    figure, axes = _figure()
    ax = axes[0][0]
    weeks = list(forecast.index)
    unsure = [float(v) for v in forecast["without_history"]]
    sure = [float(v) - u for v, u in zip(forecast["expected"], unsure, strict=True)]
    ax.bar(range(len(weeks)), sure, color=_SERIES[0], label="d'après l'historique des clients")
    ax.bar(
        range(len(weeks)),
        unsure,
        bottom=sure,
        color="#90caf9",
        hatch="//",
        edgecolor="white",
        label="sans historique comparable (estimation grossière)",
    )
    ax.legend(fontsize="small")
    ax.set_xticks(range(len(weeks)), _day_labels(weeks), rotation=45, fontsize="small")
    ax.set_xlabel("semaine du")
    ax.set_ylabel(f"montant ({currency})")
    _french_axis(ax.yaxis)
    ax.set_title("Prévision d'encaissements par semaine")
    ax.grid(axis="y", alpha=0.3)
    return figure


def plot_comparison(results: Mapping[str, SimulationResult]) -> Figure:
    """Policies side by side: messages per channel, cash collected (cumulated) and DSO."""
    figure, axes = _figure(11.0, 4.2, 1, 3)
    bars, cash, dso = axes[0]
    names = list(results)
    width = 0.8 / max(1, len(names))
    for index, (name, result) in enumerate(results.items()):
        colour = _SERIES[index % len(_SERIES)]
        per_channel = result.per_channel()
        positions = [k + index * width for k in range(len(per_channel))]
        bars.bar(positions, list(per_channel["messages"]), width=width, color=colour, label=name)
        total = Decimal(0)
        running = []
        for value in result.cash["collected"]:
            total += value
            running.append(float(total))
        cash.plot(range(len(running)), running, color=colour, label=name)
        values = [float(v) if v is not None else float("nan") for v in result.dso["dso_count_back"]]
        dso.plot(range(len(values)), values, color=colour, label=name)
    if names:
        first = results[names[0]]
        labels = list(first.per_channel().index)
        bars.set_xticks(
            [k + width * (len(names) - 1) / 2 for k in range(len(labels))],
            [label.replace(" ", "\n", 1) for label in labels],
            fontsize="small",
        )
        weeks = list(first.cash.index)
        step = max(1, len(weeks) // 6)
        cash.set_xticks(range(0, len(weeks), step), _day_labels(weeks[::step]), fontsize="small")
        days = list(first.dso.index)
        step = max(1, len(days) // 6)
        dso.set_xticks(range(0, len(days), step), _day_labels(days[::step]), fontsize="small")
    bars.set_title("Messages envoyés par canal")
    cash.set_title("Encaissements cumulés (€)")
    dso.set_title("DSO par épuisement (jours)")
    _french_axis(cash.yaxis)
    for ax in (bars, cash, dso):
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return figure


def figure_png(figure: Figure, *, dpi: int = 120) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
