"""Every back-charge line carries its rule in Chinese: the same article and what it says."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest

from powerretail.billing.back_charges import (
    GYGZ1996,
    GYGZ2024,
    BackChargeDocument,
    BackChargeRuleSet,
    EnergyCharge,
    LoadKind,
    breach_category_misuse,
    breach_extra_capacity,
    breach_meter_interference,
    breach_over_quota,
    breach_suspended_equipment,
    breach_unauthorised_source,
    meter_error_refund,
    multiplier_error_correction,
    theft_back_charge,
    voltage_drop_correction,
    wiring_error_correction,
)
from powerretail.quantities import (
    ApparentPower,
    CapacityPrice,
    Energy,
    EnergyPrice,
    Money,
    Power,
)

LATIN = re.compile(r"[A-Za-z]")
ARTICLE = re.compile(r"第[0-9–]+条(第[0-9]+项)?")
PRICE = EnergyPrice("0.5")
Make = Callable[[BackChargeRuleSet], BackChargeDocument]

DOCUMENTS: dict[str, Make] = {
    "meter_error": lambda rules: meter_error_refund(
        relative_error="0.04",
        recorded_energy=Energy("18200"),
        since=date(2024, 1, 1),
        corrected_on=date(2024, 7, 1),
        price=PRICE,
        rule_set=rules,
    ),
    "voltage_drop": lambda rules: voltage_drop_correction(
        actual_error="-0.03",
        permitted_error="-0.01",
        recorded_energy=Energy("9700"),
        since=date(2024, 1, 1),
        corrected_on=date(2024, 7, 1),
        price=PRICE,
        rule_set=rules,
    ),
    "wiring_error": lambda rules: wiring_error_correction(
        recorded_energy=Energy("1000"),
        k_correct="1.5",
        since=date(2024, 1, 1),
        corrected_on=date(2024, 7, 1),
        price=PRICE,
        rule_set=rules,
    ),
    "multiplier_error": lambda rules: multiplier_error_correction(
        register_delta="10",
        correct_multiplier="40",
        used_multiplier="30",
        corrected_on=date(2024, 7, 1),
        price=PRICE,
        rule_set=rules,
    ),
    "category_misuse": lambda rules: breach_category_misuse(
        discovered_on=date(2024, 7, 1),
        price_difference=EnergyPrice("0.2"),
        energy=Energy("1000"),
        rule_set=rules,
    ),
    "extra_capacity_two_part": lambda rules: breach_extra_capacity(
        discovered_on=date(2024, 7, 1),
        extra_capacity=ApparentPower("200"),
        two_part=True,
        price=CapacityPrice("26"),
        months=3,
        rule_set=rules,
    ),
    "extra_capacity_single_part": lambda rules: breach_extra_capacity(
        discovered_on=date(2024, 7, 1),
        extra_capacity=ApparentPower("20"),
        two_part=False,
        rule_set=rules,
    ),
    "suspended_two_part": lambda rules: breach_suspended_equipment(
        discovered_on=date(2024, 7, 1),
        capacity=ApparentPower("100"),
        two_part=True,
        price=CapacityPrice("26"),
        rule_set=rules,
    ),
    "suspended_other": lambda rules: breach_suspended_equipment(
        discovered_on=date(2024, 7, 1),
        capacity=ApparentPower("100"),
        two_part=False,
        rule_set=rules,
    ),
    "meter_interference": lambda rules: breach_meter_interference(
        discovered_on=date(2024, 7, 1), residential=True, rule_set=rules
    ),
    "unauthorised_source": lambda rules: breach_unauthorised_source(
        discovered_on=date(2024, 7, 1), capacity=Power("10"), rule_set=rules
    ),
    "theft": lambda rules: theft_back_charge(
        discovered_on=date(2024, 7, 1),
        capacity=Power("2"),
        load_kind=LoadKind.LIGHTING,
        price=PRICE,
        liquidated_multiple=None if rules.theft_multiple is not None else 3,
        rule_set=rules,
    ),
}


@pytest.mark.parametrize("rules", [GYGZ1996, GYGZ2024], ids=lambda rules: rules.key)
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_line_has_its_rule_in_chinese(name: str, rules: BackChargeRuleSet) -> None:
    for line in DOCUMENTS[name](rules).lines:
        zh = line.rule_text("zh")

        assert line.rule_source_zh == zh
        assert not LATIN.search(zh), zh
        assert zh.startswith(rules.title)
        article = ARTICLE.search(line.rule_source)
        assert article is not None
        assert article.group(0) in zh
        assert line.rule_text("en") == line.rule_source
        assert line.as_dict()["rule_source_zh"] == zh


def test_the_over_quota_item_of_1996_has_its_rule_in_chinese() -> None:
    doc = breach_over_quota(
        discovered_on=date(2020, 7, 1),
        excess_peak=Power("10"),
        times=2,
        excess_energy_charge=Money("100.00"),
        rule_set=GYGZ1996,
    )

    assert all("超过计划分配的用电指标" in line.rule_source_zh for line in doc.lines)


def test_unverified_articles_say_so_in_chinese() -> None:
    assert (
        GYGZ2024.cite_zh("第80条", "……")
        == "《供电营业规则》(2024)（条款未核实，按1996年版第80条）：……"
    )
    assert (
        GYGZ1996.cite_zh("第80条", "……") == "《供电营业规则》(1996, 电力工业部令第8号) 第80条：……"
    )


class TestPriceSources:
    def test_the_default_input_price_is_said_in_chinese(self) -> None:
        line = DOCUMENTS["meter_error"](GYGZ1996).lines[0]

        assert line.rule_source_zh.endswith("；电价：退补期间的电价（输入）")

    def test_a_price_with_its_own_source_prints_its_chinese_or_as_given(self) -> None:
        charges = [
            EnergyCharge(
                code="energy",
                description_zh="电度电费",
                description_en="energy",
                price=PRICE,
                source="JS 2024 tariff",
                source_zh="2024年江苏电价",
            ),
            EnergyCharge(
                code="funds",
                description_zh="基金",
                description_en="funds",
                price=PRICE,
                source="fund notice",
            ),
        ]
        doc = meter_error_refund(
            relative_error="0.04",
            recorded_energy=Energy("18200"),
            since=date(2024, 1, 1),
            corrected_on=date(2024, 7, 1),
            price=charges,
            rule_set=GYGZ1996,
        )

        assert doc.lines[0].rule_source_zh.endswith("；电价：2024年江苏电价")
        assert doc.lines[1].rule_source_zh.endswith("；电价：fund notice")
        assert doc.lines[0].rule_source.endswith("; price: JS 2024 tariff")


def test_theft_under_the_2024_rules_says_the_contract_sets_the_multiple() -> None:
    old = DOCUMENTS["theft"](GYGZ1996).lines[1].rule_source_zh
    new = DOCUMENTS["theft"](GYGZ2024).lines[1].rule_source_zh

    assert old.endswith("承担补交电费三倍的违约使用电费")
    assert new.endswith("按合同约定的倍数（至多三倍）承担违约使用电费")
