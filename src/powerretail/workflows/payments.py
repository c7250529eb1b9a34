"""Post payments (once per key, allocated oldest first) and assess an account's late fees.

:func:`post_payment` is a money-moving command: it runs once per idempotency key (the gateway's
transaction id), allocates the payment over the account's open items by the allocation policy
(:func:`~powerretail.collections.allocation.allocate_payment`, oldest first), keeps what is left
as account credit (R10), stores the :class:`~powerretail.repositories.payments.Payment` and
announces ``PaymentPosted`` — all in one unit of work.

:func:`assess_account_late_fees` computes the late fees (电费违约金) of an account's issued bills
through a day, replaying its stored payments (:mod:`powerretail.collections.late_fees`);
:func:`charge_late_fees` charges what is assessed and not charged yet as late-fee open items.
"""

from __future__ import annotations

from datetime import date, timedelta

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
from powerretail.ids import AccountId, PaymentId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLING_PROFILES, BILLS
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES, Payment, Receivable
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.workflows._common import event
from powerretail.workflows.ledger import post_late_fee, post_payment_entries

__all__ = [
    "LATE_FEE_CHARGED",
    "PaymentReceipt",
    "account_balance",
    "assess_account_late_fees",
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
    receivables = uow.repository(RECEIVABLES)
    receivable, version = receivables.get(AccountId(account_id))
    changed, allocation = receivable.receive(amount, paid_on=received_on, order=order)
    receivables.save(changed, version)
    payment = Payment(
        payment_id=payment_id,
        account_id=AccountId(account_id),
        amount=amount,
        received_on=received_on,
        order=order,
        allocations=allocation.allocations,
        credit=allocation.credit,
    )
    uow.repository(PAYMENTS).add(payment)
    post_payment_entries(uow, payment, at=clock.now(), into=into)
    result: dict[str, JsonValue] = {
        "payment_id": payment_id,
        "account_id": account_id,
        "applied": str(allocation.applied.amount),
        "credit": str(allocation.credit.amount),
        "balance": str(changed.balance.amount),
        "currency": amount.currency,
    }
    uow.outbox.append(
        event(
            command="post_payment",
            key=key,
            kind=RECEIVABLES.kind,
            aggregate_id=account_id,
            event_type="PaymentPosted",
            payload={**result, "amount": str(amount.amount), "received_on": str(received_on)},
            at=clock.now(),
        )
    )
    return result


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
    late_bills = [
        LateFeeBill(
            bill_id=bill.bill_id,
            principal=bill.total,
            customer_kind=profile.customer_kind,
            due_date=bill.issued_on + timedelta(days=profile.due_days),
            period_end=bill.period.last_day,
        )
        for bill in bills
        if bill.issued_on is not None
    ]
    late_payments = [
        LateFeePayment(
            payment_id=p.payment_id, paid_on=p.received_on, amount=p.amount, allocation=p.order
        )
        for p in payments
    ]
    return assess_late_fees(late_bills, late_payments, through=through, policy=policy)


#: The event that records a late fee charged to the receivable (on the bill's event stream).
LATE_FEE_CHARGED = "LateFeeCharged"


def _charged_before(uow: UnitOfWork, bill_id: str, currency: str) -> Money:
    """Return the late fee already charged for ``bill_id``: the sum of its charge events."""
    total = Money.zero(currency)
    for stored in uow.outbox.events_for(BILLS.kind, bill_id):
        if stored.event_type == LATE_FEE_CHARGED:
            total += Money(str(stored.payload["amount"]), currency)
    return total


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
            uow.outbox.append(
                event(
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
