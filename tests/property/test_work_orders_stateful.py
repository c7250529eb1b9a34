"""Random work-order histories: never an undeclared state, verified only with the permission by
someone other than the doer, and every open order past its limit has a visible breach record."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.metering.vee import WorkOrderKind
from powerretail.service.work_orders import (
    WORK_ORDER_MACHINE,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
    cancel,
    complete,
    dispatch,
    from_case,
    is_open,
    reopen,
    verify,
    work_order_breach,
    work_order_clock,
)
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

MANAGER = Actor(id="mm-1", name="Zhou", roles={"marketing_manager"})
OTHER_MANAGER = Actor(id="mm-2", name="Qian", roles={"marketing_manager"})
READER = Actor(id="r-1", name="Zhang", roles={"customer_service"})
ACTORS = st.sampled_from([MANAGER, OTHER_MANAGER, READER])
REFUSED = (GuardRefused, TransitionNotAllowed, PermissionDenied)


class WorkOrders(RuleBasedStateMachine):
    order: WorkOrder
    now: pendulum.DateTime

    @initialize(kind=st.sampled_from(WorkOrderKind), day=st.integers(0, 330))
    def raise_it(self, kind: WorkOrderKind, day: int) -> None:
        self.now = pendulum.datetime(2026, 1, 1, 9, tz="Asia/Shanghai").add(days=day)
        self.order = from_case(case_id="CASE-1", kind=kind, subject="M-1", at=self.now, detail="d")

    def _try(self, step: Callable[[], WorkOrder]) -> None:
        with contextlib.suppress(*REFUSED):
            self.order = step()

    @rule(hours=st.integers(1, 24 * 8))
    def wait(self, hours: int) -> None:
        self.now = self.now.add(hours=hours)

    @rule(actor=ACTORS, assignee=st.sampled_from(["r-1", "mm-1", ""]))
    def dispatch(self, actor: Actor, assignee: str) -> None:
        self._try(
            lambda: (
                dispatch(
                    self.order, assignee=assignee, policy=SEED_POLICY, actor=actor, at=self.now
                ).order
            )
        )

    @rule(actor=ACTORS, result=st.sampled_from(["fixed", ""]))
    def complete(self, actor: Actor, result: str) -> None:
        self._try(
            lambda: (
                complete(
                    self.order, result=result, policy=SEED_POLICY, actor=actor, at=self.now
                ).order
            )
        )

    @rule(actor=ACTORS)
    def verify(self, actor: Actor) -> None:
        self._try(lambda: verify(self.order, policy=SEED_POLICY, actor=actor, at=self.now).order)

    @rule(actor=ACTORS)
    def reopen(self, actor: Actor) -> None:
        self._try(
            lambda: (
                reopen(self.order, why="redo", policy=SEED_POLICY, actor=actor, at=self.now).order
            )
        )

    @rule(actor=ACTORS)
    def cancel(self, actor: Actor) -> None:
        self._try(
            lambda: cancel(self.order, why="no", policy=SEED_POLICY, actor=actor, at=self.now).order
        )

    @invariant()
    def only_declared_states_and_arrows(self) -> None:
        assert self.order.state in WORK_ORDER_MACHINE.states
        state = WORK_ORDER_MACHINE.initial
        for record in self.order.history:
            assert record.source is state
            arrows = [
                a
                for a in WORK_ORDER_MACHINE.transitions
                if a.source is record.source and a.event is record.event
            ]
            assert any(a.target is record.target for a in arrows)
            state = record.target
        assert state is self.order.state

    @invariant()
    def verified_only_by_a_manager_who_did_not_do_the_work(self) -> None:
        for record in self.order.history:
            if record.event in (WorkOrderEvent.VERIFY, WorkOrderEvent.REOPEN):
                assert record.by in (MANAGER.id, OTHER_MANAGER.id)
            if record.event is WorkOrderEvent.VERIFY:
                assert record.by != self.order.assignee

    @invariant()
    def every_open_order_past_its_limit_is_visibly_breached(self) -> None:
        clock = work_order_clock(self.order)
        due = clock.due_at
        assert due is not None
        breach = work_order_breach(self.order, as_of=self.now)
        if self.order.state is WorkOrderState.CANCELLED:
            assert breach is None
        elif is_open(self.order) and self.order.state is not WorkOrderState.DONE:
            assert (breach is not None) == (self.now > due)
        else:
            stopped = clock.stopped_at
            assert stopped is not None
            assert (breach is not None) == (stopped > due)


WorkOrders.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestWorkOrdersStateful = WorkOrders.TestCase
