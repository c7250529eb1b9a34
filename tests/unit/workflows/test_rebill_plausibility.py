"""A rebill is checked with the same facts as a cycle bill: capacity, history, typical, VEE."""

from __future__ import annotations

from datetime import date

import attrs

from powerretail.access import SEED_POLICY
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import Bill, BillState
from powerretail.ids import BillId
from powerretail.metering.meters import RegisterKind
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.metering import READS, read_key
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import run_billing_cycle
from powerretail.workflows.corrections import correct_bill
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import AUDITOR, JULY, midnight, open_account, reads

JUNE = DateRange.month(2025, 6)
ORIGINAL = "A-1-20250701"


def set_peak(make_unit_of_work: UnitOfWorkFactory, value: str) -> None:
    """Store a corrected end-of-July peak read (what the clerk found on site)."""
    key = read_key("M-A-1", RegisterKind.PEAK, midnight(JULY.end))
    with make_unit_of_work() as uow:
        repository = uow.repository(READS)
        stored, version = repository.get(key)
        repository.save(attrs.evolve(stored, read=attrs.evolve(stored.read, value=value)), version)
        uow.commit()


def rebill(make_unit_of_work: UnitOfWorkFactory, clock: FixedClock) -> Bill:
    correct_bill(
        make_unit_of_work,
        clock=clock,
        key="fix-1",
        bill_id=ORIGINAL,
        on=date(2025, 8, 10),
        actor=AUDITOR,
        policy=SEED_POLICY,
        why="peak register misread",
    )
    with make_unit_of_work() as uow:
        return uow.repository(BILLS).get(BillId(f"{ORIGINAL}-R")).entity


def july_issued(store: MemoryStore, clock: FixedClock) -> UnitOfWorkFactory:
    submit_reads(
        store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1100", "2200", "560"))
    )
    run_billing_cycle(store.unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
    return store.unit_of_work


class TestRebillBounds:
    def test_a_rebill_above_what_160_kva_can_deliver_is_held(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        # Fails before the fix: the rebill had no facts, so 900 360 kWh on 160 kVA was issued.
        open_account(store.unit_of_work, clock)  # 160 kVA
        book = july_issued(store, clock)
        set_peak(book, "901100")  # 900 100 kWh of peak: more than 160 kVA × 744 h

        made = rebill(book, clock)

        assert made.state is BillState.HELD
        assert any("160 kVA × 744 h" in finding for finding in made.findings)

    def test_a_rebill_far_above_the_accounts_history_is_held_naming_the_bill(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        # June 90 kWh (3 kWh/day), July 165; the July rebill 2 180 kWh (70.3 kWh/day) > 3 × 3.
        open_account(store.unit_of_work, clock, start_day=JUNE.start)
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JUNE.end, ("1030", "2040", "520"))
        )
        run_billing_cycle(store.unit_of_work, clock=clock, period=JUNE, issued_on=date(2025, 7, 1))
        submit_reads(
            store.unit_of_work, clock=clock, reads=reads("M-A-1", JULY.end, ("1085", "2115", "555"))
        )
        run_billing_cycle(store.unit_of_work, clock=clock, period=JULY, issued_on=date(2025, 8, 1))
        set_peak(store.unit_of_work, "3100")

        made = rebill(store.unit_of_work, clock)

        assert made.state is BillState.HELD
        assert any("A-1-20250601" in finding for finding in made.findings)

    def test_a_rebill_above_five_typical_bills_is_held(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock, typical=Money("100.00"))
        book = july_issued(store, clock)
        set_peak(book, "6100")  # 5 000 kWh of peak: thousands of yuan

        made = rebill(book, clock)

        assert made.state is BillState.HELD
        assert any("typical" in finding for finding in made.findings)

    def test_a_corrected_rebill_within_the_bounds_is_issued(
        self, store: MemoryStore, clock: FixedClock
    ) -> None:
        open_account(store.unit_of_work, clock)
        book = july_issued(store, clock)
        set_peak(book, "1050")

        assert rebill(book, clock).state is BillState.ISSUED
