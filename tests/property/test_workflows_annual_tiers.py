"""Billing a tier year month by month prices the same tiers as pricing the year at once.

Property: for any monthly usage, the sum over the twelve monthly bills of the kWh in each
annual tier equals the kWh the engine puts in that tier for the year's total energy against the
annual bounds (2760 / 4800 kWh, rules.md §10.1), and the surcharges agree within the declared
rounding: half a fen per rounded tier line (ROUND_HALF_UP to 0.01 元, rules.md §13).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerretail.access import SEED_POLICY
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.bill import Bill, BillState
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import BillingEngine
from powerretail.timeframe import DateRange
from powerretail.workflows.corrections import release_held_bill
from tests.strategies.workflows import AUDITOR, LATER, Household, month, surcharge, tier_kwh

HALF_FEN = Decimal("0.005")
kwh = st.decimals(min_value=0, max_value=900, places=1, allow_nan=False, allow_infinity=False)
months = st.lists(st.tuples(kwh, kwh), min_size=12, max_size=12)


def tier_lines(bill: Bill) -> int:
    return sum(1 for line in bill.lines if line.code.startswith("tier."))


@settings(max_examples=15, deadline=None)
@given(usage=months)
@example(usage=[(Decimal("300"), Decimal("200"))] * 12)  # the golden household
@example(usage=[(Decimal("0.1"), Decimal("0"))] * 11 + [(Decimal("900"), Decimal("900"))])
def test_month_by_month_tiers_equal_the_year_priced_at_once(
    usage: list[tuple[Decimal, Decimal]],
) -> None:
    household = Household(MemoryStore().unit_of_work, FixedClock(LATER))
    household.open()
    bills = []
    for number, (peak, valley) in enumerate(usage, start=1):
        household.use(month(2025, number), peak, valley)
        bill = household.bill(month(2025, number))
        if bill.state is BillState.HELD:  # a month far above the others (V07, history): review
            release_held_bill(
                household.make_unit_of_work,
                clock=household.clock,
                key=f"review/{bill.bill_id}",
                bill_id=bill.bill_id,
                on=LATER.date(),
                actor=AUDITOR,
                policy=SEED_POLICY,
                why="usage confirmed with the household",
            )
            bill = household.stored(bill.bill_id)
        assert bill.state is BillState.ISSUED
        bills.append(bill)
    year = BillingEngine(load_shipped("JS-RES-TOU")).bill(
        Determinants(
            energy_kwh={
                "peak": sum((p for p, _ in usage), Decimal(0)),
                "valley": sum((v for _, v in usage), Decimal(0)),
            }
        ),
        DateRange(date(2025, 1, 1), date(2026, 1, 1)),
        AccountFacts(residential=True, opened_on=date(2024, 1, 1)),
        account_id="H-1",
        bill_id="year",
    )

    monthly: dict[str, Decimal] = {}
    for bill in bills:
        for code, quantity in tier_kwh(bill).items():
            monthly[code] = monthly.get(code, Decimal(0)) + quantity
    assert {c: q for c, q in monthly.items() if q} == {c: q for c, q in tier_kwh(year).items() if q}
    tolerance = HALF_FEN * (sum(tier_lines(b) for b in bills) + tier_lines(year))
    assert abs(sum(surcharge(b) for b in bills) - surcharge(year)) <= tolerance
