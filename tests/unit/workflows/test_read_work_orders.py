"""The meter-reading workflow raises the work orders its findings ask for, once, and gives the
seed's rules the large-customer flag and last year's figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pendulum
import pytest
from dateutil.relativedelta import relativedelta

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.errors import InvalidInput
from powerretail.metering.meters import RegisterKind
from powerretail.metering.reads import ReadSource, RegisterRead
from powerretail.metering.rules import SEED_RULES
from powerretail.metering.vee import WorkOrderKind
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.work_orders import WORK_ORDERS
from powerretail.service.work_orders import Origin, WorkOrderEvent, WorkOrderState
from powerretail.workflows.reads import (
    ReadSubmission,
    estimate_reads,
    is_large_customer,
    same_period_last_year,
    submit_reads,
)
from powerretail.workflows.work_orders import (
    list_work_orders,
    raise_from_case,
    raise_from_inspection,
    step_work_order,
)
from tests.unit.workflows.conftest import a_meter, midnight, open_account, reads

MANAGER = Actor(id="mm-1", name="Zhou", roles={"marketing_manager"})
READER = Actor(id="reader-1", name="Zhang", roles={"customer_service"})


def stored_kinds(store: MemoryStore) -> list[WorkOrderKind]:
    return [order.kind for order in list_work_orders(store.unit_of_work)]


def monthly(start: date, increments: list[int], base: tuple[int, int, int]) -> list[RegisterRead]:
    """Reads on the 1st of each month after ``start``, each register up by the increment."""
    made: list[RegisterRead] = []
    values = list(base)
    for months, step in enumerate(increments, start=1):
        values = [v + step for v in values]
        made.extend(reads("M-A-1", start + relativedelta(months=months), [str(v) for v in values]))
    return made


class TestUnreadCycles:
    def test_two_unread_cycles_raise_one_exception_ticket_six_the_termination_notice(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, start_day=date(2025, 1, 1))
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 2, 1), ("1100", "2200", "560")),
        )
        raised: list[list[WorkOrderKind]] = []
        for month in range(3, 9):  # March to August unread
            estimate_reads(
                store.unit_of_work,
                meter_id="M-A-1",
                at=midnight(date(2025, month, 1)),
                rule_set=SEED_RULES,
            )
            raised.append(stored_kinds(store))

        assert raised[0] == []  # one unread cycle: nothing yet
        assert raised[1] == [WorkOrderKind.EXCEPTION_TICKET]  # the second: the ticket
        assert raised[2] == raised[1]  # a third does not raise a second ticket
        assert sorted(raised[-1], key=lambda k: k.value) == [
            WorkOrderKind.EXCEPTION_TICKET,
            WorkOrderKind.SUPPLY_TERMINATION_PROPOSAL,
        ]
        (ticket,) = [
            o for o in list_work_orders(store.unit_of_work) if o.kind.value.startswith("e")
        ]
        assert ticket.subject == "M-A-1"
        assert ticket.origin is Origin.VEE
        assert "SEED-UNREAD-2" in ticket.detail
        assert ticket.created_at == midnight(date(2025, 4, 1))

    def test_estimating_the_same_cycle_again_raises_nothing_more(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, start_day=date(2025, 1, 1))
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 2, 1), ("1100", "2200", "560")),
        )
        for month in (3, 4, 4, 3):
            estimate_reads(
                store.unit_of_work,
                meter_id="M-A-1",
                at=midnight(date(2025, month, 1)),
                rule_set=SEED_RULES,
            )
        assert stored_kinds(store) == [WorkOrderKind.EXCEPTION_TICKET]

    def test_without_a_rule_set_estimates_raise_nothing(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, start_day=date(2025, 1, 1))
        submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 2, 1), ("1100", "2200", "560")),
        )
        for month in (3, 4, 5):
            estimate_reads(store.unit_of_work, meter_id="M-A-1", at=midnight(date(2025, month, 1)))
        assert stored_kinds(store) == []


def book_with_last_year(
    store: MemoryStore, clock: FixedClock, *, step: int, june_2024_step: int
) -> ReadSubmission:
    """A meter read monthly from June 2024: each register up by ``step`` a month, except the
    period ending 1 July 2024 (``june_2024_step``)."""
    open_account(store.unit_of_work, clock, start_day=date(2024, 6, 1))
    steps = [june_2024_step] + [step] * 12  # periods ending 2024-07-01 … 2025-07-01
    return submit_reads(
        store.unit_of_work,
        clock=clock,
        reads=monthly(date(2024, 6, 1), steps, (1000, 2000, 500)),
        rule_set=SEED_RULES,
    )


class TestYearOnYearAndLargeCustomers:
    def test_a_change_against_the_same_month_last_year_fires_and_raises_an_analysis(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        submission = book_with_last_year(store, clock, step=100, june_2024_step=50)
        year_on_year = [f for f in submission.findings if "the same month last year" in f.message]
        # June 2025 (100 a register) against June 2024 (50): +100 %, on each register of the
        # read of 1 July 2025, the only period with a year-ago twin in the store.
        assert len(year_on_year) == 3
        assert all("2025-07-01" in f.subject for f in year_on_year)
        # July 2024 against June 2024 (+100 %) raised the analysis; while it is open, no second.
        (analysis,) = list_work_orders(store.unit_of_work)
        assert analysis.kind is WorkOrderKind.CONSUMPTION_ANALYSIS
        assert "against last month" in analysis.detail

    def test_an_open_analysis_done_lets_the_next_change_raise_another(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, start_day=date(2024, 6, 1))
        first = submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=monthly(date(2024, 6, 1), [50, 100], (1000, 2000, 500)),
            rule_set=SEED_RULES,
        )
        (order_id,) = first.work_orders
        now = pendulum.instance(clock.now())
        steps: list[tuple[WorkOrderEvent, Actor, dict[str, str]]] = [
            (WorkOrderEvent.DISPATCH, MANAGER, {"assignee": "reader-1"}),
            (WorkOrderEvent.COMPLETE, READER, {"result": "new production line"}),
            (WorkOrderEvent.VERIFY, MANAGER, {}),
        ]
        for step, actor, extra in steps:
            step_work_order(
                store.unit_of_work,
                clock=clock,
                order_id=order_id,
                step=step,
                at=now,
                policy=SEED_POLICY,
                actor=actor,
                **extra,
            )
        later = submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2024, 9, 1), ("1400", "2400", "900")),  # +250: +150 %
            rule_set=SEED_RULES,
        )
        assert len(later.work_orders) == 1
        assert len(list_work_orders(store.unit_of_work)) == 2

    def test_a_large_customer_is_checked_weekly(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        # 2000 a register a month: 6000 kWh a month in 2024, a large customer (>= 4000).
        book_with_last_year(store, clock, step=2000, june_2024_step=2000)
        submission = submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 7, 8), ("26000", "27000", "25500")),  # +1000 in 7 days
            rule_set=SEED_RULES,
        )
        assert "SEED-LARGE-WEEKLY" in {f.rule_id for f in submission.findings}
        assert submission.work_orders  # the consumption analysis

    def test_a_small_customer_is_not_checked_weekly(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        # 100 a register a month: 300 kWh a month, not large.
        book_with_last_year(store, clock, step=100, june_2024_step=100)
        submission = submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=reads("M-A-1", date(2025, 7, 8), ("2300", "3300", "1800")),
            rule_set=SEED_RULES,
        )
        assert "SEED-LARGE-WEEKLY" not in {f.rule_id for f in submission.findings}

    def test_submitting_the_same_reads_again_raises_no_duplicates(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        book_with_last_year(store, clock, step=100, june_2024_step=50)
        before = [o.id for o in list_work_orders(store.unit_of_work)]
        again = submit_reads(
            store.unit_of_work,
            clock=clock,
            reads=monthly(date(2024, 6, 1), [50] + [100] * 12, (1000, 2000, 500)),
            rule_set=SEED_RULES,
        )
        assert again.work_orders == ()
        assert [o.id for o in list_work_orders(store.unit_of_work)] == before


class TestFiguresFromTheStore:
    def test_large_customer_threshold_at_its_edge(self) -> None:
        meter = a_meter("M-X")

        def read(day: date, value: int) -> RegisterRead:
            return RegisterRead(
                meter_id="M-X",
                register=RegisterKind.PEAK,
                read_at=midnight(day),
                value=value,
                source=ReadSource.ACTUAL,
                produced_by="reader",
            )

        at_edge = [read(date(2025, 1, 1), 0), read(date(2025, 2, 1), 4000)]
        below = [read(date(2025, 1, 1), 0), read(date(2025, 2, 1), 3999)]
        when = midnight(date(2026, 3, 1))
        assert is_large_customer(meter, at_edge, at=when)  # 以上 includes 4000
        assert not is_large_customer(meter, below, at=when)
        assert not is_large_customer(meter, at_edge, at=midnight(date(2027, 3, 1)))  # not last year

    def test_same_period_last_year_needs_both_ends_within_three_days(self) -> None:
        meter = a_meter("M-X")

        def read(day: date, value: int) -> RegisterRead:
            return RegisterRead(
                meter_id="M-X",
                register=RegisterKind.PEAK,
                read_at=midnight(day),
                value=value,
                source=ReadSource.ACTUAL,
                produced_by="reader",
            )

        history = [
            read(date(2024, 6, 3), 0),
            read(date(2024, 7, 4), 310),
            read(date(2025, 6, 1), 900),
        ]
        current = read(date(2025, 7, 1), 1200)
        assert same_period_last_year(meter, current, history) is not None
        assert same_period_last_year(meter, current, history).kwh == Decimal(310)  # type: ignore[union-attr]
        far = [read(date(2024, 6, 5), 0), *history[1:]]
        assert same_period_last_year(meter, current, far) is None


class TestRaisingAndMoving:
    def test_from_an_inspection_and_a_case_once_each(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        first = raise_from_inspection(
            store.unit_of_work,
            clock=clock,
            inspection_id="INS-1",
            kind=WorkOrderKind.FIELD_VISIT,
            subject="SP-1",
            detail="seal broken",
        )
        again = raise_from_inspection(
            store.unit_of_work,
            clock=clock,
            inspection_id="INS-1",
            kind=WorkOrderKind.FIELD_VISIT,
            subject="SP-1",
            detail="seal broken",
        )
        case = raise_from_case(
            store.unit_of_work,
            clock=clock,
            case_id="CASE-7",
            kind=WorkOrderKind.METER_TEST,
            subject="M-1",
            detail="meter disputed",
        )
        assert first.id == again.id
        assert len(list_work_orders(store.unit_of_work)) == 2
        with store.unit_of_work() as uow:
            (by_case,) = uow.repository(WORK_ORDERS).query(source_case_id="CASE-7")
        assert by_case.entity.order.id == case.id

    def test_steps_are_audited_and_a_refusal_is_audited_too(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        order = raise_from_case(
            store.unit_of_work,
            clock=clock,
            case_id="CASE-7",
            kind=WorkOrderKind.METER_TEST,
            subject="M-1",
            detail="meter disputed",
        )
        now = pendulum.instance(clock.now())
        step_work_order(
            store.unit_of_work,
            clock=clock,
            order_id=order.id,
            step=WorkOrderEvent.DISPATCH,
            at=now,
            policy=SEED_POLICY,
            actor=MANAGER,
            assignee="reader-1",
        )
        step_work_order(
            store.unit_of_work,
            clock=clock,
            order_id=order.id,
            step=WorkOrderEvent.COMPLETE,
            at=now.add(hours=1),
            policy=SEED_POLICY,
            actor=READER,
            result="tested: within class 1",
        )
        with pytest.raises(CommandRefused, match="PermissionDenied"):
            step_work_order(
                store.unit_of_work,
                clock=clock,
                order_id=order.id,
                step=WorkOrderEvent.VERIFY,
                at=now.add(hours=2),
                policy=SEED_POLICY,
                actor=READER,
            )
        verified = step_work_order(
            store.unit_of_work,
            clock=clock,
            order_id=order.id,
            step=WorkOrderEvent.VERIFY,
            at=now.add(hours=3),
            policy=SEED_POLICY,
            actor=MANAGER,
        )
        assert verified.state is WorkOrderState.VERIFIED
        with store.unit_of_work() as uow:
            audit = uow.audit.records()
        decisions = [(r.actor, r.operation, r.decision.value) for r in audit]
        assert ("reader-1", "verify_work_order", "refused") in decisions
        assert ("mm-1", "verify_work_order", "granted") in decisions
        assert list_work_orders(store.unit_of_work, open_only=True) == ()

    def test_a_step_that_is_not_a_work_order_event_is_refused(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        with pytest.raises(InvalidInput):
            step_work_order(
                store.unit_of_work,
                clock=clock,
                order_id="x",
                step="dispatch",  # type: ignore[arg-type]
                at=clock.now(),
                policy=SEED_POLICY,
                actor=MANAGER,
            )


class TestReopenAndCancelInTheStore:
    def test_a_failed_verification_reopens_and_a_new_order_can_be_cancelled(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        order = raise_from_inspection(
            store.unit_of_work,
            clock=clock,
            inspection_id="INS-2",
            kind=WorkOrderKind.METER_CHANGE_RECORD,
            subject="M-9",
            detail="meter replaced, no record",
        )
        now = pendulum.instance(clock.now())
        for offset, event, actor, extra in (
            (0, WorkOrderEvent.DISPATCH, MANAGER, {"assignee": "reader-1"}),
            (1, WorkOrderEvent.COMPLETE, READER, {"result": "recorded"}),
            (2, WorkOrderEvent.REOPEN, MANAGER, {"why": "wrong serial"}),
        ):
            moved = step_work_order(
                store.unit_of_work,
                clock=clock,
                order_id=order.id,
                step=event,
                at=now.add(hours=offset),
                policy=SEED_POLICY,
                actor=actor,
                **extra,
            )
        assert moved.state is WorkOrderState.DISPATCHED
        cancelled = step_work_order(
            store.unit_of_work,
            clock=clock,
            order_id=order.id,
            step=WorkOrderEvent.CANCEL,
            at=now.add(hours=3),
            policy=SEED_POLICY,
            actor=MANAGER,
        )
        assert cancelled.state is WorkOrderState.CANCELLED
        # the same inspection again: the id is taken, nothing new is stored
        raise_from_inspection(
            store.unit_of_work,
            clock=clock,
            inspection_id="INS-2",
            kind=WorkOrderKind.METER_CHANGE_RECORD,
            subject="M-9",
            detail="meter replaced, no record",
        )
        assert [o.state for o in list_work_orders(store.unit_of_work)] == [WorkOrderState.CANCELLED]
