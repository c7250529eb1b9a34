"""The diagrams in docs/explanation/tiering.md are the machines' own exports: they cannot drift.

If a test here fails after a change to a machine or to ``StateMachine.to_mermaid``, paste the
export the failure prints over the matching ```mermaid block of the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from powerretail.contracts.lifecycle import CONTRACT_MACHINE
from powerretail.customers.development import PIPELINE_MACHINE
from powerretail.statemachine import StateMachine

PAGE = Path(__file__).parents[3] / "docs" / "explanation" / "tiering.md"


def mermaid_blocks() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)]


@pytest.mark.parametrize("machine", [CONTRACT_MACHINE, PIPELINE_MACHINE], ids=lambda m: m.name)
def test_the_page_draws_the_machine_from_its_own_export(machine: StateMachine) -> None:  # type: ignore[type-arg]
    export = machine.to_mermaid()

    assert export in mermaid_blocks(), (
        f"{PAGE} is out of date: replace its {machine.name} diagram with\n{export}"
    )


def test_the_page_has_no_other_diagram() -> None:
    assert len(mermaid_blocks()) == 2
