"""Payment plans on both stores: granted within authority, not dunned while met, late fees."""

from __future__ import annotations

from datetime import date

import pendulum
import pytest

from powerretail.access import GRANT_FLEXIBLE_PAYMENT_PLAN, SEED_POLICY, Actor, Decision
from powerretail.adapters.clocks import FixedClock
from powerretail.collections.allocation import ItemKind
from powerretail.collections.payment_plans import PlanState
from powerretail.errors import NotFound
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.collections import PAYMENT_PLANS
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.dunning import DUNNING_CASES
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.collections import grant_payment_plan
from powerretail.workflows.dunning import run_dunning
from powerretail.workflows.payments import (
    assess_account_late_fees,
    charge_late_fees,
    post_payment,
)
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import JULY, NOW, open_account, reads

BILL = "A-1-20250701"  # 246.04 元, issued 2025-08-01, due 2025-08-16
REGIONAL = Actor(id="kam-r", name="Zhou", roles={"regional_key_account_manager"})
COMPANY = Actor(id="kam-c", name="Qian", roles={"company_key_account_manager"})
CLERK = Actor(id="clerk", name="Li", roles={"customer_service"})
HEAD = Actor(id="head", name="Zhang", roles={"supply_office_head"})
TWO = ((date(2025, 8, 31), Money("100.00")), (date(2025, 9, 30), Money("146.04")))


def at(day: date, hour: int = 10) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, hour, tz="Asia/Shanghai")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def billed(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock) -> UnitOfWorkFactory:
    open_account(make_unit_of_work, clock)
    submit_reads(
        make_unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
    )
    run_billing_cycle(make_unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    return make_unit_of_work


def grant(
    book: UnitOfWorkFactory,
    clock: FixedClock,
    on: date,
    *,
    actor: Actor = REGIONAL,
    instalments: tuple[tuple[date, Money], ...] = TWO,
    bill: str = BILL,
    account: str = "A-1",
    key: str = "plan-1",
) -> dict[str, object]:
    clock.set(at(on))
    return dict(
        grant_payment_plan(
            book,
            clock=clock,
            key=key,
            account_id=account,
            bill_id=bill,
            instalments=instalments,
            actor=actor,
            policy=SEED_POLICY,
            why="客户资金周转困难，分两期",
        )
    )


def pay(book: UnitOfWorkFactory, clock: FixedClock, on: date, amount: str, key: str) -> None:
    clock.set(at(on, 11))
    post_payment(book, clock=clock, key=key, account_id="A-1", amount=Money(amount), received_on=on)


def fees(book: UnitOfWorkFactory, through: date) -> dict[str, Money]:
    assessed = assess_account_late_fees(book, account_id="A-1", through=through)
    assert assessed is not None
    return {b.bill_id: b.amount for b in assessed.bills}


def plan_state(book: UnitOfWorkFactory) -> PlanState:
    with book() as uow:
        return uow.repository(PAYMENT_PLANS).get(f"PLAN-{BILL}").entity.plan.state


class TestLateFeesUnderAPlan:
    def test_no_late_fee_on_an_instalment_not_yet_due(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        result = grant(billed, clock, date(2025, 8, 10))
        assert result["late_fee_charged"] == "0.00"
        # the bill's deadline (16 August) has passed, no instalment's has: no late fee (without
        # the plan: 246.04 × 0.002 × 15 days = 7.38)
        assert fees(billed, date(2025, 8, 31)) == {
            f"{BILL}/1": Money("0.00"),
            f"{BILL}/2": Money("0.00"),
        }
        pay(billed, clock, date(2025, 8, 31), "100.00", "pay-1")
        assert fees(billed, date(2025, 9, 30)) == {
            f"{BILL}/1": Money("0.00"),  # paid on its deadline
            f"{BILL}/2": Money("0.00"),  # its deadline is today
        }

    def test_a_missed_instalment_accrues_from_its_own_deadline(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        grant(billed, clock, date(2025, 8, 10))
        pay(billed, clock, date(2025, 8, 31), "100.00", "pay-1")
        # instalment 2 (146.04, due 30 September) unpaid 1–10 October: 146.04 × 0.002 × 10
        # = 2.9208 → 2.92 (《供电营业规则》第98条, 2‰ a day for a non-residential user)
        assert fees(billed, date(2025, 10, 10)) == {
            f"{BILL}/1": Money("0.00"),
            f"{BILL}/2": Money("2.92"),
        }

    def test_a_late_first_instalment_pays_its_own_late_fee(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        grant(billed, clock, date(2025, 8, 10))
        pay(billed, clock, date(2025, 9, 4), "100.00", "pay-1")
        # 100.00 unpaid 1–4 September: 100 × 0.002 × 4 = 0.80, raised to the 1-yuan minimum
        assert fees(billed, date(2025, 9, 10))[f"{BILL}/1"] == Money("1.00")
        result = charge_late_fees(billed, clock=clock, account_id="A-1", as_of=date(2025, 9, 10))
        assert result["charged"] == {f"{BILL}/1": "1.00"}

    def test_a_plan_granted_after_the_deadline_keeps_the_late_fee_accrued_so_far(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        # 17–26 August on 246.04: 246.04 × 0.002 × 10 = 4.9208 → 4.92, charged at the grant
        result = grant(billed, clock, date(2025, 8, 26))
        assert result["late_fee_charged"] == "4.92"
        with billed() as uow:
            receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
        item = receivable.item(BILL, ItemKind.LATE_FEE)
        assert item is not None
        assert item.amount == Money("4.92")
        assert receivable.reconciles
        # a second charge run does not charge the bill again: its instalments took over
        again = charge_late_fees(billed, clock=clock, account_id="A-1", as_of=date(2025, 8, 27))
        assert again["charged"] == {}


class TestDunningUnderAPlan:
    def test_a_met_plan_is_skipped_saying_why_and_a_missed_instalment_resumes_dunning(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        grant(billed, clock, date(2025, 8, 10))
        pay(billed, clock, date(2025, 8, 31), "100.00", "pay-1")
        report = run_dunning(
            billed, as_of=date(2025, 9, 5), clock=clock, policy=SEED_POLICY, actor=HEAD
        )
        assert report.orders == ()
        ((account, bill, why),) = report.skipped
        assert (account, bill) == ("A-1", BILL)
        assert "payment plan met on 2025-09-05: 100.00 CNY paid of 100.00 CNY due" in why
        assert report.to_dict()["skipped"] == [
            {"account_id": "A-1", "bill_id": BILL, "reason": why}
        ]
        with billed() as uow:
            assert uow.repository(DUNNING_CASES).find(f"DUN-{BILL}") is None
        # instalment 2 was due 30 September: on 1 October the plan is missed, dunning resumes
        resumed = run_dunning(
            billed, as_of=date(2025, 10, 1), clock=clock, policy=SEED_POLICY, actor=HEAD
        )
        assert [k for _a, _o, k in resumed.orders] == ["reminder"]
        assert resumed.skipped == ()
        assert plan_state(billed) is PlanState.DEFAULTED
        with billed() as uow:
            case = uow.repository(DUNNING_CASES).get(f"DUN-{BILL}").entity.case
            events = [
                e.event_type for e in uow.outbox.events_for(PAYMENT_PLANS.kind, f"PLAN-{BILL}")
            ]
        assert case.due_date == date(2025, 9, 30)  # overdue days count from the missed one
        assert events == ["PaymentPlanGranted", "PaymentPlanDefaulted"]

    def test_paying_the_last_instalment_completes_the_plan(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        grant(billed, clock, date(2025, 8, 10))
        pay(billed, clock, date(2025, 8, 31), "100.00", "pay-1")
        pay(billed, clock, date(2025, 9, 29), "146.04", "pay-2")
        assert plan_state(billed) is PlanState.COMPLETED
        report = run_dunning(
            billed, as_of=date(2025, 10, 5), clock=clock, policy=SEED_POLICY, actor=HEAD
        )
        assert (report.orders, report.skipped) == ((), ())


@pytest.fixture
def big(make_unit_of_work: UnitOfWorkFactory) -> UnitOfWorkFactory:
    with make_unit_of_work() as uow:
        receivable = Receivable.open(account_id="K-1", customer_id="C-K")
        receivable = receivable.charge("B-K", Money("150000.00"), dated=date(2025, 8, 16))
        uow.repository(RECEIVABLES).add(receivable)
        uow.commit()
    return make_unit_of_work


BIG = ((date(2025, 9, 30), Money("50000.00")), (date(2025, 10, 31), Money("100000.00")))


class TestAuthority:
    def test_a_clerk_may_not_grant_a_plan_and_the_refusal_is_audited(
        self, big: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused, match="no role grants it"):
            grant(
                big,
                clock,
                date(2025, 8, 10),
                actor=CLERK,
                instalments=BIG,
                bill="B-K",
                account="K-1",
            )
        with big() as uow:
            (record,) = uow.audit.records(operation=GRANT_FLEXIBLE_PAYMENT_PLAN)
            assert uow.repository(PAYMENT_PLANS).find("PLAN-B-K") is None
        assert (record.actor, record.decision) == ("clerk", Decision.REFUSED)

    def test_a_regional_manager_is_refused_above_the_limit_and_a_company_manager_granted(
        self, big: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(CommandRefused, match="exceeds the authority limit 100000"):
            grant(big, clock, date(2025, 8, 10), instalments=BIG, bill="B-K", account="K-1")
        result = grant(
            big,
            clock,
            date(2025, 8, 10),
            actor=COMPANY,
            instalments=BIG,
            bill="B-K",
            account="K-1",
            key="plan-2",
        )
        assert result["plan_id"] == "PLAN-B-K"
        with big() as uow:
            records = uow.audit.records(operation=GRANT_FLEXIBLE_PAYMENT_PLAN)
        assert [(r.actor, r.decision, r.magnitude) for r in records] == [
            ("kam-r", Decision.REFUSED, Money("150000.00").amount),
            ("kam-c", Decision.GRANTED, Money("150000.00").amount),
        ]
        assert records[1].granted_by == "company_key_account_manager"

    def test_a_plan_that_reduces_the_arrears_is_refused_naming_the_rule(
        self, big: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        short = ((date(2025, 9, 30), Money("100000.00")),)
        with pytest.raises(CommandRefused, match="不得同意减、免欠费"):
            grant(
                big,
                clock,
                date(2025, 8, 10),
                actor=COMPANY,
                instalments=short,
                bill="B-K",
                account="K-1",
            )

    def test_one_plan_per_bill_and_a_retry_returns_the_first_answer(
        self, big: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        kwargs = {"actor": COMPANY, "instalments": BIG, "bill": "B-K", "account": "K-1"}
        first = grant(big, clock, date(2025, 8, 10), **kwargs)  # type: ignore[arg-type]
        assert grant(big, clock, date(2025, 8, 10), **kwargs) == first  # type: ignore[arg-type]
        with pytest.raises(CommandRefused, match="already has a payment plan"):
            grant(big, clock, date(2025, 8, 10), key="plan-3", **kwargs)  # type: ignore[arg-type]


class TestEdges:
    def test_a_bill_that_owes_nothing_has_no_plan(
        self, big: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with pytest.raises(NotFound, match="open bill"):
            grant(big, clock, date(2025, 8, 10), actor=COMPANY, bill="B-X", account="K-1")

    def test_a_plan_whose_bill_is_cleared_otherwise_is_completed_by_the_run(
        self, big: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        grant(
            big, clock, date(2025, 8, 10), actor=COMPANY, instalments=BIG, bill="B-K", account="K-1"
        )
        with big() as uow:  # a credit note, not a payment, clears the bill
            receivable, version = uow.repository(RECEIVABLES).get(AccountId("K-1"))
            cleared = receivable.credit_note("B-K", Money("150000.00"))
            uow.repository(RECEIVABLES).save(cleared, version)
            uow.commit()
        report = run_dunning(
            big, as_of=date(2025, 9, 5), clock=clock, policy=SEED_POLICY, actor=HEAD
        )
        assert (report.orders, report.skipped) == ((), ())
        with big() as uow:
            plan = uow.repository(PAYMENT_PLANS).get("PLAN-B-K").entity.plan
        assert plan.state is PlanState.COMPLETED

    def test_payments_before_the_grant_are_not_paid_under_the_plan(
        self, billed: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        pay(billed, clock, date(2025, 8, 5), "46.04", "pay-0")  # before the plan
        result = grant(
            billed,
            clock,
            date(2025, 8, 10),
            instalments=((date(2025, 8, 31), Money("200.00")),),
        )
        assert result["principal"] == "200.00"
        # instalment 1 (200.00, due 31 August) unpaid 1–5 September: 200 × 0.002 × 5 = 2.00;
        # the 46.04 paid before the grant does not count towards it
        assert fees(billed, date(2025, 9, 5)) == {f"{BILL}/1": Money("2.00")}
