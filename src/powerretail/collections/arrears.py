"""The arrears register (欠费台账): what is owed, how long overdue, per account, class and area.

The register is a pure fold of the accounts' open items (:class:`~powerretail.collections.
allocation.OpenItem`, each dated by its payment deadline): an item ``d`` days past its deadline
falls in the ageing bucket whose range holds ``d``. The buckets are data (:class:`AgeingBuckets`);
the default ones are current, 1–30, 31–60, 61–90 and over 90 days overdue. Totals per account,
per customer class and per area (台区) are exact sums of the same items, so every view adds up
to the same grand total.

>>> from datetime import date
>>> from powerretail.collections.allocation import ItemKind, OpenItem
>>> from powerretail.quantities import Money
>>> book = [AccountArrears(account_id="A-1", customer_class="居民", area="T-01", open_items=(
...     OpenItem(bill_id="B-1", kind=ItemKind.PRINCIPAL, amount=Money("80.00"),
...              dated=date(2025, 1, 20)),
...     OpenItem(bill_id="B-2", kind=ItemKind.PRINCIPAL, amount=Money("50.00"),
...              dated=date(2025, 3, 20)),
... ))]
>>> register = arrears_register(book, as_of=date(2025, 3, 31))
>>> for line in register.lines:
...     print(line.bucket, line.amount.amount)
1-30 50.00
61-90 80.00
>>> register.total
Money(amount=Decimal('130.00'), currency='CNY')

The seed's collection target — every bill of the month collected by the 28th (收费人员每月28日前
必须将全部客户电费收完) — is :func:`collection_rate`: what the month's bills were paid by the
cut-off day, over what they billed.

Source: 供电所农电营销工作管理制度 二、电费回收考核制度 6; ageing buckets are the company's choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final, Protocol

import attrs

from powerretail.collections.allocation import ItemKind, OpenItem
from powerretail.errors import InvalidInput
from powerretail.quantities import Money, sum_money
from powerretail.timeframe import as_date

__all__ = [
    "DEFAULT_AGEING",
    "AccountArrears",
    "AgeingBucket",
    "AgeingBuckets",
    "ArrearsLine",
    "ArrearsRegister",
    "CollectionRate",
    "MonthPayment",
    "arrears_register",
    "collection_rate",
]


@attrs.frozen
class AgeingBucket:
    """Items ``low`` to ``high`` days overdue (both included; ``high`` None: no upper end)."""

    key: str
    low: int
    high: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.high is not None and self.high < self.low:
            raise InvalidInput(f"bucket {self.key}.high", self.high, f"at least {self.low}")

    def holds(self, days_overdue: int) -> bool:
        """Return whether an item ``days_overdue`` days past its deadline falls here."""
        return days_overdue >= self.low and (self.high is None or days_overdue <= self.high)


def _buckets(value: Iterable[AgeingBucket]) -> tuple[AgeingBucket, ...]:
    return tuple(value)


@attrs.frozen
class AgeingBuckets:
    """A partition of overdue days into buckets: contiguous, from ``current`` to an open end.

    Raises:
        InvalidInput: a gap or an overlap between neighbours, or a closed last bucket.
    """

    key: str
    buckets: tuple[AgeingBucket, ...] = attrs.field(converter=_buckets)

    def __attrs_post_init__(self) -> None:
        if not self.buckets:
            raise InvalidInput(f"{self.key}.buckets", "()", "at least one bucket")
        for before, after in zip(self.buckets, self.buckets[1:], strict=False):
            if before.high is None or after.low != before.high + 1:
                raise InvalidInput(
                    f"{self.key}.{after.key}.low", after.low, "the day after the previous bucket"
                )
        if self.buckets[-1].high is not None:
            raise InvalidInput(f"{self.key}.buckets", self.buckets[-1].key, "an open last bucket")

    def bucket_of(self, days_overdue: int) -> AgeingBucket:
        """Return the bucket of an item ``days_overdue`` days past its deadline (the first
        bucket takes everything below its ``low``: not yet due)."""
        for bucket in self.buckets:
            if bucket.holds(days_overdue):
                return bucket
        return self.buckets[0]


#: Current (not yet overdue), 1–30, 31–60, 61–90 and more than 90 days overdue.
DEFAULT_AGEING: Final = AgeingBuckets(
    "DEFAULT",
    (
        AgeingBucket("current", -(10**6), 0),
        AgeingBucket("1-30", 1, 30),
        AgeingBucket("31-60", 31, 60),
        AgeingBucket("61-90", 61, 90),
        AgeingBucket(">90", 91),
    ),
)


class HasOpenItems(Protocol):
    """An account's open items (a stored receivable has them)."""

    @property
    def account_id(self) -> str: ...  # pragma: no cover - protocol

    @property
    def open_items(self) -> tuple[OpenItem, ...]: ...  # pragma: no cover - protocol


@attrs.frozen(kw_only=True)
class AccountArrears:
    """One account's open items with what the register groups it by."""

    account_id: str
    customer_class: str
    area: str
    open_items: tuple[OpenItem, ...] = ()

    @classmethod
    def of(
        cls,
        receivable: HasOpenItems,
        *,
        classes: Mapping[str, str],
        areas: Mapping[str, str],
        unknown: str = "unknown",
    ) -> AccountArrears:
        """Return the register's view of a stored receivable; ``classes`` and ``areas`` map
        account ids to the customer class and the area (台区); missing ones are ``unknown``."""
        account = str(receivable.account_id)
        return cls(
            account_id=account,
            customer_class=classes.get(account, unknown),
            area=areas.get(account, unknown),
            open_items=tuple(receivable.open_items),
        )


@attrs.frozen(kw_only=True)
class ArrearsLine:
    """One (account, bucket) cell of the register: principal and late fee apart."""

    account_id: str
    customer_class: str
    area: str
    bucket: str
    principal: Money
    late_fee: Money

    @property
    def amount(self) -> Money:
        """Principal plus late fee."""
        return self.principal + self.late_fee


@attrs.frozen(kw_only=True)
class ArrearsRegister:
    """The register as of a day: one line per account and non-empty bucket."""

    as_of: date
    ageing: AgeingBuckets
    lines: tuple[ArrearsLine, ...]
    currency: str = "CNY"

    @property
    def total(self) -> Money:
        """Everything owed."""
        return sum_money((line.amount for line in self.lines), self.currency)

    def _by(self, key: str) -> dict[str, dict[str, Money]]:
        table: dict[str, dict[str, Money]] = {}
        zero = Money.zero(self.currency)
        for line in self.lines:
            row = table.setdefault(str(getattr(line, key)), {})
            row[line.bucket] = row.get(line.bucket, zero) + line.amount
        return {group: dict(sorted(row.items(), key=self._order)) for group, row in table.items()}

    def _order(self, entry: tuple[str, Money]) -> int:
        keys = [bucket.key for bucket in self.ageing.buckets]
        return keys.index(entry[0])

    def by_account(self) -> dict[str, dict[str, Money]]:
        """Account id → bucket → amount."""
        return self._by("account_id")

    def by_class(self) -> dict[str, dict[str, Money]]:
        """Customer class → bucket → amount."""
        return self._by("customer_class")

    def by_area(self) -> dict[str, dict[str, Money]]:
        """Area (台区) → bucket → amount."""
        return self._by("area")

    def by_bucket(self) -> dict[str, Money]:
        """Bucket → amount, every bucket listed (zero where nothing is owed)."""
        zero = Money.zero(self.currency)
        totals = {bucket.key: zero for bucket in self.ageing.buckets}
        for line in self.lines:
            totals[line.bucket] = totals[line.bucket] + line.amount
        return totals

    def to_dict(self) -> dict[str, object]:
        """The register as plain data (amounts as strings), for JSON."""

        def money(table: Mapping[str, Mapping[str, Money]]) -> dict[str, dict[str, str]]:
            return {g: {b: str(m.amount) for b, m in row.items()} for g, row in table.items()}

        return {
            "as_of": self.as_of.isoformat(),
            "ageing": self.ageing.key,
            "total": str(self.total.amount),
            "by_bucket": {b: str(m.amount) for b, m in self.by_bucket().items()},
            "by_account": money(self.by_account()),
            "by_class": money(self.by_class()),
            "by_area": money(self.by_area()),
        }


def arrears_register(
    accounts: Iterable[AccountArrears],
    *,
    as_of: date,
    ageing: AgeingBuckets = DEFAULT_AGEING,
    currency: str = "CNY",
) -> ArrearsRegister:
    """Return the register of ``accounts`` as of ``as_of``: each open item aged by the days
    from its deadline (``OpenItem.dated``) to ``as_of``.

    Raises:
        InvalidInput: ``as_of`` is not a date, or an item is in another currency.
    """
    day = as_date(as_of, "as_of")
    zero = Money.zero(currency)
    lines: list[ArrearsLine] = []
    keys = [bucket.key for bucket in ageing.buckets]
    for account in sorted(accounts, key=lambda a: a.account_id):
        cells: dict[str, tuple[Money, Money]] = {}
        for item in account.open_items:
            if item.amount.currency != currency:
                raise InvalidInput(f"bill {item.bill_id}.currency", item.amount.currency, currency)
            bucket = ageing.bucket_of((day - item.dated).days).key
            principal, fee = cells.get(bucket, (zero, zero))
            if item.kind is ItemKind.PRINCIPAL:
                principal = principal + item.amount
            else:
                fee = fee + item.amount
            cells[bucket] = (principal, fee)
        for bucket in sorted(cells, key=keys.index):
            principal, fee = cells[bucket]
            lines.append(
                ArrearsLine(
                    account_id=account.account_id,
                    customer_class=account.customer_class,
                    area=account.area,
                    bucket=bucket,
                    principal=principal,
                    late_fee=fee,
                )
            )
    return ArrearsRegister(as_of=day, ageing=ageing, lines=tuple(lines), currency=currency)


def _received_on(value: object) -> date:
    return as_date(value, "received_on")


@attrs.frozen(kw_only=True)
class MonthPayment:
    """Part of a payment applied to a bill's principal, and the day it was received."""

    bill_id: str
    amount: Money
    received_on: date = attrs.field(converter=_received_on)


@attrs.frozen(kw_only=True)
class CollectionRate:
    """The month's bills: what they billed, what was collected by the cut-off, and the rate."""

    month: str
    cutoff: date
    billed: Money
    collected: Money

    @property
    def rate(self) -> Decimal:
        """Collected over billed (1 when nothing was billed), unrounded."""
        if self.billed.amount == 0:
            return Decimal(1)
        return self.collected.amount / self.billed.amount

    @property
    def is_met(self) -> bool:
        """Whether every bill of the month was collected by the cut-off (the seed's target)."""
        return self.collected == self.billed


def collection_rate(
    billed: Mapping[str, Money],
    payments: Sequence[MonthPayment],
    *,
    year: int,
    month: int,
    cutoff_day: int = 28,
    currency: str = "CNY",
) -> CollectionRate:
    """Return how much of the month's bills (``billed``: bill id → principal) was paid on or
    before day ``cutoff_day`` of the month (28 under 供电所农电营销工作管理制度
    二、电费回收考核制度 6).

    Payments to other bills and payments after the cut-off do not count; a bill counts at
    most what it billed.

    Raises:
        InvalidInput: the cut-off is not a day of the month.
    """
    try:
        cutoff = date(year, month, cutoff_day)
    except (ValueError, TypeError):
        raise InvalidInput("cutoff_day", cutoff_day, "a day of the month") from None
    zero = Money.zero(currency)
    paid: dict[str, Money] = {}
    for payment in payments:
        if payment.bill_id in billed and payment.received_on <= cutoff:
            paid[payment.bill_id] = paid.get(payment.bill_id, zero) + payment.amount
    collected = sum_money(
        (
            min(paid.get(bill, zero), amount, key=lambda m: m.amount)
            for bill, amount in billed.items()
        ),
        currency,
    )
    return CollectionRate(
        month=f"{year:04d}-{month:02d}",
        cutoff=cutoff,
        billed=sum_money(billed.values(), currency),
        collected=collected,
    )
