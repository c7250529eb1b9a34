"""Port of service cases: each case with its history, found by customer, kind and state.

A :class:`~powerretail.service.cases.Case` keeps its history as generic transition records;
storage keeps a :class:`StoredCase` (the case without its history, and the history as
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
from powerretail.service.cases import Case
from powerretail.service.kinds import CaseEvent, CaseState

__all__ = ["SERVICE_CASES", "ServiceCaseRepository", "StoredCase"]


@attrs.frozen(kw_only=True)
class StoredCase:
    """A case as stored: the case without its history, the history as records, and the
    fields it is found by."""

    case_id: str
    customer_id: str
    kind: str
    is_open: bool
    case: Case
    history: tuple[StoredTransition, ...] = ()

    @classmethod
    def of(cls, case: Case) -> StoredCase:
        """Return ``case`` as stored."""
        return cls(
            case_id=case.id,
            customer_id=str(case.customer_id),
            kind=case.kind.value,
            is_open=not case.is_closed,
            case=attrs.evolve(case, history=()),
            history=stored_history(case.history),
        )

    def case_with_history(self) -> Case:
        """Return the case with its history restored."""
        history = restored_history(self.history, CaseState, CaseEvent)
        return attrs.evolve(self.case, history=history)


#: Service cases, keyed by case id, found by customer, kind and whether still open.
SERVICE_CASES: Aggregate[str, StoredCase] = Aggregate(
    kind="service_case",
    entity_type=StoredCase,
    key_field="case_id",
    indexed=("customer_id", "kind", "is_open"),
)

ServiceCaseRepository: TypeAlias = AggregateRepository[str, StoredCase]
