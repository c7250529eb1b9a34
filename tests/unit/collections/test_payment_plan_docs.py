"""The plan diagram in the how-to is the machine's own export: it cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from powerretail.collections.payment_plans import PLAN_MACHINE

PAGE = Path(__file__).parents[3] / "docs" / "how-to" / "grant-a-payment-plan.md"


def test_the_how_to_draws_the_plan_machine_from_its_own_export() -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)]
    export = PLAN_MACHINE.to_mermaid()

    assert blocks == [export], f"{PAGE} is out of date: replace its diagram with\n{export}"
