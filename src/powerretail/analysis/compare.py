from __future__ import annotations


class Comparison: ...


def compare() -> None: ...
