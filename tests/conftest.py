"""Fixtures shared across the test tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.unit_of_work import UnitOfWorkFactory


@pytest.fixture(params=["memory", "sqlite"])
def make_unit_of_work(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[UnitOfWorkFactory]:
    """A fresh store of each kind the library ships: in memory, and a SQLite file."""
    if request.param == "memory":
        yield MemoryStore().unit_of_work
        return
    store = SqliteStore(str(tmp_path / "store.sqlite3"))
    try:
        yield store.unit_of_work
    finally:
        store.close()
