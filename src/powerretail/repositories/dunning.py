"""Port of dunning: each dunning case with its history, and the orders a dunning run issues.

A :class:`~powerretail.collections.dunning.DunningCase` keeps its history as generic transition
records; storage keeps a :class:`StoredDunningCase` (the case without its history, and the
history as :class:`~powerretail.repositories.contracts.StoredTransition` records of plain
values), as contracts are stored. A :class:`DunningOrder` is a work item of a dunning run — a
reminder to send, a stop notice to serve, a stop or restore order, a restore breach — and never
changes once stored.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import TypeAlias

import attrs

from powerretail.collections.dunning import DunningCase, DunningEvent, DunningState
from powerretail.repositories.aggregates import Aggregate, AggregateRepository, never_changes
from powerretail.repositories.contracts import (
    StoredTransition,
    restored_history,
    stored_history,
)

__all__ = [
    "DUNNING_CASES",
    "DUNNING_ORDERS",
    "DunningCaseRepository",
    "DunningOrder",
    "OrderKind",
    "StoredDunningCase",
]


@attrs.frozen(kw_only=True)
class StoredDunningCase:
    """A dunning case as stored: the case without its history, and the history as records."""

    case_id: str
    account_id: str
    case: DunningCase
    history: tuple[StoredTransition, ...] = ()

    @classmethod
    def of(cls, case: DunningCase) -> StoredDunningCase:
        """Return ``case`` as stored."""
        return cls(
            case_id=case.id,
            account_id=case.account_id,
            case=attrs.evolve(case, history=()),
            history=stored_history(case.history),
        )

    def case_with_history(self) -> DunningCase:
        """Return the case with its history restored."""
        history = restored_history(self.history, DunningState, DunningEvent)
        return attrs.evolve(self.case, history=history)


class OrderKind(enum.Enum):
    """What a dunning order asks for."""

    REMINDER = "reminder"
    STOP_NOTICE = "stop_notice"
    STOP = "stop"
    RESTORE = "restore"
    RESTORE_BREACH = "restore_breach"
    REFUSED = "refused"


@attrs.frozen(kw_only=True)
class DunningOrder:
    """A work item of a dunning run: ``kind`` for ``case_id``, to be done by ``due_at``."""

    order_id: str
    case_id: str
    account_id: str
    kind: OrderKind
    issued_at: _dt.datetime
    due_at: _dt.datetime
    detail: str
    source: str = ""


#: Dunning cases, keyed by case id, found by account.
DUNNING_CASES: Aggregate[str, StoredDunningCase] = Aggregate(
    kind="dunning_case", entity_type=StoredDunningCase, key_field="case_id", indexed=("account_id",)
)
#: Dunning orders, keyed by order id, found by case and account; an order never changes.
DUNNING_ORDERS: Aggregate[str, DunningOrder] = Aggregate(
    kind="dunning_order",
    entity_type=DunningOrder,
    key_field="order_id",
    indexed=("case_id", "account_id"),
    changes=never_changes("issued"),
)

DunningCaseRepository: TypeAlias = AggregateRepository[str, StoredDunningCase]
