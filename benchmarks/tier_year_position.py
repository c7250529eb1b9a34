"""The cost of one draft's stored reads as an account's history grows (SQLite).

A draft reads the account's tier-year position (``tier_year_position``) and the stored bills
covering its period (``covering_bills``, here a rebill of the last month). Before, both scanned
every bill of the account; now they read the bills' ordered index (``BILLS_BY_END``) from the
period (or tier year) start on. The account has 1, 5 and 20 years of monthly issued bills
(cloned from one billed month; seeding is not timed); each figure is the best of several runs
of one call, in milliseconds.

The draft's meter reads go the same way: ``usage_for`` reads the reads of the period's days
(``READS_BY_DAY``) where it used to read every read of the meter; the account has a read of each
register at every month end of its history.

PYTHONPATH=src python benchmarks/tier_year_position.py
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import attrs
import pendulum

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import SqliteStore
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.bill import Bill, BillKind, BillState
from powerretail.billing.engine import BillingEngine
from powerretail.ids import AccountId
from powerretail.metering.reads import RegisterRead
from powerretail.repositories.billing import BILLING_PROFILES, BILLS, BillingProfile
from powerretail.repositories.metering import METERS, READS, read_key
from powerretail.repositories.tariffs import TariffDocument
from powerretail.repositories.unit_of_work import UnitOfWork
from powerretail.testing.book import add_month_reads, seed_book
from powerretail.timeframe import DateRange
from powerretail.workflows._common import (
    TariffEngines,
    _billable_reads,
    annual_tier_prefixes,
    covering_bills,
    midnight,
    tier_year_position,
)
from powerretail.workflows.billing_cycle import run_billing_cycle

YEARS = (1, 5, 20)
JULY = DateRange.month(2025, 7)
AUGUST = DateRange.month(2025, 8)
RUNS = 30


def _scan_position(
    uow: UnitOfWork, *, profile: BillingProfile, engine: BillingEngine, before: date
) -> Decimal | None:
    """``tier_year_position`` as it was: every bill of the account is read."""
    found = engine.tier_year(profile.facts, before)
    if found is None:
        return None
    year, _code = found
    prefixes = annual_tier_prefixes(engine)
    position = Decimal(0)
    earliest: date | None = None
    for stored in uow.repository(BILLS).query(account_id=profile.account_id):
        bill = stored.entity
        if bill.state not in {BillState.ISSUED, BillState.REVERSED}:
            continue
        if earliest is None or bill.period.start < earliest:
            earliest = bill.period.start
        for line in bill.lines:
            if year.start <= line.period.start < before and line.code.startswith(prefixes):
                position += line.quantity
    if earliest is None or earliest in year:
        position += profile.facts.ytd_kwh
    return position


def _scan_covering(
    uow: UnitOfWork, account_id: str, period: DateRange
) -> tuple[tuple[Bill, DateRange], ...]:
    """``covering_bills`` as it was: every bill of the account is read."""
    found = []
    for stored in uow.repository(BILLS).query(account_id=account_id):
        bill = stored.entity
        if bill.state not in {BillState.ISSUED, BillState.HELD}:
            continue
        if bill.kind is BillKind.CREDIT_NOTE:
            continue
        days = bill.period.intersection(period)
        if days is not None:
            found.append((bill, days))
    return tuple(found)


def _months_before(first: DateRange, count: int) -> list[DateRange]:
    months, year, month = [], first.start.year, first.start.month
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(DateRange.month(year, month))
    return months


def _seed(store: SqliteStore, years: int) -> str:
    """Store one account with ``years`` of monthly issued bills ending with July 2025."""
    (account,) = seed_book(store.unit_of_work, count=1, start=date(2000, 1, 1))
    add_month_reads(store.unit_of_work, [account], JULY, month=1)
    clock = FixedClock(pendulum.datetime(2025, 8, 1, 9, tz="Asia/Shanghai"))
    run_billing_cycle(store.unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    with store.unit_of_work() as uow:
        (july,) = uow.repository(BILLS).query(account_id=account)
        bills = uow.repository(BILLS)
        for n, period in enumerate(_months_before(JULY, years * 12 - 1)):
            lines = tuple(attrs.evolve(line, period=period) for line in july.entity.lines)
            bill = attrs.evolve(
                july.entity, bill_id=f"{july.entity.bill_id}-{n}", period=period, lines=lines
            )
            bills.add(bill)
        reads = uow.repository(READS)
        july_end = [s.entity for s in reads.query() if s.entity.read.read_at == _END]
        for n, period in enumerate([JULY, *_months_before(JULY, years * 12 - 1)]):
            at = midnight(period.start, "Asia/Shanghai")
            for stored in july_end:
                value = stored.read.value - 10 * (n + 1)
                read: RegisterRead = attrs.evolve(stored.read, read_at=at, value=max(value, 0))
                key = read_key(read.meter_id, read.register, at)
                reads.add(attrs.evolve(stored, read_id=key, read=read))
        uow.commit()
    return account


_START = midnight(JULY.start, "Asia/Shanghai")
_END = midnight(AUGUST.start, "Asia/Shanghai")


def _scan_reads(uow: UnitOfWork, meter_id: str) -> list[RegisterRead]:
    """What ``usage_for`` read before: every billable read of the meter."""
    stored = uow.repository(READS).query(meter_id=meter_id)
    return [s.entity.read for s in stored if s.entity.billable]


def _boundaries(reads: list[RegisterRead]) -> dict[object, tuple[object, object]]:
    """Each register's last read at or before the period's start and its last one in it."""
    found = {}
    for register in {r.register for r in reads}:
        mine = [r for r in reads if r.register is register]
        before = max((r.read_at for r in mine if r.read_at <= _START), default=None)
        within = max((r.read_at for r in mine if _START < r.read_at <= _END), default=None)
        found[register] = (before, within)
    return found


def _best_ms(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _measure(years: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "history.sqlite3")
        account = _seed(store, years)
        with store.unit_of_work() as uow:
            profile = uow.repository(BILLING_PROFILES).get(AccountId(account)).entity
            # a tariff with annual tiers, so the position is read (the cloned lines hold no tier
            # lines: the position is 0 both ways; the reads are what is timed)
            engine = TariffEngines().engine(TariffDocument.of(load_shipped("JS-RES-TOU")))
            kwargs = {"profile": profile, "engine": engine, "before": AUGUST.start}
            assert tier_year_position(uow, **kwargs) is not None
            assert _scan_position(uow, **kwargs) == tier_year_position(uow, **kwargs)
            assert _scan_covering(uow, account, JULY) == covering_bills(uow, account, JULY)
            meter = uow.repository(METERS).get(profile.meter_ids[0]).entity
            window = _billable_reads(uow, meter, _START, _END)
            assert _boundaries(window) == _boundaries(_scan_reads(uow, meter.id))
            assert len(_scan_reads(uow, meter.id)) >= years * 12 * len(window) // 2
            figures = {
                "position, full scan": _best_ms(lambda: _scan_position(uow, **kwargs)),
                "position, range": _best_ms(lambda: tier_year_position(uow, **kwargs)),
                "covering, full scan": _best_ms(lambda: _scan_covering(uow, account, JULY)),
                "covering, range": _best_ms(lambda: covering_bills(uow, account, JULY)),
                "meter reads, full scan": _best_ms(lambda: _scan_reads(uow, meter.id)),
                "meter reads, range": _best_ms(lambda: _billable_reads(uow, meter, _START, _END)),
            }
        store.close()
    return figures


def main() -> None:
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    results = {years: _measure(years) for years in YEARS}
    print(
        f"{'ms per call (best of ' + str(RUNS) + ')':<28}"
        + "".join(f"{str(y) + ' years':>12}" for y in YEARS)
    )
    for name in results[YEARS[0]]:
        print(f"{name:<28}" + "".join(f"{results[y][name]:>12.2f}" for y in YEARS))


if __name__ == "__main__":
    main()
