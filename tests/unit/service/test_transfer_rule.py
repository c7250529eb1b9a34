"""The 过户 check cites 第二十九条 of the 《供电营业规则》 in force on the request's day.

The 1996 text until 31 May 2024, the 2024 revision from 1 June 2024 (its article cited as
descending from the 1996 one), by one function for the check and the carry-out.
"""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.billing.capacity import CapacityHistory
from powerretail.service.changes import (
    ChangeOfUseDetails,
    check_request,
    transfer_rule,
    transfer_settlement_rule,
)

RULE_1996 = "《供电营业规则》(1996, 电力工业部令第8号) 第二十九条 (过户: 用电地址、容量、类别不变)"
RULE_2024 = (
    "《供电营业规则》(2024), article not verified; "
    "as 1996 第二十九条 (过户: 用电地址、容量、类别不变)"
)
TO_SAME_HOLDER = ChangeOfUseDetails(account_id="A-1", new_customer_id="C-1")


@pytest.mark.parametrize(
    ("on", "rule"),
    [(date(2024, 5, 31), RULE_1996), (date(2024, 6, 1), RULE_2024), (date(2026, 12, 7), RULE_2024)],
)
def test_a_transfer_to_the_same_holder_is_refused_citing_the_rules_of_its_day(
    on: date, rule: str
) -> None:
    decision = check_request(
        TO_SAME_HOLDER, CapacityHistory(installed_kva=630), holder="C-1", on=on
    )

    assert (decision.allowed, decision.rule) == (False, rule)
    assert decision.reason == "C-1 holds the account already: nothing to transfer"


def test_a_transfer_to_another_holder_is_allowed_on_either_side() -> None:
    to_other = ChangeOfUseDetails(account_id="A-1", new_customer_id="C-2")

    for on in (date(2024, 5, 31), date(2024, 6, 1)):
        assert check_request(to_other, None, holder="C-1", on=on).allowed


@pytest.mark.parametrize("on", [date(2024, 5, 31), date(2024, 6, 1)])
def test_the_check_and_the_settlement_cite_the_same_text_on_the_same_day(on: date) -> None:
    check, settle = transfer_rule(on), transfer_settlement_rule(on)

    assert check.split(" (过户")[0] == settle.split("第二项")[0]
