"""Stateful: a payment plan only ever holds a declared state, and moves only as its guards allow.

Random instalments, payments and days: the plan completes only once everything is paid, defaults
only when an instalment's deadline has passed unpaid, and never leaves a final state.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal

import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from powerretail.access import SEED_POLICY, Actor
from powerretail.collections.payment_plans import (
    PLAN_MACHINE,
    PaymentPlan,
    PlanState,
    complete_plan,
    default_plan,
    grant_plan,
    standing,
)
from powerretail.errors import RuleViolation
from powerretail.quantities import Money

KAM = Actor(id="kam", name="Zhou", roles={"company_key_account_manager"})
START = date(2025, 1, 10)


def _fen(count: int) -> Money:
    return Money(Decimal(count).scaleb(-2))


class PlanStateful(RuleBasedStateMachine):
    plan: PaymentPlan
    paid: Money
    day: date

    @initialize(
        parts=st.lists(st.integers(1, 100_000), min_size=1, max_size=5),
        gaps=st.lists(st.integers(1, 40), min_size=5, max_size=5),
    )
    def grant(self, parts: list[int], gaps: list[int]) -> None:
        due = START
        instalments = []
        for fen, gap in zip(parts, gaps, strict=False):
            due = due + timedelta(days=gap)
            instalments.append((due, _fen(fen)))
        owed = Money.zero()
        for _, amount in instalments:
            owed = owed + amount
        at = pendulum.datetime(START.year, START.month, START.day, 10, tz="Asia/Shanghai")
        self.plan = grant_plan(
            account_id="A",
            customer_id="C",
            bill_id="B",
            owed=owed,
            instalments=instalments,
            policy=SEED_POLICY,
            actor=KAM,
            at=at,
            why="分期",
        ).plan
        self.paid = Money.zero()
        self.day = START

    def _at(self) -> pendulum.DateTime:
        return pendulum.datetime(
            self.day.year, self.day.month, self.day.day, 12, tz="Asia/Shanghai"
        )

    @rule(days=st.integers(0, 30))
    def time_passes(self, days: int) -> None:
        self.day = self.day + timedelta(days=days)

    @rule(fen=st.integers(1, 100_000))
    def pay(self, fen: int) -> None:
        self.paid = min(self.paid + _fen(fen), self.plan.principal)

    @rule()
    def try_complete(self) -> None:
        before = self.plan.state
        with contextlib.suppress(RuleViolation):
            self.plan = complete_plan(self.plan, paid=self.paid, at=self._at(), by="system")
        if self.plan.state is not before:
            assert before is PlanState.ACTIVE
            assert self.paid >= self.plan.principal

    @rule()
    def try_default(self) -> None:
        before = self.plan.state
        was_met = standing(self.plan, paid=self.paid, day=self.day).is_met
        with contextlib.suppress(RuleViolation):
            self.plan = default_plan(
                self.plan, paid=self.paid, day=self.day, at=self._at(), by="system"
            )
        if self.plan.state is not before:
            assert before is PlanState.ACTIVE
            assert not was_met

    @invariant()
    def only_declared_states(self) -> None:
        assert self.plan.state in PLAN_MACHINE.states
        for record in self.plan.history:
            assert record.source in PLAN_MACHINE.states
            assert record.target in PLAN_MACHINE.states
            assert record.source is PlanState.ACTIVE  # nothing leaves a final state
        assert len(self.plan.history) <= 1


TestPlanStateful = PlanStateful.TestCase
TestPlanStateful.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
