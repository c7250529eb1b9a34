"""Embed powerretail on SQLite: open accounts, read meters, run a billing cycle, take payments.

Run it with no arguments; it works in a temporary folder and removes it afterwards.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pendulum

from powerretail.access import SEED_POLICY, Actor
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts
from powerretail.customers.parties import Account, Customer, Sector
from powerretail.ids import AccountId, BillId, CustomerId, MeterId
from powerretail.metering.meters import Meter, MeterType, RegisterKind
from powerretail.metering.reads import ReadSource, RegisterRead
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS, BillingProfile
from powerretail.repositories.events import OutboxEvent, publish_pending
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import CycleProgress, publish_tariff, run_billing_cycle
from powerretail.workflows.moves import move_in, move_out
from powerretail.workflows.payments import account_balance, post_payment
from powerretail.workflows.reads import submit_reads

JULY = DateRange.month(2025, 7)
REGISTERS = (RegisterKind.PEAK, RegisterKind.FLAT, RegisterKind.VALLEY)
#: Only the billing auditor (电费审核专责) may change the tariff archive.
AUDITOR = Actor(id="example-auditor", name="Example billing auditor", roles={"billing_auditor"})


def reads(meter_id: str, day: date, values: tuple[str, str, str]) -> list[RegisterRead]:
    """Return the peak, flat and valley reads of ``meter_id`` at midnight of ``day``."""
    at = pendulum.datetime(day.year, day.month, day.day, tz="Asia/Shanghai")
    return [
        RegisterRead(
            meter_id=MeterId(meter_id),
            register=register,
            read_at=at,
            value=value,
            source=ReadSource.ACTUAL,
            produced_by="meter reader",
        )
        for register, value in zip(REGISTERS, values, strict=True)
    ]


def open_shop(store: SqliteStore, clock: FixedClock, number: int) -> None:
    """Move a print shop in: customer, account, billing profile, meter and a 300 元 deposit."""
    account_id, customer_id, meter_id = f"A-{number}", f"C-{number}", f"M-{number}"
    move_in(
        store.unit_of_work,
        clock=clock,
        key=f"move-in/{account_id}",
        customer=Customer(
            id=CustomerId(customer_id),
            name=f"Print shop {number}",
            sector=Sector.INDUSTRY,
            industry="printing",
            region="gusu",
        ),
        account=Account(id=account_id, customer_id=customer_id, opened_on="2024-01-01"),
        profile=BillingProfile(
            account_id=AccountId(account_id),
            customer_id=CustomerId(customer_id),
            tariff_code="JS-CI-TOU-1P",
            meter_ids=(MeterId(meter_id),),
            facts=AccountFacts(capacity_kva=160),
        ),
        meters=(
            Meter(
                id=MeterId(meter_id),
                serial=f"S-{number}",
                meter_type=MeterType.SMART,
                accuracy_class="1",
                registers=frozenset(REGISTERS),
                installed_on=date(2024, 1, 1),
            ),
        ),
        deposit=Money("300.00"),
    )


def main() -> None:
    clock = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "powerretail.sqlite3")
        publish_tariff(
            store.unit_of_work,
            tariff=load_shipped("JS-CI-TOU-1P"),
            actor=AUDITOR,
            policy=SEED_POLICY,
            clock=clock,
            why="Jiangsu C&I time-of-use tariff in force",
        )
        for number in (1, 2, 3):
            open_shop(store, clock, number)
            submit_reads(
                store.unit_of_work,
                clock=clock,
                reads=reads(f"M-{number}", JULY.start, ("0", "0", "0")),
            )
            if number != 3:  # shop 3's meter was not read yet
                end = (f"{100 * number}", f"{200 * number}", "60")
                submit_reads(
                    store.unit_of_work, clock=clock, reads=reads(f"M-{number}", JULY.end, end)
                )

        def progress(step: CycleProgress) -> None:
            account = step.account
            print(f"[{step.done}/{step.total}] {account.account_id}: {account.outcome.value}")

        report = run_billing_cycle(
            store.unit_of_work,
            clock=clock,
            period=JULY,
            issued_on=date(2025, 8, 1),
            progress=progress,
        )
        print(report.summary())
        with store.unit_of_work() as uow:
            print(uow.repository(BILLS).get(BillId("A-1-20250701")).entity.explain())

        for attempt in (1, 2):  # the gateway retries: the payment is posted once
            receipt = post_payment(
                store.unit_of_work,
                clock=clock,
                key="gateway-0001",
                account_id="A-1",
                amount=Money("300.00"),
                received_on=date(2025, 8, 5),
            )
            print(f"attempt {attempt}: applied {receipt.applied}, credit {receipt.credit}")

        outcome = move_out(
            store.unit_of_work,
            clock=clock,
            key="move-out/A-2",
            account_id="A-2",
            on=date(2025, 8, 21),
            final_reads=reads("M-2", date(2025, 8, 21), ("250", "470", "100")),
            by="counter clerk",
        )
        print(f"A-2 moved out: final bill {outcome['bill_id']} {outcome['total']} 元")
        for number in (1, 2, 3):
            owed = account_balance(store.unit_of_work, account_id=f"A-{number}")
            print(f"A-{number} owes {owed.balance} (deposit {owed.deposit})")

        def publish(event: OutboxEvent) -> None:
            print(f"event {event.event_type} {event.aggregate_id}")

        publish_pending(store.unit_of_work, publish)
        store.close()


if __name__ == "__main__":
    main()
