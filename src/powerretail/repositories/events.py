"""Domain events in an outbox: written with the state they describe, published at least once.

A unit of work appends :class:`DomainEvent` s to its outbox; they are committed or rolled back
with the state they describe, so an event is never published for a change that did not happen,
and never lost for one that did (RELIABILITY R19). The store numbers each aggregate's events
1, 2, 3 … (``sequence``): consumers see them in that order.

The embedding app moves events from the outbox to its broker with :func:`publish_pending`
(at least once: an event may be delivered twice if the app stops between publishing and marking)
and consumes them with :func:`consume_once`, which drops duplicates by event id and refuses an
event that arrives before its predecessor.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

import attrs

from powerretail.errors import (
    ConcurrencyConflict,
    InvalidInput,
    PowerRetailError,
    RuleViolation,
    describe_value,
)
from powerretail.ids import require_id
from powerretail.repositories.codec import JsonValue, json_object
from powerretail.timeframe import as_instant

if TYPE_CHECKING:
    from powerretail.repositories.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "DomainEvent",
    "DuplicateEvent",
    "EventOutOfOrder",
    "Inbox",
    "Outbox",
    "OutboxEvent",
    "OutboxNotAdvancing",
    "consume_once",
    "publish_pending",
]

_EVENT_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,127}$")


def _payload(value: object) -> dict[str, JsonValue]:
    return json_object(value, "payload")


def _event_type(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not _EVENT_TYPE.match(value):
        raise InvalidInput("event_type", value, "a name such as 'PaymentPosted' or 'bill.issued'")


def _positive(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(attribute.name, value, "a whole number of at least 1")


def _event_id(value: object) -> str:
    return require_id(value, "event_id")


def _aggregate_id(value: object) -> str:
    return require_id(value, "aggregate_id")


def _occurred_at(value: object) -> _dt.datetime:
    return as_instant(value, "occurred_at")


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Something that happened to an aggregate, as a writer appends it to the outbox.

    Attributes:
        event_id: unique, chosen by the writer (derive it from the command's idempotency key so
            a retried command cannot append a second copy).
        aggregate_kind: the :attr:`Aggregate.kind` of the aggregate it happened to.
        aggregate_id: that aggregate's key.
        event_type: what happened ("PaymentPosted").
        schema_major: the major version of the payload's schema; bump it on a breaking change.
        payload: JSON-ready data (money as strings).
        occurred_at: when it happened (aware).
    """

    event_id: str = attrs.field(converter=_event_id)
    aggregate_kind: str
    aggregate_id: str = attrs.field(converter=_aggregate_id)
    event_type: str = attrs.field(validator=_event_type)
    schema_major: int = attrs.field(validator=_positive)
    payload: dict[str, JsonValue] = attrs.field(converter=_payload)
    occurred_at: _dt.datetime = attrs.field(converter=_occurred_at)

    def at_sequence(self, sequence: int) -> OutboxEvent:
        """Return this event as stored, numbered ``sequence`` within its aggregate."""
        return OutboxEvent(
            event_id=self.event_id,
            aggregate_kind=self.aggregate_kind,
            aggregate_id=self.aggregate_id,
            sequence=sequence,
            event_type=self.event_type,
            schema_major=self.schema_major,
            payload=self.payload,
            occurred_at=self.occurred_at,
        )


@attrs.frozen(kw_only=True)
class OutboxEvent:
    """A domain event as stored: numbered ``sequence`` (1, 2, …) within its aggregate."""

    event_id: str
    aggregate_kind: str
    aggregate_id: str
    sequence: int = attrs.field(validator=_positive)
    event_type: str
    schema_major: int
    payload: dict[str, JsonValue]
    occurred_at: _dt.datetime


class DuplicateEvent(ConcurrencyConflict):
    """An event with this id is already in the outbox; nothing was appended."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        super().__init__(event_id)

    def __str__(self) -> str:
        return f"event {describe_value(self.event_id)} is already in the outbox"


class EventOutOfOrder(RuleViolation):
    """An event arrived before an earlier event of the same aggregate; deliver that one first."""

    def __init__(self, consumer: str, event: OutboxEvent, last_sequence: int) -> None:
        self.consumer = consumer
        self.event = event
        self.last_sequence = last_sequence
        super().__init__(consumer, event, last_sequence)

    def __str__(self) -> str:
        return (
            f"{self.consumer}: event {self.event.sequence} of {self.event.aggregate_kind} "
            f"{describe_value(self.event.aggregate_id)} arrived but the last one processed is "
            f"{self.last_sequence}; expected {self.last_sequence + 1}"
        )


class OutboxNotAdvancing(PowerRetailError, RuntimeError):
    """The outbox handed out again an event just marked published: the store is broken."""

    def __init__(self, event_id: str) -> None:
        self.event_id = event_id
        super().__init__(event_id)

    def __str__(self) -> str:
        return (
            f"event {describe_value(self.event_id)} is still unpublished after it was marked "
            "published; the store does not keep mark_published"
        )


class Outbox(Protocol):
    """The domain events of a unit of work, stored and rolled back with it."""

    def append(self, event: DomainEvent) -> OutboxEvent:
        """Store ``event`` after the aggregate's last event and return it with its sequence.

        Raises:
            DuplicateEvent: an event with the same id is stored.
        """
        ...

    def unpublished(self, limit: int = 100) -> tuple[OutboxEvent, ...]:
        """Return up to ``limit`` events not yet marked published, oldest first."""
        ...

    def mark_published(self, event_ids: Iterable[str]) -> None:
        """Mark the events ``event_ids`` published (unknown ids are ignored)."""
        ...

    def events_for(self, aggregate_kind: str, aggregate_id: str) -> tuple[OutboxEvent, ...]:
        """Return every event of one aggregate, in sequence order."""
        ...


class Inbox(Protocol):
    """The events a consumer has processed, stored and rolled back with its unit of work."""

    def has_processed(self, consumer: str, event_id: str) -> bool:
        """Return whether ``consumer`` has processed event ``event_id``."""
        ...

    def last_sequence(self, consumer: str, aggregate_kind: str, aggregate_id: str) -> int:
        """Return the highest sequence ``consumer`` processed for the aggregate (0: none)."""
        ...

    def record_processed(self, consumer: str, event: OutboxEvent) -> None:
        """Remember that ``consumer`` processed ``event``.

        Raises:
            DuplicateEvent: it was already recorded.
        """
        ...


def publish_pending(
    make_unit_of_work: UnitOfWorkFactory,
    publish: Callable[[OutboxEvent], None],
    *,
    batch_size: int = 100,
) -> int:
    """Hand every unpublished event to ``publish``, oldest first; return how many were handed.

    Each event is marked published after ``publish`` returns. If ``publish`` raises, the events
    before it are marked, the error propagates, and the failed event is handed again next time —
    at least once, in order.

    Raises:
        OutboxNotAdvancing: the store handed out again an event this call marked published.
    """
    handed = 0
    marked: set[str] = set()
    while True:
        with make_unit_of_work() as uow:
            batch = uow.outbox.unpublished(batch_size)
        if not batch:
            return handed
        for event in batch:
            if event.event_id in marked:
                raise OutboxNotAdvancing(event.event_id)
        done: list[str] = []
        try:
            for event in batch:
                publish(event)
                done.append(event.event_id)
        finally:
            if done:
                with make_unit_of_work() as uow:
                    uow.outbox.mark_published(done)
                    uow.commit()
                marked.update(done)
            handed += len(done)


def consume_once(
    make_unit_of_work: UnitOfWorkFactory,
    consumer: str,
    event: OutboxEvent,
    handle: Callable[[UnitOfWork, OutboxEvent], None],
    *,
    in_order: bool = True,
) -> bool:
    """Run ``handle(uow, event)`` unless ``consumer`` already processed ``event``.

    The handler's writes and the record that the event was processed commit together, so a
    redelivered event is dropped and a crash leaves the event to be processed again. Return
    whether the handler ran.

    Raises:
        EventOutOfOrder: ``in_order`` and an earlier event of the aggregate is not processed yet.
    """
    with make_unit_of_work() as uow:
        if uow.inbox.has_processed(consumer, event.event_id):
            return False
        if in_order:
            last = uow.inbox.last_sequence(consumer, event.aggregate_kind, event.aggregate_id)
            if event.sequence <= last:  # in order, an earlier sequence was processed already
                return False
            if event.sequence != last + 1:
                raise EventOutOfOrder(consumer, event, last)
        handle(uow, event)
        uow.inbox.record_processed(consumer, event)
        uow.commit()
        return True
