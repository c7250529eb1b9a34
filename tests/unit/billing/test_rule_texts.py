"""The rule each line applies, in Chinese on a Chinese bill (``source_zh``), English unchanged.

A Chinese rule text has no Latin letters at all: units are written 千瓦时, 千瓦, 千伏安; the
document numbers (文号), articles, numbers, ``%`` and the version label stay as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest

from powerretail.adapters.tariff_library import load_shipped, shipped_codes
from powerretail.billing.bill import Bill, explained_lines
from powerretail.cli.demo import bill_customers, load_demo_customers
from powerretail.repositories.billing import BILLS
from powerretail.tariffs.parser import dump_toml, loads_toml, to_mapping
from tests.unit.billing.test_bill import a_line, a_text_bill

LATIN = re.compile(r"[A-Za-z]")
#: A bill issued (and hashed) by the code before lines had ``source_zh``, as a store holds it.
OLD_BILL = Path(__file__).parent / "data" / "bill_issued_before_source_zh.json"


@pytest.fixture(scope="module")
def demo_bills() -> tuple[Bill, ...]:
    return bill_customers(load_demo_customers())


def _without_chinese_rules(bill: Bill) -> Bill:
    return attrs.evolve(bill, lines=[attrs.evolve(line, source_zh="") for line in bill.lines])


class TestShippedTariffs:
    @pytest.mark.parametrize("code", shipped_codes())
    def test_every_charge_has_a_chinese_rule_citing_the_same_document(self, code: str) -> None:
        for version in load_shipped(code).versions:
            for charge in version.charges:
                assert charge.source_zh, f"{code} {charge.code}"
                assert not LATIN.search(charge.source_zh), charge.source_zh
                document = re.split(r"[:(]| \(", charge.source)[0]
                assert document in charge.source_zh, (document, charge.source_zh)

    @pytest.mark.parametrize("code", shipped_codes())
    def test_the_chinese_rule_survives_a_dump_and_a_load(self, code: str) -> None:
        tariff = load_shipped(code)

        assert loads_toml(dump_toml(tariff)) == tariff
        assert all("source_zh" in charge for charge in to_mapping(tariff)["versions"][0]["charges"])


class TestDemoBills:
    def test_every_line_shows_its_rule_in_chinese(self, demo_bills: tuple[Bill, ...]) -> None:
        for bill in demo_bills:
            for entry in explained_lines(bill.lines, "zh"):
                assert entry.line.source_zh
                assert entry.rule.startswith(f"依据：{entry.line.source_zh}；版本 ")
                assert not LATIN.search(entry.rule), entry.rule

    def test_no_english_rule_row_is_left_on_the_chinese_text(
        self, demo_bills: tuple[Bill, ...]
    ) -> None:
        for bill in demo_bills:
            text = bill.explain("zh")
            for line in bill.lines:
                assert line.source not in text

    def test_the_english_bill_is_as_it_was(self, demo_bills: tuple[Bill, ...]) -> None:
        for bill in demo_bills:
            english = bill.explain("en")

            assert english == _without_chinese_rules(bill).explain("en")
            assert all(line.source_zh not in english for line in bill.lines)

    def test_the_chinese_rule_is_part_of_the_hash(self, demo_bills: tuple[Bill, ...]) -> None:
        bill = demo_bills[0]

        assert bill.content_hash_of() != _without_chinese_rules(bill).content_hash_of()
        assert [line["source_zh"] for line in bill.to_dict()["lines"]] == [
            line.source_zh for line in bill.lines
        ]


class TestLinesWithoutChineseRule:
    def test_a_chinese_bill_prints_the_rule_as_given(self) -> None:
        bill = a_text_bill(a_line(source="embedder rule 7"))

        assert "依据：embedder rule 7；版本 1" in bill.explain("zh")
        assert "rule: embedder rule 7; v1" in bill.explain("en")

    def test_a_line_with_one_prints_it_on_chinese_bills_only(self) -> None:
        line = a_line(source="rule 7", source_zh="第7条")

        assert line.rule_text("zh") == "第7条"
        assert line.rule_text("en") == "rule 7"

    def test_a_bill_stored_before_still_loads_and_its_hash_verifies(self) -> None:
        data = json.loads(OLD_BILL.read_text(encoding="utf-8"))
        assert all("source_zh" not in line for line in data["lines"])

        bill = BILLS.decode(data)

        assert all(line.source_zh == "" for line in bill.lines)
        assert bill.content_hash == bill.content_hash_of()
        assert bill.content_hash == (
            "97c4f8c656814b3261fff15666852b1f93858f346ba2b10460ec2cd06b3b5686"
        )
        assert "依据：江苏居民峰谷电价 (provincial notice" in bill.explain("zh")
