"""Invariants of the bill engine over generated tariffs and usage."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill, split_by_days
from powerretail.quantities import Money
from powerretail.tariffs.model import (
    EnergyCharge,
    FixedCharge,
    MonthlyTiers,
    Tariff,
    TariffVersion,
    Tier,
)
from powerretail.timeframe import DateRange
from tests.strategies.billing import accounts, determinants, energies, periods
from tests.strategies.tariffs import NAMES, SCHEDULE, prices, tariffs, tiers


@given(tariffs(versions=2), determinants(), accounts(), periods())
def test_total_is_the_sum_of_the_lines(
    tariff: Tariff, usage: Determinants, account: AccountFacts, period: DateRange
) -> None:
    bill = price_bill(tariff, usage, period, account)

    assert bill.total == sum((line.amount for line in bill.lines), Money.zero())
    for line in bill.lines:
        assert line.amount.amount == line.amount.amount.quantize(Decimal("0.01"))


def _flat(price: Decimal, *starts: date) -> Tariff:
    bounds: list[date | None] = [date(2020, 1, 1), *starts, None]
    return Tariff(
        code="FLAT",
        name_zh="平",
        name_en="flat",
        category="other",
        versions=tuple(
            TariffVersion(
                label=f"v{i}",
                effective_from=bounds[i],
                effective_to=bounds[i + 1],
                charges=(EnergyCharge(code="energy", **NAMES, yuan_per_kwh=price),),
            )
            for i in range(len(bounds) - 1)
        ),
    )


@given(
    prices,
    energies,
    periods(),
    st.lists(st.integers(min_value=1, max_value=61), max_size=3, unique=True),
)
@example(Decimal("0.555555"), Decimal("0.009"), DateRange("2024-02-28", "2024-03-02"), [1, 2])
def test_splitting_a_period_changes_a_linear_charge_by_at_most_the_declared_rounding(
    price: Decimal, kwh: Decimal, period: DateRange, offsets: list[int]
) -> None:
    cuts = sorted(
        period.start + timedelta(days=o)
        for o in offsets
        if period.start + timedelta(days=o) < period.end  # type: ignore[operator]
    )
    usage = Determinants(energy_kwh={"total": kwh})

    whole = price_bill(_flat(price), usage, period).total.amount
    pieces = price_bill(_flat(price, *cuts), usage, period)

    assert len(pieces.lines) == len(cuts) + 1
    assert sum(line.quantity for line in pieces.lines) == kwh
    # each extra line may round by half a fen, and each share is exact to 0.001 of the data step
    assert abs(pieces.total.amount - whole) <= Decimal("0.01") * len(cuts) + price * Decimal(
        "0.001"
    )


@given(energies, st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6))
def test_splitting_by_days_conserves_the_quantity(kwh: Decimal, days: list[int]) -> None:
    shares = split_by_days(kwh, days)

    assert sum(shares) == kwh
    assert all(share >= 0 for share in shares)


def _tier_tariff(tier_list: tuple[Tier, ...]) -> Tariff:
    return Tariff(
        code="TIERS",
        name_zh="阶梯",
        name_en="tiers",
        category="residential",
        versions=(
            TariffVersion(
                label="v",
                effective_from="2020-01-01",
                schedules={"day_night": SCHEDULE},
                charges=(MonthlyTiers(code="tiers", **NAMES, tiers=tier_list),),
            ),
        ),
    )


def _tier_cost(tariff: Tariff, kwh: Decimal) -> Decimal:
    bill = price_bill(tariff, Determinants(energy_kwh={"total": kwh}), DateRange.month(2025, 7))
    return sum((line.quantity * line.rate for line in bill.lines), Decimal(0))


@given(tiers(), st.integers(min_value=0, max_value=8000))
def test_tier_charges_are_continuous_and_monotonic_at_the_boundaries(
    tier_list: tuple[Tier, ...], kwh: int
) -> None:
    tariff = _tier_tariff(tier_list)
    epsilon = Decimal("0.001")
    bounds = [t.upto_kwh for t in tier_list if t.upto_kwh is not None]

    for point in [Decimal(kwh), *bounds]:
        below = _tier_cost(tariff, point - epsilon) if point > epsilon else Decimal(0)
        at = _tier_cost(tariff, point)
        above = _tier_cost(tariff, point + epsilon)
        top = max(t.yuan_per_kwh for t in tier_list)
        assert below <= at <= above
        assert above - below <= 2 * epsilon * top


@given(determinants(), accounts())
def test_a_bill_is_the_same_whichever_engine_instance_prices_it(
    usage: Determinants, account: AccountFacts
) -> None:
    tariff = _flat(Decimal("0.5"))
    account = attrs.evolve(account, pf_standard=None)

    first = price_bill(tariff, usage, DateRange.month(2025, 7), account)
    second = price_bill(tariff, usage, DateRange.month(2025, 7), account)

    assert first.content_hash_of() == second.content_hash_of()


def _fixed(amount: Decimal, *starts: date) -> Tariff:
    bounds: list[date | None] = [date(2020, 1, 1), *starts, None]
    return Tariff(
        code="FIXED",
        name_zh="固定",
        name_en="fixed",
        category="other",
        versions=tuple(
            TariffVersion(
                label=f"v{i}",
                effective_from=bounds[i],
                effective_to=bounds[i + 1],
                charges=(FixedCharge(code="fixed", **NAMES, yuan_per_month=amount),),
            )
            for i in range(len(bounds) - 1)
        ),
    )


@given(
    st.decimals(min_value=Decimal(0), max_value=Decimal(10_000), places=2),
    periods(),
    st.lists(st.integers(min_value=1, max_value=61), max_size=3, unique=True),
)
@example(Decimal("30.00"), DateRange("2024-02-01", "2024-03-01"), [28])
def test_prorated_standing_charges_sum_to_the_unsplit_charge(
    amount: Decimal, period: DateRange, offsets: list[int]
) -> None:
    assert period.end is not None
    cuts = sorted(
        period.start + timedelta(days=o)
        for o in offsets
        if period.start + timedelta(days=o) < period.end
    )
    usage = Determinants(energy_kwh={"total": 0})

    whole = price_bill(_fixed(amount), usage, period).total.amount
    pieces = price_bill(_fixed(amount, *cuts), usage, period)

    assert sum((line.period.days for line in pieces.lines), 0) == period.days
    # each of the n pieces and the whole round once, by at most half a fen each
    assert abs(pieces.total.amount - whole) <= Decimal("0.005") * (len(cuts) + 2)
