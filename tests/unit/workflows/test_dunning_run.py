"""run_dunning over a memory store: reminder → notice → stop → payment → restore, once a day."""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.dunning import DunningState
from powerretail.errors import NotFound
from powerretail.quantities import Money
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.dunning import DUNNING_CASES, DUNNING_ORDERS, OrderKind
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.workflows.dunning import (
    AccountDunningFacts,
    DunningReport,
    record_restoration,
    run_dunning,
)
from powerretail.workflows.payments import post_payment

HEAD = Actor(id="h-1", name="Zhang", roles={"supply_office_head"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
DUE = date(2025, 3, 10)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(pendulum.datetime(2025, 3, 1, 9, tz="Asia/Shanghai"))


@pytest.fixture
def book() -> UnitOfWorkFactory:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for account in ("A-1", "A-2"):
            receivable = Receivable.open(account_id=account, customer_id=f"C-{account}")
            receivable = receivable.charge(f"B-{account}", Money("500.00"), dated=DUE)
            uow.repository(RECEIVABLES).add(receivable)
        uow.commit()
    return store.unit_of_work


def dun(
    book: UnitOfWorkFactory, clock: FixedClock, day: date, actor: Actor = HEAD, **kw: object
) -> DunningReport:
    return run_dunning(
        book,
        as_of=day,
        clock=clock,
        policy=SEED_POLICY,
        actor=actor,
        **kw,  # type: ignore[arg-type]
    )


def state(book: UnitOfWorkFactory, account: str = "A-1") -> DunningState:
    with book() as uow:
        return uow.repository(DUNNING_CASES).get(f"DUN-B-{account}").entity.case.state


def kinds(report: DunningReport, account: str = "A-1") -> list[str]:
    return [k for a, _o, k in report.orders if a == account]


def day(n: int) -> date:
    return DUE + timedelta(days=n)


def test_an_overdue_account_goes_reminder_notice_stop_payment_restore(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    assert dun(book, clock, DUE).orders == ()  # not overdue on its deadline
    assert kinds(dun(book, clock, day(1))) == ["reminder"]
    assert kinds(dun(book, clock, day(5))) == []  # reminded 4 days ago: interval is 10
    assert kinds(dun(book, clock, day(11))) == ["reminder"]
    assert kinds(dun(book, clock, day(30))) == ["reminder"]  # 30 days: no notice yet
    assert kinds(dun(book, clock, day(31))) == ["stop_notice"]
    assert state(book) is DunningState.STOP_NOTICE_SERVED
    assert kinds(dun(book, clock, day(33))) == []
    assert kinds(dun(book, clock, day(34))) == ["stop"]
    assert state(book) is DunningState.SUPPLY_STOPPED
    clock.set(pendulum.datetime(2025, 4, 14, 9, tz="Asia/Shanghai"))  # paid at 09:00 on day 35
    receipt = post_payment(
        book,
        clock=clock,
        key="pay-1",
        account_id="A-1",
        amount=Money("500.00"),
        received_on=day(35),
    )
    # the payment itself issues the restore order: the next run has nothing more to do
    assert receipt.restore_orders == ("DUN-B-A-1/2025-04-14/restore",)
    assert state(book) is DunningState.RESTORE_DUE
    assert kinds(dun(book, clock, day(35))) == []
    with book() as uow:
        order = uow.repository(DUNNING_ORDERS).get(receipt.restore_orders[0]).entity
        events = uow.outbox.events_for(DUNNING_CASES.kind, "DUN-B-A-1")
    assert order.kind is OrderKind.RESTORE
    assert order.due_at == pendulum.datetime(2025, 4, 18, tz="Asia/Shanghai")  # 3 days, 第69条
    assert [e.event_type for e in events] == [
        "DunningReminded",
        "DunningReminded",
        "DunningReminded",
        "DunningStopNoticeServed",
        "DunningFinalNoticeGiven",
        "DunningSupplyStopped",
        "DunningPaid",
    ]
    restored = record_restoration(
        book,
        case_id="DUN-B-A-1",
        clock=clock,
        policy=SEED_POLICY,
        actor=CLERK,
        at=pendulum.datetime(2025, 4, 15, 14, tz="Asia/Shanghai"),
    )
    assert restored.state is DunningState.RESTORED
    assert [r.target for r in restored.history][-1] is DunningState.RESTORED
    after = dun(book, clock, day(40))
    assert (kinds(after), after.refused) == ([], ())


def test_a_second_run_of_the_day_changes_nothing(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    first = dun(book, clock, day(1))
    assert dun(book, clock, day(1)) == first
    with book() as uow:
        assert len(uow.repository(DUNNING_ORDERS).keys()) == 2
        assert len(uow.outbox.events_for(DUNNING_CASES.kind, "DUN-B-A-1")) == 1


def test_a_late_restoration_is_a_breach_recorded_once(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    for n in (1, 31, 34):
        dun(book, clock, day(n), rules="SGCC2011", accounts=["A-1"])
    assert state(book) is DunningState.STOP_NOTICE_SERVED  # SGCC: 7 days' notice
    dun(book, clock, day(38), rules="SGCC2011", accounts=["A-1"])
    assert state(book) is DunningState.SUPPLY_STOPPED
    clock.set(pendulum.datetime(2025, 4, 18, 9, tz="Asia/Shanghai"))
    post_payment(
        book,
        clock=clock,
        key="pay-1",
        account_id="A-1",
        amount=Money("500.00"),
        received_on=day(39),
    )
    dun(book, clock, day(39), rules="SGCC2011", accounts=["A-1"])
    # paid at 09:00 on day 39: due at 09:00 on day 40, not yet late then
    assert kinds(dun(book, clock, day(40), rules="SGCC2011", accounts=["A-1"])) == []
    assert kinds(dun(book, clock, day(41), rules="SGCC2011", accounts=["A-1"])) == [
        "restore_breach"
    ]
    later = dun(book, clock, day(42), rules="SGCC2011", accounts=["A-1"])
    assert (later.orders, later.refused) == ((), ())
    with book() as uow:
        breach = uow.repository(DUNNING_ORDERS).get("DUN-B-A-1/restore_breach").entity
    assert "24 小时" in breach.source


def test_an_important_customer_without_the_authority_copy_is_not_noticed(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    facts = {
        "A-1": AccountDunningFacts(is_important=True),
        "A-2": AccountDunningFacts(is_important=True, authority_copy="抄送 2025-3"),
    }
    for n in (1, 11, 21):
        dun(book, clock, day(n), facts=facts)
    report = dun(book, clock, day(31), facts=facts)
    assert kinds(report, "A-1") == ["refused"]
    assert kinds(report, "A-2") == ["stop_notice"]
    with book() as uow:
        refused = (
            uow.repository(DUNNING_ORDERS)
            .get(next(o for a, o, _k in report.orders if a == "A-1"))
            .entity
        )
    assert "authority_copied" in refused.detail


def test_a_moved_out_customer_is_reminded_more_often_and_never_stopped(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    facts = {"A-1": AccountDunningFacts(is_moved_out=True)}
    made = [kinds(dun(book, clock, day(n), facts=facts, accounts=["A-1"])) for n in range(1, 61)]
    assert sum(k == ["reminder"] for k in made) == 12  # every 5 days for 60 days
    assert state(book) is DunningState.REMINDED


def test_a_stop_refused_for_want_of_the_permission_is_audited(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    for n in (1, 31):
        dun(book, clock, day(n), actor=CLERK, accounts=["A-1"])
    report = dun(book, clock, day(34), actor=CLERK, accounts=["A-1"])
    assert kinds(report) == ["refused"]
    assert state(book) is DunningState.STOP_NOTICE_SERVED
    with book() as uow:
        refusals = uow.audit.records(actor=CLERK.id, operation="stop_supply")
    assert [r.decision.value for r in refusals] == ["refused"]


def test_a_missed_week_makes_the_notice_stale_and_the_stop_is_refused(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    for n in (1, 31):
        dun(book, clock, day(n), accounts=["A-1"])
    report = dun(book, clock, day(45), accounts=["A-1"])
    assert kinds(report) == ["refused"]
    with book() as uow:
        order = uow.repository(DUNNING_ORDERS).get(report.orders[0][1]).entity
    assert "more than 7 days" in order.detail


def test_payment_before_the_stop_settles_and_unknown_accounts_are_reported(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    dun(book, clock, day(1), accounts=["A-1"])
    post_payment(
        book, clock=clock, key="pay-1", account_id="A-1", amount=Money("500.00"), received_on=day(3)
    )
    assert dun(book, clock, day(3), accounts=["A-1"]).orders == ()
    assert state(book) is DunningState.SETTLED
    report = dun(book, clock, day(3), accounts=["A-9"])
    assert report.refused[0][0] == "A-9"
    assert report.to_dict()["refused"] == [{"account_id": "A-9", "reason": report.refused[0][1]}]
    assert report.count(OrderKind.REMINDER) == 0
    with pytest.raises(NotFound):
        dun(book, clock, day(3), rules="XX")
    with pytest.raises(CommandRefused):
        record_restoration(
            book,
            case_id="DUN-B-A-1",
            clock=clock,
            policy=SEED_POLICY,
            actor=CLERK,
            at=pendulum.datetime(2025, 4, 1, tz="Asia/Shanghai"),
        )


def test_a_late_restoration_records_its_breach_and_a_later_move_out_stops_the_dunning(
    book: UnitOfWorkFactory, clock: FixedClock
) -> None:
    seen: list[str] = []
    for n in (1, 31, 34):
        dun(book, clock, day(n), accounts=["A-1", "A-2"], progress=seen.append)
    assert seen == ["A-1", "A-2"] * 3
    clock.set(pendulum.datetime(2025, 4, 14, 9, tz="Asia/Shanghai"))
    post_payment(
        book,
        clock=clock,
        key="pay-1",
        account_id="A-1",
        amount=Money("500.00"),
        received_on=day(35),
    )
    dun(book, clock, day(35), accounts=["A-1"])
    restored = record_restoration(
        book,
        case_id="DUN-B-A-1",
        clock=clock,
        policy=SEED_POLICY,
        actor=CLERK,
        at=pendulum.datetime(2025, 4, 18, 0, 0, 1, tz="Asia/Shanghai"),
    )
    assert restored.state is DunningState.RESTORED
    with book() as uow:
        breach = uow.repository(DUNNING_ORDERS).get("DUN-B-A-1/restore_breach").entity
    assert "late by 0:00:01" in breach.detail
    moved = {"A-2": AccountDunningFacts(is_moved_out=True)}
    assert state(book, "A-2") is DunningState.SUPPLY_STOPPED
    post_payment(
        book, clock=clock, key="pay-2", account_id="A-2", amount=Money("1.00"), received_on=day(36)
    )
    assert dun(book, clock, day(36), accounts=["A-2"], facts=moved).refused == ()
    with book() as uow:
        case = uow.repository(DUNNING_CASES).get("DUN-B-A-2").entity.case
    assert case.is_moved_out
