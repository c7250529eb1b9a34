"""Forecasts and plans add up: splits are exact, the portfolio is the sum of its customers, and
the hedge ratio stays in its bounds."""

from __future__ import annotations

from decimal import Decimal

import pendulum
from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerretail.metering.reads import IntervalSeries
from powerretail.retail.forecast import (
    KWH_STEP,
    Method,
    Month,
    MonthForecast,
    MonthlyHistory,
    forecast_customers,
    portfolio_total,
    split_exactly,
    working_day_profile,
)
from powerretail.retail.plans import (
    RATIO_STEP,
    PositionLine,
    band_energy,
    open_position,
    sales_plan,
)
from tests.unit.retail.test_plans import SCHEDULE

kwh = st.decimals(Decimal(0), Decimal("1000000"), places=3)
weights = st.lists(st.decimals(Decimal(0), Decimal(1000), places=4), min_size=1, max_size=30)
MARCH = Month.parse("2026-03")


@given(total=kwh, shares=weights)
@example(total=Decimal("1.000"), shares=[Decimal(1), Decimal(1), Decimal(1)])
def test_a_split_adds_up_and_never_goes_negative(total: Decimal, shares: list[Decimal]) -> None:
    parts = split_exactly(total, shares)

    assert sum(parts) == total
    assert all(p >= 0 and p == p.quantize(KWH_STEP) for p in parts)
    assert len(parts) == len(shares)


@given(
    customers=st.dictionaries(
        st.sampled_from(["A-1", "A-2", "A-3", "A-4"]),
        st.tuples(
            kwh, st.dictionaries(st.sampled_from(["peak", "valley"]), weights.map(sum), min_size=1)
        ),
        min_size=1,
    )
)
def test_the_portfolio_is_the_sum_of_its_customers(
    customers: dict[str, tuple[Decimal, dict[str, Decimal]]],
) -> None:
    forecasts = [
        MonthForecast(account_id=a, month=MARCH, kwh=k, method=Method.SEASONAL_NAIVE, basis="")
        for a, (k, _) in customers.items()
    ]

    plan = sales_plan(
        forecasts, schedule=SCHEDULE, weights={a: w for a, (_, w) in customers.items()}
    )

    assert sum(plan.portfolio().values()) == portfolio_total(forecasts) == plan.total_kwh
    for account, (energy, _) in customers.items():
        assert sum(plan.for_account(account).values()) == energy
    for cell, total in plan.portfolio().items():
        assert total == sum(plan.for_account(a).get(cell, Decimal(0)) for a in plan.accounts())


@given(usage=st.lists(kwh, min_size=3, max_size=3), count=st.integers(1, 5))
def test_forecast_customers_sums_to_the_portfolio(usage: list[Decimal], count: int) -> None:
    histories = [
        MonthlyHistory.of(f"A-{i}", {"2025-12": usage[0], "2026-01": usage[1], "2026-02": usage[2]})
        for i in range(count)
    ]

    made = forecast_customers(histories, MARCH, Method.MOVING_AVERAGE)

    assert portfolio_total(made) == sum(f.kwh for f in made)
    assert len({f.kwh for f in made}) == 1


@given(planned=kwh.filter(lambda k: k > 0), share=st.decimals(Decimal(0), Decimal(1), places=6))
def test_the_hedge_ratio_stays_between_0_and_1_when_buying_at_most_the_plan(
    planned: Decimal, share: Decimal
) -> None:
    bought = (planned * share).quantize(KWH_STEP)
    line = PositionLine(
        month=MARCH, band="peak", planned_kwh=planned, purchased_kwh=min(bought, planned)
    )

    ratio = line.hedge_ratio

    assert ratio is not None
    assert Decimal(0) <= ratio <= Decimal(1)
    assert line.open_kwh + line.purchased_kwh == line.planned_kwh
    assert abs(ratio - line.purchased_kwh / planned) <= RATIO_STEP / 2


@given(planned=kwh, bought=kwh, more=kwh)
def test_the_hedge_ratio_grows_with_what_is_bought(
    planned: Decimal, bought: Decimal, more: Decimal
) -> None:
    less = PositionLine(month=MARCH, band="b", planned_kwh=planned, purchased_kwh=bought)
    extra = PositionLine(month=MARCH, band="b", planned_kwh=planned, purchased_kwh=bought + more)

    if planned == 0:
        assert less.hedge_ratio is None
        assert extra.hedge_ratio is None
    else:
        assert less.hedge_ratio is not None
        assert extra.hedge_ratio is not None
        assert Decimal(0) <= less.hedge_ratio <= extra.hedge_ratio
        assert extra.open_kwh <= less.open_kwh


@given(cells=st.dictionaries(st.sampled_from(["peak", "valley", "flat"]), kwh, min_size=1))
def test_open_position_covers_every_cell_planned_or_bought(cells: dict[str, Decimal]) -> None:
    forecasts = [
        MonthForecast(
            account_id="A-1",
            month=MARCH,
            kwh=Decimal("100.000"),
            method=Method.SEASONAL_NAIVE,
            basis="",
        )
    ]
    plan = sales_plan(forecasts, schedule=SCHEDULE, weights={"A-1": {"peak": Decimal(1)}})

    report = open_position(plan, {(MARCH, band): k for band, k in cells.items()})

    assert {ln.band for ln in report.lines} == {"peak", *cells}
    total = report.month_totals()[MARCH]
    assert total.purchased_kwh == sum(cells.values())
    assert total.planned_kwh == Decimal("100.000")


hour_values = st.lists(st.decimals(Decimal(0), Decimal(50), places=2), min_size=24, max_size=24)


@settings(max_examples=25, deadline=None)
@given(working=hour_values, weekend=hour_values, total=kwh)
def test_a_profile_holds_the_months_energy_exactly(
    working: list[Decimal], weekend: list[Decimal], total: Decimal
) -> None:
    start = pendulum.datetime(2026, 1, 5, tz="Asia/Shanghai")  # a Monday, then Sunday the 11th
    history = [
        IntervalSeries.of_actuals(meter_id="M", start=start, values=working, step_minutes=60),
        IntervalSeries.of_actuals(
            meter_id="M", start=start.add(days=6), values=weekend, step_minutes=60
        ),
    ]

    profile = working_day_profile(history, account_id="A", month=Month.parse("2026-02"), kwh=total)
    bands = band_energy(profile, SCHEDULE)

    assert profile.total == total
    assert all(v >= 0 for v in profile.values)
    assert sum(bands.values()) == total
