"""The notes of the batch engine's bills: what :class:`BillingEngine` writes on the same bills.

A bill's notes (:attr:`~powerretail.billing.bill.Bill.notes`) say what it priced without a fact:

* deep-valley hours billed at the registered bucket's price, on a row without ``kwh_deep_valley``
  under a tariff with deep-valley hours in its days (one note per such charge and piece);
* a power-factor adjustment left out for want of a standard although reactive energy was read
  (a non-residential row with no ``pf_standard`` under a charge without a default).

They come as a long table (``row``, ``account_id``, ``note``), in the engine's order within a
bill (piece by piece, each note once). Rows of one service window without the same facts share
their notes' text; the table is empty, and nothing is done per row, when the tariff has neither
kind of charge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

import numpy as np
import pandas as pd

from powerretail.analysis._exact import IntArray
from powerretail.analysis._losses import Billed
from powerretail.analysis.usage import QUANTITY_EXP, Usage
from powerretail.billing.engine import BillingEngine
from powerretail.tariffs.model import PowerFactorAdjustment, TariffVersion, TimeOfUseCharge
from powerretail.timeframe import DateRange

__all__ = ["bill_notes", "no_notes"]

_COLUMNS: Final = ("row", "account_id", "note")
#: Where a row's power-factor note goes among its notes.
_PF: Final = object()


def no_notes() -> Any:
    """Return an empty notes table."""
    return pd.DataFrame(
        {
            "row": np.zeros(0, dtype=np.int64),
            "account_id": np.zeros(0, dtype=object),
            "note": np.zeros(0, dtype=object),
        }
    )


def _has_deep_valley(version: TariffVersion) -> bool:
    return any(
        isinstance(c, TimeOfUseCharge) and "deep_valley" in c.resolved for c in version.charges
    )


def _pf_without_default(version: TariffVersion) -> bool:
    return any(
        isinstance(c, PowerFactorAdjustment) and c.default_standard is None for c in version.charges
    )


def bill_notes(
    engine: BillingEngine,
    usage: Usage,
    layouts: Sequence[Sequence[tuple[TariffVersion, date, date]]],
    inverse: IntArray,
    billed: Billed | None,
) -> Any:
    """Return the notes of every bill: ``layouts`` are each window's pieces (version, days).

    ``inverse`` gives each row's window, ``billed`` the rows' energy with losses (``None``:
    none), whose reactive energy the power-factor note quotes.
    """
    versions = engine.tariff.versions
    deep = any(_has_deep_valley(v) for v in versions)
    pf = any(_pf_without_default(v) for v in versions)
    rows = len(usage)
    if not (deep or pf) or not rows:
        return no_notes()
    column = usage.energy.get("deep_valley")
    lacking = np.ones(rows, dtype=bool) if column is None else ~column.present
    if not deep:
        lacking[:] = False
    reactive = usage.quantities["reactive_kvarh"]
    read = reactive.values if billed is None else billed.reactive.values
    quoted = (
        pf
        & ~usage.residential
        & np.asarray(usage.pf_standard == None, dtype=bool)  # noqa: E711
        & reactive.present
        & (read != 0)
    )
    key = np.asarray(inverse, dtype=np.int64) * 4 + lacking * 2 + quoted
    groups, group_of = np.unique(key, return_inverse=True)
    found_rows: list[IntArray] = []
    found_order: list[IntArray] = []
    found_notes: list[Any] = []
    for number, group in enumerate(groups.tolist()):
        layout, lacks, quotes = group // 4, bool(group & 2), bool(group & 1)
        items: list[object] = []
        for version, start, end in layouts[layout]:
            if lacks:
                items += engine.deep_valley_notes(version, DateRange(start, end))
            if quotes and _pf_without_default(version):
                items.append(_PF)
        items = list(dict.fromkeys(items))
        if not items:
            continue
        members = np.flatnonzero(group_of == number)
        for place, item in enumerate(items):
            found_rows.append(members)
            found_order.append(np.full(members.size, place, dtype=np.int64))
            if item is _PF:
                found_notes.append(
                    np.asarray(
                        [_pf_note(usage, int(row), billed) for row in members.tolist()],
                        dtype=object,
                    )
                )
            else:
                found_notes.append(np.full(members.size, item, dtype=object))
    if not found_rows:
        return no_notes()
    row = np.concatenate(found_rows)
    order = np.concatenate(found_order)
    sort = np.lexsort((order, row))
    return pd.DataFrame(
        {
            "row": row[sort],
            "account_id": usage.account_id[row[sort]],
            "note": np.concatenate(found_notes)[sort],
        }
    )


def _pf_note(usage: Usage, row: int, billed: Billed | None) -> str:
    if billed is None:
        value = usage.quantities["reactive_kvarh"].values[row]
        reactive = Decimal(int(value)).scaleb(QUANTITY_EXP)
    else:
        reactive = billed.reactive_decimal(usage, row)
    return (
        "power-factor adjustment not applied: no PF standard given although "
        f"{reactive} kvarh reactive energy was read"
    )
