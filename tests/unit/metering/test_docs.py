"""The rule reference page is generated from the rule data and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from powerretail.metering.rules import rule_table

PAGE = Path(__file__).parents[3] / "docs" / "reference" / "vee-catalogue.md"


def test_the_rule_reference_shows_the_rule_data() -> None:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("<!-- rule-table:start -->\n") + len("<!-- rule-table:start -->\n")
    end = text.index("<!-- rule-table:end -->")

    assert text[start:end] == rule_table()
