"""Plots of a :class:`~powerretail.analysis.compare.Comparison`, each a matplotlib Figure.

The figures are made without pyplot (no global state, no display needed); save one with
``figure.savefig("change.png")``.

>>> import pandas as pd
>>> from powerretail.adapters.tariff_library import load_shipped
>>> from powerretail.analysis.compare import compare
>>> usage = pd.DataFrame({"account_id": ["A"], "period_start": ["2025-07-01"],
...     "period_end": ["2025-08-01"], "kwh_peak": [200.0], "kwh_valley": [112.4]})
>>> tariff = load_shipped("JS-RES-TOU")
>>> figure = bill_change_histogram(compare(usage, {"a": tariff, "b": tariff}))
>>> figure.axes[0].get_xlabel()
'bill change under b against a [yuan]'
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from powerretail.analysis import _require
from powerretail.analysis.compare import Comparison

_require("matplotlib")

__all__ = [
    "PLOTS",
    "bill_change_histogram",
    "change_vs_consumption",
    "revenue_by_component",
    "tou_shares",
]


def _others(comparison: Comparison) -> list[str]:
    return [name for name in comparison.tariffs if name != comparison.baseline]


def bill_change_histogram(comparison: Comparison, *, bins: int = 40) -> Figure:
    """Distribution of each account's bill change [yuan] under each tariff against the baseline."""
    figure = Figure(figsize=(7, 4))
    axes = figure.add_subplot()
    others = _others(comparison)
    for name in others:
        change = comparison.accounts[f"{name}_change_fen"].to_numpy() / 100
        axes.hist(change, bins=bins, histtype="step", label=name)
    axes.axvline(0, color="black", linewidth=1)
    label = " / ".join(others) if others else comparison.baseline
    axes.set_xlabel(f"bill change under {label} against {comparison.baseline} [yuan]")
    axes.set_ylabel("accounts")
    if others:
        axes.legend()
    figure.tight_layout()
    return figure


def change_vs_consumption(comparison: Comparison) -> Figure:
    """Each account's bill change [yuan] against its consumption over the table [kWh]."""
    figure = Figure(figsize=(7, 4))
    axes = figure.add_subplot()
    kwh = comparison.accounts["kwh"].to_numpy()
    for name in _others(comparison):
        change = comparison.accounts[f"{name}_change_fen"].to_numpy() / 100
        axes.scatter(kwh, change, s=6, label=name)
    axes.axhline(0, color="black", linewidth=1)
    axes.set_xlabel("consumption [kWh]")
    axes.set_ylabel(f"bill change against {comparison.baseline} [yuan]")
    if _others(comparison):
        axes.legend()
    figure.tight_layout()
    return figure


def revenue_by_component(comparison: Comparison) -> Figure:
    """Revenue [yuan] of each tariff, stacked by charge."""
    figure = Figure(figsize=(7, 4))
    axes = figure.add_subplot()
    table = comparison.revenue.pivot_table(
        index="tariff", columns="charge", values="revenue_fen", aggfunc="sum", fill_value=0
    ).reindex(list(comparison.tariffs))
    bottom = np.zeros(len(table))
    for charge in table.columns:
        values = table[charge].to_numpy() / 100
        axes.bar(list(table.index), values, bottom=bottom, label=str(charge))
        bottom = bottom + values
    axes.set_ylabel("revenue [yuan]")
    axes.legend(fontsize="small")
    figure.tight_layout()
    return figure


def tou_shares(comparison: Comparison) -> Figure:
    """Share of the table's energy in each time-of-use bucket, by customer class."""
    energy = comparison.energy
    figure = Figure(figsize=(7, 4))
    axes = figure.add_subplot()
    totals = energy.to_numpy()
    sums = totals.sum(axis=1, keepdims=True)
    shares = np.divide(totals, sums, out=np.zeros_like(totals), where=sums != 0)
    classes = [str(label) for label in energy.index]
    left = np.zeros(len(classes))
    for j, bucket in enumerate(energy.columns):
        axes.barh(classes, shares[:, j], left=left, label=str(bucket))
        left = left + shares[:, j]
    axes.set_xlabel("share of energy")
    axes.set_xlim(0, 1)
    axes.legend(fontsize="small")
    figure.tight_layout()
    return figure


#: The plots ``powerretail whatif`` writes, by file name.
PLOTS = {
    "bill_change.png": bill_change_histogram,
    "change_vs_consumption.png": change_vs_consumption,
    "revenue_by_component.png": revenue_by_component,
    "tou_shares.png": tou_shares,
}
