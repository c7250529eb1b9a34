"""A planned outage that notifies a hospital, and a work order raised by two unread cycles.

Run it: ``python examples/outages.py``. Everything happens in a memory store on a fixed clock.
"""

from __future__ import annotations

from datetime import date

import pendulum

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
from powerretail.metering.meters import Meter, MeterType, RegisterKind
from powerretail.metering.reads import ReadSource, RegisterRead
from powerretail.metering.rules import SEED_RULES
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS, SERVICE_POINTS
from powerretail.repositories.metering import METERS
from powerretail.service.outages import OutageEvent, OutageKind
from powerretail.service.work_orders import WorkOrderEvent, work_order_clock
from powerretail.workflows.outages import outage_statuses, request_outage, step_outage
from powerretail.workflows.reads import estimate_reads, submit_reads
from powerretail.workflows.work_orders import list_work_orders, step_work_order

TZ = "Asia/Shanghai"
HEAD = Actor(id="head-1", name="Zhang", roles={"supply_office_head"})
MANAGER = Actor(id="mm-1", name="Zhou", roles={"marketing_manager"})
READER = Actor(id="reader-1", name="Qian", roles={"customer_service"})


def book(store: MemoryStore) -> None:
    """A county hospital with its account, service point and meter."""
    with store.unit_of_work() as uow:
        uow.repository(CUSTOMERS).add(
            Customer(
                id="C-H",
                name="County hospital",
                sector=Sector.HOSPITAL,
                industry="hospital",
                region="gusu",
            )
        )
        uow.repository(ACCOUNTS).add(Account(id="A-H", customer_id="C-H", opened_on="2020-01-01"))
        uow.repository(SERVICE_POINTS).add(
            ServicePoint(
                id="SP-H",
                account_id="A-H",
                address="1 Renmin Road",
                voltage_level=VoltageLevel.KV10,
                contracted_capacity=800,
                load_importance=LoadImportance.FIRST,
                industry="hospital",
                region="gusu",
            )
        )
        uow.repository(METERS).add(
            Meter(
                id="M-H",
                serial="S-1",
                meter_type=MeterType.SMART,
                accuracy_class="0.5S",
                registers=frozenset({RegisterKind.ACTIVE_TOTAL}),
                installed_on=date(2020, 1, 1),
            )
        )
        uow.commit()


def unread_cycles(store: MemoryStore, clock: FixedClock) -> None:
    """Two reads, then two cycles the meter room was locked: the seed's exception ticket."""
    submit_reads(
        store.unit_of_work,
        clock=clock,
        reads=[
            RegisterRead(
                meter_id="M-H",
                read_at=pendulum.datetime(2026, m, 1, tz=TZ),
                value=v,
                source=ReadSource.ACTUAL,
                produced_by="reader",
            )
            for m, v in ((1, "120000"), (2, "152000"))
        ],
        rule_set=SEED_RULES,
    )
    for month in (3, 4):
        estimate_reads(
            store.unit_of_work,
            meter_id="M-H",
            at=pendulum.datetime(2026, month, 1, tz=TZ),
            rule_set=SEED_RULES,
        )
    (ticket,) = list_work_orders(store.unit_of_work)
    print(f"work order {ticket.kind.value}: {ticket.detail}")
    print(f"  due {work_order_clock(ticket).due_at}")
    for step, actor, extra in (
        (WorkOrderEvent.DISPATCH, MANAGER, {"assignee": "reader-1"}),
        (WorkOrderEvent.COMPLETE, READER, {"result": "key left with the guard; read 184 200"}),
        (WorkOrderEvent.VERIFY, MANAGER, {}),
    ):
        ticket = step_work_order(
            store.unit_of_work,
            clock=clock,
            order_id=ticket.id,
            step=step,
            at=pendulum.datetime(2026, 4, 1, 15, tz=TZ),
            policy=SEED_POLICY,
            actor=actor,
            **extra,
        )
    print(f"  {ticket.state.value} by {ticket.verified_by}")


def planned_outage(store: MemoryStore, clock: FixedClock) -> None:
    """A planned outage after the May Day holiday: the hospital is told 7 days ahead."""
    window = pendulum.datetime(2026, 5, 8, 9, tz=TZ)
    request_outage(
        store.unit_of_work,
        clock=clock,
        outage_id="OUT-1",
        kind=OutageKind.PLANNED,
        feeder="10kV 人民线",
        area="人民路 2 号台区",
        service_points=("SP-H",),
        window_start=window,
        window_end=window.add(hours=6),
        reason="transformer maintenance",
        actor=HEAD,
    )
    steps = (
        (OutageEvent.APPROVE, window.subtract(days=9), {}),
        (
            OutageEvent.NOTIFY,
            window.subtract(days=7),
            {"customer_id": "C-H", "channel": Channel.LETTER, "what": "书面停电通知"},
        ),
        (OutageEvent.START, window, {}),
        (OutageEvent.RESTORE, window.add(hours=5), {}),
        (OutageEvent.CALL_BACK, window.add(hours=6), {"what": "supply back, no damage"}),
    )
    for step, at, extra in steps:
        step_outage(
            store.unit_of_work,
            clock=clock,
            outage_id="OUT-1",
            step=step,
            at=at,
            policy=SEED_POLICY,
            actor=HEAD,
            **extra,
        )
    (status,) = outage_statuses(store.unit_of_work, as_of=window.add(days=1))
    print(
        f"outage {status.outage.id}: {status.outage.state.value}; notices "
        f"{status.notice_status} (due {status.notice_due}); breaches: {len(status.breaches)}"
    )


def main() -> None:
    store = MemoryStore()
    clock = FixedClock(pendulum.datetime(2026, 4, 1, 9, tz=TZ))
    book(store)
    unread_cycles(store, clock)
    planned_outage(store, clock)


if __name__ == "__main__":
    main()
