"""The case model: intake, first contact, hand-offs, supervision, reply, follow-up, clocks."""

from __future__ import annotations

import attrs
import pytest

from powerretail.access import SEED_POLICY
from powerretail.customers.contacts import Channel, record_contact
from powerretail.errors import InvalidInput, NotFound
from powerretail.ids import CustomerId
from powerretail.service.cases import (
    KINDS,
    Case,
    ClockStatus,
    IntakeChannel,
    Satisfaction,
    case_clocks,
    follow_up,
    hand_off,
    hand_off_clocks,
    is_breached,
    next_due,
    open_case,
    reply,
    step,
    supervise,
    take_over,
)
from powerretail.service.kinds import (
    SERVICE_RULES,
    CaseEvent,
    CaseKind,
    CaseState,
    ServiceRules,
    limit_for,
    notice_for,
    service_rules,
)
from powerretail.statemachine import TransitionNotAllowed
from tests.unit.service.builders import CLERK, a_case, details, shanghai


def clock_named(case: Case, name: str) -> object:
    return next(c for c in case_clocks(case) if c.name == name)


class TestIntake:
    def test_creates_the_case_and_the_customers_contact_record(self) -> None:
        opened = open_case(
            case_id="K-1",
            kind=CaseKind.COMPLAINT,
            customer_id="C-1",
            channel=IntakeChannel.COUNTER,
            received_by="clerk-1",
            at=shanghai(2026, 3, 2, 9),
            subject="bill too high",
        )

        assert opened.case.state is CaseState.RECEIVED
        assert opened.case.first_contact == opened.case.owner == "clerk-1"
        assert opened.contact_record.opened_by == "clerk-1"
        assert opened.contact_record.latest.channel is Channel.COUNTER
        assert "bill too high" in opened.contact_record.latest.what

    def test_adds_to_an_existing_contact_record(self) -> None:
        earlier = record_contact(
            None,
            customer_id=CustomerId("C-1"),
            who="m-1",
            at=shanghai(2026, 1, 5, 9),
            channel=Channel.VISIT,
            what="first visit",
        )

        opened = open_case(
            case_id="K-2",
            kind=CaseKind.CONSULTATION,
            customer_id="C-1",
            channel=IntakeChannel.ONLINE,
            received_by="web",
            at=shanghai(2026, 3, 2, 9),
            subject="how to pay online",
            contact_record=earlier,
        )

        assert opened.contact_record.opened_by == "m-1"
        assert len(opened.contact_record.entries) == 2
        assert opened.contact_record.latest.channel is Channel.SYSTEM

    @pytest.mark.parametrize(
        ("channel", "contact"),
        [
            (IntakeChannel.COUNTER, Channel.COUNTER),
            (IntakeChannel.HOTLINE, Channel.PHONE),
            (IntakeChannel.ONLINE, Channel.SYSTEM),
            (IntakeChannel.KEY_ACCOUNT_MANAGER, Channel.VISIT),
        ],
    )
    def test_records_the_contact_by_the_channel_it_came_in(
        self, channel: IntakeChannel, contact: Channel
    ) -> None:
        assert channel.contact_channel is contact

    def test_refuses_unknown_rules(self) -> None:
        with pytest.raises(NotFound, match="service rule set"):
            a_case(rules="NOPE")

    def test_refuses_a_connection_without_its_application(self) -> None:
        with pytest.raises(InvalidInput, match="connection"):
            a_case(CaseKind.CONNECTION)

    def test_refuses_application_details_on_a_complaint(self) -> None:
        with pytest.raises(InvalidInput, match="connection"):
            a_case(CaseKind.COMPLAINT, connection=details())

    def test_refuses_a_blank_subject(self) -> None:
        with pytest.raises(InvalidInput, match="subject"):
            attrs.evolve(a_case(), subject=" ")

    def test_refuses_a_state_outside_the_kinds_machine(self) -> None:
        with pytest.raises(InvalidInput, match="state"):
            attrs.evolve(a_case(), state=CaseState.SURVEYED)


class TestHandOffs:
    def test_move_the_owner_and_keep_the_first_contact(self) -> None:
        case = hand_off(
            a_case(),
            to_owner="m-1",
            to_role="regional_key_account_manager",
            at=shanghai(2026, 3, 2, 10),
            why="key account",
        )

        assert (case.owner, case.owner_role, case.first_contact) == (
            "m-1",
            "regional_key_account_manager",
            "clerk-1",
        )

    def test_run_under_the_one_day_internal_clock_until_taken(self) -> None:
        case = hand_off(a_case(), to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 10), why="w")

        (clock,) = hand_off_clocks(case)

        assert clock.policy is not None
        assert clock.policy.key == "internal_handover"
        assert clock.clock is not None
        assert clock.clock.due_at == shanghai(2026, 3, 4)
        assert clock.status(shanghai(2026, 3, 4)) is ClockStatus.RUNNING
        assert clock.status(shanghai(2026, 3, 4, 0, 1)) is ClockStatus.BREACHED
        assert is_breached(case, shanghai(2026, 3, 4, 0, 1))

    def test_taken_in_time_is_met(self) -> None:
        case = hand_off(a_case(), to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 10), why="w")
        case = take_over(case, by="m-1", at=shanghai(2026, 3, 4))

        (clock,) = hand_off_clocks(case)

        assert clock.status(shanghai(2026, 4, 1)) is ClockStatus.MET

    def test_refuse_a_second_hand_off_before_the_first_is_taken(self) -> None:
        case = hand_off(a_case(), to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 10), why="w")

        with pytest.raises(InvalidInput, match="taken"):
            hand_off(case, to_owner="m-2", to_role="r", at=shanghai(2026, 3, 2, 11), why="w")

    def test_refuse_a_hand_off_to_the_owner(self) -> None:
        with pytest.raises(InvalidInput, match="other than the owner"):
            hand_off(a_case(), to_owner="clerk-1", to_role="r", at=shanghai(2026, 3, 2), why="w")

    def test_refuse_a_hand_off_before_the_last_was_taken(self) -> None:
        case = hand_off(a_case(), to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 10), why="w")
        case = take_over(case, by="m-1", at=shanghai(2026, 3, 2, 12))

        with pytest.raises(InvalidInput, match="at or after"):
            hand_off(case, to_owner="m-2", to_role="r", at=shanghai(2026, 3, 2, 11), why="w")

    def test_refuse_taking_what_was_not_handed(self) -> None:
        with pytest.raises(InvalidInput, match="waiting"):
            take_over(a_case(), by="m-1", at=shanghai(2026, 3, 2))

    def test_refuse_taking_by_someone_else(self) -> None:
        case = hand_off(a_case(), to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 10), why="w")

        with pytest.raises(InvalidInput, match="receiver"):
            take_over(case, by="m-2", at=shanghai(2026, 3, 2, 11))

    def test_refuse_taking_before_the_hand_off(self) -> None:
        case = hand_off(a_case(), to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 10), why="w")

        with pytest.raises(InvalidInput, match="at or after"):
            take_over(case, by="m-1", at=shanghai(2026, 3, 2, 9))

    def test_refuse_handing_off_a_closed_case(self) -> None:
        case = step(
            a_case(),
            CaseEvent.WITHDRAW,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 2, 10),
            why="w",
        ).case

        with pytest.raises(InvalidInput, match="open case"):
            hand_off(case, to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 11), why="w")


class TestSupervision:
    def test_adds_the_managers_note(self) -> None:
        case = supervise(a_case(), by="m-9", at=shanghai(2026, 3, 3), note="reply by Friday")

        assert case.supervision[0].note == "reply by Friday"

    def test_refuses_a_blank_note(self) -> None:
        with pytest.raises(InvalidInput, match="note"):
            supervise(a_case(), by="m-9", at=shanghai(2026, 3, 3), note="")


class TestComplaint:
    def walk(self) -> Case:
        case = a_case()
        return step(
            case,
            CaseEvent.ACCEPT,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 2, 10),
            why="called back",
        ).case

    def test_closes_with_feedback_and_a_follow_up(self) -> None:
        case = reply(
            self.walk(),
            feedback="meter read again: bill right",
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 5),
        ).case
        case = follow_up(
            case,
            satisfaction=Satisfaction.SATISFIED,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 6),
            note="thanks",
        ).case

        assert case.state is CaseState.CLOSED
        assert case.is_closed
        assert case.satisfaction is Satisfaction.SATISFIED
        assert [c.what for c in case.contacts][1:] == [
            "meter read again: bill right",
            "回访: satisfied (thanks)",
        ]
        assert [r.event for r in case.history] == [
            CaseEvent.ACCEPT,
            CaseEvent.REPLY,
            CaseEvent.FOLLOW_UP,
        ]
        assert case.history[1].why == "答复: meter read again: bill right"

    def test_the_follow_up_needs_feedback_first(self) -> None:
        with pytest.raises(InvalidInput, match="feedback"):
            follow_up(
                self.walk(),
                satisfaction=Satisfaction.SATISFIED,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 6),
            )

    def test_cannot_reply_before_it_is_accepted(self) -> None:
        with pytest.raises(TransitionNotAllowed):
            reply(a_case(), feedback="x", policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 3, 5))

    def test_the_reply_clock_is_met_and_the_contact_clock_too(self) -> None:
        case = reply(
            self.walk(), feedback="done", policy=SEED_POLICY, actor=CLERK, at=shanghai(2026, 3, 8)
        ).case

        statuses = {c.name: c.status(shanghai(2026, 4, 1)) for c in case_clocks(case)}

        assert statuses == {"contact": ClockStatus.MET, "reply": ClockStatus.MET}

    def test_waiting_on_the_customer_pauses_the_reply_clock(self) -> None:
        case = step(
            self.walk(),
            CaseEvent.WAIT_FOR_CUSTOMER,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 3, 10),
            why="asked for photos",
        ).case

        paused = clock_named(case, "reply")

        assert paused.status(shanghai(2026, 3, 20)) is ClockStatus.PAUSED  # type: ignore[attr-defined]
        assert next_due(case, shanghai(2026, 3, 20)) is None

    def test_next_due_names_the_clock_due_soonest(self) -> None:
        assert next_due(a_case(), shanghai(2026, 3, 2, 9)) == ("contact", shanghai(2026, 3, 3, 9))

    def test_an_unanswered_complaint_is_visibly_breached(self) -> None:
        case = self.walk()

        assert not is_breached(case, shanghai(2026, 3, 8))
        assert is_breached(case, shanghai(2026, 3, 8, 0, 1))


class TestKinds:
    def test_every_kind_has_a_machine(self) -> None:
        assert set(KINDS) == set(CaseKind)

    @pytest.mark.parametrize("kind", list(CaseKind))
    def test_every_state_pair_of_each_machine_either_moves_or_is_refused(
        self, kind: CaseKind
    ) -> None:
        machine = KINDS[kind].machine
        for state in machine.states:
            for event in CaseEvent:
                allowed = any(a.source == state and a.event == event for a in machine.transitions)
                if not allowed:
                    with pytest.raises(TransitionNotAllowed):
                        machine.next_state(state, event)

    def test_a_consultation_has_no_reply_limit(self) -> None:
        (clock,) = case_clocks(a_case(CaseKind.CONSULTATION))

        assert clock.policy is None
        assert clock.status(shanghai(2026, 3, 3)) is None


class TestServiceRules:
    def test_seed_chain_fills_in_from_sgcc_and_says_so(self) -> None:
        policy = limit_for(SERVICE_RULES["SEED"], ("repair_arrival_urban",))

        assert policy is not None
        assert (policy.rule_set, policy.limit) == ("SGCC10", 45)

    def test_an_unknown_key_has_no_limit(self) -> None:
        assert limit_for(SERVICE_RULES["SEED"], ("nothing",)) is None
        assert notice_for(SERVICE_RULES["SEED"], "nothing") is None

    def test_refuses_an_unknown_rule_set_in_a_chain(self) -> None:
        with pytest.raises(InvalidInput, match="chain"):
            ServiceRules(key="X", title="x", chain=("MARS",))

    def test_refuses_an_empty_chain(self) -> None:
        with pytest.raises(InvalidInput, match="at least one"):
            ServiceRules(key="X", title="x", chain=())

    def test_looks_up_by_key(self) -> None:
        assert service_rules("JGBF").chain[0].key == "JGBF"
        with pytest.raises(NotFound):
            service_rules("X")


class TestTakingByActing:
    def test_the_receiver_takes_the_hand_off_by_stepping_the_case(self) -> None:
        case = hand_off(
            a_case(), to_owner="clerk-1x", to_role="r", at=shanghai(2026, 3, 2, 10), why="w"
        )
        receiver = attrs.evolve(CLERK, id="clerk-1x")

        case = step(
            case,
            CaseEvent.ACCEPT,
            policy=SEED_POLICY,
            actor=receiver,
            at=shanghai(2026, 3, 2, 11),
            why="w",
        ).case

        assert case.hand_offs[-1].taken_at == shanghai(2026, 3, 2, 11)

    def test_someone_else_stepping_leaves_it_waiting(self) -> None:
        case = hand_off(a_case(), to_owner="m-1", to_role="r", at=shanghai(2026, 3, 2, 10), why="w")

        case = step(
            case,
            CaseEvent.ACCEPT,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 2, 11),
            why="w",
        ).case

        assert case.hand_offs[-1].taken_at is None
