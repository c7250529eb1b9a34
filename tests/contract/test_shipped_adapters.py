"""The storage contract suite, run against every shipped adapter (PostgreSQL on a real server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from powerretail.adapters.memory import MemoryStore
from powerretail.adapters.sqlite import SqliteStore
from powerretail.repositories.unit_of_work import UnitOfWorkFactory
from powerretail.testing.contract import StorageContract
from tests.postgres_server import fresh_schema, server_dsn


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


class TestPostgresStore(StorageContract):
    @pytest.fixture
    def make_unit_of_work(self) -> Iterator[UnitOfWorkFactory]:
        from powerretail.adapters.postgres import PostgresStore  # noqa: PLC0415

        dsn = server_dsn()
        for schema in fresh_schema(dsn):
            store = PostgresStore(dsn, schema=schema, max_connections=8)
            yield store.unit_of_work
            store.close()
