"""A store file that cannot be used raises StoreFailed naming the file and what failed (R16).

Missing folder, a folder, a file that is not a database, a corrupt one, a read-only connection and
a full disk (``PRAGMA max_page_count`` stands in for it): never a raw ``sqlite3`` error, and a
full disk no longer surfaces as "cannot rollback".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from powerretail.adapters.sqlite import SqliteStore
from powerretail.errors import StoreFailed
from powerretail.testing.ledger import LEDGER_ACCOUNTS, LedgerAccount


def fill(store: SqliteStore, count: int, first: int = 0) -> None:
    with store.unit_of_work() as uow:
        accounts = uow.repository(LEDGER_ACCOUNTS)
        for number in range(first, first + count):
            accounts.add(LedgerAccount.open(f"A-{number}", holder="x" * 500))
        uow.commit()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "store.sqlite"

    with pytest.raises(StoreFailed) as caught:
        SqliteStore(path)

    assert str(caught.value) == (
        f"{path}: could not open the store (its folder {path.parent} does not exist)"
    )
    assert caught.value.path == str(path)
    assert caught.value.action == "open the store"


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreFailed, match="it is a folder, not a database file"):
        SqliteStore(tmp_path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"meter_id,read_at,value\n" * 200)

    with pytest.raises(StoreFailed, match="the file is not a SQLite database"):
        SqliteStore(path)


def test_a_corrupt_file_fails_on_read(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    store = SqliteStore(path)
    fill(store, 200)
    store.close()
    damaged = bytearray(path.read_bytes())
    for offset in range(2 * 4096, len(damaged), 7):
        damaged[offset] = 0x5A
    path.write_bytes(bytes(damaged))

    def read_all() -> None:
        store = SqliteStore(path)
        try:
            with store.unit_of_work() as uow:
                uow.repository(LEDGER_ACCOUNTS).query()
        finally:
            store.close()

    with pytest.raises(StoreFailed, match=r"could not (read|open the store) \(.*malformed"):
        read_all()


def test_a_read_only_store_refuses_the_unit_of_work(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    store.connection().execute("PRAGMA query_only = ON")

    with pytest.raises(StoreFailed, match=r"could not begin a unit of work \(.*readonly"):
        fill(store, 1)
    store.close()


def test_a_full_disk_is_named_and_changes_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    fill(store, 1)
    connection = store.connection()
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StoreFailed, match=r"could not (write|commit) \(database or disk is full\)"):
        fill(store, 200, first=1)

    connection.execute("PRAGMA max_page_count = 1000000")
    with store.unit_of_work() as uow:  # the store is usable again, the failed unit left nothing
        assert uow.repository(LEDGER_ACCOUNTS).keys() == ("A-0",)
    store.close()


def test_a_failed_rollback_is_named(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    uow = store.unit_of_work()
    uow.__enter__()
    store.connection().close()  # the connection went away under the unit of work

    with pytest.raises(StoreFailed, match="could not roll back"):
        uow.rollback()
    store.close()


def test_a_failed_bulk_write_is_named(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    with store.unit_of_work() as uow, pytest.raises(StoreFailed, match="could not write"):
        uow._many("INSERT INTO nowhere VALUES (?)", [(1,)])
    store.close()


def test_the_schema_version_of_a_closed_connection_is_named(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite")
    connection = store.connection()
    connection.execute("DROP TABLE schema_version")

    with pytest.raises(StoreFailed, match="could not read the schema version"):
        store.schema_version()
    store.close()


def test_a_failing_pragma_on_a_new_connection_closes_it(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    SqliteStore(path).close()
    path.write_bytes(b"x" * 4096)  # replaced by something else after the store was made

    with pytest.raises(StoreFailed, match="not a SQLite database"):
        SqliteStore(path)
    assert sqlite3.sqlite_version  # the module is still usable
