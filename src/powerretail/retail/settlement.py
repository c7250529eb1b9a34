"""The monthly settlement of a retail company: wholesale statement, retail side, margin, 退补.

How a month is settled (the generic sequence; each market publishes its own calendar):

1. the grid company collects every metering point's data (:class:`UserMonth`: a user's energy
   by TOU band, its package and whether its contract passes the deviation fee on);
2. the trading centre settles the **wholesale** side per retailer (:class:`WholesaleStatement`):
   each purchase's energy × price, the deviation fee of the retailer's actual against its
   contracted energy, and the allocation of the energy and its cost to the users;
3. the **retail** side is settled per user from the registered package (the package, not the
   retailer's invoice, sets the user's energy price): :class:`UserSettlement`;
4. the grid company bills the user (the package's energy plus line loss, T&D, system operation,
   funds, PF adjustment: :func:`~powerretail.retail.package_bill.price_retail_bill`);
5. the retailer's margin is settled: retail revenue − allocated wholesale cost − deviation
   fees − excess-profit refunds, plus the deviation fees users pay under their contracts and
   the adjustments (退补) of earlier months that flow through this cycle.

Reconciliation holds by construction and is checked on every :class:`MonthSettlement`: the
allocated energy adds up to the purchased energy, the allocated costs to the contract cost, the
users' deviation shares to the fee, and the users' margins to the retailer's margin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

import attrs

from powerretail.contracts.lifecycle import Contract
from powerretail.contracts.terms import ContractKind
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.ids import require_id
from powerretail.quantities import Money, Rounding, allocate, exact_decimal, sum_money
from powerretail.retail.allocation import EnergyAllocation
from powerretail.retail.deviation import DeviationFee, DeviationRule, Side, assess_deviation
from powerretail.retail.packages import RetailPackage, energy_pricing, price_month
from powerretail.retail.procurement import Purchase, position
from powerretail.retail.reference_prices import as_month, month_text

__all__ = [
    "MonthSettlement",
    "PurchaseLine",
    "SettlementAdjustment",
    "SettlementDoesNotReconcile",
    "UserMonth",
    "UserSettlement",
    "WholesaleStatement",
    "adjustments_between",
    "settle_month",
    "settlement_id",
    "user_month_id",
]

_ZERO: Final = Decimal(0)
_NO_MONEY: Final = Money("0.00")


def _month(value: object) -> str:
    return month_text(as_month(value))


def _energy(value: object) -> dict[str, Decimal]:
    if not isinstance(value, Mapping) or not value:
        raise InvalidInput("energy_kwh", value, "kWh by TOU band, at least one band")
    energy = {}
    for band, kwh in value.items():
        number = exact_decimal(kwh, f"energy_kwh.{band}")
        if number < 0:
            raise InvalidInput(f"energy_kwh.{band}", str(kwh), "energy of zero or more [kWh]")
        energy[str(band)] = number
    return dict(sorted(energy.items()))


def _retailer(value: object) -> str:
    return require_id(value, "retailer_id")


def _customer(value: object) -> str:
    return require_id(value, "customer_id")


def user_month_id(retailer_id: str, month: str, customer_id: str) -> str:
    """Return the key of a user's metered month: ``R/2025-07/C-1``."""
    return f"{retailer_id}/{month}/{customer_id}"


@attrs.frozen(kw_only=True)
class UserMonth:
    """A retail user's metered month: energy by TOU band, its package and contract terms."""

    user_month_id: str
    retailer_id: str = attrs.field(converter=_retailer)
    month: str = attrs.field(converter=_month)
    customer_id: str = attrs.field(converter=_customer)
    contract_id: str
    package_code: str
    energy_kwh: Mapping[str, Decimal] = attrs.field(converter=_energy)
    deviation_fee_passed_on: bool = False

    @classmethod
    def of_contract(
        cls,
        contract: Contract,
        *,
        retailer_id: str,
        month: str,
        energy_kwh: Mapping[str, Decimal],
    ) -> UserMonth:
        """Return a user's metered month under ``contract``: its package and pass-on term.

        Raises:
            InvalidInput: not a retail contract priced by a package, or no buyer customer id.
        """
        if contract.kind is not ContractKind.RETAIL or contract.price.retail_package_id is None:
            raise InvalidInput(
                "contract.price", contract.id, "a retail contract priced by a retail package"
            )
        customer = contract.buyer.customer_id
        if customer is None:
            raise InvalidInput("contract.buyer.customer_id", None, "the buyer's customer id")
        key = month_text(as_month(month))
        return cls(
            user_month_id=user_month_id(retailer_id, key, customer),
            retailer_id=retailer_id,
            month=key,
            customer_id=customer,
            contract_id=contract.id,
            package_code=contract.price.retail_package_id,
            energy_kwh=energy_kwh,
            deviation_fee_passed_on=contract.price.deviation_fee_passed_on,
        )

    @property
    def total_kwh(self) -> Decimal:
        """The month's energy [kWh]."""
        return sum(self.energy_kwh.values(), _ZERO)


@attrs.frozen(kw_only=True)
class SettlementAdjustment:
    """An adjustment (退补) of an earlier month, settled in ``settle_in``.

    ``amount`` is added to the user's margin (negative: the retailer gives money back).
    """

    adjustment_id: str
    retailer_id: str
    customer_id: str
    of_month: str = attrs.field(converter=_month)
    settle_in: str = attrs.field(converter=_month)
    amount: Money
    reason: str


@attrs.frozen(kw_only=True)
class PurchaseLine:
    """One purchase on the wholesale statement: energy × price = amount (rounded once)."""

    purchase_id: str
    channel: str
    band: str
    energy_kwh: Decimal
    yuan_per_kwh: Decimal
    amount: Money


@attrs.frozen(kw_only=True)
class WholesaleStatement:
    """The trading centre's monthly statement of one retailer."""

    retailer_id: str
    month: str
    purchases: tuple[PurchaseLine, ...]
    contract_kwh: Decimal
    contract_cost: Money
    actual_kwh: Decimal
    deviation: DeviationFee
    average_yuan_per_kwh: Decimal


@attrs.frozen(kw_only=True)
class UserSettlement:
    """One user's month: retail revenue from its package, its allocated costs and its margin.

    ``margin = revenue + deviation_passed_on − wholesale_cost − deviation_share − refund
    + adjustments``.
    """

    customer_id: str
    contract_id: str
    package: str
    formula: str
    capped: bool
    energy_kwh: Decimal
    allocated_kwh: Decimal
    revenue: Money
    wholesale_cost: Money
    deviation_share: Money
    deviation_passed_on: Money
    refund: Money
    adjustments: Money
    margin: Money


def settlement_id(retailer_id: str, month: str) -> str:
    """Return the key of a retailer's settlement of ``month``: ``R/2025-07``."""
    return f"{retailer_id}/{month}"


class SettlementDoesNotReconcile(RuleViolation):
    """A settlement whose parts do not add up (a bug, or stored data changed by hand)."""

    def __init__(self, settlement: str, what: str) -> None:
        self.settlement = settlement
        self.what = what
        super().__init__(settlement, what)

    def __str__(self) -> str:
        return f"settlement {self.settlement} does not reconcile: {self.what}"


@attrs.frozen(kw_only=True)
class MonthSettlement:
    """A retailer's settled month: the wholesale statement, every user, the portfolio totals.

    Raises:
        SettlementDoesNotReconcile: allocated energy ≠ purchased energy, allocated cost ≠
            contract cost, deviation shares ≠ the fee, or user margins ≠ the margin.
    """

    settlement_id: str
    retailer_id: str
    month: str
    wholesale: WholesaleStatement
    users: tuple[UserSettlement, ...]
    revenue: Money
    deviation_passed_on: Money
    refunds: Money
    adjustments: Money
    margin: Money

    def __attrs_post_init__(self) -> None:
        checks = (
            (
                sum((u.allocated_kwh for u in self.users), _ZERO),
                self.wholesale.contract_kwh,
                "allocated energy",
            ),
            (
                sum_money(u.wholesale_cost for u in self.users),
                self.wholesale.contract_cost,
                "allocated cost",
            ),
            (
                sum_money(u.deviation_share for u in self.users),
                self.wholesale.deviation.amount,
                "deviation shares",
            ),
            (sum_money(u.margin for u in self.users), self.margin, "user margins"),
            (sum_money(u.revenue for u in self.users), self.revenue, "revenue"),
            (sum_money(u.refund for u in self.users), self.refunds, "refunds"),
            (sum_money(u.adjustments for u in self.users), self.adjustments, "adjustments"),
        )
        for parts, whole, what in checks:
            if parts != whole:
                raise SettlementDoesNotReconcile(self.settlement_id, f"{what} {parts} ≠ {whole}")
        expected = (
            self.revenue
            + self.deviation_passed_on
            - self.wholesale.contract_cost
            - self.wholesale.deviation.amount
            - self.refunds
            + self.adjustments
        )
        if expected != self.margin:
            raise SettlementDoesNotReconcile(self.settlement_id, f"margin {self.margin}")


def _deviation_shares(
    fee: DeviationFee, users: Sequence[UserMonth], allocated: Sequence[Decimal]
) -> tuple[Money, ...]:
    """Share the fee by each user's own deviation in the retailer's direction."""
    if fee.amount.is_zero():
        return tuple(_NO_MONEY for _ in users)
    sign = 1 if fee.side is Side.OVER else -1
    weights = [
        max(_ZERO, sign * (user.total_kwh - kwh))
        for user, kwh in zip(users, allocated, strict=True)
    ]
    # The users' allocations add up to the contract energy, so when the retailer deviated one
    # way at least one user deviated that way too: the weights never all vanish.
    return allocate(fee.amount, weights)


def _check_inputs(
    retailer_id: str,
    key: str,
    purchased_kwh: Decimal,
    *,
    allocation: EnergyAllocation,
    users: Sequence[UserMonth],
    adjustments: Sequence[SettlementAdjustment],
) -> None:
    if allocation.month != key or allocation.retailer_id != retailer_id:
        raise InvalidInput("allocation", allocation.allocation_id, f"{retailer_id}'s {key}")
    if allocation.energy_kwh != purchased_kwh:
        raise InvalidInput(
            "allocation.energy_kwh",
            str(allocation.energy_kwh),
            f"the purchased energy {purchased_kwh} kWh",
        )
    if not users:
        raise InvalidInput("users", [], "at least one user")
    seen: set[str] = set()
    for user in users:
        if user.retailer_id != retailer_id or user.month != key:
            raise InvalidInput("users", user.user_month_id, f"a user month of {retailer_id} {key}")
        if user.customer_id in seen:
            raise InvalidInput("users", user.customer_id, "each user once")
        seen.add(user.customer_id)
    for row in allocation.shares:
        if row.customer_id not in seen:
            raise InvalidInput(
                "allocation.shares", row.customer_id, "a share of a user settled this month"
            )
    for adjustment in adjustments:
        if adjustment.retailer_id != retailer_id or adjustment.settle_in != key:
            raise InvalidInput(
                "adjustments", adjustment.adjustment_id, f"an adjustment settled in {key}"
            )
        if adjustment.customer_id not in seen:
            raise InvalidInput(
                "adjustments", adjustment.adjustment_id, "an adjustment of a user settled now"
            )


def settle_month(
    *,
    retailer_id: str,
    month: str,
    purchases: Sequence[Purchase],
    allocation: EnergyAllocation,
    users: Sequence[UserMonth],
    packages: Mapping[str, RetailPackage],
    reference_prices: Mapping[str, Decimal],
    deviation_rule: DeviationRule,
    deviation_prices: Mapping[str, Decimal],
    adjustments: Sequence[SettlementAdjustment] = (),
    rounding: Rounding | None = None,
) -> MonthSettlement:
    """Return the settlement of ``month`` for ``retailer_id``.

    The allocation shares the purchased energy; each user's wholesale cost is the contract cost
    shared by its allocated energy (largest remainder, to the fen); the deviation fee is that of
    the users' total actual energy against the purchased energy, shared by each user's own
    deviation in the same direction. The fee is assessed on the month's energy, the TOU bands
    summed: the monthly deviation rules (2 %, 3 %, +8 %/−4 % of contract energy) measure the
    month, not a band; each purchase keeps its own band and price in the contract cost, and each
    user's bands keep their own prices in its revenue. A user's revenue is its package's energy
    charge, each band rounded once (as on its bill); spread-sharing packages use the month's
    average purchase price.

    Raises:
        InvalidInput: an allocation of another month or energy than the purchases, a user of
            another retailer or month, a user twice, a user without an allocation share row, an
            adjustment of another retailer or cycle.
        NotFound: a user's package is not in ``packages`` or has no version in force.
        ReferencePriceMissing: a package's reference price of the month is not published.
        DeviationPriceMissing: the deviated side's price is not in ``deviation_prices``.
    """
    money = rounding or Rounding()
    first = as_month(month)
    key = month_text(first)
    held = position(purchases, first, rounding=money)
    _check_inputs(
        retailer_id,
        key,
        held.energy_kwh,
        allocation=allocation,
        users=users,
        adjustments=adjustments,
    )
    actual = sum((user.total_kwh for user in users), _ZERO)
    fee = assess_deviation(
        deviation_rule,
        contract_kwh=held.energy_kwh,
        actual_kwh=actual,
        prices=deviation_prices,
        rounding=money,
    )
    by_customer = {share.customer_id: share.kwh for share in allocation.shares}
    allocated = [by_customer.get(user.customer_id, _ZERO) for user in users]
    # Nothing allocated means nothing purchased, so nothing to pay.
    costs = allocate(held.cost, allocated) if any(allocated) else tuple(_NO_MONEY for _ in users)
    shares = _deviation_shares(fee, users, allocated)
    average = held.average_yuan_per_kwh
    adjusted_by: dict[str, list[Money]] = {}
    for adjustment in adjustments:
        adjusted_by.setdefault(adjustment.customer_id, []).append(adjustment.amount)
    settled = []
    for user, kwh, cost, share in zip(users, allocated, costs, shares, strict=True):
        package = packages.get(user.package_code)
        if package is None:
            raise InvalidInput("packages", user.package_code, f"the package of {user.customer_id}")
        version = package.version_on(first)
        priced = price_month(
            version,
            package.code,
            first,
            reference_prices=reference_prices,
            wholesale_yuan_per_kwh=average,
        )
        pricing = energy_pricing(priced, user.energy_kwh)
        revenue = sum_money(
            money.to_money(user.energy_kwh[band] * pricing.prices[band]) for band in user.energy_kwh
        )
        refund = _NO_MONEY
        if version.excess_profit is not None:
            refund = money.to_money(
                version.excess_profit.refund_of(revenue.amount, cost.amount, user.total_kwh)
            )
        passed = share if user.deviation_fee_passed_on else _NO_MONEY
        adjusted = sum_money(adjusted_by.get(user.customer_id, ()))
        settled.append(
            UserSettlement(
                customer_id=user.customer_id,
                contract_id=user.contract_id,
                package=priced.names,
                formula=pricing.explanation,
                capped=pricing.capped,
                energy_kwh=user.total_kwh,
                allocated_kwh=kwh,
                revenue=revenue,
                wholesale_cost=cost,
                deviation_share=share,
                deviation_passed_on=passed,
                refund=refund,
                adjustments=adjusted,
                margin=revenue + passed - cost - share - refund + adjusted,
            )
        )
    statement = WholesaleStatement(
        retailer_id=retailer_id,
        month=key,
        purchases=tuple(
            PurchaseLine(
                purchase_id=p.purchase_id,
                channel=p.channel.value,
                band=p.band,
                energy_kwh=p.energy_kwh,
                yuan_per_kwh=p.yuan_per_kwh,
                amount=held.costs[p.purchase_id],
            )
            for p in purchases
            if p.month == key
        ),
        contract_kwh=held.energy_kwh,
        contract_cost=held.cost,
        actual_kwh=actual,
        deviation=fee,
        average_yuan_per_kwh=average,
    )
    return MonthSettlement(
        settlement_id=settlement_id(retailer_id, key),
        retailer_id=retailer_id,
        month=key,
        wholesale=statement,
        users=tuple(settled),
        revenue=sum_money(u.revenue for u in settled),
        deviation_passed_on=sum_money(u.deviation_passed_on for u in settled),
        refunds=sum_money(u.refund for u in settled),
        adjustments=sum_money(u.adjustments for u in settled),
        margin=sum_money(u.margin for u in settled),
    )


def adjustments_between(
    earlier: MonthSettlement, corrected: MonthSettlement, *, settle_in: str, reason: str
) -> tuple[SettlementAdjustment, ...]:
    """Return the adjustments (退补) bringing ``earlier`` to ``corrected``, paid in ``settle_in``.

    One per user whose margin changed: the difference, to flow through the ``settle_in`` cycle.

    Raises:
        InvalidInput: the two are not the same retailer's same month, ``settle_in`` is not after
            it, or ``reason`` is blank.
    """
    if (earlier.retailer_id, earlier.month) != (corrected.retailer_id, corrected.month):
        raise InvalidInput("corrected", corrected.settlement_id, earlier.settlement_id)
    cycle = month_text(as_month(settle_in))
    if cycle <= earlier.month:
        raise InvalidInput("settle_in", cycle, f"a month after {earlier.month}")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("reason", reason, "why the month is adjusted")
    before = {u.customer_id: u.margin for u in earlier.users}
    after = {u.customer_id: u.margin for u in corrected.users}
    result = []
    for customer in sorted(set(before) | set(after)):
        delta = after.get(customer, _NO_MONEY) - before.get(customer, _NO_MONEY)
        if not delta.is_zero():
            result.append(
                SettlementAdjustment(
                    adjustment_id=f"{earlier.settlement_id}/{customer}/{cycle}",
                    retailer_id=earlier.retailer_id,
                    customer_id=customer,
                    of_month=earlier.month,
                    settle_in=cycle,
                    amount=delta,
                    reason=reason,
                )
            )
    return tuple(result)
