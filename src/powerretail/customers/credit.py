"""Credit scores and flexible payment plans, each changed only within the actor's authority.

A key-account manager adjusts a customer's credit score, and agrees a flexible payment plan,
"within the prescribed authority" (苏州供电公司大客户经理岗位职责描述 4.岗位权限:
按规定权限,对大客户信用分数进行调整; 按规定权限,制定大客户灵活付款方案). Both functions ask
:func:`powerretail.access.authorize` first: a refusal raises before anything is built, an allowed
change comes back with its :class:`~powerretail.access.AuditRecord`.

The credit-score authority of :data:`~powerretail.access.SEED_POLICY` is cumulative over a
calendar month for one customer: ``prior`` (the manager's earlier audit records, which
:func:`powerretail.workflows.credit.adjust_credit` reads from the audit log) counts against it,
so a limit of 5 cannot be stretched by adjusting +5 three times.

>>> from datetime import datetime, timezone
>>> from powerretail.access import SEED_POLICY, Actor
>>> manager = Actor(id="m-1", name="Zhou", roles={"regional_key_account_manager"})
>>> score = CreditScore(customer_id=CustomerId("C-1"), points=80)
>>> adjusted = adjust_credit_score(score, -5, actor=manager, policy=SEED_POLICY,
...     at=datetime(2025, 1, 6, 1, tzinfo=timezone.utc), why="two late payments in Q4")
>>> adjusted.score.points, adjusted.audit.granted_by
(Decimal('75'), 'regional_key_account_manager')
>>> adjust_credit_score(score, -6, actor=manager, policy=SEED_POLICY,
...     at=datetime(2025, 1, 6, 1, tzinfo=timezone.utc), why="three late payments")
Traceback (most recent call last):
...
powerretail.access.PermissionDenied: actor "m-1" (roles: regional_key_account_manager) may not \
adjust_credit_score on customer "C-1": a change of 6 exceeds the authority limit 5
>>> adjust_credit_score(adjusted.score, -1, actor=manager, policy=SEED_POLICY,
...     at=datetime(2025, 1, 20, 1, tzinfo=timezone.utc), why="another late payment",
...     prior=[adjusted.audit])
Traceback (most recent call last):
...
powerretail.access.PermissionDenied: actor "m-1" (roles: regional_key_account_manager) may not \
adjust_credit_score on customer "C-1": a change of 1 with 5 already granted this calendar month \
exceeds the authority limit 5
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Final

import attrs

from powerretail.access import (
    ADJUST_CREDIT_SCORE,
    GRANT_FLEXIBLE_PAYMENT_PLAN,
    AccessPolicy,
    Actor,
    AuditRecord,
    authorize,
)
from powerretail.errors import InvalidInput, RuleViolation, describe_value
from powerretail.ids import CustomerId
from powerretail.quantities import Money, exact_decimal

__all__ = [
    "MAX_CREDIT_POINTS",
    "CreditAdjustment",
    "CreditScore",
    "CreditScoreOutOfRange",
    "FlexiblePaymentPlan",
    "PaymentPlanGrant",
    "adjust_credit_score",
    "grant_flexible_payment_plan",
]

#: Credit scores run from 0 to this.
MAX_CREDIT_POINTS: Final = Decimal(100)


def _points(value: object) -> Decimal:
    points = exact_decimal(value, "credit.points")
    if not Decimal(0) <= points <= MAX_CREDIT_POINTS:
        raise InvalidInput("credit.points", value, f"a score from 0 to {MAX_CREDIT_POINTS}")
    return points


@attrs.frozen(kw_only=True)
class CreditScore:
    """A customer's credit score (信用分数), 0–100 points."""

    customer_id: CustomerId
    points: Decimal = attrs.field(converter=_points)


class CreditScoreOutOfRange(RuleViolation):
    """The adjustment would take the score outside 0–100; nothing was changed."""

    def __init__(self, customer_id: CustomerId, points: Decimal, delta: Decimal) -> None:
        self.customer_id = customer_id
        self.points = points
        self.delta = delta
        super().__init__(customer_id, points, delta)

    def __str__(self) -> str:
        return (
            f"customer {describe_value(self.customer_id)}: adjusting {self.points} by {self.delta} "
            f"leaves the range 0 to {MAX_CREDIT_POINTS}"
        )


@attrs.frozen(kw_only=True)
class CreditAdjustment:
    """The score before, after, and the audit record of who changed it and why."""

    before: CreditScore
    score: CreditScore
    delta: Decimal
    audit: AuditRecord


def adjust_credit_score(
    score: CreditScore,
    delta: Decimal | int | str,
    *,
    actor: Actor,
    policy: AccessPolicy,
    at: _dt.datetime,
    why: str,
    prior: Iterable[AuditRecord] = (),
) -> CreditAdjustment:
    """Return ``score`` moved by ``delta`` points, if ``actor``'s authority covers ``|delta|``.

    ``prior`` is the actor's earlier audit records: for a cumulative limit, the adjustments they
    were granted in the period count against it.

    Raises:
        PermissionDenied: the actor may not adjust credit scores, or not by this much.
        CreditScoreOutOfRange: the result would be below 0 or above 100.
        InvalidInput: ``delta`` is not a number, ``why`` is blank, ``at`` is naive.

    Source: 苏州供电公司大客户经理岗位职责描述 4.岗位权限.
    """
    change = exact_decimal(delta, "delta")
    audit = authorize(
        policy,
        actor,
        ADJUST_CREDIT_SCORE,
        subject=f"customer {describe_value(score.customer_id)}",
        at=at,
        why=why,
        magnitude=change,
        prior=prior,
    )
    result = score.points + change
    if not Decimal(0) <= result <= MAX_CREDIT_POINTS:
        raise CreditScoreOutOfRange(score.customer_id, score.points, change)
    return CreditAdjustment(
        before=score, score=attrs.evolve(score, points=result), delta=change, audit=audit
    )


def _instalments(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise InvalidInput("plan.instalments", value, "a whole number of instalments, 2 or more")
    return value


@attrs.frozen(kw_only=True)
class FlexiblePaymentPlan:
    """A flexible payment plan (灵活付款方案): ``amount`` paid in ``instalments`` parts.

    Only the agreement is modelled here; the instalments themselves live in ``collections``.
    """

    customer_id: CustomerId
    amount: Money
    instalments: int = attrs.field(converter=_instalments)

    def __attrs_post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidInput("plan.amount", str(self.amount), "an amount above zero")


@attrs.frozen(kw_only=True)
class PaymentPlanGrant:
    """An agreed flexible payment plan and the audit record of who agreed it."""

    plan: FlexiblePaymentPlan
    audit: AuditRecord


def grant_flexible_payment_plan(
    plan: FlexiblePaymentPlan,
    *,
    actor: Actor,
    policy: AccessPolicy,
    at: _dt.datetime,
    why: str,
) -> PaymentPlanGrant:
    """Return ``plan`` as granted, if ``actor``'s authority covers its amount [元].

    Raises:
        PermissionDenied: the actor may not grant payment plans, or not of this amount.

    Source: 苏州供电公司大客户经理岗位职责描述 4.岗位权限.
    """
    audit = authorize(
        policy,
        actor,
        GRANT_FLEXIBLE_PAYMENT_PLAN,
        subject=f"customer {describe_value(plan.customer_id)}",
        at=at,
        why=why,
        magnitude=plan.amount.amount,
    )
    return PaymentPlanGrant(plan=plan, audit=audit)
