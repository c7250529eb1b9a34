"""A small book on a memory store: one C&I account on JS-CI-TOU-1P with a peak/flat/valley meter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pendulum
import pytest

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts
from powerretail.customers.parties import Account, Customer, Sector
from powerretail.ids import AccountId, CustomerId, MeterId
from powerretail.metering.meters import Meter, MeterType, RegisterKind
from powerretail.metering.reads import ReadSource, RegisterRead
from powerretail.quantities import Money
from powerretail.repositories.billing import BillingProfile
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import publish_tariff
from powerretail.workflows.moves import move_in
from powerretail.workflows.reads import submit_reads

JULY = DateRange.month(2025, 7)
AUGUST = DateRange.month(2025, 8)
NOW = pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai")
REGISTERS = (RegisterKind.PEAK, RegisterKind.FLAT, RegisterKind.VALLEY)
#: The billing auditor (电费审核专责): publishes tariffs, corrects and releases bills.
AUDITOR = Actor(id="auditor", name="Wang", roles=frozenset({"billing_auditor"}))
#: A customer-service clerk, who may do none of that.
CLERK = Actor(id="clerk", name="Li", roles=frozenset({"customer_service"}))


def midnight(day: date | None) -> pendulum.DateTime:
    assert day is not None
    return pendulum.datetime(day.year, day.month, day.day, tz="Asia/Shanghai")


def reads(
    meter_id: str, day: date | None, values: Sequence[str | Decimal], *, unreadable: bool = False
) -> tuple[RegisterRead, ...]:
    """Return one read per register (peak, flat, valley) of ``meter_id`` at local midnight."""
    return tuple(
        RegisterRead(
            meter_id=MeterId(meter_id),
            register=register,
            read_at=midnight(day),
            value=value,
            source=ReadSource.ACTUAL,
            produced_by="reader",
            unreadable=unreadable,
        )
        for register, value in zip(REGISTERS, values, strict=True)
    )


def a_meter(meter_id: str) -> Meter:
    return Meter(
        id=MeterId(meter_id),
        serial=f"S-{meter_id}",
        meter_type=MeterType.SMART,
        accuracy_class="1",
        registers=frozenset(REGISTERS),
        installed_on=date(2020, 1, 1),
    )


def open_account(
    make_unit_of_work: UnitOfWorkFactory,
    clock: FixedClock,
    account_id: str = "A-1",
    *,
    customer_id: str = "C-1",
    meter_id: str | None = None,
    opened_on: date = date(2024, 1, 1),
    start_reads: Sequence[str] = ("1000", "2000", "500"),
    start_day: date = JULY.start,
    typical: Money | None = None,
    deposit: Money | None = None,
    carry_deposit_from: str | None = None,
    deposit_clause: str | None = "供用电合同 第12条",
) -> None:
    """Open a C&I account with its meter and the reads of ``start_day``."""
    meter = a_meter(meter_id or f"M-{account_id}")
    publish_tariff(
        make_unit_of_work,
        tariff=load_shipped("JS-CI-TOU-1P"),
        actor=AUDITOR,
        policy=SEED_POLICY,
        clock=clock,
        why="C&I tariff in force",
    )
    move_in(
        make_unit_of_work,
        clock=clock,
        key=f"move-in/{account_id}",
        customer=Customer(
            id=CustomerId(customer_id),
            name=f"Customer {customer_id}",
            sector=Sector.INDUSTRY,
            industry="manufacturing",
            region="gusu",
        ),
        account=Account(id=account_id, customer_id=customer_id, opened_on=opened_on),
        profile=BillingProfile(
            account_id=AccountId(account_id),
            customer_id=CustomerId(customer_id),
            tariff_code="JS-CI-TOU-1P",
            meter_ids=(meter.id,),
            facts=AccountFacts(capacity_kva=160),
            typical=typical,
        ),
        meters=(meter,),
        deposit=deposit or Money("300.00"),
        carry_deposit_from=carry_deposit_from,
        # From 2024-06-01 a deposit needs a contract clause (《供电营业规则》 2024 revision).
        deposit_clause=deposit_clause,
    )
    submit_reads(make_unit_of_work, clock=clock, reads=reads(meter.id, start_day, start_reads))


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def book(store: MemoryStore, clock: FixedClock) -> UnitOfWorkFactory:
    """One account A-1 with July's start reads and end reads (1100/2200/560: 100/200/60 kWh)."""
    open_account(store.unit_of_work, clock)
    submit_reads(
        store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
    )
    return store.unit_of_work
