"""Every docs page is linked from its section's index, so none is orphaned."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
SECTIONS = ["tutorials", "how-to", "explanation", "reference"]


@pytest.mark.parametrize("section", SECTIONS)
def test_the_section_index_links_every_page(section: str) -> None:
    index = (DOCS / section / "index.md").read_text(encoding="utf-8")
    pages = sorted(p.name for p in (DOCS / section).glob("*.md") if p.name != "index.md")

    missing = [page for page in pages if f"]({page})" not in index]

    assert missing == [], f"docs/{section}/index.md does not link {missing}"
