"""Import entities so that running the same import twice changes nothing (RELIABILITY R22).

:func:`import_entities` adds each entity whose key is new, leaves alone each one already stored
exactly as given, and reports (without overwriting) each one stored differently — re-running an
import of accounts, balances or reads creates no duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import attrs

from powerretail.errors import InvalidInput
from powerretail.repositories.aggregates import Aggregate
from powerretail.repositories.unit_of_work import UnitOfWorkFactory

__all__ = ["ImportReport", "import_entities"]

K = TypeVar("K", bound=str)
E = TypeVar("E")


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import did, key by key."""

    added: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    different: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.unchanged)} unchanged, "
            f"{len(self.different)} stored differently (left alone)"
        )


def import_entities(
    make_unit_of_work: UnitOfWorkFactory,
    aggregate: Aggregate[K, E],
    entities: Iterable[E],
    *,
    batch_size: int = 500,
) -> ImportReport:
    """Store the entities not stored yet, ``batch_size`` per unit of work; report each key.

    A batch commits as a whole; a crash between batches leaves whole batches, and running the
    import again finishes it.

    Raises:
        InvalidInput: ``batch_size`` below 1, or two entities with one key in ``entities``.
    """
    if batch_size < 1:
        raise InvalidInput("batch_size", batch_size, "at least 1")
    added: list[str] = []
    unchanged: list[str] = []
    different: list[str] = []
    seen: set[str] = set()
    batch: list[E] = []

    def flush() -> None:
        with make_unit_of_work() as uow:
            repository = uow.repository(aggregate)
            for entity in batch:
                key = aggregate.key_of(entity)
                stored = repository.find(key)
                if stored is None:
                    repository.add(entity)
                    added.append(key)
                elif stored.entity == entity:
                    unchanged.append(key)
                else:
                    different.append(key)
            uow.commit()
        batch.clear()

    for entity in entities:
        key = aggregate.key_of(entity)
        if key in seen:
            raise InvalidInput(f"{aggregate.kind}.{aggregate.key_field}", key, "a key used once")
        seen.add(key)
        batch.append(entity)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return ImportReport(added=tuple(added), unchanged=tuple(unchanged), different=tuple(different))
