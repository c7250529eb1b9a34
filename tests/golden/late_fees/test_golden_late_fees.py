"""Worked late-fee examples (rules.md §19.1, partial payments), read from the JSON files here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from powerretail.collections.allocation import AllocationOrder
from powerretail.collections.late_fees import (
    CustomerKind,
    LateFeeBill,
    LateFeePayment,
    LateFeePolicy,
    assess_late_fees,
    late_fee,
)
from powerretail.quantities import Money

HERE = Path(__file__).parent


def cases(name: str) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads((HERE / name).read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize(
    "case", cases("rules_19_1.json"), ids=lambda case: str(case["description"])[:40]
)
def test_rules_19_1(case: dict[str, Any]) -> None:
    given, expected = case["input"], case["expected"]

    fee = late_fee(
        Money(given["principal"]),
        due_date=date.fromisoformat(given["due_date"]),
        paid_on=date.fromisoformat(given["paid_on"]),
        customer_kind=CustomerKind(given["customer_kind"]),
    )

    assert str(fee.amount.amount) == expected["amount"]
    assert fee.floor_applied is expected["floor_applied"]
    assert fee.rule_set.key == expected["rule_set"]
    assert [[p.basis.value, p.days, str(p.amount)] for p in fee.parts] == expected["parts"]


@pytest.mark.parametrize(
    "case", cases("partial_payments.json"), ids=lambda case: str(case["description"])[:40]
)
def test_partial_payments(case: dict[str, Any]) -> None:
    given, expected = case["input"], case["expected"]
    bill = LateFeeBill(
        bill_id="B1",
        principal=Money(given["principal"]),
        customer_kind=CustomerKind(given["customer_kind"]),
        due_date=given["due_date"],
    )
    payments = tuple(
        LateFeePayment(payment_id=f"P{i}", paid_on=day, amount=Money(amount))
        for i, (day, amount) in enumerate(given["payments"])
    )
    policy = LateFeePolicy(allocation=AllocationOrder(given["allocation"]))

    assessment = assess_late_fees(
        (bill,), payments, through=date.fromisoformat(given["through"]), policy=policy
    )

    fee = assessment.for_bill("B1")
    assert str(fee.amount.amount) == expected["amount"]
    assert str(fee.paid.amount) == expected["paid"]
    assert str(fee.principal_outstanding.amount) == expected["principal_outstanding"]
    assert str(assessment.credit.amount) == expected["credit"]
