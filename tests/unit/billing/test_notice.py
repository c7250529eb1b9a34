"""The printable bill notice (电费通知单): what it shows, escaped, in Chinese and English."""

from __future__ import annotations

import datetime as dt
import re

import attrs
import pytest

from powerretail.billing.bill import Bill, BillKind, BillState
from powerretail.billing.notice import NoticeDetails, NoticeRead, render_notice_html
from powerretail.cli.demo import bill_customers, load_demo_customers
from powerretail.errors import InvalidInput


@pytest.fixture(scope="module")
def foundry() -> Bill:
    bill = bill_customers(load_demo_customers())[2]
    return attrs.evolve(bill, state=BillState.ISSUED, issued_on=dt.date(2025, 8, 1))


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


class TestNotice:
    def test_shows_every_line_amount_the_total_and_the_rules(self, foundry: Bill) -> None:
        page = render_notice_html(foundry)

        assert "电费通知单" in page
        for line in foundry.lines:
            assert f">{line.amount.amount}<" in page
            assert line.source_zh.split("：")[0] in page  # the Chinese rule on a Chinese notice
            assert line.source not in page
        assert '<td class="num" id="total">193830.20 元</td>' in page
        assert "2025-07-01 至 2025-07-31" in page

    def test_is_due_fifteen_days_after_issue_unless_told(self, foundry: Bill) -> None:
        assert '<span id="due">2025-08-16</span>' in render_notice_html(foundry)
        told = NoticeDetails(due_on=dt.date(2025, 8, 20), payment=("工商银行 1234",))
        page = render_notice_html(foundry, details=told)
        assert '<span id="due">2025-08-20</span>' in page
        assert "<p>工商银行 1234</p>" in page

    def test_prints_the_meter_reads(self, foundry: Bill) -> None:
        reads = (
            NoticeRead(register="peak", previous="12000.00", current="12040.00", multiplier=2000),
            NoticeRead(register="demand", current="0.330", multiplier=2000, unit="kW"),
        )
        text = " ".join(
            _text(render_notice_html(foundry, details=NoticeDetails(reads=reads))).split()
        )

        assert "峰 12000.00 12040.00 2000 80000.00 千瓦时" in text
        assert "最大需量 — 0.330 2000 660.000 千瓦" in text

    def test_a_register_of_another_name_shows_as_it_is(self, foundry: Bill) -> None:
        reads = (NoticeRead(register="deep_valley", previous="1", current="2"),
                 NoticeRead(register="night", previous="1", current="2"))  # fmt: skip
        page = render_notice_html(foundry, details=NoticeDetails(reads=reads), language="en")

        assert "<td>deep valley</td>" in page
        assert "<td>night</td>" in page

    def test_escapes_every_value(self, foundry: Bill) -> None:
        hostile = attrs.evolve(foundry, account_id="<script>x</script>", tariff_code="a&b")
        page = render_notice_html(
            hostile, details=NoticeDetails(customer_name='"><img src=x>', address="<b>")
        )

        assert "<script>" not in page
        assert "<img" not in page
        assert "&lt;script&gt;x&lt;/script&gt;" in page
        assert "a&amp;b" in page
        assert "&lt;b&gt;" in page

    def test_a_draft_or_held_bill_says_it_is_not_a_demand_for_payment(self, foundry: Bill) -> None:
        held = attrs.evolve(
            foundry, state=BillState.HELD, issued_on=None, findings=("negative total -1.00 CNY",)
        )

        page = render_notice_html(held)

        assert "未正式出账，不作缴费凭据（暂缓出账）" in page
        assert "暂缓出账：合计为负：-1.00 元" in page
        assert '<span id="due">—</span>' in page
        assert "not a demand for payment (held)" in render_notice_html(held, language="en")

    def test_a_credit_note_says_what_it_is(self, foundry: Bill) -> None:
        note = attrs.evolve(foundry, kind=BillKind.CREDIT_NOTE)

        page = render_notice_html(note)

        assert "账单编号 JS-I-0007-202507<br>出账日期 2025-08-01<br>冲正单" in page

    def test_english_notice(self, foundry: Bill) -> None:
        page = render_notice_html(foundry, language="en")

        assert "Electricity bill notice" in page
        assert "193830.20 CNY" in page
        assert '<html lang="en">' in page

    def test_refuses_another_language_or_a_non_bill(self, foundry: Bill) -> None:
        with pytest.raises(InvalidInput, match="language"):
            render_notice_html(foundry, language="fr")
        with pytest.raises(InvalidInput, match="bill"):
            render_notice_html("a bill")  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="reads"):
            NoticeDetails(reads=("peak",))  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="due_days"):
            NoticeDetails(due_days=-1)
        with pytest.raises(InvalidInput, match="payment"):
            NoticeDetails(payment=(1,))  # type: ignore[arg-type]
