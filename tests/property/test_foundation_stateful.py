"""A hypothesis stateful test drives a sample machine: it never reaches an undeclared state,
finals stay final, and every refusal leaves the entity as it was."""

from __future__ import annotations

import pendulum
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from powerretail.errors import RuleViolation
from tests.unit.foundation.test_statemachine import Case, Ticket, a_machine

MACHINE = a_machine()
EVENTS = [*sorted(MACHINE.events), "nonsense"]


class TicketLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ticket = Ticket("C-1")
        self.records = 0
        self.when = pendulum.datetime(2025, 1, 1, tz="UTC")
        self.was_final = False

    @rule(event=st.sampled_from(EVENTS), note=st.sampled_from(["", "fixed"]))
    def fire(self, event: str, note: str) -> None:
        before = Ticket(self.ticket.id, self.ticket.state, note)
        self.when = self.when.add(minutes=1)
        try:
            moved, record = MACHINE.apply(before, event, at=self.when, by="tester")
        except RuleViolation:
            # A refusal happens exactly when the table (with its guards) offers no such event.
            assert event not in MACHINE.allowed_events(before.state, before)
            self.ticket = before
            return
        assert event in MACHINE.allowed_events(before.state, before)
        assert record.source is before.state
        assert record.target is moved.state
        self.ticket = moved
        self.records += 1

    @invariant()
    def state_is_declared(self) -> None:
        assert self.ticket.state in MACHINE.states

    @invariant()
    def finals_stay_final(self) -> None:
        if self.was_final:
            assert self.ticket.state is Case.CLOSED
        self.was_final = MACHINE.is_final(self.ticket.state)


TestTicketLife = TicketLife.TestCase
