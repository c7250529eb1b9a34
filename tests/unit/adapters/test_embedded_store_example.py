"""examples/embedded_store.py tells the story it promises."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[3] / "examples" / "embedded_store.py"


def test_the_example_posts_once_survives_a_lost_reply_and_projects_each_event_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")

    out = capsys.readouterr().out
    assert "the same request retried: balance 256.40 元 (posted once)" in out
    assert "with a different payload" in out
    assert "retry after the lost reply: balance 356.40 元" in out
    assert out.count("duplicate, dropped") == 2
    assert "ledger balance 356.40 元, read model 356.40 元" in out
