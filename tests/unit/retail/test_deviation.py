"""Golden deviation fees of each rule set at, just past and well past each band edge.

Contract energy 1 000 000 kWh throughout. Prices [元/kWh]: clearing spread 0.05, clearing price
0.40, up-regulation 0.45, monthly cap 0.48, down-regulation 0.30, contract price incl. T&D 0.60,
generic deviation price 0.10.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput
from powerretail.retail.deviation import (
    DEVIATION_RULE_SETS,
    DeviationPriceMissing,
    DeviationSide,
    RuleStatus,
    Side,
    assess_deviation,
    generic_rule,
)

CONTRACT = Decimal(1_000_000)
PRICES = {
    "clearing_spread": Decimal("0.05"),
    "clearing_price": Decimal("0.40"),
    "up_regulation": Decimal("0.45"),
    "monthly_cap": Decimal("0.48"),
    "down_regulation": Decimal("0.30"),
    "contract_price_incl_td": Decimal("0.60"),
    "deviation_price": Decimal("0.10"),
}


@pytest.mark.parametrize(
    ("rule", "actual", "fee"),
    [
        # Guangdong 2017: ±2 %; over ×1, under ×3 the spread 0.05
        ("GD-2017", 1_020_000, "0.00"),  # at the upper edge
        ("GD-2017", 1_020_001, "0.05"),  # 1 kWh × 0.05 × 1
        ("GD-2017", 1_030_000, "500.00"),  # 10 000 × 0.05
        ("GD-2017", 980_000, "0.00"),  # at the lower edge
        ("GD-2017", 979_999, "0.15"),  # 1 × 0.05 × 3
        ("GD-2017", 950_000, "4500.00"),  # 30 000 × 0.15
        # Fujian 2021 draft: ±3 %, × 0.40 × 5 % = 0.02 per kWh
        ("FJ-2021-DRAFT", 1_030_000, "0.00"),
        ("FJ-2021-DRAFT", 1_030_001, "0.02"),
        ("FJ-2021-DRAFT", 1_040_000, "200.00"),
        ("FJ-2021-DRAFT", 970_000, "0.00"),
        ("FJ-2021-DRAFT", 969_999, "0.02"),
        ("FJ-2021-DRAFT", 960_000, "200.00"),
        # Sichuan 2018: +8 % at max(0.45, 0.48); −4 % at 0.30
        ("SC-2018", 1_080_000, "0.00"),
        ("SC-2018", 1_080_001, "0.48"),
        ("SC-2018", 1_100_000, "9600.00"),  # 20 000 × 0.48
        ("SC-2018", 960_000, "0.00"),
        ("SC-2018", 959_999, "0.30"),
        ("SC-2018", 950_000, "3000.00"),  # 10 000 × 0.30
        # generic ±3 % at 0.10
        ("GENERIC-3", 1_030_000, "0.00"),
        ("GENERIC-3", 1_030_001, "0.10"),
        ("GENERIC-3", 1_050_000, "2000.00"),
        ("GENERIC-3", 970_000, "0.00"),
        ("GENERIC-3", 960_000, "1000.00"),
        ("GENERIC-3", 1_000_000, "0.00"),
    ],
)
def test_golden_fees_around_the_band_edges(rule: str, actual: int, fee: str) -> None:
    assessed = assess_deviation(
        DEVIATION_RULE_SETS[rule], contract_kwh=CONTRACT, actual_kwh=Decimal(actual), prices=PRICES
    )

    assert str(assessed.amount.amount) == fee


class TestAssessDeviation:
    def test_sichuan_under_use_falls_back_to_ten_percent_of_the_contract_price(self) -> None:
        prices = {"contract_price_incl_td": Decimal("0.60")}

        fee = assess_deviation(
            DEVIATION_RULE_SETS["SC-2018"],
            contract_kwh=CONTRACT,
            actual_kwh=Decimal(950_000),
            prices=prices,
        )

        assert str(fee.amount.amount) == "600.00"  # 10 000 × 0.60 × 0.1
        assert fee.price_name == "contract_price_incl_td"

    def test_a_missing_price_of_the_deviated_side_is_refused(self) -> None:
        with pytest.raises(DeviationPriceMissing, match="over-use at the month's clearing_spread"):
            assess_deviation(
                DEVIATION_RULE_SETS["GD-2017"],
                contract_kwh=CONTRACT,
                actual_kwh=Decimal(1_100_000),
                prices={},
            )

    def test_no_price_is_needed_inside_the_band(self) -> None:
        fee = assess_deviation(
            DEVIATION_RULE_SETS["GD-2017"],
            contract_kwh=CONTRACT,
            actual_kwh=Decimal(1_010_000),
            prices={},
        )

        assert fee.side is Side.OVER
        assert "within the band" in fee.explanation

    def test_no_contract_energy_penalises_all_actual_energy(self) -> None:
        fee = assess_deviation(
            DEVIATION_RULE_SETS["GENERIC-3"],
            contract_kwh=Decimal(0),
            actual_kwh=Decimal(100),
            prices=PRICES,
        )

        assert fee.penalised_kwh == 100

    def test_refuses_negative_energy(self) -> None:
        with pytest.raises(InvalidInput, match="actual_kwh"):
            assess_deviation(
                DEVIATION_RULE_SETS["GENERIC-3"],
                contract_kwh=CONTRACT,
                actual_kwh=Decimal(-1),
                prices=PRICES,
            )

    def test_every_provincial_rule_set_is_time_bound_and_names_its_source(self) -> None:
        for code, rule in DEVIATION_RULE_SETS.items():
            assert rule.code == code
            assert rule.source
            expected = RuleStatus.GENERIC if code.startswith("GENERIC") else RuleStatus.TIME_BOUND
            assert rule.status is expected


class TestDeviationSide:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"free_band": "1", "prices": "p"}, "free_band"),
            ({"free_band": "-0.1", "prices": "p"}, "free_band"),
            ({"free_band": "0.1", "prices": ()}, "prices"),
            ({"free_band": "0.1", "prices": "p", "multiplier": "-1"}, "multiplier"),
            ({"free_band": "0.1", "prices": "p", "fallback_price": "q"}, "fallback_multiplier"),
        ],
    )
    def test_refuses_bad_data(self, fields: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            DeviationSide(**fields)  # type: ignore[arg-type]

        assert refused.value.field == field

    def test_the_generic_rule_takes_any_bands(self) -> None:
        rule = generic_rule("G-10", free_band_over="0.10", free_band_under="0.05")

        fee = assess_deviation(
            rule, contract_kwh=CONTRACT, actual_kwh=Decimal(940_000), prices=PRICES
        )

        assert str(fee.amount.amount) == "1000.00"  # (60 000 − 50 000) × 0.10
