"""Port of outages: each planned or temporary outage with its notices and history.

An :class:`~powerretail.service.outages.Outage` keeps its history as generic transition records;
storage keeps a :class:`StoredOutage` (the outage without its history, and the history as
:class:`~powerretail.repositories.contracts.StoredTransition` records of plain values), as
dunning cases are stored.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from powerretail.repositories.aggregates import Aggregate, AggregateRepository
from powerretail.repositories.contracts import (
    StoredTransition,
    restored_history,
    stored_history,
)
from powerretail.service.outages import Outage, OutageEvent, OutageState

__all__ = ["OUTAGES", "OutageRepository", "StoredOutage"]


@attrs.frozen(kw_only=True)
class StoredOutage:
    """An outage as stored: the outage without its history, and the history as records.

    ``feeder`` and ``area`` are indexed.
    """

    outage_id: str
    feeder: str
    area: str
    outage: Outage
    history: tuple[StoredTransition, ...] = ()

    @classmethod
    def of(cls, outage: Outage) -> StoredOutage:
        """Return ``outage`` as stored."""
        return cls(
            outage_id=outage.id,
            feeder=outage.feeder,
            area=outage.area,
            outage=attrs.evolve(outage, history=()),
            history=stored_history(outage.history),
        )

    def outage_with_history(self) -> Outage:
        """Return the outage with its history restored."""
        history = restored_history(self.history, OutageState, OutageEvent)
        return attrs.evolve(self.outage, history=history)


#: Outages, keyed by outage id, found by feeder and by transformer area (台区).
OUTAGES: Aggregate[str, StoredOutage] = Aggregate(
    kind="outage", entity_type=StoredOutage, key_field="outage_id", indexed=("feeder", "area")
)

OutageRepository: TypeAlias = AggregateRepository[str, StoredOutage]
