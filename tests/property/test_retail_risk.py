"""The risk register: the level never falls as likelihood or impact rise, and random lifecycles
never reach an undeclared state, never accept or close without the permission, and never accept
a risk above the acceptable level."""

from __future__ import annotations

import contextlib

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from powerretail.access import Actor, PermissionDenied
from powerretail.errors import InvalidInput
from powerretail.retail.risk import (
    DEFAULT_ASSESSMENT,
    RISK_MACHINE,
    RISK_POLICY,
    Response,
    Risk,
    RiskKind,
    RiskState,
    accept,
    assess,
    close,
    identify,
    implement,
    reassess,
    respond,
    review,
    review_clock,
)
from powerretail.statemachine import GuardRefused, TransitionNotAllowed

scale = st.integers(1, 5)


@given(likelihood=scale, impact=scale, more=st.integers(0, 4))
def test_the_level_never_falls_as_likelihood_or_impact_rise(
    likelihood: int, impact: int, more: int
) -> None:
    level = DEFAULT_ASSESSMENT.level_of(likelihood, impact).rank
    higher_l = min(likelihood + more, 5)
    higher_i = min(impact + more, 5)

    assert DEFAULT_ASSESSMENT.level_of(higher_l, impact).rank >= level
    assert DEFAULT_ASSESSMENT.level_of(likelihood, higher_i).rank >= level
    assert DEFAULT_ASSESSMENT.level_of(impact, likelihood).rank == level


MANAGER = Actor(id="r-1", name="Zhao", roles={"risk_manager"})
CLERK = Actor(id="c-1", name="Li", roles={"customer_service"})
REFUSED = (TransitionNotAllowed, GuardRefused, PermissionDenied)
actors = st.sampled_from([MANAGER, CLERK])


class RiskLifecycle(RuleBasedStateMachine):
    risk: Risk
    now: pendulum.DateTime

    @initialize(kind=st.sampled_from(RiskKind))
    def start(self, kind: RiskKind) -> None:
        self.now = pendulum.datetime(2026, 1, 5, 9, tz="Asia/Shanghai")  # 2026 is covered
        self.risk = identify(risk_id="R", kind=kind, title="t", cause="c", impact="i", at=self.now)

    def _tick(self, days: int) -> pendulum.DateTime:
        self.now = self.now.add(days=days)
        return self.now

    @rule(likelihood=scale, impact=scale, actor=actors)
    def assess(self, likelihood: int, impact: int, actor: Actor) -> None:
        with contextlib.suppress(*REFUSED):
            self.risk = assess(
                self.risk,
                likelihood=likelihood,
                impact=impact,
                policy=RISK_POLICY,
                actor=actor,
                at=self._tick(1),
            ).risk

    @rule(response=st.sampled_from([Response.AVOID, Response.REDUCE, Response.TRANSFER]))
    def respond(self, response: Response) -> None:
        with contextlib.suppress(*REFUSED):
            self.risk = respond(
                self.risk,
                response=response,
                measures=["m"],
                owner="o",
                policy=RISK_POLICY,
                actor=CLERK,
                at=self._tick(1),
            ).risk

    @rule(actor=actors)
    def accept(self, actor: Actor) -> None:
        before = self.risk
        try:
            self.risk = accept(
                self.risk, owner="o", why="w", policy=RISK_POLICY, actor=actor, at=self._tick(1)
            ).risk
        except REFUSED:
            return
        assert actor is MANAGER
        assert before.level is not None
        assert before.level.rank <= DEFAULT_ASSESSMENT.max_acceptable.rank

    @rule()
    def implement(self) -> None:
        with contextlib.suppress(*REFUSED):
            self.risk = implement(self.risk, policy=RISK_POLICY, actor=CLERK, at=self._tick(1)).risk

    @rule(days=st.integers(0, 10), likelihood=st.none() | scale)
    def review(self, days: int, likelihood: int | None) -> None:
        with contextlib.suppress(*REFUSED):
            self.risk = review(
                self.risk,
                note="n",
                likelihood=likelihood,
                policy=RISK_POLICY,
                actor=CLERK,
                at=self._tick(days),
            ).risk

    @rule()
    def reassess(self) -> None:
        with contextlib.suppress(*REFUSED):
            self.risk = reassess(
                self.risk, why="w", policy=RISK_POLICY, actor=CLERK, at=self._tick(1)
            ).risk

    @rule(actor=actors)
    def close(self, actor: Actor) -> None:
        try:
            self.risk = close(
                self.risk, why="w", policy=RISK_POLICY, actor=actor, at=self._tick(1)
            ).risk
        except REFUSED:
            return
        assert actor is MANAGER

    @invariant()
    def the_state_is_declared_and_the_history_walks_the_table(self) -> None:
        assert self.risk.state in RISK_MACHINE.states
        state = RiskState.IDENTIFIED
        for record in self.risk.history:
            assert record.source is state
            assert any(
                (a.source, a.event, a.target) == (state, record.event, record.target)
                for a in RISK_MACHINE.transitions
            )
            state = record.target
        assert state is self.risk.state

    @invariant()
    def a_monitored_risk_has_a_review_date_after_its_last_review(self) -> None:
        if self.risk.state is RiskState.MONITORING:
            clock = review_clock(self.risk)
            assert clock.due_date is not None
            assert self.risk.last_review_at is not None
            assert clock.due_date > self.risk.last_review_at.date()
        else:
            with contextlib.suppress(InvalidInput):
                review_clock(self.risk)
                raise AssertionError("only a monitored risk has a review clock")


TestRiskLifecycle = RiskLifecycle.TestCase
TestRiskLifecycle.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
