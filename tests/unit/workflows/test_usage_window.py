"""Billing reads only a period's days of reads, and gives what the meter's whole history gives.

``usage_for`` reads the reads of the period's days (and the day before), not every read a meter
ever had; it falls back to the whole history only when a register's starting read is older. These
tests pin the cases where a window alone would answer wrongly.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.metering.meters import RegisterKind
from powerretail.repositories.billing import BILLING_PROFILES
from powerretail.repositories.metering import READS, reads_in
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DateRange
from powerretail.workflows._common import ReadsMissing, usage_for
from powerretail.workflows.moves import store_reads_as_given
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import JULY, midnight, open_account, reads

OCTOBER = DateRange.month(2025, 10)


def usage(make_unit_of_work: UnitOfWorkFactory, period: DateRange) -> dict[str, Decimal]:
    with make_unit_of_work() as uow:
        profile = uow.repository(BILLING_PROFILES).get("A-1").entity
        found = usage_for(uow, profile, period)
    assert not hasattr(found, "active_kwh")
    return dict(found.energy_kwh)  # type: ignore[union-attr]


def test_a_period_whose_start_read_is_months_old_bills_from_it(
    store: MemoryStore, clock: FixedClock
) -> None:
    """Read on 1 July, then not again until 1 November: October bills from July's reads."""
    open_account(store.unit_of_work, clock)
    november = FixedClock(midnight(OCTOBER.end).add(hours=9))
    submit_reads(
        store.unit_of_work,
        clock=november,
        reads=reads("M-A-1", OCTOBER.end, ("1400", "2600", "700")),
    )

    assert usage(store.unit_of_work, OCTOBER) == {
        "peak": Decimal(400),
        "flat": Decimal(600),
        "valley": Decimal(200),
    }


def test_a_register_read_only_before_the_period_is_missing_not_skipped(
    store: MemoryStore, clock: FixedClock
) -> None:
    """Valley was read on 1 July only: July names it missing instead of billing without it."""
    open_account(store.unit_of_work, clock)
    peak_and_flat = reads("M-A-1", JULY.end, ("1100", "2200", "560"))[:2]
    with store.unit_of_work() as uow:
        store_reads_as_given(uow, reads=peak_and_flat)
        uow.commit()

    with pytest.raises(ReadsMissing, match="valley read of meter M-A-1 at or after"):
        usage(store.unit_of_work, JULY)


def test_reads_in_returns_the_window_by_instant_not_by_day(
    store: MemoryStore, clock: FixedClock
) -> None:
    """(after, until]: the read at ``after`` is out, the read at ``until`` is in."""
    open_account(store.unit_of_work, clock)  # reads at 1 July 00:00 (30 June 16:00 UTC)
    submit_reads(
        store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
    )
    start, end = midnight(JULY.start), midnight(JULY.end)
    with store.unit_of_work() as uow:
        inside = reads_in(uow.repository(READS), "M-A-1", start, end)
        before = reads_in(uow.repository(READS), "M-A-1", start.subtract(days=3), start)

    assert [s.read.read_at for s in inside] == [end] * 3
    assert {s.read.register for s in inside} == {
        RegisterKind.PEAK,
        RegisterKind.FLAT,
        RegisterKind.VALLEY,
    }
    assert [s.read.read_at for s in before] == [start] * 3
    assert JULY.end == date(2025, 8, 1)
