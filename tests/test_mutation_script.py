"""scripts/mutation plans its run without mutmut: every module, and only test paths that exist."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "mutation"


def _main() -> Callable[[list[str]], int]:
    main: Callable[[list[str]], int] = runpy.run_path(str(SCRIPT))["main"]
    return main


def test_plans_every_module_with_its_tests(capsys: pytest.CaptureFixture[str]) -> None:
    assert _main()(["--plan"]) == 0

    out = capsys.readouterr().out
    for module, source in [
        ("quantities", "src/powerretail/quantities.py"),
        ("timeframe", "src/powerretail/timeframe.py"),
        ("engine", "src/powerretail/billing/engine.py"),
        ("vee", "src/powerretail/metering/vee.py src/powerretail/metering/rules.py"),
    ]:
        assert f"{module}: mutate {source}" in out
    assert "tests/unit/foundation/test_quantities_mutants.py" in out
    assert "missing" not in out


def test_refuses_an_unknown_module(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        _main()(["--plan", "money"])

    assert caught.value.code == 2
    assert "unknown module money" in capsys.readouterr().err
