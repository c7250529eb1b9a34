from __future__ import annotations

import runpy
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[3] / "scripts" / "gen_cli_docs.py"


def test_the_cli_reference_page_is_generated_from_the_current_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    module = runpy.run_path(str(SCRIPT))

    expected = module["render"]()

    assert module["PAGE"].read_text(encoding="utf-8") == expected, (
        "docs/reference/cli.md is stale: run python scripts/gen_cli_docs.py"
    )
