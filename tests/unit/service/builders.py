"""Builders for service cases: actors, a complaint, a connection application and schemes."""

from __future__ import annotations

from decimal import Decimal

import pendulum

from powerretail.access import Actor
from powerretail.adapters.memory import MemoryStore
from powerretail.customers.parties import Customer, Sector
from powerretail.repositories.customers import CUSTOMERS
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.service.cases import Case, IntakeChannel, open_case
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
from powerretail.service.kinds import Area, CaseKind

CLERK = Actor(id="clerk-1", name="Li", roles={"customer_service"})
MANAGER = Actor(id="m-1", name="Zhou", roles={"regional_key_account_manager"})


def shanghai(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="Asia/Shanghai")


def a_case(
    kind: CaseKind = CaseKind.COMPLAINT,
    *,
    at: pendulum.DateTime | None = None,
    rules: str = "SEED",
    area: Area = Area.URBAN,
    connection: ConnectionDetails | None = None,
) -> Case:
    return open_case(
        case_id="K-1",
        kind=kind,
        customer_id="C-1",
        channel=IntakeChannel.HOTLINE,
        received_by="clerk-1",
        at=at or shanghai(2026, 3, 2, 9),
        subject="the customer's words",
        area=area,
        rules=rules,
        connection=connection,
    ).case


def details(
    klass: ConnectionClass = ConnectionClass.HV,
    purpose: ConnectionPurpose = ConnectionPurpose.NEW,
    *,
    complete: bool = True,
    kva: str = "5000",
) -> ConnectionDetails:
    return ConnectionDetails(
        customer_class=klass,
        purpose=purpose,
        capacity_kva=Decimal(kva),
        documents=CHECKLISTS[klass, purpose] if complete else frozenset(),
    )


def a_scheme(*substations: str, kva: str = "5000") -> SupplyScheme:
    return SupplyScheme(
        access=AccessPart(
            voltage_kv=Decimal(10),
            capacity_kva=Decimal(kva),
            sources=tuple(Source(substation=s, bus_section="I") for s in substations),
        ),
        receiving=ReceivingPart(
            main_wiring="single bus, sectionalised",
            protection="overcurrent, earth fault",
            metering="HV metering at the incoming cabinet",
            ownership_boundary="the customer's incoming switch",
        ),
    )


def a_store() -> UnitOfWorkFactory:
    """A memory store holding customer C-1 (a silk mill in gusu)."""
    memory = MemoryStore()
    with memory.unit_of_work() as uow:
        uow.repository(CUSTOMERS).add(
            Customer(
                id="C-1",
                name="Silk Mill",
                sector=Sector.INDUSTRY,
                industry="textiles",
                region="gusu",
            )
        )
        uow.commit()
    return memory.unit_of_work
