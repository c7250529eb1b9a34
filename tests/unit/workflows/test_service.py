"""Service-case workflows on a memory store: intake → route → hand off → steps → close, once."""

from __future__ import annotations

import pytest

from powerretail.access import SEED_POLICY, Decision
from powerretail.adapters.clocks import FixedClock
from powerretail.customers.parties import KeyAccountManager, ManagerLevel
from powerretail.customers.tiering import KeyAccountGrade
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.customers import CONTACT_RECORDS
from powerretail.repositories.service import SERVICE_CASES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.cases import IntakeChannel, Satisfaction
from powerretail.service.kinds import CaseEvent, CaseKind, CaseState
from powerretail.service.routing import SEED_ROUTING
from powerretail.workflows.service import (
    close_case,
    fire_step,
    hand_off_case,
    intake_case,
    load_case,
    route_case,
    supervise_case,
    take_case,
)
from tests.unit.service.builders import CLERK, MANAGER, a_scheme, a_store, details, shanghai

ZHOU = KeyAccountManager(id="m-1", name="Zhou", level=ManagerLevel.REGIONAL, regions={"gusu"})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(shanghai(2026, 3, 2, 9))


@pytest.fixture
def store() -> UnitOfWorkFactory:
    return a_store()


def intake(
    store: UnitOfWorkFactory, clock: FixedClock, kind: CaseKind = CaseKind.COMPLAINT, **more: object
) -> None:
    intake_case(
        store,
        clock=clock,
        case_id="K-1",
        kind=kind,
        customer_id="C-1",
        channel=IntakeChannel.HOTLINE,
        received_by="clerk-1",
        at=shanghai(2026, 3, 2, 9),
        subject="bill too high",
        region="gusu",
        **more,  # type: ignore[arg-type]
    )


class TestIntakeCase:
    def test_stores_the_case_and_the_contact_record_once(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake(store, clock)
        intake(store, clock)

        with store() as uow:
            assert len(uow.repository(SERVICE_CASES).query(customer_id="C-1")) == 1
            record = uow.repository(CONTACT_RECORDS).get("C-1").entity
            assert len(record.entries) == 1
            assert [e.event_type for e in uow.outbox.unpublished()] == ["CaseOpened"]

    def test_a_second_case_extends_the_contact_record(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake(store, clock)
        intake_case(
            store,
            clock=clock,
            case_id="K-2",
            kind=CaseKind.CONSULTATION,
            customer_id="C-1",
            channel=IntakeChannel.ONLINE,
            received_by="web",
            at=shanghai(2026, 3, 3, 9),
            subject="online payment",
        )

        with store() as uow:
            assert len(uow.repository(CONTACT_RECORDS).get("C-1").entity.entries) == 2
            assert len(uow.repository(SERVICE_CASES).query(is_open=True)) == 2


class TestRouteAndHandOff:
    def test_routes_a_key_accounts_complaint_to_its_manager(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake(store, clock)

        case = route_case(
            store,
            clock=clock,
            case_id="K-1",
            policy=SEED_ROUTING,
            managers=[ZHOU],
            grade=KeyAccountGrade.SECOND,
            at=shanghai(2026, 3, 2, 9, 30),
        )

        assert (case.owner, case.owner_role, case.first_contact) == (
            "m-1",
            "regional_key_account_manager",
            "clerk-1",
        )
        assert case.hand_offs[0].why.startswith("Zhou")

    def test_routes_an_ordinary_customer_to_the_centre(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake(store, clock)

        case = route_case(
            store,
            clock=clock,
            case_id="K-1",
            policy=SEED_ROUTING,
            managers=[ZHOU],
            grade=None,
            at=shanghai(2026, 3, 2, 9, 30),
        )

        assert case.owner == "service-centre"

    def test_routing_to_the_owner_hands_nothing_off(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake_case(
            store,
            clock=clock,
            case_id="K-1",
            kind=CaseKind.COMPLAINT,
            customer_id="C-1",
            channel=IntakeChannel.COUNTER,
            received_by="service-centre",
            at=shanghai(2026, 3, 2, 9),
            subject="x",
        )

        case = route_case(
            store,
            clock=clock,
            case_id="K-1",
            policy=SEED_ROUTING,
            managers=[],
            grade=None,
            at=shanghai(2026, 3, 2, 9, 30),
        )

        assert case.hand_offs == ()

    def test_hand_off_take_and_supervise(self, store: UnitOfWorkFactory, clock: FixedClock) -> None:
        intake(store, clock)

        hand_off_case(
            store,
            clock=clock,
            case_id="K-1",
            to_owner="m-1",
            to_role="r",
            at=shanghai(2026, 3, 2, 10),
            why="key account",
        )
        take_case(store, clock=clock, case_id="K-1", by="m-1", at=shanghai(2026, 3, 2, 11))
        case = supervise_case(
            store, clock=clock, case_id="K-1", by="m-9", at=shanghai(2026, 3, 3), note="reply today"
        )

        assert case.hand_offs[0].taken_at == shanghai(2026, 3, 2, 11)
        assert case.supervision[0].by == "m-9"

    def test_a_refused_hand_off_is_reported(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake(store, clock)

        with pytest.raises(CommandRefused, match="other than the owner"):
            hand_off_case(
                store,
                clock=clock,
                case_id="K-1",
                to_owner="clerk-1",
                to_role="r",
                at=shanghai(2026, 3, 2, 10),
                why="w",
            )


class TestStepsAndClose:
    def test_a_complaint_end_to_end_is_idempotent(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake(store, clock)
        for _ in range(2):
            fire_step(
                store,
                clock=clock,
                case_id="K-1",
                event_name=CaseEvent.ACCEPT,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 2, 10),
            )
        fire_step(
            store,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.REPLY,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 4),
            feedback="bill right",
        )

        case = close_case(
            store,
            clock=clock,
            case_id="K-1",
            satisfaction=Satisfaction.SATISFIED,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 5),
        )

        assert case.state is CaseState.CLOSED
        assert len(case.history) == 3
        with store() as uow:
            assert uow.repository(SERVICE_CASES).query(is_open=False)[0].entity.case_id == "K-1"

    def test_a_step_the_state_does_not_take_is_refused(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        intake(store, clock)

        with pytest.raises(CommandRefused, match="cannot reply"):
            fire_step(
                store,
                clock=clock,
                case_id="K-1",
                event_name=CaseEvent.REPLY,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 4),
                feedback="x",
            )


class TestManagerAuthorities:
    def walk_to_survey(self, store: UnitOfWorkFactory, clock: FixedClock) -> None:
        intake(store, clock, CaseKind.CONNECTION, connection=details())
        for event, at in (
            (CaseEvent.ACCEPT, shanghai(2026, 3, 2, 10)),
            (CaseEvent.SURVEY, shanghai(2026, 3, 4)),
            (CaseEvent.HAND_TO_MARKETING, shanghai(2026, 3, 5)),
        ):
            fire_step(
                store,
                clock=clock,
                case_id="K-1",
                event_name=event,
                policy=SEED_POLICY,
                actor=CLERK,
                at=at,
            )

    def test_a_manager_approves_the_scheme_and_the_grant_is_audited(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        self.walk_to_survey(store, clock)

        case = fire_step(
            store,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.REPLY_SCHEME,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=shanghai(2026, 3, 10),
            scheme=a_scheme("North"),
        )

        assert case.state is CaseState.SCHEME_REPLIED
        with store() as uow:
            (audit,) = uow.audit.records()
        assert (audit.operation, audit.decision, audit.granted_by) == (
            "approve_supply_scheme",
            Decision.GRANTED,
            "regional_key_account_manager",
        )

    def test_a_clerk_is_refused_and_the_refusal_is_audited(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        self.walk_to_survey(store, clock)

        with pytest.raises(CommandRefused, match="may not approve_supply_scheme"):
            fire_step(
                store,
                clock=clock,
                case_id="K-1",
                event_name=CaseEvent.REPLY_SCHEME,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 10),
                scheme=a_scheme("North"),
            )

        with store() as uow:
            (audit,) = uow.audit.records()
        assert (audit.operation, audit.decision) == ("approve_supply_scheme", Decision.REFUSED)
        assert load_case(store, "K-1").state is CaseState.WITH_MARKETING

    def test_a_scheme_reply_needs_a_scheme(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        self.walk_to_survey(store, clock)

        with pytest.raises(CommandRefused, match="scheme"):
            fire_step(
                store,
                clock=clock,
                case_id="K-1",
                event_name=CaseEvent.REPLY_SCHEME,
                policy=SEED_POLICY,
                actor=MANAGER,
                at=shanghai(2026, 3, 10),
            )

    def test_extends_the_scheme_on_request(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        self.walk_to_survey(store, clock)
        fire_step(
            store,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.REPLY_SCHEME,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=shanghai(2026, 3, 10),
            scheme=a_scheme("North"),
        )

        case = fire_step(
            store,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.EXTEND_SCHEME,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2027, 2, 1),
        )

        assert case.connection is not None
        assert case.connection.extended

    def test_accepting_equipment_needs_the_manager(
        self, store: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        self.walk_to_survey(store, clock)
        fire_step(
            store,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.REPLY_SCHEME,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=shanghai(2026, 3, 10),
            scheme=a_scheme("North"),
        )
        for day, event in enumerate(
            (
                CaseEvent.SUBMIT_DESIGN,
                CaseEvent.APPROVE_DESIGN,
                CaseEvent.REQUEST_MID_INSPECTION,
                CaseEvent.PASS_MID_INSPECTION,
                CaseEvent.REPORT_COMPLETION,
            ),
            start=11,
        ):
            fire_step(
                store,
                clock=clock,
                case_id="K-1",
                event_name=event,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, day),
            )

        with pytest.raises(CommandRefused, match="may not accept_equipment"):
            fire_step(
                store,
                clock=clock,
                case_id="K-1",
                event_name=CaseEvent.ACCEPT_EQUIPMENT,
                policy=SEED_POLICY,
                actor=CLERK,
                at=shanghai(2026, 3, 17),
            )
        fire_step(
            store,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.ACCEPT_EQUIPMENT,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=shanghai(2026, 3, 17),
        )
        fire_step(
            store,
            clock=clock,
            case_id="K-1",
            event_name=CaseEvent.ENERGISE,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 18),
            feedback="energised",
        )
        case = close_case(
            store,
            clock=clock,
            case_id="K-1",
            satisfaction=Satisfaction.SATISFIED,
            policy=SEED_POLICY,
            actor=CLERK,
            at=shanghai(2026, 3, 19),
        )

        assert case.state is CaseState.CLOSED
        assert [c.what for c in case.contacts][-2:] == ["energised", "回访: satisfied"]
        assert [r.why for r in case.history if r.event is CaseEvent.ENERGISE] == ["送电: energised"]
        with store() as uow:
            decisions = [(a.operation, a.decision) for a in uow.audit.records()]
        assert decisions == [
            ("approve_supply_scheme", Decision.GRANTED),
            ("accept_equipment", Decision.REFUSED),
            ("accept_equipment", Decision.GRANTED),
        ]
