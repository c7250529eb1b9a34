"""Service cases: a mine's capacity increase and a household's complaint, end to end.

A memory store holds two customers. The mine applies for 5000 kVA more at the counter; the case
is routed to its key-account manager, accepted with the licences the rules ask of a first-level
important customer, surveyed, handed by the supply office to marketing, and answered with a
dual-source scheme the manager approves. The
household complains by hotline; it is answered and followed up. The backlog and the month's SLA
report are printed as the CLI prints them.

Run: python examples/service_cases.py
"""

from __future__ import annotations

from decimal import Decimal

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.customers.parties import Customer, KeyAccountManager, ManagerLevel, Sector
from powerretail.customers.tiering import KeyAccountGrade
from powerretail.repositories.customers import CUSTOMERS
from powerretail.repositories.service import SERVICE_CASES
from powerretail.service.cases import IntakeChannel, Satisfaction, case_clocks
from powerretail.service.connections import (
    CHECKLISTS,
    AccessPart,
    ConnectionClass,
    ConnectionDetails,
    ConnectionPurpose,
    ReceivingPart,
    Source,
    SupplyScheme,
)
from powerretail.service.kinds import CaseEvent, CaseKind
from powerretail.service.reports import backlog, sla_report
from powerretail.service.routing import SEED_ROUTING
from powerretail.workflows.service import close_case, fire_step, intake_case, route_case

CLERK = Actor(id="counter-1", name="Chen", roles={"customer_service"})
MANAGER = Actor(id="m-7", name="Zhou", roles={"company_key_account_manager"})
ZHOU = KeyAccountManager(id="m-7", name="Zhou", level=ManagerLevel.COMPANY)


def at(day: int, hour: int = 9) -> pendulum.DateTime:
    return pendulum.datetime(2026, 3, day, hour, tz="Asia/Shanghai")


def main() -> None:
    store = MemoryStore()
    clock = FixedClock(at(2))
    with store.unit_of_work() as uow:
        uow.repository(CUSTOMERS).add(
            Customer(
                id="C-MINE",
                name="Coal Mine",
                sector=Sector.INDUSTRY,
                industry="mining",
                region="xuzhou",
            )
        )
        uow.repository(CUSTOMERS).add(
            Customer(
                id="C-HOME",
                name="Wang",
                sector=Sector.RESIDENTIAL,
                industry="household",
                region="gusu",
            )
        )
        uow.commit()
    make = store.unit_of_work

    mine = ConnectionClass.FIRST_LEVEL_IMPORTANT
    intake_case(
        make,
        clock=clock,
        case_id="CONN-1",
        kind=CaseKind.CONNECTION,
        customer_id="C-MINE",
        channel=IntakeChannel.COUNTER,
        received_by=CLERK.id,
        at=at(2),
        subject="增容 5000 kVA",
        connection=ConnectionDetails(
            customer_class=mine,
            purpose=ConnectionPurpose.INCREASE,
            capacity_kva=Decimal(5000),
            documents=CHECKLISTS[mine, ConnectionPurpose.INCREASE],
        ),
    )
    route_case(
        make,
        clock=clock,
        case_id="CONN-1",
        policy=SEED_ROUTING,
        managers=[ZHOU],
        grade=KeyAccountGrade.FIRST,
        at=at(2, 10),
    )
    for event, when in (
        (CaseEvent.ACCEPT, at(2, 11)),
        (CaseEvent.SURVEY, at(5)),
        (CaseEvent.HAND_TO_MARKETING, at(6)),
    ):
        fire_step(
            make,
            clock=clock,
            case_id="CONN-1",
            event_name=event,
            policy=SEED_POLICY,
            actor=MANAGER,
            at=when,
        )
    scheme = SupplyScheme(
        access=AccessPart(
            voltage_kv=Decimal(35),
            capacity_kva=Decimal(5000),
            sources=(Source("Dongshan", "I"), Source("Xishan", "II")),
        ),
        receiving=ReceivingPart(
            main_wiring="single bus, sectionalised",
            protection="differential, overcurrent",
            metering="35 kV metering cabinet",
            ownership_boundary="the customer's incoming gantry",
        ),
    )
    case = fire_step(
        make,
        clock=clock,
        case_id="CONN-1",
        event_name=CaseEvent.REPLY_SCHEME,
        policy=SEED_POLICY,
        actor=MANAGER,
        at=at(20),
        scheme=scheme,
    )
    print(f"{case.id}: {case.state.value}, owner {case.owner}, first contact {case.first_contact}")
    assert case.connection is not None
    print(f"  scheme valid until {case.connection.valid_until}")
    for item in case_clocks(case):
        if item.clock is not None and item.policy is not None:
            print(
                f"  {item.name}: {item.policy.limit} {item.policy.unit.value} "
                f"({item.policy.rule_set}), due {item.clock.due_at}, "
                f"{item.status(at(20)).value}"
            )  # type: ignore[union-attr]

    intake_case(
        make,
        clock=clock,
        case_id="COMP-1",
        kind=CaseKind.COMPLAINT,
        customer_id="C-HOME",
        channel=IntakeChannel.HOTLINE,
        received_by="hotline-2",
        at=at(9),
        subject="the bill doubled",
    )
    fire_step(
        make,
        clock=clock,
        case_id="COMP-1",
        event_name=CaseEvent.ACCEPT,
        policy=SEED_POLICY,
        actor=CLERK,
        at=at(9, 11),
    )
    fire_step(
        make,
        clock=clock,
        case_id="COMP-1",
        event_name=CaseEvent.REPLY,
        policy=SEED_POLICY,
        actor=CLERK,
        at=at(12),
        feedback="meter tested: accurate",
    )
    done = close_case(
        make,
        clock=clock,
        case_id="COMP-1",
        satisfaction=Satisfaction.SATISFIED,
        policy=SEED_POLICY,
        actor=CLERK,
        at=at(13),
    )
    print(f"{done.id}: {done.state.value} ({done.satisfaction.value})")  # type: ignore[union-attr]

    with make() as uow:
        cases = [v.entity.case_with_history() for v in uow.repository(SERVICE_CASES).query()]
    print("backlog as of 2026-03-31:")
    for row in backlog(cases, as_of=at(31)):
        waiting = "nothing due: the customer designs and builds" if row.due_at is None else ""
        print(f"  {row.case_id} {row.kind} {row.state} {waiting or row.next_clock}")
    report = sla_report(cases, month=(2026, 3), as_of=at(31))
    print(
        f"SLA 2026-03: {report.total.on_time} on time, {report.total.breached} breached, "
        f"{report.total.rate_percent}% on time"
    )


if __name__ == "__main__":
    main()
