"""Customers (the party), accounts, service points (用电点) and key-account managers.

Entities are frozen: change one with :func:`attrs.evolve`. They refer to each other by id; a
customer does not hold its accounts, an account does not hold its service points.

>>> from powerretail.quantities import ApparentPower
>>> point = ServicePoint(
...     id=ServicePointId("SP-1"), account_id=AccountId("A-1"), address="1 Renmin Rd, Suzhou",
...     voltage_level=VoltageLevel.KV10, contracted_capacity=ApparentPower("630"),
...     load_importance=LoadImportance.SECOND, industry="manufacturing", region="gusu")
>>> point.voltage_level.kv, point.load_importance.rank
(Decimal('10'), 2)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import attrs

from powerretail.errors import InvalidInput
from powerretail.ids import (
    AccountId,
    CustomerId,
    ManagerId,
    ServicePointId,
    non_blank,
    require_id,
)
from powerretail.quantities import ApparentPower
from powerretail.timeframe import as_date

__all__ = [
    "Account",
    "Customer",
    "KeyAccountManager",
    "LoadImportance",
    "ManagerLevel",
    "Sector",
    "ServicePoint",
    "VoltageLevel",
]


class VoltageLevel(enum.Enum):
    """A supply voltage level (供电电压等级); the value is the nominal voltage [kV]."""

    V220 = "0.22"
    V380 = "0.38"
    KV10 = "10"
    KV20 = "20"
    KV35 = "35"
    KV110 = "110"
    KV220 = "220"

    @property
    def kv(self) -> Decimal:
        """The nominal voltage [kV]."""
        return Decimal(self.value)

    @property
    def is_high_voltage(self) -> bool:
        """Return whether this is high-voltage supply (10 kV and above)."""
        return self.kv >= Decimal(10)


class LoadImportance(enum.Enum):
    """The load importance level (负荷等级) of a service point: first is the most critical.

    ``rank`` turns it into a number where higher means more important (first = 3), as the scoring
    policy needs.
    """

    FIRST = "一级负荷"
    SECOND = "二级负荷"
    THIRD = "三级负荷"

    @property
    def rank(self) -> int:
        """Return 3 for first-level, 2 for second-level, 1 for third-level load."""
        return {LoadImportance.FIRST: 3, LoadImportance.SECOND: 2, LoadImportance.THIRD: 1}[self]


class Sector(enum.Enum):
    """What a customer is: the attribute the important-customer categories are read from.

    Source: 供电所大客户维护与管理办法 第二条 (government, military, media, hospitals,
    schools, hotels, state-supported or pilot units) and 供电公司重要客户管理制度 第五条
    (key infrastructure, government, public service, other special industries).
    """

    GOVERNMENT = "政府机关"
    MILITARY = "部队"
    MEDIA = "媒体"
    HOSPITAL = "医院"
    SCHOOL = "学校"
    HOTEL = "酒店"
    STATE_SUPPORTED = "国家重点扶持或试点单位"
    ENERGY = "能源"
    TRANSPORT = "交通"
    TELECOM = "通信"
    WATER = "水利"
    ENVIRONMENT = "环保"
    CULTURE = "文化"
    SPORTS = "体育"
    SOCIAL_WELFARE = "社会福利"
    INDUSTRY = "工业企业"
    COMMERCE = "商业企业"
    RESIDENTIAL = "居民"
    OTHER = "其他"


class ManagerLevel(enum.Enum):
    """Where a key-account manager sits. Source: 苏州供电公司大客户管理 流程说明 1.4, 1.5."""

    REGIONAL = "区域大客户经理"
    COMPANY = "公司大客户经理"


def _customer_id(value: object) -> CustomerId:
    return CustomerId(require_id(value, "customer.id"))


def _account_id(value: object) -> AccountId:
    return AccountId(require_id(value, "account.id"))


def _service_point_id(value: object) -> ServicePointId:
    return ServicePointId(require_id(value, "service_point.id"))


def _manager_id(value: object) -> ManagerId:
    return ManagerId(require_id(value, "manager.id"))


def _opened_on(value: object) -> date:
    return as_date(value, "opened_on")


def _closed_on(value: object) -> date | None:
    return None if value is None else as_date(value, "closed_on")


def _capacity(value: object) -> ApparentPower:
    capacity = value if isinstance(value, ApparentPower) else ApparentPower(value)
    if capacity.kva < 0:
        raise InvalidInput("contracted_capacity", value, "a capacity of 0 kVA or more")
    return capacity


def _texts(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen(kw_only=True)
class Customer:
    """The party that buys electricity: an enterprise, an institution or a household.

    ``designated_important`` marks a customer the company has itself recognised as important
    (其他特殊行业类, 供电公司重要客户管理制度 第五条 4 and 第六条).
    """

    id: CustomerId = attrs.field(converter=_customer_id)
    name: str = attrs.field(validator=non_blank("customer.name"))
    sector: Sector
    industry: str = attrs.field(validator=non_blank("customer.industry"))
    region: str = attrs.field(validator=non_blank("customer.region"))
    designated_important: bool = False


@attrs.frozen(kw_only=True)
class Account:
    """A billing account of a customer, open from ``opened_on`` (closed from ``closed_on``)."""

    id: AccountId = attrs.field(converter=_account_id)
    customer_id: CustomerId = attrs.field(converter=_customer_id)
    opened_on: date = attrs.field(converter=_opened_on)
    closed_on: date | None = attrs.field(default=None, converter=_closed_on)

    def __attrs_post_init__(self) -> None:
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise InvalidInput("closed_on", self.closed_on, f"a date on or after {self.opened_on}")

    def is_open_on(self, day: date) -> bool:
        """Return whether the account is open on ``day``."""
        return self.opened_on <= day and (self.closed_on is None or day < self.closed_on)


@attrs.frozen(kw_only=True)
class ServicePoint:
    """A place where electricity is used (用电点), supplied under one account.

    ``contracted_capacity`` is the receiving capacity [kVA] (受电容量) on the supply contract.
    """

    id: ServicePointId = attrs.field(converter=_service_point_id)
    account_id: AccountId = attrs.field(converter=_account_id)
    address: str = attrs.field(validator=non_blank("service_point.address"))
    voltage_level: VoltageLevel
    contracted_capacity: ApparentPower = attrs.field(converter=_capacity)
    load_importance: LoadImportance
    industry: str = attrs.field(validator=non_blank("service_point.industry"))
    region: str = attrs.field(validator=non_blank("service_point.region"))


@attrs.frozen(kw_only=True)
class KeyAccountManager:
    """A key-account manager (大客户经理) and the regions and industries they look after.

    An empty ``regions`` or ``industries`` means "any". ``accounts`` is how many key accounts the
    manager already has (used to spread new ones).

    Source: 苏州供电公司大客户管理 4.主要前提和假设 (managers divided by region, customer
    attributes and importance level).
    """

    id: ManagerId = attrs.field(converter=_manager_id)
    name: str = attrs.field(validator=non_blank("manager.name"))
    level: ManagerLevel
    regions: frozenset[str] = attrs.field(factory=frozenset, converter=_texts)
    industries: frozenset[str] = attrs.field(factory=frozenset, converter=_texts)
    accounts: int = 0

    def covers_region(self, region: str) -> bool:
        """Return whether the manager looks after ``region``."""
        return not self.regions or region in self.regions

    def covers_industry(self, industry: str) -> bool:
        """Return whether the manager looks after ``industry``."""
        return not self.industries or industry in self.industries
