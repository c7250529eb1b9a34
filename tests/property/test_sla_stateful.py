"""A hypothesis state machine drives one case's SLA clock with valid events (RELIABILITY R14).

After every step the clock rebuilt from all events so far agrees with a simple model: its state,
a due moment that never moves earlier, and breach exactly when "now" is past the due moment.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from powerretail.calendars.china import ChinaMainlandCalendar
from powerretail.sla.clock import SlaClock, SlaEvent, SlaState
from powerretail.sla.policy import SlaPolicy
from tests.strategies.calendars import instants, sla_policies

CHINA = ChinaMainlandCalendar.default()


class SlaCase(RuleBasedStateMachine):
    """One case: accepted, then time passes, pauses, resumes and maybe a stop."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[SlaEvent] = []
        self.now = pendulum.datetime(2020, 1, 1, tz="UTC")
        self.state = SlaState.RUNNING
        self.policy: SlaPolicy | None = None
        self.last_due: pendulum.DateTime | None = None

    def clock(self) -> SlaClock:
        assert self.policy is not None
        return SlaClock(policy=self.policy, events=self.events, calendar=CHINA, zone="UTC")

    @initialize(policy=sla_policies, start=instants)
    def accept(self, policy: SlaPolicy, start: pendulum.DateTime) -> None:
        self.policy, self.now = policy, start
        self.events.append(SlaEvent("accepted", start))

    @rule(seconds=st.integers(min_value=0, max_value=5 * 86_400))
    def time_passes(self, seconds: int) -> None:
        self.now = self.now + timedelta(seconds=seconds)

    @precondition(lambda self: self.state is SlaState.RUNNING)
    @rule()
    def pause(self) -> None:
        self.events.append(SlaEvent("paused", self.now))
        self.state = SlaState.PAUSED

    @precondition(lambda self: self.state is SlaState.PAUSED)
    @rule()
    def resume(self) -> None:
        self.events.append(SlaEvent("resumed", self.now))
        self.state = SlaState.RUNNING

    @precondition(lambda self: self.state is not SlaState.STOPPED)
    @rule()
    def stop(self) -> None:
        self.events.append(SlaEvent("completed", self.now))
        self.state = SlaState.STOPPED

    @invariant()
    def clock_agrees_with_the_model(self) -> None:
        clock = self.clock()

        assert clock.state is self.state
        if self.state is SlaState.PAUSED:
            assert clock.due_at is None
            return
        due = clock.due_at
        assert due is not None
        if self.last_due is not None:
            assert due >= self.last_due
        self.last_due = due
        if self.state is SlaState.RUNNING:
            assert clock.is_breached(as_of=self.now) == (self.now > due)
        else:
            assert clock.is_met == (not clock.is_breached(as_of=self.now))


TestSlaCase = SlaCase.TestCase
