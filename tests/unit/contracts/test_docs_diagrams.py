"""The diagrams in docs/explanation/tiering.md are the machines' own exports: they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from powerretail.contracts.lifecycle import CONTRACT_MACHINE
from powerretail.customers.development import PIPELINE_MACHINE

PAGE = Path(__file__).parents[3] / "docs" / "explanation" / "tiering.md"


def mermaid_blocks() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)]


def test_the_page_draws_the_contract_lifecycle_from_the_machine() -> None:
    assert CONTRACT_MACHINE.to_mermaid() in mermaid_blocks()


def test_the_page_draws_the_pipeline_from_the_machine() -> None:
    assert PIPELINE_MACHINE.to_mermaid() in mermaid_blocks()
