"""A household billed month by month through tier year 2025 crosses its tiers in the right month.

JS-RES-TOU (rules.md §10.1–§10.3): 2760 / 4800 kWh a calendar year, +0.05 / +0.30 元/kWh;
energy at peak 0.5583, valley 0.3583 元/kWh. The household uses 300 kWh peak + 200 kWh valley
= 500 kWh every month (energy 167.49 + 71.66 = 239.15 元), so by hand:

* Jan–May: year to date 0 → 2500 kWh, all tier 1: no surcharge.
* Jun: 2500 → 3000: 260 kWh tier 1, 240 kWh tier 2 × 0.05 = 12.00.
* Jul–Sep: 3000 → 4500, all tier 2: 500 × 0.05 = 25.00 a month.
* Oct: 4500 → 5000: 300 kWh tier 2 (15.00), 200 kWh tier 3 × 0.30 (60.00) = 75.00.
* Nov, Dec: all tier 3: 500 × 0.30 = 150.00 a month.

The year: 2040 kWh × 0.05 + 1200 kWh × 0.30 = 102.00 + 360.00 = 462.00 元 of surcharge.
"""

from __future__ import annotations

from decimal import Decimal

from powerretail.adapters.clocks import FixedClock
from powerretail.billing.bill import BillState
from powerretail.billing.lifecycle import verify
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from tests.strategies.workflows import LATER, Household, month, surcharge, tier_kwh

D = Decimal
#: (month, kWh in tier 1 / 2 / 3, surcharge [元], total [元]) — worked by hand above.
GOLDEN = [
    (1, {"tier.tier1": D(500)}, D("0.00"), D("239.15")),
    (2, {"tier.tier1": D(500)}, D("0.00"), D("239.15")),
    (3, {"tier.tier1": D(500)}, D("0.00"), D("239.15")),
    (4, {"tier.tier1": D(500)}, D("0.00"), D("239.15")),
    (5, {"tier.tier1": D(500)}, D("0.00"), D("239.15")),
    (6, {"tier.tier1": D(260), "tier.tier2": D(240)}, D("12.00"), D("251.15")),
    (7, {"tier.tier2": D(500)}, D("25.00"), D("264.15")),
    (8, {"tier.tier2": D(500)}, D("25.00"), D("264.15")),
    (9, {"tier.tier2": D(500)}, D("25.00"), D("264.15")),
    (10, {"tier.tier2": D(300), "tier.tier3": D(200)}, D("75.00"), D("314.15")),
    (11, {"tier.tier3": D(500)}, D("150.00"), D("389.15")),
    (12, {"tier.tier3": D(500)}, D("150.00"), D("389.15")),
]


def test_bills_a_tier_year_month_by_month_crossing_each_tier_in_the_right_month(
    make_unit_of_work: UnitOfWorkFactory,
) -> None:
    household = Household(make_unit_of_work, FixedClock(LATER))
    household.open()
    seen = []
    for number, _tiers, _surcharge, _total in GOLDEN:
        period = month(2025, number)
        household.use(period, "300", "200")
        bill = household.bill(period)
        verify(bill)
        assert bill.state is BillState.ISSUED
        seen.append((number, tier_kwh(bill), surcharge(bill), bill.total.amount))

    assert seen == GOLDEN
    assert sum(s for _, _, s, _ in seen) == D("462.00")


def test_starts_the_next_tier_year_from_zero(make_unit_of_work: UnitOfWorkFactory) -> None:
    household = Household(make_unit_of_work, FixedClock(LATER))
    household.open(day=month(2025, 12).start)
    household.use(month(2025, 12), "3000", "2000")
    december = household.bill(month(2025, 12))
    household.use(month(2026, 1), "300", "200")

    january = household.bill(month(2026, 1))

    assert tier_kwh(december) == {
        "tier.tier1": D(2760),
        "tier.tier2": D(2040),
        "tier.tier3": D(200),
    }
    assert tier_kwh(january) == {"tier.tier1": D(500)}
    assert surcharge(january) == D("0.00")
