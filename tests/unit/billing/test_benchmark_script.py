"""The billing benchmark script runs (with tiny numbers) and prints its three figures."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[3] / "benchmarks" / "billing_throughput.py"


def test_prints_the_three_figures(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(SCRIPT))

    assert module["main"](["--bills", "20", "--runs", "1", "--repeats", "1"]) == 0

    out = capsys.readouterr().out
    assert "bills/s" in out
    assert "ms per customer-year" in out
