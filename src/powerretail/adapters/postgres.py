"""The PostgreSQL store (psycopg 3, the optional extra ``postgres``): for a server database.

:class:`PostgresStore` keeps every aggregate, idempotency record, event and audit record in
tables of one PostgreSQL schema, the same ports as the SQLite store:

* the schema is created and migrated by the library; ``schema_version`` records each step, a
  schema migrated by a newer powerretail is refused rather than misread, and concurrent
  migrators wait for each other (a transaction-level advisory lock);
* aggregates are kept as their canonical JSON text (numbers inside as text, never float);
  instants are ``timestamptz``;
* each unit of work is one server transaction at **REPEATABLE READ**: every read of the unit
  sees one snapshot, and a write to a row that another unit changed and committed after that
  snapshot fails with a serialization failure, raised as :class:`SerializationConflict` (a
  :class:`~powerretail.errors.ConcurrencyConflict`: retry the whole unit). A save also checks
  the version it read (``UPDATE ... WHERE version = expected``), raising
  :class:`~powerretail.errors.VersionConflict`. SERIALIZABLE is not needed: every write that
  depends on a read goes through a versioned row, and it would refuse more units for nothing;
  READ COMMITTED is not enough: two reads of one unit could see different commits;
* inserts that may meet a concurrent insert of the same key (``add``, idempotency records,
  events, inbox entries) use ``ON CONFLICT DO NOTHING``, so a refused insert leaves the unit
  usable and is raised as the port's own error;
* connections come from a pool (``psycopg_pool``), so one store may be shared by threads;
* a refused connection, a missing database and a connection lost in the middle of a unit are
  raised as :class:`StoreUnavailable` naming the server and what failed; a unit whose
  connection was lost is rolled back by the server, nothing of it is written.

Usage (needs a server; ``scripts/pg-test-server start`` starts a throw-away one)::

    store = PostgresStore("postgresql://app@db.example/powerretail")
    with store.unit_of_work() as uow:
        uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="Wang"))
        uow.commit()
    store.close()
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

import psycopg
import psycopg.conninfo
from psycopg import sql as pg_sql
from psycopg_pool import ConnectionPool, PoolTimeout

from powerretail.access import AuditRecord
from powerretail.adapters._rows import (
    EVENT_COLUMNS,
    IDEMPOTENCY_COLUMNS,
    RowRepository,
    event_from_row,
    idempotency_from_row,
)
from powerretail.adapters.sqlite import Migration, SchemaTooNew
from powerretail.errors import (
    ConcurrencyConflict,
    InvalidInput,
    PowerRetailError,
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
    "PostgresError",
    "PostgresStore",
    "PostgresUnitOfWork",
    "SerializationConflict",
    "StoreUnavailable",
]

K = TypeVar("K", bound=str)
E = TypeVar("E")

#: The schema's history. Append a step to change it; never edit a released one.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "aggregates with versions and indexes, idempotency records, outbox, inbox, audit log",
        (
            """CREATE TABLE aggregates (
                kind text NOT NULL,
                key text NOT NULL,
                version integer NOT NULL CHECK (version >= 1),
                schema integer NOT NULL DEFAULT 1,
                body text NOT NULL,
                PRIMARY KEY (kind, key)
            )""",
            """CREATE TABLE aggregate_index (
                kind text NOT NULL,
                field text NOT NULL,
                value text NOT NULL,
                key text NOT NULL,
                PRIMARY KEY (kind, field, value, key)
            )""",
            "CREATE INDEX aggregate_index_key ON aggregate_index (kind, key)",
            """CREATE TABLE idempotency (
                key text PRIMARY KEY,
                command text NOT NULL,
                fingerprint text NOT NULL,
                outcome text NOT NULL,
                result text NOT NULL,
                recorded_at timestamptz NOT NULL
            )""",
            """CREATE TABLE outbox (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id text NOT NULL UNIQUE,
                aggregate_kind text NOT NULL,
                aggregate_id text NOT NULL,
                sequence integer NOT NULL,
                event_type text NOT NULL,
                schema_major integer NOT NULL,
                payload text NOT NULL,
                occurred_at timestamptz NOT NULL,
                published boolean NOT NULL DEFAULT false,
                UNIQUE (aggregate_kind, aggregate_id, sequence)
            )""",
            "CREATE INDEX outbox_unpublished ON outbox (position) WHERE NOT published",
            """CREATE TABLE inbox (
                consumer text NOT NULL,
                event_id text NOT NULL,
                aggregate_kind text NOT NULL,
                aggregate_id text NOT NULL,
                sequence integer NOT NULL,
                PRIMARY KEY (consumer, event_id)
            )""",
            (
                "CREATE INDEX inbox_sequence "
                "ON inbox (consumer, aggregate_kind, aggregate_id, sequence)"
            ),
            """CREATE TABLE audit_log (
                position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                actor text NOT NULL,
                operation text NOT NULL,
                subject text NOT NULL,
                at timestamptz NOT NULL,
                decision text NOT NULL,
                schema integer NOT NULL,
                body text NOT NULL
            )""",
            "CREATE INDEX audit_log_actor ON audit_log (actor, operation, position)",
            """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
            """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
            """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
        ),
    ),
    Migration(
        2,
        "views for analysts: bills_v, bill_lines_v, payments_v, reads_v, customers_v, accounts_v",
        (
            """CREATE VIEW bills_v AS
            WITH b AS (SELECT key, body::jsonb AS doc FROM aggregates WHERE kind = 'bill')
            SELECT key AS bill_id,
                doc->>'account_id' AS account_id,
                (doc->'period'->>'start')::date AS period_start,
                (doc->'period'->>'end')::date AS period_end,
                (doc->'period'->>'end')::date - 1 AS last_day,
                doc->>'state' AS state,
                doc->>'kind' AS kind,
                doc->>'tariff_code' AS tariff_code,
                (doc->>'issued_on')::date AS issued_on,
                doc->>'corrects' AS corrects,
                doc->>'currency' AS currency,
                (SELECT COALESCE(sum((l->'amount'->>'amount')::numeric), 0.00)
                    FROM jsonb_array_elements(doc->'lines') AS l) AS total,
                jsonb_array_length(doc->'lines') AS line_count
            FROM b""",
            """CREATE VIEW bill_lines_v AS
            SELECT a.key AS bill_id,
                l.n::integer AS line_no,
                l.line->>'code' AS code,
                CASE WHEN position('.' IN l.line->>'code') > 0
                    THEN substring(l.line->>'code' FROM position('.' IN l.line->>'code') + 1)
                END AS bucket,
                l.line->>'description_en' AS description_en,
                l.line->>'description_zh' AS description_zh,
                (l.line->>'quantity')::numeric AS quantity,
                l.line->>'unit' AS unit,
                (l.line->>'rate')::numeric AS rate,
                l.line->>'rate_unit' AS rate_unit,
                l.line->>'factor' AS factor,
                (l.line->'amount'->>'amount')::numeric AS amount,
                l.line->'amount'->>'currency' AS currency,
                (l.line->'period'->>'start')::date AS period_start,
                (l.line->'period'->>'end')::date AS period_end,
                l.line->>'tariff_code' AS tariff_code,
                l.line->>'tariff_version' AS tariff_version,
                l.line->>'source' AS source
            FROM aggregates AS a,
                jsonb_array_elements(a.body::jsonb->'lines') WITH ORDINALITY AS l(line, n)
            WHERE a.kind = 'bill'""",
            """CREATE VIEW payments_v AS
            WITH p AS (SELECT key, body::jsonb AS doc FROM aggregates WHERE kind = 'payment')
            SELECT key AS payment_id,
                doc->>'account_id' AS account_id,
                (doc->>'received_on')::date AS received_on,
                (doc->'amount'->>'amount')::numeric AS amount,
                (doc->'credit'->>'amount')::numeric AS credit,
                doc->'amount'->>'currency' AS currency,
                doc->>'order' AS allocation_order
            FROM p""",
            """CREATE VIEW reads_v AS
            WITH r AS (
                SELECT key, body::jsonb AS doc, body::jsonb->'read'->>'read_at' AS at
                FROM aggregates WHERE kind = 'meter_read'
            )
            SELECT key AS read_id,
                doc->>'meter_id' AS meter_id,
                doc->'read'->>'register' AS register,
                split_part(at, '[', 1)::timestamptz AS read_at,
                NULLIF(rtrim(split_part(at, '[', 2), ']'), '') AS time_zone,
                (doc->'read'->>'value')::numeric AS value,
                doc->'read'->>'source' AS quality,
                (doc->'read'->>'unreadable')::boolean AS unreadable,
                (doc->>'billable')::boolean AS billable,
                doc->>'replaces' AS replaces
            FROM r""",
            """CREATE VIEW customers_v AS
            WITH c AS (SELECT key, body::jsonb AS doc FROM aggregates WHERE kind = 'customer')
            SELECT key AS customer_id,
                doc->>'name' AS name,
                doc->>'sector' AS sector,
                doc->>'industry' AS industry,
                doc->>'region' AS region,
                (doc->>'designated_important')::boolean AS designated_important
            FROM c""",
            """CREATE VIEW accounts_v AS
            SELECT a.key AS account_id,
                a.body::jsonb->>'customer_id' AS customer_id,
                (a.body::jsonb->>'opened_on')::date AS opened_on,
                (a.body::jsonb->>'closed_on')::date AS closed_on,
                p.body::jsonb->>'customer_kind' AS customer_kind,
                p.body::jsonb->>'tariff_code' AS tariff_code
            FROM aggregates AS a
            LEFT JOIN aggregates AS p ON p.kind = 'billing_profile' AND p.key = a.key
            WHERE a.kind = 'account'""",
        ),
    ),
    Migration(
        3,
        "ordered indexes (Aggregate.ordered): which are built, and their rows in byte order",
        (
            """CREATE TABLE aggregate_index_built (
                kind text NOT NULL,
                name text NOT NULL,
                PRIMARY KEY (kind, name)
            )""",
            (
                "CREATE INDEX aggregate_index_ordered ON aggregate_index"
                ' (kind, field, value COLLATE "C", key COLLATE "C")'
            ),
        ),
    ),
)

_SCHEMA_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: SQLSTATEs of a unit that lost to a concurrent one: serialization failure, deadlock.
_LOST_RACE: Final = frozenset({"40001", "40P01"})


class PostgresError(PowerRetailError):
    """The PostgreSQL server refused or failed a step: ``what`` says which and why."""

    def __init__(self, server: str, what: str) -> None:
        self.server = server
        self.what = what
        super().__init__(server, what)

    def __str__(self) -> str:
        return f"PostgreSQL server {self.server}: {self.what}"


class StoreUnavailable(PostgresError):
    """The server could not be reached, the database is missing, or the connection was lost."""


class SerializationConflict(ConcurrencyConflict):
    """The unit lost a race with a concurrent unit (serialization failure or deadlock).

    The server rolled the unit back; retry it from the start.
    """

    def __init__(self, server: str, detail: str) -> None:
        self.server = server
        self.detail = detail
        super().__init__(server, detail)

    def __str__(self) -> str:
        return (
            f"PostgreSQL server {self.server}: a concurrent unit of work changed the same data "
            f"({self.detail}); nothing was written, retry the unit"
        )


def describe_server(dsn: str) -> str:
    """Return ``host:port/database`` of ``dsn``, never its password.

    >>> describe_server("postgresql://app:secret@db.example:6543/retail")
    'db.example:6543/retail'
    >>> describe_server("dbname=retail host=/run/postgresql")
    '/run/postgresql:5432/retail'
    """
    try:
        parts = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        raise InvalidInput("dsn", "(not shown)", "a PostgreSQL connection string") from None
    host = parts.get("host") or parts.get("hostaddr") or "localhost"
    database = parts.get("dbname") or parts.get("user") or "(default)"
    return f"{host}:{parts.get('port') or 5432}/{database}"


def _unavailable(server: str, err: psycopg.OperationalError) -> StoreUnavailable:
    text = str(err).strip()
    lowered = text.lower()
    if "does not exist" in lowered and "database" in lowered:
        what = "the database does not exist (create it first: createdb)"
    elif "refused" in lowered:
        what = "connection refused (is the server running and listening there?)"
    else:
        what = f"could not connect ({text.splitlines()[-1] if text else type(err).__name__})"
    return StoreUnavailable(server, what)


class PostgresStore:
    """Store every aggregate, idempotency record, event and audit record in PostgreSQL.

    Args:
        dsn: a libpq connection string or URI (``postgresql://user@host:port/database``).
        schema: the PostgreSQL schema holding the tables (created if missing); ``None`` uses the
            connection's search path (usually ``public``).
        min_connections: connections the pool keeps open.
        max_connections: the most connections the pool opens (threads beyond wait).
        connect_timeout: seconds to wait for the server, and for a free pooled connection.
        migrations: the schema history (tests pass their own).

    Raises:
        StoreUnavailable: the server refused the connection, or the database is missing.
        SchemaTooNew: the schema was migrated by a newer powerretail.
        InvalidInput: ``schema`` is not a plain lower-case identifier.
    """

    def __init__(
        self,
        dsn: str,
        *,
        schema: str | None = None,
        min_connections: int = 1,
        max_connections: int = 10,
        connect_timeout: float = 10,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise InvalidInput("schema", schema, "a lower-case identifier (a-z, 0-9, _)")
        self.server = describe_server(dsn)
        self.schema = schema
        self._dsn = dsn
        self._timeout = connect_timeout
        self._migrations = tuple(sorted(migrations, key=lambda step: step.version))
        self._migrate()
        self._pool = ConnectionPool(
            dsn,
            min_size=min_connections,
            max_size=max_connections,
            kwargs=self._connect_arguments(),
            configure=self._configure,
            check=ConnectionPool.check_connection,
            timeout=connect_timeout,
            open=False,
            name=f"powerretail {self.server}",
        )
        try:  # the first connections are opened now, so a store that returns is usable
            self._pool.open(wait=True, timeout=connect_timeout)
        except PoolTimeout:  # pragma: no cover - the server went away right after migrating
            self._pool.close()
            raise StoreUnavailable(
                self.server, f"the pool could not open {min_connections} connection(s)"
            ) from None

    # ------------------------------------------------------------------ connections

    def _connect_arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "autocommit": True,  # units issue BEGIN ... / COMMIT themselves
            "connect_timeout": max(1, round(self._timeout)),
        }
        if self.schema is not None:
            arguments["options"] = f"-c search_path={self.schema}"
        return arguments

    @staticmethod
    def _configure(connection: psycopg.Connection[Any]) -> None:
        connection.execute("SET TIME ZONE 'UTC'")

    def connect(self) -> psycopg.Connection[Any]:
        """Open a new connection outside the pool (the caller closes it).

        Raises:
            StoreUnavailable: the server refused the connection, or the database is missing.
        """
        try:
            connection = psycopg.connect(self._dsn, **self._connect_arguments())
        except psycopg.OperationalError as err:
            raise _unavailable(self.server, err) from None
        self._configure(connection)
        return connection

    @contextmanager
    def borrowed(self) -> Iterator[psycopg.Connection[Any]]:
        """Lend a pooled connection for the ``with`` block.

        Raises:
            StoreUnavailable: no connection could be had within ``connect_timeout``.
        """
        try:
            with self._pool.connection() as connection:
                yield connection
        except PoolTimeout:
            raise StoreUnavailable(
                self.server, f"no connection within {self._timeout:g} s (server down or pool full)"
            ) from None

    def close(self) -> None:
        """Close every pooled connection (units still open fail on their next statement)."""
        self._pool.close()

    # ------------------------------------------------------------------ schema

    def schema_version(self) -> int:
        """Return the schema version of the store's schema (0: empty)."""
        with self.borrowed() as connection:
            row = connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            return int(row.fetchone()[0])  # type: ignore[index]

    def _migrate(self) -> None:
        with self.connect() as connection, connection.transaction():
            # one migrator at a time per database (the others wait here, then find it done)
            connection.execute("SELECT pg_advisory_xact_lock(hashtext('powerretail'))")
            if self.schema is not None:
                connection.execute(
                    pg_sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        pg_sql.Identifier(self.schema)
                    )
                )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version integer PRIMARY KEY, description text NOT NULL, "
                "applied_at timestamptz NOT NULL DEFAULT now())"
            )
            row = connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            found = int(row.fetchone()[0])  # type: ignore[index]
            known = self._migrations[-1].version if self._migrations else 0
            if found > known:
                where = f"{self.server} schema {self.schema or '(default)'}"
                raise SchemaTooNew(where, found, known)
            for step in self._migrations:
                if step.version <= found:
                    continue
                for statement in step.statements:
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                    (step.version, step.description),
                )

    def unit_of_work(self) -> PostgresUnitOfWork:
        """Return a new unit of work on this store (use it in a ``with`` block)."""
        return PostgresUnitOfWork(self)


class _Repository(RowRepository[K, E]):
    _LOCK = " FOR UPDATE"  # the change rule reads the stored row; hold it until commit
    _COLLATE = ' COLLATE "C"'  # ordered index texts compare byte by byte

    def __init__(self, uow: PostgresUnitOfWork, aggregate: Aggregate[K, E]) -> None:
        self._uow = uow
        self._aggregate = aggregate

    def add(self, entity: E) -> int:
        kind = self._aggregate.kind
        key = self._aggregate.key_of(entity)
        added = self._uow._sql(
            "INSERT INTO aggregates (kind, key, version, body, schema) VALUES (%s, %s, 1, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (kind, key, self._aggregate.body_of(entity), self._aggregate.schema_version),
        ).rowcount
        if added != 1:
            raise VersionConflict(kind, key, 0, self._version(key))
        self._index(key, entity)
        return 1

    def _select(self, columns: str, where: dict[str, Any]) -> list[Any]:
        wanted = sorted(self._aggregate.index_filter(where).items())
        sql = f"SELECT {columns} FROM aggregates AS a WHERE a.kind = %s"
        parameters: list[str] = [self._aggregate.kind]
        for field, value in wanted:
            sql += (
                " AND EXISTS (SELECT 1 FROM aggregate_index AS i WHERE i.kind = a.kind"
                " AND i.field = %s AND i.value = %s AND i.key = a.key)"
            )
            parameters += [field, value]
        return self._uow._sql(sql + ' ORDER BY a.key COLLATE "C"', parameters).fetchall()


class _Idempotency:
    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: str) -> IdempotencyRecord | None:
        row = self._uow._one(
            f"SELECT {IDEMPOTENCY_COLUMNS} FROM idempotency WHERE key = %s",
            (key,),
        )
        return None if row is None else idempotency_from_row(row)

    def put(self, record: IdempotencyRecord) -> None:
        stored = self._uow._sql(
            "INSERT INTO idempotency (key, command, fingerprint, outcome, result, recorded_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                record.key,
                record.command,
                record.fingerprint,
                record.outcome.value,
                canonical_json(record.result),
                as_instant(record.recorded_at, "recorded_at"),
            ),
        ).rowcount
        if stored != 1:
            raise KeyAlreadyRecorded(record.key)


class _Outbox:
    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def append(self, event: DomainEvent) -> OutboxEvent:
        last = self._uow._one(
            "SELECT COALESCE(MAX(sequence), 0) FROM outbox "
            "WHERE aggregate_kind = %s AND aggregate_id = %s",
            (event.aggregate_kind, event.aggregate_id),
        )
        stored = event.at_sequence(int(last[0]) + 1)
        inserted = self._uow._sql(
            f"INSERT INTO outbox ({EVENT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (
                stored.event_id,
                stored.aggregate_kind,
                stored.aggregate_id,
                stored.sequence,
                stored.event_type,
                stored.schema_major,
                canonical_json(stored.payload),
                as_instant(stored.occurred_at, "occurred_at"),
            ),
        ).rowcount
        if inserted != 1:
            # The snapshot's MAX(sequence) saw every committed number, so a skipped insert met a
            # visible event id; an invisible (concurrent) one is a serialization failure instead.
            raise DuplicateEvent(event.event_id)
        return stored

    def unpublished(self, limit: int = 100) -> tuple[OutboxEvent, ...]:
        rows = self._uow._sql(
            f"SELECT {EVENT_COLUMNS} FROM outbox WHERE NOT published ORDER BY position LIMIT %s",
            (limit,),
        ).fetchall()
        return tuple(event_from_row(row) for row in rows)

    def mark_published(self, event_ids: Iterable[str]) -> None:
        self._uow._sql(
            "UPDATE outbox SET published = true WHERE event_id = ANY(%s)", (list(event_ids),)
        )

    def events_for(self, aggregate_kind: str, aggregate_id: str) -> tuple[OutboxEvent, ...]:
        rows = self._uow._sql(
            f"SELECT {EVENT_COLUMNS} FROM outbox WHERE aggregate_kind = %s AND aggregate_id = %s"
            " ORDER BY sequence",
            (aggregate_kind, aggregate_id),
        ).fetchall()
        return tuple(event_from_row(row) for row in rows)


class _Inbox:
    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def has_processed(self, consumer: str, event_id: str) -> bool:
        row = self._uow._one(
            "SELECT 1 FROM inbox WHERE consumer = %s AND event_id = %s", (consumer, event_id)
        )
        return row is not None

    def last_sequence(self, consumer: str, aggregate_kind: str, aggregate_id: str) -> int:
        row = self._uow._one(
            "SELECT COALESCE(MAX(sequence), 0) FROM inbox "
            "WHERE consumer = %s AND aggregate_kind = %s AND aggregate_id = %s",
            (consumer, aggregate_kind, aggregate_id),
        )
        return int(row[0])

    def record_processed(self, consumer: str, event: OutboxEvent) -> None:
        inserted = self._uow._sql(
            "INSERT INTO inbox (consumer, event_id, aggregate_kind, aggregate_id, sequence) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (consumer, event.event_id, event.aggregate_kind, event.aggregate_id, event.sequence),
        ).rowcount
        if inserted != 1:
            raise DuplicateEvent(event.event_id)


class _Audit:
    def __init__(self, uow: PostgresUnitOfWork) -> None:
        self._uow = uow

    def append(self, record: AuditRecord) -> None:
        self._uow._sql(
            "INSERT INTO audit_log (actor, operation, subject, at, decision, schema, body)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (
                record.actor,
                record.operation,
                record.subject,
                as_instant(record.at, "at"),
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
        filters: dict[str, Any] = {"actor": actor, "operation": operation, "subject": subject}
        wanted = [
            (f"{column} = %s", value) for column, value in filters.items() if value is not None
        ]
        if since is not None:
            wanted.append(("at >= %s", as_instant(since, "since")))
        sql = "SELECT body FROM audit_log"
        if wanted:
            sql += " WHERE " + " AND ".join(condition for condition, _ in wanted)
        rows = self._uow._sql(sql + " ORDER BY position", [v for _, v in wanted]).fetchall()
        return tuple(decode_audit_record(json.loads(row[0])) for row in rows)


class PostgresUnitOfWork:
    """A unit of work on a :class:`PostgresStore`: one REPEATABLE READ server transaction."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self.server = store.server
        self._lease: Any = None
        self._connection: psycopg.Connection[Any] | None = None
        self._state = "not started"
        self.idempotency = _Idempotency(self)
        self.outbox = _Outbox(self)
        self.inbox = _Inbox(self)
        self.audit = _Audit(self)

    def __enter__(self) -> Self:
        if self._state != "not started":
            raise UnitOfWorkClosed(self._state)
        lease = self._store.borrowed()
        connection = lease.__enter__()
        try:
            connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        except psycopg.OperationalError as err:  # pragma: no cover - the pool checked it just now
            lease.__exit__(None, None, None)
            raise StoreUnavailable(self.server, f"could not begin a unit of work ({err})") from None
        self._lease, self._connection = lease, connection
        self._state = "open"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.rollback()

    def _open(self) -> psycopg.Connection[Any]:
        if self._state != "open" or self._connection is None:
            raise UnitOfWorkClosed(self._state)
        return self._connection

    @contextmanager
    def _statement(self) -> Iterator[psycopg.Connection[Any]]:
        connection = self._open()
        try:
            yield connection
        except psycopg.Error as err:
            raise self._failed(err, "a statement") from None

    def _sql(self, sql: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        with self._statement() as connection:  # the shared SQL writes ? for a parameter
            return connection.execute(sql.replace("?", "%s"), parameters)

    def _one(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        return self._sql(sql, parameters).fetchone()

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self._statement() as connection, connection.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)

    def _failed(self, err: psycopg.Error, during: str) -> PowerRetailError:
        """Finish the unit after ``err`` and return the powerretail error to raise."""
        connection = self._connection
        if connection is not None and connection.broken:
            self._release("rolled back")
            if during == "the commit":  # the COMMIT may or may not have reached the server
                outcome = (
                    "whether the server committed the unit is unknown; read back (or retry with "
                    "the same idempotency key) before doing it again"
                )
            else:
                outcome = "the server rolled the unit back, nothing of it was written"
            return StoreUnavailable(
                self.server, f"the connection was lost during {during} of a unit of work; {outcome}"
            )
        self.rollback()
        if err.sqlstate in _LOST_RACE:
            return SerializationConflict(self.server, str(err).strip())
        return PostgresError(self.server, f"{during} failed, the unit was rolled back: {err}")

    def repository(self, aggregate: Aggregate[K, E]) -> _Repository[K, E]:
        """Return the repository of ``aggregate`` inside this unit of work."""
        self._open()
        return _Repository(self, aggregate)

    def commit(self) -> None:
        """Commit the transaction: every write of this unit becomes visible together."""
        connection = self._open()
        try:
            connection.execute("COMMIT")
        except psycopg.Error as err:
            raise self._failed(err, "the commit") from None
        self._release("committed")

    def rollback(self) -> None:
        """Roll the transaction back (does nothing once committed or rolled back)."""
        if self._state != "open" or self._connection is None:
            if self._state == "not started":
                self._state = "rolled back"
            return
        with suppress(psycopg.Error):  # a lost connection: the server has rolled back already
            self._connection.execute("ROLLBACK")
        self._release("rolled back")

    def _release(self, state: str) -> None:
        self._state = state
        lease, self._lease, self._connection = self._lease, None, None
        lease.__exit__(None, None, None)


if TYPE_CHECKING:  # mypy proves the store implements the ports
    _conforms: UnitOfWorkFactory = PostgresStore("").unit_of_work
