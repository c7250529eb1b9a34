"""What only the PostgreSQL store needs: server errors, migration, isolation, the pool.

Every test runs against the real server named by ``POWERRETAIL_TEST_PG_DSN`` (never a mock), each
in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import attrs
import pendulum
import psycopg
import psycopg.conninfo
import pytest

from powerretail.adapters.postgres import (
    MIGRATIONS,
    PostgresError,
    PostgresStore,
    SerializationConflict,
    StoreUnavailable,
    describe_server,
)
from powerretail.adapters.sqlite import Migration, SchemaTooNew
from powerretail.errors import ConcurrencyConflict, InvalidInput
from powerretail.ids import AccountId
from powerretail.repositories.events import DomainEvent, DuplicateEvent
from powerretail.repositories.unit_of_work import UnitOfWorkClosed
from powerretail.testing.ledger import LEDGER_ACCOUNTS, LedgerAccount, open_ledger_account
from tests.postgres_server import fresh_schema, server_dsn

EXTRA = Migration(MIGRATIONS[-1].version + 1, "a test table", ("CREATE TABLE extra (x text)",))


@pytest.fixture
def dsn() -> str:
    return server_dsn()


@pytest.fixture
def schema(dsn: str) -> Iterator[str]:
    yield from fresh_schema(dsn)


@pytest.fixture
def store(dsn: str, schema: str) -> Iterator[PostgresStore]:
    opened = PostgresStore(dsn, schema=schema, max_connections=4)
    yield opened
    opened.close()


def _with(dsn: str, **changes: str) -> str:
    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    parts.update(changes)
    return psycopg.conninfo.make_conninfo(**parts)


def _terminate_idle_units(dsn: str) -> int:
    """Kill, from outside, every server backend idle inside a transaction (the open unit)."""
    with psycopg.connect(dsn, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE state = 'idle in transaction' AND pid <> pg_backend_pid() "
            "AND datname = current_database()"
        ).fetchone()
    return 0 if killed is None else int(killed[0])


def _event(event_id: str) -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        aggregate_kind="ledger_account",
        aggregate_id="A-1",
        event_type="AccountTouched",
        schema_major=1,
        payload={},
        occurred_at=pendulum.datetime(2025, 3, 1, 9, tz="Asia/Shanghai"),
    )


# ---------------------------------------------------------------------- server errors


def test_a_refused_connection_names_the_server() -> None:
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:1/retail: connection refused"):
        PostgresStore("postgresql://app:secret@127.0.0.1:1/retail", connect_timeout=2)


def test_the_password_is_never_shown() -> None:
    with pytest.raises(StoreUnavailable) as refused:
        PostgresStore("postgresql://app:secret@127.0.0.1:1/retail", connect_timeout=2)

    assert "secret" not in str(refused.value)


def test_a_missing_database_is_named(dsn: str) -> None:
    missing = _with(dsn, dbname="powerretail_no_such_database")

    with pytest.raises(StoreUnavailable, match="powerretail_no_such_database: the database does"):
        PostgresStore(missing)


def test_any_other_refusal_says_what_the_server_said(dsn: str) -> None:
    with pytest.raises(StoreUnavailable, match=r"could not connect .*no_such_role"):
        PostgresStore(_with(dsn, user="no_such_role"))


def test_a_text_that_is_no_connection_string_is_refused() -> None:
    with pytest.raises(InvalidInput, match="PostgreSQL connection string"):
        describe_server("host")


def test_a_schema_name_must_be_a_plain_identifier(dsn: str) -> None:
    with pytest.raises(InvalidInput, match="lower-case identifier"):
        PostgresStore(dsn, schema="public; DROP TABLE x")


def test_a_connection_lost_mid_unit_rolls_the_unit_back(store: PostgresStore, dsn: str) -> None:
    with store.unit_of_work() as uow:
        accounts = uow.repository(LEDGER_ACCOUNTS)
        accounts.add(LedgerAccount.open("A-1", holder="Wang"))
        assert _terminate_idle_units(dsn) == 1

        with pytest.raises(StoreUnavailable, match=r"lost during a statement.*nothing of it"):
            accounts.add(LedgerAccount.open("A-2", holder="Li"))
        with pytest.raises(UnitOfWorkClosed):
            uow.commit()

    with store.unit_of_work() as uow:  # the store carries on with a fresh connection
        assert uow.repository(LEDGER_ACCOUNTS).keys() == ()


def test_a_connection_lost_at_commit_says_the_outcome_is_unknown(
    store: PostgresStore, dsn: str
) -> None:
    with store.unit_of_work() as uow:
        uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="Wang"))
        _terminate_idle_units(dsn)

        with pytest.raises(StoreUnavailable, match=r"lost during the commit.*unknown"):
            uow.commit()

    with store.unit_of_work() as uow:
        assert uow.repository(LEDGER_ACCOUNTS).find(AccountId("A-1")) is None


def test_a_failing_statement_rolls_the_unit_back_and_says_why(
    store: PostgresStore, dsn: str, schema: str
) -> None:
    open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"DROP TABLE {schema}.aggregate_index")

    with store.unit_of_work() as uow:
        accounts = uow.repository(LEDGER_ACCOUNTS)
        with pytest.raises(PostgresError, match=r"a statement failed.*aggregate_index"):
            accounts.add(LedgerAccount.open("A-2", holder="Li"))
        with pytest.raises(UnitOfWorkClosed):
            accounts.find(AccountId("A-1"))


def test_a_full_pool_is_waited_for_then_refused(dsn: str, schema: str) -> None:
    store = PostgresStore(dsn, schema=schema, max_connections=1, connect_timeout=0.2)
    try:
        with store.unit_of_work(), pytest.raises(StoreUnavailable, match=r"within 0\.2 s"):
            store.unit_of_work().__enter__()
    finally:
        store.close()


# ---------------------------------------------------------------------- schema


def test_a_new_schema_is_migrated_to_the_last_version(store: PostgresStore) -> None:
    assert store.schema_version() == MIGRATIONS[-1].version


def test_opening_again_migrates_only_the_new_steps(dsn: str, schema: str) -> None:
    first = PostgresStore(dsn, schema=schema)
    open_ledger_account(first.unit_of_work, "A-1", holder="Wang")
    first.close()

    store = PostgresStore(dsn, schema=schema, migrations=(*MIGRATIONS, EXTRA))
    try:
        assert store.schema_version() == EXTRA.version
        with store.unit_of_work() as uow:
            assert uow.repository(LEDGER_ACCOUNTS).get(AccountId("A-1")).version == 1
    finally:
        store.close()


def test_a_schema_of_a_newer_powerretail_is_refused(dsn: str, schema: str) -> None:
    PostgresStore(dsn, schema=schema, migrations=(*MIGRATIONS, EXTRA)).close()

    newer = f"schema {schema}: schema version {EXTRA.version} is newer"
    with pytest.raises(SchemaTooNew, match=newer):
        PostgresStore(dsn, schema=schema)


def test_without_a_schema_the_connections_search_path_is_used(dsn: str, schema: str) -> None:
    in_path = _with(dsn, options=f"-c search_path={schema}")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")

    store = PostgresStore(in_path)
    try:
        open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
    finally:
        store.close()

    again = PostgresStore(dsn, schema=schema)
    with again.unit_of_work() as uow:
        assert uow.repository(LEDGER_ACCOUNTS).keys() == ("A-1",)
    again.close()


def test_concurrent_openings_migrate_once(dsn: str, schema: str) -> None:
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            stores.append(PostgresStore(dsn, schema=schema))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [store.schema_version() for store in stores] == [MIGRATIONS[-1].version] * 4
    for store in stores:
        store.close()


def test_the_audit_log_refuses_changes_even_in_plain_sql(store: PostgresStore) -> None:
    with store.borrowed() as connection:
        connection.execute(
            "INSERT INTO audit_log (actor, operation, subject, at, decision, schema, body)"
            " VALUES ('a', 'o', 's', now(), 'granted', 1, '{}')"
        )
        for change in ("UPDATE audit_log SET actor = 'b'", "DELETE FROM audit_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                connection.execute(change)
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            connection.execute("TRUNCATE audit_log")
        assert connection.execute("SELECT count(*) FROM audit_log").fetchone() == (1,)


def test_instants_are_timestamptz_and_documents_text(store: PostgresStore, schema: str) -> None:
    with store.borrowed() as connection:
        types = dict(
            connection.execute(
                "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = %s",
                (schema,),
            ).fetchall()
        )

    assert types["outbox.occurred_at"] == "timestamp with time zone"
    assert types["idempotency.recorded_at"] == "timestamp with time zone"
    assert types["audit_log.at"] == "timestamp with time zone"
    assert types["aggregates.body"] == "text"


def test_an_event_is_recorded_once_per_consumer(store: PostgresStore) -> None:
    stored = _event("E-1").at_sequence(1)
    with store.unit_of_work() as uow:
        uow.inbox.record_processed("billing", stored)
        with pytest.raises(DuplicateEvent, match="E-1"):
            uow.inbox.record_processed("billing", stored)
        uow.inbox.record_processed("notices", stored)
        uow.commit()


def test_rolling_back_twice_or_before_entering_does_nothing(store: PostgresStore) -> None:
    unused = store.unit_of_work()
    unused.rollback()
    with pytest.raises(UnitOfWorkClosed):
        unused.__enter__()
    with store.unit_of_work() as uow:
        uow.rollback()
        uow.rollback()
        with pytest.raises(UnitOfWorkClosed):
            uow.repository(LEDGER_ACCOUNTS)


# ---------------------------------------------------------------------- isolation


def test_a_unit_reads_one_snapshot(store: PostgresStore) -> None:
    open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
    with store.unit_of_work() as reader:
        accounts = reader.repository(LEDGER_ACCOUNTS)
        assert accounts.keys() == ("A-1",)
        open_ledger_account(store.unit_of_work, "A-2", holder="Li")

        assert accounts.keys() == ("A-1",)  # REPEATABLE READ: not the commit made meanwhile


def test_a_save_over_a_change_committed_meanwhile_is_a_conflict(store: PostgresStore) -> None:
    open_ledger_account(store.unit_of_work, "A-1", holder="Wang")
    with store.unit_of_work() as late, store.unit_of_work() as early:
        late_accounts = late.repository(LEDGER_ACCOUNTS)
        account, version = late_accounts.get(AccountId("A-1"))
        early_accounts = early.repository(LEDGER_ACCOUNTS)
        early_accounts.save(early_accounts.get(AccountId("A-1")).entity, version)
        early.commit()

        with pytest.raises(SerializationConflict, match="concurrent unit") as lost:
            late_accounts.save(account, version)
        with pytest.raises(UnitOfWorkClosed):
            late.commit()

    assert isinstance(lost.value, ConcurrencyConflict)


def test_two_units_numbering_one_aggregates_events_let_one_win(store: PostgresStore) -> None:
    event = _event

    outcome: list[BaseException | int] = []
    with store.unit_of_work() as first:
        first.outbox.append(event("E-1"))

        def second() -> None:
            try:
                with store.unit_of_work() as uow:
                    outcome.append(uow.outbox.append(event("E-2")).sequence)
                    uow.commit()
            except ConcurrencyConflict as err:
                outcome.append(err)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.3)  # it waits for the first unit's sequence number 1
        first.commit()
        thread.join()

    assert len(outcome) == 1
    assert isinstance(outcome[0], ConcurrencyConflict)
    with store.unit_of_work() as uow:
        assert [e.event_id for e in uow.outbox.events_for("ledger_account", "A-1")] == ["E-1"]


def test_two_units_building_an_index_at_once_let_one_win(store: PostgresStore) -> None:
    """Accounts stored, then found by a field indexed later: the first query by it builds its rows.

    The loser of two concurrent builds gets a conflict from its query and is rolled back; retried,
    it reads the winner's rows (see the PostgreSQL how-to, "Isolation and conflicts").
    """
    unindexed = LEDGER_ACCOUNTS
    later = attrs.evolve(LEDGER_ACCOUNTS, indexed=("status", "holder"), backfilled=("holder",))
    with store.unit_of_work() as uow:
        for n, holder in enumerate(["Wang", "Li", "Wang"]):
            account = LedgerAccount(account_id=AccountId(f"A-{n}"), holder=holder)
            uow.repository(unindexed).add(account)
        uow.commit()

    with store.unit_of_work() as late:
        assert late.repository(unindexed).keys() == ("A-0", "A-1", "A-2")  # its snapshot
        with store.unit_of_work() as early:
            assert early.repository(later).keys(holder="Wang") == ("A-0", "A-2")
            early.commit()
        with pytest.raises(SerializationConflict):
            late.repository(later).keys(holder="Wang")

    with store.unit_of_work() as retry:
        assert retry.repository(later).keys(holder="Li") == ("A-1",)
