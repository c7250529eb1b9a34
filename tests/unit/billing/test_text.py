"""The plain-text layout helpers behind Bill.explain()."""

from __future__ import annotations

from decimal import Decimal

from powerretail.billing._text import display_width, pad, percent_text, rate_text, wrap


class TestWidths:
    def test_counts_chinese_twice_and_combining_marks_not_at_all(self) -> None:
        assert display_width("阶梯加价") == 8
        assert display_width("e\u0301") == 1
        assert display_width(pad("峰", 5)) == 5


class TestWrap:
    def test_keeps_a_percent_sign_with_its_number(self) -> None:
        assert wrap("valley −65 %, deep", 11) == ("valley", "−65 %, deep")

    def test_cuts_a_run_of_chinese_between_characters(self) -> None:
        assert wrap("发改价格〔2023〕526号", 8) == ("发改价格", "〔2023〕", "526号")

    def test_never_starts_a_line_with_a_closing_mark(self) -> None:
        # Cut at 14 columns, "；" would open the second line; "实）" go down with it.
        assert wrap("示例（未核实）；版本", 14) == ("示例（未核", "实）；版本")
        assert wrap("示例（未核实）", 12) == ("示例（未核", "实）")
        assert wrap("，，，，", 4) == ("，，", "，，")  # nothing to carry: cut as before

    def test_gives_one_empty_line_for_empty_text(self) -> None:
        assert wrap("", 10) == ("",)


class TestNumbers:
    def test_rates_keep_their_significant_decimals(self) -> None:
        assert rate_text(Decimal("0.68000")) == "0.68"
        assert rate_text(Decimal("0.000125")) == "0.000125"

    def test_percentages_keep_finer_decimals_than_two(self) -> None:
        assert percent_text(Decimal("0.00125")) == "+0.125 %"
        assert percent_text(Decimal("-0.15")) == "−15.00 %"
