"""What the SQL stores (SQLite, PostgreSQL) share: stored rows and how they are read back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final, Generic, TypeVar

from powerretail.errors import NotFound
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


class RowRepository(Generic[K, E]):
    """The reads every SQL repository does alike; a store supplies ``find`` and ``_select``."""

    _aggregate: Aggregate[K, E]

    def find(self, key: K) -> Versioned[E] | None:
        raise NotImplementedError

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

    def _index_rows(self, key: str, entity: E) -> list[tuple[str, str, str, str]]:
        """Return the ``(kind, field, value, key)`` index rows of ``entity``."""
        kind = self._aggregate.kind
        return [
            (kind, field, value, key) for field, value in self._aggregate.index_of(entity).items()
        ]

    def query(self, **where: Any) -> tuple[Versioned[E], ...]:
        rows = self._select("a.version, a.body, a.schema", where)
        return tuple(self._decode(row) for row in rows)

    def keys(self, **where: Any) -> tuple[K, ...]:
        return tuple(row[0] for row in self._select("a.key", where))
