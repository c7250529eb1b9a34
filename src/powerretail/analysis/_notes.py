"""The notes of the batch engine's bills: what :class:`BillingEngine` writes on the same bills.

A bill's notes (:attr:`~powerretail.billing.bill.Bill.notes`) say what it priced without a fact:

* deep-valley hours billed at the registered bucket's price, on a row without ``kwh_deep_valley``
  under a tariff with deep-valley hours in its days (one note per such charge and piece);
* a power-factor adjustment left out for want of a standard although reactive energy was read
  (a non-residential row with no ``pf_standard`` under a charge without a default);
* a scoped overlay (``applies_to``) not applied to a row outside its scope (Jiangsu's critical
  peak and deep valley for a commercial account), whose deep-valley hours then need no note.

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
from powerretail.analysis._scope import row_facts
from powerretail.analysis.usage import QUANTITY_EXP, Usage
from powerretail.billing.determinants import AccountFacts
from powerretail.billing.engine import BillingEngine
from powerretail.tariffs.model import PowerFactorAdjustment, TariffVersion, TimeOfUseCharge
from powerretail.timeframe import DateRange

__all__ = ["bill_notes", "no_notes"]

#: Where a row's power-factor note goes among its notes.
_PF: Final = object()


def no_notes() -> Any:
    """Return an empty notes table."""
    empty = np.zeros(0, dtype=np.int64)
    return _table(empty, np.zeros(0, dtype=object), empty, [])


def _has_deep_valley(version: TariffVersion) -> bool:
    return any(
        isinstance(c, TimeOfUseCharge) and "deep_valley" in c.resolved for c in version.charges
    )


def _pf_without_default(version: TariffVersion) -> bool:
    return any(
        isinstance(c, PowerFactorAdjustment) and c.default_standard is None for c in version.charges
    )


def _quoted_facts(usage: Usage, left_out: IntArray) -> IntArray:
    """A number per row for the facts a scope's note quotes (kind, capacity); -1 where none.

    A scope that leaves an overlay out names the account's kind and capacity in its note, so
    rows left out share notes only with rows of the same facts; the others all share.
    """
    if not bool(left_out.any()):
        return np.full(len(usage), -1, dtype=np.int64)
    kind = np.where(usage.residential, "residential", [k or "" for k in usage.use_category])
    capacity = usage.quantities["capacity_kva"]
    size = np.where(capacity.present, capacity.values, -1)
    kind_code = np.unique(kind.astype(str), return_inverse=True)[1].reshape(-1)
    facts = np.unique(np.stack([kind_code, size], axis=1), axis=0, return_inverse=True)[1]
    return np.where(left_out, facts.reshape(-1), -1)


def bill_notes(
    engine: BillingEngine,
    usage: Usage,
    layouts: Sequence[Sequence[tuple[TariffVersion, date, date]]],
    inverse: IntArray,
    billed: Billed | None,
    *,
    scoped: tuple[IntArray, IntArray] | None,
) -> Any:
    """Return the notes of every bill: ``layouts`` are each window's pieces (version, days).

    ``inverse`` gives each row's window, ``billed`` the rows' energy with losses (``None``:
    none), whose reactive energy the power-factor note quotes, ``scoped`` the rows' scope
    verdicts (:func:`~powerretail.analysis._scope.scope_verdicts`; ``None``: no scoped overlay).
    """
    versions = engine.tariff.versions
    deep = any(_has_deep_valley(v) for v in versions)
    pf = any(_pf_without_default(v) for v in versions)
    signature = None if scoped is None else scoped[0]
    rows = len(usage)
    if not (deep or pf or signature is not None) or not rows:
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
    verdicts = 1
    if scoped is not None:  # rows of one scope verdict (and quoted facts) share their notes
        found, verdict = np.unique(
            np.stack([scoped[0], _quoted_facts(usage, scoped[1])], axis=1),
            axis=0,
            return_inverse=True,
        )
        verdict = verdict.reshape(-1)
        verdicts = len(found)
        key = key * verdicts + verdict
    if bool((key == key[0]).all()):  # one group (a table of one window): no sorting
        groups, group_of = key[:1], np.zeros(rows, dtype=np.int64)
    else:
        groups, group_of = np.unique(key, return_inverse=True)
    found_rows: list[IntArray] = []
    found_codes: list[IntArray] = []
    texts: dict[str, int] = {}
    for number, group in enumerate(groups.tolist()):
        rest = group // verdicts
        members = np.arange(rows) if len(groups) == 1 else np.flatnonzero(group_of == number)
        account = None if signature is None else row_facts(usage, int(members[0]))
        items = _items(
            engine, layouts[rest // 4], account, lacks=bool(rest & 2), quotes=bool(rest & 1)
        )
        if not items:
            continue
        # Each member's notes in the engine's order, one member after another.
        found_rows.append(np.repeat(members, len(items)))
        codes = np.empty((members.size, len(items)), dtype=np.int64)
        for place, item in enumerate(items):
            if item is _PF:
                codes[:, place] = [
                    texts.setdefault(_pf_note(usage, row, billed), len(texts))
                    for row in members.tolist()
                ]
            else:
                codes[:, place] = texts.setdefault(str(item), len(texts))
        found_codes.append(codes.reshape(-1))
    if not found_rows:
        return no_notes()
    row = np.concatenate(found_rows)
    code = np.concatenate(found_codes)
    if len(found_rows) > 1:  # groups interleave: by row, each row's notes kept in order
        sort = np.argsort(row, kind="stable")
        row, code = row[sort], code[sort]
    return _table(row, usage.account_id[row], code, list(texts))


def _items(
    engine: BillingEngine,
    pieces: Sequence[tuple[TariffVersion, date, date]],
    account: AccountFacts | None,
    *,
    lacks: bool,
    quotes: bool,
) -> list[object]:
    """Return a bill's notes in the engine's order, piece by piece (``_PF``: the PF note)."""
    items: list[object] = []
    for version, start, end in pieces:
        days = DateRange(start, end)
        if account is not None:
            items += engine.scope_notes(version, days, account)
        if lacks:
            items += engine.deep_valley_notes(version, days, account)
        if quotes and _pf_without_default(version):
            items.append(_PF)
    return list(dict.fromkeys(items))


def _table(row: IntArray, account: Any, codes: IntArray, texts: list[str]) -> Any:
    # The texts as categories (few, shared by many bills) and the ids as they are.
    return pd.DataFrame(
        {
            "row": row,
            "account_id": pd.Series(account, dtype=object),
            "note": pd.Categorical.from_codes(codes, categories=pd.Index(texts, dtype=object)),
        },
        copy=False,
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
