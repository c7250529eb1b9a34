"""The in-memory store: the test fake of every port and the simplest embedding.

:class:`MemoryStore` keeps committed data in dictionaries behind a lock. A unit of work stages its
writes privately and checks them against the committed data when it commits (copy-on-commit):
a stale version, a key or event id taken meanwhile raises a
:class:`~powerretail.errors.ConcurrencyConflict` and writes nothing; a unit of work rolled back
leaves nothing behind. Entities are stored as canonical JSON from their codec, exactly as the
SQLite store keeps them, so a round trip through memory proves the same encoding.

>>> from powerretail.testing.ledger import LEDGER_ACCOUNTS, LedgerAccount
>>> store = MemoryStore()
>>> with store.unit_of_work() as uow:
...     uow.repository(LEDGER_ACCOUNTS).add(LedgerAccount.open("A-1", holder="Wang"))
...     uow.commit()
1
>>> with store.unit_of_work() as uow:
...     account, version = uow.repository(LEDGER_ACCOUNTS).get("A-1")
>>> account.holder, version
('Wang', 1)
"""

from __future__ import annotations

import json
import threading
import types
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast

import attrs

from powerretail.access import AuditRecord
from powerretail.errors import ConcurrencyConflict, NotFound, VersionConflict
from powerretail.repositories.aggregates import Aggregate, Versioned
from powerretail.repositories.audit import decode_audit_record, encode_audit_record, matches
from powerretail.repositories.codec import canonical_json
from powerretail.repositories.events import DomainEvent, DuplicateEvent, OutboxEvent
from powerretail.repositories.idempotency import IdempotencyRecord, KeyAlreadyRecorded
from powerretail.repositories.unit_of_work import UnitOfWorkClosed, UnitOfWorkFactory

__all__ = ["MemoryStore", "MemoryUnitOfWork"]

K = TypeVar("K", bound=str)
E = TypeVar("E")


@attrs.frozen
class _Row:
    version: int
    body: str
    index: dict[str, str]
    schema: int


@attrs.define
class _Committed:
    aggregates: dict[tuple[str, str], _Row] = attrs.Factory(dict)
    keys: dict[str, set[str]] = attrs.Factory(dict)  # kind → keys
    index: dict[tuple[str, str, str], set[str]] = attrs.Factory(dict)  # (kind, field, value) → keys
    idempotency: dict[str, IdempotencyRecord] = attrs.Factory(dict)
    outbox: list[OutboxEvent] = attrs.Factory(list)
    event_ids: set[str] = attrs.Factory(set)
    published: set[str] = attrs.Factory(set)
    last_sequence: dict[tuple[str, str], int] = attrs.Factory(dict)
    inbox: set[tuple[str, str]] = attrs.Factory(set)
    inbox_last: dict[tuple[str, str, str], int] = attrs.Factory(dict)
    audit: list[str] = attrs.Factory(list)  # canonical JSON of each record, append-only


class MemoryStore:
    """Hold every aggregate, idempotency record and event in memory, safely across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._committed = _Committed()

    def unit_of_work(self) -> MemoryUnitOfWork:
        """Return a new unit of work on this store (use it in a ``with`` block)."""
        return MemoryUnitOfWork(self._lock, self._committed)


class _Repository(Generic[K, E]):
    def __init__(self, uow: MemoryUnitOfWork, aggregate: Aggregate[K, E]) -> None:
        self._uow = uow
        self._aggregate = aggregate

    def _decode(self, row: _Row) -> Versioned[E]:
        entity = self._aggregate.decode(json.loads(row.body), row.schema)
        return Versioned(entity, row.version)

    def get(self, key: K) -> Versioned[E]:
        found = self.find(key)
        if found is None:
            raise NotFound(self._aggregate.kind, key)
        return found

    def find(self, key: K) -> Versioned[E] | None:
        row = self._uow._row(self._aggregate.kind, key)
        return None if row is None else self._decode(row)

    def add(self, entity: E) -> int:
        key = self._aggregate.key_of(entity)
        current = self._uow._row(self._aggregate.kind, key)
        if current is not None:
            raise VersionConflict(self._aggregate.kind, key, 0, current.version)
        self._uow._stage(self._aggregate.kind, key, 0, self._row(entity, 1))
        return 1

    def save(self, entity: E, expected_version: int) -> int:
        key = self._aggregate.key_of(entity)
        current = self._uow._row(self._aggregate.kind, key)
        if current is None or current.version != expected_version:
            actual = None if current is None else current.version
            raise VersionConflict(self._aggregate.kind, key, expected_version, actual)
        if self._aggregate.changes is not None:
            self._aggregate.check_change(self._decode(current).entity, entity)
        self._uow._stage(
            self._aggregate.kind, key, expected_version, self._row(entity, expected_version + 1)
        )
        return expected_version + 1

    def _matching(self, where: dict[str, Any]) -> list[tuple[str, _Row]]:
        wanted = self._aggregate.index_filter(where)
        late = set(self._aggregate.backfilled)  # rows stored before these were indexed lack them
        indexed = {field: value for field, value in wanted.items() if field not in late}
        rows = self._uow._candidates(self._aggregate.kind, indexed)
        return [
            (key, row)
            for key, row in sorted(rows.items())
            if all(self._index_text(row, field) == value for field, value in wanted.items())
        ]

    def _index_text(self, row: _Row, field: str) -> str:
        text = row.index.get(field)
        if text is None and field in self._aggregate.backfilled:
            return self._aggregate.index_text(field, self._decode(row).entity)
        return text if text is not None else ""

    def query(self, **where: Any) -> tuple[Versioned[E], ...]:
        return tuple(self._decode(row) for _key, row in self._matching(where))

    def keys(self, **where: Any) -> tuple[K, ...]:
        return tuple(cast(K, key) for key, _row in self._matching(where))

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
        found = []
        for key, row in self._matching(where):
            text = row.index.get(index)  # rows stored before the index was declared have none
            if text is None:
                text = self._aggregate.ordered_of(self._decode(row).entity)[index]
            if low <= text < high:
                found.append((text, key, row))
        return tuple(self._decode(row) for _text, _key, row in sorted(found)[:limit])

    def _row(self, entity: E, version: int) -> _Row:
        body = self._aggregate.body_of(entity)
        index = self._aggregate.index_of(entity) | self._aggregate.ordered_of(entity)
        return _Row(version, body, index, self._aggregate.schema_version)


class _Idempotency:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def get(self, key: str) -> IdempotencyRecord | None:
        uow = self._uow
        uow._require_open()
        if key in uow._records:
            return uow._records[key]
        with uow._lock:
            return uow._committed.idempotency.get(key)

    def put(self, record: IdempotencyRecord) -> None:
        if self.get(record.key) is not None:
            raise KeyAlreadyRecorded(record.key)
        self._uow._records[record.key] = record


class _Outbox:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def append(self, event: DomainEvent) -> OutboxEvent:
        uow = self._uow
        uow._require_open()
        aggregate = (event.aggregate_kind, event.aggregate_id)
        with uow._lock:
            taken = event.event_id in uow._committed.event_ids
            committed_last = uow._committed.last_sequence.get(aggregate, 0)
        if taken or any(staged.event_id == event.event_id for staged in uow._events):
            raise DuplicateEvent(event.event_id)
        base = uow._event_base.setdefault(aggregate, committed_last)
        sequence = (
            base
            + 1
            + sum(
                1
                for staged in uow._events
                if (staged.aggregate_kind, staged.aggregate_id) == aggregate
            )
        )
        stored = event.at_sequence(sequence)
        uow._events.append(stored)
        return stored

    def unpublished(self, limit: int = 100) -> tuple[OutboxEvent, ...]:
        uow = self._uow
        uow._require_open()
        with uow._lock:
            committed = [
                event
                for event in uow._committed.outbox
                if event.event_id not in uow._committed.published
            ]
        pending = [
            event for event in (*committed, *uow._events) if event.event_id not in uow._published
        ]
        return tuple(pending[:limit])

    def mark_published(self, event_ids: Iterable[str]) -> None:
        self._uow._require_open()
        self._uow._published.update(event_ids)

    def events_for(self, aggregate_kind: str, aggregate_id: str) -> tuple[OutboxEvent, ...]:
        uow = self._uow
        uow._require_open()
        with uow._lock:
            committed = list(uow._committed.outbox)
        return tuple(
            event
            for event in (*committed, *uow._events)
            if (event.aggregate_kind, event.aggregate_id) == (aggregate_kind, aggregate_id)
        )


class _Inbox:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def has_processed(self, consumer: str, event_id: str) -> bool:
        uow = self._uow
        uow._require_open()
        if (consumer, event_id) in uow._processed:
            return True
        with uow._lock:
            return (consumer, event_id) in uow._committed.inbox

    def last_sequence(self, consumer: str, aggregate_kind: str, aggregate_id: str) -> int:
        uow = self._uow
        uow._require_open()
        key = (consumer, aggregate_kind, aggregate_id)
        with uow._lock:
            committed = uow._committed.inbox_last.get(key, 0)
        return max(committed, uow._processed_last.get(key, 0))

    def record_processed(self, consumer: str, event: OutboxEvent) -> None:
        if self.has_processed(consumer, event.event_id):
            raise DuplicateEvent(event.event_id)
        uow = self._uow
        uow._processed[(consumer, event.event_id)] = event
        key = (consumer, event.aggregate_kind, event.aggregate_id)
        uow._processed_last[key] = max(uow._processed_last.get(key, 0), event.sequence)


class _Audit:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow

    def append(self, record: AuditRecord) -> None:
        self._uow._require_open()
        self._uow._audit.append(canonical_json(encode_audit_record(record)))

    def records(
        self,
        *,
        actor: str | None = None,
        operation: str | None = None,
        subject: str | None = None,
        since: Any = None,
    ) -> tuple[AuditRecord, ...]:
        uow = self._uow
        uow._require_open()
        with uow._lock:
            committed = list(uow._committed.audit)
        every = (decode_audit_record(json.loads(text)) for text in (*committed, *uow._audit))
        return tuple(
            record
            for record in every
            if matches(record, actor=actor, operation=operation, subject=subject, since=since)
        )


class MemoryUnitOfWork:
    """A unit of work on a :class:`MemoryStore`: private writes, checked and applied at commit."""

    def __init__(self, lock: threading.Lock, committed: _Committed) -> None:
        self._lock = lock
        self._committed = committed
        self._state = "not started"
        self._staged: dict[tuple[str, str], tuple[int, _Row]] = {}
        self._records: dict[str, IdempotencyRecord] = {}
        self._events: list[OutboxEvent] = []
        self._event_base: dict[tuple[str, str], int] = {}
        self._published: set[str] = set()
        self._processed: dict[tuple[str, str], OutboxEvent] = {}
        self._processed_last: dict[tuple[str, str, str], int] = {}
        self._audit: list[str] = []
        self.idempotency = _Idempotency(self)
        self.outbox = _Outbox(self)
        self.inbox = _Inbox(self)
        self.audit = _Audit(self)

    def __enter__(self) -> Self:
        if self._state != "not started":
            raise UnitOfWorkClosed(self._state)
        self._state = "open"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        self.rollback()

    def _require_open(self) -> None:
        if self._state != "open":
            raise UnitOfWorkClosed(self._state)

    def repository(self, aggregate: Aggregate[K, E]) -> _Repository[K, E]:
        """Return the repository of ``aggregate`` inside this unit of work."""
        self._require_open()
        return _Repository(self, aggregate)

    def _row(self, kind: str, key: str) -> _Row | None:
        self._require_open()
        staged = self._staged.get((kind, key))
        if staged is not None:
            return staged[1]
        with self._lock:
            return self._committed.aggregates.get((kind, key))

    def _candidates(self, kind: str, wanted: dict[str, str]) -> dict[str, _Row]:
        """Return the rows of ``kind`` that may match ``wanted`` (staged rows included)."""
        self._require_open()
        committed = self._committed
        with self._lock:
            every = committed.keys.get(kind, set())
            found = [
                committed.index.get((kind, field, value), set()) for field, value in wanted.items()
            ]
            # start from the smallest set: a query by an index costs its matches, not the kind
            smallest = min(found, key=len) if found else every
            keys = {k for k in smallest if k in every and all(k in s for s in found)}
            rows = {key: committed.aggregates[(kind, key)] for key in keys}
        rows.update({key: row for (k, key), (_, row) in self._staged.items() if k == kind})
        return rows

    def _stage(self, kind: str, key: str, base: int, row: _Row) -> None:
        previous = self._staged.get((kind, key))
        self._staged[(kind, key)] = (base if previous is None else previous[0], row)

    def commit(self) -> None:
        """Apply every staged write together, or none of them.

        Raises:
            VersionConflict: an aggregate changed since this unit read it.
            KeyAlreadyRecorded: another unit recorded the same idempotency key.
            DuplicateEvent: another unit stored an event or inbox entry with the same id.
            ConcurrencyConflict: another unit appended events to the same aggregate.
        """
        self._require_open()
        try:
            with self._lock:
                self._check()
                self._apply()
        except ConcurrencyConflict:
            self.rollback()
            raise
        self._state = "committed"

    def _check(self) -> None:
        committed = self._committed
        for (kind, key), (base, _row) in self._staged.items():
            current = committed.aggregates.get((kind, key))
            actual = 0 if current is None else current.version
            if actual != base:
                raise VersionConflict(kind, key, base, None if current is None else actual)
        for key in self._records:
            if key in committed.idempotency:
                raise KeyAlreadyRecorded(key)
        for event in self._events:
            if event.event_id in committed.event_ids:
                raise DuplicateEvent(event.event_id)
        for aggregate, base in self._event_base.items():
            if committed.last_sequence.get(aggregate, 0) != base:
                raise ConcurrencyConflict(
                    f"events were appended to {aggregate[0]} {aggregate[1]!r} meanwhile"
                )
        for consumer, event_id in self._processed:
            if (consumer, event_id) in committed.inbox:
                raise DuplicateEvent(event_id)

    def _apply(self) -> None:
        committed = self._committed
        for (kind, key), (_base, row) in self._staged.items():
            previous = committed.aggregates.get((kind, key))
            if previous is not None:
                for field, value in previous.index.items():
                    committed.index[(kind, field, value)].discard(key)
            for field, value in row.index.items():
                committed.index.setdefault((kind, field, value), set()).add(key)
            committed.aggregates[(kind, key)] = row
            committed.keys.setdefault(kind, set()).add(key)
        committed.idempotency.update(self._records)
        for event in self._events:
            committed.outbox.append(event)
            committed.event_ids.add(event.event_id)
            aggregate = (event.aggregate_kind, event.aggregate_id)
            committed.last_sequence[aggregate] = event.sequence
        committed.published.update(self._published & committed.event_ids)
        committed.inbox.update(self._processed)
        committed.audit.extend(self._audit)
        for aggregate_of_consumer, sequence in self._processed_last.items():
            committed.inbox_last[aggregate_of_consumer] = max(
                committed.inbox_last.get(aggregate_of_consumer, 0), sequence
            )

    def rollback(self) -> None:
        """Discard every staged write (does nothing once committed or rolled back)."""
        if self._state in ("committed", "rolled back"):
            return
        self._state = "rolled back"
        self._staged.clear()
        self._records.clear()
        self._events.clear()
        self._event_base.clear()
        self._published.clear()
        self._processed.clear()
        self._processed_last.clear()
        self._audit.clear()


if TYPE_CHECKING:  # mypy proves the store implements the ports
    _conforms: UnitOfWorkFactory = MemoryStore().unit_of_work
