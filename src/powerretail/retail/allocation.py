"""Allocating purchased energy to customers (电量分配与调整), exactly, with every adjustment kept.

The seed's sales process: allocate the purchased energy according to the customers' contracts
and actual use, adjust the allocation when demand or the market changes, and keep it fair
(售电公司流程管理制度, 电量销售流程 4. 电量分配与调整). Three methods (:class:`AllocationMethod`):

* ``by_contract`` and ``by_forecast`` — in proportion to each customer's contracted or forecast
  energy (its :class:`Claim`);
* ``by_priority`` — customers in priority order (lower first) each take up to their claim; what
  is left when every claim is met is shared in proportion to the claims.

Every split is a largest-remainder split in steps of :data:`ENERGY_STEP` (1 Wh) — the same
:func:`~powerretail.quantities.largest_remainder` that splits money — so the shares always add up
to the energy allocated and none is negative. :func:`reallocate` re-splits a month when claims
change and appends an :class:`Adjustment` saying who gained or lost what, and why.

>>> claims = (Claim(customer_id="C-1", kwh="1"), Claim(customer_id="C-2", kwh="2"))
>>> split = allocate_energy(
...     retailer_id="R", month="2025-07", energy_kwh=Decimal("100"), claims=claims,
...     method=AllocationMethod.BY_CONTRACT)
>>> for share in split.shares:
...     print(share.customer_id, share.kwh)
C-1 33.333
C-2 66.667
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from powerretail.errors import InvalidInput
from powerretail.ids import require_id
from powerretail.quantities import exact_decimal, largest_remainder
from powerretail.retail.reference_prices import as_month, month_text

__all__ = [
    "ENERGY_STEP",
    "Adjustment",
    "AllocationMethod",
    "Claim",
    "EnergyAllocation",
    "Share",
    "allocate_energy",
    "allocation_id",
    "reallocate",
    "split_energy",
]

#: Allocated energy is split in whole steps of 0.001 kWh (1 Wh).
ENERGY_STEP: Final = Decimal("0.001")
_ZERO: Final = Decimal(0)


class AllocationMethod(enum.Enum):
    """How purchased energy is shared between customers."""

    BY_CONTRACT = "by_contract"
    BY_FORECAST = "by_forecast"
    BY_PRIORITY = "by_priority"


def _kwh(value: object) -> Decimal:
    energy = exact_decimal(value, "kwh")
    if energy < 0:
        raise InvalidInput("kwh", value, "energy of zero or more [kWh]")
    return energy


def _customer(value: object) -> str:
    return require_id(value, "customer_id")


@attrs.frozen(kw_only=True)
class Claim:
    """A customer's claim on the month's energy: its contracted or forecast ``kwh``.

    ``priority`` orders ``by_priority`` allocation (lower first).
    """

    customer_id: str = attrs.field(converter=_customer)
    kwh: Decimal = attrs.field(converter=_kwh)
    priority: int = 0


@attrs.frozen(kw_only=True)
class Share:
    """The energy [kWh] allocated to one customer."""

    customer_id: str
    kwh: Decimal


@attrs.frozen(kw_only=True)
class Adjustment:
    """One re-allocation: its revision, why, and each customer's share before and after."""

    revision: int
    reason: str
    method: AllocationMethod
    changes: tuple[tuple[str, Decimal, Decimal], ...]


def _month(value: object) -> str:
    return month_text(as_month(value))


def allocation_id(retailer_id: str, month: str, band: str = "total") -> str:
    """Return the key of a retailer's allocation of ``month`` and ``band``: ``R/2025-07/total``."""
    return f"{retailer_id}/{month}/{band}"


@attrs.frozen(kw_only=True)
class EnergyAllocation:
    """A month's purchased energy of one band, shared between customers, with its history.

    ``revision`` is 1 when first allocated, one more at each :func:`reallocate`; ``adjustments``
    records every re-allocation, oldest first.
    """

    allocation_id: str
    retailer_id: str
    month: str = attrs.field(converter=_month)
    band: str = "total"
    method: AllocationMethod
    energy_kwh: Decimal
    shares: tuple[Share, ...]
    revision: int = 1
    reason: str = ""
    adjustments: tuple[Adjustment, ...] = ()

    def __attrs_post_init__(self) -> None:
        total = sum((share.kwh for share in self.shares), _ZERO)
        if total != self.energy_kwh:
            raise InvalidInput(
                "shares", str(total), f"shares adding up to the energy {self.energy_kwh} kWh"
            )
        for share in self.shares:
            if share.kwh < 0:
                raise InvalidInput(f"shares.{share.customer_id}", str(share.kwh), "0 or more kWh")

    def share_of(self, customer_id: str) -> Decimal:
        """Return the energy allocated to ``customer_id`` (0 when it has no share)."""
        for share in self.shares:
            if share.customer_id == customer_id:
                return share.kwh
        return _ZERO


def split_energy(energy_kwh: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Split ``energy_kwh`` in proportion to ``weights`` in steps of :data:`ENERGY_STEP`.

    The parts add up to ``energy_kwh`` exactly (largest remainder) and none is negative.

    Raises:
        InvalidInput: negative energy or energy finer than 1 Wh, no weights, a negative weight,
            or weights summing to zero with energy to share.
    """
    energy = exact_decimal(energy_kwh, "energy_kwh")
    if energy < 0 or energy != energy.quantize(ENERGY_STEP):
        raise InvalidInput("energy_kwh", str(energy), "energy of 0 or more in whole Wh (0.001)")
    if not weights:
        raise InvalidInput("weights", [], "at least one weight")
    exact = []
    for index, weight in enumerate(weights):
        value = exact_decimal(weight, f"weights[{index}]")
        if value < 0:
            raise InvalidInput(f"weights[{index}]", str(value), "a weight of zero or more")
        exact.append(Fraction(value))
    units = int(energy / ENERGY_STEP)
    if units == 0:
        return tuple(_ZERO.quantize(ENERGY_STEP) for _ in weights)
    if sum(exact) == 0:
        raise InvalidInput("weights", [str(w) for w in weights], "weights summing above zero")
    return tuple(part * ENERGY_STEP for part in largest_remainder(units, exact))


def _split(energy: Decimal, claims: Sequence[Claim], method: AllocationMethod) -> tuple[Share, ...]:
    if method is not AllocationMethod.BY_PRIORITY:
        parts = split_energy(energy, [claim.kwh for claim in claims])
        return tuple(
            Share(customer_id=c.customer_id, kwh=p) for c, p in zip(claims, parts, strict=True)
        )
    ordered = sorted(range(len(claims)), key=lambda i: (claims[i].priority, i))
    taken = [_ZERO] * len(claims)
    left = energy
    for index in ordered:
        part = min(left, claims[index].kwh.quantize(ENERGY_STEP, rounding="ROUND_FLOOR"))
        taken[index] = part
        left -= part
    if left:
        extra = split_energy(left, [claim.kwh for claim in claims])
        taken = [a + b for a, b in zip(taken, extra, strict=True)]
    return tuple(
        Share(customer_id=c.customer_id, kwh=t) for c, t in zip(claims, taken, strict=True)
    )


def _checked(claims: Sequence[Claim]) -> tuple[Claim, ...]:
    seen: set[str] = set()
    for claim in claims:
        if claim.customer_id in seen:
            raise InvalidInput("claims", claim.customer_id, "one claim per customer")
        seen.add(claim.customer_id)
    if not claims:
        raise InvalidInput("claims", [], "at least one claim")
    return tuple(claims)


def allocate_energy(
    *,
    retailer_id: str,
    month: str,
    energy_kwh: Decimal,
    claims: Sequence[Claim],
    method: AllocationMethod,
    band: str = "total",
    reason: str = "first allocation",
) -> EnergyAllocation:
    """Return ``energy_kwh`` of ``month`` allocated to ``claims`` by ``method``.

    Raises:
        InvalidInput: no claims, two claims of one customer, or energy that cannot be split
            (see :func:`split_energy`).
    """
    checked = _checked(claims)
    shares = _split(exact_decimal(energy_kwh, "energy_kwh"), checked, method)
    month_key = month_text(as_month(month))
    return EnergyAllocation(
        allocation_id=allocation_id(retailer_id, month_key, band),
        retailer_id=retailer_id,
        month=month_key,
        band=band,
        method=method,
        energy_kwh=exact_decimal(energy_kwh, "energy_kwh"),
        shares=shares,
        reason=reason,
    )


def reallocate(
    allocation: EnergyAllocation,
    *,
    claims: Sequence[Claim],
    reason: str,
    method: AllocationMethod | None = None,
    energy_kwh: Decimal | None = None,
) -> EnergyAllocation:
    """Return ``allocation`` re-split for changed ``claims`` (and energy), with the adjustment.

    The adjustment records each customer's share before and after (a customer dropped keeps a
    row with 0 after) and ``reason``.

    Raises:
        InvalidInput: a blank reason, or claims that cannot be allocated.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("reason", reason, "why the allocation changes")
    chosen = method or allocation.method
    energy = allocation.energy_kwh if energy_kwh is None else exact_decimal(energy_kwh, "energy")
    checked = _checked(claims)
    shares = _split(energy, checked, chosen)
    after = {share.customer_id: share.kwh for share in shares}
    before = {share.customer_id: share.kwh for share in allocation.shares}
    customers = list(before) + [c for c in after if c not in before]
    changes = tuple(
        (c, before.get(c, _ZERO), after.get(c, _ZERO))
        for c in customers
        if before.get(c, _ZERO) != after.get(c, _ZERO)
    )
    revision = allocation.revision + 1
    return attrs.evolve(
        allocation,
        method=chosen,
        energy_kwh=energy,
        shares=shares,
        revision=revision,
        reason=reason,
        adjustments=(
            *allocation.adjustments,
            Adjustment(revision=revision, reason=reason, method=chosen, changes=changes),
        ),
    )
