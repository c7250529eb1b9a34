"""The SQLite store (standard-library ``sqlite3``): the embedded default.

:class:`SqliteStore` keeps every aggregate, idempotency record and event in one database file:

* the schema is created and migrated by the library; ``schema_version`` records each step, and a
  file written by a newer powerretail is refused rather than misread;
* money, energy and every other number are stored as text inside the entity's canonical JSON,
  never as REAL;
* views with typed columns (``bills_v``, ``bill_lines_v``, ``payments_v``, ``reads_v``,
  ``customers_v``, ``accounts_v``) let analysts read the documents with plain SQL;
* the file runs in WAL mode: readers do not block the writer;
* each unit of work is one transaction, begun with ``BEGIN IMMEDIATE`` so writers queue up
  instead of deadlocking; a busy file is waited for (``busy_timeout_ms``) and retried;
* each thread gets its own connection (per process), so one store may be shared by threads, and
  several processes may open the same file.

>>> import tempfile, pathlib
>>> from powerretail.testing.ledger import LEDGER_ACCOUNTS, LedgerAccount
>>> folder = tempfile.TemporaryDirectory()
>>> store = SqliteStore(pathlib.Path(folder.name) / "powerretail.sqlite")
>>> with store.unit_of_work() as uow:
...     uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="Wang"))
...     uow.commit()
1
>>> with store.unit_of_work() as uow:
...     uow.repository(LEDGER_ACCOUNTS).get("A-1").version
1
>>> store.schema_version()
6
>>> store.close(); folder.cleanup()
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import types
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

import attrs

from powerretail.access import AuditRecord
from powerretail.adapters._rows import (
    EVENT_COLUMNS,
    IDEMPOTENCY_COLUMNS,
    RowRepository,
    event_from_row,
    idempotency_from_row,
)
from powerretail.errors import (
    ConcurrencyConflict,
    InvalidInput,
    PowerRetailError,
    StoreFailed,
    VersionConflict,
)
from powerretail.repositories.aggregates import Aggregate
from powerretail.repositories.audit import (
    AUDIT_RECORD_SCHEMA,
    decode_audit_record,
    encode_audit_record,
)
from powerretail.repositories.codec import canonical_json
from powerretail.repositories.events import DomainEvent, DuplicateEvent, OutboxEvent
from powerretail.repositories.idempotency import IdempotencyRecord, KeyAlreadyRecorded
from powerretail.repositories.unit_of_work import UnitOfWorkClosed, UnitOfWorkFactory
from powerretail.timeframe import as_instant

__all__ = [
    "MIGRATIONS",
    "Migration",
    "SchemaTooNew",
    "SqliteStore",
    "SqliteUnitOfWork",
    "StoreBusy",
]

K = TypeVar("K", bound=str)
E = TypeVar("E")


@attrs.frozen
class Migration:
    """One step of the schema: ``version`` is reached by running ``statements`` in order."""

    version: int
    description: str
    statements: tuple[str, ...]


#: The schema's history. Append a step to change it; never edit a released one.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "aggregates with versions and indexes, idempotency records, outbox, inbox",
        (
            """CREATE TABLE aggregates (
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                body TEXT NOT NULL,
                PRIMARY KEY (kind, key)
            ) WITHOUT ROWID""",
            """CREATE TABLE aggregate_index (
                kind TEXT NOT NULL,
                field TEXT NOT NULL,
                value TEXT NOT NULL,
                key TEXT NOT NULL,
                PRIMARY KEY (kind, field, value, key)
            ) WITHOUT ROWID""",
            """CREATE TABLE idempotency (
                key TEXT PRIMARY KEY,
                command TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                outcome TEXT NOT NULL,
                result TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            ) WITHOUT ROWID""",
            """CREATE TABLE outbox (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                aggregate_kind TEXT NOT NULL,
                aggregate_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                event_type TEXT NOT NULL,
                schema_major INTEGER NOT NULL,
                payload TEXT NOT NULL,
                occurred_at TEXT NOT NULL,
                published INTEGER NOT NULL DEFAULT 0,
                UNIQUE (aggregate_kind, aggregate_id, sequence)
            )""",
            "CREATE INDEX outbox_unpublished ON outbox (published, position)",
            """CREATE TABLE inbox (
                consumer TEXT NOT NULL,
                event_id TEXT NOT NULL,
                aggregate_kind TEXT NOT NULL,
                aggregate_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                PRIMARY KEY (consumer, event_id)
            ) WITHOUT ROWID""",
            (
                "CREATE INDEX inbox_sequence "
                "ON inbox (consumer, aggregate_kind, aggregate_id, sequence)"
            ),
        ),
    ),
    Migration(
        2,
        "the schema version of each stored entity's shape (Aggregate.schema_version)",
        ("ALTER TABLE aggregates ADD COLUMN schema INTEGER NOT NULL DEFAULT 1",),
    ),
    Migration(
        3,
        "index rows found by aggregate key, so a save replaces them without scanning the kind",
        ("CREATE INDEX aggregate_index_key ON aggregate_index (kind, key)",),
    ),
    Migration(
        4,
        "the append-only audit log of grants and refusals",
        (
            """CREATE TABLE audit_log (
                position INTEGER PRIMARY KEY AUTOINCREMENT,
                actor TEXT NOT NULL,
                operation TEXT NOT NULL,
                subject TEXT NOT NULL,
                at TEXT NOT NULL,
                decision TEXT NOT NULL,
                schema INTEGER NOT NULL,
                body TEXT NOT NULL
            )""",
            "CREATE INDEX audit_log_actor ON audit_log (actor, operation, position)",
            """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
            """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        ),
    ),
    Migration(
        5,
        "views for analysts: bills_v, bill_lines_v, payments_v, reads_v, customers_v, accounts_v",
        (
            # Money stays exact: amounts are the documents' decimal text, and *_fen columns are
            # integers of the minor unit (every stored amount has its currency's two decimals).
            """CREATE VIEW bills_v AS
            WITH b AS (
                SELECT a.key, a.body, (
                    SELECT COALESCE(SUM(CAST(REPLACE(
                        json_extract(l.value, '$.amount.amount'), '.', '') AS INTEGER)), 0)
                    FROM json_each(a.body, '$.lines') AS l
                ) AS fen
                FROM aggregates AS a WHERE a.kind = 'bill'
            )
            SELECT key AS bill_id,
                json_extract(body, '$.account_id') AS account_id,
                json_extract(body, '$.period.start') AS period_start,
                json_extract(body, '$.period.end') AS period_end,
                date(json_extract(body, '$.period.end'), '-1 day') AS last_day,
                json_extract(body, '$.state') AS state,
                json_extract(body, '$.kind') AS kind,
                json_extract(body, '$.tariff_code') AS tariff_code,
                json_extract(body, '$.issued_on') AS issued_on,
                json_extract(body, '$.corrects') AS corrects,
                json_extract(body, '$.currency') AS currency,
                CASE WHEN fen < 0 THEN '-' ELSE '' END || (abs(fen) / 100) || '.'
                    || printf('%02d', abs(fen) % 100) AS total,
                fen AS total_fen,
                json_array_length(body, '$.lines') AS line_count
            FROM b""",
            """CREATE VIEW bill_lines_v AS
            SELECT a.key AS bill_id,
                CAST(l.key AS INTEGER) + 1 AS line_no,
                json_extract(l.value, '$.code') AS code,
                CASE WHEN instr(json_extract(l.value, '$.code'), '.') > 0
                    THEN substr(json_extract(l.value, '$.code'),
                        instr(json_extract(l.value, '$.code'), '.') + 1)
                END AS bucket,
                json_extract(l.value, '$.description_en') AS description_en,
                json_extract(l.value, '$.description_zh') AS description_zh,
                json_extract(l.value, '$.quantity') AS quantity,
                json_extract(l.value, '$.unit') AS unit,
                json_extract(l.value, '$.rate') AS rate,
                json_extract(l.value, '$.rate_unit') AS rate_unit,
                json_extract(l.value, '$.factor') AS factor,
                json_extract(l.value, '$.amount.amount') AS amount,
                CAST(REPLACE(json_extract(l.value, '$.amount.amount'), '.', '') AS INTEGER)
                    AS amount_fen,
                json_extract(l.value, '$.amount.currency') AS currency,
                json_extract(l.value, '$.period.start') AS period_start,
                json_extract(l.value, '$.period.end') AS period_end,
                json_extract(l.value, '$.tariff_code') AS tariff_code,
                json_extract(l.value, '$.tariff_version') AS tariff_version,
                json_extract(l.value, '$.source') AS source
            FROM aggregates AS a, json_each(a.body, '$.lines') AS l
            WHERE a.kind = 'bill'""",
            """CREATE VIEW payments_v AS
            SELECT key AS payment_id,
                json_extract(body, '$.account_id') AS account_id,
                json_extract(body, '$.received_on') AS received_on,
                json_extract(body, '$.amount.amount') AS amount,
                CAST(REPLACE(json_extract(body, '$.amount.amount'), '.', '') AS INTEGER)
                    AS amount_fen,
                json_extract(body, '$.credit.amount') AS credit,
                CAST(REPLACE(json_extract(body, '$.credit.amount'), '.', '') AS INTEGER)
                    AS credit_fen,
                json_extract(body, '$.amount.currency') AS currency,
                json_extract(body, '$.order') AS allocation_order
            FROM aggregates WHERE kind = 'payment'""",
            """CREATE VIEW reads_v AS
            WITH r AS (
                SELECT key, body, json_extract(body, '$.read.read_at') AS at
                FROM aggregates WHERE kind = 'meter_read'
            )
            SELECT key AS read_id,
                json_extract(body, '$.meter_id') AS meter_id,
                json_extract(body, '$.read.register') AS register,
                CASE WHEN instr(at, '[') > 0 THEN substr(at, 1, instr(at, '[') - 1) ELSE at END
                    AS read_at,
                CASE WHEN instr(at, '[') > 0 THEN substr(at, instr(at, '[') + 1,
                    length(at) - instr(at, '[') - 1) END AS time_zone,
                json_extract(body, '$.read.value') AS value,
                json_extract(body, '$.read.source') AS quality,
                json_extract(body, '$.read.unreadable') AS unreadable,
                json_extract(body, '$.billable') AS billable,
                json_extract(body, '$.replaces') AS replaces
            FROM r""",
            """CREATE VIEW customers_v AS
            SELECT key AS customer_id,
                json_extract(body, '$.name') AS name,
                json_extract(body, '$.sector') AS sector,
                json_extract(body, '$.industry') AS industry,
                json_extract(body, '$.region') AS region,
                json_extract(body, '$.designated_important') AS designated_important
            FROM aggregates WHERE kind = 'customer'""",
            """CREATE VIEW accounts_v AS
            SELECT a.key AS account_id,
                json_extract(a.body, '$.customer_id') AS customer_id,
                json_extract(a.body, '$.opened_on') AS opened_on,
                json_extract(a.body, '$.closed_on') AS closed_on,
                json_extract(p.body, '$.customer_kind') AS customer_kind,
                json_extract(p.body, '$.tariff_code') AS tariff_code
            FROM aggregates AS a
            LEFT JOIN aggregates AS p ON p.kind = 'billing_profile' AND p.key = a.key
            WHERE a.kind = 'account'""",
        ),
    ),
    Migration(
        6,
        "ordered indexes (Aggregate.ordered): which are built; their rows are aggregate_index rows",
        (
            """CREATE TABLE aggregate_index_built (
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                PRIMARY KEY (kind, name)
            ) WITHOUT ROWID""",
        ),
    ),
)


class SchemaTooNew(PowerRetailError):
    """The database file was migrated by a newer powerretail than this one."""

    def __init__(self, path: str, found: int, known: int) -> None:
        self.path = path
        self.found = found
        self.known = known
        super().__init__(path, found, known)

    def __str__(self) -> str:
        return (
            f"{self.path}: schema version {self.found} is newer than this powerretail knows "
            f"({self.known}); upgrade powerretail"
        )


class NestedUnitOfWork(PowerRetailError, RuntimeError):
    """A thread opened a second unit of work on a store while its first was still open."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(path)

    def __str__(self) -> str:
        return (
            f"{self.path}: this thread already has an open unit of work on this store; "
            "finish it first (SQLite units of work do not nest)"
        )


class StoreBusy(ConcurrencyConflict):
    """The database stayed locked by other writers for longer than the store waits."""

    def __init__(self, path: str, attempts: int) -> None:
        self.path = path
        self.attempts = attempts
        super().__init__(path, attempts)

    def __str__(self) -> str:
        return f"{self.path}: still locked by other writers after {self.attempts} attempts"


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


def _failure(path: Path, action: str, err: sqlite3.Error) -> PowerRetailError:
    """Return the library's error for ``err``, met while trying to ``action`` on ``path``."""
    if isinstance(err, sqlite3.OperationalError) and _is_busy(err):
        return StoreBusy(str(path), 1)
    reason = str(err) or type(err).__name__
    if "unable to open" in reason and path.is_dir():
        reason = "it is a folder, not a database file"
    elif "unable to open" in reason and not path.parent.is_dir():
        reason = f"its folder {path.parent} does not exist"
    elif "not a database" in reason:
        reason = "the file is not a SQLite database"
    return StoreFailed(str(path), action, reason)


_T = TypeVar("_T")


class SqliteStore:
    """Store every aggregate, idempotency record and event in one SQLite file.

    Args:
        path: the database file (created if missing).
        busy_timeout_ms: how long one attempt waits for a locked file [ms].
        busy_attempts: how many times a locked file is tried before :class:`StoreBusy`.
        synchronous: ``"FULL"`` (default: a committed unit survives power loss) or ``"NORMAL"``
            (faster in WAL mode; the last commits may be lost on power loss, never corrupted).
        migrations: the schema history (tests pass their own).

    Raises:
        SchemaTooNew: the file was migrated by a newer powerretail.
        InvalidInput: ``synchronous`` is not FULL or NORMAL, or ``path`` is ``:memory:`` or a URI
            (every connection would see its own database).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout_ms: int = 5_000,
        busy_attempts: int = 20,
        synchronous: str = "FULL",
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise InvalidInput("synchronous", synchronous, "FULL or NORMAL")
        if str(path) == ":memory:" or str(path).startswith("file:"):
            raise InvalidInput(
                "path", str(path), "a file path (for a store in memory use MemoryStore)"
            )
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._busy_attempts = busy_attempts
        self._synchronous = synchronous
        self._migrations = tuple(sorted(migrations, key=lambda step: step.version))
        self._local = threading.local()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._connections_lock = threading.Lock()
        try:
            self._retrying(self._migrate)
        except sqlite3.Error as err:
            self.close()
            raise _failure(self.path, "open the store", err) from err

    # ------------------------------------------------------------------ connections

    def connection(self) -> sqlite3.Connection:
        """Return this thread's connection (opened on first use, per process)."""
        held: tuple[int, sqlite3.Connection] | None = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        try:
            connection = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout_ms / 1000,
                isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
                check_same_thread=False,  # only its thread uses it; close() may come from another
            )
        except sqlite3.Error as err:
            raise _failure(self.path, "open the store", err) from err
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            self._retrying(lambda: connection.execute("PRAGMA journal_mode = WAL").fetchone())
            connection.execute(f"PRAGMA synchronous = {self._synchronous}")
            connection.execute("PRAGMA foreign_keys = ON")
        except BaseException as err:
            connection.close()
            if isinstance(err, sqlite3.Error):
                raise _failure(self.path, "open the store", err) from err
            raise
        self._local.held = (os.getpid(), connection)
        with self._connections_lock:
            self._connections.append((os.getpid(), connection))
        return connection

    def close(self) -> None:
        """Close every connection this store opened in this process.

        Connections inherited from a parent process are left alone: SQLite forbids using a
        connection across ``fork``, even to close it.
        """
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for pid, connection in connections:
            if pid == os.getpid():
                connection.close()
        self._local = threading.local()

    def _retrying(self, step: Callable[[], _T]) -> _T:
        for attempt in range(1, self._busy_attempts + 1):
            try:
                return step()
            except sqlite3.OperationalError as err:
                if not _is_busy(err):
                    raise
                if attempt == self._busy_attempts:
                    raise StoreBusy(str(self.path), attempt) from err
                time.sleep(min(2**attempt, 100) / 1000)  # back off 2, 4, 8 … 100 ms
        raise AssertionError("unreachable")  # pragma: no cover

    def begin(self) -> sqlite3.Connection:
        """Begin a write transaction on this thread's connection and return the connection.

        Raises:
            StoreBusy: other writers held the file for longer than the store waits.
            NestedUnitOfWork: this thread's connection is already in a transaction.
        """
        connection = self.connection()
        if connection.in_transaction:
            raise NestedUnitOfWork(str(self.path))
        try:
            self._retrying(lambda: connection.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as err:
            raise _failure(self.path, "begin a unit of work", err) from err
        return connection

    # ------------------------------------------------------------------ schema

    def schema_version(self) -> int:
        """Return the schema version of the file (0: empty)."""
        connection = self.connection()
        try:
            row = connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            return int(row.fetchone()[0])
        except sqlite3.Error as err:
            raise _failure(self.path, "read the schema version", err) from err

    def _migrate(self) -> None:
        connection = self.begin()
        try:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            found = int(
                connection.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_version"
                ).fetchone()[0]
            )
            known = self._migrations[-1].version if self._migrations else 0
            if found > known:
                raise SchemaTooNew(str(self.path), found, known)
            for step in self._migrations:
                if step.version <= found:
                    continue
                for statement in step.statements:
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO schema_version (version, description) VALUES (?, ?)",
                    (step.version, step.description),
                )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:  # SQLite may have rolled back itself (a full disk)
                connection.execute("ROLLBACK")
            raise

    def unit_of_work(self) -> SqliteUnitOfWork:
        """Return a new unit of work on this store (use it in a ``with`` block)."""
        return SqliteUnitOfWork(self)


class _Repository(RowRepository[K, E]):
    def __init__(self, uow: SqliteUnitOfWork, aggregate: Aggregate[K, E]) -> None:
        self._uow = uow
        self._aggregate = aggregate

    def add(self, entity: E) -> int:
        kind = self._aggregate.kind
        key = self._aggregate.key_of(entity)
        body = self._aggregate.body_of(entity)
        current = self._version(key)
        if current is not None:
            raise VersionConflict(kind, key, 0, current)
        self._uow._sql(
            "INSERT INTO aggregates (kind, key, version, body, schema) VALUES (?, ?, 1, ?, ?)",
            (kind, key, body, self._aggregate.schema_version),
        )
        self._index(key, entity)
        return 1

    def _select(self, columns: str, where: dict[str, Any]) -> list[Any]:
        wanted = sorted(self._aggregate.index_filter(where).items())
        parameters: list[str] = [self._aggregate.kind]
        if not wanted:
            sql = f"SELECT {columns} FROM aggregates AS a WHERE a.kind = ?"
            order = " ORDER BY a.key"
        else:  # loop over the index rows of the first field (CROSS JOIN keeps that order)
            (field, value), *others = wanted
            sql = (
                f"SELECT {columns} FROM aggregate_index AS f CROSS JOIN aggregates AS a"
                " ON a.kind = f.kind AND a.key = f.key"
                " WHERE f.kind = ? AND f.field = ? AND f.value = ?"
            )
            order = " ORDER BY f.key"
            parameters += [field, value]
            for field, value in others:
                sql += (
                    " AND EXISTS (SELECT 1 FROM aggregate_index AS i WHERE i.kind = a.kind"
                    " AND i.field = ? AND i.value = ? AND i.key = a.key)"
                )
                parameters += [field, value]
        return self._uow._sql(sql + order, tuple(parameters)).fetchall()


class _Idempotency:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: str) -> IdempotencyRecord | None:
        row = self._uow._sql(
            f"SELECT {IDEMPOTENCY_COLUMNS} FROM idempotency WHERE key = ?",
            (key,),
        ).fetchone()
        return None if row is None else idempotency_from_row(row)

    def put(self, record: IdempotencyRecord) -> None:
        try:
            self._uow._sql(
                "INSERT INTO idempotency (key, command, fingerprint, outcome, result, recorded_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.key,
                    record.command,
                    record.fingerprint,
                    record.outcome.value,
                    canonical_json(record.result),
                    record.recorded_at.isoformat(),
                ),
            )
        except sqlite3.IntegrityError:
            raise KeyAlreadyRecorded(record.key) from None


class _Outbox:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def append(self, event: DomainEvent) -> OutboxEvent:
        last = self._uow._sql(
            "SELECT COALESCE(MAX(sequence), 0) FROM outbox "
            "WHERE aggregate_kind = ? AND aggregate_id = ?",
            (event.aggregate_kind, event.aggregate_id),
        ).fetchone()[0]
        stored = event.at_sequence(int(last) + 1)
        try:
            self._uow._sql(
                f"INSERT INTO outbox ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    stored.event_id,
                    stored.aggregate_kind,
                    stored.aggregate_id,
                    stored.sequence,
                    stored.event_type,
                    stored.schema_major,
                    canonical_json(stored.payload),
                    stored.occurred_at.isoformat(),
                ),
            )
        except sqlite3.IntegrityError:
            raise DuplicateEvent(event.event_id) from None
        return stored

    def unpublished(self, limit: int = 100) -> tuple[OutboxEvent, ...]:
        rows = self._uow._sql(
            f"SELECT {EVENT_COLUMNS} FROM outbox WHERE published = 0 ORDER BY position LIMIT ?",
            (limit,),
        ).fetchall()
        return tuple(event_from_row(row) for row in rows)

    def mark_published(self, event_ids: Iterable[str]) -> None:
        self._uow._many(
            "UPDATE outbox SET published = 1 WHERE event_id = ?", [(i,) for i in event_ids]
        )

    def events_for(self, aggregate_kind: str, aggregate_id: str) -> tuple[OutboxEvent, ...]:
        rows = self._uow._sql(
            f"SELECT {EVENT_COLUMNS} FROM outbox WHERE aggregate_kind = ? AND aggregate_id = ? "
            "ORDER BY sequence",
            (aggregate_kind, aggregate_id),
        ).fetchall()
        return tuple(event_from_row(row) for row in rows)


class _Inbox:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def has_processed(self, consumer: str, event_id: str) -> bool:
        row = self._uow._sql(
            "SELECT 1 FROM inbox WHERE consumer = ? AND event_id = ?", (consumer, event_id)
        ).fetchone()
        return row is not None

    def last_sequence(self, consumer: str, aggregate_kind: str, aggregate_id: str) -> int:
        row = self._uow._sql(
            "SELECT COALESCE(MAX(sequence), 0) FROM inbox "
            "WHERE consumer = ? AND aggregate_kind = ? AND aggregate_id = ?",
            (consumer, aggregate_kind, aggregate_id),
        ).fetchone()
        return int(row[0])

    def record_processed(self, consumer: str, event: OutboxEvent) -> None:
        try:
            self._uow._sql(
                "INSERT INTO inbox (consumer, event_id, aggregate_kind, aggregate_id, sequence) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    consumer,
                    event.event_id,
                    event.aggregate_kind,
                    event.aggregate_id,
                    event.sequence,
                ),
            )
        except sqlite3.IntegrityError:
            raise DuplicateEvent(event.event_id) from None


class _Audit:
    def __init__(self, uow: SqliteUnitOfWork) -> None:
        self._uow = uow

    def append(self, record: AuditRecord) -> None:
        self._uow._sql(
            "INSERT INTO audit_log (actor, operation, subject, at, decision, schema, body)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.actor,
                record.operation,
                record.subject,
                as_instant(record.at, "at").in_timezone("UTC").isoformat(),
                record.decision.value,
                AUDIT_RECORD_SCHEMA,
                canonical_json(encode_audit_record(record)),
            ),
        )

    def records(
        self,
        *,
        actor: str | None = None,
        operation: str | None = None,
        subject: str | None = None,
        since: Any = None,
    ) -> tuple[AuditRecord, ...]:
        filters = {"actor": actor, "operation": operation, "subject": subject}
        wanted = [(column, value) for column, value in filters.items() if value is not None]
        sql = "SELECT body FROM audit_log"
        if wanted:
            sql += " WHERE " + " AND ".join(f"{column} = ?" for column, _ in wanted)
        rows = self._uow._sql(sql + " ORDER BY position", [v for _, v in wanted]).fetchall()
        records = (decode_audit_record(json.loads(row[0])) for row in rows)
        cutoff = None if since is None else as_instant(since, "since")
        return tuple(r for r in records if cutoff is None or r.at >= cutoff)


class SqliteUnitOfWork:
    """A unit of work on a :class:`SqliteStore`: one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._connection: sqlite3.Connection | None = None
        self._state = "not started"
        self.idempotency = _Idempotency(self)
        self.outbox = _Outbox(self)
        self.inbox = _Inbox(self)
        self.audit = _Audit(self)

    def __enter__(self) -> Self:
        if self._state != "not started":
            raise UnitOfWorkClosed(self._state)
        self._connection = self._store.begin()
        self._state = "open"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.rollback()

    def _open(self) -> sqlite3.Connection:
        if self._state != "open" or self._connection is None:
            raise UnitOfWorkClosed(self._state)
        return self._connection

    def _sql(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        connection = self._open()
        try:
            return connection.execute(sql, parameters)
        except sqlite3.IntegrityError:
            raise  # a duplicate key: the caller says which
        except sqlite3.Error as err:
            raise self._failed(sql, err) from err

    def _one(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        return self._sql(sql, parameters).fetchone()

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        connection = self._open()
        try:
            connection.executemany(sql, rows)
        except sqlite3.Error as err:
            raise self._failed(sql, err) from err

    def _failed(self, sql: str, err: sqlite3.Error) -> PowerRetailError:
        action = "read" if sql.lstrip().upper().startswith("SELECT") else "write"
        return _failure(self._store.path, action, err)

    def repository(self, aggregate: Aggregate[K, E]) -> _Repository[K, E]:
        """Return the repository of ``aggregate`` inside this unit of work."""
        self._open()
        return _Repository(self, aggregate)

    def commit(self) -> None:
        """Commit the transaction: every write of this unit becomes visible together."""
        connection = self._open()
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as err:
            self.rollback()
            raise _failure(self._store.path, "commit", err) from err
        self._state = "committed"

    def rollback(self) -> None:
        """Roll the transaction back (does nothing once committed or rolled back)."""
        if self._state != "open" or self._connection is None:
            if self._state == "not started":
                self._state = "rolled back"
            return
        self._state = "rolled back"
        try:
            if self._connection.in_transaction:  # not when SQLite rolled back itself (disk full)
                self._connection.execute("ROLLBACK")
        except sqlite3.Error as err:
            raise _failure(self._store.path, "roll back", err) from err


if TYPE_CHECKING:  # mypy proves the store implements the ports
    _conforms: UnitOfWorkFactory = SqliteStore("").unit_of_work
