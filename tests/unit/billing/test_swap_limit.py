"""The time limit of a transformer swap (暂换), 《供电营业规则》(1996) 第二十五条.

The swapped-in transformer is used at most 2 calendar months at 10 kV and below, 3 at 35 kV and
above; the swap back is due on the same day 2 (3) months after the swap day at the latest, and a
later one is refused naming the rule. Edges on the real 2026 calendar (month ends included).
"""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.billing.capacity import (
    FGW2016,
    GYGZ1996,
    SWAP_LIMITS_1996,
    CapacityChange,
    CapacityHistory,
    ChangeKind,
    ChangeRules,
    SwapLimit,
    check_change,
)
from powerretail.customers.parties import VoltageLevel
from powerretail.errors import InvalidInput

RULE_10KV = (
    "《供电营业规则》(1996, 电力工业部令第8号) 第二十三条、第二十四条、第二十五条："
    "暂换变压器的使用时间，10千伏及以下的不得超过2个月，逾期不办理手续的，供电企业可中止供电"
)


def swapped(
    on: str, voltage: VoltageLevel | None, *, rules: ChangeRules = GYGZ1996
) -> CapacityHistory:
    swap = CapacityChange(kind=ChangeKind.SWAP, on=on, kva=630, to_kva=800)
    return CapacityHistory(installed_kva=630, changes=(swap,), rules=rules, supply_voltage=voltage)


def back(on: str | date) -> CapacityChange:
    return CapacityChange(kind=ChangeKind.SWAP_BACK, on=on, kva=630)


class TestSwapLimit:
    @pytest.mark.parametrize(
        ("swap_on", "voltage", "last_day"),
        [
            ("2026-03-10", VoltageLevel.KV10, date(2026, 5, 10)),
            ("2026-03-10", VoltageLevel.V380, date(2026, 5, 10)),
            ("2026-12-31", VoltageLevel.KV10, date(2027, 2, 28)),  # no 31 February
            ("2026-03-10", VoltageLevel.KV35, date(2026, 6, 10)),
            ("2026-11-30", VoltageLevel.KV110, date(2027, 2, 28)),
        ],
    )
    def test_the_swap_back_is_due_on_the_same_day_months_later_and_not_after(
        self, swap_on: str, voltage: VoltageLevel, last_day: date
    ) -> None:
        history = swapped(swap_on, voltage)

        assert check_change(history, back(last_day)).allowed
        late = check_change(history, back(date.fromordinal(last_day.toordinal() + 1)))
        assert not late.allowed
        assert "暂换变压器的使用时间" in late.rule

    def test_a_late_swap_back_names_the_rule_and_the_last_day(self) -> None:
        decision = check_change(swapped("2026-03-10", VoltageLevel.KV10), back("2026-05-11"))

        assert (decision.allowed, decision.rule) == (False, RULE_10KV)
        assert decision.reason == (
            "swapped from 2026-03-10: swap back on 2026-05-10 at the latest; past it the "
            "supplier may stop supply"
        )

    def test_a_35_kv_supply_has_three_months(self) -> None:
        decision = check_change(swapped("2026-03-10", VoltageLevel.KV35), back("2026-06-11"))

        assert "35千伏及以上的不得超过3个月" in decision.rule
        assert check_change(swapped("2026-03-10", VoltageLevel.KV35), back("2026-05-11")).allowed

    @pytest.mark.parametrize(
        ("voltage", "assumed"),
        [
            (None, "supply voltage not given"),
            (VoltageLevel.KV20, "20 kV is in no band of the rule"),
        ],
    )
    def test_an_unknown_or_unbanded_voltage_is_held_to_the_shorter_limit_and_says_so(
        self, voltage: VoltageLevel | None, assumed: str
    ) -> None:
        decision = check_change(swapped("2026-03-10", voltage), back("2026-05-11"))

        assert not decision.allowed
        assert decision.reason == (
            f"swapped from 2026-03-10: swap back on 2026-05-10 at the latest ({assumed}: the "
            "shortest limit, 2 months, assumed); past it the supplier may stop supply"
        )

    def test_the_2016_relaxation_keeps_the_swap_limit(self) -> None:
        assert FGW2016.swap_limits == SWAP_LIMITS_1996
        decision = check_change(
            swapped("2026-03-10", VoltageLevel.KV10, rules=FGW2016), back("2026-05-11")
        )
        assert not decision.allowed

    def test_rules_without_a_swap_limit_let_a_swap_run(self) -> None:
        rules = ChangeRules(name="open", source="agreed", swap_limits=())

        assert check_change(swapped("2026-03-10", None, rules=rules), back("2027-03-10")).allowed

    def test_a_history_with_a_swap_that_overran_is_refused(self) -> None:
        swap = CapacityChange(kind=ChangeKind.SWAP, on="2026-03-10", kva=630, to_kva=800)

        with pytest.raises(InvalidInput, match="暂换变压器的使用时间"):
            CapacityHistory(
                installed_kva=630,
                changes=(swap, back("2026-05-11")),
                supply_voltage=VoltageLevel.KV10,
            )

    def test_a_swap_still_in_force_is_billed_as_before(self) -> None:
        history = swapped("2026-03-10", VoltageLevel.KV10)

        assert history.running_kva_on(date(2026, 12, 6)) == 800

    def test_a_voltage_may_be_given_by_its_kv(self) -> None:
        assert CapacityHistory(installed_kva=10, supply_voltage="35").supply_voltage is (
            VoltageLevel.KV35
        )

    def test_bands(self) -> None:
        assert [limit.band_zh for limit in SWAP_LIMITS_1996] == ["10千伏及以下", "35千伏及以上"]
        assert SwapLimit(months=1, from_kv=20, up_to_kv=20).band_zh == "20千伏及以上、20千伏及以下"
        assert SwapLimit(months=1, from_kv="20", up_to_kv="20").covers(VoltageLevel.KV20.kv)

    @pytest.mark.parametrize(
        ("build", "match"),
        [
            (lambda: SwapLimit(months=2), "a band"),
            (lambda: SwapLimit(months=0, up_to_kv=10), "swap_limit.months"),
            (lambda: ChangeRules(name="x", source="y", swap_limits="2"), "swap_limits"),
            (lambda: ChangeRules(name="x", source="y", swap_limits=(2,)), "swap_limits"),
            (lambda: CapacityHistory(installed_kva=10, supply_voltage="11"), "supply_voltage"),
        ],
    )
    def test_bad_limits_and_voltages_are_refused(self, build: object, match: str) -> None:
        with pytest.raises(InvalidInput, match=match):
            build()  # type: ignore[operator]
