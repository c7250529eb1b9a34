"""No day of an account is billed twice, whatever periods billing cycles are run over (R4).

Property: after cycles over any sequence of periods (overlapping, nested, sharing a start or an
end, repeated), and then perhaps a move-out on any day, the account's issued bills cover pairwise
disjoint days, every period (or final month) that was refused shares days with an issued or held
bill, and the receivable charged exactly the issued bills.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.billing.bill import BillState
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.billing import BILLS
from powerretail.repositories.payments import RECEIVABLES
from powerretail.timeframe import DateRange
from powerretail.workflows.billing_cycle import BillingPeriodOverlaps, Outcome, run_billing_cycle
from powerretail.workflows.moves import move_out
from powerretail.workflows.reads import submit_reads
from tests.unit.workflows.conftest import NOW, open_account, reads

FIRST = date(2025, 7, 1)
ISSUED_ON = date(2025, 9, 1)
periods = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 45)).map(
        lambda p: DateRange(FIRST + timedelta(days=p[0]), FIRST + timedelta(days=p[0] + p[1]))
    ),
    min_size=1,
    max_size=6,
)
#: A move-out after the cycles, on 2 July to 14 September (its final month: July to September).
move_out_days = st.none() | st.integers(1, 75).map(lambda d: FIRST + timedelta(days=d))


def values(day: date) -> tuple[str, str, str]:
    """Meter readings rising by 1, 2 and 0.5 kWh a day from 1000/2000/500 on 1 July."""
    days = (day - FIRST).days
    return (str(1000 + days), str(2000 + 2 * days), str(500 + Decimal(days) / 2))


@settings(max_examples=25, deadline=None)
@given(cycles=periods, leaves_on=move_out_days)
@example(
    cycles=[DateRange.month(2025, 7), DateRange(date(2025, 7, 15), date(2025, 8, 16))],
    leaves_on=None,
)
@example(
    cycles=[DateRange.month(2025, 7), DateRange(date(2025, 7, 1), date(2025, 7, 21))],
    leaves_on=None,
)
@example(cycles=[DateRange(date(2025, 7, 1), date(2025, 7, 16))], leaves_on=date(2025, 7, 21))
@example(  # the second bill is held (12.25 kWh/day > 3 × 3.50), the third overlaps it
    cycles=[
        DateRange(date(2025, 7, 1), date(2025, 7, 8)),
        DateRange(date(2025, 8, 6), date(2025, 8, 8)),
        DateRange(date(2025, 8, 7), date(2025, 8, 8)),
    ],
    leaves_on=None,
)
def test_no_day_is_billed_twice(cycles: list[DateRange], leaves_on: date | None) -> None:
    store, clock = MemoryStore(), FixedClock(NOW)
    open_account(store.unit_of_work, clock, start_day=FIRST)
    ends = sorted({p.end for p in cycles if p.end is not None})
    month_starts = [date(2025, 8, 1), date(2025, 9, 1)] if leaves_on is not None else []
    for day in sorted({*ends, *month_starts}):
        submit_reads(store.unit_of_work, clock=clock, reads=reads("M-A-1", day, values(day)))

    refused: list[DateRange] = []
    for period in cycles:
        report = run_billing_cycle(
            store.unit_of_work, clock=clock, period=period, issued_on=ISSUED_ON
        )
        if report.outcomes[0].outcome is Outcome.REFUSED:
            refused.append(period)
    if leaves_on is not None:
        last = leaves_on - timedelta(days=1)
        try:
            move_out(
                store.unit_of_work,
                clock=clock,
                key="out-1",
                account_id="A-1",
                on=leaves_on,
                final_reads=reads("M-A-1", leaves_on, values(leaves_on)),
                by="clerk",
            )
        except BillingPeriodOverlaps:
            refused.append(DateRange(date(last.year, last.month, 1), leaves_on))

    with store.unit_of_work() as uow:
        issued = [
            s.entity for s in uow.repository(BILLS).query(account_id="A-1", state=BillState.ISSUED)
        ]
        held = [
            s.entity for s in uow.repository(BILLS).query(account_id="A-1", state=BillState.HELD)
        ]
        receivable = uow.repository(RECEIVABLES).get(AccountId("A-1")).entity
    for index, bill in enumerate(issued):
        for other in issued[index + 1 :]:
            assert not bill.period.overlaps(other.period), (bill.bill_id, other.bill_id)
    for period in refused:  # a held bill (implausible, R15) keeps its days too
        assert any(bill.period.overlaps(period) for bill in (*issued, *held)), period
    charged = sum((b.total for b in issued if b.total.amount > 0), Money.zero("CNY"))
    assert receivable.issued == charged
    assert receivable.reconciles
