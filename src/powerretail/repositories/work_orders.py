"""Port of work orders: each work order with its history, found by subject and by case.

A :class:`~powerretail.service.work_orders.WorkOrder` keeps its history as generic transition
records; storage keeps a :class:`StoredWorkOrder` (the order without its history, and the history
as :class:`~powerretail.repositories.contracts.StoredTransition` records of plain values), as
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
from powerretail.service.work_orders import WorkOrder, WorkOrderEvent, WorkOrderState

__all__ = ["WORK_ORDERS", "StoredWorkOrder", "WorkOrderRepository"]


@attrs.frozen(kw_only=True)
class StoredWorkOrder:
    """A work order as stored: the order without its history, and the history as records.

    ``subject`` (a meter, account or service point id) and ``source_case_id`` are indexed.
    """

    order_id: str
    subject: str
    source_case_id: str | None
    order: WorkOrder
    history: tuple[StoredTransition, ...] = ()

    @classmethod
    def of(cls, order: WorkOrder) -> StoredWorkOrder:
        """Return ``order`` as stored."""
        return cls(
            order_id=order.id,
            subject=order.subject,
            source_case_id=order.source_case_id,
            order=attrs.evolve(order, history=()),
            history=stored_history(order.history),
        )

    def order_with_history(self) -> WorkOrder:
        """Return the order with its history restored."""
        history = restored_history(self.history, WorkOrderState, WorkOrderEvent)
        return attrs.evolve(self.order, history=history)


#: Work orders, keyed by order id, found by subject and by the case that raised them.
WORK_ORDERS: Aggregate[str, StoredWorkOrder] = Aggregate(
    kind="work_order",
    entity_type=StoredWorkOrder,
    key_field="order_id",
    indexed=("subject", "source_case_id"),
)

WorkOrderRepository: TypeAlias = AggregateRepository[str, StoredWorkOrder]
