"""A synthetic book of accounts for tests and benchmarks: many accounts, loaded in batches.

:func:`seed_book` stores ``count`` commercial accounts on the shipped tariff ``JS-CI-TOU-1P``,
each with its customer, a peak/flat/valley meter, a billing profile, an empty receivable and the
register reads of the start of a period; :func:`add_month_reads` stores the reads that end a
month. Entities are added directly through the repositories, ``batch`` per unit of work, which
is much faster than one :func:`~powerretail.workflows.moves.move_in` per account — use it to set
up a billing cycle of 100 000 accounts.

>>> from powerretail.adapters.memory import MemoryStore
>>> from powerretail.timeframe import DateRange
>>> store = MemoryStore()
>>> seed_book(store.unit_of_work, count=3, start=DateRange.month(2025, 7).start)
('A-000000', 'A-000001', 'A-000002')
>>> add_month_reads(store.unit_of_work, ("A-000000",), DateRange.month(2025, 7), month=1)
3
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pendulum

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts
from powerretail.customers.parties import Account, Customer, Sector
from powerretail.ids import AccountId, CustomerId, MeterId
from powerretail.metering.meters import Meter, MeterType, RegisterKind
from powerretail.metering.reads import ReadSource, RegisterRead
from powerretail.repositories.billing import BILLING_PROFILES, BillingProfile
from powerretail.repositories.customers import ACCOUNTS, CUSTOMERS
from powerretail.repositories.metering import METERS, READS, StoredRead, read_key
from powerretail.repositories.payments import RECEIVABLES, Receivable
from powerretail.repositories.tariffs import TARIFF_DOCUMENTS, TariffDocument
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DEFAULT_TIMEZONE, DateRange

__all__ = ["BOOK_TARIFF", "REGISTERS", "account_ids", "add_month_reads", "seed_book"]

#: The tariff every synthetic account is billed under.
BOOK_TARIFF = "JS-CI-TOU-1P"
#: The registers of every synthetic meter.
REGISTERS = (RegisterKind.PEAK, RegisterKind.FLAT, RegisterKind.VALLEY)
_BASE = (1000, 2000, 500)


def account_ids(count: int, first: int = 0) -> tuple[str, ...]:
    """Return the ids of synthetic accounts ``first`` … ``first + count - 1``."""
    return tuple(f"A-{index:06d}" for index in range(first, first + count))


def _usage(account_id: str, month: int) -> tuple[int, int, int]:
    """Return the register values of ``account_id`` after ``month`` months (deterministic)."""
    index = int(account_id.rsplit("-", 1)[1])
    step = (100 + index % 37, 200 + index % 53, 60 + index % 11)
    return tuple(base + month * advance for base, advance in zip(_BASE, step, strict=True))  # type: ignore[return-value]


def _reads(account_id: str, day: date, month: int) -> tuple[StoredRead, ...]:
    meter_id = MeterId(f"M-{account_id}")
    at = pendulum.datetime(day.year, day.month, day.day, tz=DEFAULT_TIMEZONE)
    out = []
    for register, value in zip(REGISTERS, _usage(account_id, month), strict=True):
        read = RegisterRead(
            meter_id=meter_id,
            register=register,
            read_at=at,
            value=value,
            source=ReadSource.ACTUAL,
            produced_by="synthetic book",
        )
        out.append(
            StoredRead(read_id=read_key(meter_id, register, at), meter_id=meter_id, read=read)
        )
    return tuple(out)


def seed_book(
    make_unit_of_work: UnitOfWorkFactory,
    *,
    count: int,
    start: date,
    first: int = 0,
    batch: int = 500,
) -> tuple[str, ...]:
    """Store ``count`` accounts opened before ``start``, with their reads at ``start``.

    Returns their ids. The tariff is stored once (revision 1) if not stored yet.
    """
    with make_unit_of_work() as uow:
        documents = uow.repository(TARIFF_DOCUMENTS)
        if documents.find(f"{BOOK_TARIFF}@1") is None:
            documents.add(TariffDocument.of(load_shipped(BOOK_TARIFF)))
            uow.commit()
    ids = account_ids(count, first)
    for offset in range(0, count, batch):
        with make_unit_of_work() as uow:
            for account_id in ids[offset : offset + batch]:
                customer_id = CustomerId(f"C-{account_id}")
                meter_id = MeterId(f"M-{account_id}")
                uow.repository(CUSTOMERS).add(
                    Customer(
                        id=customer_id,
                        name=f"Customer {account_id}",
                        sector=Sector.INDUSTRY,
                        industry="manufacturing",
                        region="gusu",
                    )
                )
                uow.repository(ACCOUNTS).add(
                    Account(id=account_id, customer_id=customer_id, opened_on=date(2020, 1, 1))
                )
                uow.repository(METERS).add(
                    Meter(
                        id=meter_id,
                        serial=f"S-{account_id}",
                        meter_type=MeterType.SMART,
                        accuracy_class="1",
                        registers=frozenset(REGISTERS),
                        installed_on=date(2020, 1, 1),
                    )
                )
                uow.repository(BILLING_PROFILES).add(
                    BillingProfile(
                        account_id=AccountId(account_id),
                        customer_id=customer_id,
                        tariff_code=BOOK_TARIFF,
                        meter_ids=(meter_id,),
                        facts=AccountFacts(capacity_kva=160),
                    )
                )
                uow.repository(RECEIVABLES).add(
                    Receivable.open(account_id=account_id, customer_id=customer_id)
                )
                for stored in _reads(account_id, start, 0):
                    uow.repository(READS).add(stored)
            uow.commit()
    return ids


def add_month_reads(
    make_unit_of_work: UnitOfWorkFactory,
    accounts: Sequence[str],
    period: DateRange,
    *,
    month: int,
    batch: int = 500,
) -> int:
    """Store the reads that end ``period`` (the ``month``-th month since seeding); return how many.

    Reads already stored are left alone, so this can be run twice.
    """
    assert period.end is not None
    added = 0
    for offset in range(0, len(accounts), batch):
        with make_unit_of_work() as uow:
            reads = uow.repository(READS)
            for account_id in accounts[offset : offset + batch]:
                for stored in _reads(account_id, period.end, month):
                    if reads.find(stored.read_id) is None:
                        reads.add(stored)
                        added += 1
            uow.commit()
    return added
