from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum
import pytest

from powerretail.access import (
    CHANGE_TARIFF_ARCHIVE,
    SEED_POLICY,
    SIGN_CONTRACT,
    Actor,
    Decision,
    PermissionDenied,
    authorize,
    is_granted,
)
from powerretail.errors import InvalidInput, RuleViolation
from powerretail.statemachine import (
    GuardRefused,
    MachineDefinitionError,
    NotAuthorised,
    StateMachine,
    Transition,
    TransitionNotAllowed,
    TransitionRecord,
)

AT = pendulum.datetime(2025, 7, 1, 9, tz="Asia/Shanghai")


class Case(enum.Enum):
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


@attrs.frozen
class Ticket:
    id: str
    state: Case = Case.OPEN
    note: str = ""


def has_note(ticket: Ticket, context: Mapping[str, Any]) -> bool:
    return bool(ticket.note) or bool(context.get("force"))


def a_machine() -> StateMachine[Case, str]:
    return StateMachine(
        "complaint",
        initial=Case.OPEN,
        finals={Case.CLOSED},
        transitions=[
            Transition(Case.OPEN, "ask", Case.WAITING),
            Transition(Case.WAITING, "reply", Case.OPEN),
            Transition(Case.OPEN, "resolve", Case.RESOLVED, guard=has_note),
            Transition(Case.RESOLVED, "reopen", Case.OPEN),
            Transition(Case.RESOLVED, "close", Case.CLOSED),
        ],
    )


@attrs.frozen
class TrackedTicket:
    id: str
    state: Case = Case.OPEN
    note: str = ""
    history: tuple[TransitionRecord[Case, str], ...] = ()


class TestAdvancing:
    def test_appends_the_record_to_the_history_and_sets_the_changes(self) -> None:
        ticket = TrackedTicket("C-2")

        asked = a_machine().advance(ticket, "ask", at=AT, by="agent-7")
        resolved = a_machine().advance(
            a_machine().advance(asked, "reply", at=AT, by="agent-7"),
            "resolve",
            at=AT,
            by="agent-7",
            context={"force": True},
            note="fixed",
        )

        assert resolved.state is Case.RESOLVED
        assert resolved.note == "fixed"
        assert [r.event for r in resolved.history] == ["ask", "reply", "resolve"]
        assert ticket.history == ()


class TestApplying:
    def test_returns_the_moved_entity_and_a_record(self) -> None:
        ticket = Ticket("C-1")

        moved, record = a_machine().apply(ticket, "ask", at=AT, by="agent-7", why="need meter no.")

        assert moved == Ticket("C-1", Case.WAITING)
        assert ticket.state is Case.OPEN
        assert record == TransitionRecord(
            machine="complaint",
            subject="C-1",
            source=Case.OPEN,
            event="ask",
            target=Case.WAITING,
            at=AT,
            by="agent-7",
            why="need meter no.",
        )

    def test_refuses_an_event_with_no_arrow_naming_state_and_event(self) -> None:
        with pytest.raises(TransitionNotAllowed) as caught:
            a_machine().apply(Ticket("C-1"), "close", at=AT, by="agent-7")

        assert str(caught.value) == "complaint: cannot close when open"
        assert isinstance(caught.value, RuleViolation)

    def test_a_guard_can_refuse_and_say_which(self) -> None:
        with pytest.raises(GuardRefused) as caught:
            a_machine().apply(Ticket("C-1"), "resolve", at=AT, by="agent-7")

        assert str(caught.value) == "complaint: cannot resolve when open: refused by has_note"

    def test_a_guard_sees_the_context(self) -> None:
        moved, _ = a_machine().apply(
            Ticket("C-1"), "resolve", at=AT, by="lead", context={"force": True}
        )

        assert moved.state is Case.RESOLVED

    def test_records_refuse_naive_times(self) -> None:
        with pytest.raises(InvalidInput):
            a_machine().apply(Ticket("C-1"), "ask", at="2025-07-01T09:00:00", by="x")  # type: ignore[arg-type]

    def test_subject_can_be_named(self) -> None:
        _, record = a_machine().apply(Ticket("C-1"), "ask", at=AT, by="x", subject="case 1")

        assert record.subject == "case 1"

    def test_a_state_from_elsewhere_is_invalid_input(self) -> None:
        class Other(enum.Enum):
            X = "x"

        with pytest.raises(InvalidInput):
            a_machine().next_state(Other.X, "ask")  # type: ignore[arg-type]


class TestQuestions:
    def test_allowed_events_consult_guards(self) -> None:
        machine = a_machine()

        assert machine.allowed_events(Case.OPEN, Ticket("C-1")) == {"ask"}
        assert machine.allowed_events(Case.OPEN, Ticket("C-1", note="fixed")) == {"ask", "resolve"}
        assert machine.allowed_events(Case.CLOSED) == frozenset()

    def test_events_finals_and_reachability(self) -> None:
        machine = a_machine()

        assert machine.events == {"ask", "reply", "resolve", "reopen", "close"}
        assert machine.is_final(Case.CLOSED)
        assert not machine.is_final(Case.OPEN)
        assert machine.reachable_from(Case.CLOSED) == {Case.CLOSED}

    def test_mermaid_shows_guards_and_finals(self) -> None:
        diagram = a_machine().to_mermaid()

        assert "    OPEN --> RESOLVED : resolve [has_note]" in diagram
        assert '    state "open" as OPEN' in diagram
        assert "    [*] --> OPEN" in diagram
        assert diagram.splitlines()[-1] == "    CLOSED --> [*]"


class TestDefinitionChecks:
    def define(self, transitions: list[Transition[Case, str]], **kwargs: Any) -> None:
        StateMachine(
            "m",
            initial=kwargs.pop("initial", Case.OPEN),
            finals=kwargs.pop("finals", {Case.CLOSED}),
            transitions=transitions,
            **kwargs,
        )

    def test_refuses_unreachable_states(self) -> None:
        with pytest.raises(MachineDefinitionError, match="unreachable from open: resolved"):
            self.define(
                [
                    Transition(Case.OPEN, "ask", Case.WAITING),
                    Transition(Case.WAITING, "close", Case.CLOSED),
                ]
            )

    def test_refuses_arrows_out_of_a_final_state(self) -> None:
        with pytest.raises(MachineDefinitionError, match="final state closed has an arrow out"):
            self.define(
                [
                    Transition(Case.OPEN, "close", Case.CLOSED),
                    Transition(Case.CLOSED, "reopen", Case.OPEN),
                ],
                states=[Case.OPEN, Case.CLOSED],
            )

    def test_refuses_dead_ends(self) -> None:
        with pytest.raises(MachineDefinitionError, match="no way out: waiting"):
            self.define(
                [
                    Transition(Case.OPEN, "ask", Case.WAITING),
                    Transition(Case.OPEN, "close", Case.CLOSED),
                ],
                states=[Case.OPEN, Case.WAITING, Case.CLOSED],
            )

    def test_refuses_an_unguarded_arrow_before_a_guarded_one(self) -> None:
        with pytest.raises(MachineDefinitionError, match="unguarded arrow"):
            self.define(
                [
                    Transition(Case.OPEN, "close", Case.CLOSED),
                    Transition(Case.OPEN, "close", Case.CLOSED, guard=has_note),
                ],
                states=[Case.OPEN, Case.CLOSED],
            )

    def test_refuses_states_outside_the_declared_set(self) -> None:
        with pytest.raises(MachineDefinitionError, match="not among the states"):
            self.define(
                [Transition(Case.OPEN, "ask", Case.WAITING)], states=[Case.OPEN, Case.CLOSED]
            )
        with pytest.raises(MachineDefinitionError, match="initial state"):
            self.define([], states=[Case.CLOSED])

    def test_the_error_is_invalid_input_naming_the_machine(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            self.define([])

        assert str(caught.value).startswith("state machine 'm':")

    def test_guard_name_defaults_to_the_function_name(self) -> None:
        assert Transition(Case.OPEN, "x", Case.CLOSED, guard=has_note).guard_name == "has_note"
        named = Transition(Case.OPEN, "x", Case.CLOSED, guard=has_note, guard_name="noted")
        assert named.guard_name == "noted"


def noted(ticket: Ticket, _context: Mapping[str, Any]) -> bool:
    return bool(ticket.note)


def an_authorised_machine() -> StateMachine[Case, str]:
    """Closing needs the tariff-archive permission; resolving with a note needs none."""
    return StateMachine(
        "authorised",
        initial=Case.OPEN,
        finals={Case.CLOSED},
        transitions=[
            Transition(Case.OPEN, "ask", Case.WAITING),
            Transition(Case.WAITING, "reply", Case.OPEN),
            Transition(Case.OPEN, "resolve", Case.RESOLVED, guard=noted),
            Transition(Case.OPEN, "resolve", Case.RESOLVED, permission=CHANGE_TARIFF_ARCHIVE),
            Transition(Case.RESOLVED, "close", Case.CLOSED, permission=CHANGE_TARIFF_ARCHIVE),
        ],
    )


AUDITOR = Actor(id="u-7", name="Wang", roles=frozenset({"billing_auditor"}))
CLERK = Actor(id="u-8", name="Li", roles=frozenset({"customer_service"}))


class TestFiring:
    def test_authorises_the_actor_and_returns_the_entity_record_and_grant(self) -> None:
        fired = an_authorised_machine().fire(
            Ticket("C-1", state=Case.RESOLVED),
            "close",
            policy=SEED_POLICY,
            actor=AUDITOR,
            at=AT,
            why="done",
        )

        assert fired.entity.state is Case.CLOSED
        assert (fired.record.by, fired.record.subject, fired.record.why) == ("u-7", "C-1", "done")
        assert fired.audit is not None
        assert is_granted(fired.audit, CHANGE_TARIFF_ARCHIVE)
        assert fired.audit.subject == "C-1"

    def test_a_refusal_carries_the_audit_record_of_the_refusal(self) -> None:
        with pytest.raises(PermissionDenied) as refused:
            an_authorised_machine().fire(
                Ticket("C-1", state=Case.RESOLVED),
                "close",
                policy=SEED_POLICY,
                actor=CLERK,
                at=AT,
                why="done",
            )

        audit = refused.value.audit
        assert audit is not None
        assert (audit.actor, audit.decision, audit.reason) == (
            "u-8",
            Decision.REFUSED,
            "no role grants it",
        )

    def test_an_arrow_needing_no_permission_moves_without_an_audit(self) -> None:
        fired = an_authorised_machine().fire(
            Ticket("C-1", note="meter fixed"),
            "resolve",
            policy=SEED_POLICY,
            actor=CLERK,
            at=AT,
            why="fixed",
            note="meter fixed on site",
        )

        assert (fired.entity.state, fired.entity.note, fired.audit) == (
            Case.RESOLVED,
            "meter fixed on site",
            None,
        )

    def test_the_next_arrow_is_authorised_when_the_first_guard_refuses(self) -> None:
        fired = an_authorised_machine().fire(
            TrackedTicket("C-1"),
            "resolve",
            policy=SEED_POLICY,
            actor=AUDITOR,
            at=AT,
            why="closed by the auditor",
            history=True,
        )

        assert fired.entity.state is Case.RESOLVED
        assert fired.entity.history == (fired.record,)
        assert fired.audit is not None

    def test_apply_refuses_an_arrow_needing_a_permission_without_a_genuine_grant(self) -> None:
        grant = authorize(
            SEED_POLICY, AUDITOR, CHANGE_TARIFF_ARCHIVE, subject="C-1", at=AT, why="x"
        )
        machine = an_authorised_machine()
        resolved = Ticket("C-1", state=Case.RESOLVED)

        for forged in (None, attrs.evolve(grant)):
            with pytest.raises(NotAuthorised, match="needs a grant of change_tariff_archive"):
                machine.apply(resolved, "close", at=AT, by="u-7", grant=forged)
        moved, _ = machine.apply(resolved, "close", at=AT, by="u-7", grant=grant)
        assert moved.state is Case.CLOSED

    def test_a_grant_of_another_operation_does_not_count(self) -> None:
        signer = Actor(id="boss", name="Chen", roles=frozenset({"legal_representative"}))
        grant = authorize(SEED_POLICY, signer, SIGN_CONTRACT, subject="C-1", at=AT, why="x")

        with pytest.raises(NotAuthorised):
            an_authorised_machine().next_state(Case.RESOLVED, "close", grant=grant)

    def test_a_blank_permission_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match=r"transition\.permission"):
            Transition(Case.OPEN, "ask", Case.WAITING, permission=" ")

    def test_the_diagram_names_the_permission_of_an_arrow(self) -> None:
        diagram = an_authorised_machine().to_mermaid()

        assert "RESOLVED --> CLOSED : close (change_tariff_archive)" in diagram
        assert "OPEN --> RESOLVED : resolve [noted]\n" in diagram
