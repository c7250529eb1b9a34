"""The storage contract suite, run against both shipped adapters."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.testing.contract import StorageContract


class TestMemoryStore(StorageContract):
    @pytest.fixture
    def make_unit_of_work(self) -> UnitOfWorkFactory:
        return MemoryStore().unit_of_work


class TestSqliteStore(StorageContract):
    @pytest.fixture
    def make_unit_of_work(self, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
        store = SqliteStore(tmp_path / "contract.sqlite", synchronous="NORMAL")
        yield store.unit_of_work
        store.close()
