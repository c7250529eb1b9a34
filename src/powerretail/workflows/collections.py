"""Collections commands: payment plans, theft stops, deposits, prepayment and bad-debt write-offs.

Each is a command run once per idempotency key (:func:`~powerretail.repositories.commands.
run_idempotent`): a retry returns the first answer, and a refusal by a business rule or by
:mod:`powerretail.access` is stored as the command's outcome, with the audit record of a refused
permission, changing nothing else.

* :func:`grant_payment_plan` — a key-account manager grants a flexible payment plan for one bill
  within the limit of their role (:data:`~powerretail.access.GRANT_FLEXIBLE_PAYMENT_PLAN`). The
  late fee that accrued on the bill until the grant is charged then: the plan spreads the
  arrears, it never waives any of them.
* :func:`stop_for_theft` — stop supply at once for discovered theft
  (:data:`~powerretail.access.STOP_SUPPLY`); paying the theft charges issues the restore order,
  due 24 hours later (:func:`~powerretail.workflows.dunning.restore_after_payment`).
* :func:`hold_deposit`, :func:`apply_deposit`, :func:`transfer_deposit`,
  :func:`refund_deposit` — a deposit (电费保证金) held only where the rule set in force or the
  contract allows one, applied to the final bill at move-out, moved to the new account at
  move-in, refunded.
* :func:`prepay` and :func:`check_prepayment` — money paid ahead (预存电费), drawn down by
  bills, and the low-balance alert.

Bad-debt write-offs are :func:`~powerretail.workflows.adjustments.write_off_receivable`: the
permission and the evidence the rules ask for (:mod:`powerretail.collections.write_off`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from datetime import date

import attrs

from powerretail.access import AccessPolicy, Actor
from powerretail.collections.allocation import OpenItem
from powerretail.collections.deposits import (
    MOVE_SOURCE,
    DepositMovement,
    MovementKind,
    deposit_basis,
)
from powerretail.collections.dunning import StopReason, open_case, stop_supply
from powerretail.collections.ledger import BANK
from powerretail.collections.payment_plans import grant_plan
from powerretail.collections.prepayment import (
    SEED_PREPAYMENT_POLICY,
    PrepaymentAlert,
    PrepaymentPolicy,
    PrepaymentStanding,
    prepayment_standing,
)
from powerretail.errors import InvalidInput, NotFound, RuleViolation
from powerretail.ids import AccountId, PaymentId
from powerretail.quantities import Money
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.collections import (
    DEPOSIT_MOVEMENTS,
    PAYMENT_PLANS,
    PREPAYMENT_ALERTS,
    StoredPaymentPlan,
)
from powerretail.repositories.commands import command_payload, run_idempotent
from powerretail.repositories.dunning import (
    DUNNING_CASES,
    DUNNING_ORDERS,
    DunningOrder,
    OrderKind,
    StoredDunningCase,
)
from powerretail.repositories.payments import PAYMENTS, RECEIVABLES, Payment, Receivable
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.workflows._common import announce
from powerretail.workflows.ledger import (
    post_deposit_applied,
    post_deposit_held,
    post_deposit_refund,
    post_deposit_transfer,
)
from powerretail.workflows.payments import book_receipt, charge_late_fee_until, post_payment

__all__ = [
    "DepositNotHeld",
    "PrepaymentReport",
    "apply_deposit",
    "apply_held_deposit",
    "check_prepayment",
    "grant_payment_plan",
    "hold_deposit",
    "move_held_deposit",
    "prepay",
    "record_deposit_movement",
    "refund_deposit",
    "refund_held_deposit",
    "stop_for_theft",
    "transfer_deposit",
]


def _owed_bill(uow: UnitOfWork, account_id: str, bill_id: str) -> tuple[Receivable, OpenItem]:
    """Return ``account_id``'s receivable and the principal ``bill_id`` still owes.

    Raises:
        NotFound: the account has no receivable, or the bill owes nothing.
    """
    receivable = uow.repository(RECEIVABLES).get(AccountId(account_id)).entity
    item = receivable.item(bill_id)
    if item is None:
        raise NotFound("open bill", f"{bill_id} of account {account_id}")
    return receivable, item


def grant_payment_plan(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    bill_id: str,
    instalments: Sequence[tuple[date, Money]],
    actor: Actor,
    policy: AccessPolicy,
    why: str,
) -> dict[str, JsonValue]:
    """Grant a payment plan spreading what ``bill_id`` owes over ``instalments``, once for ``key``.

    The instalments (deadline, amount) must add up to what the bill's principal owes now. The
    late fee accrued on the bill through the grant day (if the account's bills and billing
    profile are stored) is charged first. Returns ``{plan_id, account_id, bill_id, principal,
    instalments, late_fee_charged}``.

    Raises:
        CommandRefused: the actor may not grant a plan of this size (the refusal and its audit
            record are stored), the bill owes nothing, already has a plan, or the instalments are
            not a plan (see :func:`~powerretail.collections.payment_plans.grant_plan`).
        NotFound: the account has no receivable (nothing stored).
    """
    plan_instalments = [(as_day, amount) for as_day, amount in instalments]

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        at = clock.now()
        receivable, item = _owed_bill(uow, account_id, bill_id)
        plans = uow.repository(PAYMENT_PLANS)
        if plans.find(f"PLAN-{bill_id}") is not None:
            raise _AlreadyPlanned(bill_id)
        known = tuple(
            str(p.entity.payment_id) for p in uow.repository(PAYMENTS).query(account_id=account_id)
        )
        granted = grant_plan(
            account_id=account_id,
            customer_id=str(receivable.customer_id),
            bill_id=bill_id,
            owed=item.amount,
            instalments=plan_instalments,
            policy=policy,
            actor=actor,
            at=at,
            why=why,
            known_payments=known,
        )
        uow.audit.append(granted.audit)
        charged = charge_late_fee_until(
            uow,
            account_id=account_id,
            bill_id=bill_id,
            through=granted.plan.granted_on,
            key=f"plan/{key}",
            at=at,
        )
        plans.add(StoredPaymentPlan.of(granted.plan))
        result: dict[str, JsonValue] = {
            "plan_id": granted.plan.plan_id,
            "account_id": account_id,
            "bill_id": bill_id,
            "principal": str(item.amount.amount),
            "instalments": [
                {
                    "number": i.number,
                    "due_date": i.due_date.isoformat(),
                    "amount": str(i.amount.amount),
                }
                for i in granted.plan.instalments
            ],
            "late_fee_charged": str(charged.amount),
        }
        announce(
            uow,
            command="grant_payment_plan",
            key=key,
            kind=PAYMENT_PLANS.kind,
            aggregate_id=granted.plan.plan_id,
            event_type="PaymentPlanGranted",
            payload={**result, "by": actor.id, "why": why},
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="grant_payment_plan",
        payload=command_payload(
            account_id=account_id,
            bill_id=bill_id,
            instalments=[[d.isoformat(), str(m.amount)] for d, m in plan_instalments],
            actor=actor.id,
            why=why,
        ),
        action=action,
    )


class _BillRefused(RuleViolation):
    """A refusal that names the bill it is about."""

    def __init__(self, bill_id: str) -> None:
        self.bill_id = bill_id
        super().__init__(bill_id)


class _AlreadyPlanned(_BillRefused):
    def __str__(self) -> str:
        return f"bill {self.bill_id!r} already has a payment plan (one plan per bill)"


def stop_for_theft(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    bill_id: str,
    actor: Actor,
    policy: AccessPolicy,
    why: str,
    rules: str = "GYGZ1996",
) -> dict[str, JsonValue]:
    """Stop supply at once for discovered theft; ``bill_id`` holds the theft charges.

    《供电营业规则》(1996) 第66条 allows the stop without notice for discovered theft; the actor
    needs :data:`~powerretail.access.STOP_SUPPLY`. Once the theft charges are paid
    (:func:`~powerretail.workflows.payments.post_payment`), the restore order is due within 24
    hours. Returns ``{case_id, order_id, stopped_at}``.

    Raises:
        CommandRefused: the actor may not stop supply (stored with its audit record), or the
            bill is already dunned.
        NotFound: the account has no receivable, or the bill owes nothing (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        at = clock.now()
        receivable, item = _owed_bill(uow, account_id, bill_id)
        case = open_case(
            account_id=account_id,
            customer_id=str(receivable.customer_id),
            bill_id=bill_id,
            amount=item.amount,
            due_date=item.dated,
            rules=rules,
        )
        step = stop_supply(
            case, policy=policy, actor=actor, at=at, reason=StopReason.THEFT, why=why
        )
        if step.audit is not None:
            uow.audit.append(step.audit)
        cases = uow.repository(DUNNING_CASES)
        if cases.find(case.id) is not None:
            raise _AlreadyDunned(bill_id)
        cases.add(StoredDunningCase.of(step.case))
        order = DunningOrder(
            order_id=f"{case.id}/{at.date().isoformat()}/stop",
            case_id=case.id,
            account_id=account_id,
            kind=OrderKind.STOP,
            issued_at=at,
            due_at=at,
            detail=f"停电 (窃电): {why}",
            source="《供电营业规则》(1996) 第66条 (确有窃电行为)",
        )
        uow.repository(DUNNING_ORDERS).add(order)
        result: dict[str, JsonValue] = {
            "case_id": case.id,
            "order_id": order.order_id,
            "stopped_at": at.isoformat(),
        }
        announce(
            uow,
            command="stop_for_theft",
            key=key,
            kind=DUNNING_CASES.kind,
            aggregate_id=case.id,
            event_type="DunningSupplyStopped",
            payload={**result, "reason": StopReason.THEFT.value, "by": actor.id, "why": why},
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="stop_for_theft",
        payload=command_payload(
            account_id=account_id, bill_id=bill_id, actor=actor.id, why=why, rules=rules
        ),
        action=action,
    )


class _AlreadyDunned(_BillRefused):
    def __str__(self) -> str:
        return f"bill {self.bill_id!r} is already dunned; its case stops it"


class DepositNotHeld(RuleViolation):
    """The account holds no deposit to ``what``."""

    def __init__(self, account_id: str, what: str) -> None:
        self.account_id = account_id
        self.what = what
        super().__init__(account_id, what)

    def __str__(self) -> str:
        return f"account {self.account_id!r} holds no deposit to {self.what}"


def record_deposit_movement(
    uow: UnitOfWork,
    *,
    key: str,
    account_id: str,
    kind: MovementKind,
    amount: Money,
    on: date,
    basis: str,
    detail: str,
) -> DepositMovement:
    """Store in ``uow`` the deposit movement of ``kind`` that command ``key`` made; return it.

    Its id is ``DEP-{key}-{kind}-{account_id}``: one movement of a kind per account and command.
    """
    movement = DepositMovement(
        movement_id=f"DEP-{key}-{kind.value}-{account_id}",
        account_id=account_id,
        kind=kind,
        amount=amount,
        on=on,
        basis=basis,
        detail=detail,
    )
    uow.repository(DEPOSIT_MOVEMENTS).add(movement)
    return movement


def _movement(
    uow: UnitOfWork,
    *,
    key: str,
    account_id: str,
    kind: MovementKind,
    amount: Money,
    on: date,
    basis: str,
    detail: str,
    at: _dt.datetime,
) -> dict[str, JsonValue]:
    movement = record_deposit_movement(
        uow,
        key=key,
        account_id=account_id,
        kind=kind,
        amount=amount,
        on=on,
        basis=basis,
        detail=detail,
    )
    result: dict[str, JsonValue] = {
        "movement_id": movement.movement_id,
        "account_id": account_id,
        "kind": kind.value,
        "amount": str(amount.amount),
        "on": on.isoformat(),
        "basis": basis,
    }
    announce(
        uow,
        command=f"deposit_{kind.value}",
        key=key,
        kind=RECEIVABLES.kind,
        aggregate_id=account_id,
        event_type=f"Deposit{kind.value.title().replace('_', '')}",
        payload={**result, "detail": detail},
        at=at,
    )
    return result


def apply_held_deposit(
    uow: UnitOfWork, *, key: str, account_id: str, on: date, at: _dt.datetime
) -> dict[str, JsonValue]:
    """Apply in ``uow`` the deposit of ``account_id`` to what it owes, as :func:`apply_deposit`.

    Returns the movement with ``left`` (the deposit still held), ``balance`` and, when clearing
    what a stopped account owes restored it, ``restore_orders``.

    Raises:
        DepositNotHeld: the account holds no deposit, or owes nothing.
        NotFound: the account has no receivable.
    """
    receivables = uow.repository(RECEIVABLES)
    receivable, version = receivables.get(AccountId(account_id))
    held = receivable.deposit
    if held.amount <= 0:
        raise DepositNotHeld(account_id, "apply")
    used = min(held, receivable.owed)
    if used.amount <= 0:
        raise DepositNotHeld(account_id, "apply to (nothing is owed)")
    changed, allocation = attrs.evolve(receivable, deposit=held - used).receive(used, paid_on=on)
    payment = Payment(
        payment_id=PaymentId(f"P-DEP-{key}"),
        account_id=AccountId(account_id),
        amount=used,
        received_on=on,
        allocations=allocation.allocations,
        credit=allocation.credit,
    )
    restores = book_receipt(
        uow,
        payment,
        settled=changed,
        version=version,
        key=f"deposit/{key}",
        at=at,
        post=lambda: post_deposit_applied(uow, payment, key=key, at=at),
    )
    result = _movement(
        uow,
        key=key,
        account_id=account_id,
        kind=MovementKind.APPLIED,
        amount=used,
        on=on,
        basis=MOVE_SOURCE,
        detail="applied to the final bill",
        at=at,
    )
    return {
        **result,
        "left": str(changed.deposit.amount),
        "balance": str(changed.balance.amount),
    } | ({"restore_orders": list(restores)} if restores else {})


def move_held_deposit(
    uow: UnitOfWork,
    *,
    key: str,
    from_account: str,
    to_account: str,
    on: date,
    at: _dt.datetime,
    basis: str,
) -> dict[str, JsonValue]:
    """Move in ``uow`` the whole deposit of ``from_account`` to ``to_account``, as ``basis`` allows.

    Both receivables change, the ledger gets the two postings through deposits in transfer and
    each account a movement (out and in, naming ``basis``). Whose accounts they may be is the
    caller's rule: the same customer's (:func:`transfer_deposit`, a move-in), or the old and new
    holder's at a change of name (过户). Returns the movement into ``to_account``.

    Raises:
        DepositNotHeld: ``from_account`` holds no deposit.
        NotFound: either account has no receivable.
    """
    receivables = uow.repository(RECEIVABLES)
    source, source_version = receivables.get(AccountId(from_account))
    held = source.deposit
    if held.amount <= 0:
        raise DepositNotHeld(from_account, "transfer")
    receivables.save(attrs.evolve(source, deposit=held - held), source_version)
    target, target_version = receivables.get(AccountId(to_account))
    receivables.save(attrs.evolve(target, deposit=target.deposit + held), target_version)
    post_deposit_transfer(
        uow,
        key=key,
        from_account=from_account,
        to_account=to_account,
        amount=held,
        at=at,
        dated=on,
    )
    moved = [
        _movement(
            uow,
            key=key,
            account_id=party,
            kind=kind,
            amount=held,
            on=on,
            basis=basis,
            detail=detail,
            at=at,
        )
        for party, kind, detail in (
            (from_account, MovementKind.TRANSFERRED_OUT, f"to account {to_account}"),
            (to_account, MovementKind.TRANSFERRED_IN, f"from account {from_account}"),
        )
    ]
    return moved[-1]


def refund_held_deposit(
    uow: UnitOfWork,
    *,
    key: str,
    account_id: str,
    on: date,
    at: _dt.datetime,
    out_of: str = BANK,
) -> dict[str, JsonValue]:
    """Refund in ``uow`` the whole deposit of ``account_id``, as :func:`refund_deposit`.

    Raises:
        DepositNotHeld: the account holds no deposit, or still owes.
        NotFound: the account has no receivable.
    """
    receivables = uow.repository(RECEIVABLES)
    receivable, version = receivables.get(AccountId(account_id))
    held = receivable.deposit
    if held.amount <= 0:
        raise DepositNotHeld(account_id, "refund")
    if receivable.owed.amount > 0:
        raise DepositNotHeld(account_id, f"refund while {receivable.owed} is owed")
    receivables.save(attrs.evolve(receivable, deposit=held - held), version)
    post_deposit_refund(
        uow, key=key, account_id=account_id, amount=held, at=at, dated=on, out_of=out_of
    )
    return _movement(
        uow,
        key=key,
        account_id=account_id,
        kind=MovementKind.REFUNDED,
        amount=held,
        on=on,
        basis="refund of the deposit held",
        detail="退还保证金",
        at=at,
    )


def hold_deposit(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    amount: Money,
    on: date,
    contract_clause: str | None = None,
    into: str = BANK,
) -> dict[str, JsonValue]:
    """Hold a deposit of ``amount`` for ``account_id`` on ``on``, where that is allowed.

    Allowed when the rule set in force on ``on`` allows a deposit (《供电营业规则》 1996), or the
    supply contract agrees one (``contract_clause``; needed from 2024-06-01, when the 2024
    revision removed the deposit). The ledger gets Dr ``into`` (bank, or cash for a collector's
    takings), Cr deposits held. Returns the movement (``basis`` names what allowed it).

    Raises:
        CommandRefused: no deposit is allowed (the refusal names the rule) — stored.
        NotFound: the account has no receivable (nothing stored).
        InvalidInput: ``amount`` is not above zero.
    """
    if not isinstance(amount, Money) or amount.amount <= 0:
        raise InvalidInput("amount", amount, "Money above zero")

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        basis = deposit_basis(on, contract_clause=contract_clause)
        receivables = uow.repository(RECEIVABLES)
        receivable, version = receivables.get(AccountId(account_id))
        receivables.save(attrs.evolve(receivable, deposit=receivable.deposit + amount), version)
        at = clock.now()
        post_deposit_held(
            uow, key=key, account_id=account_id, amount=amount, at=at, dated=on, into=into
        )
        return _movement(
            uow,
            key=key,
            account_id=account_id,
            kind=MovementKind.HELD,
            amount=amount,
            on=on,
            basis=basis,
            detail="电费保证金 held",
            at=at,
        )

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="hold_deposit",
        payload=command_payload(
            account_id=account_id, amount=amount, on=on, contract_clause=contract_clause
        )
        | ({} if into == BANK else {"into": into}),
        action=action,
    )


def apply_deposit(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    on: date,
) -> dict[str, JsonValue]:
    """Apply the deposit of ``account_id`` to what it still owes (the final bill at move-out).

    The deposit settles the open items like a payment received on ``on`` (stored as payment
    ``P-DEP-{key}``, so late fees stop accruing on what it paid); what it does not take stays
    held, to be refunded. The ledger gets Dr deposits held, Cr customer credit, then the
    allocation (Dr customer credit, Cr the receivable's items). When that clears what a stopped
    account owes, the restore order is issued at once, as a payment's is
    (:func:`~powerretail.workflows.payments.book_receipt`: the same clock and audit). Returns the
    movement with ``left`` (the deposit still held) and ``restore_orders`` when any were issued.

    Raises:
        CommandRefused: the account holds no deposit — stored.
        NotFound: the account has no receivable (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        return apply_held_deposit(uow, key=key, account_id=account_id, on=on, at=clock.now())

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="apply_deposit",
        payload=command_payload(account_id=account_id, on=on),
        action=action,
    )


def transfer_deposit(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    from_account: str,
    to_account: str,
    on: date,
) -> dict[str, JsonValue]:
    """Move the whole deposit of ``from_account`` to ``to_account`` (move-out and move-in at once).

    Source: 苏州供电公司客户迁出 5.主要控制点 — the deposit moves to the new contract instead of
    being refunded and paid again. The ledger gets two postings through deposits in transfer
    (Dr deposits held of ``from_account``, Cr deposits held of ``to_account``). Returns the
    movement into ``to_account``.

    Raises:
        CommandRefused: ``from_account`` holds no deposit, or the accounts are not the same
            customer's — stored.
        NotFound: either account has no receivable (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        source = uow.repository(RECEIVABLES).get(AccountId(from_account)).entity
        target = uow.repository(RECEIVABLES).get(AccountId(to_account)).entity
        if source.customer_id != target.customer_id:
            raise InvalidInput(
                "to_account", to_account, f"an account of customer {source.customer_id!r}"
            )
        return move_held_deposit(
            uow,
            key=key,
            from_account=from_account,
            to_account=to_account,
            on=on,
            at=clock.now(),
            basis=MOVE_SOURCE,
        )

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="transfer_deposit",
        payload=command_payload(from_account=from_account, to_account=to_account, on=on),
        action=action,
    )


def refund_deposit(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    on: date,
    out_of: str = BANK,
) -> dict[str, JsonValue]:
    """Refund the whole deposit of ``account_id``, once nothing is owed.

    The ledger gets Dr deposits held, Cr ``out_of`` (bank, or cash).

    Raises:
        CommandRefused: the account holds no deposit, or still owes (apply the deposit first)
            — stored.
        NotFound: the account has no receivable (nothing stored).
    """

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        return refund_held_deposit(
            uow, key=key, account_id=account_id, on=on, at=clock.now(), out_of=out_of
        )

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="refund_deposit",
        payload=command_payload(account_id=account_id, on=on)
        | ({} if out_of == BANK else {"out_of": out_of}),
        action=action,
    )


@attrs.frozen
class PrepaymentReport:
    """A prepaid account's standing, and the alert raised (if any)."""

    account_id: str
    standing: PrepaymentStanding
    alert_id: str | None


def _prepaid_standing(
    uow: UnitOfWork, account_id: str, policy: PrepaymentPolicy
) -> PrepaymentStanding:
    receivable = uow.repository(RECEIVABLES).get(AccountId(account_id)).entity
    return prepayment_standing(receivable.credit - receivable.owed, policy)


def prepay(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    amount: Money,
    received_on: date,
    policy: PrepaymentPolicy = SEED_PREPAYMENT_POLICY,
) -> PrepaymentStanding:
    """Pay ``amount`` ahead into ``account_id`` (预存电费), once for ``key``; return its standing.

    The payment is posted as any other (:func:`~powerretail.workflows.payments.post_payment`):
    it settles what is owed first, and the rest is credit that later bills draw down.

    Raises:
        as :func:`~powerretail.workflows.payments.post_payment`.
    """
    post_payment(
        make_unit_of_work,
        clock=clock,
        key=key,
        account_id=account_id,
        amount=amount,
        received_on=received_on,
    )
    with make_unit_of_work() as uow:
        return _prepaid_standing(uow, account_id, policy)


def check_prepayment(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    account_id: str,
    as_of: date,
    policy: PrepaymentPolicy = SEED_PREPAYMENT_POLICY,
) -> PrepaymentReport:
    """Return the prepaid standing of ``account_id``; raise the low-balance alert if it is due.

    Runs once per account and day (key ``prepayment/{account}/{as_of}``): a balance at or below
    the policy's threshold stores one :class:`~powerretail.collections.prepayment.
    PrepaymentAlert` and announces ``PrepaymentLow``.

    Raises:
        NotFound: the account has no receivable (nothing stored).
    """
    key = f"prepayment/{account_id}/{as_of.isoformat()}"

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        now = _prepaid_standing(uow, account_id, policy)
        alert_id: str | None = None
        if now.needs_alert:
            alert = PrepaymentAlert(
                alert_id=f"PRE-{account_id}-{as_of.isoformat()}",
                account_id=account_id,
                raised_on=as_of,
                balance=now.balance,
                threshold=now.threshold,
                status=now.status,
                source=policy.source,
            )
            uow.repository(PREPAYMENT_ALERTS).add(alert)
            alert_id = alert.alert_id
            announce(
                uow,
                command="check_prepayment",
                key=key,
                kind=RECEIVABLES.kind,
                aggregate_id=account_id,
                event_type="PrepaymentLow",
                payload={"account_id": account_id, "explain": now.explain()},
                at=clock.now(),
            )
        return {
            "balance": str(now.balance.amount),
            "currency": now.balance.currency,
            "alert_id": alert_id,
        }

    result = run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="check_prepayment",
        payload=command_payload(account_id=account_id, as_of=as_of, policy=policy),
        action=action,
    )
    balance = Money(str(result["balance"]), str(result["currency"]))
    alert = result["alert_id"]
    return PrepaymentReport(
        account_id=account_id,
        standing=prepayment_standing(balance, policy),
        alert_id=None if alert is None else str(alert),
    )
