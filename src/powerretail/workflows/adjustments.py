"""Authorised adjustments: a customer's credit score, and writing off what a bill still owes.

Each is a command run once per idempotency key, and each is sensitive: the ``actor`` is
authorised under ``policy`` before anything is stored (:mod:`powerretail.access`), the grant is
stored in the audit log with the change, and a refusal is stored as the command's outcome with
its audit record, changing nothing else.

* :func:`adjust_credit` — move a customer's stored credit score (信用分数) by a number of points
  (:data:`~powerretail.access.ADJUST_CREDIT_SCORE`). The actor's earlier adjustments are read
  from the audit log, so a limit that is cumulative over a period (a calendar month in
  :data:`~powerretail.access.SEED_POLICY`) cannot be stretched by many small steps.
* :func:`write_off_receivable` — write off (核销) part or all of what a bill still owes
  (:data:`~powerretail.access.WRITE_OFF_RECEIVABLE`). 供电所农电营销工作管理制度 四(三)收费制度 6
  forbids any
  department or person to reduce or waive arrears (不得同意减、免欠费) or write them off as bad
  debt except as the rules provide, so :data:`~powerretail.access.SEED_POLICY` grants it to no
  role: a company grants it to whoever its rules name. The write-off also needs the evidence the
  rules ask for (:class:`~powerretail.collections.write_off.WriteOffRules`: the collection record
  and one proof of the loss); without it, it is the reduction of arrears the seed forbids, and is
  refused naming the rule. The :class:`~powerretail.collections.write_off.WriteOffRecord` is
  stored with the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from powerretail.access import ADJUST_CREDIT_SCORE, WRITE_OFF_RECEIVABLE, AccessPolicy, Actor
from powerretail.collections.write_off import (
    SEED_WRITE_OFF_RULES,
    Evidence,
    WriteOffRecord,
    WriteOffRules,
    check_evidence,
)
from powerretail.customers.credit import adjust_credit_score
from powerretail.errors import InvalidInput, describe_value
from powerretail.ids import AccountId, CustomerId
from powerretail.quantities import Money, exact_decimal
from powerretail.repositories.audit import authorize_in, earlier_grants
from powerretail.repositories.clock import Clock
from powerretail.repositories.codec import JsonValue
from powerretail.repositories.collections import WRITE_OFFS
from powerretail.repositories.commands import run_idempotent
from powerretail.repositories.customers import CREDIT_SCORES
from powerretail.repositories.payments import RECEIVABLES
from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory
from powerretail.workflows._common import announce
from powerretail.workflows.ledger import post_write_off

__all__ = ["adjust_credit", "write_off_receivable"]


def adjust_credit(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    customer_id: str,
    delta: Decimal | int | str,
    actor: Actor,
    policy: AccessPolicy,
    why: str,
) -> dict[str, JsonValue]:
    """Move customer ``customer_id``'s stored credit score by ``delta`` points, once for ``key``.

    Returns ``{customer_id, before, points, delta}`` (points as text).

    Raises:
        CommandRefused: the actor may not adjust credit scores, or not by this much (counting
            their earlier grants in the period), or the score would leave 0-100 — stored.
        NotFound: the customer has no stored credit score (nothing stored).
        InvalidInput: ``delta`` is not a number.
    """
    change = exact_decimal(delta, "delta")

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        scores = uow.repository(CREDIT_SCORES)
        score, version = scores.get(CustomerId(customer_id))
        at = clock.now()
        adjusted = adjust_credit_score(
            score,
            change,
            actor=actor,
            policy=policy,
            at=at,
            why=why,
            prior=earlier_grants(uow, policy, actor, ADJUST_CREDIT_SCORE, at=at),
        )
        uow.audit.append(adjusted.audit)
        scores.save(adjusted.score, version)
        result: dict[str, JsonValue] = {
            "customer_id": customer_id,
            "before": str(score.points),
            "points": str(adjusted.score.points),
            "delta": str(change),
        }
        announce(
            uow,
            key=key,
            command="adjust_credit",
            kind=CREDIT_SCORES.kind,
            aggregate_id=customer_id,
            event_type="CreditScoreAdjusted",
            payload={**result, "why": why, "by": actor.id},
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="adjust_credit",
        payload={
            "customer_id": customer_id,
            "delta": str(change),
            "actor": actor.id,
            "why": why,
        },
        action=action,
    )


def write_off_receivable(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    clock: Clock,
    key: str,
    account_id: str,
    bill_id: str,
    amount: Money,
    actor: Actor,
    policy: AccessPolicy,
    why: str,
    evidence: Iterable[Evidence] = (),
    rules: WriteOffRules = SEED_WRITE_OFF_RULES,
) -> dict[str, JsonValue]:
    """Write off ``amount`` of what bill ``bill_id`` of ``account_id`` owes, once for ``key``.

    The actor is authorised for :data:`~powerretail.access.WRITE_OFF_RECEIVABLE` with the
    amount [元] as magnitude, and ``evidence`` must be what ``rules`` ask for. The
    :class:`~powerretail.collections.write_off.WriteOffRecord` ``WO-{key}`` is stored with the
    change. Returns ``{account_id, bill_id, written_off, balance, write_off_id}``.

    Raises:
        CommandRefused: the actor may not write off, or not this much; the evidence is short
            (the refusal names the rule); the bill owes less than ``amount`` — stored.
        NotFound: the account has no receivable (nothing stored).
        InvalidInput: ``amount`` is not Money, or an evidence item is not Evidence.
    """
    if not isinstance(amount, Money):
        raise InvalidInput("amount", amount, "Money")
    documents = tuple(evidence)
    for item in documents:
        if not isinstance(item, Evidence):
            raise InvalidInput("evidence", item, "Evidence")

    def action(uow: UnitOfWork) -> dict[str, JsonValue]:
        receivables = uow.repository(RECEIVABLES)
        receivable, version = receivables.get(AccountId(account_id))
        at = clock.now()
        authorize_in(
            uow,
            policy,
            actor,
            WRITE_OFF_RECEIVABLE,
            subject=f"bill {describe_value(bill_id)} of account {describe_value(account_id)}",
            at=at,
            why=why,
            magnitude=amount.amount,
        )
        check_evidence(documents, rules)
        written = receivable.write_off(bill_id, amount)
        receivables.save(written, version)
        record = WriteOffRecord(
            write_off_id=f"WO-{key}",
            account_id=account_id,
            bill_id=bill_id,
            amount=amount,
            on=at.date(),
            by=str(actor.id),
            rules=rules.key,
            evidence=documents,
            why=why,
        )
        uow.repository(WRITE_OFFS).add(record)
        post_write_off(
            uow, key=key, account_id=account_id, bill_id=bill_id, amount=amount, at=at, why=why
        )
        result: dict[str, JsonValue] = {
            "account_id": account_id,
            "bill_id": bill_id,
            "written_off": str(amount.amount),
            "balance": str(written.balance.amount),
            "write_off_id": record.write_off_id,
        }
        announce(
            uow,
            key=key,
            command="write_off_receivable",
            kind=RECEIVABLES.kind,
            aggregate_id=account_id,
            event_type="ReceivableWrittenOff",
            payload={
                **result,
                "currency": amount.currency,
                "why": why,
                "by": actor.id,
                "evidence": [f"{e.kind.value}: {e.reference}" for e in documents],
            },
            at=at,
        )
        return result

    return run_idempotent(
        make_unit_of_work,
        clock=clock,
        key=key,
        command="write_off_receivable",
        payload={
            "account_id": account_id,
            "bill_id": bill_id,
            "amount": str(amount.amount),
            "currency": amount.currency,
            "actor": actor.id,
            "why": why,
            "evidence": [[e.kind.value, e.reference] for e in documents],
            "rules": rules.key,
        },
        action=action,
    )
