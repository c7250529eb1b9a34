"""Golden bills of a retail customer, one per package kind, worked by hand.

The delivery tariff of the shipped JS-CI-TOU-1P keeps its line loss 0.015, T&D 0.18, system
operation 0.025 and funds 0.029 元/kWh and its power-factor adjustment; the package replaces its
purchase (energy) price. July 2025, reference prices: medium/long-term 0.3850, spot 0.3620,
agency 0.4150 元/kWh.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pendulum
import pytest

from powerretail.adapters.retail_library import load_shipped_package
from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.usage import IntervalSeries
from powerretail.errors import InvalidInput, NotFound
from powerretail.retail.package_bill import (
    RetailBill,
    package_of,
    package_tariff,
    price_contract_bill,
    price_retail_bill,
)
from powerretail.retail.packages import RetailPackage, TouShape, energy_pricing, price_month
from powerretail.retail.reference_prices import ReferencePriceMissing
from powerretail.timeframe import DateRange
from tests.unit.retail.builders import (
    JULY_PRICES,
    a_delivery_tariff,
    a_package,
    a_retail_contract,
)

JULY = DateRange.month(2025, 7)
FLAT_1000 = Determinants(energy_kwh={"total": "1000"})


def _bill(code: str, determinants: Determinants = FLAT_1000, **kwargs: object) -> RetailBill:
    return price_retail_bill(
        package=load_shipped_package(code),
        delivery=load_shipped("JS-CI-TOU-1P"),
        period=JULY,
        determinants=determinants,
        **{"reference_prices": JULY_PRICES, **kwargs},  # type: ignore[arg-type]
    )


def _amounts(retail: RetailBill) -> dict[str, str]:
    return {line.code: str(line.amount.amount) for line in retail.bill.lines}


class TestGoldenPackageBills:
    def test_fixed_tou_within_the_cap(self) -> None:
        """peak 300 × 0.41×1.7 = 209.10; flat 400 × 0.41 = 164.00; valley 300 × 0.1435 = 43.05;
        average 0.41615 ≤ cap 0.45. PF 1000/√(1000²+600²) = 0.857 → 0.86 against 0.90: +2 % of
        209.10+164+43.05+15+180+25 = 636.15 → 12.72. Total 677.87."""
        retail = _bill(
            "PKG-FIXED-TOU",
            Determinants(
                energy_kwh={"peak": "300", "flat": "400", "valley": "300"}, reactive_kvarh="600"
            ),
            account=AccountFacts(pf_standard="0.90"),
        )

        assert _amounts(retail) == {
            "retail_energy.peak": "209.10",
            "retail_energy.flat": "164.00",
            "retail_energy.valley": "43.05",
            "line_loss": "15.00",
            "transmission": "180.00",
            "system_operation": "25.00",
            "power_factor": "12.72",
            "funds": "29.00",
        }
        assert str(retail.bill.total.amount) == "677.87"
        assert retail.energy_charge.amount == Decimal("416.15")

    def test_fixed_tou_above_the_cap(self) -> None:
        """peak 800 × 0.697 + flat 200 × 0.41 = 639.60 > 0.45 × 1000: 1000 × 0.45 = 450.00."""
        retail = _bill("PKG-FIXED-TOU", Determinants(energy_kwh={"peak": "800", "flat": "200"}))

        assert _amounts(retail)["retail_energy"] == "450.00"
        assert retail.pricing.capped
        assert str(retail.bill.total.amount) == "699.00"  # 450 + 15 + 180 + 25 + 29

    def test_linked_with_floating(self) -> None:
        """(0.3850 + 0.008) × 1000 = 393.00."""
        assert _amounts(_bill("PKG-LINKED"))["retail_energy"] == "393.00"

    def test_mix(self) -> None:
        """(0.6 × 0.4000 + 0.4 × 0.3850) × 1000 = (0.24 + 0.154) × 1000 = 394.00."""
        assert _amounts(_bill("PKG-MIX"))["retail_energy"] == "394.00"

    def test_spread_sharing(self) -> None:
        """(0.4150 − 0.5 × (0.4150 − 0.3750)) × 1234.5 = 0.3950 × 1234.5 = 487.6275 → 487.63."""
        retail = _bill(
            "PKG-SPREAD",
            Determinants(energy_kwh={"total": "1234.5"}),
            wholesale_yuan_per_kwh=Decimal("0.3750"),
        )

        assert _amounts(retail)["retail_energy"] == "487.63"

    def test_green_premium(self) -> None:
        """(0.3620 + 0.03) × 1000 = 392.00."""
        assert _amounts(_bill("PKG-GREEN"))["retail_energy"] == "392.00"

    def test_each_energy_line_names_the_package_version_and_the_formula(self) -> None:
        line = _bill("PKG-MIX").bill.lines[0]

        assert line.tariff_version == "426-2025+PKG-MIX@2025"
        assert line.source.startswith("PKG-MIX@2025: p = k·p_fixed + (1−k)·p_ref = 0.6×0.4000")
        assert "retail energy (package PKG-MIX@2025)" in _bill("PKG-MIX").bill.explain()


class TestPriceRetailBill:
    def test_a_month_without_the_reference_price_is_refused(self) -> None:
        with pytest.raises(ReferencePriceMissing, match="JS-MLT-AVG"):
            _bill("PKG-LINKED", reference_prices={})

    def test_refuses_a_period_over_two_months(self) -> None:
        with pytest.raises(InvalidInput, match="one calendar month"):
            price_retail_bill(
                package=a_package(),
                delivery=a_delivery_tariff(),
                period=DateRange("2025-07-15", "2025-08-15"),
                reference_prices={},
                determinants=FLAT_1000,
            )

    def test_refuses_both_or_neither_usage(self) -> None:
        with pytest.raises(InvalidInput, match="usage"):
            price_retail_bill(
                package=a_package(), delivery=a_delivery_tariff(), period=JULY, reference_prices={}
            )

    def test_prices_an_interval_series_by_the_delivery_schedule(self) -> None:
        start = pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai")
        series = IntervalSeries(start=start, minutes=60, active_kwh=["1"] * (31 * 24))

        retail = price_retail_bill(
            package=load_shipped_package("PKG-FIXED-TOU"),
            delivery=load_shipped("JS-CI-TOU-1P"),
            period=JULY,
            reference_prices={},
            series=series,
        )

        # 744 kWh: valley 8 h, flat 8 h, peak 8 h a day (summer): 248 kWh each
        assert _amounts(retail)["retail_energy.peak"] == "172.86"  # 248 × 0.697 = 172.856
        assert retail.bill.lines[0].quantity + retail.bill.lines[1].quantity + retail.bill.lines[
            2
        ].quantity == Decimal(744)

    def test_prices_a_series_on_an_untimed_delivery_tariff(self) -> None:
        start = pendulum.datetime(2025, 7, 1, tz="Asia/Shanghai")
        series = IntervalSeries(start=start, minutes=60, active_kwh=["1"] * (31 * 24))

        retail = price_retail_bill(
            package=a_package(),
            delivery=a_delivery_tariff(),
            period=JULY,
            reference_prices={},
            series=series,
        )

        assert _amounts(retail) == {"retail_energy": "305.04", "transmission": "133.92"}


class TestPackageTariff:
    def _pricing(self, **fields: object):  # type: ignore[no-untyped-def]
        package = a_package(**fields)
        priced = price_month(package.versions[0], "PKG", JULY.start, reference_prices={})
        return energy_pricing(priced, {"total": Decimal(1)})

    def test_replaces_the_energy_charge_in_its_place(self) -> None:
        tariff = package_tariff(a_delivery_tariff(), self._pricing(), JULY)

        codes = [charge.code for charge in tariff.versions[0].charges]
        assert codes == ["retail_energy", "transmission"]
        assert tariff.code == "DEL.PKG"

    def test_puts_the_package_first_when_the_delivery_tariff_has_no_energy_charge(self) -> None:
        tariff = package_tariff(a_delivery_tariff(with_energy=False), self._pricing(), JULY)

        assert [c.code for c in tariff.versions[0].charges] == ["retail_energy", "transmission"]

    def test_a_tou_package_needs_a_delivery_schedule(self) -> None:
        pricing = self._pricing(tou=TouShape(ratios={"flat": "1"}))

        with pytest.raises(InvalidInput, match="time-of-use schedule"):
            package_tariff(a_delivery_tariff(), pricing, JULY)

    def test_a_tou_package_must_price_every_bucket_of_the_schedule(self) -> None:
        pricing = self._pricing(tou=TouShape(ratios={"flat": "1", "peak": "1.7"}))

        with pytest.raises(InvalidInput, match=r"package.tou.ratios.deep_valley"):
            package_tariff(load_shipped("JS-CI-TOU-1P"), pricing, JULY)

    def test_refuses_a_period_across_delivery_versions_or_before_any(self) -> None:
        delivery = load_shipped("JS-CI-TOU-1P")
        with pytest.raises(NotFound):
            package_tariff(delivery, self._pricing(), DateRange.month(2025, 5))
        ended = a_delivery_tariff()
        version = ended.versions[0]
        short = attrs.evolve(ended, versions=(attrs.evolve(version, effective_to="2025-07-10"),))
        with pytest.raises(InvalidInput, match="one version"):
            package_tariff(short, self._pricing(), JULY)

    def test_refuses_an_open_period(self) -> None:
        with pytest.raises(InvalidInput, match="closed"):
            package_tariff(a_delivery_tariff(), self._pricing(), DateRange("2025-07-01"))


class TestPriceContractBill:
    def _packages(self) -> dict[str, RetailPackage]:
        return {code: load_shipped_package(code) for code in ("PKG-MIX", "PKG-LINKED")}

    def test_prices_a_bill_from_the_contracts_package(self) -> None:
        retail = price_contract_bill(
            contract=a_retail_contract("PKG-MIX"),
            packages=self._packages(),
            delivery=load_shipped("JS-CI-TOU-1P"),
            period=JULY,
            reference_prices=JULY_PRICES,
            determinants=FLAT_1000,
        )

        assert _amounts(retail)["retail_energy"] == "394.00"

    def test_refuses_a_supply_contract_an_unknown_package_or_days_outside_the_term(self) -> None:
        with pytest.raises(InvalidInput, match="retail contract priced by a retail package"):
            package_of(a_retail_contract(None), self._packages())
        with pytest.raises(NotFound, match="PKG-NONE"):
            package_of(a_retail_contract("PKG-NONE"), self._packages())
        with pytest.raises(InvalidInput, match="within contract K-1's term"):
            price_contract_bill(
                contract=a_retail_contract("PKG-MIX"),
                packages=self._packages(),
                delivery=load_shipped("JS-CI-TOU-1P"),
                period=DateRange.month(2026, 1),
                reference_prices=JULY_PRICES,
                determinants=FLAT_1000,
            )
