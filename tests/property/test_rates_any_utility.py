"""Properties of daily charges, minimum bills and open last tiers over generated cycles."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from powerretail.billing.determinants import Determinants
from powerretail.billing.engine import months_in, price_bill
from powerretail.quantities import Money, Rounding
from powerretail.tariffs.model import (
    BucketPrice,
    Charge,
    DailyCharge,
    EnergyCharge,
    MinimumCharge,
    MonthlyTiers,
    Tariff,
    TariffVersion,
    Tier,
    TierBounds,
    TimeOfUseCharge,
)
from powerretail.tariffs.seasons import whole_day_buckets
from powerretail.timeframe import DateRange
from tests.strategies.tariffs import NAMES, prices, tiers
from tests.unit.billing.test_engine_any_utility import SEASONAL, seasonal_tariff

cycles = st.builds(
    lambda start, days: DateRange(start, start + timedelta(days=days)),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 1)),
    st.integers(min_value=1, max_value=62),
)
daily_rates = st.decimals(min_value=0, max_value=10, places=4)
usage = st.decimals(min_value=0, max_value=100_000, places=3)


def tariff_of(*charges: Charge) -> Tariff:
    return Tariff(
        code="P",
        name_zh="性质",
        name_en="property",
        category="other",
        versions=[TariffVersion(label="1", effective_from="2020-01-01", charges=charges)],
    )


@given(cycles, daily_rates)
def test_a_per_day_charge_over_a_cycle_is_the_sum_over_its_days(
    cycle: DateRange, rate: Decimal
) -> None:
    tariff = tariff_of(DailyCharge(code="d", **NAMES, yuan_per_day=rate))
    none = Determinants(energy_kwh={"total": 0})
    line = price_bill(tariff, none, cycle).lines[0]
    days = [price_bill(tariff, none, DateRange(d, d + timedelta(days=1))) for d in cycle.dates()]
    # Unrounded, the cycle's line is exactly its days' amounts; rounded once, not per day.
    assert line.quantity * line.rate == sum((rate for _ in days), Decimal(0))
    assert line.amount == Rounding().to_money(sum((rate for _ in days), Decimal(0)))
    if rate == rate.quantize(Decimal("0.01")):  # whole fen a day: the one-day bills add up too
        assert line.amount == sum((b.total for b in days), Money.zero())


@given(cycles, daily_rates, prices, usage, st.decimals(min_value=0, max_value=500, places=2))
def test_a_minimum_bill_raises_the_total_to_the_minimum_and_never_lowers_it(
    cycle: DateRange, rate: Decimal, price: Decimal, kwh: Decimal, floor: Decimal
) -> None:
    charges: tuple[Charge, ...] = (
        DailyCharge(code="d", **NAMES, yuan_per_day=rate),
        EnergyCharge(code="e", **NAMES, yuan_per_kwh=price),
    )
    minimum = MinimumCharge(code="m", **NAMES, yuan_per_month=floor)
    used = Determinants(energy_kwh={"total": kwh})
    without = price_bill(tariff_of(*charges), used, cycle)
    bill = price_bill(tariff_of(*charges, minimum), used, cycle)
    assert bill.total == sum((line.amount for line in bill.lines), Money.zero())
    months = months_in(cycle)
    least = Rounding().to_money(floor * months.numerator / months.denominator)
    assert bill.total == max(without.total, least, key=lambda money: money.amount)
    assert (bill.lines[-1].code == "m") == (without.total.amount < least.amount)


@given(
    tiers(), st.integers(min_value=1, max_value=10**6), usage, cycles, st.sampled_from(TierBounds)
)
def test_an_open_last_tier_is_priced_the_same_with_or_without_a_bound(
    ladder: tuple[Tier, ...], extra: int, kwh: Decimal, cycle: DateRange, per: TierBounds
) -> None:
    last = ladder[-1]
    below = ladder[-2].upto_kwh if len(ladder) > 1 else Decimal(0)
    assert below is not None
    bounded = (*ladder[:-1], Tier(below + extra, last.yuan_per_kwh))
    used = Determinants(energy_kwh={"total": kwh})
    bills = [
        price_bill(
            tariff_of(MonthlyTiers(code="t", **NAMES, tiers=steps, bounds_per=per)), used, cycle
        )
        for steps in (ladder, bounded)
    ]
    assert bills[0].lines == bills[1].lines


@given(cycles, usage)
def test_a_total_shared_between_seasons_keeps_every_kwh_and_every_day(
    cycle: DateRange, kwh: Decimal
) -> None:
    prices = (
        BucketPrice(bucket="winter", yuan_per_kwh="0.1"),
        BucketPrice(bucket="summer", yuan_per_kwh="0.2"),
    )
    tariff = seasonal_tariff(TimeOfUseCharge(code="e", **NAMES, schedule="seasonal", prices=prices))
    bill = price_bill(tariff, Determinants(energy_kwh={"total": kwh}), cycle)
    assert sum((line.quantity for line in bill.lines), Decimal(0)) == kwh
    days = whole_day_buckets(SEASONAL, cycle)
    assert days is not None
    assert sum(days.values()) == cycle.days
    assert {line.code for line in bill.lines} == {f"e.{b}" for b in days}
