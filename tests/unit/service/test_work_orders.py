"""Work orders: the machine, the four-eyes verification, and each limit at its edge (2026)."""

from __future__ import annotations

from datetime import timedelta

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.errors import InvalidInput, NotFound
from powerretail.metering.vee import Action, Finding, Severity, WorkOrderKind
from powerretail.service.work_orders import (
    SEED_WORK_ORDER_LIMITS,
    WORK_ORDER_MACHINE,
    Origin,
    WorkOrder,
    WorkOrderLimits,
    WorkOrderState,
    cancel,
    complete,
    dispatch,
    from_case,
    from_finding,
    from_inspection,
    is_open,
    reopen,
    verify,
    work_order_breach,
    work_order_clock,
    work_order_id,
)
from powerretail.sla.policy import SlaPolicy, SlaUnit
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

TZ = "Asia/Shanghai"
READER = Actor(id="reader-1", name="Zhang", roles={"customer_service"})
MANAGER = Actor(id="mm-1", name="Zhou", roles={"marketing_manager"})


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(year, month, day, hour, minute, tz=TZ)


def finding(kind: WorkOrderKind | None = WorkOrderKind.EXCEPTION_TICKET) -> Finding:
    return Finding(
        rule_id="SEED-UNREAD-2",
        severity=Severity.WARNING,
        message="2 consecutive cycles unreadable",
        action=Action.RAISE_WORK_ORDER,
        work_order=kind,
        subject="M-1/active_total at ...",
        source="SEED 供电所抄、核、收管理制度 (一)5",
    )


def ticket(
    created: pendulum.DateTime | None = None, kind: WorkOrderKind | None = None
) -> WorkOrder:
    order = from_finding(
        finding(kind or WorkOrderKind.EXCEPTION_TICKET),
        read_key="M-1/active_total/2026-02-13T02:00:00+00:00",
        subject="M-1",
        at=created or at(2026, 2, 13, 10),
    )
    assert order is not None
    return order


def done(order: WorkOrder, when: pendulum.DateTime) -> WorkOrder:
    order = dispatch(order, assignee="reader-1", policy=SEED_POLICY, actor=MANAGER, at=when).order
    return complete(order, result="visited", policy=SEED_POLICY, actor=READER, at=when).order


class TestRaising:
    def test_a_finding_names_its_order_by_read_and_rule(self) -> None:
        order = ticket()
        assert order.id == (
            "WO/exception_ticket/vee/M-1/active_total/2026-02-13T02:00:00+00:00/SEED-UNREAD-2"
        )
        assert order.kind is WorkOrderKind.EXCEPTION_TICKET
        assert order.origin is Origin.VEE
        assert order.state is WorkOrderState.CREATED
        assert "SEED-UNREAD-2" in order.detail

    def test_a_finding_without_a_work_order_raises_none(self) -> None:
        assert from_finding(finding(None), read_key="k", subject="M-1", at=at(2026, 1, 5)) is None

    def test_inspection_and_case_orders(self) -> None:
        inspected = from_inspection(
            inspection_id="INS-9",
            kind=WorkOrderKind.FIELD_VISIT,
            subject="SP-1",
            at=at(2026, 3, 2, 9),
            detail="seal broken",
        )
        from_a_case = from_case(
            case_id="CASE-7",
            kind=WorkOrderKind.METER_TEST,
            subject="M-1",
            at=at(2026, 3, 2, 9),
            detail="customer disputes the meter",
        )
        assert inspected.origin is Origin.INSPECTION
        assert inspected.source_case_id is None
        assert from_a_case.source_case_id == "CASE-7"
        assert from_a_case.id == "WO/meter_test/case/CASE-7"

    def test_a_long_reference_is_fitted_into_128_characters(self) -> None:
        long_id = work_order_id(WorkOrderKind.REBILL, Origin.VEE, "x" * 300)
        assert len(long_id) == 128
        assert long_id != work_order_id(WorkOrderKind.REBILL, Origin.VEE, "x" * 299)

    def test_a_kind_that_is_not_a_work_order_kind_is_refused(self) -> None:
        with pytest.raises(InvalidInput):
            from_inspection(
                inspection_id="I",
                kind="visit",  # type: ignore[arg-type]
                subject="S",
                at=at(2026, 1, 5),
                detail="d",
            )

    def test_a_blank_subject_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match=r"work_order\.subject: expected a non-blank text"):
            from_case(
                case_id="C", kind=WorkOrderKind.REBILL, subject=" ", at=at(2026, 1, 5), detail=""
            )


class TestMachine:
    def test_created_dispatched_done_verified(self) -> None:
        order = done(ticket(), at(2026, 2, 13, 11))
        step = verify(order, policy=SEED_POLICY, actor=MANAGER, at=at(2026, 2, 13, 12))
        assert step.order.state is WorkOrderState.VERIFIED
        assert step.order.verified_by == "mm-1"
        assert step.audit is not None
        assert step.audit.operation == "verify_work_order"
        assert [r.event.value for r in step.order.history] == ["dispatch", "complete", "verify"]
        assert not is_open(step.order)

    def test_verification_needs_the_permission_and_the_refusal_is_audited(self) -> None:
        order = done(ticket(), at(2026, 2, 13, 11))
        with pytest.raises(PermissionDenied) as refused:
            verify(order, policy=SEED_POLICY, actor=READER, at=at(2026, 2, 13, 12))
        assert refused.value.audit is not None
        assert refused.value.audit.operation == "verify_work_order"
        assert refused.value.audit.actor == "reader-1"

    def test_the_doer_may_not_verify_their_own_work(self) -> None:
        order = dispatch(
            ticket(), assignee="mm-1", policy=SEED_POLICY, actor=MANAGER, at=at(2026, 2, 13, 11)
        ).order
        order = complete(
            order, result="done", policy=SEED_POLICY, actor=MANAGER, at=at(2026, 2, 13, 12)
        ).order
        with pytest.raises(GuardRefused, match="verifier_did_not_do_it"):
            verify(order, policy=SEED_POLICY, actor=MANAGER, at=at(2026, 2, 13, 13))

    def test_reopen_sends_it_back_and_its_clock_runs_again(self) -> None:
        order = done(ticket(), at(2026, 2, 13, 11))
        assert work_order_clock(order).is_met
        back = reopen(
            order,
            why="meter still unread",
            policy=SEED_POLICY,
            actor=MANAGER,
            at=at(2026, 2, 13, 12),
        ).order
        assert back.state is WorkOrderState.DISPATCHED
        assert back.result is None
        assert work_order_clock(back).stopped_at is None

    def test_dispatch_needs_an_assignee_and_completion_a_result(self) -> None:
        with pytest.raises(GuardRefused):
            dispatch(ticket(), assignee=" ", policy=SEED_POLICY, actor=MANAGER, at=at(2026, 2, 13))
        order = dispatch(
            ticket(), assignee="reader-1", policy=SEED_POLICY, actor=MANAGER, at=at(2026, 2, 13, 11)
        ).order
        with pytest.raises(GuardRefused):
            complete(order, result="", policy=SEED_POLICY, actor=READER, at=at(2026, 2, 13, 12))

    def test_a_done_order_cannot_be_cancelled(self) -> None:
        order = done(ticket(), at(2026, 2, 13, 11))
        with pytest.raises(TransitionNotAllowed):
            cancel(order, why="no", policy=SEED_POLICY, actor=MANAGER, at=at(2026, 2, 13, 12))

    def test_a_cancelled_order_is_never_breached(self) -> None:
        order = cancel(
            ticket(),
            why="raised in error",
            policy=SEED_POLICY,
            actor=MANAGER,
            at=at(2026, 2, 13, 11),
        ).order
        assert order.state is WorkOrderState.CANCELLED
        assert work_order_breach(order, as_of=at(2026, 12, 31)) is None

    def test_the_diagram_is_generated_from_the_machine(self) -> None:
        diagram = WORK_ORDER_MACHINE.to_mermaid()
        assert "DONE --> VERIFIED : verify [verifier_did_not_do_it] (verify_work_order)" in diagram
        assert "DONE --> DISPATCHED : reopen (verify_work_order)" in diagram


class TestLimitsOn2026Calendar:
    """Each limit at its edge: done exactly when due is on time; one minute later is a breach."""

    def test_exception_ticket_one_calendar_day_across_national_day(self) -> None:
        # Raised Wed 30 Sep 16:00; 1 calendar day (SEED item 17): the holiday does not stop it.
        order = ticket(at(2026, 9, 30, 16))
        due = at(2026, 10, 2)
        assert work_order_clock(order).due_at == due
        assert work_order_breach(done(order, due), as_of=due) is None
        late = work_order_breach(done(order, due.add(minutes=1)), as_of=due.add(minutes=1))
        assert late is not None
        assert late.late_by == timedelta(minutes=1)
        assert "late by 0:01:00" in late.explain()

    def test_meter_test_five_working_days_across_spring_festival(self) -> None:
        # Raised Fri 13 Feb 2026: day 1 is Sat 14 Feb (a make-up working day), then the holiday
        # (15-23 Feb), then 24, 25, 26, 27 Feb: due by the end of Fri 27 Feb.
        order = ticket(at(2026, 2, 13, 10), WorkOrderKind.METER_TEST)
        due = at(2026, 2, 28)
        assert work_order_clock(order).due_at == due
        assert work_order_breach(done(order, due), as_of=due) is None
        assert work_order_breach(done(order, due.add(minutes=1)), as_of=due) is not None

    def test_default_five_working_days_across_national_day(self) -> None:
        # Raised Wed 30 Sep: 8, 9, 10 (Sat, make-up), 12, 13 Oct: due by the end of 13 Oct.
        order = ticket(at(2026, 9, 30, 16), WorkOrderKind.CONSUMPTION_ANALYSIS)
        due = at(2026, 10, 14)
        assert work_order_clock(order).due_at == due
        assert work_order_breach(order, as_of=due) is None
        open_late = work_order_breach(order, as_of=due.add(minutes=1))
        assert open_late is not None
        assert open_late.done_at is None
        assert "not done" in open_late.explain()
        assert "powerretail default" in open_late.source

    def test_every_kind_has_a_limit(self) -> None:
        for kind in WorkOrderKind:
            assert SEED_WORK_ORDER_LIMITS.policy_for(kind).unit in SlaUnit

    def test_a_rule_set_without_the_kind_says_so(self) -> None:
        limits = WorkOrderLimits(key="MINE", policies={})
        with pytest.raises(NotFound):
            limits.policy_for(WorkOrderKind.REBILL)

    def test_a_limit_not_driven_by_created_and_done_is_refused(self) -> None:
        wrong = SlaPolicy(
            key="x", name="x", limit=1, unit=SlaUnit.HOURS, rule_set="MINE", source="s"
        )
        with pytest.raises(InvalidInput):
            WorkOrderLimits(key="MINE", policies={WorkOrderKind.REBILL: wrong})
