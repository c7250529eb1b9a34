"""Port of the risk register: each risk with its history.

A :class:`~powerretail.retail.risk.Risk` keeps its history as generic transition records; storage
keeps a :class:`StoredRisk` (the risk without its history, and the history as
:class:`~powerretail.repositories.contracts.StoredTransition` records of plain values), as
dunning cases are stored. Risks are found by kind and by state.
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
from powerretail.retail.risk import Risk, RiskEvent, RiskState

__all__ = ["RISKS", "RiskRepository", "StoredRisk"]


@attrs.frozen(kw_only=True)
class StoredRisk:
    """A risk as stored: the risk without its history, its kind and state by value, and the
    history as records."""

    risk_id: str
    kind: str
    state: str
    risk: Risk
    history: tuple[StoredTransition, ...] = ()

    @classmethod
    def of(cls, risk: Risk) -> StoredRisk:
        """Return ``risk`` as stored."""
        return cls(
            risk_id=risk.id,
            kind=risk.kind.value,
            state=risk.state.value,
            risk=attrs.evolve(risk, history=()),
            history=stored_history(risk.history),
        )

    def risk_with_history(self) -> Risk:
        """Return the risk with its history restored."""
        history = restored_history(self.history, RiskState, RiskEvent)
        return attrs.evolve(self.risk, history=history)


#: Risks, keyed by risk id, found by kind and state.
RISKS: Aggregate[str, StoredRisk] = Aggregate(
    kind="retail_risk", entity_type=StoredRisk, key_field="risk_id", indexed=("kind", "state")
)

RiskRepository: TypeAlias = AggregateRepository[str, StoredRisk]
