"""A bill's notes (charges left out for want of a fact) read in both languages, text and notice."""

from __future__ import annotations

import attrs

from powerretail.billing.bill import Bill
from powerretail.billing.determinants import Determinants
from powerretail.billing.engine import price_bill
from powerretail.billing.notice import render_notice_html
from powerretail.tariffs.model import CustomerCategory, EnergyCharge, Tariff, TariffVersion
from powerretail.timeframe import DateRange

PF_NOTE = (
    "power-factor adjustment not applied: no PF standard given although 130000 kvarh "
    "reactive energy was read"
)


def a_bill_with_a_note() -> Bill:
    tariff = Tariff(
        code="FLAT",
        name_zh="平价",
        name_en="flat",
        category=CustomerCategory.RESIDENTIAL,
        versions=[
            TariffVersion(
                label="1",
                effective_from="2025-01-01",
                charges=[
                    EnergyCharge(
                        code="energy",
                        name_zh="电度电费",
                        name_en="energy",
                        source="test",
                        yuan_per_kwh="0.5283",
                    )
                ],
            )
        ],
    )
    bill = price_bill(tariff, Determinants(energy_kwh={"total": "312.4"}), DateRange.month(2025, 7))
    return attrs.evolve(bill, notes=(PF_NOTE,))


class TestNotesInBothLanguages:
    def test_the_english_bill_prints_the_note_under_the_total(self) -> None:
        text = a_bill_with_a_note().explain("en")

        assert "note: power-factor adjustment not applied" in text

    def test_the_chinese_bill_translates_the_note(self) -> None:
        text = a_bill_with_a_note().explain("zh")

        assert "说明：未计功率因数调整电费：未给出考核标准，但抄见无功电量 130000 千乏时" in text
        assert "not applied" not in text

    def test_the_notice_shows_the_note(self) -> None:
        page = render_notice_html(a_bill_with_a_note(), language="zh")

        assert "未计功率因数调整电费" in page
