"""A change of name (过户) on any day of July 2026 splits the month and settles the deposit exactly.

Property: with reads rising by 4 / 8 / 2 kWh a day (peak / flat / valley: 14 kWh, 8.40 元 a day at
0.60 元/kWh) and a transfer on day ``d`` (the new holder's first), the old holder's final bill
covers 1 July to ``d`` and the new holder's July bill ``d`` to 1 August: no day twice, none left
out, the two totals (d − 1) × 8.40 and (32 − d) × 8.40 add up to the month's 260.40; the 500.00
deposit pays the final bill and the rest is refunded; the ledger balances.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pendulum
from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerretail.access import SEED_POLICY
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.collections.deposits import MovementKind
from powerretail.ids import AccountId, BillId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.collections import DEPOSIT_MOVEMENTS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import bill_account
from powerretail.workflows.change_of_use import (
    DepositAtTransfer,
    TransferTerms,
    carry_out_change_of_use,
)
from powerretail.workflows.ledger import ledger_problems
from powerretail.workflows.reads import submit_reads
from tests.golden.workflows.test_transfer_of_account import (
    BOSS,
    JULY,
    MANAGER,
    OPENED,
    a_book,
    approved_transfer,
    holder,
)
from tests.unit.workflows.conftest import reads

DAILY = Decimal("8.40")  # 14 kWh × 0.60 元/kWh
AUGUST_1 = date(2026, 8, 1)


def values(day: date) -> tuple[str, str, str]:
    days = (day - JULY.start).days
    return (str(1000 + 4 * days), str(2000 + 8 * days), str(500 + 2 * days))


@settings(max_examples=15, deadline=None)
@given(on=st.integers(2, 31).map(lambda d: date(2026, 7, d)))
@example(on=date(2026, 7, 2))
@example(on=date(2026, 7, 31))
def test_a_transfer_splits_july_at_its_day(on: date) -> None:
    make = MemoryStore().unit_of_work
    clock = a_book(make)
    approved_transfer(make, clock)
    carry_out_change_of_use(
        make,
        clock=clock,
        case_id="K-1",
        on=on,
        policy=SEED_POLICY,
        actor=MANAGER,
        at=max(  # after the case was approved, on the day or later
            OPENED.add(hours=3),
            pendulum.datetime(on.year, on.month, on.day, 10, tz="Asia/Shanghai"),
        ),
        transfer=TransferTerms(
            new_account_id="A-2",
            final_reads=reads("M-1", on, values(on)),
            new_customer=holder("C-2"),
            deposit=DepositAtTransfer.REFUND,
        ),
        signatory=BOSS,
    )
    later = FixedClock(pendulum.datetime(2026, 8, 1, 9, tz="Asia/Shanghai"))
    submit_reads(make, clock=later, reads=reads("M-1", AUGUST_1, values(AUGUST_1)))
    bill_account(make, clock=later, account_id="A-2", period=JULY, issued_on=AUGUST_1)

    with make() as uow:
        old = uow.repository(BILLS).get(BillId("A-1-20260701")).entity
        new = uow.repository(BILLS).get(BillId("A-2-20260701")).entity
        refunded = [
            m.entity.amount
            for m in uow.repository(DEPOSIT_MOVEMENTS).query(account_id="A-1")
            if m.entity.kind is MovementKind.REFUNDED
        ]
        settled = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
    old_days = {line.period for line in old.lines}
    new_days = {line.period for line in new.lines}
    assert old_days == {DateRange(JULY.start, on)}
    assert new_days == {DateRange(on, AUGUST_1)}
    days = (on - JULY.start).days
    assert old.total == Money(DAILY * days)
    assert new.total == Money(DAILY * (31 - days))
    assert old.total + new.total == Money("260.40")
    assert refunded == [Money("500.00") - old.total]
    assert (settled.owed, settled.deposit) == (Money("0.00"), Money("0.00"))
    assert ledger_problems(make) == ()
    assert on - timedelta(days=1) == old.lines[0].period.last_day
