"""Purchases (购电交易): the retailer's procurement positions, by channel, month and TOU band.

A :class:`Purchase` is energy bought for one month and band at one price through one channel:
annual or monthly bilateral contracts (双边协商), monthly centralised bidding (集中竞价), listing
(挂牌) or the spot market (现货). :func:`position` sums a month's purchases: energy and cost per
band and channel, the contract cost of each purchase rounded once, and the average price.

>>> from datetime import date
>>> buys = (
...     Purchase(purchase_id="P-1", retailer_id="R", month="2025-07",
...              channel=Channel.ANNUAL_BILATERAL, energy_kwh="600000", yuan_per_kwh="0.3700"),
...     Purchase(purchase_id="P-2", retailer_id="R", month="2025-07",
...              channel=Channel.MONTHLY_CENTRALISED, energy_kwh="400000", yuan_per_kwh="0.3900"),
... )
>>> held = position(buys, date(2025, 7, 1))
>>> held.energy_kwh, str(held.cost), held.average_yuan_per_kwh
(Decimal('1000000'), '378000.00 CNY', Decimal('0.378000'))
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from powerretail.errors import InvalidInput
from powerretail.ids import require_id
from powerretail.quantities import MONEY_CONTEXT, Money, Rounding, exact_decimal, sum_money
from powerretail.retail.reference_prices import as_month, month_text

__all__ = [
    "AVERAGE_PRICE_STEP",
    "Channel",
    "Position",
    "Purchase",
    "position",
]

#: The average wholesale price is rounded half-up to this step [元/kWh] (price-spread sharing).
AVERAGE_PRICE_STEP: Final = Decimal("0.000001")
_ZERO: Final = Decimal(0)


class Channel(enum.Enum):
    """Where energy was bought."""

    ANNUAL_BILATERAL = "annual_bilateral"
    MONTHLY_BILATERAL = "monthly_bilateral"
    MONTHLY_CENTRALISED = "monthly_centralised"
    LISTING = "listing"
    SPOT = "spot"


def _kwh(value: object) -> Decimal:
    energy = exact_decimal(value, "energy_kwh")
    if energy < 0:
        raise InvalidInput("energy_kwh", value, "energy of zero or more [kWh]")
    return energy


def _price(value: object) -> Decimal:
    price = exact_decimal(value, "yuan_per_kwh")
    if price < 0:
        raise InvalidInput("yuan_per_kwh", value, "a price of zero or more [元/kWh]")
    return price


def _id(value: object) -> str:
    return require_id(value, "purchase_id")


def _retailer(value: object) -> str:
    return require_id(value, "retailer_id")


def _month(value: object) -> str:
    return month_text(as_month(value))


def _band(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("band", value, "a TOU band name (peak, flat, valley …) or total")
    return value


@attrs.frozen(kw_only=True)
class Purchase:
    """Energy bought for ``month`` (``YYYY-MM``) and ``band`` at ``yuan_per_kwh`` by ``channel``."""

    purchase_id: str = attrs.field(converter=_id)
    retailer_id: str = attrs.field(converter=_retailer)
    month: str = attrs.field(converter=_month)
    channel: Channel = attrs.field(validator=attrs.validators.instance_of(Channel))
    band: str = attrs.field(default="total", converter=_band)
    energy_kwh: Decimal = attrs.field(converter=_kwh)
    yuan_per_kwh: Decimal = attrs.field(converter=_price)
    counterparty: str = ""
    note: str = ""

    @property
    def exact_cost(self) -> Decimal:
        """The unrounded cost [元]."""
        return self.energy_kwh * self.yuan_per_kwh


@attrs.frozen(kw_only=True)
class Position:
    """A month's purchases summed: energy and rounded cost, per band and per channel."""

    month: date
    energy_kwh: Decimal
    cost: Money
    by_band_kwh: Mapping[str, Decimal]
    by_channel_kwh: Mapping[Channel, Decimal]
    costs: Mapping[str, Money]

    @property
    def average_yuan_per_kwh(self) -> Decimal:
        """The average price [元/kWh], half-up to :data:`AVERAGE_PRICE_STEP` (0 with no energy)."""
        if not self.energy_kwh:
            return _ZERO.quantize(AVERAGE_PRICE_STEP)
        return MONEY_CONTEXT.divide(self.cost.amount, self.energy_kwh).quantize(AVERAGE_PRICE_STEP)


def position(
    purchases: Iterable[Purchase], month: date, *, rounding: Rounding | None = None
) -> Position:
    """Return the position of ``month`` (any day of it) from ``purchases`` (others are ignored).

    Each purchase's cost is rounded once; the month's cost is the sum of those.

    Raises:
        InvalidInput: two purchases with one id.
    """
    money = rounding or Rounding()
    first = as_month(month.replace(day=1))
    text = month_text(first)
    by_band: dict[str, Decimal] = {}
    by_channel: dict[Channel, Decimal] = {}
    costs: dict[str, Money] = {}
    for purchase in purchases:
        if purchase.month != text:
            continue
        if purchase.purchase_id in costs:
            raise InvalidInput("purchase_id", purchase.purchase_id, "each purchase once")
        by_band[purchase.band] = by_band.get(purchase.band, _ZERO) + purchase.energy_kwh
        by_channel[purchase.channel] = by_channel.get(purchase.channel, _ZERO) + purchase.energy_kwh
        costs[purchase.purchase_id] = money.to_money(purchase.exact_cost)
    return Position(
        month=first,
        energy_kwh=sum(by_band.values(), _ZERO),
        cost=sum_money(costs.values()),
        by_band_kwh=dict(sorted(by_band.items())),
        by_channel_kwh=by_channel,
        costs=costs,
    )
