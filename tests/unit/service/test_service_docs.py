"""The diagrams in docs/explanation/service-cases.md are the machines' own exports.

If this fails after a change to a machine, paste the export the failure prints over the page's
```mermaid block for that machine.
"""

from __future__ import annotations

import re
from pathlib import Path

from powerretail.service.cases import KINDS
from powerretail.service.kinds import CaseKind

PAGE = Path(__file__).parents[3] / "docs" / "explanation" / "service-cases.md"
DRAWN = (
    CaseKind.COMPLAINT,
    CaseKind.METER_TEST,
    CaseKind.REPAIR,
    CaseKind.CONNECTION,
    CaseKind.CHANGE_OF_USE,
)


def test_the_page_draws_each_machine_from_its_own_export() -> None:
    text = PAGE.read_text(encoding="utf-8")
    blocks = [b.strip() for b in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)]
    exports = [KINDS[kind].machine.to_mermaid() for kind in DRAWN]

    assert blocks == exports, f"{PAGE} is out of date: replace its diagrams with\n" + "\n\n".join(
        exports
    )


def test_reports_and_consultations_draw_the_complaint_diagram() -> None:
    complaint = KINDS[CaseKind.COMPLAINT].machine.to_mermaid()

    assert KINDS[CaseKind.REPORT].machine.to_mermaid() == complaint
    assert KINDS[CaseKind.CONSULTATION].machine.to_mermaid() == complaint
