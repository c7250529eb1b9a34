"""The 1983 power-factor table and the monthly power factor."""

from __future__ import annotations

from decimal import Decimal

import pytest

from powerretail.errors import InvalidInput, NotFound
from powerretail.tariffs.power_factor import PF_1983, PowerFactorStandard, power_factor

# rules.md §13.3 check values (published table, S112): pf → (0.90, 0.85, 0.80)
CHECK_VALUES = {
    "0.66": ("14", "9.5", "7.0"),
    "0.60": ("25", "15", "10"),
    "0.59": ("27", "17", "11"),
    "0.30": ("85", "75", "65"),
    "0.93": ("-0.45", "-0.95", "-1.3"),
}


class TestPowerFactorStandard:
    @pytest.mark.parametrize("pf", sorted(CHECK_VALUES))
    def test_reproduces_the_published_check_values(self, pf: str) -> None:
        percents = tuple(PF_1983.standard(s).percent(Decimal(pf)) for s in ("0.90", "0.85", "0.80"))

        assert percents == tuple(Decimal(v) for v in CHECK_VALUES[pf])

    @pytest.mark.parametrize(
        ("standard", "pf", "percent"),
        [
            ("0.90", "0.90", "0"),
            ("0.90", "0.91", "-0.15"),
            ("0.90", "0.95", "-0.75"),
            ("0.90", "1.00", "-0.75"),
            ("0.90", "0.70", "10"),
            ("0.90", "0.65", "15"),
            ("0.85", "0.90", "-0.5"),
            ("0.85", "0.94", "-1.10"),
            ("0.85", "0.65", "10"),
            ("0.80", "0.91", "-1.15"),
            ("0.80", "0.92", "-1.30"),
            ("0.80", "0.55", "15"),
        ],
    )
    def test_follows_the_rule_at_its_turning_points(
        self, standard: str, pf: str, percent: str
    ) -> None:
        assert PF_1983.standard(standard).percent(Decimal(pf)) == Decimal(percent)

    def test_table_runs_from_one_down_to_zero_and_never_falls_as_pf_falls(self) -> None:
        table = PF_1983.standard("0.85").table()

        assert [pf for pf, _ in table][:2] == [Decimal("1.00"), Decimal("0.99")]
        assert len(table) == 101
        percents = [percent for _, percent in table]
        assert percents == sorted(percents)

    @pytest.mark.parametrize("pf", ["0.885", "1.01", "-0.01"])
    def test_refuses_a_power_factor_not_at_two_decimals_in_range(self, pf: str) -> None:
        with pytest.raises(InvalidInput, match="power_factor"):
            PF_1983.standard("0.90").percent(Decimal(pf))

    @pytest.mark.parametrize("standard", ["0.905", "1", "0"])
    def test_refuses_a_standard_that_is_not_a_power_factor(self, standard: str) -> None:
        with pytest.raises(InvalidInput, match="standard"):
            PowerFactorStandard(standard=standard, rebate_cap="1")

    def test_an_unknown_standard_is_not_found(self) -> None:
        with pytest.raises(NotFound, match=r"0\.95"):
            PF_1983.standard("0.95")


class TestPowerFactor:
    def test_rounds_half_up_to_two_decimals(self) -> None:
        assert power_factor(Decimal(240000), Decimal(130000)) == Decimal("0.88")

    def test_is_one_without_reactive_energy(self) -> None:
        assert power_factor(Decimal(10), Decimal(0)) == Decimal("1.00")

    def test_is_none_without_active_energy(self) -> None:
        assert power_factor(Decimal(0), Decimal(10)) is None

    def test_is_exact_on_a_three_four_five_triangle(self) -> None:
        assert power_factor(Decimal(3), Decimal(4)) == Decimal("0.60")

    @pytest.mark.parametrize(("active", "reactive"), [("-1", "0"), ("1", "-1")])
    def test_refuses_negative_energy(self, active: str, reactive: str) -> None:
        with pytest.raises(InvalidInput):
            power_factor(Decimal(active), Decimal(reactive))
