"""The what-if benchmark runs (with tiny numbers), and its kernel agrees with the batch engine."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[3] / "benchmarks" / "whatif.py"


def test_prints_the_figures_and_the_kernel_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(SCRIPT))

    assert module["main"](["--rows", "3000", "--book", "2000", "--runs", "1", "--no-cluster"]) == 0

    out = capsys.readouterr().out
    assert "same totals to the fen: True" in out
    assert "3 tariffs, from Parquet" in out
    assert "peak memory" in out
