"""Load profiles: monthly totals split into time-of-use buckets, so a TOU tariff can price them.

A profile is the share of each bucket in a month's energy, per customer class (or per account):
give your own (from a load survey, with its source), or derive one from interval data with
:func:`profile_from_usage` (an account's own metered months, or a class's). powerretail ships no
typical profiles: no public source gives them for these tariffs' buckets.

:func:`apply_profile` replaces ``kwh_total`` by ``kwh_<bucket>`` columns, shared with the largest
remainder at 0.001 kWh so the buckets add up exactly to the total, and sets ``profiled`` to true
on every row it split: the bills of such rows rest on an assumed split, not on metered buckets.

>>> import pandas as pd
>>> usage = pd.DataFrame({"account_id": ["H1"], "period_start": ["2025-07-01"],
...     "period_end": ["2025-08-01"], "kwh_total": [100.0], "customer_class": ["household"]})
>>> profiled = apply_profile(usage, {"household": {"peak": "0.6", "valley": "0.4"}})
>>> profiled[["kwh_peak", "kwh_valley", "profiled"]].to_dict("records")
[{'kwh_peak': Decimal('60.000'), 'kwh_valley': Decimal('40.000'), 'profiled': True}]
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from powerretail.analysis.usage import QUANTITY_EXP, read_usage
from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal

__all__ = ["apply_profile", "profile_from_usage"]


def _share(value: object, field: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        try:
            return Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InvalidInput(field, value, "a share such as 0.6 or 2/3") from None
    return Fraction(exact_decimal(value, field))


def _shares(profile: Mapping[str, object], label: str) -> dict[str, Fraction]:
    shares = {b: _share(v, f"profile.{label}.{b}") for b, v in profile.items()}
    if not shares or any(v < 0 for v in shares.values()) or sum(shares.values()) != 1:
        raise InvalidInput(
            f"profile.{label}", dict(profile), "bucket shares of zero or more that add up to 1"
        )
    return shares


def apply_profile(usage: Any, profiles: Mapping[str, Mapping[str, object]]) -> Any:
    """Return ``usage`` with each row's ``kwh_total`` split by the profile of its class.

    ``profiles`` maps a customer class (the ``customer_class`` column, or ``residential`` /
    ``non-residential``) or an account id to bucket shares (decimals, ``"2/3"`` or Fractions);
    an account's own profile wins.

    Raises:
        InvalidInput: no ``kwh_total`` column, a row whose class has no profile, shares that do
            not add up to 1.
    """
    table = read_usage(usage)
    frame = table.frame.copy()
    if "total" not in table.energy:
        raise InvalidInput("usage", "kwh_total", "a kwh_total column to split")
    checked = {label: _shares(p, label) for label, p in profiles.items()}
    buckets = sorted({b for p in checked.values() for b in p})
    total = table.energy["total"]
    split: dict[str, list[Decimal | None]] = {b: [None] * len(frame) for b in buckets}
    profiled = np.zeros(len(frame), dtype=bool)
    for row in range(len(frame)):
        if not total.present[row]:
            continue
        label = str(table.account_id[row])
        if label not in checked:
            label = str(table.customer_class[row])
        if label not in checked:
            raise InvalidInput(
                f"usage[{row}].customer_class",
                label,
                f"a class with a profile ({', '.join(checked)})",
            )
        parts = _largest_remainder(int(total.values[row]), checked[label])
        for bucket, units in parts.items():
            split[bucket][row] = Decimal(units).scaleb(QUANTITY_EXP)
        profiled[row] = True
    frame = frame.drop(columns="kwh_total")
    for bucket in buckets:
        if f"kwh_{bucket}" in frame.columns:
            raise InvalidInput("usage", f"kwh_{bucket}", "no metered bucket beside kwh_total")
        frame[f"kwh_{bucket}"] = split[bucket]
    frame["profiled"] = profiled
    return frame


def _largest_remainder(units: int, shares: Mapping[str, Fraction]) -> dict[str, int]:
    exact = {b: units * s for b, s in shares.items()}
    floors = {b: int(v) for b, v in exact.items()}
    order = sorted(shares, key=lambda b: (-(exact[b] - floors[b]), b))
    for bucket in order[: units - sum(floors.values())]:
        floors[bucket] += 1
    return floors


def profile_from_usage(usage: Any, *, by: str = "customer_class") -> dict[str, dict[str, Decimal]]:
    """Return bucket shares (to six decimals, adding up to 1) per ``by`` from metered buckets.

    ``by`` is ``customer_class`` (a class's profile from its metered accounts) or
    ``account_id`` (each account's own). Feed it a usage table with TOU buckets, for example one
    made by :func:`~powerretail.analysis.intervals.usage_from_intervals`.

    Raises:
        InvalidInput: an unknown ``by``; a group with no energy.
    """
    if by not in {"customer_class", "account_id"}:
        raise InvalidInput("by", by, "customer_class or account_id")
    table = read_usage(usage)
    columns: dict[str, Any] = {by: getattr(table, by)}
    for bucket, column in table.energy.items():
        if bucket != "total":
            columns[bucket] = np.where(column.present, column.values, 0)
    sums = pd.DataFrame(columns).groupby(by, sort=True).sum()
    result: dict[str, dict[str, Decimal]] = {}
    for label, row in sums.iterrows():
        total = int(row.sum())
        if total == 0:
            raise InvalidInput(f"usage ({by} {label})", 0, "metered energy to derive a profile")
        millionths = _largest_remainder(
            10**6, {str(b): Fraction(int(v), total) for b, v in row.items()}
        )
        result[str(label)] = {b: Decimal(v).scaleb(-6) for b, v in millionths.items()}
    return result
