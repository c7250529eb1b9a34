"""What only the SQLite store needs: schema migration, locking, text storage, threads."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from datetime import date
from pathlib import Path

import attrs
import pendulum
import pytest

from powerretail.access import ADJUST_CREDIT_SCORE, SEED_POLICY, Actor, authorize
from powerretail.adapters.clocks import FixedClock
from powerretail.adapters.sqlite import (
    MIGRATIONS,
    Migration,
    NestedUnitOfWork,
    SchemaTooNew,
    SqliteStore,
    StoreBusy,
)
from powerretail.errors import InvalidInput, StoreFailed
from powerretail.ids import AccountId
from powerretail.quantities import Money
from powerretail.repositories.aggregates import Aggregate, OrderedIndex
from powerretail.repositories.codec import canonical_json
from powerretail.repositories.unit_of_work import UnitOfWorkClosed
from powerretail.testing.ledger import (
    LEDGER_ACCOUNTS,
    LedgerAccount,
    open_ledger_account,
    post_to_ledger,
)


@attrs.frozen
class Visit:
    visit_id: str
    site: str
    day: date


def _day(visit: Visit) -> date:
    return visit.day


VISITS: Aggregate[str, Visit] = Aggregate(
    kind="visit",
    entity_type=Visit,
    key_field="visit_id",
    indexed=("site",),
    ordered=(OrderedIndex("site_day", ("site",), _day),),
)
EXTRA = Migration(MIGRATIONS[-1].version + 1, "a test table", ("CREATE TABLE extra (x TEXT)",))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


class TestSchema:
    def test_creates_the_schema_with_its_version_and_wal_mode(self, path: Path) -> None:
        store = SqliteStore(path)

        mode = store.connection().execute("PRAGMA journal_mode").fetchone()[0]

        assert store.schema_version() == MIGRATIONS[-1].version == 6
        assert mode == "wal"
        store.close()

    def test_migrates_an_older_file_and_keeps_its_data(self, path: Path) -> None:
        old = SqliteStore(path, migrations=MIGRATIONS[:1])  # as the first release left it
        body = canonical_json(LEDGER_ACCOUNTS.encode(LedgerAccount.open("A-1", holder="Wang")))
        with old.connection() as connection:
            connection.execute("BEGIN")
            connection.execute(
                "INSERT INTO aggregates (kind, key, version, body) VALUES (?, ?, 4, ?)",
                ("ledger_account", "A-1", body),
            )
        old.close()

        new = SqliteStore(path, migrations=(*MIGRATIONS, EXTRA))
        SqliteStore(path, migrations=(*MIGRATIONS, EXTRA)).close()  # a second open does nothing

        with new.unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")) == (
                LedgerAccount.open("A-1", holder="Wang"),
                4,
            )
        assert new.schema_version() == EXTRA.version == 7
        new.close()

    def test_a_file_from_before_ordered_indexes_migrates_and_range_queries_its_data(
        self, path: Path
    ) -> None:
        old = SqliteStore(path, migrations=MIGRATIONS[:5])  # before ordered indexes
        visits = [Visit("V-2", "s", date(2025, 3, 1)), Visit("V-1", "s", date(2025, 4, 1))]
        with old.connection() as connection:
            connection.execute("BEGIN")
            for visit in visits:
                connection.execute(
                    "INSERT INTO aggregates (kind, key, version, body) VALUES ('visit', ?, 1, ?)",
                    (visit.visit_id, VISITS.body_of(visit)),
                )
        old.close()

        new = SqliteStore(path)
        with new.unit_of_work() as uow:
            found = uow.repository(VISITS).query_range("site_day", date(2025, 3, 1), None, site="s")
        new.close()

        assert new.schema_version() == 6
        assert [visit.entity for visit in found] == visits

    def test_refuses_a_file_from_a_newer_powerretail(self, path: Path) -> None:
        SqliteStore(path, migrations=(*MIGRATIONS, EXTRA)).close()

        with pytest.raises(SchemaTooNew, match=r"schema version 7 is newer than .* knows \(6\)"):
            SqliteStore(path)

    def test_a_failed_migration_changes_nothing(self, path: Path) -> None:
        SqliteStore(path).close()
        broken = Migration(
            MIGRATIONS[-1].version + 1, "broken", ("CREATE TABLE fine (x)", "NOT SQL AT ALL")
        )

        with pytest.raises(StoreFailed, match="could not open the store"):
            SqliteStore(path, migrations=(*MIGRATIONS, broken))

        store = SqliteStore(path)
        tables = {row[0] for row in store.connection().execute("SELECT name FROM sqlite_master")}
        assert store.schema_version() == MIGRATIONS[-1].version
        assert "fine" not in tables
        store.close()

    def test_refuses_an_unknown_synchronous_mode(self, path: Path) -> None:
        with pytest.raises(InvalidInput, match="synchronous"):
            SqliteStore(path, synchronous="OFF")

    @pytest.mark.parametrize("where", [":memory:", "file:x?mode=memory"])
    def test_refuses_a_database_in_memory(self, where: str) -> None:
        with pytest.raises(InvalidInput, match="MemoryStore"):
            SqliteStore(where)


class TestStorage:
    def test_keeps_money_as_text_never_real(self, path: Path) -> None:
        store = SqliteStore(path)
        with store.unit_of_work() as uow:
            uow.repository(LEDGER_ACCOUNTS).add(
                LedgerAccount(account_id=AccountId("A-1"), holder="王", balance=Money("0.10"))
            )
            uow.commit()

        body = store.connection().execute("SELECT body FROM aggregates").fetchone()[0]

        assert '"balance":{"amount":"0.10","currency":"CNY"}' in body
        assert "王" in body
        store.close()

    def test_each_thread_gets_its_own_connection(self, path: Path) -> None:
        store = SqliteStore(path)
        seen: list[sqlite3.Connection] = []

        thread = threading.Thread(target=lambda: seen.append(store.connection()))
        thread.start()
        thread.join()

        assert seen[0] is not store.connection()
        assert store.connection() is store.connection()
        store.close()


def _die_in_the_middle(path: str) -> None:
    store = SqliteStore(path)
    uow = store.unit_of_work()
    uow.__enter__()
    uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-2", holder="never"))
    os._exit(9)  # killed before commit: no rollback, no close


def _close_inherited(store: SqliteStore) -> None:
    inherited = store._local.held[1]
    store.close()  # must not touch the connection inherited from the parent
    try:
        inherited.total_changes  # noqa: B018 - raises if the connection was closed
    except sqlite3.ProgrammingError:
        os._exit(1)
    os._exit(0)


class TestLocking:
    def test_a_child_process_leaves_the_parents_connections_alone(self, path: Path) -> None:
        store = SqliteStore(path)
        open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
        child = multiprocessing.get_context("fork").Process(target=_close_inherited, args=(store,))

        child.start()
        child.join(timeout=60)

        assert child.exitcode == 0
        with store.unit_of_work() as uow:  # the parent's connection still works
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).version == 1
        store.close()

    def test_a_process_killed_mid_unit_of_work_leaves_the_file_consistent(self, path: Path) -> None:
        store = SqliteStore(path)
        open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
        child = multiprocessing.get_context("fork").Process(
            target=_die_in_the_middle, args=(str(path),)
        )

        child.start()
        child.join(timeout=60)

        assert child.exitcode == 9
        with store.unit_of_work() as uow:  # the lock died with the process
            stored = [account.account_id for account, _ in uow.repository(LEDGER_ACCOUNTS).query()]
            uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-3", holder="later"))
            uow.commit()
        check = store.connection().execute("PRAGMA integrity_check").fetchone()[0]
        assert stored == ["A-1"]
        assert check == "ok"
        store.close()

    def test_a_thread_cannot_nest_units_of_work(self, path: Path) -> None:
        store = SqliteStore(path)

        with store.unit_of_work(), pytest.raises(NestedUnitOfWork, match="do not nest"):
            store.unit_of_work().__enter__()

        with store.unit_of_work() as uow:  # the first one finished: fine again
            uow.commit()
        store.close()

    def test_a_writer_waits_for_another_and_then_gives_up(self, path: Path) -> None:
        holder = SqliteStore(path)
        waiter = SqliteStore(path, busy_timeout_ms=10, busy_attempts=3)
        blocking = holder.unit_of_work()

        with blocking, pytest.raises(StoreBusy, match="after 3 attempts"), waiter.unit_of_work():
            pass

        with waiter.unit_of_work() as uow:  # free again once the holder finished
            uow.commit()
        holder.close()
        waiter.close()

    def test_a_failure_other_than_busy_is_not_retried(self, path: Path) -> None:
        store = SqliteStore(path)
        calls: list[int] = []

        def broken() -> None:
            calls.append(1)
            raise sqlite3.OperationalError("no such table: nowhere")

        with pytest.raises(sqlite3.OperationalError, match="nowhere"):
            store._retrying(broken)

        assert calls == [1]
        store.close()

    def test_a_commit_that_fails_rolls_back(self, path: Path) -> None:
        store = SqliteStore(path)
        uow = store.unit_of_work()

        with uow:
            uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="x"))
            uow._open().execute("COMMIT")  # someone ended the transaction under our feet
            with pytest.raises(StoreFailed, match="could not commit"):
                uow.commit()

        with pytest.raises(UnitOfWorkClosed):
            uow.commit()
        store.close()


def test_timestamps_survive_a_round_trip(path: Path) -> None:
    store = SqliteStore(path)
    stored = pendulum.datetime(2025, 3, 1, 8, tz="Asia/Shanghai")
    open_ledger_account(store.unit_of_work, "A-1", holder="x")
    post_to_ledger(
        store.unit_of_work, clock=FixedClock(stored), key="k", account_id="A-1", amount=Money(1)
    )

    with store.unit_of_work() as uow:
        record = uow.idempotency.get("post_to_ledger:k")
        (event,) = uow.outbox.unpublished()
    assert record is not None
    assert record.recorded_at == stored
    assert event.occurred_at == stored
    store.close()


class TestAuditLog:
    def test_the_file_refuses_to_change_or_delete_an_audit_record(self, path: Path) -> None:
        store = SqliteStore(path)
        manager = Actor(id="m-1", name="Zhou", roles=frozenset({"regional_key_account_manager"}))
        grant = authorize(
            SEED_POLICY,
            manager,
            ADJUST_CREDIT_SCORE,
            subject="customer C-1",
            at=pendulum.datetime(2025, 6, 2, tz="UTC"),
            why="paid early",
            magnitude=2,
        )
        with store.unit_of_work() as uow:
            uow.audit.append(grant)
            uow.commit()
        connection = store.connection()

        for statement in ("UPDATE audit_log SET actor = 'm-2'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                connection.execute(statement)

        with store.unit_of_work() as uow:
            assert uow.audit.records() == (grant,)
        store.close()
