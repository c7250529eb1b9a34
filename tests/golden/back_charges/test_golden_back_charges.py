"""Worked back-charge examples (rules.md §19.4-§19.6), read from the JSON file here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from powerretail.billing.back_charges import (
    BackChargeDocument,
    LoadKind,
    breach_extra_capacity,
    capacity_by_rated_current,
    meter_error_refund,
    theft_back_charge,
)
from powerretail.quantities import ApparentPower, CapacityPrice, Energy, EnergyPrice, Power

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "rules_19_4_to_19_6.json").read_text(encoding="utf-8")
)


def run(calculator: str, given: dict[str, Any]) -> BackChargeDocument:
    if calculator == "meter_error_refund":
        return meter_error_refund(
            relative_error=given["relative_error"],
            recorded_energy=Energy(given["recorded_energy"]),
            since=date.fromisoformat(given["since"]),
            corrected_on=date.fromisoformat(given["corrected_on"]),
            price=EnergyPrice(given["price"]),
        )
    if calculator == "theft_back_charge":
        return theft_back_charge(
            discovered_on=date.fromisoformat(given["discovered_on"]),
            capacity=capacity_by_rated_current(
                voltage_v=given["voltage_v"], rated_current_a=given["rated_current_a"]
            ),
            load_kind=LoadKind(given["load_kind"]),
            price=EnergyPrice(given["price"]),
        )
    if given["two_part"]:
        return breach_extra_capacity(
            discovered_on=date.fromisoformat(given["discovered_on"]),
            extra_capacity=ApparentPower(given["extra_kva"]),
            two_part=True,
            price=CapacityPrice(given["capacity_price"]),
            months=given["months"],
        )
    return breach_extra_capacity(
        discovered_on=date.fromisoformat(given["discovered_on"]),
        extra_capacity=Power(given["extra_kw"]),
        two_part=False,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case["description"])[:40])
def test_worked_example(case: dict[str, Any]) -> None:
    expected = case["expected"]

    document = run(case["calculator"], case["input"])

    assert [str(line.amount.amount) for line in document.lines] == expected["amounts"]
    assert str(document.total.amount) == expected["total"]
    energy = None if document.energy is None else str(document.energy.kwh)
    assert energy == expected["energy"]
