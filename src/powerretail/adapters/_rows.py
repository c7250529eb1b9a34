"""What the SQL stores (SQLite, PostgreSQL) share: stored rows and how they are read back."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar, Final, Generic, Protocol, TypeVar

from powerretail.errors import NotFound, VersionConflict
from powerretail.repositories.aggregates import Aggregate, Versioned
from powerretail.repositories.events import OutboxEvent
from powerretail.repositories.idempotency import IdempotencyRecord, Outcome
from powerretail.timeframe import as_instant

K = TypeVar("K", bound=str)
E = TypeVar("E")

#: The outbox columns :func:`event_from_row` reads, in order.
EVENT_COLUMNS: Final = (
    "event_id, aggregate_kind, aggregate_id, sequence, event_type, schema_major, payload, "
    "occurred_at"
)

#: The idempotency columns :func:`idempotency_from_row` reads, in order.
IDEMPOTENCY_COLUMNS: Final = "key, command, fingerprint, outcome, result, recorded_at"


def event_from_row(row: Sequence[Any]) -> OutboxEvent:
    """Return the stored event of a row of :data:`EVENT_COLUMNS`."""
    return OutboxEvent(
        event_id=row[0],
        aggregate_kind=row[1],
        aggregate_id=row[2],
        sequence=int(row[3]),
        event_type=row[4],
        schema_major=int(row[5]),
        payload=json.loads(row[6]),
        occurred_at=as_instant(row[7], "occurred_at"),
    )


def idempotency_from_row(row: Sequence[Any]) -> IdempotencyRecord:
    """Return the record of a row of :data:`IDEMPOTENCY_COLUMNS`."""
    return IdempotencyRecord(
        key=row[0],
        command=row[1],
        fingerprint=row[2],
        outcome=Outcome(row[3]),
        result=json.loads(row[4]),
        recorded_at=as_instant(row[5], "recorded_at"),
    )


class _Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchall(self) -> list[Any]: ...


class RowUnit(Protocol):
    """What a repository needs of its store's unit of work (SQL with ``?`` for parameters)."""

    def _sql(self, sql: str, parameters: Sequence[Any] = ()) -> _Cursor: ...

    def _one(self, sql: str, parameters: Sequence[Any] = ()) -> Any: ...

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class RowRepository(Generic[K, E]):
    """What every SQL repository does alike; a store supplies ``add`` and ``_select``."""

    #: appended to the read of the stored row that the change rule checks (" FOR UPDATE")
    _LOCK: ClassVar[str] = ""
    #: how ordered index texts are compared byte by byte (' COLLATE "C"' where not the default)
    _COLLATE: ClassVar[str] = ""
    _uow: RowUnit
    _aggregate: Aggregate[K, E]

    def find(self, key: K) -> Versioned[E] | None:
        row = self._uow._one(
            "SELECT version, body, schema FROM aggregates WHERE kind = ? AND key = ?",
            (self._aggregate.kind, key),
        )
        return None if row is None else self._decode(row)

    def _version(self, key: str) -> int | None:
        row = self._uow._one(
            "SELECT version FROM aggregates WHERE kind = ? AND key = ?", (self._aggregate.kind, key)
        )
        return None if row is None else int(row[0])

    def save(self, entity: E, expected_version: int) -> int:
        kind = self._aggregate.kind
        key = self._aggregate.key_of(entity)
        body = self._aggregate.body_of(entity)
        if self._aggregate.changes is not None:
            self._check_change(key, entity, expected_version)
        updated = self._uow._sql(
            "UPDATE aggregates SET version = version + 1, body = ?, schema = ? "
            "WHERE kind = ? AND key = ? AND version = ?",
            (body, self._aggregate.schema_version, kind, key, expected_version),
        ).rowcount
        if updated != 1:
            raise VersionConflict(kind, key, expected_version, self._version(key))
        self._index(key, entity)
        return expected_version + 1

    def _check_change(self, key: str, entity: E, expected_version: int) -> None:
        """Refuse a save the aggregate's change rule forbids (the transaction holds the row)."""
        row = self._uow._one(
            "SELECT version, body, schema FROM aggregates WHERE kind = ? AND key = ?" + self._LOCK,
            (self._aggregate.kind, key),
        )
        if row is None or int(row[0]) != expected_version:
            actual = None if row is None else int(row[0])
            raise VersionConflict(self._aggregate.kind, key, expected_version, actual)
        self._aggregate.check_change(self._decode(row).entity, entity)

    def _index(self, key: str, entity: E) -> None:
        kind = self._aggregate.kind
        fields = self._aggregate.index_of(entity) | self._aggregate.ordered_of(entity)
        self._uow._sql("DELETE FROM aggregate_index WHERE kind = ? AND key = ?", (kind, key))
        self._uow._many(
            "INSERT INTO aggregate_index (kind, field, value, key) VALUES (?, ?, ?, ?)",
            [(kind, field, value, key) for field, value in fields.items()],
        )

    def _select(self, columns: str, where: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    def get(self, key: K) -> Versioned[E]:
        found = self.find(key)
        if found is None:
            raise NotFound(self._aggregate.kind, key)
        return found

    def _decode(self, row: Sequence[Any]) -> Versioned[E]:
        """Return the entity of a ``(version, body, schema)`` row, upgraded to this schema."""
        version, body, schema = row
        return Versioned(self._aggregate.decode(json.loads(body), int(schema)), int(version))

    def query(self, **where: Any) -> tuple[Versioned[E], ...]:
        self._backfill(where)
        rows = self._select("a.version, a.body, a.schema", where)
        return tuple(self._decode(row) for row in rows)

    def keys(self, **where: Any) -> tuple[K, ...]:
        self._backfill(where)
        return tuple(row[0] for row in self._select("a.key", where))

    def _backfill(self, where: dict[str, Any]) -> None:
        for field in self._aggregate.backfilled:
            if field in where:
                self._build(field, functools.partial(self._aggregate.index_text, field))

    def query_range(
        self,
        index: str,
        start: date | None,
        end: date | None,
        *,
        limit: int | None = None,
        **where: Any,
    ) -> tuple[Versioned[E], ...]:
        low, high = self._aggregate.ordered_bounds(index, start, end, where)
        self._build(index, lambda entity: self._aggregate.ordered_of(entity)[index])
        value, key = "f.value" + self._COLLATE, "f.key" + self._COLLATE
        sql = (
            "SELECT a.version, a.body, a.schema FROM aggregate_index AS f JOIN aggregates"
            " AS a ON a.kind = f.kind AND a.key = f.key WHERE f.kind = ? AND f.field = ?"
            f" AND {value} >= ? AND {value} < ? ORDER BY {value}, {key}"
        )
        parameters: list[Any] = [self._aggregate.kind, index, low, high]
        if limit is not None:
            sql += " LIMIT ?"
            parameters.append(limit)
        return tuple(self._decode(row) for row in self._uow._sql(sql, parameters).fetchall())

    def _build(self, index: str, value_of: Callable[[E], str]) -> None:
        """Write ``index``'s rows for entities stored before it was built (once).

        ``index`` is an ordered index or a backfilled field; ``value_of`` gives an entity's row.
        """
        kind = self._aggregate.kind
        built = "SELECT 1 FROM aggregate_index_built WHERE kind = ? AND name = ?"
        if self._uow._one(built, (kind, index)) is not None:
            return
        stored = self._uow._sql(
            "SELECT key, version, body, schema FROM aggregates WHERE kind = ?", (kind,)
        ).fetchall()
        self._uow._sql("DELETE FROM aggregate_index WHERE kind = ? AND field = ?", (kind, index))
        self._uow._many(
            "INSERT INTO aggregate_index (kind, field, value, key) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(kind, index, value_of(self._decode(row[1:]).entity), row[0]) for row in stored],
        )
        self._uow._sql(
            "INSERT INTO aggregate_index_built (kind, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (kind, index),
        )
