"""Overlay scopes in the batch engine: which rows a scoped overlay applies to, as numbers.

A time-of-use overlay may apply to some accounts only (``applies_to``: Jiangsu's critical peak
and holiday deep valley, industrial users of 315 kVA and more, 苏发改价格发〔2025〕426号). The
batch engine asks the bill engine about one row per window and :func:`scope_verdicts`, so rows
with the same answers are asked once.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from powerretail.analysis._exact import IntArray
from powerretail.analysis.usage import QUANTITY_EXP, Usage
from powerretail.billing.determinants import AccountFacts
from powerretail.tariffs.model import Tariff
from powerretail.tariffs.tou import OverlayScope

__all__ = ["row_facts", "scope_verdicts", "scoped_buckets"]


def _scopes(tariff: Tariff) -> tuple[OverlayScope, ...]:
    """The distinct overlay scopes of ``tariff``'s time-of-use schedules."""
    found: list[OverlayScope] = []
    for version in tariff.versions:
        for schedule in version.schedules.values():
            for overlay in schedule.overlays:
                if overlay.applies_to is not None and overlay.applies_to not in found:
                    found.append(overlay.applies_to)
    return tuple(found)


def scoped_buckets(tariff: Tariff) -> tuple[str, ...]:
    """Buckets only scoped overlays give, in some schedule of ``tariff`` (sorted)."""
    buckets: set[str] = set()
    for version in tariff.versions:
        for schedule in version.schedules.values():
            for overlay in schedule.overlays:
                givers = [o.applies_to for o in schedule.overlays if o.bucket == overlay.bucket]
                if overlay.bucket not in schedule.season_buckets and None not in givers:
                    buckets.add(overlay.bucket)
    return tuple(sorted(buckets))


def scope_verdicts(tariff: Tariff, usage: Usage) -> tuple[IntArray, IntArray] | None:
    """Return a number per row for each scope's verdict and missing facts, and per row whether
    some scope leaves its overlay out; ``None`` when the tariff has no scoped overlay.

    Rows of one number get the same answers from every scope of the tariff
    (:meth:`~powerretail.tariffs.tou.OverlayScope.admits` and ``missing``).
    """
    scopes = _scopes(tariff)
    if not scopes:
        return None
    capacity = usage.quantities["capacity_kva"]
    no_capacity = ~capacity.present
    kind = np.asarray([k or "" for k in usage.use_category], dtype=object)
    no_kind = kind == ""
    signature = np.zeros(len(usage), dtype=np.int64)
    left_out = np.zeros(len(usage), dtype=bool)
    for scope in scopes:
        fails = np.zeros(len(usage), dtype=bool)
        unknown = np.zeros(len(usage), dtype=bool)
        code = np.zeros(len(usage), dtype=np.int64)
        if scope.min_capacity_kva is not None:
            least = math.ceil(scope.min_capacity_kva.scaleb(-QUANTITY_EXP))
            fails |= ~no_capacity & (capacity.values < least)
            unknown |= no_capacity
            code |= no_capacity.astype(np.int64) << 2
        if scope.use_categories:
            fails |= ~no_kind & ~np.isin(kind, sorted(scope.use_categories))
            unknown |= no_kind
            code |= no_kind.astype(np.int64) << 3
        code |= np.where(fails, 0, np.where(unknown, 2, 1))
        signature = signature * 16 + code
        left_out |= fails
    return signature, left_out


def row_facts(usage: Usage, row: int) -> AccountFacts:
    """The account facts of ``row`` an overlay scope tests (capacity, kind)."""
    capacity = usage.quantities["capacity_kva"]
    kva = Decimal(int(capacity.values[row])).scaleb(QUANTITY_EXP) if capacity.present[row] else None
    residential = bool(usage.residential[row])
    return AccountFacts(
        capacity_kva=kva, residential=residential, use_category=usage.use_category[row]
    )
