"""Payment plans: granted within authority, instalments met or missed, the plan machine."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor, Decision, PermissionDenied
from powerretail.collections.late_fees import CustomerKind, assess_late_fees
from powerretail.collections.payment_plans import (
    PLAN_MACHINE,
    PaymentPlan,
    PlanRefused,
    PlanState,
    complete_plan,
    default_plan,
    grant_plan,
    instalment_late_fee_bills,
    standing,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import Money
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

KAM = Actor(id="kam", name="Zhou", roles={"regional_key_account_manager"})
AT = pendulum.datetime(2025, 8, 10, 10, tz="Asia/Shanghai")
PARTS = ((date(2025, 8, 31), Money("300.00")), (date(2025, 9, 30), Money("700.00")))


def a_plan(parts: tuple[tuple[date, Money], ...] = PARTS, owed: str = "1000.00") -> PaymentPlan:
    return grant_plan(
        account_id="A-1",
        customer_id="C-1",
        bill_id="B-1",
        owed=Money(owed),
        instalments=parts,
        policy=SEED_POLICY,
        actor=KAM,
        at=AT,
        why="分期",
    ).plan


def test_a_granted_plan_is_active_with_numbered_instalments_and_the_grant_audited() -> None:
    granted = grant_plan(
        account_id="A-1",
        customer_id="C-1",
        bill_id="B-1",
        owed=Money("1000.00"),
        instalments=PARTS,
        policy=SEED_POLICY,
        actor=KAM,
        at=AT,
        why="分期",
    )
    plan = granted.plan
    assert (plan.plan_id, plan.state, plan.granted_on) == ("PLAN-B-1", PlanState.ACTIVE, AT.date())
    assert [i.number for i in plan.instalments] == [1, 2]
    assert granted.audit.granted_by == "regional_key_account_manager"
    assert granted.audit.magnitude == Money("1000.00").amount
    assert plan.due_by(date(2025, 9, 1)) == Money("300.00")


@pytest.mark.parametrize(
    ("parts", "owed", "message"),
    [
        ((), "1000.00", "at least one instalment"),
        (
            ((date(2025, 9, 30), Money("300.00")), (date(2025, 9, 30), Money("700.00"))),
            "1000.00",
            "not after instalment 1",
        ),
        (((date(2025, 8, 9), Money("1000.00")),), "1000.00", "before the grant day"),
        (((date(2025, 8, 31), Money("900.00")),), "1000.00", "不得同意减、免欠费"),
        (((date(2025, 8, 31), Money("1.00")),), "0.00", "nothing to spread"),
    ],
)
def test_a_plan_that_is_not_one_is_refused(
    parts: tuple[tuple[date, Money], ...], owed: str, message: str
) -> None:
    with pytest.raises(PlanRefused, match=message) as refused:
        a_plan(parts, owed)
    assert "payment plan for bill 'B-1' refused" in str(refused.value)


def test_a_manager_above_the_limit_is_refused_with_the_audit_record_of_the_refusal() -> None:
    parts = ((date(2025, 9, 30), Money("100000.01")),)
    with pytest.raises(PermissionDenied, match="exceeds the authority limit 100000") as denied:
        a_plan(parts, "100000.01")
    assert denied.value.audit is not None
    assert denied.value.audit.decision is Decision.REFUSED


def test_standing_is_met_until_an_instalments_deadline_passes_unpaid() -> None:
    plan = a_plan()
    nothing = Money("0.00")
    assert standing(plan, paid=nothing, day=date(2025, 8, 31)).is_met  # due today: not missed
    late = standing(plan, paid=nothing, day=date(2025, 9, 1))
    assert late.missed is not None
    assert late.missed.number == 1
    assert late.explain() == (
        "instalment 1 of 300.00 CNY was due 2025-08-31; 0.00 CNY paid of 300.00 CNY due by "
        "2025-09-01"
    )
    assert standing(plan, paid=Money("300.00"), day=date(2025, 9, 30)).is_met
    second = standing(plan, paid=Money("999.99"), day=date(2025, 10, 1)).missed
    assert second is not None
    assert second.number == 2


def test_the_plan_completes_when_all_is_paid_and_defaults_only_on_a_miss() -> None:
    plan = a_plan()
    with pytest.raises(GuardRefused):
        complete_plan(plan, paid=Money("999.99"), at=AT, by="system")
    done = complete_plan(plan, paid=Money("1000.00"), at=AT, by="system")
    assert done.state is PlanState.COMPLETED
    assert done.history[-1].why == "全部分期已付清"
    with pytest.raises(TransitionNotAllowed):
        default_plan(done, paid=Money("0.00"), day=date(2025, 9, 1), at=AT, by="system")
    with pytest.raises(GuardRefused):
        default_plan(plan, paid=Money("300.00"), day=date(2025, 9, 1), at=AT, by="system")
    missed = default_plan(plan, paid=Money("0.00"), day=date(2025, 9, 1), at=AT, by="system")
    assert missed.state is PlanState.DEFAULTED
    assert "instalment 1" in missed.history[-1].why


def test_an_instalment_is_money_above_zero() -> None:
    with pytest.raises(InvalidInput, match="amount"):
        a_plan(((date(2025, 8, 31), Money("0.00")),), "0.01")


def test_the_machine_declares_three_states_two_final() -> None:
    assert PLAN_MACHINE.states == frozenset(PlanState)
    assert PLAN_MACHINE.finals == {PlanState.COMPLETED, PlanState.DEFAULTED}


def test_instalments_are_late_fee_bills_due_on_their_own_deadlines() -> None:
    bills = instalment_late_fee_bills(a_plan(), customer_kind=CustomerKind.NON_RESIDENTIAL)
    assert [(b.bill_id, b.due_date, b.principal) for b in bills] == [
        ("B-1/1", date(2025, 8, 31), Money("300.00")),
        ("B-1/2", date(2025, 9, 30), Money("700.00")),
    ]
    # nothing paid through 10 September: only instalment 1 accrues, 1–10 September at 2‰:
    # 300.00 × 0.002 × 10 = 6.00; instalment 2 is not yet due and bears none
    fees = assess_late_fees(bills, through=date(2025, 9, 10))
    assert [b.amount for b in fees.bills] == [Money("6.00"), Money("0.00")]
