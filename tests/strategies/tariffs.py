"""Strategies for tariffs: charge components, schedules and whole tariffs (bounded decimals)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    BucketPrice,
    BucketTiers,
    Charge,
    ChargeCategory,
    DailyCharge,
    EnergyCharge,
    FixedCharge,
    MinimumCharge,
    MonthlyTiers,
    PartialYear,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
    TierBounds,
    TimeOfUseCharge,
    TimeOfUseTiers,
)
from powerretail.tariffs.proration import Proration
from powerretail.tariffs.tou import Season, TouSchedule, TouWindow

#: The names and source every generated charge shares (tests/unit/billing/builders.py too).
NAMES: dict[str, str] = {"name_zh": "电费", "name_en": "charge", "source": "rules.md"}

#: Prices [元/kWh] with up to six decimals.
prices = st.decimals(min_value=Decimal(0), max_value=Decimal(3), places=6, allow_nan=False)
#: Monthly prices [元/kW·月, 元/kVA·月, 元/月].
monthly_prices = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
#: Daily amounts [元/天].
daily_prices = st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=4)
#: Ratios of a base price.
ratios = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(3), places=3)

#: A two-bucket day/night schedule, all year (peak 08:00-21:00).
SCHEDULE = TouSchedule(
    name="day_night",
    seasons=(
        Season(
            name="all",
            months=tuple(range(1, 13)),
            windows=(TouWindow("peak", "08:00", "21:00"), TouWindow("valley", "21:00", "08:00")),
        ),
    ),
)


@st.composite
def tiers(draw: st.DrawFn) -> tuple[Tier, ...]:
    """Between one and four tiers with rising bounds [kWh]."""
    bounds = draw(
        st.lists(st.integers(min_value=1, max_value=6000), min_size=0, max_size=3, unique=True)
    )
    rates = draw(st.lists(prices, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    ordered: list[int | None] = [*sorted(bounds), None]
    return tuple(Tier(bound, rate) for bound, rate in zip(ordered, rates, strict=True))


@st.composite
def energy_charges(draw: st.DrawFn, code: str = "energy") -> EnergyCharge:
    category = draw(
        st.sampled_from(
            [
                ChargeCategory.ENERGY,
                ChargeCategory.LINE_LOSS,
                ChargeCategory.TRANSMISSION,
                ChargeCategory.FUND,
            ]
        )
    )
    return EnergyCharge(code=code, **NAMES, yuan_per_kwh=draw(prices), category=category)


@st.composite
def tou_charges(draw: st.DrawFn) -> TimeOfUseCharge:
    if draw(st.booleans()):
        bucket_prices = (
            BucketPrice(bucket="peak", yuan_per_kwh=draw(prices)),
            BucketPrice(bucket="valley", yuan_per_kwh=draw(prices)),
        )
        base = None
    else:
        bucket_prices = (
            BucketPrice(bucket="peak", ratio=draw(ratios)),
            BucketPrice(
                bucket="valley", ratio=draw(ratios), of=draw(st.sampled_from([None, "peak"]))
            ),
        )
        base = draw(prices)
    return TimeOfUseCharge(
        code="tou", **NAMES, schedule="day_night", base_yuan_per_kwh=base, prices=bucket_prices
    )


@st.composite
def charge_lists(draw: st.DrawFn) -> tuple[Charge, ...]:
    """A version's charges: always TOU energy, plus any of the other kinds."""
    charges: list[Charge] = [draw(tou_charges())]
    if draw(st.booleans()):
        charges.append(draw(energy_charges("adder")))
    if draw(st.booleans()):
        charges.append(
            AnnualTiers(
                code="annual",
                **NAMES,
                tiers=draw(tiers()),
                partial_year=draw(st.sampled_from(list(PartialYear))),
            )
        )
    if draw(st.booleans()):
        charges.append(
            MonthlyTiers(
                code="monthly",
                **NAMES,
                tiers=draw(tiers()),
                bounds_per=draw(st.sampled_from(list(TierBounds))),
            )
        )
    if draw(st.booleans()):
        charges.append(FixedCharge(code="fixed", **NAMES, yuan_per_month=draw(monthly_prices)))
    if draw(st.booleans()):
        charges.append(
            BasicCharge(
                code="basic",
                **NAMES,
                yuan_per_kva_month=draw(monthly_prices),
                yuan_per_kw_month=draw(monthly_prices),
                default_basis=draw(st.sampled_from(["capacity", "demand"])),
            )
        )
    if draw(st.booleans()):
        charges.append(PowerFactorAdjustment(code="pf", **NAMES, default_standard="0.90"))
    if draw(st.booleans()):
        charges.append(
            TimeOfUseTiers(
                code="toutiers",
                **NAMES,
                schedule="day_night",
                buckets=[BucketTiers(bucket=b, tiers=draw(tiers())) for b in ("peak", "valley")],
                bounds_per=draw(st.sampled_from(list(TierBounds))),
            )
        )
    if draw(st.booleans()):
        charges.append(DailyCharge(code="daily", **NAMES, yuan_per_day=draw(daily_prices)))
    if draw(st.booleans()):
        per = draw(st.sampled_from(["yuan_per_month", "yuan_per_day"]))
        amount = draw(monthly_prices if per == "yuan_per_month" else daily_prices) * 20
        charges.insert(
            draw(st.integers(0, len(charges))),
            MinimumCharge(code="minimum", **NAMES, **{per: amount}),
        )
    return tuple(charges)


@st.composite
def tariffs(draw: st.DrawFn, versions: int = 1) -> Tariff:
    """A tariff with ``versions`` consecutive versions from 2020 (the last open-ended)."""
    starts = sorted(
        draw(
            st.lists(
                st.dates(min_value=date(2020, 1, 2), max_value=date(2030, 12, 31)),
                min_size=versions - 1,
                max_size=versions - 1,
                unique=True,
            )
        )
    )
    bounds = [date(2020, 1, 1), *starts, None]
    return Tariff(
        code="GEN",
        name_zh="生成",
        name_en="generated",
        category="commercial_industrial",
        proration=draw(st.sampled_from(list(Proration))),
        versions=tuple(
            TariffVersion(
                label=f"v{index}",
                effective_from=bounds[index],
                effective_to=bounds[index + 1],
                schedules={"day_night": SCHEDULE},
                charges=draw(charge_lists()),
            )
            for index in range(versions)
        ),
    )
