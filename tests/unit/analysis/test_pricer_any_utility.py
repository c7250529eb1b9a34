"""The batch engine prices minimum bills, daily charges and tier bounds per day as the engine."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

pd = pytest.importorskip("pandas")

from powerretail.analysis import compile_tariff  # noqa: E402
from powerretail.errors import InvalidInput  # noqa: E402
from powerretail.quantities import Money  # noqa: E402
from powerretail.tariffs.model import Tier, TierBounds  # noqa: E402
from powerretail.tariffs.proration import Proration  # noqa: E402
from tests.analysis_exact import exact_bills, line_amounts  # noqa: E402
from tests.unit.billing.test_engine_any_utility import (  # noqa: E402
    daily,
    energy,
    minimum,
    seasonal_prices,
    seasonal_tariff,
    tariff_of,
    tiers,
    tou_tariff,
    tou_tiers,
)


def frame(*rows: tuple[date, date, str]) -> object:
    return pd.DataFrame(
        [
            {"account_id": f"A{i}", "period_start": s, "period_end": e, "kwh_total": kwh}
            for i, (s, e, kwh) in enumerate(rows)
        ]
    )


ROWS = (
    (date(2025, 7, 1), date(2025, 8, 1), "20"),  # minimum line 2.50
    (date(2025, 7, 1), date(2025, 8, 1), "50"),  # above the minimum
    (date(2025, 7, 10), date(2025, 8, 1), "10"),  # part month: minimum line 2.67
    (date(2025, 1, 15), date(2025, 2, 17), "400"),  # a 33-day cycle
)


@pytest.mark.parametrize(
    "charges",
    [
        (daily(), energy(), minimum(yuan_per_month="20")),
        (minimum(yuan_per_day="0.60"), daily(), energy()),
        (tiers(TierBounds.DAY, Tier(10, "0.30"), Tier(None, "0.50")), daily("0.4929")),
        (tiers(TierBounds.YEAR, Tier(2400, "0.40"), Tier(None, "0.60")),),
    ],
)
def test_batch_lines_equal_the_engine(charges: tuple[object, ...]) -> None:
    tariff = tariff_of(*charges)  # type: ignore[arg-type]
    usage = frame(*ROWS)
    priced = compile_tariff(tariff).price(usage)
    expected = exact_bills(tariff, usage)  # type: ignore[arg-type]
    lines = priced.lines
    got = [
        sorted(
            (str(r.period_start.date()), str(r.code), int(r.amount_fen))
            for r in lines[lines["row"] == i].itertuples()
        )
        for i in range(len(ROWS))
    ]
    assert got == [sorted(b) for b in line_amounts(expected)]
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]


def test_batch_tiers_inside_time_of_use_equal_the_engine() -> None:
    tariff = tou_tariff(tou_tiers(TierBounds.DAY))
    usage = pd.DataFrame(
        [
            {"account_id": "A", "period_start": s, "period_end": e, "kwh_peak": p, "kwh_valley": v}
            for s, e, p, v in (
                (date(2025, 7, 1), date(2025, 7, 4), "350", "0"),
                (date(2025, 7, 1), date(2025, 8, 1), "5000", "9000"),
            )
        ]
    )
    priced = compile_tariff(tariff).price(usage)
    expected = exact_bills(tariff, usage)
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount.scaleb(2)) for b in expected]
    assert priced.bills["total_fen"].tolist()[0] == 22000  # 180.00 + 40.00, as the engine
    assert set(priced.lines["code"]) >= {"tou.peak.tier1", "tou.valley.tier2"}
    assert set(priced.lines["bucket"]) == {"peak", "valley"}


def test_the_batch_minimum_bill_golden_totals() -> None:
    """As tests/unit/billing/test_engine_any_utility.py: 20.00, 20.50 and 14.67."""
    tariff = tariff_of(daily(), energy(), minimum(yuan_per_month="20"))
    priced = compile_tariff(tariff).price(frame(*ROWS[:3]))
    assert priced.bills["total_fen"].tolist() == [2000, 2050, 1467]


def test_the_batch_engine_prices_a_usd_tariff_in_cents() -> None:
    """15 Jan - 17 Feb 2025, 400 kWh, tiers per day, USD: 330 × 0.30 + 70 × 0.50 = 134.00 USD."""
    tariff = attrs.evolve(
        tariff_of(tiers(TierBounds.DAY, Tier(10, "0.30"), Tier(None, "0.50"))), currency="USD"
    )
    usage = frame(ROWS[3])
    priced = compile_tariff(tariff).price(usage)
    assert priced.bills["total_fen"].tolist() == [13400]
    assert [b.total for b in exact_bills(tariff, usage)] == [Money("134.00", "USD")]


def test_the_batch_engine_refuses_a_total_shared_between_seasons() -> None:
    tariff = seasonal_tariff(seasonal_prices())
    usage = frame((date(2025, 5, 15), date(2025, 6, 17), "330"))
    with pytest.raises(InvalidInput, match="shared between seasons by days is priced by the bill"):
        compile_tariff(tariff).price(usage)
    assert exact_bills(tariff, usage)[0].total == Money("49.00")  # the bill engine prices it


def test_the_batch_engine_prices_each_proration_as_the_engine() -> None:
    for proration in Proration:
        tariff = attrs.evolve(
            tariff_of(daily(), energy(), minimum(yuan_per_month="20")), proration=proration
        )
        usage = frame(*ROWS)
        priced = compile_tariff(tariff).price(usage)
        expected = exact_bills(tariff, usage)
        assert priced.bills["total_fen"].tolist() == [
            int(b.total.amount.scaleb(2)) for b in expected
        ]
