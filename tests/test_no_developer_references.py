"""Nothing the library ships, prints or documents points to the developers' notes.

Users get the package, the docs and the examples, not the developers' research files: a bill
line, a docstring or a docs page must cite the official document (title, 文号, article) or a
docs page, never the developers' "rules.md" or "vee.md" or a path into their shared folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SHIPPED = ["src", "docs", "examples", "README.md"]
TEXT_SUFFIXES = {".py", ".pyi", ".md", ".toml", ".json", ".txt", ".csv", ".yml", ".yaml", ".cfg"}

#: "rules.md" and "vee.md" are the developers' files; a page of ours may end in "-rules.md".
FORBIDDEN = re.compile(r"(?<![\w-])(?:rules|vee)\.md|\.\./shared|/work/shared")


def shipped_files(root: Path) -> list[Path]:
    """Return the text files under the shipped paths of ``root``."""
    files: list[Path] = []
    for name in SHIPPED:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in TEXT_SUFFIXES
            )
    return files


def offending_lines(root: Path) -> list[str]:
    """Return ``path:line: text`` for every shipped line that points to the developers' notes."""
    found: list[str] = []
    for path in shipped_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if FORBIDDEN.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()[:120]}")
    return found


def test_no_shipped_file_points_to_the_developers_notes() -> None:
    assert offending_lines(ROOT) == []


def test_the_shipped_paths_exist() -> None:
    assert all((ROOT / name).exists() for name in SHIPPED)


@pytest.mark.parametrize(
    ("line", "forbidden"),
    [
        ('source = "rules.md §10.2"', True),
        ("see ../shared/domain/rules.md", True),
        ('source="vee.md V06"', True),
        ("read /work/shared/seeds/001.txt", True),
        ("the [rule reference](../reference/vee-catalogue.md)", False),
        ("a page of ours named billing-rules.md", False),
        ("《供电营业规则》(1996, 电力工业部令第8号) 第98条", False),
    ],
)
def test_the_pattern_tells_our_pages_from_the_developers_notes(line: str, forbidden: bool) -> None:
    assert bool(FORBIDDEN.search(line)) is forbidden


def test_finds_a_reference_in_a_shipped_file(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "tariff.toml").write_text('source = "rules.md §9"\n', encoding="utf-8")
    (tmp_path / "README.md").write_text("Cite 发改价格〔2023〕526号.\n", encoding="utf-8")

    assert offending_lines(tmp_path) == ['src/tariff.toml:1: source = "rules.md §9"']
