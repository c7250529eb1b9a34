"""The batch pricer: hand-worked amounts, refusals, the carried position, a 100 000-bill sample."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date
from decimal import Decimal

import attrs
import numpy as np
import pandas as pd
import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.analysis import MissingExtra, NotVectorisable, _require, compile_tariff
from powerretail.analysis._exact import Scaled, product_rounded, round_div, to_int64
from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.model import (
    AnnualTiers,
    BasicCharge,
    PowerFactorAdjustment,
    Tariff,
    TariffVersion,
    Tier,
)
from tests.analysis_exact import exact_bills, line_amounts
from tests.strategies.tariffs import NAMES


def _tariff(*charges: object, start: str = "2020-01-01", end: str | None = None) -> Tariff:
    return Tariff(
        code="T",
        name_zh="测",
        name_en="test",
        category="commercial_industrial",
        versions=[
            TariffVersion(label="v", effective_from=start, effective_to=end, charges=charges)
        ],
    )


def _month(**columns: object) -> pd.DataFrame:
    row = {"account_id": "A", "period_start": "2025-07-01", "period_end": "2025-08-01"}
    row.update(columns)  # type: ignore[arg-type]
    return pd.DataFrame([row])


def test_households_carry_the_annual_tier_position_from_month_to_month() -> None:
    # 12 months of 400 kWh: the 2760 kWh threshold is crossed in month 7 (2400 → 2800 kWh).
    tariff = load_shipped("JS-RES-TOU")
    months = [(date(2025, m, 1), date(2025 + m // 12, m % 12 + 1, 1)) for m in range(1, 13)]
    frame = pd.DataFrame(
        {
            "account_id": ["H"] * 12,
            "period_start": [s for s, _ in months],
            "period_end": [e for _, e in months],
            "kwh_peak": [300.0] * 12,
            "kwh_valley": [100.0] * 12,
            "residential": [True] * 12,
        }
    ).sample(frac=1, random_state=1)  # rows in any order

    priced = compile_tariff(tariff).price(frame)

    july = priced.lines[(priced.lines["row"] == frame.index.get_loc(6))]
    assert dict(zip(july["code"], july["amount_fen"], strict=True)) == {
        "energy.peak": 16749,  # 300 × 0.5583 = 167.49
        "energy.valley": 3583,  # 100 × 0.3583 = 35.83
        "tier.tier1": 0,  # 2400 → 2760 at 0
        "tier.tier2": 200,  # 2760 → 2800: 40 × 0.05 = 2.00
    }
    positions = frame.assign(
        ytd_kwh=[400.0 * (s.month - 1) for s, _ in [months[i] for i in frame.index]]
    )
    expected = exact_bills(tariff, positions)
    assert priced.bills["total_fen"].tolist() == [int(b.total.amount * 100) for b in expected]


def test_a_new_tier_year_restarts_the_carried_position() -> None:
    tariff = load_shipped("JS-RES-TOU")
    frame = pd.DataFrame(
        {
            "account_id": ["H", "H", "H"],
            "period_start": ["2024-11-01", "2024-12-15", "2025-01-15"],
            "period_end": ["2024-12-15", "2025-01-15", "2025-02-15"],
            "kwh_peak": [2000.0, 3000.0, 300.0],
            "kwh_valley": [0.0, 0.0, 0.0],
            "tier_year_kwh_before": [1000.0, 0.0, 0.0],
        }
    )

    priced = compile_tariff(tariff).price(frame)

    given = frame.drop(columns="tier_year_kwh_before").assign(
        ytd_kwh=[1000.0, 3000.0, 3000.0 * 14 / 31]
    )
    # the December row is split at 1 January: 17 days of 31 of 3000 kWh fall in 2025.
    expected = exact_bills(tariff, given.iloc[:2])
    assert priced.bills["total_fen"].tolist()[:2] == [int(b.total.amount * 100) for b in expected]
    lines = priced.lines[priced.lines["row"] == 2]
    tier_codes = [c for c in lines["code"] if str(c).startswith("tier.")]
    assert tier_codes == ["tier.tier1"]  # 1645.161 + 300 kWh, still under 2760


def test_overlapping_periods_of_an_account_are_refused_when_the_position_is_carried() -> None:
    frame = pd.concat([_month(kwh_peak=1.0, kwh_valley=1.0)] * 2, ignore_index=True)

    with pytest.raises(InvalidInput) as caught:
        compile_tariff(load_shipped("JS-RES-TOU")).price(frame)

    assert caught.value.field == "usage[1].period_start"


def test_a_two_part_bill_matches_the_hand_worked_amounts() -> None:
    basic = BasicCharge(code="basic", **NAMES, yuan_per_kw_month="40", default_basis="demand")
    pf = PowerFactorAdjustment(code="pf", **NAMES, default_standard="0.90")
    energy = AnnualTiers(code="e", **NAMES, tiers=[Tier(None, "0.6")])
    frame = _month(
        kwh_total=100_000.0,
        max_demand_kw=1200.0,
        contract_demand_kw=1000.0,
        capacity_kva=1250.0,
        reactive_kvarh=50_000.0,
        ytd_kwh=0.0,
    )

    priced = compile_tariff(_tariff(energy, basic, pf)).price(frame)

    amounts = dict(zip(priced.lines["code"], priced.lines["amount_fen"], strict=True))
    # demand 1200 > 1.05 × 1000: 1200 + 150 = 1350 kW × 40 = 54 000.00 (80 kWh/kVA: no discount)
    assert amounts["basic"] == 5_400_000
    # PF = 100000 / √(100000² + 50000²) = 0.894 → 0.89, standard 0.90: +0.5 % of 114 000.00
    assert amounts["pf"] == 57_000
    assert priced.bills.loc[0, "total_fen"] == 6_000_000 + 5_400_000 + 57_000


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"kwh_total": 1.0}, "usage[0].capacity_kva"),
        ({"kwh_total": 1.0, "basic_charge_basis": "demand"}, "usage[0].max_demand_kw"),
        ({"kwh_total": 1.0, "capacity_kva": 100.0}, "usage[0].reactive_kvarh"),
    ],
)
def test_rows_lacking_what_a_charge_needs_are_refused(
    columns: dict[str, object], field: str
) -> None:
    basic = BasicCharge(code="basic", **NAMES, yuan_per_kva_month="30", yuan_per_kw_month="40")
    pf = PowerFactorAdjustment(code="pf", **NAMES, default_standard="0.90")
    energy = AnnualTiers(code="e", **NAMES, tiers=[Tier(None, "0.6")])

    with pytest.raises(InvalidInput) as caught:
        compile_tariff(_tariff(energy, basic, pf)).price(_month(**columns))

    assert caught.value.field == field


def test_a_basis_the_tariff_does_not_price_is_refused() -> None:
    basic = BasicCharge(code="basic", **NAMES, yuan_per_kva_month="30")
    frame = _month(kwh_total=1.0, basic_charge_basis="demand", max_demand_kw=1.0)

    with pytest.raises(InvalidInput, match="a basis this tariff prices"):
        compile_tariff(_tariff(basic)).price(frame)


def test_a_bucket_the_schedule_does_not_price_is_refused_naming_the_row() -> None:
    with pytest.raises(InvalidInput) as caught:
        compile_tariff(load_shipped("JS-RES-TOU")).price(_month(kwh_total=1.0))

    assert caught.value.field == "usage[0].kwh_total"
    assert "kwh_peak, kwh_valley" in caught.value.expected


def test_no_service_day_and_no_version_in_force_are_refused() -> None:
    tariff = _tariff(AnnualTiers(code="e", **NAMES, tiers=[Tier(None, "1")]), start="2025-07-10")
    with pytest.raises(InvalidInput, match="at least one day of service"):
        compile_tariff(tariff).price(_month(kwh_total=1.0, closed_on="2025-06-01"))
    with pytest.raises(NotFound, match=r"usage\[0\]"):
        compile_tariff(tariff).price(_month(kwh_total=1.0))


def test_residential_and_unstandardised_rows_get_no_power_factor_line() -> None:
    pf = PowerFactorAdjustment(code="pf", **NAMES)
    energy = AnnualTiers(code="e", **NAMES, tiers=[Tier(None, "1")])
    frame = pd.concat(
        [_month(kwh_total=1.0, residential=True), _month(kwh_total=0.0, pf_standard="0.90")],
        ignore_index=True,
    ).assign(account_id=["A", "B"], reactive_kvarh=[1.0, 1.0])

    priced = compile_tariff(_tariff(energy, pf)).price(frame, decimals=True)

    assert "pf" not in set(priced.lines["code"])
    # the second row has no energy: no tier band, and no power factor to adjust by
    assert priced.lines["amount"].tolist() == [Decimal("1.00")]
    assert priced.bills["total"].tolist() == [Decimal("1.00"), Decimal("0.00")]


def test_large_products_stay_exact_past_int64() -> None:
    values = Scaled(np.array([10**12], dtype=np.int64), -3) * Scaled.scalar(
        Decimal("1234567.123456789")
    )
    assert values.values.dtype == object
    assert values.rounded(-2, "ROUND_HALF_UP").tolist() == [123456712345678900]
    assert round_div(np.array([25, 35], dtype=object), 10, "ROUND_HALF_EVEN").tolist() == [2, 4]
    with pytest.raises(InvalidInput, match=r"below 4\.6e18"):
        to_int64(np.array([2**70], dtype=object), "amount")


def test_the_one_pass_product_rounds_half_up_as_round_div_or_declines() -> None:
    values = np.array([0, 1, 49, 50, 99_950, 10**12], dtype=np.int64)
    for factor, exp in ((5583, -5), (3, -1), (0, -3), (7, 0), (7, 2)):
        exact = round_div(values * factor * 10 ** max(exp, 0), 10 ** max(-exp, 0), "ROUND_HALF_UP")
        for upper in (None, 10**12, 10**17):  # none, tight, too loose (the maximum is taken)
            found = product_rounded(values, factor, exp, "ROUND_HALF_UP", upper=upper)
            assert found is not None
            assert found.tolist() == exact.tolist()
    assert product_rounded(values[:0], 5583, -5, "ROUND_HALF_UP").tolist() == []
    # another mode, a negative factor, Python integers, or a product past 2**62: the caller's
    assert product_rounded(values, 5, -1, "ROUND_HALF_EVEN") is None
    assert product_rounded(values, -5, -1, "ROUND_HALF_UP") is None
    assert product_rounded(values.astype(object), 5, -1, "ROUND_HALF_UP") is None
    assert product_rounded(values, 5_000_000, -1, "ROUND_HALF_UP") is None
    assert product_rounded(values[:1], 2**62, -1, "ROUND_HALF_UP") is None


def test_huge_energy_past_the_one_pass_product_equals_the_engine() -> None:
    """10¹² kWh at 0.5583 is past int64 with room for a sum: the exact path prices it."""
    frame = pd.DataFrame(
        {
            "account_id": ["A", "B"],
            "period_start": ["2025-07-01"] * 2,
            "period_end": ["2025-08-01"] * 2,
            "kwh_peak": [1e12, 1.5],
            "kwh_valley": [0.0, 2.0],
            "ytd_kwh": [0.0, 5000.0],
        }
    )
    tariff = load_shipped("JS-RES-TOU")

    priced = compile_tariff(tariff).price(frame, lines=False)

    assert priced.bills["total_fen"].tolist() == [
        int(b.total.amount * 100) for b in exact_bills(tariff, frame)
    ]


def test_a_one_window_table_in_a_later_version_with_a_free_top_tier_equals_the_engine() -> None:
    """Without lines a tier priced at 0 adds no block, even the last; the other version none."""

    def tiers() -> AnnualTiers:
        return AnnualTiers(code="e", **NAMES, tiers=[Tier("2760", "0.5283"), Tier(None, "0")])

    tariff = Tariff(
        code="T",
        name_zh="测",
        name_en="test",
        category="residential",
        versions=[
            TariffVersion(
                label="1", effective_from="2020-01-01", effective_to="2025-01-01", charges=[tiers()]
            ),
            TariffVersion(label="2", effective_from="2025-01-01", charges=[tiers()]),
        ],
    )
    frame = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "period_start": ["2025-07-01"] * 3,
            "period_end": ["2025-08-01"] * 3,
            "kwh_total": [300.0, 420.5, 0.0],
            "ytd_kwh": [0.0, 2500.0, 2760.0],
        }
    )

    with_lines = compile_tariff(tariff).price(frame)
    dense = compile_tariff(tariff).price(frame, lines=False)

    expected = [int(b.total.amount * 100) for b in exact_bills(tariff, frame)]
    assert expected == [15849, 13736, 0]  # 260 kWh of B's 420.5 in the first tier: 137.36
    assert dense.bills["total_fen"].tolist() == expected
    pd.testing.assert_frame_equal(dense.bills, with_lines.bills)
    # with lines: A in the first tier, B in both (0.00 over 2760), C none (no energy)
    assert with_lines.lines["code"].tolist() == ["e.tier1", "e.tier1", "e.tier2"]


def test_a_100_000_bill_sample_equals_the_engine() -> None:
    rng = np.random.default_rng(11)
    size = 100_000
    months = rng.integers(1, 13, size)
    starts = [date(2025, int(m), 1) for m in months]
    ends = [date(2025 + int(m) // 12, int(m) % 12 + 1, 1) for m in months]
    frame = pd.DataFrame(
        {
            "account_id": [f"H{i}" for i in range(size)],
            "period_start": starts,
            "period_end": ends,
            "kwh_peak": rng.integers(0, 800_000, size) / 1000,
            "kwh_valley": rng.integers(0, 600_000, size) / 1000,
            "ytd_kwh": rng.integers(0, 6000, size).astype(float),
            "residential": True,
        }
    )
    tariff = load_shipped("JS-RES-TOU")

    priced = compile_tariff(tariff).price(frame, lines=False)

    sample = sorted(random.Random(5).sample(range(size), 300))
    expected = exact_bills(tariff, frame.iloc[sample])
    assert priced.bills["total_fen"].iloc[sample].tolist() == [
        int(b.total.amount * 100) for b in expected
    ]
    assert len(line_amounts(expected)) == 300


def test_importing_analysis_without_its_extra_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "import powerretail\n"
        "try:\n"
        "    import powerretail.analysis\n"
        "except ImportError as err:\n"
        "    print(type(err).__name__, err)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == (
        "MissingExtra powerretail.analysis needs numpy, which is not installed: "
        "pip install 'powerretail[analysis]'"
    )


def test_a_charge_kind_the_batch_engine_does_not_know_is_refused() -> None:
    tariff = _tariff(AnnualTiers(code="e", **NAMES, tiers=[Tier(None, "1")]))
    version = tariff.versions[0]
    object.__setattr__(version, "charges", (*version.charges, "surcharge"))

    with pytest.raises(NotVectorisable, match="its kind \\(str\\) is not one the batch engine"):
        compile_tariff(tariff)


def test_a_missing_module_is_named_with_the_extra_to_install() -> None:
    with pytest.raises(MissingExtra, match=r"pip install 'powerretail\[scale\]'"):
        _require("no_such_module_for_powerretail", extra="scale")


def test_energy_without_critical_over_critical_peak_hours_is_refused_like_the_engine() -> None:
    """Failed before: the batch priced July's critical-peak hours at the peak price."""
    book = pd.DataFrame(
        {
            "account_id": ["F1"],
            "period_start": ["2025-07-01"],
            "period_end": ["2025-08-01"],
            "kwh_peak": [120000.0],
            "kwh_flat": [150000.0],
            "kwh_valley": [90000.0],
            "max_demand_kw": [900.0],
            "capacity_kva": [1250.0],
            "reactive_kvarh": [150000.0],
            "pf_standard": ["0.90"],
        }
    )
    pricer = compile_tariff(load_shipped("JS-CI-TOU-2P"))

    with pytest.raises(InvalidInput) as caught:
        pricer.price(book)

    assert caught.value.field == "usage[0].kwh_critical"
    assert "93 h of critical peak from 2025-07-01 to 2025-07-31" in caught.value.expected
    with_critical = book.assign(kwh_critical=[0.0])
    assert len(pricer.price(with_critical).bills) == 1


def test_changing_a_bills_table_changes_neither_the_usage_nor_the_next_pricing() -> None:
    """Bills share the usage's account and period columns, copy-on-write: each keeps its own."""
    from powerretail.analysis import read_usage  # noqa: PLC0415

    usage = read_usage(
        pd.DataFrame(
            {
                "account_id": ["A", "B"],
                "period_start": ["2025-07-01", "2025-07-01"],
                "period_end": ["2025-08-01", "2025-08-01"],
                "kwh_peak": [200.0, 10.0],
                "kwh_valley": [112.4, 0.0],
            }
        )
    )
    pricer = compile_tariff(load_shipped("JS-RES-TOU"))
    first = pricer.price(usage, lines=False).bills
    first.loc[0, "account_id"] = "changed"
    first.loc[0, "period_start"] = pd.Timestamp("2000-01-01")
    first.loc[0, "total_fen"] = -1

    again = pricer.price(usage, lines=False).bills
    assert again["account_id"].tolist() == ["A", "B"]
    assert str(again.loc[0, "period_start"].date()) == "2025-07-01"
    assert usage.account_id.tolist() == ["A", "B"]
    assert int(again.loc[0, "total_fen"]) == 15193
    assert str(again["tariff"].dtype) == "category"
    assert again["tariff"].tolist() == ["JS-RES-TOU", "JS-RES-TOU"]


def test_the_kwh_per_kva_discount_counts_the_basic_charge_part_month_days() -> None:
    # 15 days at 1/31 a day: 126 000 kWh / 1000 kVA / (15/31) = 260.4 ≥ 260 → 38 × 0.9 = 34.2;
    # 600 kW × 34.2 × 15/31 = 9 929.03 (the engine's amount).
    basic = BasicCharge(
        code="basic", **NAMES, yuan_per_kw_month="38", default_basis="demand", part_month_days=31
    )
    frame = _month(
        period_end="2025-07-16",
        kwh_total=126_000.0,
        max_demand_kw=500.0,
        contract_demand_kw=600.0,
        capacity_kva=1000.0,
    )
    tariff = _tariff(basic)

    priced = compile_tariff(tariff).price(frame)

    assert priced.lines["amount_fen"].tolist() == [992_903]
    assert line_amounts(exact_bills(tariff, frame))[0][0][2] == 992_903


def test_a_part_year_bound_is_rounded_to_a_watt_hour_in_both_engines() -> None:
    """A bound scaled by 1/12 that is no terminating decimal: both engines round it to 0.001 kWh.

    Annual tiers (pro rata) up to 1 and 191 kWh at 0 / 3 元/kWh, billed to the whole yuan; the
    account opened on 1 Jan 2021, so the year's bounds are × 1/12 of a year: 0.083 and 15.917
    kWh (191/12 = 15.91666…). 40 kWh in January: tier 2 is 15.917 − 0.083 = 15.834 kWh × 3 =
    47.502 元 → 48 元. Before, the engine kept 15.8333… to 50 digits (× 3 = 47.4999… → 47) while
    the batch engine worked in exact fractions (47.5 → 48).
    """
    from powerretail.billing.determinants import AccountFacts, Determinants  # noqa: PLC0415
    from powerretail.billing.engine import BillingEngine  # noqa: PLC0415
    from powerretail.quantities import Rounding  # noqa: PLC0415
    from powerretail.tariffs.model import PartialYear  # noqa: PLC0415
    from powerretail.timeframe import DateRange  # noqa: PLC0415

    annual = AnnualTiers(
        code="annual",
        name_zh="年阶梯",
        name_en="annual tiers",
        source="test tariff",
        tiers=[
            Tier(upto_kwh="1", yuan_per_kwh="0"),
            Tier(upto_kwh="191", yuan_per_kwh="3"),
            Tier(upto_kwh=None, yuan_per_kwh="0"),
        ],
        partial_year=PartialYear.PRO_RATA,
    )
    tariff = attrs.evolve(_tariff(annual), rounding=Rounding(step="1"))
    facts = AccountFacts(opened_on="2021-01-01", closed_on="2021-02-01")
    bill = BillingEngine(tariff).bill(
        Determinants(energy_kwh={"total": "40"}), DateRange.month(2021, 1), facts
    )
    priced = compile_tariff(tariff).price(
        pd.DataFrame(
            [
                {
                    "account_id": "A",
                    "period_start": "2021-01-01",
                    "period_end": "2021-02-01",
                    "kwh_total": 40.0,
                    "opened_on": "2021-01-01",
                    "closed_on": "2021-02-01",
                    "ytd_kwh": 0.0,
                }
            ]
        )
    )

    tier2 = next(line for line in bill.lines if line.code == "annual.tier2")
    assert (tier2.quantity, tier2.amount.amount) == (Decimal("15.834"), Decimal("48"))
    assert int(priced.bills.loc[0, "total_fen"]) == 4800 == int(bill.total.amount * 100)
