"""examples/sla_due_dates.py runs and prints every due date of rules.md §19.7, each matching."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[3] / "examples" / "sla_due_dates.py"


def test_prints_the_section_19_7_due_dates(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(SCRIPT), run_name="__main__")

    out = capsys.readouterr().out
    for due in ("2025-10-14", "2025-10-05", "2025-10-21", "2025-02-14", "2025-02-25", "2026-02-26"):
        assert f" {due}  (ok)" in out
    assert out.count("(ok)") == 6
    assert "MISMATCH" not in out
