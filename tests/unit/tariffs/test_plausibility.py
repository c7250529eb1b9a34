"""Plausibility bounds of tariff prices (``powerretail tariff check`` warns of what is outside)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.adapters.tariff_library import load_shipped, shipped_codes
from powerretail.errors import InvalidInput
from powerretail.tariffs.model import ChargeCategory
from powerretail.tariffs.parser import loads_toml
from powerretail.tariffs.plausibility import (
    DEFAULT_TARIFF_BOUNDS,
    PriceFinding,
    TariffBounds,
    implausible_prices,
)

HEAD = """code = "T"
name_zh = "试"
name_en = "test"
category = "commercial_industrial"
[[versions]]
label = "2025"
effective_from = 2025-01-01
[versions.schedules.all]
timezone = "Asia/Shanghai"
[[versions.schedules.all.seasons]]
name = "year"
months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
windows = [
    { bucket = "flat", start = "00:00", end = "12:00" },
    { bucket = "flat", start = "12:00", end = "00:00" },
]
"""


def charge(kind: str, fields: str, category: str = "") -> str:
    return (
        f'[[versions.charges]]\ntype = "{kind}"\ncode = "{kind}"\nname_zh = "费"\n'
        f'name_en = "{kind}"\nsource = "test"\n'
        + (f'category = "{category}"\n' if category else "")
        + fields
        + "\n"
    )


def paths(text: str, bounds: TariffBounds = DEFAULT_TARIFF_BOUNDS) -> list[str]:
    return [finding.path for finding in implausible_prices(loads_toml(HEAD + text), bounds)]


class TestBounds:
    @pytest.mark.parametrize("code", shipped_codes())
    def test_every_shipped_tariff_is_plausible(self, code: str) -> None:
        assert implausible_prices(load_shipped(code)) == ()

    def test_a_price_typed_in_fen_is_above_five_yuan(self) -> None:
        tariff = loads_toml(HEAD + charge("energy", "yuan_per_kwh = 55.83"))

        (finding,) = implausible_prices(tariff)

        assert finding == PriceFinding(
            "versions[0].charges[0].yuan_per_kwh",
            Decimal("55.83"),
            "元/kWh",
            Decimal(0),
            Decimal(5),
        )
        assert str(finding) == (
            "versions[0].charges[0].yuan_per_kwh: 55.83 元/kWh is above 5 "
            "(the most a price of this kind plausibly is)"
        )

    def test_a_negative_price_is_found_unless_its_category_gives_credits(self) -> None:
        (finding,) = implausible_prices(loads_toml(HEAD + charge("energy", "yuan_per_kwh = -0.02")))
        assert str(finding) == (
            "versions[0].charges[0].yuan_per_kwh: -0.02 元/kWh is below 0 "
            "(a negative price (only credit categories may hold one))"
        )
        credit = charge("energy", "yuan_per_kwh = -0.02", category="adjustment")
        assert paths(credit) == []
        assert paths(charge("energy", "yuan_per_kwh = -6", category="adjustment")) == [
            "versions[0].charges[0].yuan_per_kwh"
        ]

    def test_a_raised_lower_bound_explains_itself(self) -> None:
        bounds = TariffBounds(energy_yuan_per_kwh=(Decimal("0.1"), Decimal(5)))
        (finding,) = implausible_prices(
            loads_toml(HEAD + charge("energy", "yuan_per_kwh = 0.05")), bounds
        )

        assert str(finding).endswith("is below 0.1 (the least a price of this kind plausibly is)")

    def test_every_kind_of_price_is_checked(self) -> None:
        text = (
            charge(
                "monthly_tiers",
                "tiers = [{ upto = 200, yuan_per_kwh = 0.5 }, { yuan_per_kwh = 7 }]",
            )
            + charge(
                "time_of_use",
                'schedule = "all"\nbase_yuan_per_kwh = 6\n'
                'prices = [{ bucket = "flat", ratio = 9 }]',
            )
            + charge("basic", "yuan_per_kva_month = 260\nyuan_per_kw_month = 380")
            + charge("fixed", "yuan_per_month = 20000")
        )

        assert paths(text) == [
            "versions[0].charges[0].tiers[1].yuan_per_kwh",
            "versions[0].charges[1].base_yuan_per_kwh",
            "versions[0].charges[1].prices[0].ratio",
            "versions[0].charges[1].prices[0] (flat resolved)",
            "versions[0].charges[2].yuan_per_kva_month",
            "versions[0].charges[2].yuan_per_kw_month",
            "versions[0].charges[3].yuan_per_month",
        ]

    def test_a_plausible_ratio_of_a_plausible_base_can_still_resolve_too_high(self) -> None:
        text = charge(
            "time_of_use",
            'schedule = "all"\nbase_yuan_per_kwh = 4\nprices = [{ bucket = "flat", ratio = 1.8 }]',
        )

        assert paths(text) == ["versions[0].charges[0].prices[0] (flat resolved)"]

    def test_bounds_must_be_an_ordered_pair_of_non_negative_numbers(self) -> None:
        for bad in [(Decimal(5), Decimal(1)), (Decimal(-1), Decimal(1)), (Decimal(1),), "0..5"]:
            with pytest.raises(InvalidInput, match="energy_yuan_per_kwh"):
                TariffBounds(energy_yuan_per_kwh=bad)  # type: ignore[arg-type]
        assert DEFAULT_TARIFF_BOUNDS.energy_yuan_per_kwh == (Decimal(0), Decimal(5))
        assert DEFAULT_TARIFF_BOUNDS.credit_categories == frozenset({ChargeCategory.ADJUSTMENT})
