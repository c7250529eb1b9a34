"""The terms a supply or retail contract is made of.

The seed lists what a retail contract must contain: both parties' details, the scope of supply,
the price, how bills are settled, how energy is metered, and liability for breach
(售电公司流程管理制度
合同签订流程 1.合同起草: 合同內容應包括雙方基本信息、售電範圍、電價標準、電費結算方式、計量方式、
違約責任等條款). Each is a frozen value here; :class:`~powerretail.contracts.lifecycle.Contract`
holds them.

>>> PriceTerms(tariff_code=TariffCode("JS-GS-10KV"))
PriceTerms(tariff_code='JS-GS-10KV', retail_package_id=None, note='', deviation_fee_passed_on=False)
>>> PriceTerms()
Traceback (most recent call last):
...
powerretail.errors.InvalidInput: price: expected exactly one of tariff_code or \
retail_package_id, got "neither"
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta

from powerretail.errors import InvalidInput
from powerretail.ids import CustomerId, ServicePointId, TariffCode, non_blank
from powerretail.quantities import exact_decimal
from powerretail.timeframe import as_date

__all__ = [
    "LATE_FEE_DAILY_RATE_RANGE",
    "ContractKind",
    "ContractTerm",
    "Liability",
    "MeteringTerms",
    "Party",
    "PartyRole",
    "PriceTerms",
    "SettlementTerms",
]

#: The daily late-fee rate a contract may set: 1‰ to 3‰ (《电力供应与使用条例》第39条).
LATE_FEE_DAILY_RATE_RANGE: Final = (Decimal("0.001"), Decimal("0.003"))


class ContractKind(enum.Enum):
    """A supply contract (供用电合同) of the grid company, or a retail contract (售电合同)."""

    SUPPLY = "供用电合同"
    RETAIL = "售电合同"


class PartyRole(enum.Enum):
    """Which side a party is on."""

    SELLER = "售电方"
    BUYER = "购电方"


@attrs.frozen(kw_only=True)
class Party:
    """A party to a contract: its role, legal name, representative and (for a buyer) customer."""

    role: PartyRole
    name: str = attrs.field(validator=non_blank("party.name"))
    representative: str = attrs.field(validator=non_blank("party.representative"))
    customer_id: CustomerId | None = None


@attrs.frozen(kw_only=True)
class PriceTerms:
    """The price: a tariff code (supply) or a retail package id (retail), exactly one.

    ``deviation_fee_passed_on``: whether the retailer passes its deviation fee (偏差考核费用) on
    to the user, in proportion to the user's own deviation (a term of the retail contract).
    """

    tariff_code: TariffCode | None = None
    retail_package_id: str | None = None
    note: str = ""
    deviation_fee_passed_on: bool = False

    def __attrs_post_init__(self) -> None:
        given = [x for x in (self.tariff_code, self.retail_package_id) if x]
        if len(given) != 1:
            raise InvalidInput(
                "price",
                "both" if given else "neither",
                "exactly one of tariff_code or retail_package_id",
            )


def _rate(value: object) -> Decimal:
    rate = exact_decimal(value, "settlement.late_fee_daily_rate")
    low, high = LATE_FEE_DAILY_RATE_RANGE
    if not low <= rate <= high:
        raise InvalidInput(
            "settlement.late_fee_daily_rate", value, f"a daily rate from {low} to {high}"
        )
    return rate


@attrs.frozen(kw_only=True)
class SettlementTerms:
    """How bills are settled: monthly on ``billing_day``, due ``payment_due_days`` later.

    ``late_fee_daily_rate`` is the agreed 电费违约金 rate per day, 1‰–3‰ (TIAOLI Art. 39).
    """

    billing_day: int
    payment_due_days: int
    method: str = attrs.field(validator=non_blank("settlement.method"))
    late_fee_daily_rate: Decimal = attrs.field(converter=_rate)

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.billing_day <= 28:
            raise InvalidInput("settlement.billing_day", self.billing_day, "a day from 1 to 28")
        if self.payment_due_days < 1:
            raise InvalidInput(
                "settlement.payment_due_days", self.payment_due_days, "at least 1 day"
            )


def _points(value: Iterable[ServicePointId]) -> tuple[ServicePointId, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class MeteringTerms:
    """How energy is metered: the service points metered, whether metering sits at the property
    boundary (if not, losses are added, 《供电营业规则》(1996) 第74条), and who owns the meters."""

    metered_points: tuple[ServicePointId, ...] = attrs.field(converter=_points)
    at_property_boundary: bool = True
    meter_owner: str = "supplier"

    def __attrs_post_init__(self) -> None:
        if not self.metered_points:
            raise InvalidInput("metering.metered_points", (), "at least one metered point")


@attrs.frozen(kw_only=True)
class Liability:
    """A liability clause (违约责任): its ``clause`` number and what it says."""

    clause: str = attrs.field(validator=non_blank("liability.clause"))
    text: str = attrs.field(validator=non_blank("liability.text"))


def _start(value: object) -> date:
    return as_date(value, "term.start")


def _end(value: object) -> date:
    return as_date(value, "term.end")


@attrs.frozen(kw_only=True)
class ContractTerm:
    """The term ``[start, end)`` and its renewal: ``renewal_months`` more each time (0: none)."""

    start: date = attrs.field(converter=_start)
    end: date = attrs.field(converter=_end)
    renewal_months: int = 0

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("term.end", self.end, f"a date after {self.start}")
        if self.renewal_months < 0:
            raise InvalidInput("term.renewal_months", self.renewal_months, "0 or more months")

    @property
    def is_renewable(self) -> bool:
        """Return whether the term can be renewed."""
        return self.renewal_months > 0

    def renewed(self) -> ContractTerm:
        """Return the term extended by one renewal period.

        A term of whole months is extended from its start (31 Jan + 13 months is 28 Feb, + 14 is
        31 Mar: no drift); any other term from its end.

        Raises:
            InvalidInput: the term has no renewal.
        """
        if not self.is_renewable:
            raise InvalidInput("term.renewal_months", 0, "a renewable term")
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        if self.start + relativedelta(months=months) == self.end:
            end = self.start + relativedelta(months=months + self.renewal_months)
        else:
            end = self.end + relativedelta(months=self.renewal_months)
        return attrs.evolve(self, end=end)

    def has_ended_by(self, day: date) -> bool:
        """Return whether the term is over on ``day`` (``end`` itself is outside the term)."""
        return day >= self.end
