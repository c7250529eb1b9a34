"""examples/validate_reads.py runs and tells the story it promises."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[3] / "examples" / "validate_reads.py"


def test_the_example_validates_estimates_and_trues_up(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")

    out = capsys.readouterr().out
    assert 'line 9, column value: expected a decimal number, got "6O.0"' in out
    assert "M-100: estimated 1353.1 (4652.0 kWh)" in out
    assert "M-100: billed 16000.0 kWh after the actual read 1400.0" in out
    assert "M-200: V06 warning: register fell from 9990.0 to 25.0: roll-over" in out
