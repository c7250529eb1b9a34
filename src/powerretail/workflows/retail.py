"""The retail company's month at the edge: publish packages and prices, record data, settle.

* :func:`publish_package` stores a package file as a new revision (the same text again is a no-op);
* :func:`load_reference_prices` stores the month's published price of each series, one unit of
  work per series — a run stopped half-way is finished by running it again, and a price already
  stored is kept (the same price) or refused (another one: :class:`ReferencePriceConflict`);
* :func:`record_month` stores a retailer's purchases, users' metered months, the market month
  and the allocation (a changed allocation must be a re-allocation, with its reason);
* :func:`settle_retail_month` settles one retailer's month under the idempotency key
  ``{retailer}/{month}`` of command ``settle_retail_month``: the actor needs
  :data:`~powerretail.access.SETTLE_RETAIL_MONTH`; it reads everything from the store, settles
  (:func:`~powerretail.retail.settlement.settle_month`), stores the settlement with its
  ``RetailMonthSettled`` event and the grant's audit record, and returns it; run again it
  returns the stored settlement. A refused permission stores its audit record and nothing else.
  A refusal by the data (a reference price not yet published, an allocation that does not match
  the purchases) is not recorded: fix the data and run it again.
* :func:`settle_retail_cycle` settles every retailer with a market month stored, one by one,
  so a crash loses at most the retailer in progress (like the billing cycle).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TypeVar

import attrs

from powerretail.access import SETTLE_RETAIL_MONTH, AccessPolicy, Actor, PermissionDenied
from powerretail.errors import InvalidInput, PowerRetailError, RuleViolation
from powerretail.repositories.aggregates import Aggregate
from powerretail.repositories.audit import authorize_in, store_refusal
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.retail import (
    ALLOCATIONS,
    MARKET_MONTHS,
    PACKAGE_DOCUMENTS,
    PURCHASES,
    REFERENCE_PRICES,
    RETAIL_SETTLEMENTS,
    SETTLEMENT_ADJUSTMENTS,
    USER_MONTHS,
    MarketMonth,
    PackageDocument,
    StoredReferencePrice,
    latest_package,
    reference_prices_of,
)
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.retail.allocation import EnergyAllocation, allocation_id
from powerretail.retail.deviation import DEVIATION_RULE_SETS
from powerretail.retail.procurement import Purchase
from powerretail.retail.reference_prices import ReferenceSeries, as_month, month_text
from powerretail.retail.settlement import (
    MonthSettlement,
    SettlementAdjustment,
    UserMonth,
    settle_month,
    settlement_id,
)
from powerretail.workflows._common import announce

__all__ = [
    "COMMAND",
    "CycleOutcome",
    "ReferencePriceConflict",
    "load_reference_prices",
    "publish_package",
    "record_month",
    "settle_retail_cycle",
    "settle_retail_month",
]

K = TypeVar("K", bound=str)
E = TypeVar("E")

#: The command name of a retail month's settlement (its idempotency records are scoped by it).
COMMAND = "settle_retail_month"


class ReferencePriceConflict(RuleViolation):
    """Series ``series`` already has ``stored`` for ``month``; ``given`` is another price."""

    def __init__(self, series: str, month: str, stored: str, given: str) -> None:
        self.series = series
        self.month = month
        self.stored = stored
        self.given = given
        super().__init__(series, month, stored, given)

    def __str__(self) -> str:
        return (
            f"reference price series {self.series!r} already has {self.stored} 元/kWh for "
            f"{self.month}, not {self.given}: a revised price is settled as an adjustment"
        )


def publish_package(make_unit_of_work: UnitOfWorkFactory, *, text: str) -> PackageDocument:
    """Store package file ``text`` as its next revision and return it (or the same revision).

    Raises:
        InvalidInput: the text is not a valid package file.
    """
    with make_unit_of_work() as uow:
        documents = uow.repository(PACKAGE_DOCUMENTS)
        first = PackageDocument.of_text(text)
        stored = documents.query(code=first.code)
        if stored:
            latest = max((s.entity for s in stored), key=lambda d: d.revision)
            if latest.text == text:
                return latest
            document = PackageDocument.of_text(text, latest.revision + 1)
        else:
            document = first
        documents.add(document)
        uow.commit()
        return document


def load_reference_prices(
    make_unit_of_work: UnitOfWorkFactory, *, series: Sequence[ReferenceSeries], month: str
) -> tuple[StoredReferencePrice, ...]:
    """Store ``month``'s price of each of ``series`` (one unit of work each) and return them.

    Raises:
        ReferencePriceMissing: a series has not published the month (the earlier ones stay).
        ReferencePriceConflict: a series' month is stored with another price.
    """
    first = as_month(month)
    stored = []
    for one in series:
        price = StoredReferencePrice.of(one, one.price_for(first))
        with make_unit_of_work() as uow:
            prices = uow.repository(REFERENCE_PRICES)
            found = prices.find(price.price_id)
            if found is not None:
                if found.entity.yuan_per_kwh != price.yuan_per_kwh:
                    raise ReferencePriceConflict(
                        one.code,
                        price.month,
                        str(found.entity.yuan_per_kwh),
                        str(price.yuan_per_kwh),
                    )
                stored.append(found.entity)
                continue
            prices.add(price)
            uow.commit()
            stored.append(price)
    return tuple(stored)


def _put(uow: UnitOfWork, aggregate: Aggregate[K, E], entity: E) -> None:
    repository = uow.repository(aggregate)
    key = aggregate.key_of(entity)
    found = repository.find(key)
    if found is None:
        repository.add(entity)
    elif found.entity != entity:
        repository.save(entity, found.version)


def record_month(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    purchases: Sequence[Purchase] = (),
    user_months: Sequence[UserMonth] = (),
    market_month: MarketMonth | None = None,
    allocation: EnergyAllocation | None = None,
    adjustments: Sequence[SettlementAdjustment] = (),
) -> None:
    """Store a month's data in one unit of work (what is stored unchanged is left alone).

    Raises:
        ChangeNotAllowed: a stored purchase or adjustment changed, or an allocation changed
            other than by :func:`~powerretail.retail.allocation.reallocate`.
        InvalidInput: a market month naming an unknown deviation rule.
    """
    if market_month is not None and market_month.deviation_rule not in DEVIATION_RULE_SETS:
        raise InvalidInput(
            "market_month.deviation_rule",
            market_month.deviation_rule,
            f"one of {', '.join(sorted(DEVIATION_RULE_SETS))}",
        )
    with make_unit_of_work() as uow:
        for purchase in purchases:
            _put(uow, PURCHASES, purchase)
        for user in user_months:
            _put(uow, USER_MONTHS, user)
        if market_month is not None:
            _put(uow, MARKET_MONTHS, market_month)
        if allocation is not None:
            _put(uow, ALLOCATIONS, allocation)
        for adjustment in adjustments:
            _put(uow, SETTLEMENT_ADJUSTMENTS, adjustment)
        uow.commit()


def _settle(
    uow: UnitOfWork, retailer_id: str, month: str, key: str, at: _dt.datetime
) -> MonthSettlement:
    settlements = uow.repository(RETAIL_SETTLEMENTS)
    found = settlements.find(settlement_id(retailer_id, month))
    if found is not None:
        return found.entity
    market = uow.repository(MARKET_MONTHS).get(f"{retailer_id}/{month}").entity
    allocation = uow.repository(ALLOCATIONS).get(allocation_id(retailer_id, month)).entity
    purchases = [
        s.entity for s in uow.repository(PURCHASES).query(retailer_id=retailer_id, month=month)
    ]
    users = [
        s.entity for s in uow.repository(USER_MONTHS).query(retailer_id=retailer_id, month=month)
    ]
    documents = uow.repository(PACKAGE_DOCUMENTS)
    packages = {
        code: latest_package(documents, code).package()
        for code in sorted({user.package_code for user in users})
    }
    adjustments = [
        s.entity
        for s in uow.repository(SETTLEMENT_ADJUSTMENTS).query(
            retailer_id=retailer_id, settle_in=month
        )
    ]
    settled = settle_month(
        retailer_id=retailer_id,
        month=month,
        purchases=purchases,
        allocation=allocation,
        users=users,
        packages=packages,
        reference_prices=reference_prices_of(uow.repository(REFERENCE_PRICES), month),
        deviation_rule=DEVIATION_RULE_SETS[market.deviation_rule],
        deviation_prices=market.deviation_prices,
        adjustments=adjustments,
    )
    settlements.add(settled)
    announce(
        uow,
        command=COMMAND,
        key=key,
        kind=RETAIL_SETTLEMENTS.kind,
        aggregate_id=settled.settlement_id,
        event_type="RetailMonthSettled",
        payload={
            "retailer_id": retailer_id,
            "month": month,
            "margin": str(settled.margin.amount),
        },
        at=at,
    )
    return settled


def settle_retail_month(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    retailer_id: str,
    month: str,
    clock: Clock,
    actor: Actor,
    policy: AccessPolicy,
) -> MonthSettlement:
    """Settle ``retailer_id``'s ``month`` from the store, once; return the settlement.

    ``actor`` is authorised for :data:`~powerretail.access.SETTLE_RETAIL_MONTH` under ``policy``
    before anything is read; the grant is stored in the audit log with the settlement. Run again,
    the stored settlement is returned (reading it back changes nothing and needs no grant).

    Raises:
        PermissionDenied: ``policy`` does not let ``actor`` settle the month (nothing is settled
            or recorded but the refusal's audit record).
        NotFound: no market month, allocation or package stored for it.
        ReferencePriceMissing: a package's reference price of the month is not stored.
        DeviationPriceMissing: the market month lacks the deviated side's price.
        InvalidInput: stored data that does not settle (an allocation of other energy than the
            purchases, a user without a share …).
    """
    key_month = month_text(as_month(month))
    key = f"{retailer_id}/{key_month}"
    at = clock.now()

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        authorize_in(
            uow,
            policy,
            actor,
            SETTLE_RETAIL_MONTH,
            subject=f"retail month {key}",
            at=at,
            why=f"monthly settlement of {key_month}",
        )
        settled = _settle(uow, retailer_id, key_month, key, at)
        return {"settlement_id": settled.settlement_id, "margin": str(settled.margin.amount)}

    try:
        result = run_idempotent(
            make_unit_of_work,
            clock=clock,
            key=key,
            command=COMMAND,
            payload=command_payload(retailer_id=retailer_id, month=key_month),
            action=action,
            unrecorded=(RuleViolation, InvalidInput),
        )
    except PermissionDenied as refused:
        store_refusal(make_unit_of_work, refused)
        raise
    with make_unit_of_work() as uow:
        return uow.repository(RETAIL_SETTLEMENTS).get(str(result["settlement_id"])).entity


@attrs.frozen(kw_only=True)
class CycleOutcome:
    """What a retail cycle did for one retailer: its settlement, or why it is not settled."""

    retailer_id: str
    settlement: MonthSettlement | None
    problem: str = ""


def settle_retail_cycle(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    month: str,
    clock: Clock,
    actor: Actor,
    policy: AccessPolicy,
) -> tuple[CycleOutcome, ...]:
    """Settle every retailer with a market month stored for ``month``, one by one, as ``actor``.

    A retailer that cannot be settled yet (or that ``actor`` may not settle: the refusal is
    audited) is reported with the reason and the others go on.
    """
    key_month = month_text(as_month(month))
    with make_unit_of_work() as uow:
        retailers = sorted(
            {s.entity.retailer_id for s in uow.repository(MARKET_MONTHS).query(month=key_month)}
        )
    outcomes = []
    for retailer in retailers:
        try:
            settled = settle_retail_month(
                make_unit_of_work,
                retailer_id=retailer,
                month=key_month,
                clock=clock,
                actor=actor,
                policy=policy,
            )
        except PowerRetailError as err:
            outcomes.append(CycleOutcome(retailer_id=retailer, settlement=None, problem=str(err)))
        else:
            outcomes.append(CycleOutcome(retailer_id=retailer, settlement=settled))
    return tuple(outcomes)
