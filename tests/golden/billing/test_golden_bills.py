"""The worked examples of rules.md §19.2 and §19.3, line by line, to the fen."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from powerretail.adapters.tariff_library import load_shipped
from powerretail.billing.determinants import AccountFacts, Determinants
from powerretail.billing.engine import price_bill
from powerretail.tariffs.parser import from_mapping
from powerretail.timeframe import DateRange

CASES = sorted(Path(__file__).parent.glob("*.json"))


def _case(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bill_reproduces_the_worked_example(path: Path) -> None:
    case = _case(path)
    tariff = (
        load_shipped(case["tariff"])
        if isinstance(case["tariff"], str)
        else from_mapping(case["tariff"])
    )

    bill = price_bill(
        tariff,
        Determinants(**case["determinants"]),
        DateRange(*case["period"]),
        AccountFacts(**case["account"]),
    )

    amounts = {line.code: str(line.amount.amount) for line in bill.lines}
    expected = case["expected"]
    for code, amount in expected["lines"]:
        assert amounts[code] == amount, code
    if "total" in expected:
        assert [line.code for line in bill.lines] == [code for code, _ in expected["lines"]]
        assert str(bill.total.amount) == expected["total"]
    rates = {line.code: line.rate for line in bill.lines}
    for code, rate in expected.get("rates", {}).items():
        assert rates[code] == Decimal(rate), code
    quantities = {line.code: line.quantity for line in bill.lines}
    for code, quantity in expected.get("quantities", {}).items():
        assert quantities[code] == Decimal(quantity), code


def test_every_golden_file_is_collected() -> None:
    assert len(CASES) >= 5
