"""examples/reclassify_book.py runs with no arguments and prints the changes with their reasons."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[3] / "examples" / "reclassify_book.py"


def test_the_example_prints_each_change_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")

    out = capsys.readouterr().out
    assert out.startswith("Reclassification 2025: 10 changes")
    assert "C-2 large: no -> yes" in out
    assert "because average 4000.00 kWh/month over 12 months of 2024 is at or above 4000 kWh" in out
    assert "C-4 manager_id: m-1 -> —" in out
