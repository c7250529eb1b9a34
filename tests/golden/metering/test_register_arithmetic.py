"""Worked register arithmetic from rules.md §18.3, as hand-checked JSON cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from powerretail.metering.consumption import consumption, register_advance
from powerretail.quantities import Energy
from tests.strategies.metering import a_meter, a_read

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "register_arithmetic.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[case["description"][:60] for case in CASES])
def test_register_arithmetic(case: dict[str, Any]) -> None:
    given, expected = case["input"], case["expected"]
    meter = a_meter(ct_ratio=given["ct_ratio"], vt_ratio=given["vt_ratio"], digits=given["digits"])

    energy = consumption(a_read(0, given["previous"]), a_read(30, given["current"]), meter)
    advance = register_advance(
        a_read(0, given["previous"]).value,
        a_read(30, given["current"]).value,
        digits=given["digits"],
    )

    assert energy == Energy(expected["kwh"])
    assert str(energy.kwh) == expected["kwh"]
    assert advance.rolled_over is expected["rolled_over"]
