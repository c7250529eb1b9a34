"""Outages in the store: affected key and important customers found from the book, the approval
audited both ways, notices recorded (a late one visible), a start refused until notified."""

from __future__ import annotations

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.customers.contacts import Channel
from powerretail.customers.parties import (
    Account,
    Customer,
    LoadImportance,
    Sector,
    ServicePoint,
    VoltageLevel,
)
from powerretail.errors import InvalidInput, NotFound
from powerretail.repositories.commands import CommandRefused
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS, SERVICE_POINTS
from powerretail.repositories.outages import OUTAGES
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.outages import (
    BreachKind,
    OutageEvent,
    OutageKind,
    OutageRefused,
    OutageState,
)
from powerretail.statemachine import GuardRefused
from powerretail.workflows.outages import outage_statuses, request_outage, step_outage

TZ = "Asia/Shanghai"
HEAD = Actor(id="head-1", name="Zhang", roles={"supply_office_head"})
CLERK = Actor(id="clerk-1", name="Li", roles={"customer_service"})
NOW = pendulum.datetime(2026, 9, 20, 9, tz=TZ)
WINDOW = pendulum.datetime(2026, 10, 8, 9, tz=TZ)


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, month, day, hour, minute, tz=TZ)


def book(make_unit_of_work: UnitOfWorkFactory) -> None:
    """A hospital (important by sector), a factory on second-level load, a shop (neither)."""
    people = (
        ("H", Sector.HOSPITAL, LoadImportance.THIRD),
        ("F", Sector.INDUSTRY, LoadImportance.SECOND),
        ("S", Sector.COMMERCE, LoadImportance.THIRD),
        ("K", Sector.COMMERCE, LoadImportance.THIRD),
    )
    with make_unit_of_work() as uow:
        for code, sector, load in people:
            uow.repository(CUSTOMERS).add(
                Customer(
                    id=f"C-{code}",
                    name=f"Customer {code}",
                    sector=sector,
                    industry="x",
                    region="gusu",
                )
            )
            uow.repository(ACCOUNTS).add(
                Account(id=f"A-{code}", customer_id=f"C-{code}", opened_on="2020-01-01")
            )
            uow.repository(SERVICE_POINTS).add(
                ServicePoint(
                    id=f"SP-{code}",
                    account_id=f"A-{code}",
                    address=f"{code} road",
                    voltage_level=VoltageLevel.KV10,
                    contracted_capacity=400,
                    load_importance=load,
                    industry="x",
                    region="gusu",
                )
            )
        uow.commit()


@pytest.fixture
def store() -> MemoryStore:
    made = MemoryStore()
    book(made.unit_of_work)
    return made


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def requested(store: MemoryStore, clock: FixedClock, outage_id: str = "OUT-1") -> None:
    request_outage(
        store.unit_of_work,
        clock=clock,
        outage_id=outage_id,
        kind=OutageKind.PLANNED,
        feeder="10kV 城东线",
        area="城东 3 号台区",
        service_points=("SP-H", "SP-F", "SP-S", "SP-K"),
        window_start=WINDOW,
        window_end=WINDOW.add(hours=8),
        reason="line maintenance",
        actor=CLERK,
        key_customers=("C-K",),
    )


def step(
    store: MemoryStore, clock: FixedClock, event: OutageEvent, when: pendulum.DateTime, **kw: object
) -> object:
    actor = kw.pop("actor", HEAD)
    return step_outage(
        store.unit_of_work,
        clock=clock,
        outage_id="OUT-1",
        step=event,
        at=when,
        policy=SEED_POLICY,
        actor=actor,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def notify(store: MemoryStore, clock: FixedClock, customer: str, when: pendulum.DateTime) -> None:
    step(
        store,
        clock,
        OutageEvent.NOTIFY,
        when,
        actor=CLERK,
        customer_id=customer,
        channel=Channel.PHONE,
        what="停电通知",
    )


class TestRequest:
    def test_key_and_important_customers_are_found_from_the_store(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        requested(store, clock)
        (status,) = outage_statuses(store.unit_of_work, as_of=NOW)
        why = {c.customer_id: c.why for c in status.outage.key_customers}
        assert why == {
            "C-H": "important customer: 关键基础设施类",
            "C-F": "load 二级负荷",
            "C-K": "key account",
        }
        assert len(status.outage.affected) == 4  # the shop too, notified by public notice
        assert status.notice_status == "pending"
        assert status.notice_due == at(10, 1, 9)

    def test_requesting_twice_stores_it_once(self, store: MemoryStore, clock: FixedClock) -> None:
        requested(store, clock)
        requested(store, clock)
        assert len(outage_statuses(store.unit_of_work, as_of=NOW)) == 1

    def test_an_unknown_service_point_is_refused(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        with pytest.raises(NotFound, match="SP-NONE"):
            request_outage(
                store.unit_of_work,
                clock=clock,
                outage_id="OUT-9",
                kind=OutageKind.TEMPORARY,
                feeder="f",
                area="a",
                service_points=("SP-NONE",),
                window_start=WINDOW,
                window_end=WINDOW.add(hours=1),
                reason="r",
                actor=CLERK,
            )
        with pytest.raises(NotFound):
            request_outage(
                store.unit_of_work,
                clock=clock,
                outage_id="OUT-9",
                kind=OutageKind.TEMPORARY,
                feeder="f",
                area="a",
                service_points=("SP-H",),
                window_start=WINDOW,
                window_end=WINDOW.add(hours=1),
                reason="r",
                actor=CLERK,
                rules="MARS",
            )


class TestApprovalAudit:
    def test_granted_to_the_head_refused_to_a_clerk_both_audited(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        requested(store, clock)
        with pytest.raises(CommandRefused, match="PermissionDenied"):
            step(store, clock, OutageEvent.APPROVE, NOW, actor=CLERK)
        step(store, clock, OutageEvent.APPROVE, NOW.add(minutes=5))
        with store.unit_of_work() as uow:
            records = uow.audit.records(operation="approve_outage")
        assert [(r.actor, r.decision.value, r.subject) for r in records] == [
            ("clerk-1", "refused", "OUT-1"),
            ("head-1", "granted", "OUT-1"),
        ]


class TestTheRun:
    def test_refused_to_start_until_every_key_customer_is_notified(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        requested(store, clock)
        step(store, clock, OutageEvent.APPROVE, NOW)
        notify(store, clock, "C-H", at(9, 30, 10))
        notify(store, clock, "C-F", at(9, 30, 11))
        with pytest.raises(OutageRefused, match="C-K"):
            step(store, clock, OutageEvent.START, WINDOW)
        notify(store, clock, "C-K", at(10, 7, 9))  # a day before: late under the 7-day rule
        with store.unit_of_work() as uow:
            events = uow.outbox.events_for(OUTAGES.kind, "OUT-1")
        late_events = [e for e in events if e.event_type == "OutageNoticeLate"]
        assert len(late_events) == 1
        step(store, clock, OutageEvent.START, WINDOW)  # the refusal was not recorded
        step(
            store,
            clock,
            OutageEvent.PROGRESS,
            WINDOW.add(hours=4),
            what="crossarm replaced",
            expected_restoration=WINDOW.add(hours=7),
        )
        step(store, clock, OutageEvent.RESTORE, WINDOW.add(hours=7))
        (status,) = outage_statuses(store.unit_of_work, as_of=WINDOW.add(hours=7))
        assert status.outage.state is OutageState.RESTORED
        assert status.notified_on_time == ("C-H", "C-F")
        assert status.notified_late == ("C-K",)
        assert status.notice_status == "late"
        assert [b.kind for b in status.breaches] == [BreachKind.NOTICE_LATE]
        assert status.call_back_due == WINDOW.add(hours=8)
        data = status.to_dict()
        assert data["notice_status"] == "late"
        assert data["expected_restoration"] == WINDOW.add(hours=7).isoformat()
        with pytest.raises(GuardRefused):
            step(store, clock, OutageEvent.CALL_BACK, at(10, 8, 23), actor=CLERK)
        step(store, clock, OutageEvent.CALL_BACK, at(10, 9, 9), actor=CLERK, what="satisfied")
        (status,) = outage_statuses(store.unit_of_work, as_of=at(10, 9, 9))
        assert status.outage.state is OutageState.CALLED_BACK
        assert status.call_back_due is None

    def test_a_step_taken_twice_is_taken_once(self, store: MemoryStore, clock: FixedClock) -> None:
        requested(store, clock)
        step(store, clock, OutageEvent.APPROVE, NOW)
        notify(store, clock, "C-H", at(9, 30, 10))
        notify(store, clock, "C-H", at(9, 30, 10))
        (status,) = outage_statuses(store.unit_of_work, as_of=NOW)
        assert len(status.outage.notices) == 1

    def test_missing_notices_show_as_missing_past_the_limit(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        requested(store, clock)
        (status,) = outage_statuses(store.unit_of_work, as_of=at(10, 1, 9, 1))
        assert status.notice_status == "missing"
        assert {b.customer_id for b in status.breaches} == {"C-H", "C-F", "C-K"}

    def test_details_a_step_needs(self, store: MemoryStore, clock: FixedClock) -> None:
        requested(store, clock)
        step(store, clock, OutageEvent.APPROVE, NOW)
        with pytest.raises(CommandRefused, match="InvalidInput"):
            step(store, clock, OutageEvent.NOTIFY, NOW, customer_id="C-H")
        with pytest.raises(InvalidInput):
            step(store, clock, "notify", NOW)  # type: ignore[arg-type]

    def test_cancel(self, store: MemoryStore, clock: FixedClock) -> None:
        requested(store, clock)
        step(store, clock, OutageEvent.CANCEL, NOW, what="weather")
        (status,) = outage_statuses(store.unit_of_work, as_of=at(12, 1))
        assert status.outage.state is OutageState.CANCELLED
        assert status.breaches == ()
