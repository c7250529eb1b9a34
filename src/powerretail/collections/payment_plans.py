"""Flexible payment plans (灵活付款方案): a bill's arrears paid by instalments, within authority.

A key-account manager may agree a flexible payment plan with a key account "within the
authority of their role" (按规定权限，制定大客户灵活付款方案 — 苏州供电公司大客户经理岗位职责描述
4.岗位权限). :func:`grant_plan` asks :func:`~powerretail.access.authorize` for
:data:`~powerretail.access.GRANT_FLEXIBLE_PAYMENT_PLAN` with the amount under the plan [元] as
the magnitude, so the limit of each role is policy data (100 000 元 for a regional, 1 000 000 元
for a company key-account manager in :data:`~powerretail.access.SEED_POLICY`, illustrative). A
refusal raises :class:`~powerretail.access.PermissionDenied` carrying its audit record.

A plan splits what one bill owes into instalments, each with its own deadline. While the
instalments are met (everything due by a day paid by then) the bill is not dunned; when an
instalment's deadline passes unpaid the plan is *defaulted* and dunning resumes, counting the
overdue days from that instalment's deadline. :data:`PLAN_MACHINE` declares the states:

>>> print(PLAN_MACHINE.to_mermaid())
stateDiagram-v2
    state "active" as ACTIVE
    state "completed" as COMPLETED
    state "defaulted" as DEFAULTED
    [*] --> ACTIVE
    ACTIVE --> COMPLETED : complete [all_instalments_paid]
    ACTIVE --> DEFAULTED : miss [instalment_missed]
    COMPLETED --> [*]
    DEFAULTED --> [*]

Late fees under a plan (:func:`instalment_late_fee_bills`): the late fee accrues from the day
after the payment deadline (逾期之日, 《供电营业规则》(1996, 电力工业部令第8号) 第98条), and
the plan agreed with the customer sets a deadline for each instalment. So an instalment not yet
due bears no late fee, and a missed instalment accrues on its unpaid amount from the day after
its own deadline. What had accrued on the bill before the plan was granted stays owed: the plan
is not a waiver (任何部门、任何个人不得同意减、免欠费 — 供电所农电营销工作管理制度
四(三)收费制度 6).
"""

from __future__ import annotations

import datetime as _dt
import enum
import itertools
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

import attrs

from powerretail.access import (
    GRANT_FLEXIBLE_PAYMENT_PLAN,
    AccessPolicy,
    Actor,
    AuditRecord,
    authorize,
)
from powerretail.collections.late_fees import CustomerKind, LateFeeBill
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.quantities import Money, sum_money
from powerretail.statemachine import StateMachine, Transition, TransitionRecord
from powerretail.timeframe import DEFAULT_TIMEZONE, as_date, as_instant, timezone

__all__ = [
    "PLAN_MACHINE",
    "PLAN_SOURCE",
    "GrantedPlan",
    "Instalment",
    "PaymentPlan",
    "PlanEvent",
    "PlanRefused",
    "PlanStanding",
    "PlanState",
    "complete_plan",
    "default_plan",
    "grant_plan",
    "instalment_late_fee_bills",
    "plan_id_for",
    "standing",
]

#: The authority to agree flexible payment plans.
PLAN_SOURCE: Final = (
    "苏州供电公司大客户经理岗位职责描述 4.岗位权限 (按规定权限，制定大客户灵活付款方案)"
)


class PlanState(enum.Enum):
    """Where a payment plan stands."""

    ACTIVE = "active"
    COMPLETED = "completed"
    DEFAULTED = "defaulted"


class PlanEvent(enum.Enum):
    """What happens to a payment plan."""

    COMPLETE = "complete"
    MISS = "miss"


def _day(value: object) -> date:
    return as_date(value, "due_date")


def _positive(_instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not isinstance(value, Money) or value.amount <= 0:
        raise InvalidInput(attribute.name, value, "Money above zero")


@attrs.frozen
class Instalment:
    """One instalment: ``amount`` to be paid by ``due_date`` (its deadline, included)."""

    number: int
    due_date: date = attrs.field(converter=_day)
    amount: Money = attrs.field(validator=_positive)


def _instalments(value: Iterable[Instalment]) -> tuple[Instalment, ...]:
    return tuple(value)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _history(value: Iterable[TransitionRecord[Any, Any]]) -> tuple[TransitionRecord[Any, Any], ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class PaymentPlan:
    """A flexible payment plan for one bill.

    Attributes:
        plan_id: ``"PLAN-" + bill id`` (:func:`plan_id_for`): one plan per bill.
        account_id / customer_id / bill_id: what the plan covers.
        principal: what the bill owed when the plan was granted (the instalments add up to it).
        granted_on: the day the plan was granted.
        granted_by: the actor who granted it.
        instalments: the instalments, deadlines strictly increasing.
        known_payments: the ids of the account's payments posted before the grant (what was
            paid before the plan is not paid under it).
        state: where the plan stands.
        history: its transition records.
    """

    plan_id: str
    account_id: str
    customer_id: str
    bill_id: str
    principal: Money
    granted_on: date = attrs.field(converter=_day)
    granted_by: str
    instalments: tuple[Instalment, ...] = attrs.field(converter=_instalments)
    known_payments: tuple[str, ...] = attrs.field(default=(), converter=_ids)
    state: PlanState = PlanState.ACTIVE
    history: tuple[TransitionRecord[Any, Any], ...] = attrs.field(default=(), converter=_history)

    def due_by(self, day: date) -> Money:
        """Return what the instalments due on or before ``day`` add up to."""
        return sum_money(
            (i.amount for i in self.instalments if i.due_date <= day), self.principal.currency
        )


class PlanRefused(RuleViolation):
    """A payment plan that cannot be granted as asked: ``reason`` (the rule in ``source``)."""

    def __init__(self, bill_id: str, reason: str, source: str = PLAN_SOURCE) -> None:
        self.bill_id = bill_id
        self.reason = reason
        self.source = source
        super().__init__(bill_id, reason, source)

    def __str__(self) -> str:
        return f"payment plan for bill {self.bill_id!r} refused: {self.reason} ({self.source})"


def plan_id_for(bill_id: str) -> str:
    """Return the id of the payment plan of ``bill_id``."""
    return f"PLAN-{bill_id}"


@attrs.frozen
class PlanStanding:
    """How a plan stands on ``day``: what was due by then, what was paid, the first missed one."""

    day: date
    due: Money
    paid: Money
    missed: Instalment | None

    @property
    def is_met(self) -> bool:
        """Every instalment due by ``day`` is paid."""
        return self.missed is None

    def explain(self) -> str:
        """Say whether the plan is met on ``day`` and why."""
        if self.missed is None:
            return f"payment plan met on {self.day}: {self.paid} paid of {self.due} due"
        return (
            f"instalment {self.missed.number} of {self.missed.amount} was due "
            f"{self.missed.due_date}; {self.paid} paid of {self.due} due by {self.day}"
        )


def standing(plan: PaymentPlan, *, paid: Money, day: _dt.date) -> PlanStanding:
    """Return how ``plan`` stands on ``day`` given ``paid`` under it so far.

    An instalment is missed when the day after its deadline has come and what was paid is less
    than the instalments due up to and including it.
    """
    on = as_date(day, "day")
    missed: Instalment | None = None
    for instalment in plan.instalments:
        if instalment.due_date < on and paid < plan.due_by(instalment.due_date):
            missed = instalment
            break
    return PlanStanding(day=on, due=plan.due_by(on), paid=paid, missed=missed)


def _all_paid(plan: PaymentPlan, ctx: Mapping[str, Any]) -> bool:
    return bool(ctx["paid"] >= plan.principal)


def _missed(plan: PaymentPlan, ctx: Mapping[str, Any]) -> bool:
    return not standing(plan, paid=ctx["paid"], day=ctx["day"]).is_met


_all_paid.__name__ = "all_instalments_paid"
_missed.__name__ = "instalment_missed"

#: The payment-plan process: granted active, then completed (all paid) or defaulted (missed).
PLAN_MACHINE: Final[StateMachine[PlanState, PlanEvent]] = StateMachine(
    "payment plan",
    initial=PlanState.ACTIVE,
    finals={PlanState.COMPLETED, PlanState.DEFAULTED},
    transitions=[
        Transition(PlanState.ACTIVE, PlanEvent.COMPLETE, PlanState.COMPLETED, guard=_all_paid),
        Transition(PlanState.ACTIVE, PlanEvent.MISS, PlanState.DEFAULTED, guard=_missed),
    ],
)


@attrs.frozen
class GrantedPlan:
    """A granted plan and the audit record of the grant."""

    plan: PaymentPlan
    audit: AuditRecord


def grant_plan(
    *,
    account_id: str,
    customer_id: str,
    bill_id: str,
    owed: Money,
    instalments: Iterable[tuple[_dt.date, Money]],
    policy: AccessPolicy,
    actor: Actor,
    at: _dt.datetime,
    why: str,
    known_payments: Iterable[str] = (),
) -> GrantedPlan:
    """Grant a plan paying ``owed`` (what the bill owes now) by ``instalments`` (deadline, amount).

    Raises:
        PlanRefused: no instalments, deadlines not strictly increasing or before the grant day,
            or instalments not adding up to ``owed``.
        PermissionDenied: ``actor`` may not grant a plan of this size (its ``audit`` records the
            refusal).
    """
    if not isinstance(owed, Money) or owed.amount <= 0:
        raise PlanRefused(bill_id, f"the bill owes {owed}: nothing to spread")
    granted_on = _local_day(at)
    made = tuple(
        Instalment(number=n, due_date=due, amount=amount)
        for n, (due, amount) in enumerate(instalments, start=1)
    )
    if not made:
        raise PlanRefused(bill_id, "a plan needs at least one instalment")
    for earlier, later in itertools.pairwise(made):
        if later.due_date <= earlier.due_date:
            raise PlanRefused(
                bill_id,
                f"instalment {later.number} is due {later.due_date}, not after "
                f"instalment {earlier.number} ({earlier.due_date})",
            )
    if made[0].due_date < granted_on:
        raise PlanRefused(
            bill_id, f"instalment 1 is due {made[0].due_date}, before the grant day {granted_on}"
        )
    total = sum_money((i.amount for i in made), owed.currency)
    if total != owed:
        raise PlanRefused(
            bill_id,
            f"the instalments add up to {total}, not the {owed} the bill owes "
            "(a plan spreads the arrears; it never reduces them: 不得同意减、免欠费)",
            "供电所农电营销工作管理制度 四(三)收费制度 6",
        )
    audit = authorize(
        policy,
        actor,
        GRANT_FLEXIBLE_PAYMENT_PLAN,
        subject=f"bill {bill_id} of account {account_id}",
        at=at,
        why=why,
        magnitude=owed.amount,
    )
    plan = PaymentPlan(
        plan_id=plan_id_for(bill_id),
        account_id=account_id,
        customer_id=customer_id,
        bill_id=bill_id,
        principal=owed,
        granted_on=granted_on,
        granted_by=str(actor.id),
        instalments=made,
        known_payments=tuple(known_payments),
    )
    return GrantedPlan(plan, audit)


def _local_day(at: _dt.datetime) -> date:
    local = as_instant(at, "at").in_timezone(timezone(DEFAULT_TIMEZONE))
    return date(local.year, local.month, local.day)


def _fire(
    plan: PaymentPlan,
    event: PlanEvent,
    *,
    paid: Money,
    day: date,
    at: _dt.datetime,
    by: str,
    why: str,
) -> PaymentPlan:
    return PLAN_MACHINE.advance(
        plan,
        event,
        at=at,
        by=by,
        why=why,
        context={"paid": paid, "day": day},
        subject=plan.plan_id,
    )


def complete_plan(plan: PaymentPlan, *, paid: Money, at: _dt.datetime, by: str) -> PaymentPlan:
    """Return ``plan`` completed: everything under it is paid.

    Raises:
        GuardRefused: less than the principal is paid.
        TransitionNotAllowed: the plan is not active.
    """
    return _fire(
        plan, PlanEvent.COMPLETE, paid=paid, day=_local_day(at), at=at, by=by, why="全部分期已付清"
    )


def default_plan(
    plan: PaymentPlan, *, paid: Money, day: _dt.date, at: _dt.datetime, by: str
) -> PaymentPlan:
    """Return ``plan`` defaulted: an instalment's deadline passed unpaid on ``day``.

    Raises:
        GuardRefused: no instalment is missed on ``day``.
        TransitionNotAllowed: the plan is not active.
    """
    on = as_date(day, "day")
    why = standing(plan, paid=paid, day=on).explain()
    return _fire(plan, PlanEvent.MISS, paid=paid, day=on, at=at, by=by, why=why)


def instalment_late_fee_bills(
    plan: PaymentPlan, *, customer_kind: CustomerKind, period_end: date | None = None
) -> tuple[LateFeeBill, ...]:
    """Return the plan's instalments as late-fee bills, each due on its own deadline.

    Bill ids are ``"{bill}/{n}"``. Source: 《供电营业规则》(1996) 第98条 — the late fee runs from
    the day after the deadline, and under a plan each instalment's deadline is the agreed one.
    """
    return tuple(
        LateFeeBill(
            bill_id=f"{plan.bill_id}/{i.number}",
            principal=i.amount,
            customer_kind=customer_kind,
            due_date=i.due_date,
            period_end=period_end,
        )
        for i in plan.instalments
    )
