from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.retail.packages import (
    ExcessProfit,
    PackageVersion,
    PricingKind,
    RetailPackage,
    TouShape,
    WholesaleCostMissing,
    energy_pricing,
    price_month,
)
from powerretail.retail.reference_prices import ReferencePriceMissing
from tests.unit.retail.builders import JULY_PRICES, a_package

JULY = date(2025, 7, 1)


def _price(package: RetailPackage, wholesale: str | None = None) -> Decimal:
    priced = price_month(
        package.version_on(JULY),
        package.code,
        JULY,
        reference_prices=JULY_PRICES,
        wholesale_yuan_per_kwh=None if wholesale is None else Decimal(wholesale),
    )
    return priced.flat_yuan_per_kwh


class TestPriceMonth:
    def test_a_fixed_package_is_its_fixed_price(self) -> None:
        assert _price(a_package()) == Decimal("0.41")

    def test_a_linked_package_is_the_reference_price_of_the_month(self) -> None:
        package = a_package(
            kind=PricingKind.LINKED, fixed_yuan_per_kwh=None, reference="JS-MLT-AVG"
        )

        assert _price(package) == Decimal("0.3850")

    def test_a_floating_add_on_goes_on_every_kwh(self) -> None:
        package = a_package(
            kind=PricingKind.LINKED,
            fixed_yuan_per_kwh=None,
            reference="JS-MLT-AVG",
            floating_yuan_per_kwh="-0.012",
        )

        assert _price(package) == Decimal("0.3730")  # 0.3850 − 0.012

    def test_a_mix_weights_fixed_and_reference_by_k(self) -> None:
        package = a_package(
            kind=PricingKind.MIX,
            fixed_yuan_per_kwh="0.40",
            reference="JS-MLT-AVG",
            share_fixed="0.6",
        )

        assert _price(package) == Decimal("0.394")  # 0.6×0.40 + 0.4×0.3850 = 0.24 + 0.154

    def test_spread_sharing_gives_the_user_alpha_of_the_spread(self) -> None:
        package = a_package(
            kind=PricingKind.SPREAD_SHARING,
            fixed_yuan_per_kwh=None,
            reference="JS-AGENCY",
            alpha="0.5",
        )

        assert _price(package, "0.3750") == Decimal("0.3950")  # 0.4150 − 0.5×0.0400

    def test_spread_sharing_without_the_wholesale_cost_is_refused(self) -> None:
        package = a_package(
            kind=PricingKind.SPREAD_SHARING,
            fixed_yuan_per_kwh=None,
            reference="JS-AGENCY",
            alpha="1",
        )

        with pytest.raises(WholesaleCostMissing, match="wholesale cost for 2025-07"):
            _price(package)

    def test_a_green_premium_adds_to_the_price(self) -> None:
        package = a_package(
            kind=PricingKind.LINKED,
            fixed_yuan_per_kwh=None,
            reference="JS-SPOT-AVG",
            green_premium_yuan_per_kwh="0.03",
        )

        assert _price(package) == Decimal("0.3920")

    def test_a_month_without_the_reference_price_is_refused(self) -> None:
        package = a_package(kind=PricingKind.LINKED, fixed_yuan_per_kwh=None, reference="JS-X")

        with pytest.raises(
            ReferencePriceMissing, match='"JS-X" has no price published for 2025-07'
        ):
            _price(package)

    def test_tou_bands_are_the_base_times_the_ratio_plus_the_add_ons(self) -> None:
        package = a_package(
            tou=TouShape(ratios={"peak": "1.6", "flat": "1", "valley": "0.4"}, notice="JX-TOU"),
            floating_yuan_per_kwh="0.01",
        )

        priced = price_month(package.versions[0], "PKG", JULY, reference_prices={})

        assert priced.band_yuan_per_kwh == {
            "flat": Decimal("0.42"),
            "peak": Decimal("0.666"),  # 0.41 × 1.6 + 0.01
            "valley": Decimal("0.174"),
        }


class TestEnergyPricing:
    def _tou(self, cap: str | None) -> RetailPackage:
        return a_package(
            tou=TouShape(ratios={"peak": "1.7", "flat": "1", "valley": "0.35"}),
            cap_yuan_per_kwh=cap,
        )

    def _pricing(self, package: RetailPackage, energy: dict[str, str]):  # type: ignore[no-untyped-def]
        priced = price_month(package.versions[0], "PKG", JULY, reference_prices={})
        return energy_pricing(priced, {k: Decimal(v) for k, v in energy.items()})

    def test_an_average_within_the_cap_keeps_the_band_prices(self) -> None:
        pricing = self._pricing(self._tou("0.45"), {"peak": "300", "flat": "400", "valley": "300"})

        assert not pricing.capped
        assert pricing.uncapped_charge == Decimal("416.1500")
        assert pricing.prices["peak"] == Decimal("0.697")

    def test_an_average_above_the_cap_prices_all_energy_at_the_cap(self) -> None:
        pricing = self._pricing(self._tou("0.45"), {"peak": "800", "flat": "200"})

        assert pricing.capped  # 800×0.697 + 200×0.41 = 639.60 > 0.45×1000
        assert set(pricing.prices.values()) == {Decimal("0.45")}
        assert "above the cap 0.45" in pricing.explanation

    def test_an_average_exactly_at_the_cap_is_not_capped(self) -> None:
        pricing = self._pricing(a_package(cap_yuan_per_kwh="0.41"), {"total": "100"})

        assert not pricing.capped

    def test_energy_in_a_band_the_package_does_not_shape_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match=r"energy_kwh\.critical"):
            self._pricing(self._tou(None), {"critical": "1"})

    def test_total_energy_on_a_shaped_package_is_priced_flat(self) -> None:
        pricing = self._pricing(self._tou(None), {"total": "10"})

        assert pricing.prices == {"total": Decimal("0.41")}


class TestExcessProfit:
    def test_refunds_the_share_of_the_margin_above_the_threshold(self) -> None:
        rule = ExcessProfit(threshold_yuan_per_kwh="0.02", refund_share="0.5")

        # revenue 394.00, cost 350.00 on 1000 kWh: margin 44.00, above 20.00 by 24.00
        assert rule.refund_of(Decimal("394.00"), Decimal("350.00"), Decimal(1000)) == Decimal(
            "12.0000"
        )

    def test_refunds_nothing_at_or_below_the_threshold(self) -> None:
        rule = ExcessProfit(threshold_yuan_per_kwh="0.02", refund_share="0.5")

        assert rule.refund_of(Decimal("370"), Decimal("350"), Decimal(1000)) == 0

    @pytest.mark.parametrize(
        ("threshold", "share"), [("-0.01", "0.5"), ("0.01", "1.5"), ("0.01", "-0.1")]
    )
    def test_refuses_a_negative_threshold_or_a_share_outside_0_1(
        self, threshold: str, share: str
    ) -> None:
        with pytest.raises(InvalidInput):
            ExcessProfit(threshold_yuan_per_kwh=threshold, refund_share=share)


class TestTouShape:
    def test_ratios_following_their_notice_are_kept(self) -> None:
        shape = TouShape(ratios={"peak": "1.7", "flat": "1", "valley": "0.35"}, notice="JS-426")

        assert shape.ratios["peak"] == Decimal("1.7")

    @pytest.mark.parametrize(
        ("ratios", "field"),
        [
            ({"peak": "1.6", "flat": "1", "valley": "0.35"}, "tou.ratios.peak"),
            ({"peak": "1.7", "flat": "1"}, "tou.ratios.valley"),
            (
                {"peak": "1.7", "flat": "1", "valley": "0.35", "critical": "2"},
                "tou.ratios.critical",
            ),
        ],
    )
    def test_ratios_not_following_their_notice_are_refused(
        self, ratios: dict[str, str], field: str
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            TouShape(ratios=ratios, notice="JS-426")

        assert refused.value.field == field

    @pytest.mark.parametrize("ratios", [{}, {"peak": "0"}, "peak"])
    def test_refuses_empty_or_non_positive_ratios(self, ratios: object) -> None:
        with pytest.raises(InvalidInput):
            TouShape(ratios=ratios)  # type: ignore[arg-type]

    def test_refuses_an_unknown_notice(self) -> None:
        with pytest.raises(InvalidInput, match=r"tou\.notice"):
            TouShape(ratios={"flat": "1"}, notice="XX")


class TestPackageVersion:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"kind": PricingKind.FIXED, "fixed_yuan_per_kwh": None}, "fixed_yuan_per_kwh"),
            ({"kind": PricingKind.FIXED, "fixed_yuan_per_kwh": "0.4", "alpha": "0.5"}, "alpha"),
            ({"kind": PricingKind.LINKED, "reference": "R"}, "fixed_yuan_per_kwh"),
            (
                {"kind": PricingKind.MIX, "fixed_yuan_per_kwh": "0.4", "reference": "R"},
                "share_fixed",
            ),
            ({"kind": PricingKind.LINKED, "reference": " "}, "reference"),
            ({"kind": PricingKind.FIXED, "fixed_yuan_per_kwh": "-0.4"}, "fixed_yuan_per_kwh"),
            (
                {
                    "kind": PricingKind.FIXED,
                    "fixed_yuan_per_kwh": "0.4",
                    "effective_to": "2024-12-01",
                },
                "effective_to",
            ),
        ],
    )
    def test_refuses_fields_the_kind_does_not_take(
        self, fields: dict[str, object], field: str
    ) -> None:
        values: dict[str, object] = {"label": "v", "effective_from": "2025-01-01", "source": "s"}
        values.update(fields)
        if fields.get("kind") is PricingKind.LINKED and "fixed_yuan_per_kwh" not in fields:
            values["fixed_yuan_per_kwh"] = "0.4" if field == "fixed_yuan_per_kwh" else None
        with pytest.raises(InvalidInput) as refused:
            PackageVersion(**values)  # type: ignore[arg-type]

        assert refused.value.field == field

    @pytest.mark.parametrize("field", ["label", "source"])
    def test_refuses_a_blank_label_or_source(self, field: str) -> None:
        values: dict[str, object] = {
            "label": "v",
            "effective_from": "2025-01-01",
            "source": "s",
            "kind": PricingKind.FIXED,
            "fixed_yuan_per_kwh": "0.4",
        }
        values[field] = " "
        with pytest.raises(InvalidInput):
            PackageVersion(**values)  # type: ignore[arg-type]


class TestRetailPackage:
    def _version(self, label: str, start: str, end: str | None) -> PackageVersion:
        return PackageVersion(
            label=label,
            effective_from=start,
            effective_to=end,
            source="s",
            kind=PricingKind.FIXED,
            fixed_yuan_per_kwh="0.4",
        )

    def test_finds_the_version_in_force(self) -> None:
        package = RetailPackage(
            code="P",
            name_zh="p",
            name_en="p",
            versions=[
                self._version("a", "2025-01-01", "2025-07-01"),
                self._version("b", "2025-07-01", None),
            ],
        )

        assert package.version_on(JULY).label == "b"
        assert package.version("a").effective_to == JULY

    def test_refuses_overlapping_versions_duplicate_labels_and_none(self) -> None:
        with pytest.raises(InvalidInput, match="on or after the end"):
            RetailPackage(
                code="P",
                name_zh="p",
                name_en="p",
                versions=[
                    self._version("a", "2025-01-01", None),
                    self._version("b", "2025-07-01", None),
                ],
            )
        with pytest.raises(InvalidInput, match="label used once"):
            RetailPackage(
                code="P",
                name_zh="p",
                name_en="p",
                versions=[
                    self._version("a", "2025-01-01", "2025-02-01"),
                    self._version("a", "2025-07-01", None),
                ],
            )
        with pytest.raises(InvalidInput, match="at least one version"):
            RetailPackage(code="P", name_zh="p", name_en="p", versions=[])

    def test_refuses_a_bad_code_or_name(self) -> None:
        with pytest.raises(InvalidInput, match="code"):
            RetailPackage(
                code="P 1",
                name_zh="p",
                name_en="p",
                versions=[self._version("a", "2025-01-01", None)],
            )
        with pytest.raises(InvalidInput, match="name"):
            RetailPackage(
                code="P", name_zh="", name_en="p", versions=[self._version("a", "2025-01-01", None)]
            )

    def test_a_missing_version_is_not_found(self) -> None:
        package = a_package()

        with pytest.raises(NotFound):
            package.version("nope")
        with pytest.raises(NotFound):
            package.version_on(date(2024, 1, 1))
