"""Random outage histories: never an undeclared state; approved only with the permission; never
started while a key customer is not notified; every started outage is restored by its window or
visibly breached, and every key customer notified on time or visibly breached; never called back
at night."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.customers.contacts import Channel
from powerretail.service.outages import (
    OUTAGE_MACHINE,
    OUTAGE_RULE_SETS,
    AffectedCustomer,
    BreachKind,
    Outage,
    OutageEvent,
    OutageKind,
    OutageRefused,
    OutageState,
    approve,
    call_back,
    cancel,
    notice_due,
    notify,
    outage_breaches,
    outage_rules,
    record_progress,
    request,
    restore,
    start,
)
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

HEAD = Actor(id="head-1", name="Zhang", roles={"supply_office_head"})
CLERK = Actor(id="clerk-1", name="Li", roles={"customer_service"})
ACTORS = st.sampled_from([HEAD, CLERK])
REFUSED = (GuardRefused, TransitionNotAllowed, PermissionDenied, OutageRefused)
CUSTOMERS = ("C-1", "C-2", "C-3")


class Outages(RuleBasedStateMachine):
    outage: Outage
    now: pendulum.DateTime

    @initialize(
        kind=st.sampled_from(OutageKind),
        rules=st.sampled_from(sorted(OUTAGE_RULE_SETS)),
        keys=st.lists(st.booleans(), min_size=3, max_size=3),
        lead_hours=st.integers(1, 24 * 12),
        hours=st.integers(1, 12),
    )
    def request_it(
        self, kind: OutageKind, rules: str, keys: list[bool], lead_hours: int, hours: int
    ) -> None:
        begin = pendulum.datetime(2026, 9, 28, 9, tz="Asia/Shanghai")
        self.now = begin.subtract(hours=lead_hours)
        self.outage = request(
            id="OUT-1",
            kind=kind,
            feeder="f",
            area="a",
            service_points=("SP-1", "SP-2", "SP-3"),
            window_start=begin,
            window_end=begin.add(hours=hours),
            reason="maintenance",
            at=self.now,
            by="planner",
            affected=[
                AffectedCustomer(
                    customer_id=c,
                    account_id=f"A-{c}",
                    service_point_id=f"SP-{c}",
                    name=c,
                    needs_notice=key,
                )
                for c, key in zip(CUSTOMERS, keys, strict=True)
            ],
            rules=rules,
        )

    def _try(self, step: Callable[[], Outage]) -> None:
        with contextlib.suppress(*REFUSED):
            self.outage = step()

    @rule(minutes=st.integers(1, 60 * 30))
    def wait(self, minutes: int) -> None:
        self.now = self.now.add(minutes=minutes)

    @rule(actor=ACTORS)
    def approve(self, actor: Actor) -> None:
        self._try(lambda: approve(self.outage, policy=SEED_POLICY, actor=actor, at=self.now).outage)

    @rule(customer=st.sampled_from([*CUSTOMERS, "C-X"]), channel=st.sampled_from(Channel))
    def notify(self, customer: str, channel: Channel) -> None:
        self._try(
            lambda: (
                notify(
                    self.outage,
                    customer_id=customer,
                    channel=channel,
                    what="停电通知",
                    policy=SEED_POLICY,
                    actor=CLERK,
                    at=self.now,
                ).outage
            )
        )

    @rule()
    def start(self) -> None:
        self._try(lambda: start(self.outage, policy=SEED_POLICY, actor=HEAD, at=self.now).outage)

    @rule(hours=st.integers(0, 10))
    def progress(self, hours: int) -> None:
        self._try(
            lambda: (
                record_progress(
                    self.outage,
                    note="working",
                    expected_restoration=self.now.add(hours=hours),
                    policy=SEED_POLICY,
                    actor=HEAD,
                    at=self.now,
                ).outage
            )
        )

    @rule()
    def restore(self) -> None:
        self._try(lambda: restore(self.outage, policy=SEED_POLICY, actor=HEAD, at=self.now).outage)

    @rule()
    def call_back(self) -> None:
        self._try(
            lambda: (
                call_back(
                    self.outage, what="ok", policy=SEED_POLICY, actor=CLERK, at=self.now
                ).outage
            )
        )

    @rule()
    def cancel(self) -> None:
        self._try(
            lambda: (
                cancel(self.outage, why="no", policy=SEED_POLICY, actor=HEAD, at=self.now).outage
            )
        )

    @invariant()
    def only_declared_states_and_arrows(self) -> None:
        assert self.outage.state in OUTAGE_MACHINE.states
        state = OUTAGE_MACHINE.initial
        for record in self.outage.history:
            assert record.source is state
            assert any(
                a.source is record.source and a.event is record.event and a.target is record.target
                for a in OUTAGE_MACHINE.transitions
            )
            state = record.target
        assert state is self.outage.state

    @invariant()
    def approved_by_the_head_started_only_with_every_key_customer_notified(self) -> None:
        for record in self.outage.history:
            if record.event is OutageEvent.APPROVE:
                assert record.by == HEAD.id
            if record.event is OutageEvent.START:
                for customer in self.outage.key_customers:
                    notice = self.outage.first_notice(customer.customer_id)
                    assert notice is not None
                    assert notice.at <= record.at
                assert record.at >= self.outage.window_start
            if record.event is OutageEvent.CALL_BACK:
                assert not outage_rules(self.outage.rules).call_back.is_night(record.at)

    @invariant()
    def every_outage_restored_in_time_or_visibly_breached(self) -> None:
        outage = self.outage
        breaches = outage_breaches(outage, as_of=self.now)
        if outage.state is OutageState.CANCELLED:
            assert breaches == ()
            return
        kinds = {(b.kind, b.customer_id) for b in breaches}
        due = notice_due(outage)
        for customer in outage.key_customers:
            notice = outage.first_notice(customer.customer_id)
            on_time = notice is not None and notice.at <= due
            pending = notice is None and self.now <= due
            assert on_time or pending or any(c == customer.customer_id for _, c in kinds)
        if outage.started_at is not None:
            restored_in_time = (
                outage.restored_at is not None and outage.restored_at <= outage.window_end
            )
            still_in_window = outage.restored_at is None and self.now <= outage.window_end
            assert (
                restored_in_time or still_in_window or (BreachKind.RESTORATION_LATE, None) in kinds
            )


Outages.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestOutagesStateful = Outages.TestCase
