"""Plausibility bounds of tariff prices: what a tariff file may hold, and what looks like a typo.

A tariff that parses can still be wrong: 55.83 元/kWh is 55.83 分 typed in the yuan column, a
negative energy price is a sign slip. :func:`implausible_prices` compares every price of a tariff
with :class:`TariffBounds` and returns one :class:`PriceFinding` per price outside them; the
caller decides what a finding means (``powerretail tariff check`` warns, and with ``--strict``
exits 1). The defaults, in the tariff's own units:

========================  ==============  ==============================================
price                      bounds          why
========================  ==============  ==============================================
energy [元/kWh]            0 to 5          catalogue prices are 0.3-1.5; critical peak < 3
TOU ratio                  0 to 5          peak/valley multipliers are 0.2-2
demand [元/kW·月]          0 to 100        basic charges are 20-50
capacity [元/kVA·月]       0 to 100        basic charges are 15-35
fixed [元/月]              0 to 10 000     a monthly service fee
========================  ==============  ==============================================

A price below zero is a credit: only charges of a category in ``credit_categories`` (by default
``adjustment``) may hold one, down to minus the upper bound.

>>> from powerretail.adapters.tariff_library import load_shipped
>>> implausible_prices(load_shipped("JS-RES-TOU"))
()
>>> strict = TariffBounds(energy_yuan_per_kwh=(Decimal(0), Decimal("0.5")))
>>> print(implausible_prices(load_shipped("JS-RES-TOU"), strict)[0])
versions[0].charges[0].prices[0].yuan_per_kwh: 0.5583 元/kWh is above 0.5 (the most a price \
of this kind plausibly is)
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Final

import attrs

from powerretail.errors import InvalidInput
from powerretail.quantities import exact_decimal
from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    Charge,
    ChargeCategory,
    EnergyCharge,
    FixedCharge,
    MonthlyTiers,
    Tariff,
    TimeOfUseCharge,
    TimeOfUseTiers,
)

__all__ = ["DEFAULT_TARIFF_BOUNDS", "PriceFinding", "TariffBounds", "implausible_prices"]


def _ordered_pair(
    _instance: object, attribute: attrs.Attribute[tuple[Decimal, Decimal]], value: object
) -> None:
    if not isinstance(value, tuple) or len(value) != 2:
        raise InvalidInput(attribute.name, value, "a pair (lowest, highest)")
    low, high = (exact_decimal(v, attribute.name) for v in value)
    if low < 0 or high <= low:
        raise InvalidInput(attribute.name, value, "0 <= lowest < highest")


@attrs.frozen(kw_only=True)
class TariffBounds:
    """The plausible range of each kind of price (lowest, highest), in the tariff's units."""

    energy_yuan_per_kwh: tuple[Decimal, Decimal] = attrs.field(
        default=(Decimal(0), Decimal(5)), validator=_ordered_pair
    )
    ratio: tuple[Decimal, Decimal] = attrs.field(
        default=(Decimal(0), Decimal(5)), validator=_ordered_pair
    )
    demand_yuan_per_kw_month: tuple[Decimal, Decimal] = attrs.field(
        default=(Decimal(0), Decimal(100)), validator=_ordered_pair
    )
    capacity_yuan_per_kva_month: tuple[Decimal, Decimal] = attrs.field(
        default=(Decimal(0), Decimal(100)), validator=_ordered_pair
    )
    fixed_yuan_per_month: tuple[Decimal, Decimal] = attrs.field(
        default=(Decimal(0), Decimal(10_000)), validator=_ordered_pair
    )
    #: Categories whose prices may be negative (a credit), down to minus the upper bound.
    credit_categories: frozenset[ChargeCategory] = frozenset({ChargeCategory.ADJUSTMENT})


#: The bounds ``powerretail tariff check`` uses (see the table in the module's text).
DEFAULT_TARIFF_BOUNDS: Final = TariffBounds()


@attrs.frozen
class PriceFinding:
    """The price at ``path`` (``unit``) is ``value``, outside ``low`` .. ``high``."""

    path: str
    value: Decimal
    unit: str
    low: Decimal
    high: Decimal

    def __str__(self) -> str:
        if self.value < self.low:
            why = (
                "a negative price (only credit categories may hold one)"
                if self.value < 0 <= self.low
                else "the least a price of this kind plausibly is"
            )
            return f"{self.path}: {self.value} {self.unit} is below {self.low} ({why})"
        return (
            f"{self.path}: {self.value} {self.unit} is above {self.high} "
            "(the most a price of this kind plausibly is)"
        )


_Price = tuple[str, Decimal, str, tuple[Decimal, Decimal]]


def _prices(charge: Charge, path: str, bounds: TariffBounds) -> Iterator[_Price]:
    energy = bounds.energy_yuan_per_kwh
    if isinstance(charge, EnergyCharge):
        yield f"{path}.yuan_per_kwh", charge.yuan_per_kwh, "元/kWh", energy
    elif isinstance(charge, MonthlyTiers | AnnualTiers):
        for index, tier in enumerate(charge.tiers):
            yield f"{path}.tiers[{index}].yuan_per_kwh", tier.yuan_per_kwh, "元/kWh", energy
    elif isinstance(charge, TimeOfUseTiers):
        for b, entry in enumerate(charge.buckets):
            for index, tier in enumerate(entry.tiers):
                at = f"{path}.buckets[{b}].tiers[{index}].yuan_per_kwh"
                yield at, tier.yuan_per_kwh, "元/kWh", energy
    elif isinstance(charge, TimeOfUseCharge):
        if charge.base_yuan_per_kwh is not None:
            yield f"{path}.base_yuan_per_kwh", charge.base_yuan_per_kwh, "元/kWh", energy
        for index, price in enumerate(charge.prices):
            at = f"{path}.prices[{index}]"
            if price.ratio is not None:
                yield f"{at}.ratio", price.ratio, "×", bounds.ratio
                # the price a ratio resolves to: 1.8 × a plausible base may not be plausible
                at += f" ({price.bucket} resolved)"
            else:
                at += ".yuan_per_kwh"
            yield at, charge.resolved[price.bucket], "元/kWh", energy
    elif isinstance(charge, BasicCharge):
        if charge.yuan_per_kva_month is not None:
            yield (
                f"{path}.yuan_per_kva_month",
                charge.yuan_per_kva_month,
                "元/kVA·月",
                bounds.capacity_yuan_per_kva_month,
            )
        if charge.yuan_per_kw_month is not None:
            yield (
                f"{path}.yuan_per_kw_month",
                charge.yuan_per_kw_month,
                "元/kW·月",
                bounds.demand_yuan_per_kw_month,
            )
    elif isinstance(charge, FixedCharge):
        yield f"{path}.yuan_per_month", charge.yuan_per_month, "元/月", bounds.fixed_yuan_per_month


def implausible_prices(
    tariff: Tariff, bounds: TariffBounds = DEFAULT_TARIFF_BOUNDS
) -> tuple[PriceFinding, ...]:
    """Return a finding for each price of ``tariff`` outside ``bounds``, in file order."""
    findings: list[PriceFinding] = []
    for v, version in enumerate(tariff.versions):
        for c, charge in enumerate(version.charges):
            credit = charge.category in bounds.credit_categories
            for path, value, unit, (low, high) in _prices(
                charge, f"versions[{v}].charges[{c}]", bounds
            ):
                lowest = -high if credit else low
                if not lowest <= value <= high:
                    findings.append(PriceFinding(path, value, unit, lowest, high))
    return tuple(findings)
