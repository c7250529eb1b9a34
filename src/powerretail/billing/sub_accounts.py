"""Fixed-quantity and fixed-ratio sub-accounts (定量/定比): energy billed at another price.

Where one meter feeds loads of two price categories (lighting or commercial use under an
industrial meter) and the minor load has no meter of its own, the supplier agrees a fixed monthly
quantity (定量) or a fixed share of the meter's energy (定比) for it. That energy is deducted
from the main meter — shared over the time-of-use buckets by their energy — and billed at the
sub-account's price on the same bill. The power factor is still the whole meter's (all the
energy it registered), but the sub-account's charge is not in the base of the power-factor
adjustment, which adjusts the charges of the main category (功率因数调整电费办法,
(83)水电财字第215号: the adjustment applies to the tariff it is checked under).

>>> lighting = SubAccount(code="lighting", name_zh="照明定比", name_en="lighting (fixed ratio)",
...                       source="供用电合同 (illustrative)", yuan_per_kwh="0.6", ratio="0.05")
>>> lighting.kwh_of(Decimal("100000"), Fraction(1))
Decimal('5000.000')
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Final

import attrs

from powerretail.errors import InvalidInput
from powerretail.quantities import MONEY_CONTEXT, exact_decimal

__all__ = ["SubAccount", "SubAccountKind", "as_sub_accounts"]

#: Sub-account energy is kept to 0.001 kWh (half up), the step the engine shares energy in.
KWH_STEP: Final = Decimal("0.001")


class SubAccountKind(enum.StrEnum):
    """How a sub-account's energy is agreed."""

    FIXED_QUANTITY = "fixed_quantity"
    FIXED_RATIO = "fixed_ratio"


def _optional_kwh(value: object) -> Decimal | None:
    if value is None:
        return None
    number = exact_decimal(value, "kwh_per_month")
    if number <= 0:
        raise InvalidInput("kwh_per_month", value, "an energy above zero [kWh a month]")
    return number


def _optional_ratio(value: object) -> Decimal | None:
    if value is None:
        return None
    number = exact_decimal(value, "ratio")
    if not 0 < number < 1:
        raise InvalidInput("ratio", value, "a share of the meter's energy above 0 and below 1")
    return number


def _price(value: object) -> Decimal:
    number = exact_decimal(value, "yuan_per_kwh")
    if number < 0:
        raise InvalidInput("yuan_per_kwh", value, "a price of zero or more")
    return number


@attrs.frozen(kw_only=True)
class SubAccount:
    """One fixed-quantity or fixed-ratio sub-account of a meter.

    Give exactly one of ``kwh_per_month`` (定量: a monthly quantity, scaled by the service's
    months, 1/30 a day for a part month) and ``ratio`` (定比: a share of the meter's energy).
    ``yuan_per_kwh`` is the sub-account's price; ``source`` where it and the agreement come
    from (the contract, the price notice).
    """

    code: str
    name_zh: str
    name_en: str
    source: str
    yuan_per_kwh: Decimal = attrs.field(converter=_price)
    kwh_per_month: Decimal | None = attrs.field(default=None, converter=_optional_kwh)
    ratio: Decimal | None = attrs.field(default=None, converter=_optional_ratio)

    def __attrs_post_init__(self) -> None:
        for field in ("code", "name_zh", "name_en", "source"):
            if not isinstance(getattr(self, field), str) or not getattr(self, field):
                raise InvalidInput(field, getattr(self, field), "a non-empty text")
        if (self.kwh_per_month is None) == (self.ratio is None):
            raise InvalidInput(
                "ratio", self.ratio, "exactly one of kwh_per_month (定量) and ratio (定比)"
            )

    @property
    def kind(self) -> SubAccountKind:
        """Fixed quantity or fixed ratio."""
        return (
            SubAccountKind.FIXED_RATIO if self.ratio is not None else SubAccountKind.FIXED_QUANTITY
        )

    def kwh_of(self, meter_kwh: Decimal, months: Fraction) -> Decimal:
        """Return the energy [kWh] of a period ``months`` long with ``meter_kwh`` read."""
        if self.ratio is not None:
            exact = meter_kwh * self.ratio
        else:
            assert self.kwh_per_month is not None
            exact = MONEY_CONTEXT.divide(
                self.kwh_per_month * months.numerator, Decimal(months.denominator)
            )
        return exact.quantize(KWH_STEP, rounding=ROUND_HALF_UP, context=MONEY_CONTEXT)

    def note(self, kwh: Decimal, months: Fraction) -> str:
        """The bill line's note: how the energy was agreed and that it was deducted."""
        if self.ratio is not None:
            how = f"fixed ratio {self.ratio.normalize():f} of the meter"
        else:
            how = f"fixed quantity {self.kwh_per_month} kWh a month × {months}"
        return (
            f"{how} = {kwh} kWh, deducted from the main meter by bucket; "
            "outside the power-factor base"
        )


def as_sub_accounts(value: object) -> tuple[SubAccount, ...]:
    """Return ``value`` as a tuple of distinct sub-accounts (``AccountFacts`` converter)."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidInput("sub_accounts", value, "a sequence of SubAccount")
    codes: set[str] = set()
    for index, sub in enumerate(value):
        if not isinstance(sub, SubAccount):
            raise InvalidInput(f"sub_accounts[{index}]", sub, "a SubAccount")
        if sub.code in codes:
            raise InvalidInput(f"sub_accounts[{index}].code", sub.code, "a code not used twice")
        codes.add(sub.code)
    return tuple(value)
