"""Port of the retail business: packages, reference prices, purchases, allocations, settlements.

* :class:`PackageDocument` — one revision of a retail package file, as its TOML text (a change is
  a new revision ``code@2``; a revision never changes);
* :class:`StoredReferencePrice` — one month's published price of a reference series (never
  changes: a revised price is an adjustment of the settled month, not an overwrite);
* :class:`~powerretail.retail.procurement.Purchase` — a procurement position (never changes);
* :class:`~powerretail.retail.allocation.EnergyAllocation` — a month's allocation; a save may
  only re-allocate (one more revision, the earlier adjustments kept);
* :class:`~powerretail.retail.settlement.UserMonth` — a user's metered month and contract terms;
* :class:`MarketMonth` — the trading centre's deviation rule and prices of a retailer's month;
* :class:`~powerretail.retail.settlement.MonthSettlement` — a settled month (never changes);
* :class:`~powerretail.retail.settlement.SettlementAdjustment` — a 退补 for an earlier month, to
  be settled in a later cycle (never changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from powerretail.quantities import exact_decimal
from powerretail.repositories.aggregates import (
    Aggregate,
    AggregateRepository,
    ChangeRefusal,
    never_changes,
)
from powerretail.repositories.documents import latest_revision, revision_number, text_sha256
from powerretail.retail.allocation import EnergyAllocation
from powerretail.retail.package_file import loads_package_toml
from powerretail.retail.packages import RetailPackage
from powerretail.retail.procurement import Purchase
from powerretail.retail.reference_prices import (
    ReferenceKind,
    ReferencePrice,
    ReferenceSeries,
    as_month,
    month_text,
)
from powerretail.retail.settlement import MonthSettlement, SettlementAdjustment, UserMonth
from powerretail.tariffs.model import VersionStatus

__all__ = [
    "ALLOCATIONS",
    "MARKET_MONTHS",
    "PACKAGE_DOCUMENTS",
    "PURCHASES",
    "REFERENCE_PRICES",
    "RETAIL_SETTLEMENTS",
    "SETTLEMENT_ADJUSTMENTS",
    "USER_MONTHS",
    "MarketMonth",
    "PackageDocument",
    "StoredReferencePrice",
    "latest_package",
    "reference_prices_of",
]


@attrs.frozen(kw_only=True)
class PackageDocument:
    """One revision of a retail package file: its code, revision and TOML text."""

    document_id: str
    code: str
    revision: int = attrs.field(validator=revision_number)
    text: str
    sha256: str

    @classmethod
    def of_text(cls, text: str, revision: int = 1) -> PackageDocument:
        """Return package file ``text`` as revision ``revision`` (the text is checked).

        Raises:
            InvalidInput: the text is not a valid package file.
        """
        package = loads_package_toml(text)
        return cls(
            document_id=f"{package.code}@{revision}",
            code=package.code,
            revision=revision,
            text=text,
            sha256=text_sha256(text),
        )

    def package(self) -> RetailPackage:
        """Return the package the document describes (parsed afresh)."""
        return loads_package_toml(self.text)


def _month(value: object) -> str:
    return month_text(as_month(value))


def _price(value: object) -> Decimal:
    return exact_decimal(value, "yuan_per_kwh")


@attrs.frozen(kw_only=True)
class StoredReferencePrice:
    """One month's price of a reference series, with the series' description."""

    price_id: str
    series: str
    month: str = attrs.field(converter=_month)
    yuan_per_kwh: Decimal = attrs.field(converter=_price)
    kind: ReferenceKind
    name_zh: str
    name_en: str
    source: str
    status: VersionStatus = VersionStatus.ILLUSTRATIVE
    note: str = ""

    @classmethod
    def of(cls, series: ReferenceSeries, price: ReferencePrice) -> StoredReferencePrice:
        """Return ``price`` of ``series`` as stored (key ``SERIES@YYYY-MM``)."""
        month = month_text(price.month)
        return cls(
            price_id=f"{series.code}@{month}",
            series=series.code,
            month=month,
            yuan_per_kwh=price.yuan_per_kwh,
            kind=series.kind,
            name_zh=series.name_zh,
            name_en=series.name_en,
            source=series.source,
            status=series.status,
            note=price.note,
        )


def _prices(value: Mapping[str, object]) -> Mapping[str, Decimal]:
    return {str(k): exact_decimal(v, f"deviation_prices.{k}") for k, v in sorted(value.items())}


@attrs.frozen(kw_only=True)
class MarketMonth:
    """The wholesale side of a retailer's month: the deviation rule and the month's prices."""

    market_month_id: str
    retailer_id: str
    month: str = attrs.field(converter=_month)
    deviation_rule: str
    deviation_prices: Mapping[str, Decimal] = attrs.field(converter=_prices)


def _reallocation_only(stored: EnergyAllocation, new: EnergyAllocation) -> ChangeRefusal | None:
    kept = new.adjustments[: len(stored.adjustments)] == stored.adjustments
    if (
        new.revision == stored.revision + 1
        and kept
        and len(new.adjustments) > len(stored.adjustments)
    ):
        return None
    if new == stored:
        return None
    return ChangeRefusal(f"revision {stored.revision}", ("revision", "adjustments"))


#: Package documents, keyed ``code@revision``, found by code; a revision never changes.
PACKAGE_DOCUMENTS: Aggregate[str, PackageDocument] = Aggregate(
    kind="retail_package_document",
    entity_type=PackageDocument,
    key_field="document_id",
    indexed=("code",),
    changes=never_changes("published"),
)
#: Reference prices, keyed ``SERIES@YYYY-MM``, found by series and by month.
REFERENCE_PRICES: Aggregate[str, StoredReferencePrice] = Aggregate(
    kind="retail_reference_price",
    entity_type=StoredReferencePrice,
    key_field="price_id",
    indexed=("series", "month"),
    changes=never_changes("published"),
)
#: Purchases, keyed by purchase id, found by retailer and month.
PURCHASES: Aggregate[str, Purchase] = Aggregate(
    kind="retail_purchase",
    entity_type=Purchase,
    key_field="purchase_id",
    indexed=("retailer_id", "month"),
    changes=never_changes("confirmed"),
)
#: Allocations, keyed ``retailer/month/band``; a save may only re-allocate.
ALLOCATIONS: Aggregate[str, EnergyAllocation] = Aggregate(
    kind="retail_allocation",
    entity_type=EnergyAllocation,
    key_field="allocation_id",
    indexed=("retailer_id", "month"),
    changes=_reallocation_only,
)
#: Users' metered months, keyed ``retailer/month/customer``, found by retailer and month.
USER_MONTHS: Aggregate[str, UserMonth] = Aggregate(
    kind="retail_user_month",
    entity_type=UserMonth,
    key_field="user_month_id",
    indexed=("retailer_id", "month"),
)
#: Market months, keyed ``retailer/month``, found by month.
MARKET_MONTHS: Aggregate[str, MarketMonth] = Aggregate(
    kind="retail_market_month",
    entity_type=MarketMonth,
    key_field="market_month_id",
    indexed=("retailer_id", "month"),
)
#: Settled months, keyed ``retailer/month``; a settled month never changes.
RETAIL_SETTLEMENTS: Aggregate[str, MonthSettlement] = Aggregate(
    kind="retail_settlement",
    entity_type=MonthSettlement,
    key_field="settlement_id",
    indexed=("retailer_id", "month"),
    changes=never_changes("settled"),
)
#: Adjustments of earlier months, found by retailer and the cycle that settles them.
SETTLEMENT_ADJUSTMENTS: Aggregate[str, SettlementAdjustment] = Aggregate(
    kind="retail_settlement_adjustment",
    entity_type=SettlementAdjustment,
    key_field="adjustment_id",
    indexed=("retailer_id", "settle_in"),
    changes=never_changes("recorded"),
)


def latest_package(
    repository: AggregateRepository[str, PackageDocument], code: str
) -> PackageDocument:
    """Return the highest revision of package ``code``.

    Raises:
        NotFound: no revision of ``code`` is stored.
    """
    return latest_revision(repository, code, "retail package")


def reference_prices_of(
    repository: AggregateRepository[str, StoredReferencePrice], month: str
) -> dict[str, Decimal]:
    """Return the prices published for ``month``, by series code."""
    key: Any = _month(month)
    return {
        stored.entity.series: stored.entity.yuan_per_kwh for stored in repository.query(month=key)
    }
