"""RELIABILITY R1: no float arithmetic anywhere in the library's source.

A static scan of every module under ``src/powerretail``: no float literals and no ``float(...)``
conversions. Checking ``isinstance(value, float)`` (to refuse floats) is allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "powerretail"
MODULES = sorted(SOURCE.rglob("*.py"))


def float_uses(tree: ast.AST) -> list[int]:
    """Return the line numbers of float literals and float() calls in ``tree``."""

    def is_float(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, float)
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "float"
        )

    return [node.lineno for node in ast.walk(tree) if is_float(node)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", MODULES, ids=[str(p.relative_to(SOURCE)) for p in MODULES])
def test_module_has_no_float_arithmetic(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))

    assert float_uses(tree) == [], f"{module.name} uses floats on lines {float_uses(tree)}"


def test_the_scan_finds_floats() -> None:
    assert float_uses(ast.parse("x = 0.1\ny = float('2')\nz = isinstance(x, float)")) == [1, 2]
