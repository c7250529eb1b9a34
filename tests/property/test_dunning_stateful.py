"""Random dunning histories: supply is never stopped for arrears unless every guard held, and
every payment of a stopped case issues a restore order at once, on its rule set's clock."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, timedelta

import pendulum
from hypothesis import event as hyp_event
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from powerretail.access import SEED_POLICY, Actor, PermissionDenied
from powerretail.collections.dunning import (
    DUNNING_RULE_SETS,
    DunningCase,
    DunningRefused,
    DunningState,
    StopReason,
    days_overdue,
    dunning_rules,
    final_notice,
    open_case,
    pay,
    remind,
    restore,
    restore_clock,
    serve_stop_notice,
    stop_supply,
)
from powerretail.customers.contacts import Channel
from powerretail.quantities import Money
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

HEAD = Actor(id="h-1", name="Zhang", roles={"supply_office_head"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
DUE = date(2025, 3, 10)
REFUSED = (DunningRefused, GuardRefused, TransitionNotAllowed, PermissionDenied)


class Dunning(RuleBasedStateMachine):
    case: DunningCase
    now: pendulum.DateTime

    @initialize(
        rules=st.sampled_from(sorted(DUNNING_RULE_SETS)),
        residential=st.booleans(),
        important=st.booleans(),
        moved_out=st.booleans(),
    )
    def start(self, rules: str, residential: bool, important: bool, moved_out: bool) -> None:
        self.case = open_case(
            account_id="A",
            customer_id="C",
            bill_id="B",
            amount=Money("100.00"),
            due_date=DUE,
            rules=rules,
            is_residential=residential,
            is_important=important,
            is_moved_out=moved_out,
        )
        self.now = pendulum.datetime(2025, 3, 10, 8, tz="Asia/Shanghai")

    @rule(minutes=st.integers(1, 60 * 24 * 12))
    def wait(self, minutes: int) -> None:
        self.now = self.now + timedelta(minutes=minutes)

    def _try(self, step: Callable[[], DunningCase]) -> None:
        with contextlib.suppress(*REFUSED):
            self.case = step()

    @rule(channel=st.sampled_from([Channel.PHONE, Channel.SMS, Channel.LETTER, Channel.VISIT]))
    def remind(self, channel: Channel) -> None:
        self._try(
            lambda: (
                remind(
                    self.case,
                    channel=channel,
                    what="催交",
                    policy=SEED_POLICY,
                    actor=CLERK,
                    at=self.now,
                ).case
            )
        )

    @rule(
        lead_days=st.integers(0, 10),
        off_minutes=st.sampled_from([-1, 0, 1, 90]),
        copy=st.booleans(),
    )
    def serve_notice(self, lead_days: int, off_minutes: int, copy: bool) -> None:
        lead = timedelta(days=lead_days, minutes=off_minutes)
        self._try(
            lambda: (
                serve_stop_notice(
                    self.case,
                    planned_stop_at=self.now + lead,
                    authority_copy="抄送" if copy else None,
                    policy=SEED_POLICY,
                    actor=CLERK,
                    at=self.now,
                ).case
            )
        )

    @rule(days=st.integers(1, 40))
    def wait_days(self, days: int) -> None:
        self.now = self.now + timedelta(days=days)

    @rule(minutes=st.integers(-120, 120))
    def go_to_the_planned_stop(self, minutes: int) -> None:
        planned = self.case.planned_stop_at
        if planned is not None and planned + timedelta(minutes=minutes) > self.now:
            self.now = planned + timedelta(minutes=minutes)

    @rule(copy=st.booleans())
    def take_the_next_step_by_the_book(self, copy: bool) -> None:
        """Move the case on as the rules ask (so that random histories do reach a stop)."""
        rules = dunning_rules(self.case.rules)
        state = self.case.state
        if state is DunningState.OVERDUE:
            self.now = max(self.now, self.now.add(days=1))
            self.remind(Channel.LETTER)
        elif state is DunningState.REMINDED:
            if days_overdue(self.case, self.now) <= 30:
                self.now = self.now.add(days=31 - days_overdue(self.case, self.now))
            lead = rules.notice_for(self.case).lead
            self._try(
                lambda: (
                    serve_stop_notice(
                        self.case,
                        planned_stop_at=self.now.add(days=lead),
                        authority_copy="抄送" if copy else None,
                        policy=SEED_POLICY,
                        actor=CLERK,
                        at=self.now,
                    ).case
                )
            )
        elif state is DunningState.STOP_NOTICE_SERVED:
            self.go_to_the_planned_stop(-120)
            self.final_notice()
        elif state is DunningState.FINAL_NOTICE:
            self.go_to_the_planned_stop(0)
            self.stop(head=True)

    @rule(reason=st.sampled_from(StopReason))
    def stop_at_once(self, reason: StopReason) -> None:
        self._try(
            lambda: (
                stop_supply(
                    self.case, policy=SEED_POLICY, actor=HEAD, at=self.now, reason=reason
                ).case
            )
        )

    @rule()
    def final_notice(self) -> None:
        self._try(
            lambda: final_notice(self.case, policy=SEED_POLICY, actor=CLERK, at=self.now).case
        )

    @rule(head=st.booleans())
    def stop(self, head: bool) -> None:
        before = self.case
        self._try(
            lambda: (
                stop_supply(
                    self.case, policy=SEED_POLICY, actor=HEAD if head else CLERK, at=self.now
                ).case
            )
        )
        if self.case is not before:
            assert self.case.state is DunningState.SUPPLY_STOPPED
            self._check_stop_guards(self.case)
            hyp_event("stopped for arrears")

    @rule()
    def pay(self) -> None:
        before = self.case.state
        self._try(lambda: pay(self.case, policy=SEED_POLICY, actor=CLERK, at=self.now).case)
        if before is DunningState.SUPPLY_STOPPED:
            assert self.case.state is DunningState.RESTORE_DUE
            clock = restore_clock(self.case)
            assert clock.started_at == self.now
            rules = dunning_rules(self.case.rules)
            theft = self.case.stop_reason is StopReason.THEFT
            assert clock.policy == (rules.theft_restore if theft else rules.restore)
            if theft:  # restored within 24 h of the theft charges being paid
                assert clock.due_at == self.now.add(hours=24)
            assert clock.due_at is not None
            assert clock.due_at > self.now
            hyp_event("paid while stopped")

    @rule()
    def restore(self) -> None:
        self._try(lambda: restore(self.case, policy=SEED_POLICY, actor=CLERK, at=self.now).case)

    def _check_stop_guards(self, case: DunningCase) -> None:
        rules = dunning_rules(case.rules)
        assert case.stop_reason is StopReason.ARREARS
        assert case.stopped_at is not None
        assert not case.is_moved_out
        assert days_overdue(case, case.stopped_at) > 30
        assert any(r.at <= case.stopped_at for r in case.reminders)
        assert case.stop_notice_at is not None
        assert case.planned_stop_at is not None
        assert rules.notice_for(case).is_satisfied(case.stop_notice_at, case.stopped_at)
        assert case.stopped_at >= case.planned_stop_at
        if case.is_important:
            assert case.authority_copy
        assert case.final_notice_at is not None
        assert rules.final_notice.is_satisfied(case.final_notice_at, case.stopped_at)
        assert case.history[-1].by == HEAD.id

    @invariant()
    def stopped_only_by_the_head_and_for_arrears_only_with_its_guards(self) -> None:
        for record in self.case.history:
            if record.target is DunningState.SUPPLY_STOPPED:
                assert record.by == HEAD.id
        if self.case.state is DunningState.SUPPLY_STOPPED and (
            self.case.stop_reason is StopReason.ARREARS
        ):
            self._check_stop_guards(self.case)


Dunning.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestDunningStateful = Dunning.TestCase
