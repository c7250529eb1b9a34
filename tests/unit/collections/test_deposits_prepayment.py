"""Deposits by rule set and contract; prepaid balances and their status."""

from __future__ import annotations

from datetime import date

import pytest

from powerretail.collections.deposits import (
    GYGZ1996,
    GYGZ2024,
    DepositMovement,
    DepositRefused,
    MovementKind,
    deposit_basis,
    deposit_rules_on,
)
from powerretail.collections.prepayment import (
    SEED_PREPAYMENT_POLICY,
    PrepaymentPolicy,
    PrepaymentStatus,
    prepayment_standing,
)
from powerretail.errors import InvalidInput
from powerretail.quantities import Money


def test_the_rule_set_in_force_says_whether_a_deposit_may_be_held() -> None:
    assert deposit_rules_on(date(2024, 5, 31)) is GYGZ1996
    assert deposit_rules_on(date(2024, 6, 1)) is GYGZ2024
    assert deposit_basis(date(2020, 1, 1), contract_clause=None) == GYGZ1996.source
    with pytest.raises(DepositRefused, match="removed the electricity-charge deposit") as refused:
        deposit_basis(date(2025, 1, 1), contract_clause="  ")
    assert refused.value.rules is GYGZ2024
    assert deposit_basis(date(2025, 1, 1), contract_clause="第12条") == "supply contract: 第12条"
    assert deposit_basis(date(2025, 1, 1), contract_clause=None, rules=GYGZ1996) == (
        GYGZ1996.source
    )


def test_a_movement_is_of_money_above_zero() -> None:
    with pytest.raises(InvalidInput, match="amount"):
        DepositMovement(
            movement_id="D",
            account_id="A",
            kind=MovementKind.HELD,
            amount=Money("0.00"),
            on=date(2025, 1, 1),
            basis="x",
        )


@pytest.mark.parametrize(
    ("balance", "status", "alert"),
    [
        ("50.01", PrepaymentStatus.SUFFICIENT, False),
        ("50.00", PrepaymentStatus.LOW, True),  # at the threshold counts as low
        ("0.01", PrepaymentStatus.LOW, True),
        ("0.00", PrepaymentStatus.EXHAUSTED, True),
        ("-0.01", PrepaymentStatus.IN_ARREARS, True),
    ],
)
def test_the_prepaid_balance_against_the_threshold(
    balance: str, status: PrepaymentStatus, alert: bool
) -> None:
    standing = prepayment_standing(Money(balance), SEED_PREPAYMENT_POLICY)
    assert (standing.status, standing.needs_alert) == (status, alert)
    assert status.value in standing.explain()


def test_a_threshold_is_money_of_zero_or_more_in_the_balances_currency() -> None:
    with pytest.raises(InvalidInput, match="low_balance"):
        PrepaymentPolicy(low_balance=Money("-1.00"))
    with pytest.raises(InvalidInput, match="balance"):
        prepayment_standing(Money("1.00", "USD"), SEED_PREPAYMENT_POLICY)
