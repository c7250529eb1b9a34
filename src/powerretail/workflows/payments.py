"""Post payments (once per key, allocated oldest first) and assess an account's late fees.

:func:`post_payment` is a money-moving command: it runs once per idempotency key (the gateway's
transaction id), allocates the payment over the account's open items by the allocation policy
(:func:`~powerretail.collections.allocation.allocate_payment`, oldest first), keeps what is left
as account credit (R10), stores the :class:`~powerretail.repositories.payments.Payment` and
announces ``PaymentPosted`` — all in one unit of work. When the payment clears what a stopped
account owes, the restore order is issued in the same unit, its clock started by the payment
(:func:`~powerretail.workflows.dunning.restore_after_payment`).

:func:`assess_account_late_fees` computes the late fees (电费违约金) of an account's issued bills
through a day, replaying its stored payments (:mod:`powerretail.collections.late_fees`); a bill
under a payment plan is assessed instalment by instalment, each from its own deadline
(:func:`~powerretail.collections.payment_plans.instalment_late_fee_bills`);
:func:`charge_late_fees` charges what is assessed and not charged yet as late-fee open items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta

import attrs

from powerretail.billing.bill import BillKind, BillState
from powerretail.collections.allocation import AllocationOrder, ItemKind
from powerretail.collections.late_fees import (
    LateFeeAssessment,
    LateFeeBill,
    LateFeePayment,
    LateFeePolicy,
    assess_late_fees,
)
from powerretail.collections.ledger import BANK
from powerretail.collections.payment_plans import PaymentPlan, instalment_late_fee_bills
from powerretail.ids import AccountId, PaymentId
from powerretail.quantities import Money, sum_money
from powerretail.repositories.billing import BILLING_PROFILES, BILLS
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.collections import PAYMENT_PLANS
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES, Payment, Receivable
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.workflows._common import announce
from powerretail.workflows.dunning import restore_after_payment
from powerretail.workflows.ledger import post_late_fee, post_payment_entries

__all__ = [
    "LATE_FEE_CHARGED",
    "PaymentReceipt",
    "account_balance",
    "assess_account_late_fees",
    "book_receipt",
    "charge_late_fee_until",
    "charge_late_fees",
    "post_payment",
    "receive_payment",
]


@attrs.frozen(kw_only=True)
class PaymentReceipt:
    """What a posted payment did: how much settled open items, the credit left, the balance."""

    payment_id: str
    account_id: str
    applied: Money
    credit: Money
    balance: Money
    #: The restore orders the payment issued (it cleared a stopped account's arrears).
    restore_orders: tuple[str, ...] = ()


def post_payment(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    amount: Money,
    received_on: date,
    order: AllocationOrder = AllocationOrder.PRINCIPAL_FIRST,
    into: str = BANK,
) -> PaymentReceipt:
    """Post ``amount`` paid on ``received_on`` to ``account_id``, once for ``key``.

    The payment is stored as ``P-{key}``. A retry with the same key and payment returns the
    first receipt and posts nothing; the same key with another payment raises
    :class:`~powerretail.errors.IdempotencyConflict`. The ledger gets the payment received
    ``into`` the bank (or cash, :data:`~powerretail.collections.ledger.CASH`, for a
    collector's takings) and its allocation.

    Raises:
        IdempotencyConflict: ``key`` was used for another payment.
        CommandRefused: the amount is not above zero (the refusal is stored under ``key``).
        NotFound: the account is unknown (nothing is stored; a retry may succeed).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        return receive_payment(
            uow,
            clock=clock,
            key=key,
            account_id=account_id,
            amount=amount,
            received_on=received_on,
            order=order,
            into=into,
        )

    result = run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="post_payment",
        payload={
            "account_id": account_id,
            "amount": str(amount.amount),
            "currency": amount.currency,
            "received_on": received_on.isoformat(),
            "order": order.value,
        }
        | ({} if into == BANK else {"into": into}),
        action=action,
    )
    currency = str(result["currency"])
    return PaymentReceipt(
        payment_id=str(result["payment_id"]),
        account_id=str(result["account_id"]),
        applied=Money(str(result["applied"]), currency),
        credit=Money(str(result["credit"]), currency),
        balance=Money(str(result["balance"]), currency),
        restore_orders=tuple(str(o) for o in result.get("restore_orders", [])),  # type: ignore[union-attr]
    )


def receive_payment(
    uow: UnitOfWork,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    amount: Money,
    received_on: date,
    order: AllocationOrder = AllocationOrder.PRINCIPAL_FIRST,
    into: str = BANK,
) -> dict[str, JsonValue]:
    """Do :func:`post_payment`'s work in ``uow`` (no idempotency record, no commit).

    For a command that receives a payment as part of its own unit of work (a collector's
    receipt). The payment is stored as ``P-{key}``.
    """
    payment_id = PaymentId(f"P-{key}")
    at = clock.now()
    receivables = uow.repository(RECEIVABLES)
    receivable, version = receivables.get(AccountId(account_id))
    changed, allocation = receivable.receive(amount, paid_on=received_on, order=order)
    payment = Payment(
        payment_id=payment_id,
        account_id=AccountId(account_id),
        amount=amount,
        received_on=received_on,
        order=order,
        allocations=allocation.allocations,
        credit=allocation.credit,
    )
    restores = book_receipt(
        uow,
        payment,
        settled=changed,
        version=version,
        key=key,
        at=at,
        post=lambda: post_payment_entries(uow, payment, at=at, into=into),
    )
    result: dict[str, JsonValue] = {
        "payment_id": payment_id,
        "account_id": account_id,
        "applied": str(allocation.applied.amount),
        "credit": str(allocation.credit.amount),
        "balance": str(changed.balance.amount),
        "currency": amount.currency,
    }
    if restores:
        result["restore_orders"] = list(restores)
    announce(
        uow,
        command="post_payment",
        key=key,
        kind=RECEIVABLES.kind,
        aggregate_id=account_id,
        event_type="PaymentPosted",
        payload={**result, "amount": str(amount.amount), "received_on": str(received_on)},
        at=at,
    )
    return result


def book_receipt(
    uow: UnitOfWork,
    payment: Payment,
    *,
    settled: Receivable,
    version: int,
    key: str,
    at: datetime,
    post: Callable[[], None],
) -> tuple[str, ...]:
    """Store ``payment`` and the receivable it ``settled``, ``post`` it, restore what it cleared.

    The one path of money that settles open items (a payment received, a deposit applied): the
    receivable (at ``version``) and the payment are stored, ``post`` writes the ledger entries,
    and :func:`~powerretail.workflows.dunning.restore_after_payment` issues the restore order of
    a stopped account whose arrears are now cleared, its clock started at ``at`` and audited by
    the same system step. Returns the restore orders issued.
    """
    uow.repository(RECEIVABLES).save(settled, version)
    uow.repository(PAYMENTS).add(payment)
    post()
    return restore_after_payment(uow, account_id=payment.account_id, at=at, key=key)


def account_balance(make_unit_of_work: UnitOfWorkFactory, *, account_id: str) -> Receivable:
    """Return the receivable of ``account_id``: open items, credit, deposit and totals.

    Raises:
        NotFound: no such account.
    """
    with make_unit_of_work() as uow:
        return uow.repository(RECEIVABLES).get(AccountId(account_id)).entity


def assess_account_late_fees(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    account_id: str,
    through: date,
    policy: LateFeePolicy | None = None,
) -> LateFeeAssessment | None:
    """Return the late fees of ``account_id``'s issued bills through ``through`` (or ``None``).

    Each issued bill or rebill with a positive total is due ``due_days`` (the billing profile)
    after its issue; the account's stored payments up to ``through`` are replayed against them.
    Nothing is stored: :func:`charge_late_fees` charges them to the receivable.

    Raises:
        NotFound: no such account.

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第98条 (through
    :func:`~powerretail.collections.late_fees.assess_late_fees`).
    """
    with make_unit_of_work() as uow:
        return _assess(uow, account_id=account_id, through=through, policy=policy)


def _assess(
    uow: UnitOfWork, *, account_id: str, through: date, policy: LateFeePolicy | None
) -> LateFeeAssessment | None:
    profile = uow.repository(BILLING_PROFILES).get(AccountId(account_id)).entity
    bills = [
        stored.entity
        for stored in uow.repository(BILLS).query(account_id=account_id, state=BillState.ISSUED)
        if stored.entity.kind is not BillKind.CREDIT_NOTE
        and stored.entity.total.amount > 0
        and stored.entity.issued_on is not None
    ]
    payments = [
        stored.entity
        for stored in uow.repository(PAYMENTS).query(account_id=account_id)
        if stored.entity.received_on <= through
    ]
    if not bills:
        return None
    plans = {
        stored.entity.bill_id: stored.entity.plan
        for stored in uow.repository(PAYMENT_PLANS).query(account_id=account_id)
    }
    late_bills = [
        LateFeeBill(
            bill_id=bill.bill_id,
            principal=bill.total,
            customer_kind=profile.customer_kind,
            due_date=bill.issued_on + timedelta(days=profile.due_days),
            period_end=bill.period.last_day,
        )
        for bill in bills
        if bill.issued_on is not None and bill.bill_id not in plans
    ]
    late_payments = [paid for p in payments if (paid := _without_plans(p, plans)) is not None]
    parts = (
        [assess_late_fees(late_bills, late_payments, through=through, policy=policy)]
        if late_bills
        else []
    )
    for bill in bills:
        plan = plans.get(bill.bill_id)
        if plan is None:
            continue
        instalments = instalment_late_fee_bills(
            plan, customer_kind=profile.customer_kind, period_end=bill.period.last_day
        )
        under = [paid for p in payments if (paid := _under_plan(p, plan)) is not None]
        parts.append(assess_late_fees(instalments, under, through=through, policy=policy))
    first, *others = parts  # every bill is assessed, alone or by its plan's instalments
    return attrs.evolve(
        first,
        bills=first.bills + tuple(b for other in others for b in other.bills),
        allocations=first.allocations + tuple(a for other in others for a in other.allocations),
    )


def _without_plans(payment: Payment, plans: Mapping[str, PaymentPlan]) -> LateFeePayment | None:
    """Return what of ``payment`` the other bills' replay sees (None: all of it went to plans)."""
    to_plans = sum_money(
        (p.amount for p in payment.allocations if p.bill_id.split("/", 1)[0] in plans),
        payment.amount.currency,
    )
    rest = payment.amount - to_plans
    if rest.amount <= 0:
        return None
    return LateFeePayment(
        payment_id=payment.payment_id,
        paid_on=payment.received_on,
        amount=rest,
        allocation=payment.order,
    )


def _under_plan(payment: Payment, plan: PaymentPlan) -> LateFeePayment | None:
    """Return what of ``payment`` (posted after the grant) settled the plan's bill, or None."""
    if payment.payment_id in plan.known_payments:
        return None
    paid = sum_money(
        (
            p.amount
            for p in payment.allocations
            if p.bill_id == plan.bill_id and p.kind is ItemKind.PRINCIPAL
        ),
        payment.amount.currency,
    )
    if paid.is_zero():
        return None
    return LateFeePayment(payment_id=payment.payment_id, paid_on=payment.received_on, amount=paid)


#: The event that records a late fee charged to the receivable (on the bill's event stream).
LATE_FEE_CHARGED = "LateFeeCharged"


def _charged_before(uow: UnitOfWork, bill_id: str, currency: str) -> Money:
    """Return the late fee already charged for ``bill_id``: the sum of its charge events."""
    total = Money.zero(currency)
    for stored in uow.outbox.events_for(BILLS.kind, bill_id):
        if stored.event_type == LATE_FEE_CHARGED:
            total += Money(str(stored.payload["amount"]), currency)
    return total


def charge_late_fee_until(
    uow: UnitOfWork,
    *,
    account_id: str,
    bill_id: str,
    through: date,
    key: str,
    at: datetime,
    policy: LateFeePolicy | None = None,
) -> Money:
    """Charge in ``uow`` the late fee ``bill_id`` accrued through ``through`` and not yet charged.

    What a payment plan's grant does before the plan takes over the bill's deadline: the late
    fee accrued so far stays owed. Returns what was charged (zero without a billing profile,
    without the bill among the issued ones, or with nothing new accrued).
    """
    receivables = uow.repository(RECEIVABLES)
    receivable, version = receivables.get(AccountId(account_id))
    zero = Money.zero(receivable.credit.currency)
    if uow.repository(BILLING_PROFILES).find(AccountId(account_id)) is None:
        return zero
    assessment = _assess(uow, account_id=account_id, through=through, policy=policy)
    fee = next((b for b in assessment.bills if b.bill_id == bill_id), None) if assessment else None
    if fee is None:
        return zero
    due = fee.amount - _charged_before(uow, bill_id, zero.currency)
    if due.amount <= 0:
        return zero
    charged = receivable.charge(bill_id, due, dated=through, kind=ItemKind.LATE_FEE)
    receivables.save(charged, version)
    post_late_fee(
        uow, key=key, bill_id=bill_id, before=receivable, after=charged, at=at, dated=through
    )
    announce(
        uow,
        command="charge_late_fees",
        key=f"{key}/{bill_id}",
        kind=BILLS.kind,
        aggregate_id=bill_id,
        event_type=LATE_FEE_CHARGED,
        payload={
            "account_id": account_id,
            "bill_id": bill_id,
            "amount": str(due.amount),
            "assessed": str(fee.amount.amount),
            "as_of": through.isoformat(),
        },
        at=at,
    )
    return due


def charge_late_fees(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    account_id: str,
    as_of: date,
    policy: LateFeePolicy | None = None,
) -> dict[str, JsonValue]:
    """Charge each overdue bill's assessed, not yet charged late fee as an open item.

    Runs once per account and day (key ``late-fees/{account}/{as_of}``). The late fee of each
    issued bill through ``as_of`` (:func:`assess_account_late_fees`) less what earlier runs
    charged for it (its ``LateFeeCharged`` events) is charged to the receivable as a late-fee
    item dated ``as_of`` — which :func:`post_payment` settles by its allocation order (penalty
    last by default) — and announced with ``LateFeeCharged``, all in one unit of work, so the
    receivable keeps reconciling (R20). Nothing is charged back when a later assessment is
    lower. Returns ``{account_id, as_of, charged: {bill_id: amount}, total}``.

    Raises:
        NotFound: no such account (nothing is stored; a retry may succeed).

    Source: 《供电营业规则》(1996, 电力工业部令第8号) 第98条.
    """
    key = f"late-fees/{account_id}/{as_of.isoformat()}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        receivables = uow.repository(RECEIVABLES)
        receivable, version = receivables.get(AccountId(account_id))
        assessment = _assess(uow, account_id=account_id, through=as_of, policy=policy)
        currency = receivable.credit.currency
        total = Money.zero(currency)
        charged: dict[str, JsonValue] = {}
        at = clock.now()
        for fee in assessment.bills if assessment is not None else ():
            due = fee.amount - _charged_before(uow, fee.bill_id, currency)
            if due.amount <= 0:
                continue
            before, receivable = (
                receivable,
                receivable.charge(fee.bill_id, due, dated=as_of, kind=ItemKind.LATE_FEE),
            )
            post_late_fee(
                uow,
                key=key,
                bill_id=fee.bill_id,
                before=before,
                after=receivable,
                at=at,
                dated=as_of,
            )
            charged[fee.bill_id] = str(due.amount)
            total += due
            announce(
                uow,
                command="charge_late_fees",
                key=f"{key}/{fee.bill_id}",
                kind=BILLS.kind,
                aggregate_id=fee.bill_id,
                event_type=LATE_FEE_CHARGED,
                payload={
                    "account_id": account_id,
                    "bill_id": fee.bill_id,
                    "amount": str(due.amount),
                    "assessed": str(fee.amount.amount),
                    "as_of": as_of.isoformat(),
                },
                at=at,
            )
        if charged:
            receivables.save(receivable, version)
        return {
            "account_id": account_id,
            "as_of": as_of.isoformat(),
            "charged": charged,
            "total": str(total.amount),
        }

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="charge_late_fees",
        payload={"account_id": account_id, "as_of": as_of.isoformat()},
        action=action,
    )
