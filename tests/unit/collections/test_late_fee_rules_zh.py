"""Each late-fee part carries its rule in Chinese: the article and the daily rate it charges."""

from __future__ import annotations

import re
from datetime import date

import attrs
import pytest

from powerretail.collections.late_fees import (
    GYGZ1996,
    GYGZ2024,
    AgreedRate,
    CustomerKind,
    LateFeeRuleSet,
    accrue,
)
from powerretail.quantities import Money
from powerretail.timeframe import DateRange

LATIN = re.compile(r"[A-Za-z]")
CONTRACT = "供用电合同（《电力供应与使用条例》第39条允许日费率1‰至3‰）"
AGREED_PART = "合同约定每日按欠费金额的 2.5‰ 计收"
ACROSS_NEW_YEAR = DateRange(date(2023, 12, 30), date(2024, 1, 3))


def _parts_zh(
    kind: CustomerKind, rule_set: LateFeeRuleSet, agreed: AgreedRate | None = None
) -> list[str]:
    parts = accrue(
        Money("100.00"),
        ACROSS_NEW_YEAR,
        first_overdue_day=ACROSS_NEW_YEAR.start,
        customer_kind=kind,
        rule_set=rule_set,
        agreed_rate=agreed,
    )
    return [part.rule_text("zh") for part in parts]


class TestRuleSets:
    def test_residential_and_other_users_read_article_98_and_their_rate(self) -> None:
        assert _parts_zh(CustomerKind.RESIDENTIAL, GYGZ1996) == [
            "《供电营业规则》(1996, 电力工业部令第8号) 第98条：居民用户每日按欠费金额的 1‰ 计收"
        ]
        assert _parts_zh(CustomerKind.NON_RESIDENTIAL, GYGZ1996) == [
            "《供电营业规则》(1996, 电力工业部令第8号) 第98条：当年欠费每日按欠费金额的 2‰ 计收",
            "《供电营业规则》(1996, 电力工业部令第8号) 第98条：跨年度欠费每日按欠费金额的 3‰ 计收",
        ]

    @pytest.mark.parametrize("rule_set", [GYGZ1996, GYGZ2024, GYGZ2024.without_minimum()])
    @pytest.mark.parametrize("kind", list(CustomerKind))
    def test_no_part_has_an_english_word(
        self, rule_set: LateFeeRuleSet, kind: CustomerKind
    ) -> None:
        for text in _parts_zh(kind, rule_set):
            assert not LATIN.search(text), text
            assert "第98条" in text

    def test_the_2024_rules_say_the_article_is_not_verified(self) -> None:
        assert _parts_zh(CustomerKind.RESIDENTIAL, GYGZ2024)[0].startswith(
            "《供电营业规则》(2024)（条款未核实，按1996年版第98条）："
        )

    def test_a_rule_set_without_chinese_text_prints_its_source(self) -> None:
        custom = attrs.evolve(GYGZ1996, key="JS", source="JS rule 9", source_zh="")
        parts = accrue(
            Money("100.00"),
            DateRange(date(2024, 3, 1), date(2024, 3, 2)),
            first_overdue_day=date(2024, 3, 1),
            customer_kind=CustomerKind.RESIDENTIAL,
            rule_set=custom,
        )

        assert parts[0].rule_text("zh") == "JS rule 9：居民用户每日按欠费金额的 1‰ 计收"
        assert parts[0].rule_text("en") == "JS rule 9"


class TestAgreedRates:
    def test_an_agreed_rate_names_the_contract_and_the_statutory_range(self) -> None:
        agreed = AgreedRate(daily_rate="0.0025", contract_ref="HT-2025-01")

        assert _parts_zh(CustomerKind.NON_RESIDENTIAL, GYGZ1996, agreed) == [
            "合同 HT-2025-01（《电力供应与使用条例》第39条允许日费率1‰至3‰）：" + AGREED_PART
        ]

    def test_an_agreed_cross_year_rate_has_its_own_part(self) -> None:
        agreed = AgreedRate(daily_rate="0.002", cross_year_daily_rate="0.003")

        assert _parts_zh(CustomerKind.NON_RESIDENTIAL, GYGZ1996, agreed) == [
            f"{CONTRACT}：合同约定每日按欠费金额的 2‰ 计收",
            f"{CONTRACT}：合同约定跨年度每日按欠费金额的 3‰ 计收",
        ]
