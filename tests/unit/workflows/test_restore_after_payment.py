"""A payment that clears a stopped account's arrears issues the restore order at once, on its clock.

24 hours under the State Grid commitments, 12 under China Southern Grid, 3 days under
《供电营业规则》(1996) 第69条, and 24 hours after the theft charges are paid after a stop for theft.
"""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
import pytest

from powerretail.access import SEED_POLICY, STOP_SUPPLY, Actor, Decision
from powerretail.adapters.clocks import FixedClock
from powerretail.collections.dunning import DunningState, StopReason
from powerretail.errors import NotFound
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.dunning import DUNNING_CASES, DUNNING_ORDERS, OrderKind
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.collections import apply_deposit, hold_deposit, stop_for_theft
from powerretail.workflows.dunning import record_restoration, run_dunning
from powerretail.workflows.payments import PaymentReceipt, post_payment

HEAD = Actor(id="h-1", name="Zhang", roles={"supply_office_head"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
DUE = date(2025, 3, 10)
TZ = "Asia/Shanghai"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(pendulum.datetime(2025, 3, 1, 9, tz=TZ))


@pytest.fixture
def book(make_unit_of_work: UnitOfWorkFactory) -> UnitOfWorkFactory:
    with make_unit_of_work() as uow:
        receivable = Receivable.open(account_id="A-1", customer_id="C-1")
        receivable = receivable.charge("B-1", Money("500.00"), dated=DUE)
        receivable = receivable.charge("THEFT-1", Money("3200.00"), dated=DUE)
        uow.repository(RECEIVABLES).add(receivable)
        uow.commit()
    return make_unit_of_work


def stop_theft(book: UnitOfWorkFactory, clock: FixedClock, actor: Actor = HEAD) -> None:
    clock.set(pendulum.datetime(2025, 3, 12, 15, tz=TZ))
    stop_for_theft(
        book,
        clock=clock,
        key=f"theft-{actor.id}",
        account_id="A-1",
        bill_id="THEFT-1",
        actor=actor,
        policy=SEED_POLICY,
        why="现场查获绕越计量窃电",
    )


def pay(
    book: UnitOfWorkFactory, clock: FixedClock, at: pendulum.DateTime, amount: str, key: str
) -> PaymentReceipt:
    clock.set(at)
    return post_payment(
        book, clock=clock, key=key, account_id="A-1", amount=Money(amount), received_on=at.date()
    )


def test_a_stop_for_theft_needs_the_permission_and_a_refusal_is_audited(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    with pytest.raises(CommandRefused, match="may not stop_supply"):
        stop_theft(book, clock, actor=CLERK)
    with book() as uow:
        (record,) = uow.audit.records(operation=STOP_SUPPLY)
        assert uow.repository(DUNNING_CASES).find("DUN-THEFT-1") is None
    assert (record.actor, record.decision) == ("c-1", Decision.REFUSED)
    stop_theft(book, clock)
    with book() as uow:
        case = uow.repository(DUNNING_CASES).get("DUN-THEFT-1").entity.case
        granted = uow.audit.records(operation=STOP_SUPPLY)[-1]
        (order,) = uow.repository(DUNNING_ORDERS).query(case_id="DUN-THEFT-1")
    assert (case.state, case.stop_reason) == (DunningState.SUPPLY_STOPPED, StopReason.THEFT)
    assert (granted.actor, granted.decision) == ("h-1", Decision.GRANTED)
    assert order.entity.kind is OrderKind.STOP
    assert "第66条" in order.entity.source


def test_paying_the_theft_charges_restores_within_24_hours_and_late_is_a_breach(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    stop_theft(book, clock)
    paid_at = pendulum.datetime(2025, 3, 13, 10, 30, tz=TZ)
    partial = pay(book, clock, paid_at, "3000.00", "pay-1")
    # oldest first: 500.00 settles B-1, 2500.00 goes to the theft charges, 700.00 still owed
    assert partial.restore_orders == ()
    receipt = pay(book, clock, paid_at.add(minutes=5), "700.00", "pay-2")
    (order_id,) = receipt.restore_orders
    with book() as uow:
        order = uow.repository(DUNNING_ORDERS).get(order_id).entity
        case = uow.repository(DUNNING_CASES).get("DUN-THEFT-1").entity.case
    assert case.state is DunningState.RESTORE_DUE
    assert order.kind is OrderKind.RESTORE
    assert order.due_at == paid_at.add(minutes=5, hours=24)  # 24 h, not the 3 days of 第69条
    assert "24 小时" in order.source
    assert "窃电费用已结清" in order.detail
    restored = record_restoration(
        book,
        case_id="DUN-THEFT-1",
        clock=clock,
        policy=SEED_POLICY,
        actor=CLERK,
        at=paid_at.add(minutes=5, hours=25),
    )
    assert restored.state is DunningState.RESTORED
    with book() as uow:
        breach = uow.repository(DUNNING_ORDERS).get("DUN-THEFT-1/restore_breach").entity
    assert "late by 1:00:00" in breach.detail


def stopped_for_arrears(book: UnitOfWorkFactory, clock: FixedClock, rules: str) -> None:
    with book() as uow:  # the theft item is not part of these scenarios
        receivable, version = uow.repository(RECEIVABLES).get("A-1")  # type: ignore[arg-type]
        uow.repository(RECEIVABLES).save(receivable.write_off("THEFT-1", Money("3200.00")), version)
        uow.commit()
    for n in (1, 31, 38):
        run_dunning(
            book,
            as_of=DUE + timedelta(days=n),
            clock=clock,
            policy=SEED_POLICY,
            actor=HEAD,
            rules=rules,
        )
    with book() as uow:
        assert uow.repository(DUNNING_CASES).get("DUN-B-1").entity.case.state is (
            DunningState.SUPPLY_STOPPED
        )


@pytest.mark.parametrize(
    ("rules", "limit"),
    [
        ("SGCC2011", timedelta(hours=24)),
        ("CSG", timedelta(hours=12)),
    ],
)
def test_an_arrears_restore_is_due_by_the_rule_sets_limit_from_the_payment(
    book: UnitOfWorkFactory, clock: FixedClock, rules: str, limit: timedelta
) -> None:
    stopped_for_arrears(book, clock, rules)
    paid_at = pendulum.datetime(2025, 4, 18, 16, 20, tz=TZ)
    receipt = pay(book, clock, paid_at, "500.00", "pay-1")
    (order_id,) = receipt.restore_orders
    with book() as uow:
        order = uow.repository(DUNNING_ORDERS).get(order_id).entity
    assert order.due_at == paid_at + limit
    # the next run sees the restore order issued and issues no other
    later = run_dunning(
        book, as_of=date(2025, 4, 18), clock=clock, policy=SEED_POLICY, actor=HEAD, rules=rules
    )
    assert later.orders == ()


def test_a_legal_restore_is_due_3_days_after_the_payment(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    stopped_for_arrears(book, clock, "GYGZ1996")
    paid_at = pendulum.datetime(2025, 4, 18, 16, 20, tz=TZ)
    (order_id,) = pay(book, clock, paid_at, "500.00", "pay-1").restore_orders
    with book() as uow:
        order = uow.repository(DUNNING_ORDERS).get(order_id).entity
    assert order.due_at == pendulum.datetime(2025, 4, 22, tz=TZ)  # 3 calendar days, 第69条
    assert "第69条" in order.source


def test_a_clock_behind_the_stop_never_starts_the_restore_clock_before_it(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    stop_theft(book, clock)  # stopped at 15:00 on 12 March
    receipt = pay(book, clock, pendulum.datetime(2025, 3, 1, 9, tz=TZ), "3700.00", "pay-1")
    (order_id,) = receipt.restore_orders
    with book() as uow:
        case = uow.repository(DUNNING_CASES).get("DUN-THEFT-1").entity.case
        order = uow.repository(DUNNING_ORDERS).get(order_id).entity
    assert case.paid_at == case.stopped_at
    assert order.due_at == pendulum.datetime(2025, 3, 13, 15, tz=TZ)


def test_a_theft_stop_needs_an_open_bill_and_a_bill_not_yet_dunned(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    with pytest.raises(NotFound, match="open bill"):
        stop_for_theft(
            book,
            clock=clock,
            key="theft-x",
            account_id="A-1",
            bill_id="B-X",
            actor=HEAD,
            policy=SEED_POLICY,
            why="窃电",
        )
    run_dunning(book, as_of=DUE + timedelta(days=1), clock=clock, policy=SEED_POLICY, actor=HEAD)
    with pytest.raises(CommandRefused, match="already dunned"):
        stop_for_theft(
            book,
            clock=clock,
            key="theft-b",
            account_id="A-1",
            bill_id="B-1",
            actor=HEAD,
            policy=SEED_POLICY,
            why="窃电",
        )


def test_a_stopped_bill_cleared_by_a_credit_note_is_restored_by_the_next_run(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    stop_theft(book, clock)
    with book() as uow:
        receivable, version = uow.repository(RECEIVABLES).get(AccountId("A-1"))
        cleared = receivable.credit_note("THEFT-1", Money("3200.00"))
        uow.repository(RECEIVABLES).save(cleared, version)
        uow.commit()
    report = run_dunning(
        book,
        as_of=date(2025, 3, 13),
        clock=clock,
        policy=SEED_POLICY,
        actor=HEAD,
        accounts=["A-1"],
    )
    restore = [o for _a, o, k in report.orders if k == "restore"]
    assert restore == ["DUN-THEFT-1/2025-03-13/restore"]


def stopped_holding(book: UnitOfWorkFactory, clock: FixedClock, deposit: str) -> None:
    """Stop A-1 for theft, then hold its ``deposit`` under a contract clause."""
    stop_theft(book, clock)
    hold_deposit(
        book,
        clock=clock,
        key="dep-1",
        account_id="A-1",
        amount=Money(deposit),
        on=date(2025, 3, 12),
        contract_clause="供用电合同 第12条 保证金",
    )


def test_a_deposit_applied_that_clears_the_theft_charges_restores_like_a_payment(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    stopped_holding(book, clock, "4000.00")
    applied_at = pendulum.datetime(2025, 3, 14, 16, tz=TZ)
    clock.set(applied_at)

    applied = apply_deposit(book, clock=clock, key="dep-2", account_id="A-1", on=applied_at.date())

    (order_id,) = applied["restore_orders"]  # type: ignore[misc]
    with book() as uow:
        order = uow.repository(DUNNING_ORDERS).get(str(order_id)).entity
        case = uow.repository(DUNNING_CASES).get("DUN-THEFT-1").entity.case
        paid = [e for e in uow.outbox.unpublished() if e.event_type == "DunningPaid"]
        receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
    assert (applied["amount"], applied["left"]) == ("3700.00", "300.00")
    assert receivable.owed == Money("0.00")
    assert case.state is DunningState.RESTORE_DUE
    assert (order.kind, order.issued_at, order.due_at) == (
        OrderKind.RESTORE,
        applied_at,
        applied_at.add(hours=24),
    )
    assert "窃电费用已结清" in order.detail
    (event,) = paid
    assert event.occurred_at == applied_at
    assert event.payload["to"] == DunningState.RESTORE_DUE.value
    assert event.event_id == "E-dunning_run:payment/deposit/dep-2/DUN-THEFT-1/PAY-DunningPaid"


def test_a_deposit_that_leaves_the_theft_charges_owed_issues_no_restore(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    stopped_holding(book, clock, "1000.00")

    applied = apply_deposit(book, clock=clock, key="dep-2", account_id="A-1", on=date(2025, 3, 13))

    assert "restore_orders" not in applied
    with book() as uow:
        case = uow.repository(DUNNING_CASES).get("DUN-THEFT-1").entity.case
    assert case.state is DunningState.SUPPLY_STOPPED
