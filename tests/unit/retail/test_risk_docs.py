"""The diagram in docs/explanation/retail-risk.md is the risk machine's own export.

If this fails after a change to the machine, paste the export the failure prints over the page's
```mermaid block.
"""

from __future__ import annotations

import re
from pathlib import Path

from powerretail.retail.risk import RISK_MACHINE

PAGE = Path(__file__).parents[3] / "docs" / "explanation" / "retail-risk.md"


def test_the_page_draws_the_risk_machine_from_its_own_export() -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)]
    export = RISK_MACHINE.to_mermaid()

    assert blocks == [export], f"{PAGE} is out of date: replace its diagram with\n{export}"
