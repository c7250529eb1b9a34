"""The diagrams in docs/explanation/outages-and-work-orders.md are the machines' own exports.

If this fails after a change to a machine, paste the export the failure prints over the page's
```mermaid block.
"""

from __future__ import annotations

import re
from pathlib import Path

from powerretail.service.outages import OUTAGE_MACHINE
from powerretail.service.work_orders import WORK_ORDER_MACHINE

PAGE = Path(__file__).parents[3] / "docs" / "explanation" / "outages-and-work-orders.md"


def test_the_page_draws_both_machines_from_their_own_exports() -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)]
    exports = [OUTAGE_MACHINE.to_mermaid(), WORK_ORDER_MACHINE.to_mermaid()]

    assert blocks == exports, f"{PAGE} is out of date: replace its diagrams with\n" + "\n\n".join(
        exports
    )
